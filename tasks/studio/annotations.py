"""Import annotations made elsewhere (e.g. the demo's scripted annotators) as real LS users.

File format: ``[{"article_id": ..., "annotator": "annotator-a", "ground_truth": false,
"result": [<LS result>, ...]}, ...]``. Each pseudonymous annotator becomes a Label Studio user
``<pseudonym>@annotators.stancebank.invalid`` (created if missing; no real name) and each
annotation is created through the admin API with ``completed_by`` set to that user's id, so exports
attribute it to that annotator. Idempotent: an annotation by the same annotator on the same task
is never created twice.
"""

from __future__ import annotations

import json
import logging
import re
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from stancebank.tasks.studio.client import StudioClient
from stancebank.tasks.studio.errors import StudioError, TasksFileError

logger = logging.getLogger(__name__)

ANNOTATOR_DOMAIN = "annotators.stancebank.invalid"
PSEUDONYM_RE = re.compile(r"^[a-z0-9][a-z0-9._-]{0,63}$")


@dataclass(frozen=True)
class AnnotationRecord:
    article_id: str
    annotator: str
    ground_truth: bool
    result: list[dict[str, Any]]


@dataclass
class AnnotationImportReport:
    created: int = 0
    skipped_existing: int = 0
    users_created: int = 0


def annotator_email(pseudonym: str) -> str:
    return f"{pseudonym}@{ANNOTATOR_DOMAIN}"


def validate_annotations(raw: Any, origin: str = "<annotations>") -> list[AnnotationRecord]:
    if not isinstance(raw, list):
        raise TasksFileError(f"{origin}: expected a JSON list of annotation records")
    records: list[AnnotationRecord] = []
    seen: dict[tuple[str, str], int] = {}
    for index, item in enumerate(raw):
        where = f"{origin}: record {index}"
        if not isinstance(item, dict):
            raise TasksFileError(f"{where}: must be an object")
        article_id, annotator = item.get("article_id"), item.get("annotator")
        if not isinstance(article_id, str) or not article_id:
            raise TasksFileError(f"{where}: field 'article_id' must be a non-empty string")
        if not isinstance(annotator, str) or not PSEUDONYM_RE.match(annotator):
            raise TasksFileError(
                f"{where}: field 'annotator' must be a pseudonym like 'annotator-a' (lowercase letters, "
                "digits, '.', '_', '-'); never an e-mail or a real name"
            )
        ground_truth = item.get("ground_truth", False)
        if not isinstance(ground_truth, bool):
            raise TasksFileError(f"{where}: field 'ground_truth' must be true or false")
        result = item.get("result")
        if not isinstance(result, list) or not all(isinstance(r, dict) for r in result):
            raise TasksFileError(f"{where}: field 'result' must be a list of Label Studio results")
        key = (article_id, annotator)
        if key in seen:
            raise TasksFileError(
                f"{where}: annotator {annotator!r} already annotates {article_id!r} in record {seen[key]}"
            )
        seen[key] = index
        records.append(AnnotationRecord(article_id, annotator, ground_truth, result))
    return records


def load_annotations(path: Path) -> list[AnnotationRecord]:
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise TasksFileError(f"{path}: no such annotations file") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise TasksFileError(f"{path}: not valid UTF-8 JSON ({exc})") from None
    return validate_annotations(raw, str(path))


def _users(client: StudioClient) -> dict[str, int]:
    body = client.get_json("/api/users/")
    users = body.get("results", []) if isinstance(body, dict) else body
    return {str(u["email"]).lower(): int(u["id"]) for u in users}


def ensure_annotators(client: StudioClient, pseudonyms: Sequence[str]) -> tuple[dict[str, int], int]:
    """User ids for the pseudonyms, creating missing users. Returns (ids, number created)."""
    existing = _users(client)
    ids: dict[str, int] = {}
    created = 0
    for name in sorted(set(pseudonyms)):
        email = annotator_email(name)
        if email in existing:
            ids[name] = existing[email]
            continue
        body = client.post_json(
            "/api/users/", {"email": email, "username": name, "first_name": "", "last_name": ""}
        )
        ids[name] = int(body["id"])
        created += 1
        logger.info("Created Label Studio user for annotator %s (id %d)", name, ids[name])
    return ids, created


def import_annotations(
    client: StudioClient,
    project: str,
    records: Sequence[AnnotationRecord],
    *,
    progress: Callable[[int], None] | None = None,
) -> AnnotationImportReport:
    """Create each annotation as its annotator (``completed_by``), once per (task, annotator)."""
    info = client.require_project(project)
    project_id = int(info["id"])
    tasks = {
        str(t["data"].get("article_id")): int(t["id"])
        for t in client.iter_tasks(project_id)
        if isinstance(t.get("data"), dict)
    }
    missing = sorted({r.article_id for r in records} - tasks.keys())
    if missing:
        shown = ", ".join(missing[:5]) + (" ..." if len(missing) > 5 else "")
        raise StudioError(
            f"{len(missing)} annotated article(s) are not tasks of project {project!r}: {shown}. "
            "Push their tasks first (`stancebank studio push`)."
        )
    user_ids, users_created = ensure_annotators(client, [r.annotator for r in records])
    report = AnnotationImportReport(users_created=users_created)
    by_task: dict[int, list[AnnotationRecord]] = defaultdict(list)
    for record in records:
        by_task[tasks[record.article_id]].append(record)
    for task_id, task_records in by_task.items():
        existing = client.get_json(f"/api/tasks/{task_id}/annotations/")
        done = {a.get("completed_by") for a in existing}
        for record in task_records:
            user_id = user_ids[record.annotator]
            if user_id in done:
                report.skipped_existing += 1
            else:
                payload = {
                    "result": record.result,
                    "completed_by": user_id,
                    "ground_truth": record.ground_truth,
                    "was_cancelled": False,
                }
                body = client.post_json(f"/api/tasks/{task_id}/annotations/", payload)
                if bool(body.get("ground_truth")) != record.ground_truth:
                    client.patch_json(
                        f"/api/annotations/{body['id']}/", {"ground_truth": record.ground_truth}
                    )
                report.created += 1
                done.add(user_id)
            if progress:
                progress(1)
    return report
