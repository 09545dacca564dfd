"""Project sync: create or check a project, then import tasks idempotently keyed by ``article_id``.

Label Studio creates duplicates when the same file is imported twice, so ``push`` first lists the
project's tasks and classifies every incoming task:

- **created**: no task with its ``data.article_id`` yet → imported (with its predictions);
- **unchanged**: same ``data`` (hence same text) → skipped;
- **updated**: the data changed and either the text is the same (offsets stay valid) or the task
  has no annotation yet → patched in place; when the text changed its predictions are replaced;
- **refused**: the text changed on a task that already has annotations (their offsets would
  break) → left alone and reported;
- predictions whose content changed are replaced only with ``refresh_predictions``; otherwise they
  are counted as *stale*.

A hash of the text, of the data and of the predictions is stored in each task's ``meta`` under
``stancebank``. An interrupted push can simply be run again: each import batch is atomic on the
server and the next run skips what already arrived.
"""

from __future__ import annotations

import contextlib
import difflib
import fcntl
import hashlib
import json
import logging
import os
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from stancebank.schema.errors import WireError
from stancebank.schema.instructions import render_instructions
from stancebank.schema.label_config import build_label_config
from stancebank.schema.project import find_project
from stancebank.schema.wire import check_task_list, read_task_list
from stancebank.tasks.studio.client import StudioClient
from stancebank.tasks.studio.errors import ConfigDriftError, StudioError, TasksFileError
from stancebank.tasks.studio.faults import checkpoint
from stancebank.tasks.studio.server import default_cache_dir
from stancebank.tasks.studio.settings import DEFAULT_BATCH

logger = logging.getLogger(__name__)

META_KEY = "stancebank"
KEY_FIELD = "article_id"
TEXT_FIELD = "text"
LEDGER_ENV = "STANCEBANK_SYNC_DIR"

Task = dict[str, Any]
"""A task as in the tasks file (``stancebank.schema.wire.LSTask``), handled as plain JSON here."""

Progress = Callable[[str, int], None]
"""``progress(stage, n)``: ``n`` more tasks went through ``stage`` (skipped/created/updated/predictions)."""


# ------------------------------------------------------------------------------------ tasks file


