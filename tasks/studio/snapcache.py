"""A project's tasks with their annotations, read page by page, kept on this machine and brought
up to date with what changed since.

``studio progress`` needs every task with its annotations (result, annotator id, cancelled or
not, lead time, times) and its ``is_labeled`` / ``overlap``. It reads them from Label Studio's
public task list (``GET /api/tasks/``) with ``fields=all`` (annotations included), the
documented ``include`` parameter naming the few fields it needs, and ``expand=annotations`` so
that the annotations are serialised by one nested serializer for the whole page rather than one
built per task (without it the same page costs the server about 2.5 times as much), and
``review=true`` (see :func:`task_pages`). That is about 0.9 ms of server CPU per task with two
annotations, ~80% of which the list spends whatever it is asked for (it loads every task with its
annotations and predictions); the other public ways cost more (the synchronous export about
2.4 ms, ``/api/projects/{id}/tasks/`` about 5 ms: ``tests/benchmarks/bench_studio_progress.py
--candidates`` measures them side by side, README "how fast, measured"). Pages of
:data:`PAGE_SIZE` tasks are read in a background thread while the caller works on the page before
(:func:`read_ahead`), so the client's work hides behind the server's.

Label Studio stamps a task's ``updated_at`` whenever one of its annotations is created, updated or
deleted through its API (``Annotation.update_task`` in 1.23), so after one full read the next run
only needs the tasks updated since: the same list filtered on ``updated_at`` (the documented
``query`` parameter, a Data Manager filter), merged over the kept copy by task id. The cutoff is
the server's clock (the HTTP ``Date`` of a request made before the full read) minus
:data:`MARGIN`.

The kept copy is used only for the same server address, project id and project creation time,
and trusted only while the merged tasks number what the server counts (``task_number``); a
deleted task, another project, or a damaged file falls back to a full read. It lives in the user
cache (``$STANCEBANK_SNAPSHOT_DIR`` or ``~/.cache/stancebank/studio-snapshots``), never under
``data/``, with the file mode 0600: it holds the articles and annotation results with annotator
ids (no names, e-mails or tokens; every page goes through :func:`normalise_export`). Changes made
around Label Studio's API (a bulk action or a database edit that does not stamp ``updated_at``)
are missed until ``--fresh``.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import queue
import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any, TypeVar, cast

from stancebank.schema.wire import not_a_list
from stancebank.tasks.studio.client import StudioClient
from stancebank.tasks.studio.errors import StudioError
from stancebank.tasks.studio.pull import normalise_export
from stancebank.tasks.studio.server import default_cache_dir

logger = logging.getLogger(__name__)

MARGIN = timedelta(minutes=2)
"""Tasks updated this long before the kept copy was read are read again (a change being
committed while the copy was read is not missed)."""
FORMAT = 3  # 1: export snapshots (before the task list API); 2: annotations without updated_by
SNAPSHOT_ENV = "STANCEBANK_SNAPSHOT_DIR"
DM_DATETIME = "%Y-%m-%dT%H:%M:%S.%fZ"  # Label Studio's Data Manager filter format (UTC)
PAGE_SIZE = 1000
TASK_FIELDS = ("id", "data", "is_labeled", "overlap", "created_at", "updated_at")
ANNOTATION_FIELDS = (
    "id",
    "result",
    "completed_by",
    "was_cancelled",
    "ground_truth",
    "updated_by",  # who starred a ground truth (saved it last): whether the star counts
    "lead_time",
    "created_at",
    "updated_at",
)
Page = list[dict[str, Any]]
Consumer = Callable[[Sequence[dict[str, Any]]], None]
T = TypeVar("T")


@dataclass(frozen=True)
class Fetched:
    tasks: list[dict[str, Any]]
    changed: int
    """Tasks read from the server in this run (all of them on a full read)."""
    full: bool


def cache_path(client: StudioClient, project_id: int, cache_dir: Path | None = None) -> Path:
    """``cache_dir``, else ``$STANCEBANK_SNAPSHOT_DIR``, else ``<user cache>/studio-snapshots``."""
    key = hashlib.sha256(client.url.encode("utf-8")).hexdigest()[:16]
    if cache_dir is None:
        env = os.environ.get(SNAPSHOT_ENV)
        cache_dir = Path(env) if env else default_cache_dir() / "studio-snapshots"
    return cache_dir / f"{key}-project-{project_id}.json"


def _parse_time(value: str) -> datetime:
    when = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return when if when.tzinfo else when.replace(tzinfo=UTC)


@dataclass(frozen=True)
class _Project:
    identity: dict[str, Any]
    """What tells this project from another one at the same address and id (a new server, a new
    data directory): the project's creation time on the server."""
    task_number: int
    server_time: datetime | None
    """The server's clock when it answered (HTTP ``Date``), None when it sent none."""


