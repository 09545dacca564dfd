"""Near-duplicate articles: the one definition used by every stage.

``stancebank tasks build`` leaves out near-duplicates, ``stancebank export build`` puts each
near-duplicate cluster into one split, and validation checks that no cluster spans two splits.
All three call this module with the one configuration :data:`NEAR_DUPLICATES`, so the validator
checks exactly what the producer guarantees.

The definition:

- **words**: the runs of word characters (``\\w``: letters, digits, underscore) of the whole text
  after ``str.casefold``;
- **shingles**: every run of ``shingle_words`` consecutive words, hashed to 64 bits; a text with
  fewer words has one shingle of all of them; a text without a word has none and is nobody's
  near-duplicate (identical texts are exact duplicates, which each stage checks on its own);
- two texts are **near-duplicates** when (1) their MinHash signatures (``bands`` × ``rows``
  values) are equal on every value of at least one band, and (2) the exact Jaccard similarity of
  their shingle sets is at least ``jaccard``. Both conditions depend on the two texts alone, never
  on which other texts are compared with them, so every stage agrees on every pair whatever the
  batch, order or subset it looks at;
- a **cluster** is a connected component of that relation. A subset of articles (a release holds
  only the gold articles of an export) has clusters that are parts of the whole set's clusters:
  when the whole set's clusters each sit in one split, so do the subset's.

Condition (1) is the LSH filter that keeps the work linear: with 8 bands of 4 values a pair with
Jaccard 0.9 shares a band with probability 1 - (1 - 0.9**4)**8 ≈ 0.9998, at 0.5 with 0.40, at 0.2
with 0.013. Hashing is deterministic across processes and machines (fixed seeds, no ``hash()``).
Texts that share boilerplate crowd some buckets (templated texts: thousands in one bucket, tens of
millions of candidate pairs for 100,000 texts): :func:`clusters` enumerates the candidates a step
at a time, each pair once (in the first band where the two share a bucket), and keeps only the
pairs that pass (2).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import numpy as np
import numpy.typing as npt

U64 = npt.NDArray[np.uint64]
I64 = npt.NDArray[np.int64]


@dataclass(frozen=True)
class NearDuplicateConfig:
    """What counts as a near-duplicate (see the module docstring)."""

    jaccard: float = 0.9
    shingle_words: int = 5
    bands: int = 8
    rows: int = 4
    seed: int = 20240901

    @property
    def permutations(self) -> int:
        return self.bands * self.rows


NEAR_DUPLICATES = NearDuplicateConfig()
"""The project's one near-duplicate configuration (tasks build, export splits, validation)."""

_SEPARATOR = 0  # code point between two texts of a batch (NUL is no word character)
_MIX = np.uint64(0x9E3779B97F4A7C15)  # combines the word hashes of a shingle
_P = 0x100000001B3  # polynomial hash of a word's code points (odd: invertible modulo 2**64)
_P_INV = pow(_P, -1, 2**64)
_BATCH_CHARS = 1 << 16  # texts are sketched in batches of about this many characters
_SUMMARY_CHARS = 1 << 22  # clustering keeps the shingles of about this many characters at a time


def _mix(x: U64) -> U64:
    """splitmix64's finaliser: spreads a 64-bit value over all 64 bits."""
    with np.errstate(over="ignore"):
        x = x ^ (x >> np.uint64(30))
        x = x * np.uint64(0xBF58476D1CE4E5B9)
        x = x ^ (x >> np.uint64(27))
        x = x * np.uint64(0x94D049BB133111EB)
        return x ^ (x >> np.uint64(31))


@lru_cache(maxsize=8)
def _permutations(config: NearDuplicateConfig) -> tuple[U64, U64]:
    """MinHash by multiply-add hashing modulo 2**64: ``h_k(x) = a_k * x + b_k`` with odd ``a_k``."""
    rng = np.random.default_rng(config.seed)
    mul = rng.integers(0, 2**63, size=config.permutations, dtype=np.uint64) * np.uint64(2) + np.uint64(1)
    add = rng.integers(0, 2**63, size=config.permutations, dtype=np.uint64)
    return mul, add


_powers_cache: list[tuple[U64, U64]] = []


