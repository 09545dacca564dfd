"""A pilot article with its pre-annotations is readable in Label Studio (issue 16, item 5).

The sample article ``data/raw/ceasefire_envoy.txt`` gets ~30 pre-annotated regions and ~20
relations from ``tasks build``. Label Studio draws every relation as an arrow with a label box just
above the regions it links, i.e. over the previous line of text. The test opens the article twice
in Chromium: in a project with stancebank's labeling config, and in one with the same config minus
its readability styles (Label Studio's default look). It measures, on the rendered page, how many
words of the text lie under a relation's label box, and checks that with our config

- every pre-annotated region and every relation is still drawn;
- far fewer words are covered (the lines are high enough for the arrows to run between them);
- relations are drawn faint at rest, so a word under one stays readable, and hovering a relation
  in the Relations tab still draws it in full and fades the others (Label Studio's highlight).

``STANCEBANK_SCREENSHOT_OUT=PATH`` saves the default view of the article with our config: the
README's screenshot (``.github/labeling-ui.png``).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from browser.lsui import CHROMIUM, INSTALL_HINT, LabelingPage, open_labeling_page
from playwright.sync_api import Page, sync_playwright

from stancebank.schema.label_config import LINE_HEIGHT, READABLE_STYLE, RELATION_OPACITY, build_label_config
from stancebank.tasks.studio.client import StudioClient
from stancebank.tasks.studio.sync import ensure_project, push

pytestmark = [pytest.mark.browser, pytest.mark.integration, pytest.mark.timeout(600)]

ARTICLE = "data/raw/ceasefire_envoy.txt"

# Words of the text (per text node, so a word split by a highlight counts once per piece) and the
# label boxes of the relations; a word is covered when one of its rectangles and a box overlap by
# at least MIN_PX both ways (a box touching a word's descender line by a pixel hides nothing).
_JS_COVERAGE = """() => {
  const MIN_PX = 3;
  const boxes = [...document.querySelectorAll('.relations-overlay g[id] g rect')]
    .map((r) => r.getBoundingClientRect());
  const words = [];
  for (const line of document.querySelectorAll('.lsf-richtext__line')) {
    const walker = document.createTreeWalker(line, NodeFilter.SHOW_TEXT);
    let node;
    while ((node = walker.nextNode())) {
      for (const m of node.data.matchAll(/\\S+/g)) {
        const range = document.createRange();
        range.setStart(node, m.index);
        range.setEnd(node, m.index + m[0].length);
        words.push([...range.getClientRects()]);
      }
    }
  }
  const meet = (a, b) => Math.min(a.right, b.right) - Math.max(a.left, b.left) >= MIN_PX
    && Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top) >= MIN_PX;
  const covered = words.filter((rs) => rs.some((w) => boxes.some((b) => meet(w, b)))).length;
  return {words: words.length, boxes: boxes.length, covered};
}"""

_JS_OPACITIES = """() => [...document.querySelectorAll('.relations-overlay g[id]')]
  .map((g) => Number(getComputedStyle(g).opacity))"""


def _relations(task: dict[str, Any]) -> int:
    return sum(1 for r in task["predictions"][0]["result"] if r["type"] == "relation")


def _regions(task: dict[str, Any]) -> set[tuple[str, int, int]]:
    return {
        (r["value"]["labels"][0], r["value"]["start"], r["value"]["end"])
        for r in task["predictions"][0]["result"]
        if r["type"] == "labels"
    }


def _open(lp: LabelingPage, project_id: int, task_id: int, task: dict[str, Any]) -> dict[str, int]:
    """Open the task, wait until every region and every relation is drawn; measure the coverage."""
    lp.open_task(project_id, task_id)
    for label, start, end in sorted(_regions(task)):
        lp.wait_region(label, start, end)
    lp.page.wait_for_function(
        "n => document.querySelectorAll('.relations-overlay g[id] g rect').length === n",
        arg=_relations(task),
    )
    coverage: dict[str, int] = lp.page.evaluate(_JS_COVERAGE)
    return coverage


def _line_height_ratio(page: Page) -> float:
    ratio: float = page.evaluate(
        """() => { const s = getComputedStyle(document.querySelector('.lsf-richtext__line'));
                   return parseFloat(s.lineHeight) / parseFloat(s.fontSize); }"""
    )
    return ratio


def test_a_pilot_article_with_its_pre_annotations_is_readable(
    label_studio: Any, studio_client: StudioClient, project_name: str, tmp_path: Path, repo_root: Path
) -> None:
    if not CHROMIUM.exists():
        pytest.skip(f"no Chromium at {CHROMIUM} ({INSTALL_HINT})")
    tasks_file = tmp_path / "tasks.json"
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "stancebank.schema.cli",
            "tasks",
            "build",
            str(repo_root / ARTICLE),
            "-o",
            str(tasks_file),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=tmp_path,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    [task] = json.loads(tasks_file.read_text(encoding="utf-8"))
    assert len(_regions(task)) >= 25 and _relations(task) >= 15, "the pilot article is not a busy one"

    ours = push(studio_client, [task], project_name).project.id
    config = build_label_config()
    assert READABLE_STYLE in config
    plain = ensure_project(
        studio_client, f"{project_name[:40]}-plain", label_config=config.replace(" " + READABLE_STYLE, "")
    ).id
    studio_client.post_json(f"/api/projects/{plain}/import", [task])
    task_ids = {pid: next(iter(studio_client.iter_tasks(pid)))["id"] for pid in (ours, plain)}

    artifacts = Path(os.environ.get("STANCEBANK_ARTIFACTS_DIR", tmp_path))
    with sync_playwright() as pw:
        browser, lp = open_labeling_page(pw, label_studio.url)
        page = lp.page
        try:
            lp.login(label_studio.admin_email, label_studio.password)
            before = _open(lp, plain, task_ids[plain], task)
            page.screenshot(path=str(artifacts / "readable-plain.png"))
            assert _line_height_ratio(page) < 2

            after = _open(lp, ours, task_ids[ours], task)
            page.screenshot(path=str(artifacts / "readable-ours.png"))
            shot = os.environ.get("STANCEBANK_SCREENSHOT_OUT")
            if shot:
                page.screenshot(path=shot)
            assert _line_height_ratio(page) == pytest.approx(LINE_HEIGHT, abs=0.05)
            # at rest every relation is drawn, and faint
            opacities = page.evaluate(_JS_OPACITIES)
            assert len(opacities) == _relations(task)
            assert all(o == pytest.approx(RELATION_OPACITY) for o in opacities), opacities
            # hovering a relation in the Relations tab draws it in full; the others fade
            lp.open_relations_tab()
            page.locator(".lsf-relations__item").nth(3).hover()
            page.wait_for_function(
                f"""() => {{ const o = ({_JS_OPACITIES})();
                     return o.filter((v) => v === 1).length === 1
                         && o.filter((v) => v < {RELATION_OPACITY}).length === o.length - 1; }}"""
            )
        finally:
            page.screenshot(path=str(artifacts / "readable-last.png"))
            browser.close()
    print(f"words under a relation label: Label Studio's default {before}, stancebank's config {after}")
    assert before["words"] == after["words"] and before["boxes"] == after["boxes"] == _relations(task)
    assert before["covered"] >= 10, before  # the problem is real on this article
    assert after["covered"] * 10 <= before["covered"], (before, after)
