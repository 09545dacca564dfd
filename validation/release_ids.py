"""``unique_row_id``: every row of a release's config is one record, named by its id.

A release lists an article once in ``documents`` (``article_id``), a claim–target pair once in
``claims`` and ``stance`` (``article_id``, ``claim_id``, ``target_id``; a claim without a target
once with a null ``target_id``), over all splits and shards. A row listed twice would be counted
twice by every statistic and, in ``documents``, has its spans checked against the first row's text.
An article listed in two splits' ``documents`` is ``one_split_per_article``'s finding, not this
check's (nor are its claims and stance rows repeated in those splits). Keys are grouped with Arrow
(no Python object per row); only the duplicated keys are looked up. An annotation id twice in one
``annotations`` file is reported as this check too, by the annotations schema's ``unique`` columns.
"""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from stancebank.schema.columns import CLAIM_COLUMNS, STANCE_COLUMNS
from stancebank.schema.features import ARTICLE_ID
from stancebank.schema.layout import split_of
from stancebank.validation.config import ValidationConfig
from stancebank.validation.hints import HINTS
from stancebank.validation.report import Finding

CHECK = "unique_row_id"
# each config's record key, in the order a message names it
KEYS: dict[str, tuple[str, ...]] = {
    "documents": (ARTICLE_ID,),
    "claims": (CLAIM_COLUMNS.article_id, CLAIM_COLUMNS.claim_id, CLAIM_COLUMNS.target_id),
    "stance": (STANCE_COLUMNS.article_id, STANCE_COLUMNS.claim_id, STANCE_COLUMNS.target_id),
}
# duplicated keys reported one by one per config; the rest are counted in one more finding
SHOWN = 20
# a null key value (a claim without a target) groups as this string (Arrow joins skip nulls)
_NULL = "\x00null"
_FILE, _ROW = "__file", "__row"


def _keys(root: Path, config: str, columns: tuple[str, ...]) -> tuple[pa.Table | None, list[Path]]:
    """The key columns of every file of ``config`` (nulls as :data:`_NULL`) with each row's file
    number and row number, and the files' names; None when a file lacks a key column or cannot be
    read (the card, schema and data checks report that)."""
    parts: list[pa.Table] = []
    files: list[Path] = []
    for path in sorted((root / "data" / config).glob("*.parquet")):
        try:
            if not set(columns) <= set(pq.read_schema(path).names):
                return None, []
            tbl = pq.read_table(path, columns=list(columns))
        except (OSError, pa.ArrowException):  # an unreadable file: malformed_input reports it
            return None, []
        keys = [pc.fill_null(tbl.column(c).cast(pa.large_string()), _NULL) for c in columns]
        n = tbl.num_rows
        parts.append(
            pa.table(
                [*keys, pa.array([len(files)] * n, pa.int32()), pa.array(range(n), pa.int64())],
                names=[*columns, _FILE, _ROW],
            )
        )
        files.append(path)
    return (pa.concat_tables(parts) if parts else None), files


Key = tuple[str | None, ...]


def _duplicates(
    root: Path, config: str, columns: tuple[str, ...]
) -> tuple[dict[Key, list[str]], dict[Key, set[str]]]:
    """Each key of ``config`` that more than one row has → those rows ("FILE row N"), and the
    splits they are in."""
    table, files = _keys(root, config, columns)
    if table is None or not table.num_rows:
        return {}, {}
    counts = table.group_by(list(columns), use_threads=False).aggregate([(_ROW, "count")])
    duplicated = counts.filter(pc.greater(counts.column(f"{_ROW}_count"), 1)).select(list(columns))
    if not duplicated.num_rows:
        return {}, {}
    rows = table.join(duplicated, list(columns), join_type="inner", use_threads=False)
    rows = rows.sort_by([(c, "ascending") for c in (*columns, _FILE, _ROW)])
    where: dict[Key, list[str]] = {}
    splits: dict[Key, set[str]] = {}
    for record in rows.to_pylist():
        key = tuple(None if record[c] == _NULL else record[c] for c in columns)
        # the file relative to the release: a failed build moves the folder its findings name
        name = files[record[_FILE]].relative_to(root).as_posix()
        where.setdefault(key, []).append(f"{name} row {record[_ROW]}")
        splits.setdefault(key, set()).add(split_of(files[record[_FILE]]))
    return where, splits


def _findings(
    config: str, columns: tuple[str, ...], where: dict[Key, list[str]], root: Path, cfg: ValidationConfig
) -> list[Finding]:
    out = []
    for key, places in list(where.items())[:SHOWN]:
        named = ", ".join(
            f"{c} {v!r}" if v is not None else f"{c} null" for c, v in zip(columns, key, strict=True)
        )
        out.append(
            Finding(
                check=CHECK,
                severity=cfg.severity(CHECK),  # type: ignore[arg-type]
                message=f"{config}: {len(places)} rows have the same {named}: {'; '.join(places)}",
                hint=HINTS[CHECK],
                file=str(root / places[0].rsplit(" row ", 1)[0]),
                article_id=key[0],
                span_id=key[1] if len(key) > 1 else None,
                value=" / ".join(str(v) for v in key),
            )
        )
    if len(where) > SHOWN:
        out.append(
            Finding(
                check=CHECK,
                severity=cfg.severity(CHECK),  # type: ignore[arg-type]
                message=f"{config}: … and {len(where) - SHOWN} more duplicated {'/'.join(columns)}",
                hint=HINTS[CHECK],
                file=str(root / "data" / config),
            )
        )
    return out


def check_unique_ids(root: Path, config: ValidationConfig) -> list[Finding]:
    """The ``unique_row_id`` findings of the release in ``root`` (see the module docstring)."""
    if not config.enabled(CHECK):
        return []
    found = {name: _duplicates(root, name, columns) for name, columns in KEYS.items()}
    # articles in two splits' documents (one_split_per_article's findings): their rows repeated
    # across those splits are not reported again here
    in_two = {key[0] for key, names in found["documents"][1].items() if len(names) > 1}
    findings: list[Finding] = []
    for name, columns in KEYS.items():
        where, splits = found[name]
        kept = {k: v for k, v in where.items() if not (k[0] in in_two and len(splits[k]) > 1)}
        findings += _findings(name, columns, kept, root, config)
    return findings
