"""Article identity and duplicates.

``article_id`` is the given id, else ``sb-`` + the first 16 hex digits of the sha256 of the
article's source key (its path below the input folder and its record number: see
``RawArticle.source_key``), so that a corrected text keeps its id (the text's sha256 is the version,
``text_sha256``); without a source key, of the clean text's sha256. Stable across runs and machines.

Exact duplicates share an id or a clean text; near-duplicates are decided by the project's one
definition, :mod:`stancebank.schema.neardup` (the export puts near-duplicates into one split and
validation checks that with the same rule). Which copy a build keeps: :mod:`stancebank.tasks.dedup`.
"""

from __future__ import annotations

import hashlib


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