def _powers(n: int) -> tuple[U64, U64]:
    """``P**i`` and ``P**-i`` (mod 2**64; ``P`` is odd, so it has an inverse) for ``i < n``."""
    if not _powers_cache or _powers_cache[0][0].size < n:
        size = max(n, 2 * (_powers_cache[0][0].size if _powers_cache else 0), 1 << 16)
        pw: U64 = np.ones(size, dtype=np.uint64)
        inv: U64 = np.ones(size, dtype=np.uint64)
        pw[1:] = np.cumprod(np.full(size - 1, _P, dtype=np.uint64), dtype=np.uint64)
        inv[1:] = np.cumprod(np.full(size - 1, _P_INV, dtype=np.uint64), dtype=np.uint64)
        _powers_cache[:] = [(pw, inv)]
    powers, inverses = _powers_cache[0]
    return powers[:n], inverses[:n]


_ASCII_WORD = np.array([chr(c).isalnum() or chr(c) == "_" for c in range(128)], dtype=np.bool_)


def _code_points(joined: str) -> tuple[npt.NDArray[np.uint32] | npt.NDArray[np.uint8], npt.NDArray[np.bool_]]:
    """The code points of ``joined`` and which of them are word characters (``str.isalnum()`` or
    ``_``, what ``\\w`` matches): ASCII by a 128-entry table, the distinct others one by one."""
    if joined.isascii():
        ascii_cp = np.frombuffer(joined.encode("ascii"), dtype=np.uint8)
        return ascii_cp, _ASCII_WORD[ascii_cp]
    cp = np.frombuffer(joined.encode("utf-32-le"), dtype=np.uint32)
    is_word = np.zeros(cp.size, dtype=np.bool_)
    low = cp < 128
    is_word[low] = _ASCII_WORD[cp[low]]
    other = cp[~low]
    distinct = np.unique(other)
    wordy = np.array([chr(c).isalnum() for c in distinct.tolist()], dtype=np.bool_)
    is_word[~low] = wordy[np.searchsorted(distinct, other)]
    return cp, is_word


def _words(texts: Sequence[str | None]) -> tuple[U64, I64]:
    """(hash of each word, index of its text) over a batch, words in text order.

    The case-folded texts are joined with NUL (no word character) into one string. A word's hash
    is the polynomial ``sum(c_j * P**(n-1-j))`` (mod 2**64) over its ``n`` code points ``c_j``,
    all words at once: prefix sums of ``c_j * P**-j`` give each word's sum by one subtraction and
    one multiplication."""
    folded = [(t or "").casefold() for t in texts]
    joined = chr(_SEPARATOR).join(folded)
    cp, is_word = _code_points(joined)
    n = cp.size
    if n == 0:
        return np.zeros(0, dtype=np.uint64), np.zeros(0, dtype=np.int64)
    edges = np.flatnonzero(is_word[1:] != is_word[:-1]) + 1
    if is_word[0]:
        edges = np.concatenate(([0], edges))
    if is_word[-1]:
        edges = np.concatenate((edges, [n]))
    if edges.size == 0:
        return np.zeros(0, dtype=np.uint64), np.zeros(0, dtype=np.int64)
    starts, ends = edges[0::2], edges[1::2]
    pw, inv = _powers(n)
    prefix = np.zeros(n + 1, dtype=np.uint64)
    with np.errstate(over="ignore"):
        np.cumsum(np.multiply(cp, inv, dtype=np.uint64), out=prefix[1:])
        hashes = (prefix[ends] - prefix[starts]) * pw[ends - 1]
    if len(texts) == 1:
        return hashes, np.zeros(hashes.size, dtype=np.int64)
    text_ends = np.cumsum([len(f) + 1 for f in folded])  # each text's end (its NUL) in ``joined``
    return hashes, np.searchsorted(text_ends, starts, side="right").astype(np.int64)