def sha256_text(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def sha256_json(value: Any) -> str:
    blob = json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


def validate_tasks(records: Any, origin: str = "<tasks>") -> list[Task]:
    """Check the shape ``push`` relies on (:func:`stancebank.schema.wire.check_task_list`); errors
    name the record index, the field, and the fix."""
    try:
        return check_task_list(records, origin)
    except WireError as err:
        raise TasksFileError(str(err)) from err


def load_tasks(path: Path) -> list[Task]:
    """A tasks file, read and checked by :func:`stancebank.schema.wire.read_task_list`."""
    try:
        return read_task_list(path)
    except WireError as err:
        raise TasksFileError(str(err)) from err


def task_meta(
    task: Task, predictions_sha256: str | None = None, predictions_valid: bool = True
) -> dict[str, Any]:
    """What ``push`` stores in a task's ``meta``; ``predictions_sha256`` overrides the hash of the
    predictions when the server keeps older ones (a data update without a predictions refresh).

    ``predictions_text_sha256`` is the hash of the text the stored predictions were computed for;
    ``predictions_valid=False`` stores ``""`` there: the predictions on the server are about to be
    replaced (or belong to an older text) and the next push must replace them whatever its options.
    It is written last, after the predictions, so an interrupted push never claims more than is true.
    """
    data = task["data"]
    preds = predictions_sha256 if predictions_sha256 is not None else sha256_json(task.get("predictions", []))
    text_sha = sha256_text(data[TEXT_FIELD])
    return {
        META_KEY: {
            "text_sha256": text_sha,
            "data_sha256": sha256_json(data),
            "predictions_sha256": preds,
            "predictions_text_sha256": text_sha if predictions_valid else "",
        }
    }


# ----------------------------------------------------------------------------------------- project


def project_instructions() -> str:
    """The instructions for the active project: with its target catalogue when a project file
    (``stancebank.toml`` or ``--project``) has one."""
    project = find_project()
    return render_instructions(catalogue=project.targets if project is not None else ())


def config_diff(current: str, wanted: str, name: str = "project") -> str:
    """A unified diff of the labeling configs (empty when equal up to surrounding whitespace)."""
    if current.strip() == wanted.strip():
        return ""
    return "".join(
        difflib.unified_diff(
            current.strip().splitlines(keepends=True),
            wanted.strip().splitlines(keepends=True),
            fromfile=f"{name} (on the server)",
            tofile="generated by stancebank (schema/label_config.py)",
        )
    )


@dataclass(frozen=True)
class ProjectState:
    id: int
    title: str
    created: bool
    config_updated: bool
    instructions_updated: bool


def ensure_project(
    client: StudioClient,
    title: str,
    *,
    update_config: bool = False,
    label_config: str | None = None,
    instructions: str | None = None,
) -> ProjectState:
    """Create the project with the generated config and instructions, or check an existing one.

    Drift between an existing project's config and the generated one raises `ConfigDriftError`
    with a readable diff, unless ``update_config`` (then the project is updated).
    """
    wanted = label_config if label_config is not None else build_label_config()
    guide = instructions if instructions is not None else project_instructions()
    project = converge_project(client, title)
    if project is None:
        checkpoint("push:before-create")
        payload = {
            "title": title,
            "label_config": wanted,
            "expert_instruction": guide,
            "show_instruction": True,
        }
        resp = client.request("POST", "/api/projects/", json=payload, expect=(200, 201, 500))
        # Another push (here or on another machine) may have created one at the same time: every
        # push keeps the oldest and deletes the empty newer ones, so all of them end up in one.
        project = converge_project(client, title)
        if resp.status_code == 500:
            # Label Studio on SQLite can answer one of two creations at the same instant with
            # HTTP 500 (seen in CI, under load): the other push's project is then the project
            if project is None:
                raise StudioError(
                    f"Label Studio POST /api/projects/ answered HTTP 500: {client.said(resp)}; no project "
                    f"titled {title!r} was made. Re-run the command."
                )
            logger.warning(
                "Label Studio refused to create project %r (HTTP 500) while another push created it "
                "(id %s); using that one",
                title,
                project["id"],
            )
        else:
            body = resp.json()
            if project is None or int(project["id"]) == int(body["id"]):
                logger.info("Created project %r (id %s)", title, body["id"])
                return ProjectState(int(body["id"]), title, True, False, False)
            logger.warning(
                "Another push created project %r at the same time (id %s); using it and deleting ours "
                "(id %s)",
                title,
                project["id"],
                body["id"],
            )
    project_id = int(project["id"])
    full = client.get_json(f"/api/projects/{project_id}/")
    diff = config_diff(full.get("label_config") or "", wanted, name=title)
    config_updated = False
    if diff:
        if not update_config:
            raise ConfigDriftError(
                f"The labeling config of project {title!r} (id {project_id}) differs from the generated "
                f"one:\n{diff}\nRe-run with --update-config to replace it (Label Studio refuses the "
                "change if existing annotations use removed labels)."
            )
        client.patch_json(f"/api/projects/{project_id}/", {"label_config": wanted})
        config_updated = True
        logger.info("Updated the labeling config of project %r", title)
    # Label Studio sanitises the instructions' HTML, so they cannot be compared verbatim: they are
    # (re)written on creation and whenever the config is updated on request.
    instructions_updated = False
    if update_config and (
        (full.get("expert_instruction") or "") != guide or not full.get("show_instruction")
    ):
        payload = {"expert_instruction": guide, "show_instruction": True}
        client.patch_json(f"/api/projects/{project_id}/", payload)
        instructions_updated = True
    return ProjectState(project_id, title, False, config_updated, instructions_updated)


def _delete(client: StudioClient, path: str) -> None:
    """DELETE that tolerates a concurrent push deleting the same object first (Label Studio then
    answers 404, or 500 "matching query does not exist" when both requests overlap)."""
    resp = client.request("DELETE", path, expect=(200, 204, 404, 500))
    if resp.status_code == 500 and client.request("GET", path, expect=(200, 404)).status_code != 404:
        raise StudioError(f"Label Studio DELETE {path} answered HTTP 500: {resp.text[:300]}")


def converge_project(client: StudioClient, title: str) -> dict[str, Any] | None:
    """The project titled ``title`` (None if there is none).

    Label Studio does not keep titles unique, and two pushes creating the same project at once
    make two. The oldest (lowest id) is the project; newer namesakes without tasks are deleted.
    Namesakes that hold tasks are someone's work: that is an error naming them.
    """
    matches = sorted((p for p in client.projects() if p.get("title") == title), key=lambda p: int(p["id"]))
    if not matches:
        return None
    keep, *others = matches
    busy: list[int] = []
    for other in others:
        other_id = int(other["id"])
        resp = client.request("GET", f"/api/projects/{other_id}/", expect=(200, 404))
        if resp.status_code == 404:
            continue
        if int(resp.json().get("task_number") or 0):
            busy.append(other_id)
            continue
        _delete(client, f"/api/projects/{other_id}/")
        logger.warning(
            "Deleted project %d, an empty second project titled %r (a concurrent push)", other_id, title
        )
    if busy:
        ids = ", ".join(str(i) for i in [int(keep["id"]), *busy])
        raise StudioError(f"Several projects titled {title!r} hold tasks (ids {ids}); rename all but one.")
    return keep


# -------------------------------------------------------------------------------------------- push


@dataclass(frozen=True)
class Refusal:
    article_id: str
    task_id: int
    annotations: int
    reason: str


@dataclass
class PushReport:
    project: ProjectState
    created: int = 0
    unchanged: int = 0
    updated: int = 0
    predictions_refreshed: int = 0
    predictions_repaired: int = 0
    predictions_stale: int = 0
    refused: list[Refusal] = field(default_factory=list)
    duplicates_removed: int = 0
    duplicates_on_server: list[str] = field(default_factory=list)
    ids_migrated: int = 0

    @property
    def total(self) -> int:
        return self.created + self.unchanged + self.updated + len(self.refused)


@dataclass(frozen=True)
class _Change:
    task_id: int
    task: Task
    replace_predictions: bool
    stored_predictions_sha256: str
    predictions_valid: bool = True  # the server's predictions match the server's text


@dataclass(frozen=True)
class _Plan:
    create: list[Task]
    update: list[_Change]  # data changed: PATCH data (+ replace predictions if flagged)
    refresh: list[_Change]  # data unchanged, predictions to replace
    unchanged: int
    stale: int
    refused: list[Refusal]
    duplicates: list[str]


def _annotation_count(task: dict[str, Any]) -> int:
    return int(task.get("total_annotations") or 0) + int(task.get("cancelled_annotations") or 0)


@dataclass(frozen=True)
class Known:
    """What push knows about one server task: from a listing (full) or from the ledger (hashes)."""

    task_id: int
    data_sha256: str
    predictions_sha256: str
    text: str | None = None  # None: known from the ledger only
    annotations: int | None = None
    data: dict[str, Any] | None = None
    predictions_valid: bool = True
    """False when the stored predictions may belong to another text (an interrupted push)."""

    @classmethod
    def from_task(cls, task: dict[str, Any]) -> Known:
        data = task.get("data") or {}
        meta = (task.get("meta") or {}).get(META_KEY) or {}
        text = data.get(TEXT_FIELD)
        # Tasks pushed before predictions_text_sha256 existed: their predictions were written for
        # the text hash in the same meta.
        claimed = meta.get("predictions_text_sha256", meta.get("text_sha256"))
        valid = isinstance(text, str) and claimed == sha256_text(text)
        return cls(
            int(task["id"]),
            sha256_json(data),
            str(meta.get("predictions_sha256") or ""),
            text,
            _annotation_count(task),
            data,
            valid,
        )


def known_from_tasks(tasks: Sequence[dict[str, Any]]) -> tuple[dict[str, Known], list[str]]:
    """Index server tasks by article id; later duplicates are reported, the first one is used."""
    known: dict[str, Known] = {}
    duplicates: list[str] = []
    for task in tasks:
        key = (task.get("data") or {}).get(KEY_FIELD)
        if not isinstance(key, str):
            continue
        if key in known:
            duplicates.append(key)
            continue
        known[key] = Known.from_task(task)
    return known, duplicates


def adopt_text_hash_ids(incoming: Sequence[Task], known: dict[str, Known]) -> int:
    """Re-key server tasks pushed under the former id of an article without an id.

    Before ids were keyed by source, such an article's id was ``sb-`` + 16 hex digits of its text's
    sha256. A server task with that id and no incoming task of its own is the same article: it is
    taken as the current task of the new id (the update then writes the new id into its data;
    the text is the same, so annotations stay valid). Returns how many were re-keyed."""
    incoming_ids = {task["data"][KEY_FIELD] for task in incoming}
    adopted = 0
    for task in incoming:
        key = task["data"][KEY_FIELD]
        if key in known:
            continue
        former = "sb-" + sha256_text(task["data"][TEXT_FIELD])[:16]
        if former != key and former in known and former not in incoming_ids:
            known[key] = known.pop(former)
            adopted += 1
    return adopted


def plan_push(
    incoming: Sequence[Task],
    known: Mapping[str, Known],
    *,
    refresh_predictions: bool,
    duplicates: Sequence[str] = (),
) -> _Plan:
    """Pure classification of incoming tasks against what is on the server (see module docstring).

    A known task whose data hash differs must carry its text and annotation count (``push``
    fetches those for ledger-only entries before planning).
    """
    create: list[Task] = []
    update: list[_Change] = []
    refresh: list[_Change] = []
    refused: list[Refusal] = []
    unchanged = stale = 0
    for task in incoming:
        data = task["data"]
        current = known.get(data[KEY_FIELD])
        if current is None:
            create.append(task)
            continue
        data_changed = current.data_sha256 != sha256_json(data)
        text_changed = data_changed and current.text != data[TEXT_FIELD]
        n_ann = current.annotations or 0
        if text_changed and n_ann:
            refused.append(
                Refusal(
                    data[KEY_FIELD],
                    current.task_id,
                    n_ann,
                    f"the text changed but task {current.task_id} has {n_ann} annotation(s) whose offsets "
                    "would break; export them, then delete the task in Label Studio or give the article a "
                    "new article_id",
                )
            )
            continue
        preds_changed = current.predictions_sha256 != sha256_json(task.get("predictions", []))
        # Predictions not known to match the server's text (an interrupted push) are always redone.
        replace = text_changed or not current.predictions_valid or (preds_changed and refresh_predictions)
        if preds_changed and not replace:
            stale += 1
        change = _Change(
            current.task_id, task, replace, current.predictions_sha256, current.predictions_valid
        )
        if data_changed:
            update.append(change)
        else:
            unchanged += 1
            if replace:
                refresh.append(change)
    return _Plan(create, update, refresh, unchanged, stale, refused, list(duplicates))


# ------------------------------------------------------------------------------------------ ledger


def ledger_path(client: StudioClient, project_id: int) -> Path:
    key = hashlib.sha256(client.url.encode("utf-8")).hexdigest()[:16]
    return _sync_dir() / f"{key}-project-{project_id}.json"


def _when(stamp: Any) -> datetime:
    return datetime.fromisoformat(str(stamp))


def _newest(client: StudioClient, project_id: int) -> list[Any]:
    """(id, updated_at) of the most recently updated task ([] for an empty project)."""
    page = client.get_json(f"/api/projects/{project_id}/tasks/", params={"page": 1, "page_size": 1})
    return [page[0]["id"], page[0]["updated_at"]] if page else []


def _task_count(client: StudioClient, project_id: int) -> int:
    return int(client.get_json(f"/api/projects/{project_id}/").get("task_number") or 0)


def load_known(client: StudioClient, project_id: int) -> tuple[dict[str, Known], list[str]]:
    """What is on the server, cheaply when possible.

    Listing thousands of tasks costs seconds per thousand, so the outcome of the last push is kept
    in a ledger (article id → task id and hashes; no text, no secret) under the user cache. It is
    trusted only after catching up with every task updated since (the project's tasks come newest
    first) and when its task count equals the server's; otherwise all tasks are listed again.
    """
    path = ledger_path(client, project_id)
    try:
        ledger = json.loads(path.read_text(encoding="utf-8"))
        entries: dict[str, list[Any]] = ledger["tasks"]
        since = _when(ledger["newest"][1]) if ledger["newest"] else None
        known = {
            k: Known(int(v[0]), str(v[1]), str(v[2]), predictions_valid=v[3] is True)
            for k, v in entries.items()
        }
    except (OSError, ValueError, KeyError, IndexError, TypeError):  # absent, older format, damaged
        ledger = None
    if ledger is not None and ledger.get("url") == client.url and ledger.get("project_id") == project_id:
        fresh: list[dict[str, Any]] = []
        page = 1
        while True:
            batch = client.get_json(
                f"/api/projects/{project_id}/tasks/", params={"page": page, "page_size": 100}
            )
            newer = [t for t in batch if since is None or _when(t["updated_at"]) >= since]
            fresh.extend(newer)
            if len(newer) < len(batch) or len(batch) < 100:
                break
            page += 1
        updated, duplicates = known_from_tasks(fresh)
        by_id = {k.task_id: key for key, k in known.items()}
        for key, item in updated.items():
            if by_id.get(item.task_id, key) != key:
                known.pop(by_id[item.task_id], None)
            known[key] = item
        if not duplicates and len({k.task_id for k in known.values()}) == _task_count(client, project_id):
            logger.debug("Ledger %s: %d tasks, %d updated since", path, len(known), len(fresh))
            return known, []
        logger.info("The sync ledger of project %d is out of date; listing all tasks", project_id)
    return known_from_tasks(list(client.iter_tasks(project_id)))


def save_known(client: StudioClient, project_id: int, known: Mapping[str, Known]) -> None:
    path = ledger_path(client, project_id)
    ledger = {
        "url": client.url,
        "project_id": project_id,
        "newest": _newest(client, project_id),
        "tasks": {
            k: [v.task_id, v.data_sha256, v.predictions_sha256, v.predictions_valid] for k, v in known.items()
        },
    }
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(ledger, separators=(",", ":")), encoding="utf-8")
        tmp.replace(path)
    except OSError as exc:  # the ledger is an optimisation only
        logger.warning("Could not write the sync ledger %s: %s", path, exc)


