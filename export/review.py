"""The adjudication list, and sending its articles back to Label Studio for a reviewer.

``write_review`` writes three files into a folder (never into the release):

- ``adjudication.json`` — the report: per article, its Label Studio task id and each conflict
  (kind, the span/attribute/relation, what each annotator — by pseudonym — said);
- ``review_tasks.json`` — Label Studio tasks to import into a review project: the article's
  ``data`` plus one *prediction per annotator* (``model_version`` = the annotator's pseudonym), so
  the reviewer sees every version side by side, picks one, fixes it and submits;
- ``review_task_ids.txt`` — the task ids in the original project, one per line, to filter the
  Data Manager (or to hand to ``stancebank studio``) when reviewing in place.

Either way the reviewer marks the resolved annotation as **ground truth** (the star in Label
Studio); export that project and pass the export to the next ``stancebank export build`` together
with the others: exports merge by article id and the ground-truth annotation wins adjudication.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from stancebank.export.adjudicate import Adjudication
from stancebank.export.reader import ExportData
from stancebank.schema.wire import LSTask, task_data, to_results


def adjudication_report(
    conflicts: Sequence[Adjudication], data: ExportData, pseudonym: Callable[[str], str]
) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for adj in sorted(conflicts, key=lambda a: a.article_id):
        out.append(
            {
                "article_id": adj.article_id,
                "task_id": data.task_ids.get(adj.article_id),
                "annotators": adj.num_annotators,
                "conflicts": [
                    {
                        "kind": c.kind,
                        "item": c.item,
                        "votes": {pseudonym(k): v for k, v in sorted(c.votes.items())},
                    }
                    for c in adj.conflicts
                ],
            }
        )
    return out


def review_tasks(
    conflicts: Sequence[Adjudication], data: ExportData, pseudonym: Callable[[str], str]
) -> list[LSTask]:
    tasks: list[LSTask] = []
    for adj in sorted(conflicts, key=lambda a: a.article_id):
        article = data.articles[adj.article_id]
        task: LSTask = {
            "data": task_data(article),
            "predictions": [
                {
                    "model_version": f"review:{pseudonym(ann.annotator)}",
                    "result": to_results(ann.spans, ann.relations),
                }
                for ann in data.annotations.get(adj.article_id, [])
            ],
        }
        tasks.append(task)
    return tasks


def write_review(
    folder: Path, conflicts: Sequence[Adjudication], data: ExportData, pseudonym: Callable[[str], str]
) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    report = folder / "adjudication.json"
    tasks = folder / "review_tasks.json"
    ids = folder / "review_task_ids.txt"
    report.write_text(
        json.dumps(adjudication_report(conflicts, data, pseudonym), indent=2, ensure_ascii=False) + "\n",
        encoding="utf-8",
    )
    tasks.write_text(
        json.dumps(review_tasks(conflicts, data, pseudonym), indent=1, ensure_ascii=False) + "\n",
        encoding="utf-8",
    )
    task_ids = sorted({data.task_ids[a.article_id] for a in conflicts if a.article_id in data.task_ids})
    ids.write_text("".join(f"{t}\n" for t in task_ids), encoding="utf-8")
    return [report, tasks, ids]
