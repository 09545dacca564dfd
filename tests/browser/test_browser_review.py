"""The review loop through the real Label Studio UI: a reviewer opens the review task that
`stancebank studio review` made, keeps a span of an annotator's version, fixes another, sets an
attribute, draws and labels the relations and submits; `studio pull` + `export build` then put
exactly that into gold (spans to the code point, relations, attributes). Issue 16, item 4."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest
from browser.lsui import CHROMIUM, INSTALL_HINT, open_labeling_page
from playwright.sync_api import expect, sync_playwright
from sbtest.studio_fixtures import make_tasks

from stancebank.export.pseudonym import Pseudonymizer, load_key
from stancebank.export.release import build_release
from stancebank.export.rows import Encoder
from stancebank.schema.spec import SPEC
from stancebank.tasks.studio.annotations import ensure_annotators
from stancebank.tasks.studio.client import StudioClient
from stancebank.tasks.studio.pull import pull
from stancebank.tasks.studio.review import send_review
from stancebank.tasks.studio.sync import push

pytestmark = [pytest.mark.browser, pytest.mark.integration, pytest.mark.timeout(600)]

ACTOR, CLAIM, TARGET = (SPEC.role_label(r) for r in ("actor", "claim", "target"))
SOURCE = SPEC.attribution_labels[0].name
STANCE = "oppose"


def test_reviewer_fixes_a_version_in_the_browser_and_it_becomes_gold(
    label_studio: Any, studio_client: StudioClient, project_name: str, tmp_path: Path, monkeypatch
) -> None:
    if not CHROMIUM.exists():
        pytest.skip(f"no Chromium at {CHROMIUM} ({INSTALL_HINT})")
    monkeypatch.setenv("STANCEBANK_PSEUDONYM_KEY", "browser-review-key")
    tasks = make_tasks(2)
    pid = push(studio_client, tasks, project_name).project.id
    suffix = project_name[-6:]
    ids, _ = ensure_annotators(studio_client, [f"ba-{suffix}", f"bb-{suffix}"])
    by_article = {t["data"]["article_id"]: t["id"] for t in studio_client.iter_tasks(pid)}
    for i, task in enumerate(tasks):
        full = task["predictions"][0]["result"]
        tid = by_article[task["data"]["article_id"]]
        actor_only = [r for r in full if r.get("type") == "labels" and r["value"]["labels"] == [ACTOR]]
        for who, result in (  # on the disputed task the first version (shown first) has the actor only
            (ids[f"ba-{suffix}"], actor_only if i == 1 else full),
            (ids[f"bb-{suffix}"], full),
        ):
            studio_client.post_json(f"/api/tasks/{tid}/annotations/", {"result": result, "completed_by": who})
    disputed = tasks[1]["data"]["article_id"]
    exports = tmp_path / "exports"
    first = pull(studio_client, project_name, exports).path
    registry = tmp_path / "registry.json"
    build_release([first], "1.0.0", tmp_path / "v1", registry_path=registry)
    sent = send_review(studio_client, project_name, tmp_path / "v1.review")
    [review_task] = list(studio_client.iter_tasks(sent.report.project.id))
    text: str = review_task["data"]["text"]

    # whose version each prediction is, in the order the screen shows them: the column's first line
    first_line = review_task["data"]["stancebank_review"].split("\n")[0]
    column_order = [part.split(" ", 1)[1] for part in first_line.removeprefix("versions: ").split(", ")]
    pseudonym = Pseudonymizer(load_key())
    full_by = ids[f"bb-{suffix}"]  # drew the claim; ba drew only the actor
    assert sorted(column_order) == sorted(pseudonym(f"ls:{ids[n]}") for n in (f"ba-{suffix}", f"bb-{suffix}"))
    annotators_claim = "the bridge plan 1 will cut traffic"
    full_claim = (text.index(annotators_claim), text.index(annotators_claim) + len(annotators_claim))

    actor = "Councillor Number1"
    claim = "the bridge plan 1 will cut"  # the annotators' claim ran to "... will cut traffic"
    target = "the bridge plan"
    a0, c0 = text.index(actor), text.index(claim)
    artifacts = Path(os.environ.get("STANCEBANK_ARTIFACTS_DIR", tmp_path))
    with sync_playwright() as pw:
        browser, lp = open_labeling_page(pw, label_studio.url)
        page = lp.page
        try:
            lp.login(label_studio.admin_email, label_studio.password)
            lp.open_task(sent.report.project.id, review_task["id"])
            # one annotator's version is shown to start from; both keep the ACTOR
            lp.wait_region(ACTOR, a0, a0 + len(actor))
            shown = {(r.label, r.start, r.end) for r in lp.regions()}
            # accept the ACTOR, set its attribute
            lp.select_region(a0, a0 + len(actor))
            lp.set_choice("organization")
            lp.unselect()
            # fix the CLAIM: the version's one (if shown) goes, a shorter one is drawn
            for label, start, end in sorted(shown):
                if label == CLAIM:
                    lp.select_region(start, end)
                    lp.delete_selected_region()
                    lp.wait_region(CLAIM, start, end, present=False)
            if (TARGET, c0, c0 + len(target)) not in shown:
                lp.draw_region(TARGET, c0, c0 + len(target))
            lp.draw_region(CLAIM, c0, c0 + len(claim))
            # the claim's relations went with the deleted claim: the reviewer draws them again
            lp.unselect()
            lp.open_relations_tab()
            before = page.locator(".lsf-relations__item").count()
            lp.draw_relation((a0, a0 + len(actor)), (c0, c0 + len(claim)))
            lp.draw_relation((c0, c0 + len(claim)), (c0, c0 + len(target)))
            lp.unselect()
            lp.open_relations_tab()
            expect(page.locator(".lsf-relations__item")).to_have_count(before + 2)
            lp.label_relation(before, SOURCE)
            lp.label_relation(before + 1, STANCE)
            final = sorted((r.label, r.start, r.end, r.text) for r in lp.regions())
            saved = lp.submit()
            assert saved.get("id"), saved

            # every annotator's version is a prediction tab, left to right in the order the task's
            # review column names them (Label Studio lists predictions newest first)
            tabs = page.get_by_text(re.compile(r"^stanceba.*review$"))
            expect(tabs).to_have_count(2)
            for k, who in enumerate(column_order):
                tabs.nth(k).click()
                lp.wait_region(CLAIM, full_claim[0], full_claim[1], present=who == pseudonym(f"ls:{full_by}"))
                lp.wait_region(ACTOR, a0, a0 + len(actor))
        finally:
            page.screenshot(path=str(artifacts / "review.png"))
            browser.close()
    assert final == sorted(
        [
            (ACTOR, a0, a0 + len(actor), actor),
            (CLAIM, c0, c0 + len(claim), claim),
            (TARGET, c0, c0 + len(target), target),
        ]
    )

    second = pull(studio_client, project_name, exports).path
    reviewed = pull(studio_client, sent.title, exports).path
    v2 = build_release(
        [first, second, reviewed], "1.1.0", tmp_path / "v2", registry_path=registry, previous=tmp_path / "v1"
    )
    assert v2.methods.get("reviewer") == 1 and v2.pending_review == []
    docs = {
        r["article_id"]: r
        for p in (tmp_path / "v2").rglob("data/documents/*.parquet")
        for r in pq.read_table(p).to_pylist()
    }
    gold = docs[disputed]
    got = sorted((SPEC.span_label_names[s["label"]], s["start"], s["end"], s["text"]) for s in gold["spans"])
    assert got == final  # exact to the code point
    key = {s["id"]: (SPEC.span_label_names[s["label"]], s["start"], s["end"]) for s in gold["spans"]}
    relations = {
        (key[r["from_id"]], key[r["to_id"]], SPEC.relation_label_names[r["label"]]) for r in gold["relations"]
    }
    a_key, c_key, t_key = (
        (ACTOR, a0, a0 + len(actor)),
        (CLAIM, c0, c0 + len(claim)),
        (TARGET, c0, c0 + len(target)),
    )
    assert relations == {(a_key, c_key, SOURCE), (c_key, t_key, STANCE)}, relations
    actor_row = next(s for s in gold["spans"] if SPEC.span_label_names[s["label"]] == ACTOR)
    assert actor_row["attributes"]["actor_type"] == Encoder(SPEC).attribute("actor_type", "organization")