def _shingles(words: U64, text_of: I64, n_texts: int, k: int) -> tuple[U64, I64]:
    """(shingle hashes, bounds): text ``i``'s shingles are ``hashes[bounds[i]:bounds[i + 1]]``, in
    text order, repeats included (MinHash does not mind; :meth:`Sketches.shingle_set` dedupes)."""
    counts = np.bincount(text_of, minlength=n_texts)
    firsts = np.concatenate(([0], np.cumsum(counts)[:-1]))
    pieces: list[U64] = []
    owners: list[I64] = []
    m = words.size - k + 1
    if m > 0:  # every run of k words inside one text
        acc = words[:m].copy()
        with np.errstate(over="ignore"):
            for j in range(1, k):
                acc *= _MIX
                acc += words[j : j + m]
        whole = text_of[:m] == text_of[k - 1 :]
        pieces.append(acc[whole])
        owners.append(text_of[:m][whole])
    short = np.flatnonzero((counts > 0) & (counts < k))
    if short.size:  # texts with 1 … k-1 words: one shingle of all of them (same recurrence)
        first, count = firsts[short], counts[short]
        acc = words[first].copy()
        with np.errstate(over="ignore"):
            for j in range(1, k - 1):
                more = count > j
                acc[more] = acc[more] * _MIX + words[first[more] + j]
        pieces.append(acc)
        owners.append(short.astype(np.int64))
    if not pieces:
        return np.zeros(0, dtype=np.uint64), np.zeros(n_texts + 1, dtype=np.int64)
    hashes, owner = _mix(np.concatenate(pieces)), np.concatenate(owners)
    if len(pieces) > 1 and n_texts > 1:  # put the short texts' shingles in text order
        order = np.argsort(owner, kind="stable")
        hashes, owner = hashes[order], owner[order]
    bounds = np.searchsorted(owner, np.arange(n_texts + 1)).astype(np.int64)
    return hashes, bounds


def _signatures(shingles: U64, bounds: I64, config: NearDuplicateConfig) -> U64:
    """MinHash signature per text (texts × permutations); a text without shingles gets all ones."""
    mul, add = _permutations(config)
    sig = np.full((bounds.size - 1, config.permutations), np.iinfo(np.uint64).max, dtype=np.uint64)
    nonempty = np.flatnonzero(np.diff(bounds) > 0)
    if nonempty.size == 0:
        return sig
    starts = bounds[nonempty]
    hashed = np.empty_like(shingles)
    with np.errstate(over="ignore"):
        for j in range(config.permutations):  # 1-D passes: much faster than one broadcast 2-D pass
            np.multiply(shingles, mul[j], out=hashed)
            np.add(hashed, add[j], out=hashed)
            sig[nonempty, j] = np.minimum.reduceat(hashed, starts)
    return sig


@dataclass(frozen=True)
class Sketches:
    """Shingles, MinHash signatures and LSH band keys of a batch of texts, in input order."""

    shingles: U64  # each text's shingle hashes (repeats included), one text after the other
    bounds: I64  # text i's shingles: shingles[bounds[i]:bounds[i + 1]]
    signatures: U64  # texts × permutations
    keys: U64  # texts × bands: equal band values, equal keys
    config: NearDuplicateConfig = field(default=NEAR_DUPLICATES)

    def __len__(self) -> int:
        return int(self.bounds.size - 1)

    def has_shingles(self, i: int) -> bool:
        """Whether text ``i`` has a word (a text without one is nobody's near-duplicate)."""
        return bool(self.bounds[i + 1] > self.bounds[i])

    def shingle_set(self, i: int) -> U64:
        """Text ``i``'s shingle set: sorted unique hashes."""
        return np.unique(self.shingles[self.bounds[i] : self.bounds[i + 1]])


def band_keys(signatures: U64, config: NearDuplicateConfig = NEAR_DUPLICATES) -> U64:
    """The LSH band keys of signatures (texts × bands)."""
    bands = signatures.reshape(signatures.shape[0], config.bands, config.rows)
    key = bands[:, :, 0].copy()
    with np.errstate(over="ignore"):
        for j in range(1, config.rows):
            key = _mix(key * _MIX + bands[:, :, j])
    return key


def _batches(texts: Sequence[str | None], chars: int) -> Iterator[tuple[int, int]]:
    """Ranges of consecutive texts holding about ``chars`` characters (at least one text)."""
    lo = 0
    while lo < len(texts):
        hi, size = lo, 0
        while hi < len(texts) and (hi == lo or size + len(texts[hi] or "") <= chars):
            size += len(texts[hi] or "")
            hi += 1
        yield lo, hi
        lo = hi


