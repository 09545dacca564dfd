"""An annotator's path through the real Label Studio UI with our generated config.

Article → ``stancebank tasks build`` → ``stancebank studio push`` → Chromium (log in, see the
pre-annotations, label with the mouse and hotkeys, draw and label relations, submit) →
``stancebank studio pull`` → ``stancebank export build`` → the gold spans are exactly the text the
browser selected, at code-point offsets, with their attributes and relations.

Needs Debian's Chromium; without it the test skips (``STANCEBANK_REQUIRE_BROWSER=1`` makes that a
failure, as in CI). Screenshots of the labeling screen are saved on failure to
``$STANCEBANK_ARTIFACTS_DIR`` (default: the test's tmp folder). The README's screenshot is taken
by test_browser_readable.py, on a busy pilot article.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
import unicodedata
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest
from browser.lsui import CHROMIUM, INSTALL_HINT, LabelingPage, Shown, open_labeling_page
from label_studio_sdk import LabelStudio
from playwright.sync_api import Page, expect, sync_playwright

from stancebank.schema.spec import SPEC

pytestmark = [pytest.mark.browser, pytest.mark.integration, pytest.mark.timeout(600)]

# Written for this test. Before the spans the annotator labels: an emoji with a variation selector,
# a flag (two regional indicators), and accents typed decomposed ("e" + U+0301 / U+0300) that the
# cleaner composes (NFC) — so UTF-16 and code-point offsets differ and must not be confused.
# The last paragraph carries no pre-annotation; a double space checks that spaces render as stored.
ARTICLE = (
    "Border talks stall in Gene\u0300ve \U0001f54a\ufe0f\n\n"
    "Kyiv \U0001f1fa\U0001f1e6 \u2014 Rene\u0301e Duval, a cafe\u0301 owner, "
    "watched the convoy pass on Tuesday.\n\n"
    "Foreign minister Anna Berg said on Tuesday that the ceasefire proposal was unacceptable.\n\n"
    "The farmers' union, in a statement, called the grain  quota an insult to growers.\n"
)
ACTOR_TEXT = "The farmers' union"
CLAIM_TEXT = "the grain  quota an insult to growers"
TARGET_TEXT = "the grain  quota"
ACTOR_TYPE = "organization"
ACTOR_NAME = "National Farmers' Union"
CLAIM_FORM = "indirect"
STANCE = "oppose"

ACTOR = SPEC.role_label("actor")
CLAIM = SPEC.role_label("claim")
TARGET = SPEC.role_label("target")
SOURCE = SPEC.attribution_labels[0].name
ACTOR_NAME_PLACEHOLDER = SPEC.attribute("actor_name").placeholder

SpanKey = tuple[str, int, int]


@dataclass
class GoldSpan:
    label: str
    start: int
    end: int
    text: str
    attributes: dict[str, str] = field(default_factory=dict)

    @property
    def key(self) -> SpanKey:
        return (self.label, self.start, self.end)


@pytest.fixture(scope="module")
def chromium() -> Path:
    if not CHROMIUM.exists():
        message = f"{CHROMIUM} is missing: install it with `{INSTALL_HINT}`"
        if os.environ.get("STANCEBANK_REQUIRE_BROWSER") == "1":
            pytest.fail(message + " (STANCEBANK_REQUIRE_BROWSER=1)")
        pytest.skip(message)
    return CHROMIUM


def run_cli(*args: str, env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run(
        [sys.executable, "-m", "stancebank.schema.cli", *args],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, (
        f"stancebank {' '.join(args)} exited {proc.returncode}:\n{proc.stdout}\n{proc.stderr}"
    )
    return proc


def predicted(task: dict[str, Any]) -> tuple[dict[str, GoldSpan], set[tuple[str, str, str]]]:
    """The task's pre-annotation: spans by region id (with attributes) and relations by id."""
    spans: dict[str, GoldSpan] = {}
    relations: set[tuple[str, str, str]] = set()
    for prediction in task.get("predictions", []):
        for r in prediction["result"]:
            if r["type"] == "relation":
                relations.update((r["from_id"], r["to_id"], label) for label in r["labels"])
                continue
            v = r["value"]
            span = spans.setdefault(r["id"], GoldSpan("", v["start"], v["end"], ""))
            if r["type"] == "labels":
                span.label, span.text = v["labels"][0], v["text"]
            elif r["type"] == "choices":
                span.attributes[r["from_name"]] = v["choices"][0]
            elif r["type"] == "textarea":
                span.attributes[r["from_name"]] = v["text"][0]
    return spans, relations


def read_gold(release: Path, article_id: str) -> tuple[list[GoldSpan], set[tuple[SpanKey, SpanKey, str]]]:
    rows = [
        row
        for path in sorted((release / "data" / "documents").glob("*.parquet"))
        for row in pq.read_table(path).to_pylist()
        if row["article_id"] == article_id
    ]
    assert len(rows) == 1, f"article {article_id} is in {len(rows)} gold rows of {release}"
    row = rows[0]
    spans: dict[str, GoldSpan] = {}
    for s in row["spans"]:
        attrs: dict[str, str] = {}
        for name, value in (s["attributes"] or {}).items():
            if value is None:
                continue
            attr = SPEC.attribute(name)
            attrs[name] = attr.choices[value] if attr.kind == "choice" else value
        spans[s["id"]] = GoldSpan(SPEC.span_label_names[s["label"]], s["start"], s["end"], s["text"], attrs)
    relations = {
        (spans[r["from_id"]].key, spans[r["to_id"]].key, SPEC.relation_label_names[r["label"]])
        for r in row["relations"]
    }
    return list(spans.values()), relations


