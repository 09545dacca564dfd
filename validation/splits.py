"""Keys that expose the same article text in two splits: exact (normalised) and near-duplicates.

Vectorised with pyarrow/numpy (no per-article Python loop):

- texts are lower-cased and split on whitespace; tokens are dictionary-encoded to integer ids;
- exact key: a 64-bit hash of each lower-cased text;
- near-duplicates: word ``n``-gram shingles are hashed; a consistent sample is kept (shingles
  whose hash is 0 modulo ``sampling``; an article with few shingles keeps them all), and articles
  sharing sampled shingles are candidate pairs whose Jaccard similarity is estimated on the
  samples. Pairs at or above the threshold are joined into clusters (union-find over the few
  similar pairs). Only the first ``max_chars`` characters of each text are compared.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

_M1 = np.uint64(0x9E3779B97F4A7C15)
_M2 = np.uint64(0xBF58476D1CE4E5B9)
_MAX_POSTING = 50  # a shingle shared by more articles than this is boilerplate


def _mix(x: np.ndarray) -> np.ndarray:
    """splitmix64 finaliser (uint64 → well-spread uint64)."""
    with np.errstate(over="ignore"):
        x = x + _M1
        x = (x ^ (x >> np.uint64(30))) * _M2
        x = (x ^ (x >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        return x ^ (x >> np.uint64(31))


def _tokens(texts: pd.Series, max_chars: int | None) -> tuple[np.ndarray, np.ndarray, int]:
    """(token hash per token, article index per token, number of articles)."""
    arr = pa.array(texts.fillna("").astype(str).to_numpy(dtype=object), type=pa.large_string())
    if max_chars:
        arr = pc.utf8_slice_codeunits(arr, 0, max_chars)
    words = pc.utf8_split_whitespace(pc.utf8_lower(arr))
    flat = pc.list_flatten(words)
    parent = pc.list_parent_indices(words).to_numpy(zero_copy_only=False).astype(np.int64)
    encoded = pc.dictionary_encode(flat)
    vocab = pd.util.hash_array(np.asarray(encoded.dictionary.to_pylist(), dtype=object)).astype(np.uint64)
    ids = encoded.indices.to_numpy(zero_copy_only=False)
    return vocab[ids] if len(ids) else np.zeros(0, np.uint64), parent, len(arr)


def exact_keys(texts: pd.Series) -> pd.Series:
    """A hash of each text, lower-cased (whitespace or punctuation variants are near-duplicates)."""
    arr = pa.array(texts.fillna("").astype(str).to_numpy(dtype=object), type=pa.large_string())
    lowered = pd.Series(pc.utf8_lower(arr).to_numpy(zero_copy_only=False), index=texts.index, dtype=object)
    return pd.util.hash_pandas_object(lowered, index=False).astype(str).astype("str")


def near_duplicate_keys(
    texts: pd.Series, *, jaccard: float, shingle: int, sampling: int, max_chars: int | None = None
) -> pd.Series:
    """A cluster id per row; rows whose estimated Jaccard similarity ≥ ``jaccard`` share one."""
    tok, parent, n = _tokens(texts, max_chars)
    ids = pd.Series(np.arange(n), index=texts.index)
    if n < 2 or len(tok) == 0:
        return ("c" + ids.astype(str)).astype("str")
    k = max(1, shingle)
    m = len(tok) - k + 1
    if m <= 0:
        return ("c" + ids.astype(str)).astype("str")
    with np.errstate(over="ignore"):
        h = tok[:m].copy()
        for j in range(1, k):
            h = _mix(h) ^ tok[j : j + m]
        h = _mix(h)
    doc = parent[:m]
    ok = doc == parent[k - 1 : k - 1 + m]  # shingle inside one article
    # short articles (fewer than k words) get one shingle: all their words
    h, doc = h[ok], doc[ok]
    per_doc = np.bincount(doc, minlength=n)
    keep = (h % np.uint64(max(1, sampling)) == 0) | (per_doc[doc] < 64 * max(1, sampling))
    sample = pd.DataFrame({"h": h[keep], "doc": doc[keep]}).drop_duplicates()
    size = sample.groupby("doc").size()
    postings = sample.groupby("h")["doc"].transform("size")
    shared = sample[(postings >= 2) & (postings <= _MAX_POSTING)]
    if shared.empty:
        return ("c" + ids.astype(str)).astype("str")
    pairs = shared.merge(shared, on="h", suffixes=("_a", "_b"))
    pairs = pairs[pairs["doc_a"] < pairs["doc_b"]]
    inter = pairs.groupby(["doc_a", "doc_b"]).size().rename("inter").reset_index()
    na = size.reindex(inter["doc_a"]).to_numpy()
    nb = size.reindex(inter["doc_b"]).to_numpy()
    inter["jaccard"] = inter["inter"] / (na + nb - inter["inter"])
    similar = inter[inter["jaccard"] >= jaccard]
    parent_of = np.arange(n)

    def find(x: int) -> int:
        while parent_of[x] != x:
            parent_of[x] = parent_of[parent_of[x]]
            x = int(parent_of[x])
        return x

    for a, b in zip(similar["doc_a"].tolist(), similar["doc_b"].tolist(), strict=True):
        ra, rb = find(a), find(b)
        if ra != rb:
            parent_of[rb] = ra
    roots = np.array([find(i) for i in range(n)]) if len(similar) else np.arange(n)
    return pd.Series(["c" + str(r) for r in roots], index=texts.index, dtype="str")
