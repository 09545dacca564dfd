"""Article identity and duplicates: ids, exact duplicates, near-duplicates by the shared rule."""

from __future__ import annotations

from stancebank.schema.neardup import is_near_duplicate, sketch
from stancebank.tasks.identity import DuplicateIndex, derive_article_id, text_sha256

STORY = " ".join(
    f"Paragraph {i}: the harbour council debated ferry fares, timetable number {i * 7} and the pier."
    for i in range(30)
)


def test_article_id_is_given_or_from_the_text() -> None:
    assert derive_article_id("  a-1 ", "text") == "a-1"
    assert derive_article_id(None, "text") == "sb-" + text_sha256("text")[:16]
    assert derive_article_id(" ", "text", "ab" * 32) == "sb-" + "ab" * 8


def test_duplicate_index_finds_exact_and_near_duplicates() -> None:
    index = DuplicateIndex()
    index.add("a", "ha", sketch([STORY]))
    near = STORY.replace("number 14 ", "number 15 ")
    found = index.near(sketch([near]))
    assert found is not None and found[0] == "a" and found[1] >= 0.9
    assert is_near_duplicate(STORY, near)  # the index follows the shared pair rule
    half = STORY[: len(STORY) // 2]
    assert index.near(sketch([half])) is None and not is_near_duplicate(STORY, half)
    assert index.exact("a", "zz") == "a" and index.exact("b", "ha") == "a" and index.exact("b", "hb") is None
