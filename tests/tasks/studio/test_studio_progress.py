"""`studio progress` against the real Label Studio: every number equals what the test created."""

from __future__ import annotations

import json
import re
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sbtest.studio_fixtures import make_tasks
from typer.testing import CliRunner

from stancebank.export import Pseudonymizer
from stancebank.schema.cli import app
from stancebank.tasks.studio.annotations import ensure_annotators
from stancebank.tasks.studio.client import StudioClient
from stancebank.tasks.studio.progress import (
    fetch_progress,
    percentile,
    render_html,
    states_from_export,
    task_states,
)
from stancebank.tasks.studio.pull import snapshot
from stancebank.tasks.studio.snapcache import current_tasks, task_pages
from stancebank.tasks.studio.sync import push
from stancebank.tasks.studio.team import apply_overlap


def test_percentile_is_nearest_rank() -> None:
    assert percentile([], 90) is None
    assert percentile([10.0, 20.0, 30.0], 90) == 30.0
    assert percentile([float(i) for i in range(1, 11)], 90) == 9.0
    assert percentile([5.0], 50) == 5.0


def _post(client: StudioClient, task_id: int, user: int, result: list[dict[str, Any]], **extra: Any) -> None:
    client.post_json(
        f"/api/tasks/{task_id}/annotations/",
        {"result": result, "completed_by": user, "was_cancelled": False, **extra},
    )


@pytest.fixture
def scenario(studio_client: StudioClient, project_name: str) -> dict[str, Any]:
    """Six tasks, overlap 2 on all; A and B agree on task 0 and disagree on task 1; A alone on
    task 2; C skips task 3 and annotates task 4; task 5 untouched."""
    tasks = make_tasks(6)
    pid = push(studio_client, tasks, project_name).project.id
    apply_overlap(studio_client, pid, 2, 100)
    suffix = project_name[-6:]
    ids, _ = ensure_annotators(studio_client, [f"pa-{suffix}", f"pb-{suffix}", f"pc-{suffix}"])
    a, b, c = (ids[f"p{x}-{suffix}"] for x in "abc")
    by_article = {t["data"]["article_id"]: t["id"] for t in studio_client.iter_tasks(pid)}
    tid = [by_article[t["data"]["article_id"]] for t in tasks]
    full = [t["predictions"][0]["result"] for t in tasks]
    actor_only = [r for r in full[1] if r.get("type") == "labels" and r["value"]["labels"] == ["ACTOR"]]
    assert len(actor_only) == 1
    _post(studio_client, tid[0], a, full[0], lead_time=10)
    _post(studio_client, tid[0], b, full[0], lead_time=5)
    _post(studio_client, tid[1], a, full[1], lead_time=20)
    _post(studio_client, tid[1], b, actor_only, lead_time=7)
    _post(studio_client, tid[2], a, full[2], lead_time=30)
    _post(studio_client, tid[3], c, [], was_cancelled=True, lead_time=3)
    _post(studio_client, tid[4], c, full[4], lead_time=40)
    return {"pid": pid, "a": a, "b": b, "c": c}


def _who(uid: int) -> str:
    return f"ann-{uid}"


