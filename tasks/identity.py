"""Article identity and duplicates.

``article_id`` is the given id, else ``sb-`` + the first 16 hex digits of the sha256 of the
article's source key (its path below the input folder and its record number: see
``RawArticle.source_key``), so that a corrected text keeps its id (the text's sha256 is the version,
``text_sha256``); without a source key, of the clean text's sha256. Stable across runs and machines.

Exact duplicates share an id or a clean text; near-duplicates are decided by the project's one
definition, :mod:`stancebank.schema.neardup` (the export puts near-duplicates into one split and
validation checks that with the same rule).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from stancebank.schema.neardup import NEAR_DUPLICATES, NearDuplicateConfig, NearDuplicateIndex, Sketches


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


@dataclass
class DuplicateIndex:
    """Online duplicate detection over articles in input order (the first one wins): exact
    duplicates by id or clean-text hash, near-duplicates by :mod:`stancebank.schema.neardup`."""

    config: NearDuplicateConfig = NEAR_DUPLICATES
    _ids: set[str] = field(default_factory=set)
    _texts: dict[str, str] = field(default_factory=dict)
    _near: NearDuplicateIndex = field(init=False)

    def __post_init__(self) -> None:
        self._near = NearDuplicateIndex(self.config)

    def exact(self, article_id: str, text_hash: str) -> str | None:
        """The id of an earlier article with the same id or the same clean text."""
        if article_id in self._ids:
            return article_id
        return self._texts.get(text_hash)

    def near(self, sketches: Sketches, i: int = 0) -> tuple[str, float] | None:
        """The earlier article that text ``i`` of ``sketches`` nearly duplicates, with the Jaccard
        similarity."""
        return self._near.find(sketches, i)

    def add(self, article_id: str, text_hash: str, sketches: Sketches, i: int = 0) -> None:
        self._ids.add(article_id)
        self._texts.setdefault(text_hash, article_id)
        self._near.add(article_id, sketches, i)
