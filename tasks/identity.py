"""Article identity and duplicates.

``article_id`` is the given id, else ``sb-`` + the first 16 hex digits of the clean text's sha256
(stable across runs and machines). Exact duplicates share an id or a clean text; near-duplicates
share ≥ 90 % of their word 5-gram shingles (Jaccard), found through a bottom-k sketch index and then
checked exactly.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field

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


def shingles(text: str) -> frozenset[int]:
    words = [w.casefold() for w in _WORD.findall(text)]
    if len(words) < SHINGLE:
        return frozenset({int.from_bytes(hashlib.blake2b(" ".join(words).encode(), digest_size=8).digest())})
    return frozenset(
        int.from_bytes(hashlib.blake2b(" ".join(words[i : i + SHINGLE]).encode(), digest_size=8).digest())
        for i in range(len(words) - SHINGLE + 1)
    )


def jaccard(a: frozenset[int], b: frozenset[int]) -> float:
    if not a and not b:
        return 1.0
    return len(a & b) / len(a | b)


@dataclass
class DuplicateIndex:
    """Online duplicate detection over articles in input order (the first one wins)."""

    threshold: float = NEAR_DUPLICATE_JACCARD
    _ids: dict[str, str] = field(default_factory=dict)
    _texts: dict[str, str] = field(default_factory=dict)
    _sets: dict[str, frozenset[int]] = field(default_factory=dict)
    _sketch: dict[int, list[str]] = field(default_factory=dict)

    def exact(self, article_id: str, text_hash: str) -> str | None:
        """The id of an earlier article with the same id or the same clean text."""
        if article_id in self._ids:
            return article_id
        return self._texts.get(text_hash)

    def near(self, text: str) -> tuple[str, float] | None:
        """The earlier article this one nearly duplicates, with the Jaccard similarity."""
        sig = shingles(text)
        best: tuple[str, float] | None = None
        seen: set[str] = set()
        for h in sorted(sig)[:_SKETCH]:
            for other in self._sketch.get(h, ()):
                if other in seen:
                    continue
                seen.add(other)
                sim = jaccard(sig, self._sets[other])
                if sim >= self.threshold and (best is None or sim > best[1]):
                    best = (other, sim)
        return best

    def add(self, article_id: str, text_hash: str, text: str) -> None:
        self._ids[article_id] = article_id
        self._texts.setdefault(text_hash, article_id)
        sig = shingles(text)
        self._sets[article_id] = sig
        for h in sorted(sig)[:_SKETCH]:
            self._sketch.setdefault(h, []).append(article_id)
