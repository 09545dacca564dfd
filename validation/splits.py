"""Keys that expose the same article text in two splits: exact (normalised) and near-duplicates.

Vectorised over the UTF-8 bytes of all texts at once (numpy, no per-article Python loop):

- exact key: a 64-bit hash of each lower-cased text (case variants count as exact duplicates;
  whitespace or punctuation variants are left to the near-duplicate check);
- near-duplicates: the first ``max_chars`` bytes of each text are lower-cased (ASCII) and split
  on whitespace; each word is hashed (tabulation hashing over its bytes), each run of ``shingle``
  words becomes a shingle hash, and each article gets a MinHash signature of ``hashes`` values.
  LSH over bands of the signature proposes candidate pairs; a candidate whose signature estimate
  is far under the threshold is dropped, the others are verified with the exact Jaccard
  similarity of their shingle sets. Pairs at or above the threshold are joined into clusters.

Cost is linear in the compared bytes plus a few numpy passes per signature value; memory is
bounded by processing the texts in chunks of about ``_CHUNK_BYTES`` bytes.
"""

from __future__ import annotations

import hashlib
import itertools
import logging
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from numpy.typing import NDArray

log = logging.getLogger(__name__)

_U64 = np.uint64
_CHUNK_BYTES = 8_000_000
_ROWS_PER_BAND = 3
_MAX_BUCKET = 200  # an LSH bucket shared by more articles than this is boilerplate
_MAX_EXACT_PAIRS = 200_000  # above this, candidates are judged on their signature estimate
_ESTIMATE_SLACK = 0.25  # candidates estimated this far under the threshold are not verified

_rng = np.random.default_rng(0x5EED)
# tabulation hashing: one random 64-bit value per (position in word mod 32, byte); ASCII upper
# case shares the values of lower case, whitespace bytes are 0 (see _words)
_TAB = _rng.integers(0, 2**63, size=(32, 256), dtype=np.int64).astype(_U64) * _U64(2) + _U64(1)
_SHINGLE_MUL = _rng.integers(0, 2**62, size=64, dtype=np.int64).astype(_U64) * _U64(2) + _U64(1)
_PERM_A = _rng.integers(0, 2**62, size=256, dtype=np.int64).astype(_U64) * _U64(2) + _U64(1)
_PERM_B = _rng.integers(0, 2**62, size=256, dtype=np.int64).astype(_U64)
_SPACE = np.zeros(256, dtype=bool)
_SPACE[[9, 10, 11, 12, 13, 28, 29, 30, 31, 32]] = True
_TAB[:, 65:91] = _TAB[:, 97:123]
_TAB[:, _SPACE] = 0
_TAB = _TAB.ravel()


def _mix(x: NDArray[Any]) -> NDArray[Any]:
    """splitmix64 finaliser (uint64 → well-spread uint64)."""
    with np.errstate(over="ignore"):
        x = x + _U64(0x9E3779B97F4A7C15)
        x = (x ^ (x >> _U64(30))) * _U64(0xBF58476D1CE4E5B9)
        x = (x ^ (x >> _U64(27))) * _U64(0x94D049BB133111EB)
        out: NDArray[Any] = x ^ (x >> _U64(31))
        return out


def _arrow_texts(texts: pd.Series) -> pa.LargeStringArray:
    values = texts.array
    if hasattr(values, "_pa_array"):  # pandas' arrow-backed str dtype: no Python objects
        arr = pa.chunked_array(values._pa_array).combine_chunks()
    else:
        arr = pa.array(texts.to_numpy(dtype=object), type=pa.large_string(), from_pandas=True)
    return pc.fill_null(arr.cast(pa.large_string()), "")


def _buffers(arr: pa.Array) -> tuple[NDArray[Any], NDArray[Any]]:
    """(offsets, data bytes) of a large_string / large_binary array (offsets index the data)."""
    bufs = arr.buffers()
    offsets = np.frombuffer(bufs[1], dtype=np.int64)[arr.offset : arr.offset + len(arr) + 1]
    data = np.frombuffer(bufs[2], dtype=np.uint8) if bufs[2] is not None else np.zeros(0, np.uint8)
    return offsets, data


