"""A project's last export, kept on this machine and brought up to date with what changed since.

``studio progress`` needs every task with its annotations. Label Studio builds an export snapshot
at a few milliseconds of server time per task (32 s of the 36 s of a progress run on 5,000 tasks
with 10,000 annotations), and the task listing costs as much. But Label Studio stamps a task's
``updated_at`` whenever one of its annotations is created, updated or deleted through its API
(``Annotation.update_task`` in 1.23), so after one full snapshot the next run only needs the tasks
updated since: a Data Manager view filtered on ``updated_at`` (public API: ``/api/dm/views/``) and
an export snapshot of that view (``task_filter_options.view``), merged over the kept copy by task
id. The cutoff is the kept snapshot's creation time on the server's clock minus :data:`MARGIN`.

The kept copy is used only for the same server address, project id and project creation time,
and trusted only while the merged tasks number what the server counts (``task_number``); a
deleted task, another project, or a damaged file falls back to a full snapshot. It lives in the
user cache (``$STANCEBANK_CACHE_DIR`` or ``~/.cache/stancebank``), never under ``data/``, with
the file mode 0600: it holds the articles and annotation results with annotator ids (no names,
e-mails or tokens), as an export does. Changes made around Label Studio's API (a bulk action or
a database edit that does not stamp ``updated_at``) are missed until ``--fresh``.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from stancebank.tasks.studio.client import StudioClient
from stancebank.tasks.studio.pull import create_snapshot
from stancebank.tasks.studio.server import default_cache_dir

logger = logging.getLogger(__name__)

MARGIN = timedelta(minutes=2)
"""Tasks updated this long before the kept snapshot was created are read again (a change being
committed while the snapshot was read is not missed)."""
FORMAT = 1
SNAPSHOT_ENV = "STANCEBANK_SNAPSHOT_DIR"
DM_DATETIME = "%Y-%m-%dT%H:%M:%S.%fZ"  # Label Studio's Data Manager filter format (UTC)


@dataclass(frozen=True)
class Fetched:
    tasks: list[dict[str, Any]]
    changed: int
    """Tasks read from the server in this run (all of them on a full snapshot)."""
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


def _identity(client: StudioClient, project_id: int) -> dict[str, Any]:
    """What tells this project from another one at the same address and id (a new server, a new
    data directory): the project's creation time on the server."""
    detail = client.get_json(f"/api/projects/{project_id}/")
    return {"url": client.url, "project_id": project_id, "project_created_at": detail.get("created_at")}


def _load(path: Path, identity: dict[str, Any]) -> tuple[dict[int, dict[str, Any]], str] | None:
    try:
        kept = json.loads(path.read_text(encoding="utf-8"))
        if kept["format"] != FORMAT or any(kept[k] != v for k, v in identity.items()):
            return None
        _parse_time(kept["created_at"])
        return {int(t["id"]): t for t in kept["tasks"]}, str(kept["created_at"])
    except (OSError, ValueError, KeyError, TypeError):  # absent, damaged, older format
        return None


def _save(path: Path, identity: dict[str, Any], tasks: list[dict[str, Any]], created_at: str) -> None:
    body = {"format": FORMAT, **identity, "created_at": created_at, "tasks": tasks}
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(body, handle, ensure_ascii=False, separators=(",", ":"))
        tmp.replace(path)
    except OSError as exc:  # the kept copy is an optimisation only
        logger.warning("Could not keep the export snapshot in %s: %s", path, exc)


def _changed_since(
    client: StudioClient, project_id: int, since: datetime
) -> tuple[list[dict[str, Any]], str]:
    """An export snapshot of the tasks updated after ``since`` (a Data Manager view, then dropped)."""
    cutoff = since.astimezone(UTC).strftime(DM_DATETIME)
    item = {"filter": "filter:tasks:updated_at", "operator": "greater", "type": "Datetime", "value": cutoff}
    view = client.post_json(
        "/api/dm/views/",
        {
            "project": project_id,
            "data": {
                "title": "stancebank: changed since",
                "filters": {"conjunction": "and", "items": [item]},
            },
        },
    )
    try:
        snap = create_snapshot(
            client, project_id, predictions=False, task_filter_options={"view": int(view["id"])}
        )
    finally:
        client.request("DELETE", f"/api/dm/views/{int(view['id'])}/", expect=(200, 204, 404))
    return json.loads(snap.blob), snap.created_at


def current_tasks(
    client: StudioClient, project_id: int, cache_dir: Path | None = None, *, margin: timedelta = MARGIN
) -> Fetched:
    """Every task of the project as an export has it (annotator ids only, prediction ids only)."""
    path = cache_path(client, project_id, cache_dir)
    identity = _identity(client, project_id)
    kept = _load(path, identity) if identity["project_created_at"] else None
    if kept is not None:
        by_id, created_at = kept
        changed, now = _changed_since(client, project_id, _parse_time(created_at) - margin)
        by_id.update((int(t["id"]), t) for t in changed)
        count = int(client.get_json(f"/api/projects/{project_id}/").get("task_number") or 0)
        if len(by_id) == count and now:
            tasks = [by_id[k] for k in sorted(by_id)]
            _save(path, identity, tasks, now)
            logger.debug("Project %d: %d task(s) changed since %s", project_id, len(changed), created_at)
            return Fetched(tasks, len(changed), False)
        logger.info(
            "Project %d: the kept snapshot is out of date (tasks deleted?); taking a full one", project_id
        )
    snap = create_snapshot(client, project_id, predictions=False)
    tasks = sorted(json.loads(snap.blob), key=lambda t: int(t["id"]))
    if snap.created_at and identity["project_created_at"]:
        _save(path, identity, tasks, snap.created_at)
    return Fetched(tasks, len(tasks), True)