@contextmanager
def screenshots_on_failure(page: Page, folder: Path) -> Iterator[None]:
    try:
        yield
    except BaseException:
        folder.mkdir(parents=True, exist_ok=True)
        shot = folder / f"labeling-failure-{time.strftime('%Y%m%d-%H%M%S')}.png"
        page.screenshot(path=str(shot), full_page=True)
        (folder / "labeling-failure.html").write_text(page.content(), encoding="utf-8")
        print(f"screenshot of the labeling screen: {shot}", file=sys.stderr)
        raise


def attribute_inputs(lp: LabelingPage) -> dict[str, Any]:
    """A locator per attribute widget, keyed by attribute name."""
    out: dict[str, Any] = {}
    for attr in SPEC.attributes:
        if attr.kind == "choice":
            out[attr.name] = lp.page.locator(f'input[name="{attr.choices[0]}"]')
        else:
            out[attr.name] = lp.text_input(attr.placeholder)
    return out


def expect_widgets_for(lp: LabelingPage, label: str | None) -> None:
    """Exactly the attribute widgets of ``label`` are visible (none when nothing is selected)."""
    for name, widget in attribute_inputs(lp).items():
        if label is not None and SPEC.attribute_owner(name).name == label:
            expect(widget, f"{name} while a {label} is selected").to_be_visible()
        else:
            expect(widget, f"{name} while {label or 'nothing'} is selected").to_be_hidden()