def _chunks(lengths: NDArray[Any]) -> list[tuple[int, int]]:
    """Row ranges whose windows hold about ``_CHUNK_BYTES`` bytes."""
    cum = np.cumsum(lengths)
    bounds = [0]
    while bounds[-1] < len(lengths):
        base = cum[bounds[-1] - 1] if bounds[-1] else 0
        nxt = int(np.searchsorted(cum, base + _CHUNK_BYTES, side="right"))
        bounds.append(max(nxt, bounds[-1] + 1))
    return list(itertools.pairwise(bounds))


def _words(raw: NDArray[Any], lengths: NDArray[Any]) -> tuple[NDArray[Any], NDArray[Any]]:
    """(hash of each word, row of each word) for concatenated windows of ``len(lengths)`` rows.

    A word's hash is the XOR of ``_TAB[position in word, byte]``; whitespace bytes hash to 0, so a
    word's segment may run on over the whitespace after it (no compaction pass needed)."""
    if len(raw) == 0:
        return np.zeros(0, _U64), np.zeros(0, np.int64)
    space = _SPACE[raw]
    is_start = ~space
    is_start[1:] &= space[:-1]
    nonempty = np.flatnonzero(lengths > 0)
    firsts = np.concatenate(([0], np.cumsum(lengths)[:-1]))[nonempty]
    is_start[firsts] = ~space[firsts]
    start_pos = np.flatnonzero(is_start)
    if len(start_pos) == 0:
        return np.zeros(0, _U64), np.zeros(0, np.int64)
    index = np.arange(len(raw), dtype=np.int32)
    pos = np.where(is_start, index, 0)
    np.maximum.accumulate(pos, out=pos)
    np.subtract(index, pos, out=pos)
    np.bitwise_and(pos, 31, out=pos)
    np.left_shift(pos, 8, out=pos)
    pos |= raw
    h = np.bitwise_xor.reduceat(_TAB[pos], start_pos)
    row = nonempty[np.searchsorted(firsts, start_pos, side="right") - 1]
    return _mix(h), row


def _shingles(words: NDArray[Any], row: NDArray[Any], k: int) -> tuple[NDArray[Any], NDArray[Any]]:
    """(hash, row) of every run of ``k`` words inside one row; rows with fewer words get one
    shingle of all their words."""
    k = max(1, min(k, len(_SHINGLE_MUL)))
    n = len(words)
    if n == 0:
        return np.zeros(0, _U64), np.zeros(0, np.int64)
    m = max(n - k + 1, 0)
    with np.errstate(over="ignore"):
        h = np.zeros(m, _U64)
        for j in range(k):
            h += words[j : j + m] * _SHINGLE_MUL[j]
    ok = row[:m] == row[k - 1 : k - 1 + m]
    sh, srow = h[ok], row[:m][ok]
    # rows with 1 … k-1 words: one shingle of all of them
    counts = np.bincount(row, minlength=int(row[-1]) + 1)
    short = np.flatnonzero((counts > 0) & (counts < k))
    if len(short):
        in_short = np.isin(row, short)
        w, r = words[in_short], row[in_short]
        firsts = np.flatnonzero(np.concatenate(([True], r[1:] != r[:-1])))
        pos = np.arange(len(w)) - np.repeat(firsts, np.diff(np.append(firsts, len(w))))
        with np.errstate(over="ignore"):
            sums = np.add.reduceat(w * _SHINGLE_MUL[pos], firsts)
        sh = np.concatenate((sh, sums))
        srow = np.concatenate((srow, r[firsts]))
        order = np.argsort(srow, kind="stable")
        sh, srow = sh[order], srow[order]
    return _mix(sh), srow