def _chunks(items: Sequence[Any], size: int) -> list[Sequence[Any]]:
    return [items[i : i + size] for i in range(0, len(items), size)]


def _replace_predictions(
    client: StudioClient, project_id: int, items: Sequence[_Change], batch_size: int
) -> None:
    ids = [change.task_id for change in items]
    for chunk in _chunks(ids, 1000):
        client.post_json(
            "/api/dm/actions",
            {"selectedItems": {"all": False, "included": list(chunk)}},
            params={"id": "delete_tasks_predictions", "project": project_id},
        )
    checkpoint("push:predictions-deleted")
    payload = [
        {"task": change.task_id, **pred} for change in items for pred in change.task.get("predictions", [])
    ]
    for chunk in _chunks(payload, batch_size * 4):
        client.post_json(f"/api/projects/{project_id}/import/predictions", list(chunk))
        checkpoint("push:predictions-imported")


def _sync_dir() -> Path:
    return Path(os.environ[LEDGER_ENV]) if os.environ.get(LEDGER_ENV) else default_cache_dir() / "studio-sync"


@contextlib.contextmanager
def push_lock(client: StudioClient, title: str) -> Iterator[None]:
    """One push at a time per server and project title on this machine (an advisory file lock
    next to the sync ledgers; the kernel releases it when the process dies, however it dies)."""
    key = hashlib.sha256(f"{client.url}\n{title}".encode()).hexdigest()[:16]
    path = _sync_dir() / f"push-{key}.lock"
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            logger.warning("Another push into %r runs on this machine; waiting for it to finish", title)
            fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def reconcile_duplicates(client: StudioClient, project_id: int) -> tuple[dict[str, Known], int, list[str]]:
    """Remove the extra copies of an article that concurrent imports created.

    Per ``article_id`` the copies with annotations are kept, else the oldest (lowest id); a copy is
    deleted only after re-reading it shows no annotation. Every push that imported runs this, so
    the last one to finish sees every copy. Returns what remains (as `Known`), the number of tasks
    deleted, and the article ids still held by several (annotated) tasks.
    """
    tasks = sorted(client.iter_tasks(project_id), key=lambda t: int(t["id"]))
    groups: dict[str, list[dict[str, Any]]] = {}
    for task in tasks:
        key = (task.get("data") or {}).get(KEY_FIELD)
        if isinstance(key, str):
            groups.setdefault(key, []).append(task)
    deleted: set[int] = set()
    gone: set[int] = set()
    left: list[str] = []
    for key, group in groups.items():
        if len(group) < 2:
            continue
        keep = {int(t["id"]) for t in group if _annotation_count(t)} or {int(group[0]["id"])}
        for task in group:
            task_id = int(task["id"])
            if task_id in keep:
                continue
            fresh = client.request("GET", f"/api/tasks/{task_id}", expect=(200, 404))
            if fresh.status_code == 404:  # another push removed it already
                gone.add(task_id)
                continue
            if _annotation_count(fresh.json()):  # annotated in the meantime: never deleted
                keep.add(task_id)
                continue
            _delete(client, f"/api/tasks/{task_id}")
            deleted.add(task_id)
            logger.debug("Deleted task %d, a second copy of %s=%s", task_id, KEY_FIELD, key)
        if len(keep) > 1:
            left.append(key)
    if deleted:
        logger.warning(
            "Project %d: removed %d extra task(s) a concurrent push had imported for the same articles",
            project_id,
            len(deleted),
        )
    known, _ = known_from_tasks([t for t in tasks if int(t["id"]) not in deleted | gone])
    return known, len(deleted), left