def _sketch_batch(texts: Sequence[str | None], config: NearDuplicateConfig) -> Sketches:
    words, text_of = _words(texts)
    shingles, bounds = _shingles(words, text_of, len(texts), config.shingle_words)
    signatures = _signatures(shingles, bounds, config)
    return Sketches(shingles, bounds, signatures, band_keys(signatures, config), config)


def sketch(texts: Sequence[str | None], config: NearDuplicateConfig = NEAR_DUPLICATES) -> Sketches:
    """Shingle sets and signatures of ``texts`` (``None`` counts as an empty text), computed in
    batches of about ``_BATCH_CHARS`` characters (numpy's passes stay in the CPU cache)."""
    parts = [_sketch_batch(texts[lo:hi], config) for lo, hi in _batches(texts, _BATCH_CHARS)]
    if len(parts) == 1:
        return parts[0]
    if not parts:
        return _sketch_batch([], config)
    offsets = np.cumsum([0] + [p.shingles.size for p in parts[:-1]])
    return Sketches(
        np.concatenate([p.shingles for p in parts]),
        np.concatenate([[0]] + [p.bounds[1:] + off for p, off in zip(parts, offsets, strict=True)]),
        np.concatenate([p.signatures for p in parts]),
        np.concatenate([p.keys for p in parts]),
        config,
    )


def jaccard(a: U64, b: U64) -> float:
    """Exact Jaccard similarity of two sorted unique shingle arrays (0.0 when either is empty)."""
    if a.size == 0 or b.size == 0:
        return 0.0
    inter = np.intersect1d(a, b, assume_unique=True).size
    return float(inter / (a.size + b.size - inter))


def is_near_duplicate(a: str, b: str, config: NearDuplicateConfig = NEAR_DUPLICATES) -> bool:
    """The pair rule for two texts (for tests and one-off checks; batches use :func:`clusters`)."""
    sk = sketch([a, b], config)
    if not (sk.has_shingles(0) and sk.has_shingles(1)) or not (sk.keys[0] == sk.keys[1]).any():
        return False
    return jaccard(sk.shingle_set(0), sk.shingle_set(1)) >= config.jaccard


_PAIRS_PER_STEP = 1 << 18  # candidate pairs enumerated (and verified) at a time


def _bucket_steps(bands: I64, keys: U64, members: I64) -> Iterator[tuple[I64, I64, I64]]:
    """Every pair of entries that share a bucket ``(bands[e], keys[e])``, as (band, member,
    member) arrays in steps of about :data:`_PAIRS_PER_STEP` pairs: memory stays that of a step
    however crowded a bucket is. Within a bucket, the first member is the earlier entry (entries
    keep their order)."""
    if bands.size == 0:
        return
    order = np.lexsort((keys, bands))
    b, k, m = bands[order], keys[order], members[order]
    new_bucket = np.ones(b.size, dtype=np.bool_)
    new_bucket[1:] = (b[1:] != b[:-1]) | (k[1:] != k[:-1])
    starts = np.flatnonzero(new_bucket)
    ends = np.append(starts[1:], b.size)
    # entry at sorted position s pairs with the later entries of its bucket: ends - s - 1 of them
    later = np.repeat(ends, np.diff(np.append(starts, b.size))) - np.arange(b.size) - 1
    rows = np.flatnonzero(later > 0)
    if rows.size == 0:
        return
    cumulative = np.cumsum(later[rows])
    lo = 0
    while lo < rows.size:
        done = int(cumulative[lo - 1]) if lo else 0
        hi = max(lo + 1, int(np.searchsorted(cumulative, done + _PAIRS_PER_STEP, side="right")))
        step_rows, counts = rows[lo:hi], later[rows[lo:hi]]
        total = int(counts.sum())
        offsets = np.arange(total) - np.repeat(np.cumsum(counts) - counts, counts)
        partner = np.repeat(step_rows, counts) + 1 + offsets
        yield b[np.repeat(step_rows, counts)], np.repeat(m[step_rows], counts), m[partner]
        lo = hi