def shingle_sets(
    texts: pd.Series, *, shingle: int, max_chars: int | None
) -> tuple[NDArray[Any], NDArray[Any], int]:
    """(shingle hashes, row of each, number of rows); hashes are grouped by row, in row order."""
    arr = _arrow_texts(texts).cast(pa.large_binary())
    if max_chars:  # the compared window, as contiguous bytes (arrow copies each row's prefix)
        arr = pc.binary_slice(arr, 0, max_chars)
    offsets, data = _buffers(arr)
    starts, lengths = offsets[:-1], np.diff(offsets)
    hashes: list[NDArray[Any]] = []
    rows: list[NDArray[Any]] = []
    for lo, hi in _chunks(lengths):
        raw = data[starts[lo] : starts[lo] + int(lengths[lo:hi].sum())]
        words, row = _words(raw, lengths[lo:hi])
        sh, srow = _shingles(words, row, shingle)
        hashes.append(sh)
        rows.append(srow + lo)
    if not hashes:
        return np.zeros(0, _U64), np.zeros(0, np.int64), len(arr)
    return np.concatenate(hashes), np.concatenate(rows), len(arr)


def text_digests(texts: pd.Series, *, lower: bool = False) -> NDArray[Any]:
    """A 64-bit blake2b digest of each text's UTF-8 bytes (hashed in place in the arrow buffer;
    ``lower``: of the lower-cased text)."""
    arr = _arrow_texts(texts)
    offsets, data = _buffers(pc.utf8_lower(arr) if lower else arr)
    view = data.data  # a memoryview of the bytes (no copy)
    digests = b"".join(
        hashlib.blake2b(view[lo:hi], digest_size=8).digest()
        for lo, hi in zip(offsets[:-1].tolist(), offsets[1:].tolist(), strict=True)
    )
    out: NDArray[Any] = np.frombuffer(digests, dtype=_U64) if digests else np.zeros(0, _U64)
    return out


def exact_keys(texts: pd.Series) -> pd.Series:
    """A hash of each text, lower-cased (texts differing only in case share a key; whitespace or
    punctuation variants are near-duplicates)."""
    keys = text_digests(texts, lower=True)
    return pd.Series(keys, index=texts.index).map("{:016x}".format).astype("str")


def _signatures(
    sh: NDArray[Any], row: NDArray[Any], n: int, n_hashes: int
) -> tuple[NDArray[Any], NDArray[Any]]:
    """MinHash signatures (n × n_hashes) and which rows have any shingle."""
    sig = np.full((n, n_hashes), np.iinfo(np.uint64).max, dtype=_U64)
    has = np.zeros(n, dtype=bool)
    if len(sh) == 0:
        return sig, has
    firsts = np.flatnonzero(np.concatenate(([True], row[1:] != row[:-1])))
    rows = row[firsts]
    has[rows] = True
    with np.errstate(over="ignore"):
        for j in range(n_hashes):
            sig[rows, j] = np.minimum.reduceat(sh * _PERM_A[j] + _PERM_B[j], firsts)
    return sig, has