def test_annotator_labels_a_task_in_the_browser(
    chromium: Path, label_studio: Any, tmp_path: Path, repo_root: Path
) -> None:
    artifacts = Path(os.environ.get("STANCEBANK_ARTIFACTS_DIR", tmp_path / "artifacts"))
    env = {
        **os.environ,
        "LABEL_STUDIO_URL": label_studio.url,
        "LABEL_STUDIO_API_KEY": label_studio.api_key,
        "STANCEBANK_STUDIO_DIR": str(tmp_path / "studio-state"),
    }
    project = f"browser-{uuid.uuid4().hex[:8]}"

    # -- tasks build + studio push ---------------------------------------------------------------
    article = tmp_path / "farmers.txt"
    article.write_text(ARTICLE, encoding="utf-8")
    tasks_file = tmp_path / "tasks.json"
    run_cli("tasks", "build", str(article), "--out", str(tasks_file), env=env, cwd=tmp_path)
    [task] = json.loads(tasks_file.read_text(encoding="utf-8"))
    text: str = task["data"]["text"]
    article_id: str = task["data"]["article_id"]
    assert text == unicodedata.normalize("NFC", text) and "Renée" in text and "\U0001f1fa\U0001f1e6" in text
    assert len(text.encode("utf-16-le")) // 2 > len(text)  # offsets differ in UTF-16: the point
    pred_spans, pred_relations = predicted(task)
    assert pred_spans, "tasks build made no pre-annotation for the article; step 2 needs some"

    run_cli("studio", "push", str(tasks_file), "--project", project, env=env, cwd=tmp_path)
    ls = LabelStudio(base_url=label_studio.url, api_key=label_studio.api_key)
    [proj] = [p for p in ls.projects.list() if p.title == project]
    assert proj.id is not None
    [ls_task] = list(ls.tasks.list(project=proj.id))
    assert ls_task.id is not None

    mine = {
        role: GoldSpan(label, text.index(snippet), text.index(snippet) + len(snippet), snippet)
        for role, label, snippet in (
            ("actor", ACTOR, ACTOR_TEXT),
            ("claim", CLAIM, CLAIM_TEXT),
            ("target", TARGET, TARGET_TEXT),
        )
    }
    overlapping = {
        rid
        for rid, s in pred_spans.items()
        if any(s.start < m.end and m.start < s.end for m in mine.values())
    }

    started = time.monotonic()
    with sync_playwright() as pw:
        browser, lp = open_labeling_page(pw, label_studio.url)
        page = lp.page
        with screenshots_on_failure(page, artifacts):
            # 1. log in through the form and open the task's labeling page
            lp.login(label_studio.admin_email, label_studio.password)
            lp.open_task(proj.id, ls_task.id)
            assert lp.shown_text() == text, "the page does not show the task text as stored"

            # 2. the pre-annotations are shown as regions, at the predicted offsets
            for s in pred_spans.values():
                lp.wait_region(s.label, s.start, s.end)
            assert lp.regions() == sorted(Shown(s.label, s.start, s.end, s.text) for s in pred_spans.values())
            # spaces render as stored (pre-wrap): a double space is twice as wide as a single one
            double = text.index("  ")
            single = text.index(" ")
            width2 = lp.range_box(double, double + 2)
            width1 = lp.range_box(single, single + 1)
            assert width2["x1"] - width2["x0"] > 1.5 * (width1["x1"] - width1["x0"]), "spaces collapsed"

            # an annotator deletes machine guesses that sit where they will label
            for rid in sorted(overlapping):
                s = pred_spans.pop(rid)
                lp.select_region(s.start, s.end)
                lp.delete_selected_region()
                lp.wait_region(s.label, s.start, s.end, present=False)
            pred_relations = {r for r in pred_relations if r[0] in pred_spans and r[1] in pred_spans}

            # 4a. no attribute widget while nothing is selected
            expect_widgets_for(lp, None)

            # 4b. every hotkey from the spec switches its label on, and off again
            for label in SPEC.span_labels:
                page.keyboard.press(label.hotkey)
                lp.expect_label_active(label.name, True)
                page.keyboard.press(label.hotkey)
                lp.expect_label_active(label.name, False)

            # 3. label with the mouse: TARGET (picked by hotkey), ACTOR and CLAIM (picked by click)
            t, a, c = mine["target"], mine["actor"], mine["claim"]
            selected = {
                "target": lp.draw_region(TARGET, t.start, t.end, hotkey=SPEC.span_label(TARGET).hotkey),
                "actor": lp.draw_region(ACTOR, a.start, a.end),
                "claim": lp.draw_region(CLAIM, c.start, c.end),
            }

            lp.select_region(a.start, a.end)
            expect_widgets_for(lp, ACTOR)
            lp.set_choice(ACTOR_TYPE)
            lp.type_text(ACTOR_NAME_PLACEHOLDER, ACTOR_NAME)
            a.attributes = {"actor_type": ACTOR_TYPE, "actor_name": ACTOR_NAME}

            lp.select_region(c.start, c.end)
            expect_widgets_for(lp, CLAIM)
            lp.set_choice(CLAIM_FORM)
            c.attributes = {"claim_form": CLAIM_FORM}

            lp.select_region(t.start, t.end)
            expect_widgets_for(lp, TARGET)
            lp.unselect()
            expect_widgets_for(lp, None)

            # relations: source ACTOR → CLAIM, a stance CLAIM → TARGET, labeled in the Relations tab
            before = len(pred_relations)
            lp.draw_relation((c.start, c.end), (t.start, t.end))
            lp.draw_relation((a.start, a.end), (c.start, c.end))
            lp.unselect()
            lp.open_relations_tab()
            items = page.locator(".lsf-relations__item")
            expect(items).to_have_count(before + 2)
            expect(items.nth(before)).to_have_text(re.compile(rf"^\d+{CLAIM}\d+{TARGET}$"))
            expect(items.nth(before + 1)).to_have_text(re.compile(rf"^\d+{ACTOR}\d+{CLAIM}$"))
            lp.label_relation(before, STANCE)
            lp.label_relation(before + 1, SOURCE)

            shown = {(r.label, r.start, r.end): r.text for r in lp.regions()}
            for s in mine.values():
                assert shown.get(s.key) == s.text, f"{s.label} region shows {shown.get(s.key)!r}"

            saved = lp.submit()
            assert saved.get("id"), saved

            # 4c. the instructions panel shows the guidelines
            lp.open_instructions()
            for heading in ("stancebank annotation guidelines", f"Label reference (schema {SPEC.version})"):
                expect(page.get_by_role("heading", name=heading)).to_be_visible()
            page.keyboard.press("Escape")
        browser.close()
    browser_seconds = time.monotonic() - started

    # -- 5. studio pull + export build: gold is exactly what the browser selected -----------------
    exports = tmp_path / "exports"
    run_cli("studio", "pull", "--project", project, "--out", str(exports), env=env, cwd=tmp_path)
    [export_file] = sorted(exports.glob("*.json"))
    release = tmp_path / "release"
    run_cli(
        "export",
        "build",
        str(export_file),
        "--version",
        "0.1.0",
        "--out",
        str(release),
        "--registry",
        str(tmp_path / "split_registry.json"),
        "--review-out",
        str(tmp_path / "review"),
        env=env,
        cwd=tmp_path,
    )
    gold_spans, gold_relations = read_gold(release, article_id)
    for s in gold_spans:
        assert text[s.start : s.end] == s.text, f"gold {s.label} {s.start}..{s.end} is not its slice"

    expected = [*pred_spans.values(), *mine.values()]
    assert sorted((s.key, s.text, s.attributes) for s in gold_spans) == sorted(
        (s.key, s.text, s.attributes) for s in expected
    )
    gold_by_key = {s.key: s for s in gold_spans}
    for role, s in mine.items():
        assert gold_by_key[s.key].text == selected[role], f"gold {role} is not the browser's selection"
    by_pid = {rid: s.key for rid, s in pred_spans.items()}
    assert gold_relations == {(by_pid[f], by_pid[t_], lab) for f, t_, lab in pred_relations} | {
        (a.key, c.key, SOURCE),
        (c.key, t.key, STANCE),
    }
    print(f"browser flow: {browser_seconds:.1f} s")
