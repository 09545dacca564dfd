"""`studio progress` computed a page at a time equals the export's code run once over all tasks."""

from __future__ import annotations

import copy
import itertools
from collections import defaultdict
from datetime import UTC, datetime
from typing import Any

from sbtest.studio_fixtures import make_tasks

from stancebank.export import OVERALL, AgreementAccumulator, ExportReader, GoldPolicy, adjudicate_article
from stancebank.tasks.studio.progress import ProgressTally, compute_progress, states_from_export

NOW = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)


def _tasks() -> list[dict[str, Any]]:
    """40 tasks: two or three annotators, some leaving out spans or relations (disagreement), a
    skipped annotation now and then, tasks with one or no annotation, and two articles that are
    also a second task (the same article id and text) far apart in the list."""
    tasks = make_tasks(40)
    for i, task in enumerate(tasks):
        task["id"] = 100 + i
        full = task.pop("predictions")[0]["result"]
        results = [full, full[:2] if i % 3 == 0 else full, [r for r in full if r.get("type") != "relation"]]
        people = 2 if i % 4 else 3
        if i % 9 == 0:
            people = 1
        if i % 10 == 0:
            people = 0
        task["annotations"] = [
            {
                "id": 1000 + 10 * i + k,
                "completed_by": 1 + (i + k) % 4,
                "result": results[k],
                "was_cancelled": k == 1 and i % 7 == 0,
                "lead_time": 10 + (i * 7 + k) % 50,
                "created_at": f"2026-12-0{1 + k}T10:{i:02d}:00Z",
            }
            for k in range(people)
        ]
    for k, source in enumerate((tasks[3], tasks[5])):
        again = copy.deepcopy(source)
        again["id"] = 900 + k
        for a in again["annotations"]:
            a["id"] += 5000
            a["completed_by"] = 5 + k
        tasks.append(again)
    return tasks


def _reference(tasks: list[dict[str, Any]]) -> dict[str, Any]:
    """The agreement and review figures as one reader and one accumulator per annotator give them."""
    reader = ExportReader()
    for position, task in enumerate(tasks):
        reader.add_task(task, "snapshot", 0, position)
    data = reader.finish()
    whole = AgreementAccumulator()
    per: dict[str, AgreementAccumulator] = defaultdict(AgreementAccumulator)
    waiting: dict[str, int] = defaultdict(int)
    for article_id in data.annotations:
        anns = data.annotations[article_id]
        if adjudicate_article(article_id, anns).method == "conflict":
            for ann in anns:
                waiting[ann.annotator] += 1
        if len(anns) < 2:
            continue
        whole.add(anns)
        for ann, other in itertools.permutations(anns, 2):
            per[ann.annotator].add([ann, other])
    out: dict[str, Any] = {}
    for who, acc in per.items():
        report = acc.finish()
        out[who] = (report.span_f1_exact[OVERALL], report.relation_f1[OVERALL], waiting[who])
    overall = whole.finish()
    out["project"] = (overall.span_f1_exact[OVERALL], overall.relation_f1[OVERALL])
    return out


def test_progress_by_pages_equals_the_export_code_over_all_tasks() -> None:
    tasks = _tasks()
    states = states_from_export(tasks, 2, skipped_count=False)
    expected = _reference(tasks)
    assert len(expected) > 4  # several annotators share tasks
    disagreements = [v for k, v in expected.items() if k != "project" and v[0] not in (None, 1.0)]
    assert disagreements and any(v[2] for v in disagreements)  # disagreement and a review backlog

    whole = compute_progress("p", 1, tasks, states, lambda who: who, now=NOW)
    for size in (1, 7, 40):  # a page per task; articles split over pages; all at once
        tally = ProgressTally()
        for start in range(0, len(tasks), size):
            tally.add(tasks[start : start + size])
        paged = tally.finish("p", 1, states, lambda who: who, now=NOW)
        assert paged.to_dict(with_lead_times=True) == whole.to_dict(with_lead_times=True)

    got = {a.pseudonym: a for a in whole.annotators}
    span, relation = expected.pop("project")
    assert (whole.project.agreement_span_f1, whole.project.agreement_relation_f1) == (
        round(span, 4),
        round(relation, 4),
    )
    for who, (span, relation, waiting) in expected.items():
        assert (got[who].agreement_span_f1, got[who].agreement_relation_f1) == (
            None if span is None else round(span, 4),
            None if relation is None else round(relation, 4),
        )
        assert got[who].waiting_review == waiting