@pytest.mark.integration
def test_progress_numbers_equal_what_was_created(
    studio_client: StudioClient, project_name: str, scenario: dict[str, Any]
) -> None:
    before = datetime.now(UTC)
    progress = fetch_progress(studio_client, project_name, lambda identity: _who(int(identity[3:])))
    rows = {r.pseudonym: r for r in progress.annotators}
    a, b, c = rows[_who(scenario["a"])], rows[_who(scenario["b"])], rows[_who(scenario["c"])]
    assert (a.annotated, a.skipped, a.lead_time_median, a.lead_time_p90) == (3, 0, 20.0, 30.0)
    assert (b.annotated, b.skipped, b.lead_time_median, b.lead_time_p90) == (2, 0, 6.0, 7.0)
    assert (c.annotated, c.skipped, c.lead_time_median, c.lead_time_p90) == (1, 1, 40.0, 40.0)
    # task 0: 3 of 3 spans shared, task 1: 1 span of A's 3 → F1 = (2·3 + 2·1) / (6 + 4)
    assert (a.shared_tasks, a.agreement_span_f1, a.agreement_relation_f1, a.waiting_review) == (
        2,
        0.8,
        1.0,
        1,
    )
    assert (b.shared_tasks, b.agreement_span_f1, b.agreement_relation_f1, b.waiting_review) == (
        2,
        0.8,
        1.0,
        1,
    )
    assert (c.shared_tasks, c.agreement_span_f1, c.waiting_review) == (0, None, 0)
    p = progress.project
    assert (p.tasks, p.done, p.in_review, p.remaining) == (6, 1, 1, 4)
    assert (p.annotations, p.skipped, p.annotations_needed) == (6, 1, 6)
    assert (p.agreement_span_f1, p.agreement_relation_f1) == (0.8, 1.0)
    # all six made within the hour: pace = 6 per hour (the window is at least an hour), so the
    # six still needed take one more hour
    assert p.pace_per_hour == 6.0
    assert p.eta is not None
    eta = datetime.fromisoformat(p.eta)
    assert before + timedelta(minutes=59) <= eta <= datetime.now(UTC) + timedelta(hours=1, seconds=1)
    assert [(n, cum) for _, n, cum in progress.timeline] == [(6, 6)]

    # with one overlap for all tasks, the states come from the export, as Label Studio has them
    exported = json.loads(snapshot(studio_client, scenario["pid"], predictions=False))
    assert states_from_export(exported, 2, skipped_count=False) == task_states(studio_client, scenario["pid"])

    page = render_html(progress)
    assert "http://" not in page and "https://" not in page and "<script src" not in page
    embedded = re.search(r'<script type="application/json" id="progress-data">(.*?)</script>', page, re.S)
    assert embedded and json.loads(embedded.group(1)) == json.loads(json.dumps(progress.to_dict()))
    assert page.count("<svg") == 3
    assert f'data-summary="in review">{p.in_review}<' in page


@pytest.mark.integration
def test_cli_progress_json_and_html_use_pseudonyms_only(
    label_studio,
    studio_client: StudioClient,
    project_name: str,
    scenario: dict[str, Any],
    tmp_path: Path,
    monkeypatch,
) -> None:
    monkeypatch.setenv("LABEL_STUDIO_URL", label_studio.url)
    monkeypatch.setenv("LABEL_STUDIO_API_KEY", label_studio.api_key)
    monkeypatch.setenv("STANCEBANK_PSEUDONYM_KEY", "progress-key")
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    got = runner.invoke(app, ["studio", "progress", "--project", project_name, "--format", "json"])
    assert got.exit_code == 0, got.output
    body = json.loads(got.output)
    pseudo = Pseudonymizer(b"progress-key")
    names = {r["pseudonym"]: r for r in body["annotators"]}
    assert set(names) == {pseudo(f"ls:{scenario[x]}") for x in "abc"}
    assert names[pseudo(f"ls:{scenario['a']}")]["annotated"] == 3
    assert "@" not in got.output  # no e-mail anywhere
    html_file = tmp_path / "progress.html"
    made = runner.invoke(
        app, ["studio", "progress", "--project", project_name, "--format", "html", "--out", str(html_file)]
    )
    assert made.exit_code == 0, made.output
    page = html_file.read_text()
    assert "@" not in page and all(p in page for p in names)
    table = runner.invoke(app, ["studio", "progress", "--project", project_name], env={"COLUMNS": "200"})
    assert table.exit_code == 0 and "in review 1" in table.output


def _annotations(tasks: list[dict[str, Any]]) -> dict[int, list[tuple[int, int, str]]]:
    """Per task: its annotations (id, annotator, result) as an export has them."""
    return {
        int(t["id"]): sorted(
            (a["id"], a["completed_by"], json.dumps(a["result"], sort_keys=True)) for a in t["annotations"]
        )
        for t in tasks
    }