def bucket_pairs(bands: I64, keys: U64, members: I64, n: int) -> I64:
    """The LSH filter (condition (1)) over bucket entries — entry ``e`` puts text ``members[e]`` in
    the bucket ``(bands[e], keys[e])``: the pairs of distinct texts that share a bucket, as sorted
    unique codes ``a * n + b`` (``a < b``). Any collection of entries gives the pairs of its
    buckets, whatever their order: a bucket's entries may be gathered from anywhere."""
    codes: list[I64] = [np.zeros(0, dtype=np.int64)]
    for _, first, second in _bucket_steps(bands, keys, members):
        other = first != second  # a text given twice in one bucket is no pair
        step = np.minimum(first, second)[other] * n + np.maximum(first, second)[other]
        codes.append(np.unique(step))
    return np.unique(np.concatenate(codes))


def first_band_pairs(keys: U64) -> Iterator[tuple[I64, I64]]:
    """The LSH filter (condition (1)) over texts' band keys (texts × bands), each pair once: the
    rows ``a < b`` that share a bucket, each pair given in the first band where the two share one,
    in steps of about :data:`_PAIRS_PER_STEP` pairs (memory: a step's, not every candidate's —
    templated texts crowd some buckets with thousands of texts)."""
    n, n_bands = keys.shape
    members = np.arange(n, dtype=np.int64)
    bands = np.tile(np.arange(n_bands, dtype=np.int64), n)
    for band_of, first, second in _bucket_steps(bands, keys.ravel(), np.repeat(members, n_bands)):
        earlier = np.zeros(first.size, dtype=np.bool_)  # the two share a bucket in an earlier band
        for band in range(n_bands - 1):
            earlier |= (band < band_of) & (keys[first, band] == keys[second, band])
        yield first[~earlier], second[~earlier]


def shingle_sets(shingles: U64, bounds: I64) -> tuple[U64, I64]:
    """Texts' shingles (``shingles[bounds[i]:bounds[i + 1]]``, repeats allowed) as sorted unique
    sets, in the same layout."""
    owner = np.repeat(np.arange(bounds.size - 1, dtype=np.int64), np.diff(bounds))
    order = np.lexsort((shingles, owner))
    values, owner = shingles[order], owner[order]
    first = np.ones(values.size, dtype=np.bool_)
    first[1:] = (values[1:] != values[:-1]) | (owner[1:] != owner[:-1])
    values, owner = values[first], owner[first]
    return values, np.searchsorted(owner, np.arange(bounds.size)).astype(np.int64)


_BIN_BITS = 7  # the verification's filter counts each set's shingles in 2**7 bins
_PAIRS_AT_ONCE = 1 << 16
_TEXTS_AT_ONCE = 1 << 12


BinCounts = npt.NDArray[np.uint8] | npt.NDArray[np.uint16] | npt.NDArray[np.uint32]


def _narrowest(counts: npt.NDArray[np.integer[Any]]) -> BinCounts:
    """Non-negative counts in the narrowest unsigned type that holds the largest of them."""
    most = int(counts.max()) if counts.size else 0
    if most < 1 << 8:
        return counts.astype(np.uint8, copy=False)
    if most < 1 << 16:
        return counts.astype(np.uint16, copy=False)
    return counts.astype(np.uint32, copy=False)


