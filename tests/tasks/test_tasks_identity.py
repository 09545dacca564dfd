"""Identity and near-duplicate internals: vectorised word hashing, shingles, MinHash LSH index."""

from __future__ import annotations

import re

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from stancebank.tasks.identity import DuplicateIndex, jaccard, shingles, word_hashes

STORY = " ".join(
    f"Paragraph {i}: the harbour council debated ferry fares, timetable number {i * 7} and the pier."
    for i in range(30)
)


def test_word_hashes_follow_casefolded_words() -> None:
    text = "Hello, World! hello WORLD — Ünïcode ünïcode straße STRASSE 💪 x_y"
    words = re.findall(r"\w+", text.casefold())
    hashes = word_hashes(text).tolist()
    assert len(hashes) == len(words)
    by_word: dict[str, set[int]] = {}
    for w, h in zip(words, hashes, strict=True):
        by_word.setdefault(w, set()).add(h)
    assert all(len(v) == 1 for v in by_word.values())  # same word, same hash, wherever it stands
    assert len(set(hashes)) == len(set(words))
    assert word_hashes("").size == 0 and word_hashes("—…!").size == 0


def _reference_word_hashes(text: str) -> list[int]:
    """The definition, in plain Python: Horner hashes (mod 2**64) of ``code point + 1`` over each run of
    BMP word characters (letters, digits, underscore) of the casefolded text."""
    out: list[int] = []
    h: int | None = None
    for ch in text.casefold():
        if (ch.isalnum() or ch == "_") and ord(ch) < 0x10000:
            h = ((0 if h is None else h) * 0x100000001B3 + ord(ch) + 1) % 2**64
        elif h is not None:
            out.append(h)
            h = None
    if h is not None:
        out.append(h)
    return out


@settings(max_examples=300, deadline=None)
@given(
    st.text(
        alphabet=st.one_of(
            st.characters(codec="utf-8", exclude_categories=("Cs",)),
            st.sampled_from(list("ßẞﬁŉǰΐİK ſΣς _-1²½")),
        ),
        max_size=60,
    )
)
def test_word_hashes_equal_their_definition(text: str) -> None:
    """The table-driven fast path (and its casefold fallback for ``ß`` and the like) gives exactly the
    hashes of the definition."""
    assert word_hashes(text).tolist() == _reference_word_hashes(text)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.sampled_from(["ferry", "Fare", "pier", "x1", "é", "🚢", "naïve"]), min_size=0, max_size=40)
)
def test_equal_word_sequences_give_equal_hashes(words: list[str]) -> None:
    a = word_hashes(" ".join(words))
    b = word_hashes(",  ".join(w.upper() for w in words))
    assert np.array_equal(a, b)


def test_shingles_jaccard_of_near_and_different_texts() -> None:
    near = STORY.replace("number 7 ", "number 8 ")
    assert jaccard(shingles(STORY), shingles(STORY)) == 1.0
    assert 0.9 <= jaccard(shingles(STORY), shingles(near)) < 1.0
    other = " ".join(f"Line {i} about a different story on grain exports and ports." for i in range(30))
    assert jaccard(shingles(STORY), shingles(other)) < 0.2
    assert shingles("two words").size == 1  # shorter than one shingle: one hash


def test_duplicate_index_finds_near_duplicates_only() -> None:
    index = DuplicateIndex()
    index.add("a", "ha", STORY)
    near = STORY.replace("number 14 ", "number 15 ")
    found = index.near(near)
    assert found is not None and found[0] == "a" and found[1] >= 0.9
    assert index.near(STORY[: len(STORY) // 2]) is None  # half the story: Jaccard about 0.5
    assert index.exact("a", "zz") == "a" and index.exact("b", "ha") == "a" and index.exact("b", "hb") is None