def _project(client: StudioClient, project_id: int) -> _Project:
    resp = client.request("GET", f"/api/projects/{project_id}/")
    detail = resp.json()
    try:
        stamp: datetime | None = parsedate_to_datetime(resp.headers["date"])
    except (KeyError, TypeError, ValueError):
        stamp = None
    return _Project(
        {"url": client.url, "project_id": project_id, "project_created_at": detail.get("created_at")},
        int(detail.get("task_number") or 0),
        stamp,
    )


def _damage(tasks: list[Any]) -> str | None:
    """What makes the kept tasks unlike the pages they were kept from (:func:`task_pages`: each an
    object with an integer id and a list of annotation objects), or None. The progress code reads
    ``annotations`` as such a list (:mod:`stancebank.schema.wire.fields`: 0, "", false or {} is
    never "no annotations")."""
    for index, task in enumerate(tasks):
        if not isinstance(task, dict) or type(task.get("id")) is not int:
            return f"task {index} is not a task object with an integer id"
        annotations = task.get("annotations")
        if not isinstance(annotations, list):
            return f"task {task['id']}: {not_a_list('annotations', annotations)}"
        if not all(isinstance(a, dict) for a in annotations):
            return f"task {task['id']}: an annotation is not an object"
    return None


def _load(path: Path, identity: dict[str, Any]) -> tuple[dict[int, dict[str, Any]], str] | None:
    try:
        kept = json.loads(path.read_text(encoding="utf-8"))
        if kept["format"] != FORMAT or any(kept[k] != v for k, v in identity.items()):
            return None
        _parse_time(kept["created_at"])
        damage = _damage(kept["tasks"]) if isinstance(kept["tasks"], list) else "tasks is not a list"
        if damage is not None:
            logger.warning("The kept tasks in %s are damaged (%s); reading every task again", path, damage)
            return None
        return {t["id"]: t for t in kept["tasks"]}, str(kept["created_at"])
    except (OSError, ValueError, KeyError, TypeError):  # absent, damaged, older format
        return None


def _save(path: Path, identity: dict[str, Any], tasks: list[dict[str, Any]], created_at: str) -> None:
    body = {"format": FORMAT, **identity, "created_at": created_at, "tasks": tasks}
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        # json.dumps, not json.dump: dump streams through the pure-Python encoder (10 times slower)
        blob = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(blob)
        tmp.replace(path)
    except OSError as exc:  # the kept copy is an optimisation only
        logger.warning("Could not keep the project's tasks in %s: %s", path, exc)


def task_pages(
    client: StudioClient, project_id: int, *, since: datetime | None = None, page_size: int = PAGE_SIZE
) -> Iterator[Page]:
    """The project's tasks (those updated after ``since``, if given), a page at a time, each task
    with :data:`TASK_FIELDS` and its annotations with :data:`ANNOTATION_FIELDS` (annotator ids
    only), in task id order."""
    include = ",".join((*TASK_FIELDS, "annotations", *(f"annotations.{f}" for f in ANNOTATION_FIELDS)))
    params: dict[str, Any] = {
        "project": project_id,
        "page_size": page_size,
        "fields": "all",
        "include": include,
        "expand": "annotations",
        # the documented "tasks for review" flag: the server then computes two Data Manager columns
        # (annotators, reviewed) instead of all of them (every annotation and prediction result
        # concatenated per task, scores, lead times ...), which ``include`` leaves out anyway, and
        # does not ask an ML backend to predict the page's tasks (a read must not start work); the
        # tasks and their fields are the same (measured: the same bytes)
        "review": "true",
        "resolve_uri": "false",
    }
    if since is not None:
        cutoff = since.astimezone(UTC).strftime(DM_DATETIME)
        item = {"filter": "filter:tasks:updated_at", "operator": "greater", "type": "Datetime"}
        item["value"] = cutoff
        params["query"] = json.dumps({"filters": {"conjunction": "and", "items": [item]}})
    page = seen = 0
    while True:
        page += 1
        resp = client.request("GET", "/api/tasks/", params={**params, "page": page}, expect=(200, 404))
        if resp.status_code == 404:  # past the last page
            return
        body = resp.json()
        tasks = body.get("tasks") if isinstance(body, dict) else None
        if not isinstance(tasks, list) or any(
            not isinstance(t, dict) or not isinstance(t.get("annotations"), list) for t in tasks
        ):
            raise StudioError(
                f"Label Studio's task list of project {project_id} (page {page}) has no tasks with "
                "annotations; this needs Label Studio 1.23 or later (fields=all)"
            )
        origin = f"task list of project {project_id}, page {page}"
        yield cast(Page, normalise_export(tasks, origin, from_server=True))
        seen += len(tasks)
        # the total, not the page size: a server's TASK_API_PAGE_SIZE_MAX may make pages smaller
        if not tasks or seen >= int(body.get("total") or 0):
            return