@dataclass(frozen=True)
class ShingleSets:
    """Texts' sorted unique shingle sets (``sets[bounds[i]:bounds[i + 1]]``) ready for the exact
    check of many pairs (:meth:`near_duplicates`): each set's shingles counted in ``2**7`` bins by
    their top bits (the filter's upper bound, see :meth:`near_duplicates`)."""

    sets: U64
    bounds: I64
    bins: BinCounts  # texts × 2**7

    @classmethod
    def of(cls, sets: U64, bounds: I64) -> ShingleSets:
        sizes = np.diff(bounds)
        width = 1 << _BIN_BITS
        top = np.uint64(64 - _BIN_BITS)
        # Each block's counts in the narrowest type that holds them (the filter reads these rows
        # for every pair), so that the whole table is never held as int64.
        blocks: list[BinCounts] = [np.zeros((0, width), dtype=np.uint8)]
        for lo in range(0, sizes.size, _TEXTS_AT_ONCE):  # a block of texts at a time (int64 counts)
            hi = min(lo + _TEXTS_AT_ONCE, sizes.size)
            owner = np.repeat(np.arange(hi - lo, dtype=np.int64), sizes[lo:hi])
            cells = owner * width + (sets[bounds[lo] : bounds[hi]] >> top).astype(np.int64)
            blocks.append(_narrowest(np.bincount(cells, minlength=(hi - lo) * width).reshape(hi - lo, width)))
        return cls(sets, bounds, _narrowest(np.concatenate(blocks)))

    def near_duplicates(
        self, first: I64, second: I64, config: NearDuplicateConfig = NEAR_DUPLICATES
    ) -> tuple[I64, list[float]]:
        """Condition (2) for candidate pairs of texts: the positions ``k`` (ascending) where texts
        ``first[k]`` and ``second[k]`` have a Jaccard similarity (:func:`jaccard`) of at least the
        threshold, and that similarity.

        Each pair that could pass is decided by :func:`jaccard`; a pair is set aside before only
        when an upper bound of its similarity is below the threshold. The bound: the shingles two
        sets share in a bin are at most the smaller of their two counts, so the sum of those minima
        ``u`` bounds the intersection, and ``u / (|a| + |b| - u)`` the similarity (computed as
        :func:`jaccard` computes it: the rounding keeps the order). Random pairs from crowded
        buckets are set aside at a few µs a thousand."""
        sizes = np.diff(self.bounds)
        sets, bounds = self.sets, self.bounds
        kept: list[I64] = [np.zeros(0, dtype=np.int64)]
        for lo in range(0, first.size, _PAIRS_AT_ONCE):
            one, other = first[lo : lo + _PAIRS_AT_ONCE], second[lo : lo + _PAIRS_AT_ONCE]
            bound = np.minimum(self.bins[one], self.bins[other]).sum(axis=1, dtype=np.int64)
            union = sizes[one] + sizes[other] - bound
            ratio = np.divide(bound, union, out=np.zeros(bound.size), where=union > 0)
            kept.append(lo + np.flatnonzero(ratio >= config.jaccard))
        positions: list[int] = []
        similarities: list[float] = []
        for k in np.concatenate(kept).tolist():
            a, b = int(first[k]), int(second[k])
            sim = jaccard(sets[bounds[a] : bounds[a + 1]], sets[bounds[b] : bounds[b + 1]])
            if sim >= config.jaccard:
                positions.append(k)
                similarities.append(sim)
        return np.array(positions, dtype=np.int64), similarities


def near_duplicate_pairs(
    sets: U64, bounds: I64, first: I64, second: I64, config: NearDuplicateConfig = NEAR_DUPLICATES
) -> tuple[I64, list[float]]:
    """Condition (2) for candidate pairs of texts (sorted unique shingle sets
    ``sets[bounds[i]:bounds[i + 1]]``): :meth:`ShingleSets.near_duplicates`."""
    return ShingleSets.of(sets, bounds).near_duplicates(first, second, config)


def _components(n: int, pairs: Iterable[tuple[int, int]]) -> I64:
    """The smallest index of each element's connected component (union-find)."""
    return _joined(np.arange(n, dtype=np.int64), pairs)


def _joined(roots: I64, pairs: Iterable[tuple[int, int]]) -> I64:
    """``roots`` (each element's component's smallest index) with the components of ``pairs``
    joined: again each element's component's smallest index."""
    parent = roots.copy()

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = int(parent[x])
        return x

    for a, b in pairs:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    while True:  # point every element at its root
        nxt = parent[parent]
        if np.array_equal(nxt, parent):
            return parent
        parent = nxt