def _candidates(sig: NDArray[Any], has: NDArray[Any], groups: NDArray[Any] | None) -> NDArray[Any]:
    """Pairs (a < b) of rows that share at least one LSH band (and differ in group)."""
    n_hashes = sig.shape[1]
    n = np.int64(sig.shape[0])
    found: list[NDArray[Any]] = []  # pairs (a, b), a < b, encoded as a * n + b
    ids = np.flatnonzero(has)
    for lo in range(0, n_hashes - _ROWS_PER_BAND + 1, _ROWS_PER_BAND):
        band = sig[ids, lo]
        for j in range(lo + 1, lo + _ROWS_PER_BAND):
            band = _mix(band ^ sig[ids, j])
        order = np.argsort(band, kind="stable")
        sb = band[order]
        same_as_prev = np.concatenate(([False], sb[1:] == sb[:-1]))
        if not same_as_prev.any():
            continue
        bucket_start = np.flatnonzero(~same_as_prev)
        sizes = np.diff(np.append(bucket_start, len(sb)))
        for size in np.unique(sizes[(sizes >= 2) & (sizes <= _MAX_BUCKET)]):
            starts = bucket_start[sizes == size]
            members = ids[order[starts[:, None] + np.arange(size)]]  # buckets × size
            a_idx, b_idx = np.triu_indices(int(size), k=1)
            first = members[:, a_idx].ravel().astype(np.int64)
            second = members[:, b_idx].ravel().astype(np.int64)
            if groups is not None:
                other = groups[first] != groups[second]
                first, second = first[other], second[other]
            found.append(np.minimum(first, second) * n + np.maximum(first, second))
        if found:  # deduplicated band by band: the pairs of all bands are never held at once
            found = [np.unique(np.concatenate(found))]
    if not found or not len(found[0]):
        return np.zeros((0, 2), dtype=np.int64)
    codes = found[0]
    pairs: NDArray[Any] = np.stack((codes // n, codes % n), axis=1)
    return pairs


def _estimate(sig: NDArray[Any], pairs: NDArray[Any], chunk: int = 100_000) -> NDArray[Any]:
    """MinHash estimate of each pair's Jaccard similarity (share of equal signature values),
    ``chunk`` pairs at a time (two signature rows per pair would be large)."""
    out = np.empty(len(pairs))
    for lo in range(0, len(pairs), chunk):
        part = pairs[lo : lo + chunk]
        out[lo : lo + chunk] = (sig[part[:, 0]] == sig[part[:, 1]]).mean(axis=1)
    return out


def _jaccard(sh: NDArray[Any], row: NDArray[Any], pairs: NDArray[Any]) -> NDArray[Any]:
    bounds = np.searchsorted(row, np.arange(int(row[-1]) + 2)) if len(row) else np.zeros(1, np.int64)
    out = np.zeros(len(pairs))
    for i, (a, b) in enumerate(pairs.tolist()):
        sa = np.unique(sh[bounds[a] : bounds[a + 1]])
        sb = np.unique(sh[bounds[b] : bounds[b + 1]])
        inter = len(np.intersect1d(sa, sb, assume_unique=True))
        union = len(sa) + len(sb) - inter
        out[i] = inter / union if union else 0.0
    return out


def _clusters(n: int, pairs: NDArray[Any]) -> NDArray[Any]:
    """Connected components (smallest member as root) of the graph of ``pairs``."""
    parent = np.arange(n)

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = int(parent[x])
        return x

    for a, b in pairs.tolist():
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    return np.array([find(i) for i in range(n)]) if len(pairs) else parent


def near_duplicate_keys(
    texts: pd.Series,
    *,
    jaccard: float,
    shingle: int,
    hashes: int = 30,
    max_chars: int | None = None,
    groups: pd.Series | None = None,
) -> pd.Series:
    """A cluster id per row; rows whose Jaccard similarity of word shingles is ≥ ``jaccard`` share
    one. With ``groups`` (e.g. the split), only pairs from different groups are compared."""
    n = len(texts)
    sh, row, _ = shingle_sets(texts, shingle=shingle, max_chars=max_chars)
    n_hashes = max(_ROWS_PER_BAND, int(hashes) - int(hashes) % _ROWS_PER_BAND)
    sig, has = _signatures(sh, row, n, n_hashes)
    group_codes = pd.factorize(groups.astype(object))[0] if groups is not None else None
    pairs = _candidates(sig, has, group_codes)
    if len(pairs):
        estimate = _estimate(sig, pairs)
        keep = estimate >= jaccard - _ESTIMATE_SLACK
        pairs, estimate = pairs[keep], estimate[keep]
    if len(pairs) > _MAX_EXACT_PAIRS:
        log.warning("%d near-duplicate candidates: judged on their MinHash estimate", len(pairs))
        similar = pairs[estimate >= jaccard]
    elif len(pairs):
        similar = pairs[_jaccard(sh, row, pairs) >= jaccard]
    else:
        similar = pairs
    roots = _clusters(n, similar)
    return pd.Series(roots, index=texts.index).map("c{}".format).astype("str")
