"""The review loop on the real Label Studio: disagreement → build lists it → review project →
the reviewer submits → pull → build: the article is gold with the reviewer's annotation."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest
from sbtest.studio_fixtures import make_tasks
from sbtest.studio_session import Session
from typer.testing import CliRunner

from stancebank.export.agreement import AgreementReport
from stancebank.export.release import build_release
from stancebank.export.rows import Encoder
from stancebank.schema.cli import app
from stancebank.schema.model import Relation, Span
from stancebank.schema.spec import SPEC
from stancebank.schema.wire import to_results
from stancebank.tasks.studio.annotations import ensure_annotators
from stancebank.tasks.studio.client import StudioClient
from stancebank.tasks.studio.pull import pull
from stancebank.tasks.studio.review import review_title, send_review
from stancebank.tasks.studio.sync import push
from stancebank.tasks.studio.team import add_annotators

pytestmark = pytest.mark.integration


def _gold_docs(release: Path) -> dict[str, dict[str, Any]]:
    return {
        r["article_id"]: r
        for p in sorted(release.rglob("data/documents/*.parquet"))
        for r in pq.read_table(p).to_pylist()
    }


def test_review_loop_puts_the_reviewers_annotation_into_gold(
    label_studio, studio_client: StudioClient, project_name: str, tmp_path: Path, monkeypatch
) -> None:
    monkeypatch.setenv("STANCEBANK_PSEUDONYM_KEY", "review-key")
    tasks = make_tasks(3)
    pid = push(studio_client, tasks, project_name).project.id
    suffix = project_name[-6:]
    ids, _ = ensure_annotators(studio_client, [f"ra-{suffix}", f"rb-{suffix}"])
    a, b = ids[f"ra-{suffix}"], ids[f"rb-{suffix}"]
    by_article = {t["data"]["article_id"]: t["id"] for t in studio_client.iter_tasks(pid)}
    for i, task in enumerate(tasks):
        full = task["predictions"][0]["result"]
        tid = by_article[task["data"]["article_id"]]
        studio_client.post_json(f"/api/tasks/{tid}/annotations/", {"result": full, "completed_by": a})
        # task 1: annotator b drew only the actor → a tie on claim, target and relations
        theirs = (
            [r for r in full if r.get("type") == "labels" and r["value"]["labels"] == ["ACTOR"]]
            if i == 1
            else full
        )
        studio_client.post_json(f"/api/tasks/{tid}/annotations/", {"result": theirs, "completed_by": b})
    disputed = tasks[1]["data"]["article_id"]

    exports = tmp_path / "exports"
    first = pull(studio_client, project_name, exports).path
    registry = tmp_path / "registry.json"
    v1 = build_release([first], "1.0.0", tmp_path / "dist" / "v1", registry_path=registry)
    assert v1.pending_review == [disputed]
    assert disputed not in _gold_docs(tmp_path / "dist" / "v1")
    folder = tmp_path / "dist" / "v1.review"

    # review: one task, each annotator's version a prediction named by pseudonym, the disagreement in data
    sent = send_review(studio_client, project_name, folder)
    assert (sent.articles, sent.report.created) == (1, 1) and sent.title == review_title(project_name)
    review_pid = sent.report.project.id
    [review_task] = list(studio_client.iter_tasks(review_pid))
    assert review_task["data"]["article_id"] == disputed
    assert "span_tie" in review_task["data"]["stancebank_review"]
    # every version shares one model version, the review project's: a reviewer pressing "Label All
    # Tasks" gets both (Label Studio shows only the project's model version's predictions); whose
    # each is, in order, is in the review column
    preds = studio_client.get_json("/api/predictions/", params={"task": review_task["id"]})
    assert [p["model_version"] for p in preds] == ["stancebank-review"] * 2
    assert studio_client.get_json(f"/api/projects/{review_pid}")["model_version"] == "stancebank-review"
    [entry] = json.loads((folder / "adjudication.json").read_text())
    assert sorted(entry["versions"]) == sorted(entry["conflicts"][0]["votes"])
    assert review_task["data"]["stancebank_review"].startswith(
        f"versions: 1 {entry['versions'][0]}, 2 {entry['versions'][1]}\n"
    )
    [reviewer_account], _ = add_annotators(studio_client, [f"rv-{suffix}"])
    reviewer = Session(studio_client.url, reviewer_account.email, reviewer_account.password)
    try:
        streamed = reviewer.next_task(review_pid)
    finally:
        reviewer.close()
    assert streamed is not None and streamed["id"] == review_task["id"]
    assert len(streamed["predictions"]) == 2, [p["model_version"] for p in streamed["predictions"]]
    # re-running adds nothing twice (the CLI, as a lead runs it)
    monkeypatch.setenv("LABEL_STUDIO_URL", label_studio.url)
    monkeypatch.setenv("LABEL_STUDIO_API_KEY", label_studio.api_key)
    monkeypatch.chdir(tmp_path)
    again = CliRunner().invoke(app, ["studio", "review", "--project", project_name, "--from", str(folder)])
    assert again.exit_code == 0, again.output
    assert "new 0 · already there 1" in again.output
    # what it tells the lead is what the build does: the verdict decides the conflicting items
    said = " ".join(again.output.split())
    assert "the reviewer's annotation decides each article's conflicting items" in said
    assert "the items the annotators agreed on stay gold" in said
    assert len(list(studio_client.iter_tasks(review_pid))) == 1

    # `studio progress` (the CLI, which finds the review project by its default title): the
    # disputed article is in review until a verdict is submitted
    def progress() -> dict[str, Any]:
        shown = CliRunner().invoke(app, ["studio", "progress", "--project", project_name, "--format", "json"])
        assert shown.exit_code == 0, shown.output
        project: dict[str, Any] = json.loads(shown.output)["project"]
        return project

    assert {k: progress()[k] for k in ("done", "reviewed", "in_review")} == {
        "done": 2,
        "reviewed": 0,
        "in_review": 1,
    }

    # the reviewer submits their own version: the claim shortened, attributes set, a changed stance
    text = review_task["data"]["text"]
    actor = "Councillor Number1"
    claim = "the bridge plan 1 will cut"
    target = "the bridge plan"
    c0 = text.index(claim)
    spans = [
        Span("r-a", SPEC.role_label("actor"), 0, len(actor), actor, {"actor_type": "government"}),
        Span("r-c", SPEC.role_label("claim"), c0, c0 + len(claim), claim, {"claim_form": "indirect"}),
        Span("r-t", SPEC.role_label("target"), c0, c0 + len(target), target),
    ]
    stance = SPEC.stance_names[1]
    relations = [Relation("r-a", "r-c", SPEC.attribution_labels[0].name), Relation("r-c", "r-t", stance)]
    studio_client.post_json(
        f"/api/tasks/{review_task['id']}/annotations/", {"result": to_results(spans, relations)}
    )
    # now progress counts it done, settled by a reviewer (the audit: "done 1 · in review 4" after
    # three of five articles were adjudicated)
    after = progress()
    assert {k: after[k] for k in ("done", "reviewed", "in_review")} == {
        "done": 3,
        "reviewed": 1,
        "in_review": 0,
    }
    assert after["annotations"] == 6  # the annotators' two per article; the verdict is not one

    # next pull (both projects) + build: the article is gold with exactly the reviewer's annotation
    second = pull(studio_client, project_name, exports).path
    reviewed = pull(studio_client, sent.title, exports).path
    v2 = build_release(
        [first, second, reviewed],
        "1.1.0",
        tmp_path / "dist" / "v2",
        registry_path=registry,
        previous=tmp_path / "dist" / "v1",
    )
    assert v2.pending_review == []
    assert v2.methods["reviewer"] == 1 and v2.methods["ground_truth"] == 0  # counted apart on the card
    card = (tmp_path / "dist" / "v2" / "README.md").read_text()
    assert "| reviewer | 1 |" in card
    # the review predictions are annotators' versions, not a model that pre-annotated
    assert "Pre-annotations came from: `synthetic-1`." in card and "stancebank-review" not in card

    # the reviewer's verdict is not one more annotator: agreement over every annotated article is
    # the annotators' as in v1 (the gold subset grows by the reviewed article, as it should)
    def over_all(report: AgreementReport) -> dict[str, Any]:
        return {k: v for k, v in report.to_dict().items() if k != "gold"}

    assert over_all(v2.agreement) == over_all(v1.agreement)
    assert v2.agreement.gold is not None and v1.agreement.gold is not None
    assert (v1.agreement.gold.articles, v2.agreement.gold.articles) == (2, 3)
    doc = _gold_docs(tmp_path / "dist" / "v2")[disputed]
    got = sorted(
        (SPEC.span_label_names[s["label"]], s["start"], s["end"], s["text"], s["attributes"])
        for s in doc["spans"]
    )
    expected_attrs = {s.label: s.attributes for s in spans}
    assert [(g[0], g[1], g[2], g[3]) for g in got] == sorted((s.label, s.start, s.end, s.text) for s in spans)
    enc = Encoder(SPEC)
    for label, _, _, _, attrs in got:
        for name, value in expected_attrs[label].items():
            assert attrs[name] == enc.attribute(name, value), (label, name, attrs)
    by_id = {s["id"]: SPEC.span_label_names[s["label"]] for s in doc["spans"]}
    assert sorted(
        (by_id[r["from_id"]], by_id[r["to_id"]], SPEC.relation_label_names[r["label"]])
        for r in doc["relations"]
    ) == sorted([("ACTOR", "CLAIM", relations[0].label), ("CLAIM", "TARGET", stance)])
    # the other two articles stay as they were (majority)
    assert len(_gold_docs(tmp_path / "dist" / "v2")) == 3