def test_progress_adjudicates_with_the_projects_policy() -> None:
    """`studio progress` counts what `export build` would: with ``conflicts = "drop"`` in the
    project file a conflicting article is gold (done), not waiting for review."""
    tasks = _tasks()
    states = states_from_export(tasks, 2, skipped_count=False)
    default = compute_progress("p", 1, tasks, states, lambda who: who, now=NOW)
    assert default.project.in_review >= 3
    tally = ProgressTally(policy=GoldPolicy(unresolved="drop"))
    tally.add(tasks)
    dropping = tally.finish("p", 1, states, lambda who: who, now=NOW)
    waiting = sum(
        1 for t in tasks if states[t["id"]].is_labeled and t["data"]["article_id"] in _conflicting(tasks)
    )
    assert dropping.project.in_review == 0
    assert dropping.project.done == default.project.done + waiting > default.project.done


def _conflicting(tasks: list[dict[str, Any]]) -> set[str]:
    reader = ExportReader()
    for position, task in enumerate(tasks):
        reader.add_task(task, "snapshot", 0, position)
    data = reader.finish()
    return {a for a in data.annotations if adjudicate_article(a, data.annotations[a]).method == "conflict"}


def test_a_reviewers_verdict_moves_its_article_from_in_review_to_done() -> None:
    """The review project's verdicts (``studio review``) settle their articles as `export build`
    does: in review → done (counted as reviewed), whatever pages the articles come in; a verdict is
    not an annotator's work (annotations, agreement and waiting counts are the annotators')."""
    tasks = _tasks()
    states = states_from_export(tasks, 2, skipped_count=False)
    before = compute_progress("p", 1, tasks, states, lambda who: who, now=NOW)
    reader = ExportReader()
    for position, task in enumerate(tasks):
        reader.add_task(task, "snapshot", 0, position)
    data = reader.finish()
    conflicting = sorted(
        a for a in data.annotations if adjudicate_article(a, data.annotations[a]).method == "conflict"
    )
    assert len(conflicting) >= 3 and before.project.in_review >= 3
    by_article = {t["data"]["article_id"]: t for t in tasks}
    reviews = []
    for k, article_id in enumerate(conflicting[:2]):  # two of them reviewed, the others not
        source = by_article[article_id]
        reviews.append(
            {
                "id": 5000 + k,
                "data": {**source["data"], "stancebank_review": "span_tie: …"},
                "annotations": [
                    {"id": 90000 + k, "completed_by": 99, "result": source["annotations"][0]["result"]}
                ],
            }
        )
    settled = {t for t, a in ((t["id"], t["data"]["article_id"]) for t in tasks) if a in conflicting[:2]}
    labeled = sum(1 for t in settled if states[t].is_labeled)
    whole = compute_progress("p", 1, tasks, states, lambda who: who, now=NOW)
    for size in (1, 7, 42):
        tally = ProgressTally(reviews)
        for start in range(0, len(tasks), size):
            tally.add(tasks[start : start + size])
        got = tally.finish("p", 1, states, lambda who: who, now=NOW)
        assert got.project.in_review == before.project.in_review - labeled
        assert got.project.done == before.project.done + labeled
        assert got.project.reviewed == labeled > 0
        assert got.project.annotations == whole.project.annotations  # the verdicts are not counted
        assert "99" not in {a.pseudonym for a in got.annotators} and "ls:99" not in {
            a.pseudonym for a in got.annotators
        }
        assert got.project.agreement_span_f1 == whole.project.agreement_span_f1
