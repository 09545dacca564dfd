"""Titles come from the cleaned text, and page furniture above the article goes: navigation lines,
section labels, headings repeated by the page (issue 14, "Real articles show more"). The texts are
written for these tests in the shapes scraped news pages have."""

from __future__ import annotations

from pathlib import Path

from stancebank.tasks.build import BuildOptions, build_tasks
from stancebank.tasks.clean import clean

BODY = (
    "The city council postponed its vote on the tram extension for the third time on Tuesday, "
    "citing unresolved questions about the depot.\n\n"
    "Councillor Ruth Ames said the delay would cost the city more than the depot itself.\n"
)
SKIP_LINK_PAGE = (
    "Skip to content\n\n"
    "City Hall Delays Tram Vote Again\n\n"
    "Live Updates: Tram Expansion\n\n"
    "Council Postpones Tram Decision: Residents Frustrated\n"
    "Council Postpones Tram Decision: Residents Frustrated\n\n"
    "City Hall Delays Tram Vote Again\n\n" + BODY
)
BREADCRUMB_PAGE = (
    "Home LOCAL NEWS Mayor admits tram budget cannot cover the new depot\n\n"
    "Mayor admits tram budget cannot cover the new depot\n\n" + BODY + "\nTram extension latest\n\n"
    "The mayor told reporters on Wednesday that a smaller depot was still an option for the city.\n"
)


def _build(tmp_path: Path, pages: dict[str, str]) -> dict[str, dict[str, object]]:
    src = tmp_path / "in"
    src.mkdir()
    for name, text in pages.items():
        (src / name).write_text(text, "utf-8")
    result = build_tasks([src], BuildOptions(preannotate=False))
    assert not result.rejects
    return {Path(str(t["data"]["stancebank"]["origin_file"])).name: dict(t["data"]) for t in result.tasks}


def test_the_title_is_the_first_line_after_cleaning(tmp_path: Path) -> None:
    built = _build(
        tmp_path, {"a.txt": SKIP_LINK_PAGE, "b.txt": BREADCRUMB_PAGE, "c.txt": "Plain headline\n\n" + BODY}
    )
    assert built["a.txt"]["title"] == "City Hall Delays Tram Vote Again"
    assert built["b.txt"]["title"] == "Mayor admits tram budget cannot cover the new depot"
    assert built["c.txt"]["title"] == "Plain headline"
    for data in built.values():
        assert str(data["text"]).startswith(str(data["title"]) + "\n\n")


def test_section_labels_and_repeated_headings_above_the_article_are_removed() -> None:
    out = clean(SKIP_LINK_PAGE)
    assert out.text == "City Hall Delays Tram Vote Again\n\n" + BODY.rstrip("\n")
    assert [(r.rule, r.text) for r in out.removed] == [
        ("skip-link", "Skip to content"),
        ("section-label", "Live Updates: Tram Expansion"),
        ("repeated-heading", "Council Postpones Tram Decision: Residents Frustrated"),
        ("repeated-heading", "Council Postpones Tram Decision: Residents Frustrated"),
        ("repeated-headline", "City Hall Delays Tram Vote Again"),
    ]
    assert "Tram extension latest" not in clean(BREADCRUMB_PAGE).text


def test_a_heading_repeated_inside_the_article_is_not_a_page_heading() -> None:
    """Only the lines above the first paragraph are page furniture; the article's own text stays."""
    text = (
        "Headline\n\n"
        + BODY
        + "\nDepot costs\n\nThe depot is expensive, the report says in its summary.\n\nDepot costs\n"
    )
    out = clean(text)
    assert out.text.count("Depot costs") == 2  # two words: not even a repeated line
    assert all(r.rule != "repeated-heading" for r in out.removed)
