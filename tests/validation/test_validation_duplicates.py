"""Exact and near-duplicate keys; near-duplicates follow the shared rule (stancebank.schema.neardup)."""

from __future__ import annotations

import random

import pandas as pd

from stancebank.schema.neardup import clusters, is_near_duplicate
from stancebank.validation import default_config
from stancebank.validation.duplicates import exact_keys, near_duplicate_keys
from stancebank.validation.frames import empty_tables
from stancebank.validation.views import articles_view

RNG = random.Random(11)
WORDS = [f"w{i}" for i in range(400)] + ["Zürich", "“quoted”", "café", "naïve"]


def article(n: int = 180) -> str:
    return " ".join(RNG.choice(WORDS) for _ in range(n))


def keys(texts: list[str | None], groups: list[str] | None = None) -> list[str]:
    series = pd.Series(texts, dtype="str")
    g = pd.Series(groups) if groups is not None else None
    return near_duplicate_keys(series, groups=g).tolist()


def test_near_duplicate_keys_are_the_shared_clusters() -> None:
    base = article()
    words = base.split()
    one_word = " ".join([*words[:90], "CHANGED", *words[91:]])
    many = " ".join(w if i % 7 else "X" for i, w in enumerate(words))
    texts: list[str | None] = [
        base,
        one_word,
        many,
        article(),
        "",
        "Short   text",
        "short text",
        base.upper(),
        None,
    ]
    got = keys(texts)
    assert got == [f"c{r}" for r in clusters(texts).tolist()]
    assert is_near_duplicate(base, one_word) and not is_near_duplicate(base, many)
    assert got[0] == got[1] == got[7]  # a word changed; the same text in upper case
    assert len({got[0], got[2], got[3], got[4], got[5], got[8]}) == 6  # empty and null texts join nothing
    assert got[5] == got[6]  # fewer words than a shingle: one shingle of all of them
    # with groups, only pairs from different groups are compared
    grouped = keys(texts, groups=["a", "a", "a", "a", "a", "a", "b", "b", "b"])
    assert grouped[0] == grouped[7] and grouped[1] == grouped[0]  # 1 joins through 7 (group b)
    assert grouped[5] == grouped[6]


def test_the_whole_text_is_compared() -> None:
    """The old check compared the first 1,000 bytes only (and at Jaccard 0.8): two articles that
    share their opening and differ after it were called near-duplicates; they are not."""
    a = article(300)
    b = a[:1200] + " " + article(200)
    assert a[:1000] == b[:1000]
    assert keys([a, b])[0] != keys([a, b])[1]
    edited = " ".join([*a.split()[:250], "CHANGED", *a.split()[251:]])  # an edit after 1,000 bytes
    assert keys([a, edited])[0] == keys([a, edited])[1]


def test_exact_keys_ignore_case_only() -> None:
    got = exact_keys(pd.Series(["Café Olé", "CAFÉ OLÉ", "Café  Olé", None], dtype="str")).tolist()
    assert got[0] == got[1] != got[2]
    assert len(got[0]) == 16 and got[3] == exact_keys(pd.Series([""], dtype="str")).iloc[0]


def test_near_duplicate_of_an_exact_duplicate_is_reported() -> None:
    """A near-duplicate of an article that also has an exact copy in another split is reported as
    near; the exact pair is reported once, as exact (not again as near)."""
    base = article()
    words = base.split()
    near = " ".join([*words[:50], "CHANGED", *words[51:]])
    tables = empty_tables()
    tables.articles = pd.DataFrame(
        {
            "article_id": ["a1", "a2", "a3", "a4"],
            "title": None,
            "text": [base, base.upper(), near, article()],
            "split": ["train", "test", "validation", "test"],
            "src_file": pd.Categorical(["r"] * 4),
            "src_line": -1,
            "task_id": None,
        }
    ).astype({"article_id": "str", "text": "str", "split": "str", "title": "str", "task_id": "str"})
    art, near_on = articles_view(tables, default_config())
    assert near_on
    assert art.loc[art["article_id"] == "a1", "text_key"].item() == art.loc[1, "text_key"]
    assert art["exact_dup"].tolist() == [True, True, False, False]
    clusters = art["near_key"].tolist()
    assert clusters[0] == clusters[1] == clusters[2] != clusters[3]
