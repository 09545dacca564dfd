"""The review loop: the articles ``export build`` could not adjudicate go to a reviewer.

``export build`` writes a review folder (``<release>.review/``: ``adjudication.json`` and
``review_tasks.json``, one task per conflicting article with each annotator's version as a
prediction, all of one model version). :func:`send_review` pushes those tasks into a review
project (default title ``<project> review``) with ``push`` — so re-running adds nothing twice,
and the versions are brought up to date — and writes whose version each prediction is (by
pseudonym, in the order the labeling screen shows them) and what the annotators disagree on into
the task's ``stancebank_review`` data field (a column of the Data Manager). It sets the review
project's model version to the predictions' one: Label Studio's next-task queue ("Label All
Tasks") gives a task only the predictions of its project's model version, which its first import
sets (the queue's screen then pre-fills the first version and shows no prediction tabs; a task
opened from the Data Manager's list shows every version as a tab).

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
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from stancebank.export import REVIEW_FIELD
from stancebank.schema.wire import a_type, list_field, not_a_list
from stancebank.tasks.studio.client import StudioClient
from stancebank.tasks.studio.errors import TasksFileError
from stancebank.tasks.studio.settings import DEFAULT_BATCH
from stancebank.tasks.studio.sync import PushReport, push, validate_tasks

logger = logging.getLogger(__name__)

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


def summary(conflicts: list[dict[str, Any]], versions: list[str] | None = None) -> str:
    """Whose version each prediction is (pseudonyms, in the order the labeling screen shows them;
    "Label All Tasks" pre-fills the first), then one line per disagreement: kind, item, and who
    said what (pseudonyms)."""
    lines = []
    if versions:
        lines.append("versions: " + ", ".join(f"{n} {who}" for n, who in enumerate(versions, 1)))
    for c in conflicts:
        votes = ", ".join(f"{who}: {what or '—'}" for who, what in sorted((c.get("votes") or {}).items()))
        lines.append(f"{c.get('kind')}: {c.get('item')} ({votes})")
    return "\n".join(lines) or "disagreement"


# an adjudication.json that is not what `export build` writes
REBUILD = "the review folder is edited: build the release again (`stancebank export build`) to rewrite it"


def _checked_entries(report: list[Any], path: Path) -> list[dict[str, Any]]:
    """The entries of ``adjudication.json``, each an object whose ``conflicts`` and ``versions``
    are lists (absent or null: none; :mod:`stancebank.schema.wire.fields`) and each conflict an
    object with ``votes`` an object: 0, "", false or {} is never read as "no conflicts", a string
    never as its characters. Anything else is a :class:`TasksFileError` naming the entry."""
    for index, entry in enumerate(report):
        where = f"{path}: entry {index}"
        if not isinstance(entry, dict):
            raise TasksFileError(f"{where} is {a_type(entry)}, not an object; {REBUILD}")
        where += f" (article {entry.get('article_id')!r})"
        for key in ("conflicts", "versions"):
            if list_field(entry, key) is None:
                raise TasksFileError(f"{where}: {not_a_list(key, entry[key])}; {REBUILD}")
        for c_index, conflict in enumerate(entry.get("conflicts") or ()):
            if not isinstance(conflict, dict):
                raise TasksFileError(
                    f"{where}: conflicts[{c_index}] is {a_type(conflict)}, not an object; {REBUILD}"
                )
            votes = conflict.get("votes")
            if votes is not None and not isinstance(votes, dict):
                raise TasksFileError(
                    f"{where}: conflicts[{c_index}].votes is {a_type(votes)}, not an object; {REBUILD}"
                )
    return report


def review_tasks(folder: Path) -> list[dict[str, Any]]:
    """The review tasks of a review folder, each with its disagreements in ``data``."""
    tasks = validate_tasks(_read_json(folder / REVIEW_TASKS), str(folder / REVIEW_TASKS))
    report = _read_json(folder / REPORT)
    if not isinstance(report, list):
        raise TasksFileError(f"{folder / REPORT}: must be a JSON array (the adjudication list)")
    entries = {str(r.get("article_id")): r for r in _checked_entries(report, folder / REPORT)}

    def column(article_id: str) -> str:
        entry = entries.get(article_id, {})
        return summary(entry.get("conflicts") or [], entry.get("versions"))

    return [
        {**task, "data": {**task["data"], REVIEW_FIELD: column(task["data"]["article_id"])}} for task in tasks
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
    # the versions are the annotators' annotations as the last build read them: replaced when
    # they changed (a verdict already submitted stays)
    report = push(client, tasks, name, batch_size=batch_size, refresh_predictions=True)
    show_every_version(client, report.project.id, tasks)
    return ReviewResult(name, report, len(tasks))


def show_every_version(client: StudioClient, project_id: int, tasks: list[dict[str, Any]]) -> None:
    """Make the review project's model version the one every review prediction has, so that a
    reviewer sees every annotator's version: Label Studio shows a task only the predictions of its
    project's model version (its first import set it; a review folder written before all versions
    shared one set it to one annotator's)."""
    found = {p.get("model_version") for t in tasks for p in t.get("predictions") or []}
    if len(found) != 1:
        if len(found) > 1:
            logger.warning(
                "the review tasks' predictions have %d model versions; the reviewer will see only one "
                "annotator's version: build the release again with this stancebank to rewrite the "
                "review folder",
                len(found),
            )
        return
    (wanted,) = found
    if client.get_json(f"/api/projects/{project_id}").get("model_version") != wanted:
        client.patch_json(f"/api/projects/{project_id}", {"model_version": wanted})
