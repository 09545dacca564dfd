"""Pull: an export snapshot with annotator ids only, written as an immutable, content-named file.

The file appears atomically (temporary name, fsync, hard link), and a pull whose content equals the
newest snapshot already in the folder writes nothing.

A snapshot that expands ``completed_by`` carries annotators' e-mails and names; ours asks Label
Studio for ids only and then normalises the JSON again (`normalise_export`) so that nothing
personal can reach our files. Exports downloaded by hand from the UI go through the same
`normalise_export` (``load_export``) before any downstream code reads them.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from stancebank.schema.errors import WireError
from stancebank.schema.layout import sha256_file
from stancebank.schema.wire import LSExportTask, a_type, iter_records, list_field, not_a_list
from stancebank.tasks.studio.client import StudioClient
from stancebank.tasks.studio.errors import StudioError, TasksFileError
from stancebank.tasks.studio.faults import checkpoint

logger = logging.getLogger(__name__)

EMAIL_RE = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")
#: Per-annotation/draft keys Label Studio fills with a user's e-mail or name.
PERSONAL_KEYS = frozenset({"created_username", "created_ago", "completed_by_email", "user_email"})
#: Keys whose value is a user (an id, or an expanded object with e-mail and name).
USER_KEYS = frozenset({"completed_by", "updated_by", "user", "created_by", "reviewed_by"})
#: Content written by people about the article: kept verbatim (never scrubbed).
CONTENT_KEYS = frozenset({"data", "result"})
SNAPSHOT_POLL = 0.25
SNAPSHOT_TIMEOUT = 600.0


@dataclass(frozen=True)
class ExportCounts:
    tasks: int
    annotations: int
    cancelled: int
    annotators: int
    ground_truths: int
    predictions: int


@dataclass(frozen=True)
class PullResult:
    path: Path
    sha256: str
    counts: ExportCounts
    reused: bool = False


# ----------------------------------------------------------------------------------- normalising


def _user_id(value: Any, where: str, strict: bool) -> Any:
    """A user as its integer id. ``strict`` (``completed_by``): a user without an id is an error,
    since the annotator would be lost; elsewhere (drafts, comments) it is dropped (None)."""
    if value is None or isinstance(value, int):
        return value
    if isinstance(value, dict) and isinstance(value.get("id"), int):
        return value["id"]
    if isinstance(value, list):
        return [_user_id(v, where, strict) for v in value]
    if isinstance(value, str) and value.isdigit():
        return int(value)
    if not strict:
        return None
    raise TasksFileError(
        f"{where}: a user is given as {type(value).__name__} without an id; export the project as "
        "JSON (not JSON_MIN/CSV) from Label Studio, or use `stancebank studio pull`."
    )


class _Scrubber:
    """Users → ids, personal keys dropped, stray e-mail addresses redacted (outside content).

    ``changed`` tells whether anything had to be removed (a snapshot we asked for with ids only
    normally needs nothing, and is then written byte for byte as downloaded)."""

    def __init__(self) -> None:
        self.changed = False

    def user(self, value: Any, where: str, strict: bool) -> Any:
        out = _user_id(value, where, strict)
        if out != value:
            self.changed = True
        return out

    def __call__(self, value: Any, where: str) -> Any:
        if isinstance(value, dict):
            out: dict[str, Any] = {}
            for key, item in value.items():
                if key in PERSONAL_KEYS:
                    self.changed = True
                elif key in CONTENT_KEYS:
                    out[key] = item
                elif key in USER_KEYS:
                    out[key] = self.user(item, f"{where}.{key}", strict=key == "completed_by")
                elif isinstance(item, (dict, list, str)):
                    out[key] = self(item, f"{where}.{key}")
                else:
                    out[key] = item
            return out
        if isinstance(value, list):
            return [self(item, where) for item in value]
        if isinstance(value, str) and "@" in value and EMAIL_RE.search(value):
            self.changed = True
            return EMAIL_RE.sub("<redacted>", value)
        return value


def _malformed(problem: str, from_server: bool) -> StudioError:
    """A task of a file (exit 3: export it again) or of Label Studio's answer (exit 6: the server
    sent what its export format never holds) that cannot be read."""
    if from_server:
        return StudioError(
            f"{problem}: Label Studio's answer is not its JSON export format; nothing was written — "
            "check the server (its version and log) and run the command again"
        )
    return TasksFileError(
        f"{problem}: the export is edited or not Label Studio's JSON; export the project again as "
        "JSON from Label Studio, or use `stancebank studio pull`"
    )


def _check_lists(task: dict[str, Any], where: str, from_server: bool) -> None:
    """``annotations`` and ``predictions`` are lists (absent or null: none) and each annotation an
    object (:mod:`stancebank.schema.wire.fields`): 0, "", false or {} is never read as none."""
    for key in ("annotations", "predictions"):
        if list_field(task, key) is None:
            raise _malformed(f"{where}: {not_a_list(key, task[key])}", from_server)
    for a_index, ann in enumerate(task.get("annotations") or ()):
        if not isinstance(ann, dict):
            raise _malformed(f"{where}: annotations[{a_index}] is {a_type(ann)}, not an object", from_server)


def _normalise(raw: Any, origin: str, *, from_server: bool = False) -> tuple[list[LSExportTask], bool]:
    if not isinstance(raw, list):
        raise TasksFileError(f"{origin}: expected a JSON list of tasks (Label Studio's JSON export)")
    scrub = _Scrubber()
    tasks: list[LSExportTask] = []
    for index, task in enumerate(raw):
        where = f"{origin}: task {index}"
        if not isinstance(task, dict) or not isinstance(task.get("data"), dict):
            raise TasksFileError(
                f"{where}: not a task object with a 'data' field (use the JSON export format)"
            )
        _check_lists(task, where, from_server)
        tasks.append(scrub(task, where))
    return tasks, scrub.changed


def normalise_export(raw: Any, origin: str = "<export>", *, from_server: bool = False) -> list[LSExportTask]:
    """A Label Studio JSON export (snapshot or UI download) with annotator ids only.

    ``completed_by`` (and other user fields) become integer ids, ``created_username`` and similar
    keys are dropped, and any e-mail address outside task data and results is redacted. A task
    whose ``annotations`` or ``predictions`` is not a list (or an annotation not an object) is a
    :class:`TasksFileError` naming ``origin``, the task and the field — a :class:`StudioError`
    when ``from_server`` (Label Studio's answer, not a file).
    """
    return _normalise(raw, origin, from_server=from_server)[0]


def load_export(path: Path) -> list[LSExportTask]:
    """Read an export file (ours or one downloaded from the UI; a JSON array or JSONL) by the one
    reader (:func:`stancebank.schema.wire.iter_records`), normalised on the way in."""
    try:
        raw = [record.value for record in iter_records(path)]
    except WireError as err:
        raise TasksFileError(str(err)) from err
    return normalise_export(raw, str(path))


def count_export(tasks: list[LSExportTask]) -> ExportCounts:
    """The counts of normalised tasks (:func:`normalise_export` checked that ``annotations`` and
    ``predictions`` are lists or absent/null and each annotation an object)."""
    annotations = cancelled = ground_truths = predictions = 0
    annotators: set[Any] = set()
    for task in tasks:
        predictions += len(task.get("predictions") or [])
        for ann in task.get("annotations") or []:
            if ann.get("was_cancelled"):
                cancelled += 1
            else:
                annotations += 1
            if ann.get("ground_truth"):
                ground_truths += 1
            if ann.get("completed_by") is not None:
                annotators.add(ann["completed_by"])
    return ExportCounts(len(tasks), annotations, cancelled, len(annotators), ground_truths, predictions)


# ------------------------------------------------------------------------------------------ files


def _slug(title: str) -> str:
    slug = re.sub(r"[^A-Za-z0-9]+", "-", title).strip("-").lower()
    return slug or "project"


def _stamp_of(path: Path) -> str:
    """The UTC time in a snapshot name ``<slug>-<YYYYmmddTHHMMSSZ>-<sha12>.json``."""
    return path.stem.rsplit("-", 2)[-2]


def latest_snapshot(out_dir: Path, title: str) -> Path | None:
    """The newest snapshot of project ``title`` in ``out_dir`` (by the time in its name)."""
    pattern = re.compile(rf"{re.escape(_slug(title))}-\d{{8}}T\d{{6}}Z-[0-9a-f]{{12}}\.json")
    found = [p for p in out_dir.glob("*.json") if pattern.fullmatch(p.name)]
    return max(found, key=lambda p: (_stamp_of(p), p.name)) if found else None


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _clean_partials(out_dir: Path) -> None:
    """Remove ``.<name>.partial-<pid>`` files left by a pull that was killed (its pid is gone)."""
    for leftover in out_dir.glob(".*.json.partial-*"):
        pid = leftover.name.rsplit("-", 1)[-1]
        if pid.isdigit() and not _pid_alive(int(pid)):
            logger.info("Removing %s, left by a pull that was interrupted", leftover)
            leftover.unlink(missing_ok=True)


def _write_new(path: Path, blob: bytes) -> bool:
    """Write ``blob`` as ``path`` (read-only) so that it appears whole or not at all.

    The bytes go to ``.<name>.partial-<pid>`` first, are fsynced, and are then hard-linked to the
    final name (a link, unlike a rename, never replaces an existing file). False when ``path``
    already exists.
    """
    tmp = path.with_name(f".{path.name}.partial-{os.getpid()}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    try:
        with os.fdopen(fd, "wb") as handle:
            half = len(blob) // 2
            handle.write(blob[:half])
            checkpoint("pull:partial")
            handle.write(blob[half:])
            handle.flush()
            os.fsync(handle.fileno())
        tmp.chmod(0o444)
        checkpoint("pull:written")
        try:
            os.link(tmp, path)
        except FileExistsError:
            return False
    finally:
        tmp.unlink(missing_ok=True)
    dir_fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)
    return True


def write_immutable(
    tasks: list[LSExportTask],
    out_dir: Path,
    title: str,
    now: datetime | None = None,
    *,
    blob: bytes | None = None,
) -> PullResult:
    """Write ``<slug>-<UTC time>-<sha256[:12]>.json`` read-only; never overwrite anything.

    When the newest snapshot of ``title`` in ``out_dir`` already holds these bytes, nothing is
    written and that file is returned (``reused``). The file appears atomically (see `_write_new`);
    leftovers of a killed pull are removed first.

    ``blob``: the exact bytes of ``tasks`` when already serialised (a snapshot that needed no
    scrubbing); otherwise ``tasks`` is serialised here.
    """
    if blob is None:
        blob = json.dumps(tasks, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    digest = hashlib.sha256(blob).hexdigest()
    counts = count_export(tasks)
    out_dir.mkdir(parents=True, exist_ok=True)
    _clean_partials(out_dir)
    latest = latest_snapshot(out_dir, title)
    if latest is not None and latest.name.endswith(f"-{digest[:12]}.json") and sha256_file(latest) == digest:
        return PullResult(latest, digest, counts, reused=True)
    stamp = (now or datetime.now(UTC)).strftime("%Y%m%dT%H%M%SZ")
    path = out_dir / f"{_slug(title)}-{stamp}-{digest[:12]}.json"
    if not _write_new(path, blob):
        if sha256_file(path) == digest:
            return PullResult(path, digest, counts, reused=True)
        raise StudioError(f"{path} already exists with other content; refusing to overwrite it") from None
    return PullResult(path, digest, counts)


# ------------------------------------------------------------------------------------------- pull


@dataclass(frozen=True)
class Snapshot:
    blob: bytes
    created_at: str
    """When the server created the export (its clock, ISO 8601): every task was read after this."""


def create_snapshot(
    client: StudioClient,
    project_id: int,
    *,
    keep_on_server: bool = False,
    predictions: bool = True,
    task_filter_options: dict[str, Any] | None = None,
) -> Snapshot:
    """Create an export snapshot (annotator ids only), wait for it, download it, drop it.

    ``predictions=False`` exports prediction ids only (``studio progress`` needs no model output);
    ``task_filter_options`` are Label Studio's (``{"view": ID}``: the tasks of a Data Manager view).
    """
    options = {
        "annotations__completed_by": {"only_id": True},
        "drafts": {"only_id": True},
        "predictions": {"only_id": not predictions},
    }
    payload: dict[str, Any] = {"title": "stancebank pull", "serialization_options": options}
    if task_filter_options:
        payload["task_filter_options"] = task_filter_options
    body = client.post_json(f"/api/projects/{project_id}/exports/", payload)
    export_id = int(body["id"])
    deadline = time.monotonic() + SNAPSHOT_TIMEOUT
    status = body.get("status")
    while status != "completed":
        if status == "failed":
            raise StudioError(
                f"Label Studio failed to build export snapshot {export_id} of project {project_id}"
            )
        if time.monotonic() > deadline:
            raise StudioError(
                f"Export snapshot {export_id} of project {project_id} not ready after {SNAPSHOT_TIMEOUT} s"
            )
        time.sleep(SNAPSHOT_POLL)
        status = client.get_json(f"/api/projects/{project_id}/exports/{export_id}").get("status")
    resp = client.request(
        "GET", f"/api/projects/{project_id}/exports/{export_id}/download", params={"exportType": "JSON"}
    )
    if not keep_on_server:
        client.request("DELETE", f"/api/projects/{project_id}/exports/{export_id}")
    return Snapshot(resp.content, str(body.get("created_at") or ""))


def snapshot(
    client: StudioClient, project_id: int, *, keep_on_server: bool = False, predictions: bool = True
) -> bytes:
    """The bytes of a whole-project export snapshot (see :func:`create_snapshot`)."""
    return create_snapshot(client, project_id, keep_on_server=keep_on_server, predictions=predictions).blob


def pull(client: StudioClient, project: str, out_dir: Path) -> PullResult:
    """Snapshot project ``project`` and write it under ``out_dir`` as an immutable file."""
    info = client.require_project(project)
    blob = snapshot(client, int(info["id"]))
    tasks, changed = _normalise(json.loads(blob), f"snapshot of project {project!r}", from_server=True)
    result = write_immutable(tasks, out_dir, project, blob=None if changed else blob)
    if result.reused:
        logger.info(
            "Pulled %d tasks of %r: the same as %s, nothing written",
            result.counts.tasks,
            project,
            result.path,
        )
    else:
        logger.info("Pulled %d tasks of %r into %s", result.counts.tasks, project, result.path)
    return result