def _only_ours(client: StudioClient, project_id: int, known: Mapping[str, Known]) -> bool:
    """True when the project holds exactly the tasks push knows of (one per article id).

    ``known`` is every task of the project when planning (a full listing, or a ledger whose task
    count matched the server's) plus the ones this push imported. A concurrent push that imported
    copies of the same articles raises the server's count above it, so one count (one cheap request)
    replaces listing every task (seconds per thousand). Each push checks after its own imports, so
    the last of two concurrent pushes sees both imports and reconciles. (Limit: a task deleted in
    the UI while a concurrent push imports a copy offsets the count, and that copy stays.)
    """
    return _task_count(client, project_id) == len({k.task_id for k in known.values()})


def push(
    client: StudioClient,
    tasks: Sequence[Task],
    project: str,
    *,
    update_config: bool = False,
    refresh_predictions: bool = False,
    batch_size: int = DEFAULT_BATCH,
    progress: Progress | None = None,
) -> PushReport:
    """Sync ``tasks`` into project ``project`` (created if missing). Returns what happened.

    Safe to run concurrently (one at a time per machine by `push_lock`; across machines duplicate
    projects and tasks are reconciled afterwards) and to interrupt at any point: the next run
    converges (see `task_meta` for the order of writes).
    """
    validate_tasks(list(tasks), "<tasks>")
    with push_lock(client, project):
        report = _push(client, tasks, project, update_config, refresh_predictions, batch_size, progress)
    logger.info(
        "push %r: created %d, unchanged %d, updated %d, refused %d, predictions refreshed %d / stale %d",
        project,
        report.created,
        report.unchanged,
        report.updated,
        len(report.refused),
        report.predictions_refreshed,
        report.predictions_stale,
    )
    return report


