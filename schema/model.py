"""Domain types every stage reasons with (frozen dataclasses).

Wire types — what Label Studio files hold — are in :mod:`stancebank.schema.wire`; the conversion
from these types to Label Studio results is there too, in one place.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Origin:
    """Where an article came from: a file and, for batch files, the line or record number."""

    file: str
    line: int | None = None
    record: int | None = None

    def describe(self) -> str:
        where = self.file
        if self.line is not None:
            where += f":{self.line}"
        if self.record is not None:
            where += f" record {self.record}"
        return where


@dataclass(frozen=True)
class Article:
    """A cleaned article. ``text`` is the canonical text every offset refers to, forever."""

    article_id: str
    text: str
    title: str | None = None
    url: str | None = None
    source: str | None = None
    published: str | None = None
    language: str | None = None
    raw_sha256: str | None = None
    text_sha256: str | None = None
    cleaner_version: str | None = None
    origin: Origin | None = None


@dataclass(frozen=True, slots=True)
class Span:
    """A labeled region ``text[start:end]`` (Unicode code points) with its attributes."""

    id: str
    label: str
    start: int
    end: int
    text: str
    attributes: dict[str, str] = field(default_factory=dict)
    score: float | None = None


@dataclass(frozen=True, slots=True)
class Relation:
    """A directed, labeled relation between two spans of the same text."""

    from_id: str
    to_id: str
    label: str
    score: float | None = None


@dataclass(frozen=True, slots=True)
class Annotation:
    """One annotator's (or one model's) spans and relations on one article."""

    article_id: str
    annotation_id: str
    annotator: str
    spans: tuple[Span, ...]
    relations: tuple[Relation, ...]
    ground_truth: bool = False
    was_cancelled: bool = False
    updated_at: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)