@pytest.mark.integration
def test_progress_updates_the_kept_snapshot_with_every_change(
    studio_client: StudioClient, project_name: str, scenario: dict[str, Any], tmp_path: Path
) -> None:
    pid = scenario["pid"]
    # the kept copy's time is the server's HTTP Date (whole seconds, rounded down): with no margin,
    # tasks changed in the second of a read are read again by the next run
    time.sleep(1.1)
    first = current_tasks(studio_client, pid, tmp_path, margin=timedelta(0))
    assert first.full and len(first.tasks) == 6
    pages = list(task_pages(studio_client, pid, page_size=4))  # pages of 4, 2, in task id order
    assert [len(p) for p in pages] == [4, 2] and [t for p in pages for t in p] == first.tasks
    unchanged = current_tasks(studio_client, pid, tmp_path, margin=timedelta(0))
    assert (unchanged.full, unchanged.changed) == (False, 0)
    assert _annotations(unchanged.tasks) == _annotations(first.tasks)

    # three changes through the API: a new annotation, an edited one, a deleted one
    tasks = {t["data"]["article_id"]: t for t in studio_client.iter_tasks(pid)}
    t1, t2, t5 = (int(tasks[f"art-{i:06d}"]["id"]) for i in (1, 2, 5))
    full1 = studio_client.get_json(f"/api/tasks/{t1}")["predictions"][0]["result"]
    [b_on_1] = [
        a
        for a in studio_client.get_json(f"/api/tasks/{t1}/annotations/")
        if a["completed_by"] == scenario["b"]
    ]
    studio_client.patch_json(f"/api/annotations/{b_on_1['id']}/", {"result": full1})
    [a_on_2] = studio_client.get_json(f"/api/tasks/{t2}/annotations/")
    studio_client.request("DELETE", f"/api/annotations/{a_on_2['id']}/")
    _post(studio_client, t5, scenario["c"], [], lead_time=8)

    updated = current_tasks(studio_client, pid, tmp_path, margin=timedelta(0))
    assert (updated.full, updated.changed) == (False, 3)
    fresh = json.loads(snapshot(studio_client, pid, predictions=False))
    assert _annotations(updated.tasks) == _annotations(fresh)
    who = lambda identity: _who(int(identity[3:]))  # noqa: E731
    kept = fetch_progress(studio_client, project_name, who, cache_dir=tmp_path).to_dict()
    whole = fetch_progress(studio_client, project_name, who, reuse=False).to_dict()
    for side in (kept, whole):  # the two were computed a moment apart
        side.pop("generated_at")
        side["project"].pop("eta")
    assert kept == whole
    assert kept["project"]["in_review"] == 0  # B now agrees with A on task 1

    # a deleted task: the kept copy no longer adds up, a whole snapshot is taken
    studio_client.request("DELETE", f"/api/tasks/{t5}/")
    after_delete = current_tasks(studio_client, pid, tmp_path, margin=timedelta(0))
    assert after_delete.full and len(after_delete.tasks) == 5


@pytest.mark.integration
def test_progress_with_part_of_the_tasks_overlapping_uses_each_tasks_overlap(
    studio_client: StudioClient, project_name: str, tmp_path: Path
) -> None:
    """Overlap 2 on half of the tasks: whether a task is labeled is Label Studio's (its own
    overlap), read with the tasks on a full read and listed on their own on an update."""
    tasks = make_tasks(4)
    pid = push(studio_client, tasks, project_name).project.id
    apply_overlap(studio_client, pid, 2, 50)
    suffix = project_name[-6:]
    ids, _ = ensure_annotators(studio_client, [f"qa-{suffix}"])
    states = task_states(studio_client, pid)
    assert sorted(s.overlap for s in states.values()) == [1, 1, 2, 2]
    for task in studio_client.iter_tasks(pid):
        full = studio_client.get_json(f"/api/tasks/{task['id']}")["predictions"][0]["result"]
        _post(studio_client, int(task["id"]), ids[f"qa-{suffix}"], full, lead_time=12)
    who = lambda identity: _who(int(identity[3:]))  # noqa: E731
    cold = fetch_progress(studio_client, project_name, who, reuse=False, cache_dir=tmp_path)
    p = cold.project
    assert (p.tasks, p.done, p.in_review, p.remaining, p.annotations_needed) == (4, 2, 0, 2, 2)
    assert {k: v.is_labeled for k, v in task_states(studio_client, pid).items()} == {
        k: v.overlap == 1 for k, v in states.items()
    }
    warm = fetch_progress(studio_client, project_name, who, cache_dir=tmp_path)
    for side in (cold, warm):
        side.generated_at = ""
        side.project.eta = None
    assert warm.to_dict() == cold.to_dict()