def _sharing(keys: U64, group_code: I64) -> npt.NDArray[np.bool_]:
    """Which texts (rows of band keys) share a bucket with a text of another group."""
    out = np.zeros(keys.shape[0], dtype=np.bool_)
    for band in range(keys.shape[1] if keys.shape[0] else 0):
        order = np.lexsort((group_code, keys[:, band]))
        key, code = keys[order, band], group_code[order]
        new_bucket = np.ones(key.size, dtype=np.bool_)
        new_bucket[1:] = key[1:] != key[:-1]
        bucket = np.cumsum(new_bucket) - 1
        starts = np.flatnonzero(new_bucket)
        ends = np.append(starts[1:], key.size) - 1
        mixed = code[starts] != code[ends]  # sorted by group within a bucket: two groups or more
        out[order[mixed[bucket]]] = True
    return out


def _shingle_sets_of(
    texts: Sequence[str | None], rows: Sequence[int], config: NearDuplicateConfig
) -> tuple[U64, I64]:
    """The sorted unique shingle sets of ``texts[i]`` for ``i`` in ``rows`` (:func:`shingle_sets`
    layout), sketched a batch of about ``_SUMMARY_CHARS`` characters at a time."""
    sets: list[U64] = [np.zeros(0, dtype=np.uint64)]
    bounds: list[I64] = [np.zeros(1, dtype=np.int64)]
    done = 0
    for _, batch in _text_batches(texts, rows):
        sk = sketch(batch, config)
        values, ends = shingle_sets(sk.shingles, sk.bounds)
        sets.append(values)
        bounds.append(ends[1:] + done)
        done += values.size
    return np.concatenate(sets), np.concatenate(bounds)


def _text_batches(texts: Sequence[str | None], rows: Sequence[int]) -> Iterator[tuple[list[int], list[str]]]:
    """``texts[i]`` for ``i`` in ``rows`` (``None`` as ""), with their rows, in batches of about
    ``_SUMMARY_CHARS`` characters: texts may be read lazily, and are sketched a batch at a time."""
    batch: list[int] = []
    batch_texts: list[str] = []
    chars = 0
    for i in rows:
        text = texts[i] or ""
        batch.append(i)
        batch_texts.append(text)
        chars += len(text)
        if chars >= _SUMMARY_CHARS:
            yield batch, batch_texts
            batch, batch_texts, chars = [], [], 0
    if batch:
        yield batch, batch_texts


def clusters(
    texts: Sequence[str | None],
    *,
    groups: Sequence[object] | None = None,
    config: NearDuplicateConfig = NEAR_DUPLICATES,
) -> I64:
    """The near-duplicate cluster of each text, named by the smallest index in it.

    With ``groups`` (e.g. the split of each text) only pairs from different groups are checked:
    the clusters then show exactly which texts have a near-duplicate in another group (a cluster
    spans two groups if and only if one of its pairs does), for less work."""
    n = len(texts)
    if groups is not None and len(groups) != n:
        raise ValueError(f"clusters: {len(groups)} groups for {n} texts")
    group_of = [str(g) for g in groups] if groups is not None else [""] * n
    # Texts with the same shingles are near-duplicates by the rule (same signature, Jaccard 1):
    # they are joined directly, and one per shingle set and group stands for the others in the
    # LSH step (many copies of one text would otherwise make a quadratic number of candidates).
    # A shingle set is recognised by its size and a 64-bit sum of its hashes.
    pairs: list[tuple[int, int]] = []
    first_of_set: dict[tuple[int, int], int] = {}
    represented: set[tuple[int, int, str]] = set()
    reps: list[int] = []
    keys: list[U64] = [np.zeros((0, config.bands), dtype=np.uint64)]

    def add_batch(batch: list[int], batch_texts: list[str]) -> None:
        sk = sketch(batch_texts, config)
        sizes = np.diff(sk.bounds)
        with_words = np.flatnonzero(sizes > 0)  # a text without words joins nothing
        if with_words.size == 0:
            return
        with np.errstate(over="ignore"):
            sums = np.add.reduceat(_mix(sk.shingles ^ _MIX), sk.bounds[with_words])
        take: list[int] = []
        for k, total in zip(with_words.tolist(), sums.tolist(), strict=True):
            i, key = batch[k], (int(sizes[k]), total)
            same = first_of_set.setdefault(key, i)
            if same != i:
                pairs.append((same, i))
            if (*key, group_of[i]) not in represented:
                represented.add((*key, group_of[i]))
                reps.append(i)
                take.append(k)
        keys.append(sk.keys[take])

    for batch, batch_texts in _text_batches(texts, range(n)):
        add_batch(batch, batch_texts)
    rep_keys = np.concatenate(keys)
    rep_index = np.array(reps, dtype=np.int64)  # ascending
    # Pairs from different groups only: the groups as codes (each text its own without groups).
    if groups is not None:
        group_code = np.unique(np.array(group_of, dtype=object), return_inverse=True)[1][rep_index]
    else:
        group_code = np.arange(rep_index.size, dtype=np.int64)
    # The texts that have a candidate: they alone are sketched again to verify their pairs.
    involved = _sharing(rep_keys, group_code)
    row_of = np.cumsum(involved) - 1  # a representative's position among the involved
    verifier = ShingleSets.of(*_shingle_sets_of(texts, rep_index[involved].tolist(), config))
    # Components are joined step by step; a candidate whose two texts are already in one component
    # is not verified (its pair cannot change the components): a tight cluster of many texts costs
    # about one check per text, not one per pair.
    roots = _components(n, pairs)
    for first, second in first_band_pairs(rep_keys):  # candidates step by step, each pair once
        apart = roots[rep_index[first]] != roots[rep_index[second]]
        if groups is not None:
            apart &= group_code[first] != group_code[second]
        first, second = first[apart], second[apart]
        at, _ = verifier.near_duplicates(row_of[first], row_of[second], config)
        roots = _joined(
            roots, zip(rep_index[first[at]].tolist(), rep_index[second[at]].tolist(), strict=True)
        )
    return roots