def _push(
    client: StudioClient,
    tasks: Sequence[Task],
    project: str,
    update_config: bool,
    refresh_predictions: bool,
    batch_size: int,
    progress: Progress | None,
) -> PushReport:
    state = ensure_project(client, project, update_config=update_config)
    known, duplicates = ({}, []) if state.created else load_known(client, state.id)
    migrated = adopt_text_hash_ids(tasks, known)
    if migrated:
        logger.warning(
            "%d task(s) pushed under their former text-hash article_id take their new id (same text)",
            migrated,
        )
    for task in tasks:  # ledger-only entries whose data changed: fetch text and annotation count
        entry = known.get(task["data"][KEY_FIELD])
        if entry is not None and entry.text is None and entry.data_sha256 != sha256_json(task["data"]):
            known[task["data"][KEY_FIELD]] = Known.from_task(client.get_json(f"/api/tasks/{entry.task_id}"))
    plan = plan_push(tasks, known, refresh_predictions=refresh_predictions, duplicates=duplicates)
    report = PushReport(
        project=state,
        ids_migrated=migrated,
        unchanged=plan.unchanged,
        predictions_stale=plan.stale,
        refused=plan.refused,
    )
    if progress and (plan.unchanged or plan.refused):
        progress("skipped", plan.unchanged + len(plan.refused))
    checkpoint("push:before-import")
    # 1. New tasks: task, meta and predictions arrive in one atomic import per batch.
    for chunk in _chunks(plan.create, batch_size):
        payload = [{**task, "meta": task_meta(task)} for task in chunk]
        body = client.post_json(
            f"/api/projects/{state.id}/import", payload, params={"return_task_ids": "true"}
        )
        report.created += int(body.get("task_count", len(chunk)))
        for task, task_id in zip(chunk, body.get("task_ids") or [], strict=False):
            meta = task_meta(task)[META_KEY]
            known[task["data"][KEY_FIELD]] = Known(
                int(task_id), meta["data_sha256"], meta["predictions_sha256"]
            )
        if progress:
            progress("created", len(chunk))
        checkpoint("push:created")
    # 2. Changed data. The meta keeps the hash of the predictions still on the server; when they are
    #    to be replaced it marks them invalid, so a push killed before step 4 redoes them next time.
    for change in plan.update:
        meta = task_meta(
            change.task, change.stored_predictions_sha256, predictions_valid=not change.replace_predictions
        )
        client.patch_json(f"/api/tasks/{change.task_id}", {"data": change.task["data"], "meta": meta})
        report.updated += 1
        known[change.task["data"][KEY_FIELD]] = Known(
            change.task_id,
            meta[META_KEY]["data_sha256"],
            change.stored_predictions_sha256,
            predictions_valid=not change.replace_predictions,
        )
        if progress:
            progress("updated", 1)
        checkpoint("push:updated")
    # 3. Same data, predictions to replace: marked invalid first (unless they already are).
    for change in plan.refresh:
        if change.predictions_valid:
            meta = task_meta(change.task, change.stored_predictions_sha256, predictions_valid=False)
            client.patch_json(f"/api/tasks/{change.task_id}", {"meta": meta})
            checkpoint("push:marked")
    # 4. Replace the predictions, then 5. claim them in the meta (last: never before they are there).
    replaced = [c for c in plan.update if c.replace_predictions] + plan.refresh
    if replaced:
        _replace_predictions(client, state.id, replaced, batch_size)
    refreshed = {c.task_id for c in plan.refresh}
    for change in replaced:
        meta = task_meta(change.task)
        client.patch_json(f"/api/tasks/{change.task_id}", {"meta": meta})
        known[change.task["data"][KEY_FIELD]] = Known(
            change.task_id, meta[META_KEY]["data_sha256"], meta[META_KEY]["predictions_sha256"]
        )
        if progress and change.task_id in refreshed:
            progress("predictions", 1)
        checkpoint("push:claimed")
    report.predictions_refreshed = len(replaced)
    report.predictions_repaired = sum(1 for c in replaced if not c.predictions_valid)
    # 6. Copies a concurrent push (from another machine) imported next to ours.
    left = list(plan.duplicates)
    if plan.duplicates or (plan.create and not _only_ours(client, state.id, known)):
        known, report.duplicates_removed, left = reconcile_duplicates(client, state.id)
    report.duplicates_on_server = left
    for key in left:
        logger.warning(
            "Project %r holds several annotated tasks with %s=%s; using the oldest", project, KEY_FIELD, key
        )
    if not left:
        save_known(client, state.id, known)
    return report
