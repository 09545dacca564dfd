"""The progress page (`stancebank studio progress --format html`) in a real Chromium: it renders
from the file alone (no request leaves the page), its three charts are drawn, and the numbers it
shows are those of the JSON form."""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from browser.lsui import CHROMIUM, INSTALL_HINT, launch
from playwright.sync_api import sync_playwright
from sbtest.studio_fixtures import make_tasks

from stancebank.tasks.studio.progress import TaskState, compute_progress, render_html

pytestmark = [pytest.mark.browser, pytest.mark.timeout(300)]


def _export() -> tuple[list[dict[str, Any]], dict[int, TaskState]]:
    """Eight tasks over three days: users 1 and 2 share four (one in conflict), user 3 works alone."""
    start = datetime(2026, 11, 28, 9, tzinfo=UTC)
    tasks: list[dict[str, Any]] = []
    states: dict[int, TaskState] = {}
    for i, task in enumerate(make_tasks(8)):
        full = task["predictions"][0]["result"]
        anns = []
        if i < 4:
            second = [r for r in full if r.get("type") == "labels"][:1] if i == 3 else full
            anns = [(1, full, 30 + i), (2, second, 50 + 5 * i)]
        elif i < 7:
            anns = [(3, full, 90 + i)]
        annotations = [
            {
                "id": 100 * i + k,
                "completed_by": who,
                "result": result,
                "lead_time": lead,
                "was_cancelled": False,
                "created_at": (start + timedelta(days=i % 3, minutes=k)).isoformat(),
            }
            for k, (who, result, lead) in enumerate(anns)
        ]
        tasks.append({"id": i + 1, "data": task["data"], "annotations": annotations, "predictions": []})
        states[i + 1] = TaskState(is_labeled=len(anns) >= (2 if i < 4 else 1), overlap=2 if i < 4 else 1)
    return tasks, states


def test_progress_page_renders_offline_with_the_numbers_of_the_json(tmp_path: Path) -> None:
    if not CHROMIUM.exists():
        pytest.skip(f"no Chromium at {CHROMIUM} ({INSTALL_HINT})")
    tasks, states = _export()
    progress = compute_progress(
        "browser-progress",
        7,
        tasks,
        states,
        lambda who: f"annotator-{who[3:]}",
        now=datetime(2026, 12, 1, tzinfo=UTC),
    )
    expected = json.loads(json.dumps(progress.to_dict()))
    page_file = tmp_path / "progress.html"
    page_file.write_text(render_html(progress), encoding="utf-8")
    requests: list[str] = []
    with sync_playwright() as pw:
        browser = launch(pw)
        try:
            page = browser.new_page(viewport={"width": 1100, "height": 1400})
            page.on("request", lambda r: requests.append(r.url))
            page.goto(page_file.as_uri())
            page.screenshot(
                path=str(Path(os.environ.get("STANCEBANK_ARTIFACTS_DIR", tmp_path)) / "progress.png"),
                full_page=True,
            )
            svgs = page.locator("svg")
            assert svgs.count() == 3
            for k in range(3):
                box = svgs.nth(k).bounding_box()
                assert box is not None and box["width"] > 300 and box["height"] > 50
            # the timeline has one point per day, the bar charts one bar per value
            assert page.locator("svg").nth(0).locator("circle").count() == len(expected["timeline"])
            summary = {
                cell.get_attribute("data-summary"): cell.inner_text()
                for cell in page.locator("td[data-summary]").all()
            }
            project = expected["project"]
            for key, field in (("done", "done"), ("in review", "in_review"), ("remaining", "remaining")):
                assert summary[key] == str(project[field])
            rows = page.locator("table#annotators tr").all()[1:]
            shown = {
                row.locator('td[data-field="pseudonym"]').inner_text(): {
                    f: row.locator(f'td[data-field="{f}"]').inner_text()
                    for f in ("annotated", "waiting_review", "lead_time_median", "agreement_span_f1")
                }
                for row in rows
            }
            for a in expected["annotators"]:
                got = shown[a["pseudonym"]]
                assert got["annotated"] == str(a["annotated"])
                assert got["waiting_review"] == str(a["waiting_review"])
                assert got["lead_time_median"] == f"{a['lead_time_median']:.2f}"
                span_f1 = a["agreement_span_f1"]
                assert got["agreement_span_f1"] == ("–" if span_f1 is None else f"{span_f1:.3f}")
            embedded = json.loads(page.locator("#progress-data").text_content() or "{}")
            assert embedded == expected
        finally:
            browser.close()
    assert [u for u in requests if not u.startswith("file://")] == []
    # what the test built, in numbers: 4 shared tasks (1 in conflict), 3 single ones, 1 untouched
    assert (project["done"], project["in_review"], project["remaining"]) == (6, 1, 1)