@dataclass
class NearDuplicateIndex:
    """Texts added one at a time (:meth:`add`); :meth:`find` names the added text that a new one
    nearly duplicates (the most similar; the earliest added among equals) by the pair rule."""

    config: NearDuplicateConfig = NEAR_DUPLICATES
    _keys: list[str] = field(default_factory=list)
    _shingles: list[U64] = field(default_factory=list)
    _sets: dict[int, U64] = field(default_factory=dict)  # sorted unique, made when first compared
    _buckets: dict[tuple[int, int], list[int]] = field(default_factory=dict)

    def _set(self, entry: int) -> U64:
        found = self._sets.get(entry)
        if found is None:
            found = self._sets[entry] = np.unique(self._shingles[entry])
        return found

    def find(self, sk: Sketches, i: int = 0) -> tuple[str, float] | None:
        """The added text that text ``i`` of ``sk`` nearly duplicates, with the Jaccard similarity."""
        if not sk.has_shingles(i):
            return None
        candidates: set[int] = set()
        for band, key in enumerate(sk.keys[i].tolist()):
            candidates.update(self._buckets.get((band, key), ()))
        if not candidates:
            return None
        mine = sk.shingle_set(i)
        best: tuple[int, float] | None = None
        for entry in sorted(candidates):
            sim = jaccard(mine, self._set(entry))
            if sim >= self.config.jaccard and (best is None or sim > best[1]):
                best = (entry, sim)
        return None if best is None else (self._keys[best[0]], best[1])

    def add(self, key: str, sk: Sketches, i: int = 0) -> None:
        """Add text ``i`` of ``sk`` under ``key`` (a text without shingles is nobody's duplicate)."""
        if not sk.has_shingles(i):
            return
        entry = len(self._keys)
        self._keys.append(key)
        self._shingles.append(sk.shingles[sk.bounds[i] : sk.bounds[i + 1]].copy())
        for band, band_key in enumerate(sk.keys[i].tolist()):
            self._buckets.setdefault((band, band_key), []).append(entry)


def sketch_each(
    texts: Sequence[str | None], config: NearDuplicateConfig = NEAR_DUPLICATES
) -> Iterator[tuple[Sketches, int]]:
    """For each text in order: the sketches of its batch and its index there (batches of about
    ``_BATCH_CHARS`` characters are sketched together, far faster than one text at a time)."""
    for lo, hi in _batches(texts, _BATCH_CHARS):
        sk = _sketch_batch(texts[lo:hi], config)
        for i in range(hi - lo):
            yield sk, i
