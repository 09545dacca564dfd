"""Exact and near-duplicate keys (MinHash-LSH over UTF-8 bytes, exact Jaccard verification)."""

from __future__ import annotations

import random
from typing import Any

import pandas as pd

from stancebank.validation import default_config
from stancebank.validation.frames import empty_tables
from stancebank.validation.splits import exact_keys, near_duplicate_keys, shingle_sets
from stancebank.validation.views import articles_view

RNG = random.Random(11)
WORDS = [f"w{i}" for i in range(400)] + ["Zürich", "“quoted”", "café", "naïve"]


def article(n: int = 180) -> str:
    return " ".join(RNG.choice(WORDS) for _ in range(n))


def keys(texts: list[str], groups: list[str] | None = None, **kw: Any) -> list[str]:
    series = pd.Series(texts, dtype="str")
    kw.setdefault("jaccard", 0.8)
    kw.setdefault("shingle", 5)
    g = pd.Series(groups) if groups is not None else None
    return near_duplicate_keys(series, groups=g, **kw).tolist()


def jaccard(a: str, b: str, k: int = 5) -> float:
    def sh(t: str) -> set[tuple[str, ...]]:
        w = t.lower().split()
        return {tuple(w[i : i + k]) for i in range(max(len(w) - k + 1, 1))}

    x, y = sh(a), sh(b)
    return len(x & y) / len(x | y)


def test_near_duplicates_match_exact_jaccard() -> None:
    base = article()
    words = base.split()
    one_word = " ".join([*words[:90], "CHANGED", *words[91:]])
    many = " ".join(w if i % 7 else "X" for i, w in enumerate(words))
    texts = [base, one_word, many, article(), "", "Short   text", "short text", base.upper()]
    got = keys(texts)
    assert jaccard(base, one_word) >= 0.8 > jaccard(base, many)
    assert got[0] == got[1] == got[7]  # a word changed; the same text in upper case
    assert len({got[0], got[2], got[3], got[4], got[5]}) == 5
    assert got[5] == got[6]  # fewer words than a shingle: one shingle of all of them
    # with groups, only pairs from different groups are compared
    grouped = keys(texts, groups=["a", "a", "a", "a", "a", "a", "b", "b"])
    assert grouped[0] == grouped[7] and grouped[1] == grouped[0]  # 1 joins through 7 (group b)
    assert grouped[5] == grouped[6]


def test_windows_and_empty_rows_map_to_their_rows() -> None:
    texts = ["", "a b c d e f", "", "x y z w v u t", ""]
    sh, row, n = shingle_sets(pd.Series(texts, dtype="str"), shingle=5, max_chars=None)
    assert n == 5 and sorted(set(row.tolist())) == [1, 3] and len(sh) == len(row) == 2 + 3
    assert (row[:-1] <= row[1:]).all()  # grouped by row, in order
    # only the first max_chars bytes are compared
    a = article(300)
    b = a[:600] + " " + article(200)
    assert keys([a, b], max_chars=600)[0] == keys([a, b], max_chars=600)[1]
    assert keys([a, b], max_chars=None)[0] != keys([a, b], max_chars=None)[1]


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