def read_ahead(items: Iterator[T], depth: int = 1) -> Iterator[T]:
    """``items``, produced in a background thread up to ``depth`` ahead of the consumer (the next
    page is read while the caller works on this one). An error of the producer is raised here; a
    consumer that stops early stops the producer at its next item."""
    box: queue.Queue[tuple[str, Any]] = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def put(kind: str, value: Any) -> bool:
        while not stop.is_set():
            try:
                box.put((kind, value), timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def produce() -> None:
        try:
            for item in items:
                if not put("item", item):
                    return
            put("end", None)
        except Exception as exc:  # noqa: BLE001 (handed to the consumer, which raises it)
            put("error", exc)

    worker = threading.Thread(target=produce, name="stancebank-read-ahead", daemon=True)
    worker.start()
    try:
        while True:
            kind, value = box.get()
            if kind == "end":
                return
            if kind == "error":
                raise value
            yield value
    finally:
        stop.set()
        worker.join(timeout=5)


def current_tasks(
    client: StudioClient,
    project_id: int,
    cache_dir: Path | None = None,
    *,
    margin: timedelta = MARGIN,
    reuse: bool = True,
    consume: Consumer | None = None,
) -> Fetched:
    """Every task of the project with its annotations (see the module docstring), sorted by id.

    ``reuse``: bring the kept copy up to date instead of reading every task (the copy is written
    either way). ``consume``: called with each page of tasks as soon as it is read (on a full
    read, while the next page is being read), then the caller needs no second pass."""
    path = cache_path(client, project_id, cache_dir)
    project = _project(client, project_id)
    identity = project.identity
    kept = _load(path, identity) if reuse and identity["project_created_at"] else None
    if kept is not None:
        by_id, created_at = kept
        changed_pages = list(task_pages(client, project_id, since=_parse_time(created_at) - margin))
        after = _project(client, project_id)
        changed = [t for page in changed_pages for t in page]
        by_id.update((int(t["id"]), t) for t in changed)
        if len(by_id) == after.task_number and project.server_time is not None:
            tasks = [by_id[k] for k in sorted(by_id)]
            _save(path, identity, tasks, project.server_time.isoformat())
            logger.debug("Project %d: %d task(s) changed since %s", project_id, len(changed), created_at)
            if consume is not None:
                for start in range(0, len(tasks), PAGE_SIZE):
                    consume(tasks[start : start + PAGE_SIZE])
            return Fetched(tasks, len(changed), False)
        logger.info("Project %d: the kept tasks are out of date (tasks deleted?); reading all", project_id)
        project = after
    tasks = []
    for page in read_ahead(task_pages(client, project_id)):
        tasks.extend(page)
        if consume is not None:
            consume(page)
    tasks.sort(key=lambda t: int(t["id"]))
    if len(tasks) != _project(client, project_id).task_number:
        # tasks imported or deleted while the pages were read (a page may have shifted): not kept,
        # so that the next run reads every task again
        logger.warning("Project %d changed while its tasks were read; run progress again", project_id)
    elif project.server_time is not None and identity["project_created_at"]:
        _save(path, identity, tasks, project.server_time.isoformat())
    return Fetched(tasks, len(tasks), True)
