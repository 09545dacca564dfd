"""Keys that expose the same article text in two splits: exact (normalised) and near-duplicates.

Near-duplicates: Jaccard similarity of word shingles, estimated from bottom-k sketches; candidate
pairs share at least one sketch value (values shared by very many articles — boilerplate — are
ignored), and similar pairs are joined into clusters with a union-find. The result is one cluster
key per article; the registered check ``no_cross_split_duplicate`` then flags clusters that span
two splits.
"""

from __future__ import annotations

import re
from collections import defaultdict
from itertools import combinations

import numpy as np
import pandas as pd

_WORD = re.compile(r"\w+")
_MAX_POSTING = 50  # a sketch value shared by more articles than this is boilerplate


def exact_keys(texts: pd.Series) -> pd.Series:
    """A hash of the text casefolded, with punctuation and whitespace runs collapsed."""
    norm = texts.fillna("").astype(str).str.casefold().str.replace(r"[\W_]+", " ", regex=True).str.strip()
    return pd.util.hash_pandas_object(norm, index=False).astype(str)


def _sketch(text: str, shingle: int, k: int) -> np.ndarray:
    words = _WORD.findall(text.casefold())
    if len(words) < shingle:
        grams = {hash(tuple(words))} if words else set()
    else:
        grams = set(map(hash, zip(*(words[i:] for i in range(shingle)), strict=False)))
    arr = np.fromiter(grams, dtype=np.int64, count=len(grams))
    if len(arr) > k:
        arr = np.partition(arr, k - 1)[:k]
    return np.sort(arr)


def _jaccard(a: np.ndarray, b: np.ndarray, k: int) -> float:
    union = np.union1d(a, b)[:k]
    if len(union) == 0:
        return 1.0
    both = np.intersect1d(a, b, assume_unique=True)
    return float(np.isin(union, both, assume_unique=True).sum()) / len(union)


def near_duplicate_keys(texts: pd.Series, *, jaccard: float, shingle: int, k: int) -> pd.Series:
    """A cluster id per row; rows whose estimated Jaccard ≥ ``jaccard`` share one."""
    values = texts.fillna("").astype(str).tolist()
    sketches = [_sketch(t, shingle, k) for t in values]
    postings: dict[int, list[int]] = defaultdict(list)
    for i, sk in enumerate(sketches):
        for v in sk.tolist():
            postings[v].append(i)
    parent = list(range(len(values)))

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    seen: set[tuple[int, int]] = set()
    for docs in postings.values():
        if len(docs) < 2 or len(docs) > _MAX_POSTING:
            continue
        for a, b in combinations(docs, 2):
            if (a, b) in seen:
                continue
            seen.add((a, b))
            ra, rb = find(a), find(b)
            if ra == rb:
                continue
            if _jaccard(sketches[a], sketches[b], k) >= jaccard:
                parent[rb] = ra
    roots = [find(i) for i in range(len(values))]
    return pd.Series([f"c{r}" for r in roots], index=texts.index, dtype="str")
