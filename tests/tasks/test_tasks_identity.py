"""Article identity and duplicates: ids, exact duplicates, near-duplicates by the shared rule."""

from __future__ import annotations

from stancebank.schema.neardup import is_near_duplicate
from stancebank.tasks.dedup import Candidate, near_edges, resolve, sketch_texts
from stancebank.tasks.identity import derive_article_id, text_sha256

STORY = " ".join(
    f"Paragraph {i}: the harbour council debated ferry fares, timetable number {i * 7} and the pier."
    for i in range(30)
)


def test_article_id_is_given_or_from_the_text() -> None:
    assert derive_article_id("  a-1 ", "text") == "a-1"
    assert derive_article_id(None, "text") == "sb-" + text_sha256("text")[:16]
    assert derive_article_id(" ", "text", "ab" * 32) == "sb-" + "ab" * 8


def test_the_duplicate_rule_finds_exact_and_near_duplicates() -> None:
    near = STORY.replace("number 14 ", "number 15 ")
    half = STORY[: len(STORY) // 2]
    texts = [STORY, near, half, STORY, "other text"]
    hashes = [text_sha256(t) for t in texts]
    cands = [Candidate(i, aid, h, "x") for i, (aid, h) in enumerate(zip("abcda", hashes, strict=True))]
    edges = near_edges(cands, sketch_texts(texts))
    assert is_near_duplicate(STORY, near) and not is_near_duplicate(STORY, half)  # the shared pair rule
    found = [(d.order, d.kind, d.of) for d in resolve(cands, edges, keep_near=False)]
    # near → near-duplicate of a; half → kept; STORY again → duplicate text of a; id "a" again → duplicate
    assert found == [(1, "near-duplicate", "a"), (3, "duplicate", "a"), (4, "duplicate", "a")]
    similarity = resolve(cands, edges, keep_near=False)[0].similarity
    assert 0.9 <= similarity < 1.0
