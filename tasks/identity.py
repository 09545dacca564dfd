"""Article identity and duplicates.

``article_id`` is the given id, else ``sb-`` + the first 16 hex digits of the clean text's sha256
(stable across runs and machines). Exact duplicates share an id or a clean text; near-duplicates
share ≥ 90 % of their word 5-gram shingles (Jaccard), found by MinHash LSH and then checked exactly.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field

import numpy as np

SHINGLE = 5
NEAR_DUPLICATE_JACCARD = 0.9
_SKETCH = 4
_WORD = re.compile(r"\w+")


def text_sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def derive_article_id(given: str | None, clean_text: str) -> str:
    if given is not None and given.strip():
        return given.strip()
    return "sb-" + text_sha256(clean_text)[:16]


_BANDS, _ROWS = 5, 4  # 20 MinHash values; a pair with Jaccard 0.9 shares a band with p ≈ 0.99
_MASKS = np.random.default_rng(20240901).integers(0, 2**63, size=_BANDS * _ROWS, dtype=np.uint64)


def shingles(text: str) -> frozenset[int]:
    """Hashes of the word 5-grams (casefolded); one process's hashes are only compared with each other."""
    words = [w.casefold() for w in _WORD.findall(text)]
    if len(words) < SHINGLE:
        return frozenset({hash(" ".join(words))})
    return frozenset(map(hash, zip(*(words[i:] for i in range(SHINGLE)), strict=False)))


def minhash(sig: frozenset[int]) -> tuple[int, ...]:
    values = np.fromiter((h & 0xFFFFFFFFFFFFFFFF for h in sig), dtype=np.uint64, count=len(sig))
    return tuple(int(v) for v in np.bitwise_xor(values[None, :], _MASKS[:, None]).min(axis=1))


def jaccard(a: frozenset[int], b: frozenset[int]) -> float:
    if not a and not b:
        return 1.0
    return len(a & b) / len(a | b)


@dataclass
class DuplicateIndex:
    """Online duplicate detection over articles in input order (the first one wins). Near-duplicate
    candidates come from MinHash LSH (5 bands of 4) and are then checked with the exact Jaccard."""

    threshold: float = NEAR_DUPLICATE_JACCARD
    _ids: dict[str, str] = field(default_factory=dict)
    _texts: dict[str, str] = field(default_factory=dict)
    _sets: dict[str, frozenset[int]] = field(default_factory=dict)
    _bands: dict[tuple[int, tuple[int, ...]], list[str]] = field(default_factory=dict)

    def exact(self, article_id: str, text_hash: str) -> str | None:
        """The id of an earlier article with the same id or the same clean text."""
        if article_id in self._ids:
            return article_id
        return self._texts.get(text_hash)

    @staticmethod
    def _keys(sig: frozenset[int]) -> list[tuple[int, tuple[int, ...]]]:
        mh = minhash(sig)
        return [(b, mh[b * _ROWS : (b + 1) * _ROWS]) for b in range(_BANDS)]

    def near(self, text: str, sig: frozenset[int] | None = None) -> tuple[str, float] | None:
        """The earlier article this one nearly duplicates, with the Jaccard similarity."""
        sig = shingles(text) if sig is None else sig
        best: tuple[str, float] | None = None
        seen: set[str] = set()
        for key in self._keys(sig):
            for other in self._bands.get(key, ()):
                if other in seen:
                    continue
                seen.add(other)
                sim = jaccard(sig, self._sets[other])
                if sim >= self.threshold and (best is None or sim > best[1]):
                    best = (other, sim)
        return best

    def add(self, article_id: str, text_hash: str, text: str, sig: frozenset[int] | None = None) -> None:
        self._ids[article_id] = article_id
        self._texts.setdefault(text_hash, article_id)
        sig = shingles(text) if sig is None else sig
        self._sets[article_id] = sig
        for key in self._keys(sig):
            self._bands.setdefault(key, []).append(article_id)
