"""The review loop: the articles ``export build`` could not adjudicate go to a reviewer.

``export build`` writes a review folder (``<release>.review/``: ``adjudication.json`` and
``review_tasks.json``, one task per conflicting article with each annotator's version as a
prediction named ``review:<pseudonym>``). :func:`send_review` pushes those tasks into a review
project (default title ``<project> review``) with ``push`` — so re-running adds nothing twice —
and writes what the annotators disagree on into the task's ``stancebank_review`` data field (a
column of the Data Manager).

The reviewer opens a task, picks a version from the predictions, fixes it and submits. Every
annotation on a review task is the reviewer's verdict (:data:`stancebank.export.REVIEW_FIELD`), so
the next ``studio pull`` of the review project, passed to ``export build`` with the project's own
export, puts the article into gold: the agreed items, and the conflicting items as the reviewer
decided them, with the reviewer's spans, relations and attributes (a starred verdict is the whole
article's gold; :mod:`stancebank.export.adjudicate`). Articles no reviewer has submitted stay out
of gold.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from stancebank.export import REVIEW_FIELD
from stancebank.tasks.studio.client import StudioClient
from stancebank.tasks.studio.errors import TasksFileError
from stancebank.tasks.studio.settings import DEFAULT_BATCH
from stancebank.tasks.studio.sync import PushReport, push, validate_tasks

REVIEW_TASKS = "review_tasks.json"
REPORT = "adjudication.json"


@dataclass(frozen=True)
class ReviewResult:
    title: str
    report: PushReport
    articles: int


TITLE_MAX = 50  # Label Studio refuses longer project titles


def review_title(project: str) -> str:
    """``<project> review``, the project's title shortened to keep within Label Studio's 50 characters."""
    suffix = " review"
    return project[: TITLE_MAX - len(suffix)].rstrip() + suffix


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise TasksFileError(
            f"{path}: no such file; pass the review folder that `stancebank export build` wrote "
            "(<release>.review/)"
        ) from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise TasksFileError(f"{path}: not valid UTF-8 JSON ({exc})") from None


def summary(conflicts: list[dict[str, Any]]) -> str:
    """One line per disagreement: kind, item, and who said what (pseudonyms)."""
    lines = []
    for c in conflicts:
        votes = ", ".join(f"{who}: {what or '—'}" for who, what in sorted(c.get("votes", {}).items()))
        lines.append(f"{c.get('kind')}: {c.get('item')} ({votes})")
    return "\n".join(lines) or "disagreement"


def review_tasks(folder: Path) -> list[dict[str, Any]]:
    """The review tasks of a review folder, each with its disagreements in ``data``."""
    tasks = validate_tasks(_read_json(folder / REVIEW_TASKS), str(folder / REVIEW_TASKS))
    report = _read_json(folder / REPORT)
    if not isinstance(report, list):
        raise TasksFileError(f"{folder / REPORT}: must be a JSON array (the adjudication list)")
    conflicts = {str(r.get("article_id")): r.get("conflicts") or [] for r in report if isinstance(r, dict)}
    return [
        {
            **task,
            "data": {**task["data"], REVIEW_FIELD: summary(conflicts.get(task["data"]["article_id"], []))},
        }
        for task in tasks
    ]


def send_review(
    client: StudioClient,
    project: str,
    folder: Path,
    *,
    title: str | None = None,
    batch_size: int = DEFAULT_BATCH,
) -> ReviewResult:
    """Push the review folder's tasks into the review project (idempotent, keyed by article id)."""
    client.require_project(project)  # the project under review must exist: a typo is not a new project
    tasks = review_tasks(folder)
    name = title or review_title(project)
    report = push(client, tasks, name, batch_size=batch_size)
    return ReviewResult(name, report, len(tasks))
