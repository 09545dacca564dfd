"""Article identity and duplicates.

``article_id`` is the given id, else ``sb-`` + the first 16 hex digits of the sha256 of the
article's source key (its path below the input folder and its record number: see
``RawArticle.source_key``), so that a corrected text keeps its id (the text's sha256 is the version,
``text_sha256``); without a source key, of the clean text's sha256. Stable across runs and machines.

Exact duplicates share an id or a clean text; near-duplicates
share ≥ 90 % of their word 5-gram shingles (Jaccard), found by MinHash LSH and then checked exactly
(shingles are hashed vectorised with numpy).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
import numpy.typing as npt

SHINGLE = 5
NEAR_DUPLICATE_JACCARD = 0.9
_SKETCH = 4
_WORD = re.compile(r"\w+")


def text_sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def derive_article_id(
    given: str | None, clean_text: str, text_digest: str | None = None, source_key: str | None = None
) -> str:
    """The given id, else ``sb-`` + 16 hex digits of the sha256 of ``source_key`` (where the article
    sits in its input: editing its text keeps the id), else of the clean text's sha256 (pass
    ``text_digest`` when it is already computed)."""
    if given is not None and given.strip():
        return given.strip()
    if source_key:
        return "sb-" + text_sha256("source:" + source_key)[:16]
    return "sb-" + (text_digest or text_sha256(clean_text))[:16]


_BANDS, _ROWS = 5, 4  # 20 MinHash values; a pair with Jaccard 0.9 shares a band with p ≈ 0.99
_PERMUTATIONS = _BANDS * _ROWS
_RNG = np.random.default_rng(20240901)
# MinHash by multiply-add hashing (mod 2**64): h_k(x) = a_k * x + b_k with odd a_k
_MUL = _RNG.integers(0, 2**63, size=_PERMUTATIONS, dtype=np.uint64) * np.uint64(2) + np.uint64(1)
_ADD = _RNG.integers(0, 2**63, size=_PERMUTATIONS, dtype=np.uint64)
_MIX = np.uint64(0x9E3779B97F4A7C15)  # combines the word hashes of a shingle
# A candidate whose MinHash agreement is far below the threshold is not checked exactly: with 20
# values and a true Jaccard >= 0.9, fewer than 12 agreements has probability < 1e-4.
_MIN_AGREEMENT = 12


_P = 0x100000001B3  # odd, so it has an inverse modulo 2**64
_P_INV = pow(_P, -1, 2**64)
_ONE = np.ones(1, dtype=np.uint64)
_ZERO = np.zeros(1, dtype=np.uint64)
_START = np.zeros(1, dtype=np.intp)
_POWERS: list[npt.NDArray[np.uint64]] = []  # [P**i, P**-i] for i < len, grown on demand


def _powers(n: int) -> tuple[npt.NDArray[np.uint64], npt.NDArray[np.uint64]]:
    if not _POWERS or _POWERS[0].size < n:
        size = max(n, 2 * (_POWERS[0].size if _POWERS else 4096))
        pw = np.cumprod(np.full(size, _P, dtype=np.uint64), dtype=np.uint64)
        inv = np.cumprod(np.full(size, _P_INV, dtype=np.uint64), dtype=np.uint64)
        # index i holds P**i: shift by one so that index 0 is 1
        _POWERS[:] = [
            np.concatenate((_ONE, pw[:-1])),
            np.concatenate((_ONE, inv[:-1])),
        ]
    return _POWERS[0], _POWERS[1]


_MULTI = np.uint16(0xFFFF)  # in the fold table: this code point casefolds to several (U+FFFF is no word)
_ABOVE_BMP = 0x10000  # the fold table's last index stands for every code point above the BMP


@lru_cache(maxsize=1)
def _fold_table() -> npt.NDArray[np.uint16]:
    """For each BMP code point, what ``str.casefold`` makes of it for hashing: 0 when the folded
    character is not a word character (``\\w``: letters, digits, underscore), the folded code point
    when it is, :data:`_MULTI` when it folds to several characters (``ß`` → ``ss``). One more entry,
    0, for everything above the BMP (emoji and the like are not words here)."""
    table = np.zeros(_ABOVE_BMP + 1, dtype=np.uint16)  # 128 KiB: small enough to stay in cache
    for i in range(_ABOVE_BMP):
        folded = chr(i).casefold()
        if len(folded) != 1:
            table[i] = _MULTI
        elif (folded.isalnum() or folded == "_") and ord(folded) < _ABOVE_BMP:
            table[i] = ord(folded)
    return table


def _folded_codepoints(text: str) -> npt.NDArray[np.uint16]:
    """The casefolded code points of ``text`` with every non-word character set to 0. One table
    lookup per character; ``str.casefold`` runs only for text with a multi-character fold (its
    output has none: casefolding is idempotent, so the second lookup finds no :data:`_MULTI`)."""
    table = _fold_table()
    cp = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)
    folded: npt.NDArray[np.uint16] = table[np.minimum(cp, _ABOVE_BMP)]
    if folded.size and folded.max() == _MULTI:
        cp = np.frombuffer(text.casefold().encode("utf-32-le"), dtype=np.uint32)
        folded = table[np.minimum(cp, _ABOVE_BMP)]
    return folded


def word_hashes(text: str) -> npt.NDArray[np.uint64]:
    """64-bit polynomial hashes of the casefolded words of ``text``, vectorised: prefix sums of
    ``c_j * P**-j`` (mod 2**64) give every word's hash ``sum c_j * P**(end-1-j)`` by one subtraction
    and one multiplication. Deterministic across processes and machines."""
    cp = _folded_codepoints(text)
    if cp.size == 0:
        return np.zeros(0, dtype=np.uint64)
    is_word = cp != 0
    # word boundaries: where word-ness changes, plus the ends when the text starts or ends in a word
    bounds = np.flatnonzero(is_word[1:] != is_word[:-1]) + 1
    if is_word[0]:
        bounds = np.concatenate((_START, bounds))
    if is_word[-1]:
        bounds = np.concatenate((bounds, np.array([cp.size])))
    if bounds.size == 0:
        return np.zeros(0, dtype=np.uint64)
    starts, ends = bounds[0::2], bounds[1::2]
    pw, inv = _powers(cp.size)
    prefix = np.concatenate(
        (_ZERO, np.cumsum((cp.astype(np.uint64) + np.uint64(1)) * inv[: cp.size], dtype=np.uint64))
    )
    return (prefix[ends] - prefix[starts]) * pw[ends - 1]


def shingles(text: str) -> npt.NDArray[np.uint64]:
    """Sorted unique 64-bit hashes of the word 5-grams (casefolded), computed vectorised."""
    h = word_hashes(text)
    if h.size == 0:
        return np.zeros(1, dtype=np.uint64)
    if h.size < SHINGLE:
        acc = h[:1].copy()
        for k in range(1, h.size):
            acc = acc * _MIX + h[k : k + 1]
        return acc
    n = h.size - SHINGLE + 1
    acc = h[:n].copy()
    for k in range(1, SHINGLE):
        acc *= _MIX
        acc += h[k : k + n]
    acc.sort()
    # np.unique without its overhead: keep each value where it differs from its predecessor
    keep = np.empty(n, dtype=np.bool_)
    keep[0] = True
    np.not_equal(acc[1:], acc[:-1], out=keep[1:])
    return acc[keep]


def minhash(sig: npt.NDArray[np.uint64]) -> npt.NDArray[np.uint64]:
    """The 20 MinHash values of a shingle set."""
    return (sig[None, :] * _MUL[:, None] + _ADD[:, None]).min(axis=1)  # type: ignore[no-any-return]


def jaccard(a: npt.NDArray[np.uint64], b: npt.NDArray[np.uint64]) -> float:
    """Exact Jaccard similarity of two sorted unique shingle arrays."""
    if a.size == 0 and b.size == 0:
        return 1.0
    inter = np.intersect1d(a, b, assume_unique=True).size
    return float(inter / (a.size + b.size - inter))


@dataclass
class DuplicateIndex:
    """Online duplicate detection over articles in input order (the first one wins). Near-duplicate
    candidates come from MinHash LSH (5 bands of 4); a candidate is checked with the exact Jaccard
    only when its size is compatible with the threshold and its MinHash agreement is high enough."""

    threshold: float = NEAR_DUPLICATE_JACCARD
    _ids: dict[str, str] = field(default_factory=dict)
    _texts: dict[str, str] = field(default_factory=dict)
    _sets: dict[str, npt.NDArray[np.uint64]] = field(default_factory=dict)
    _hashes: dict[str, npt.NDArray[np.uint64]] = field(default_factory=dict)
    _bands: dict[tuple[int, bytes], list[str]] = field(default_factory=dict)
    _last: tuple[npt.NDArray[np.uint64], npt.NDArray[np.uint64]] | None = None

    def exact(self, article_id: str, text_hash: str) -> str | None:
        """The id of an earlier article with the same id or the same clean text."""
        if article_id in self._ids:
            return article_id
        return self._texts.get(text_hash)

    def _minhash(self, sig: npt.NDArray[np.uint64]) -> npt.NDArray[np.uint64]:
        """MinHash of ``sig``, reused between :meth:`near` and :meth:`add` of the same article."""
        if self._last is not None and self._last[0] is sig:
            return self._last[1]
        mh = minhash(sig)
        self._last = (sig, mh)
        return mh

    @staticmethod
    def _keys(mh: npt.NDArray[np.uint64]) -> list[tuple[int, bytes]]:
        return [(b, mh[b * _ROWS : (b + 1) * _ROWS].tobytes()) for b in range(_BANDS)]

    def near(self, text: str, sig: npt.NDArray[np.uint64] | None = None) -> tuple[str, float] | None:
        """The earlier article this one nearly duplicates, with the Jaccard similarity."""
        sig = shingles(text) if sig is None else sig
        mh = self._minhash(sig)
        best: tuple[str, float] | None = None
        seen: set[str] = set()
        for key in self._keys(mh):
            for other in self._bands.get(key, ()):
                if other in seen:
                    continue
                seen.add(other)
                theirs = self._sets[other]
                small, large = sorted((sig.size, theirs.size))
                if small < self.threshold * large:
                    continue  # Jaccard <= |small| / |large|
                if int((self._hashes[other] == mh).sum()) < _MIN_AGREEMENT:
                    continue
                sim = jaccard(sig, theirs)
                if sim >= self.threshold and (best is None or sim > best[1]):
                    best = (other, sim)
        return best

    def add(
        self, article_id: str, text_hash: str, text: str, sig: npt.NDArray[np.uint64] | None = None
    ) -> None:
        self._ids[article_id] = article_id
        self._texts.setdefault(text_hash, article_id)
        sig = shingles(text) if sig is None else sig
        mh = self._minhash(sig)
        self._sets[article_id] = sig
        self._hashes[article_id] = mh
        for key in self._keys(mh):
            self._bands.setdefault(key, []).append(article_id)
