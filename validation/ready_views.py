"""Checks of a release's ready views, over whole columns (pyarrow / numpy, no loop over rows):

- ``sentence_bounds``: every sentence of ``documents`` lies in its article's text
  (``0 <= start < end <= len(text)``), the sentences of an article are in text order and do not
  overlap, and none starts or ends with whitespace;
- ``claim_context``: a ``claims`` row's context (``sentence_start``/``sentence_end``) contains
  the claim (its text against the article is checked by ``span_text_matches``);
- ``stance_view``: the ``stance`` config holds exactly the ``claims`` rows that have a stance,
  with the same claim, target, canonical target, stance, context and language.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from stancebank.schema.columns import CLAIM_COLUMNS, STANCE_COLUMNS
from stancebank.schema.features import ARTICLE_ID
from stancebank.schema.layout import split_of
from stancebank.schema.spec import SPEC, AnnotationSpec
from stancebank.validation.config import ValidationConfig
from stancebank.validation.report import Finding
from stancebank.validation.runner import make_finding

FILE = "_file"
# findings of one kind shown one by one; the rest are counted in one more finding
SHOWN = 20


def _read(root: Path, config: str, columns: list[str]) -> pa.Table | None:
    """The rows of a config over all its splits (with its ``split`` and file), or None when it has no
    file, lacks a column or has a file that cannot be read (the integrity and data checks report
    those)."""
    tables = []
    for path in sorted((root / "data" / config).glob("*.parquet")):
        try:
            if not set(columns) <= set(pq.read_schema(path).names):
                return None
            tbl = pq.read_table(path, columns=columns)
        except (OSError, pa.ArrowException):
            return None
        tbl = tbl.append_column("split", pa.array([split_of(path)] * tbl.num_rows, pa.string()))
        tables.append(tbl.append_column(FILE, pa.array([str(path)] * tbl.num_rows, pa.string())))
    return pa.concat_tables(tables) if tables else None


class _Place(NamedTuple):
    """Where a ready-view check failed: the file, what is wrong there, and (for the JSON and
    GitHub outputs) the article and the span (claim) id."""

    file: str
    detail: str
    article_id: str | None = None
    span_id: str | None = None


def _findings(check: str, config: ValidationConfig, where: list[_Place], message: str) -> list[Finding]:
    out = [
        replace(
            make_finding(check, config, p.file, f"{message}: {p.detail}"),
            article_id=p.article_id,
            span_id=p.span_id,
        )
        for p in where[:SHOWN]
    ]
    if len(where) > SHOWN:
        out.append(
            make_finding(check, config, where[SHOWN][0], f"{message}: … and {len(where) - SHOWN} more")
        )
    return out


# every code point for which str.isspace() is true (all are below U+3001)
_WHITESPACE = np.array([c for c in range(0x3001) if chr(c).isspace()], dtype=np.uint32)


def _code_points(texts: pa.Array) -> tuple[np.ndarray[Any, Any], np.ndarray[Any, Any]]:
    """All texts' code points joined (UTF-32) and where each text starts in them."""
    values = [t or "" for t in texts.to_pylist()]
    lengths = np.fromiter((len(t) for t in values), dtype=np.int64, count=len(values))
    starts = np.concatenate(([0], np.cumsum(lengths)[:-1])) if len(values) else np.zeros(0, np.int64)
    points = np.frombuffer("".join(values).encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    return points, starts


def _sentence_findings(root: Path, config: ValidationConfig) -> list[Finding]:
    docs = _read(root, "documents", [ARTICLE_ID, "text", "sentences"])
    if docs is None or not docs.num_rows:
        return []
    sentences = docs.column("sentences").combine_chunks()
    flat = pc.list_flatten(sentences)
    if not len(flat):
        return []
    parent = pc.list_parent_indices(sentences).to_numpy(zero_copy_only=False).astype(np.int64)
    start = flat.field("start").to_numpy(zero_copy_only=False).astype(np.int64)
    end = flat.field("end").to_numpy(zero_copy_only=False).astype(np.int64)
    points, text_start = _code_points(docs.column("text").combine_chunks())
    length = pc.utf8_length(docs.column("text").combine_chunks()).to_numpy(zero_copy_only=False)
    length = length.astype(np.int64)[parent]
    outside = ~((start >= 0) & (start < end) & (end <= length))
    # text order, no overlap: a sentence starts at or after the end of the article's previous one
    same = np.zeros(len(start), dtype=bool)
    same[1:] = parent[1:] == parent[:-1]
    prev_end = np.concatenate(([0], end[:-1]))
    overlap = ~outside & same & (start < prev_end)
    # no whitespace at either end (first and last code point of each sentence)
    edge = np.zeros(len(start), dtype=bool)
    inside = ~outside
    base = text_start[parent[inside]]
    edge[inside] = np.isin(points[base + start[inside]], _WHITESPACE) | np.isin(
        points[base + end[inside] - 1], _WHITESPACE
    )
    ids = docs.column(ARTICLE_ID).to_pylist()
    files = docs.column(FILE).to_pylist()
    where = []
    for i in np.flatnonzero(outside | overlap | edge).tolist():
        doc = int(parent[i])
        problem = (
            "is outside the text (0 <= start < end <= len(text))"
            if outside[i]
            else "overlaps the sentence before it (sentences are in text order)"
            if overlap[i]
            else "starts or ends with whitespace"
        )
        detail = f"article {ids[doc]!r}, sentence {start[i]}:{end[i]} {problem}"
        where.append(_Place(files[doc], detail, ids[doc]))
    return _findings("sentence_bounds", config, where, "documents.sentences")


def _context_findings(root: Path, config: ValidationConfig) -> list[Finding]:
    c = CLAIM_COLUMNS
    claims = _read(
        root,
        "claims",
        [c.article_id, c.claim_id, c.claim_start, c.claim_end, c.sentence_start, c.sentence_end],
    )
    if claims is None or not claims.num_rows:
        return []

    def col(name: str) -> np.ndarray[Any, Any]:
        values: np.ndarray[Any, Any] = claims.column(name).to_numpy().astype(np.float64)  # null → nan
        return values

    bad = ~((col(c.sentence_start) <= col(c.claim_start)) & (col(c.claim_end) <= col(c.sentence_end)))
    rows = claims.filter(pa.array(bad)).to_pylist()
    where = [
        _Place(
            r[FILE],
            f"article {r[c.article_id]!r}, claim {r[c.claim_id]} {r[c.claim_start]}:{r[c.claim_end]} is not "
            f"inside its context {r[c.sentence_start]}:{r[c.sentence_end]}",
            r[c.article_id],
            r[c.claim_id],
        )
        for r in rows
    ]
    return _findings("claim_context", config, where, "claims.sentence")


def _rows(table: pa.Table) -> dict[tuple[Any, ...], str]:
    """Each row (its values in column order, ``_file`` left out) → its file."""
    names = [n for n in table.column_names if n != FILE]
    values = zip(*(table.column(n).to_pylist() for n in names), strict=True)
    return dict(zip(values, table.column(FILE).to_pylist(), strict=True))


def _same_rows(one: pa.Table, other: pa.Table) -> bool:
    """Whether two tables hold the same rows, column by column in order (names aside), as
    multisets: sorted by every column, equal. Equal multisets are equal sets, so the row by row
    comparison would find nothing; when they differ, it says how (on a small share of the memory:
    no Python tuple per row)."""
    if one.num_rows != other.num_rows or one.schema.types != other.schema.types:
        return False
    names = [f"c{i}" for i in range(one.num_columns)]
    order = [(name, "ascending") for name in names]
    return bool(one.rename_columns(names).sort_by(order).equals(other.rename_columns(names).sort_by(order)))


def _unreadable(root: Path, *configs: str) -> bool:
    """Whether a file of these configs cannot be opened as parquet (``malformed_input`` says so;
    comparing its rows would report every row as missing)."""
    for config in configs:
        for path in sorted((root / "data" / config).glob("*.parquet")):
            try:
                pq.read_schema(path)
            except (OSError, pa.ArrowException):
                return True
    return False


def _same_views(root: Path, claim_columns: list[str], stance_columns: list[str], stance: str) -> bool:
    """Whether, split by split, the ``claims`` rows with a ``stance`` (``claim_columns``) and the
    ``stance`` rows (``stance_columns``) are the same rows (:func:`_same_rows`); false when a file
    lacks a column. One split's columns are held at a time, as arrow columns."""
    files = {config: sorted((root / "data" / config).glob("*.parquet")) for config in ("claims", "stance")}
    splits = sorted({split_of(path) for paths in files.values() for path in paths})
    for split in splits:
        tables = []
        for config, columns in (("claims", claim_columns), ("stance", stance_columns)):
            paths = [path for path in files[config] if split_of(path) == split]
            if any(not set(columns) <= set(pq.read_schema(path).names) for path in paths):
                return False
            parts = [pq.read_table(path, columns=columns) for path in paths]
            tables.append(pa.concat_tables(parts) if parts else None)
        claims, rows = tables
        if claims is None or rows is None:
            return False
        if not _same_rows(claims.filter(pc.is_valid(claims.column(stance))), rows):
            return False
    return True


def _stance_findings(root: Path, config: ValidationConfig, spec: AnnotationSpec) -> list[Finding]:
    c, s = CLAIM_COLUMNS, STANCE_COLUMNS
    canonical = spec.attribute_for("target_name").name
    # the claims columns the stance config copies, in the stance config's column order
    pairs = [
        (c.article_id, s.article_id),
        (c.claim_id, s.claim_id),
        (c.target_id, s.target_id),
        (c.claim_text, s.claim),
        (c.target_text, s.target),
        (canonical, s.canonical_target),
        (c.stance, s.stance),
        (c.sentence, s.context),
        (c.language, s.language),
    ]
    if _unreadable(root, "claims", "stance"):
        return []
    if _same_views(root, [a for a, _ in pairs], [b for _, b in pairs], c.stance):
        return []  # what the row by row comparison below would find: nothing
    claims = _read(root, "claims", [a for a, _ in pairs])
    if claims is None:
        return []
    stance = _read(root, "stance", [b for _, b in pairs])
    if stance is None:  # no stance file, or one without a column: card_configs / card_features say so
        return []
    expected = _rows(claims.filter(pc.is_valid(claims.column(c.stance))))
    actual = _rows(stance)
    where = [
        _Place(
            file,
            f"{what}: article {row[0]!r}, claim {row[1]}, target {row[2]} ({row[-1]} split)",
            row[0],
            row[1],
        )
        for what, rows in (
            (
                "a claims row with a stance is missing from the stance config (or differs)",
                expected.keys() - actual.keys(),
            ),
            ("a row is not a claims row with a stance (or differs from it)", actual.keys() - expected.keys()),
        )
        for row, file in sorted(((r, expected.get(r) or actual[r]) for r in rows), key=lambda x: str(x[0]))
    ]
    return _findings("stance_view", config, where, "stance config")


def check_ready_views(root: Path, config: ValidationConfig, spec: AnnotationSpec = SPEC) -> list[Finding]:
    """The findings of the ready-view checks (see the module docstring) of the release in ``root``."""
    findings: list[Finding] = []
    if config.enabled("sentence_bounds"):
        findings += _sentence_findings(root, config)
    if config.enabled("claim_context"):
        findings += _context_findings(root, config)
    if config.enabled("stance_view"):
        findings += _stance_findings(root, config, spec)
    return findings
