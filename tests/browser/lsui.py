"""Driving Label Studio 1.23's labeling UI with Playwright, the way an annotator does.

Everything goes through the mouse and keyboard on the rendered page: labels are picked by clicking
them (or by their hotkey), text is selected by dragging the mouse over the characters, attributes
are set in the per-region panels, relations are drawn with "Create Relation" and labeled in the
Relations tab. Waits are explicit (a selector, a response, a state); nothing sleeps.

Offsets are Unicode code points, as Label Studio stores them and as our text contract says.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from playwright.sync_api import Browser, Locator, Page, Playwright, Route, expect

CHROMIUM = Path("/usr/bin/chromium")
INSTALL_HINT = "apt-get install chromium fonts-noto-color-emoji"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]
LOCAL_HOSTS = {"127.0.0.1", "localhost"}
TIMEOUT_MS = 60_000
# Label Studio's text tag takes two mouse-ups within ~450 ms for a double-click (and, after
# "Create Relation", links the region to itself). A person's clicks are slower than that; ours
# are paced to be, too. This is input pacing, not a wait for the page: every state is awaited.
DOUBLE_CLICK_MS = 500  # the machine is shared; Label Studio's first page load can be slow

# Code-point offsets [start, end) in the task text → viewport rectangles of the first and last
# character. The text is rendered as one `.lsf-richtext__line` per line (split on "\n"); the
# highlights of regions are nested spans inside a line, so we walk its text nodes.
_JS_RANGE_BOX = """([start, end]) => {
  const lines = [...document.querySelectorAll('.lsf-richtext__line')];
  const locate = (line, k) => {
    const walker = document.createTreeWalker(line, NodeFilter.SHOW_TEXT);
    let node, seen = 0;
    while ((node = walker.nextNode())) {
      const cps = Array.from(node.data);
      if (k <= seen + cps.length) return [node, cps.slice(0, k - seen).join('').length];
      seen += cps.length;
    }
    return null;
  };
  let offset = 0;
  for (const line of lines) {
    const length = Array.from(line.textContent).length;
    if (start >= offset && end <= offset + length) {
      const a = locate(line, start - offset), b = locate(line, end - offset);
      const range = document.createRange();
      range.setStart(a[0], a[1]);
      range.setEnd(b[0], b[1]);
      const rects = [...range.getClientRects()].filter((r) => r.width > 0);
      const first = rects[0], last = rects[rects.length - 1];
      return {x0: first.left, y0: first.top + first.height / 2,
              x1: last.right, y1: last.top + last.height / 2, text: range.toString()};
    }
    offset += length + 1;
  }
  return null;
}"""

# Regions as shown. A region that contains another one is rendered in pieces (one span before the
# inner region, one after, …) sharing a ``htx-highlight-<id>-<n>`` class: the first piece carries
# ``data-start``, the last ``data-end``, one of them ``data-label``.
_JS_REGIONS = """() => {
  const groups = new Map();
  for (const el of document.querySelectorAll('.htx-highlight')) {
    const key = [...el.classList].find((c) => /^htx-highlight-.+/.test(c));
    if (!groups.has(key)) groups.set(key, []);
    groups.get(key).push(el);
  }
  return [...groups.entries()].map(([key, els]) => {
    const own = els.filter((e) => !els.some((o) => o !== e && o.contains(e)));
    const pick = (name) => els.map((e) => e.dataset[name]).find((v) => v !== undefined);
    return {key, index: Number(pick('index')), label: (pick('label') || '').replace(/^\\d+:/, ''),
            start: Number(pick('start')), end: Number(pick('end')),
            text: own.map((e) => e.textContent).join('')};
  });
}"""


@dataclass(frozen=True, order=True)
class Shown:
    """A region as the page shows it."""

    label: str
    start: int
    end: int
    text: str
    key: str = field(default="", compare=False)
    index: int = field(default=0, compare=False)  # the number shown in the Regions list


def launch(pw: Playwright) -> Browser:
    return pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)


def open_labeling_page(pw: Playwright, base_url: str) -> tuple[Browser, LabelingPage]:
    """Chromium with one 1400×900 page that reaches only this machine, wrapped for labeling."""
    browser = launch(pw)
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    context.route("**/*", local_only)
    return browser, LabelingPage(context.new_page(), base_url)


def local_only(route: Route) -> None:
    """Abort every request that is not to this machine (the UI calls analytics/error CDNs)."""
    if urlparse(route.request.url).hostname in LOCAL_HOSTS:
        route.continue_()
    else:
        route.abort()


class LabelingPage:
    def __init__(self, page: Page, base_url: str) -> None:
        self.page = page
        self.base_url = base_url.rstrip("/")
        self._last_mouse_up = 0.0
        page.set_default_timeout(TIMEOUT_MS)

    def _clicked(self) -> None:
        self._last_mouse_up = time.monotonic()

    def _outside_double_click_window(self) -> None:
        """Pace the next mouse-down in the text like a person (see DOUBLE_CLICK_MS)."""
        remaining_ms = DOUBLE_CLICK_MS - (time.monotonic() - self._last_mouse_up) * 1000
        if remaining_ms > 0:
            self.page.wait_for_timeout(remaining_ms)

    # -- navigation ------------------------------------------------------------------------------
    def login(self, email: str, password: str) -> None:
        page = self.page
        page.goto(f"{self.base_url}/user/login/")
        page.locator('input[name="email"]').fill(email)
        page.locator('input[name="password"]').fill(password)
        with page.expect_response(lambda r: "/user/login" in r.url and r.request.method == "POST") as resp:
            page.locator('button[type="submit"], input[type="submit"]').first.click()
        assert resp.value.status == 302, f"login POST answered {resp.value.status}, not a redirect"
        page.wait_for_url(lambda url: "/user/login" not in url)

    def open_task(self, project_id: int, task_id: int) -> None:
        """Open the project's task list and click the task, as an annotator does.

        (Going straight to ``/data?task=ID`` on a project's very first visit races with the data
        manager creating its default view: Label Studio 1.23 then shows the task without its
        predictions.)"""
        page = self.page
        page.goto(f"{self.base_url}/projects/{project_id}/data")
        row = page.locator(".lsf-table__row-wrapper").filter(has=page.get_by_text(str(task_id), exact=True))
        row.first.click()
        page.wait_for_url(lambda url: f"task={task_id}" in url)
        page.locator(".lsf-richtext__line").first.wait_for()

    # -- reading ---------------------------------------------------------------------------------
    def shown_text(self) -> str:
        """The task text as rendered (lines joined by the newlines they were split on)."""
        lines: list[str] = self.page.locator(".lsf-richtext__line").evaluate_all(
            "els => els.map((e) => e.textContent)"
        )
        return "\n".join(lines)

    def regions(self) -> list[Shown]:
        raw: list[dict[str, Any]] = self.page.evaluate(_JS_REGIONS)
        return sorted(Shown(**r) for r in raw)

    def find_region(self, start: int, end: int) -> Shown | None:
        found = [r for r in self.regions() if (r.start, r.end) == (start, end)]
        assert len(found) <= 1, f"several regions at {start}..{end}: {found}"
        return found[0] if found else None

    def wait_region(self, label: str, start: int, end: int, present: bool = True) -> None:
        """Wait until a region ``label`` at ``start..end`` is shown (or gone)."""
        self.page.wait_for_function(
            f"""([label, start, end, present]) => ({_JS_REGIONS})().some(
                  (r) => r.label === label && r.start === start && r.end === end) === present""",
            arg=[label, start, end, present],
        )

    def click_region(self, start: int, end: int) -> None:
        """Click a region's text at a character that no region nested in it covers."""
        others = [
            r
            for r in self.regions()
            if start <= r.start and r.end <= end and (r.start, r.end) != (start, end)
        ]
        free = [k for k in range(start, end) if not any(r.start <= k < r.end for r in others)]
        assert free, f"every character of the region at {start}..{end} is in a nested region"
        k = free[len(free) // 2]
        box = self.range_box(k, k + 1)
        self._outside_double_click_window()
        self.page.mouse.click((box["x0"] + box["x1"]) / 2, box["y0"])
        self._clicked()

    def highlight(self, start: int, end: int) -> Locator:
        """The region's last piece (outside any region nested in it), to click on."""
        region = self.find_region(start, end)
        assert region is not None, f"no region is shown at {start}..{end}"
        return self.page.locator(f".{region.key}").last

    # -- labels and selection ----------------------------------------------------------------------
    def label_button(self, name: str) -> Locator:
        return self.page.locator(".lsf-label", has_text=name).first

    def expect_label_active(self, name: str, active: bool) -> None:
        cls = "lsf-label_selected"
        button = self.label_button(name)
        if active:
            expect(button).to_have_class(_contains(cls))
        else:
            expect(button).not_to_have_class(_contains(cls))

    def range_box(self, start: int, end: int) -> dict[str, Any]:
        box: dict[str, Any] | None = self.page.evaluate(_JS_RANGE_BOX, [start, end])
        assert box is not None, f"offsets {start}..{end} are not inside one rendered line"
        return box

    def drag_select(self, start: int, end: int) -> str:
        """Select text[start:end] with the mouse; returns what the browser had selected at mouse-up
        (recorded in the capture phase, before Label Studio turns the selection into a region)."""
        box = self.range_box(start, end)
        self.page.evaluate(
            """() => document.addEventListener('mouseup',
                 () => { window.__sbSelection = window.getSelection().toString(); },
                 {capture: true, once: true})"""
        )
        mouse = self.page.mouse
        self._outside_double_click_window()
        mouse.move(box["x0"] + 1, box["y0"])
        mouse.down()
        mouse.move(box["x1"] - 1, box["y1"], steps=8)
        mouse.up()
        self._clicked()
        return str(self.page.evaluate("() => window.__sbSelection"))

    def draw_region(self, label: str, start: int, end: int, *, hotkey: str | None = None) -> str:
        """Pick the label (click, or its hotkey), drag over the text, wait for the region.

        Returns the text the browser selected."""
        if hotkey is None:
            self.label_button(label).click()
            self._clicked()
        else:
            self.page.keyboard.press(hotkey)
        self.expect_label_active(label, True)
        selected = self.drag_select(start, end)
        self.wait_region(label, start, end)
        return selected

    def region_item(self, start: int, end: int) -> Locator:
        """The region's item in the Regions list."""
        region = self.find_region(start, end)
        assert region is not None, f"no region is shown at {start}..{end}"
        self.open_regions_tab()
        name = re.compile(rf"^{region.index} {re.escape(region.label)}\b")
        return self.page.get_by_role("treeitem", name=name)

    def select_region(self, start: int, end: int) -> None:
        """Select a region by clicking it in the Regions list.

        (Clicking it in the text right after drawing a region is taken for a double-click:
        Label Studio counts two mouse-ups within ~450 ms as one.)"""
        self.unselect()  # clicking the list item of a selected region would unselect it
        item = self.region_item(start, end)
        self._outside_double_click_window()
        item.click()
        self._clicked()
        expect(self.page.locator('button[aria-label="Create Relation"]')).to_be_visible()

    def open_regions_tab(self) -> None:
        # (once the other tab was opened, a hidden drop-zone element matches too)
        self.page.locator(".lsf-panel-tabs__tab:visible", has_text="Regions").first.click()

    def unselect(self) -> None:
        """Unselect the selected region, if any, by clicking its item in the Regions list."""
        create_relation = self.page.locator('button[aria-label="Create Relation"]')
        if create_relation.count():
            self.open_regions_tab()
            self.page.locator(".lsf-tree-treenode-selected").click()
        expect(self.page.locator('button[aria-label="Create Relation"]')).to_have_count(0)

    def delete_selected_region(self) -> None:
        self.page.locator('button[aria-label="Delete selected region"]').click()

    # -- per-region attributes ---------------------------------------------------------------------
    def choice(self, value: str) -> Locator:
        return self.page.locator(
            "label.lsf-choice__checkbox", has=self.page.locator(f'input[name="{value}"]')
        )

    def set_choice(self, value: str) -> None:
        self.choice(value).click()
        expect(self.page.locator(f'input[name="{value}"]')).to_be_checked()

    def text_input(self, placeholder: str) -> Locator:
        return self.page.get_by_placeholder(placeholder)

    def type_text(self, placeholder: str, value: str) -> None:
        box = self.text_input(placeholder)
        box.click()
        box.press_sequentially(value)
        box.press("Enter")
        expect(
            self.page.locator(".lsf-text-area, .lsf-textarea").get_by_text(value, exact=True).first
        ).to_be_visible()

    # -- relations ---------------------------------------------------------------------------------
    def draw_relation(self, from_: tuple[int, int], to: tuple[int, int]) -> None:
        self.select_region(*from_)
        self._outside_double_click_window()
        self.page.locator('button[aria-label="Create Relation"]').click()
        self._clicked()
        item = self.region_item(*to)
        self._outside_double_click_window()
        item.click()
        self._clicked()

    def open_relations_tab(self) -> None:
        self.page.locator(".lsf-panel-tabs__tab:visible", has_text="Relations").first.click()

    def label_relation(self, index: int, label: str) -> None:
        """Give the ``index``-th relation of the Relations tab its label."""
        item = self.page.locator(".lsf-relations__item").nth(index)
        item.hover()
        item.locator('button[aria-label="Show Relation Labels"]').click()
        meta = item.locator(".lsf-relation-meta")
        meta.locator('[data-testid^="select-trigger"]').click()
        self.page.get_by_role("option", name=label, exact=True).click()
        self.page.keyboard.press("Escape")
        expect(meta).to_contain_text(label)

    # -- saving ------------------------------------------------------------------------------------
    def submit(self) -> dict[str, Any]:
        page = self.page
        with page.expect_response(lambda r: "/annotations" in r.url and r.request.method == "POST") as resp:
            page.locator('[data-testid="bottombar-submit-button"]').click()
        assert resp.value.status == 201, f"annotation POST answered {resp.value.status}: {resp.value.text()}"
        update = page.locator(
            '[data-testid="bottombar-update-button"], button[aria-label="Update current annotation"]'
        )
        expect(update.first).to_be_visible(timeout=TIMEOUT_MS)  # the shared machine can be slow
        body: dict[str, Any] = resp.value.json()
        return body

    # -- instructions ------------------------------------------------------------------------------
    def open_instructions(self) -> None:
        self.page.get_by_role("button", name="Instructions").click()


def _contains(cls: str) -> re.Pattern[str]:
    return re.compile(rf"(^|\s){re.escape(cls)}(\s|$)")
