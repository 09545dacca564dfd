"""A release folder's data: its parquet files read (batch by batch) into the flat tables and checked.

Articles and annotations are read whole (for the checks across articles: splits, duplicates,
unique ids), the annotations without their texts (one per article pending adjudication is kept, read
batch by batch); spans, relations, attributes and claims batch by batch, each batch checked with
only its articles' texts. The release's other files (manifest, card) are :mod:`release_files`' job.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pandera.pandas as pa
import pyarrow as arrow
import pyarrow.parquet as pq
from numpy.typing import NDArray

from stancebank.schema.features import ARTICLE_ID, CONFIGS, dataset_features, document_id_column
from stancebank.schema.layout import split_of
from stancebank.schema.spec import SPEC, AnnotationSpec
from stancebank.validation.config import ValidationConfig
from stancebank.validation.errors import ValidationUsageError
from stancebank.validation.frames import (
    Tables,
    concat_tables,
    read_release_config,
    release_tables,
)
from stancebank.validation.report import Finding
from stancebank.validation.runner import make_finding, validate_tables, with_annotation_texts


@dataclass
class ReleaseContents:
    tables: Tables
    rows: dict[str, dict[str, int]] = field(default_factory=dict)  # config → split → rows
    schemas: dict[str, tuple[str, Any]] = field(default_factory=dict)  # config → (file, arrow schema)
    findings: list[Finding] = field(default_factory=list)


def parquet_files(
    root: Path, config: ValidationConfig, findings: list[Finding]
) -> list[tuple[str, Path, str]]:
    """``(config, file, display name)`` for every ``data/<config>/*.parquet`` of a release, sorted;
    a folder that is not a known config is reported into ``findings`` and left out."""
    out = []
    for path in sorted((root / "data").glob("*/*.parquet")):
        cfg, display = path.parent.name, str(path)
        if cfg in CONFIGS:
            out.append((cfg, path, display))
        elif config.enabled("card_features"):
            findings.append(
                make_finding("card_features", config, display, f"unknown config folder data/{cfg}", cfg)
            )
    return out


def read_release(root: Path, config: ValidationConfig, spec: AnnotationSpec = SPEC) -> ReleaseContents:
    parts: list[Tables] = []
    contents = ReleaseContents(tables=concat_tables([]))
    for cfg, path, display in parquet_files(root, config, contents.findings):
        file = _File(cfg, path, display, split_of(path))
        try:
            file.file = pq.ParquetFile(path)
            missing = _missing_columns(file, spec)
            if missing:
                contents.findings.append(_unreadable(config, file, f"missing column(s) {missing}"))
                continue
            tables, schema, n = read_release_config(path, cfg, display, spec)
        except _READ_ERRORS as err:
            contents.findings.append(_unreadable(config, file, err))
            continue
        parts.append(tables)
        split_rows = contents.rows.setdefault(cfg, {})  # a split's shards add up
        split_rows[file.split] = split_rows.get(file.split, 0) + n
        contents.schemas.setdefault(cfg, (display, schema))
    tables = concat_tables(parts)
    # claims and annotations refer to the documents' articles: their text comes from there.
    contents.tables = tables
    return contents


# -- validating a release chunk by chunk ------------------------------------------------------------
# Rows per batch read from a parquet file: the span / relation / attribute / claim checks are per
# article, so each batch is validated and freed; only the articles (ids, splits, texts) and the
# annotations' own rows (ids, annotators) are read whole, for the checks across articles. A batch of
# 2,500 annotation rows holds ~75,000 spans (generated benchmark export); the checks of a batch of
# 10,000 raised the RSS by ~230 MB (100,000-task release), for ~25% less validation CPU time.
CHUNK_ROWS = 2_500

# the columns read per batch (the texts and other article fields are read once, whole)
_BATCH_COLUMNS = {
    "documents": [ARTICLE_ID, "spans", "relations"],
    "annotations": ["article_id", "annotation_id", "spans", "relations"],
}
# the columns read whole for the checks across articles / annotations
_WHOLE_COLUMNS = {
    "documents": [ARTICLE_ID, "text"],
    "annotations": ["article_id", "annotation_id", "annotator", "ground_truth"],
}
# the columns that name one annotation (a unit of the span checks) in each config
_UNIT_COLUMNS = {"documents": [ARTICLE_ID], "annotations": ["article_id", "annotation_id"]}


@dataclass
class _File:
    config: str
    path: Path
    display: str
    split: str
    file: pq.ParquetFile | None = None
    ok: bool = True


# What reading a parquet file raises when the file (not our code) is at fault: anything else is a
# bug and propagates instead of being reported as an unreadable file.
_READ_ERRORS = (OSError, arrow.ArrowException)


def _unreadable(config: ValidationConfig, file: _File, err: Exception | str) -> Finding:
    file.ok = False
    detail = err if isinstance(err, str) else f"{type(err).__name__}: {err}"
    return Finding(
        check="malformed_input",
        severity=config.severity("malformed_input"),  # type: ignore[arg-type]
        message=f"cannot read the parquet file: {detail}",
        hint="rebuild the release with `stancebank export build`",
        file=file.display,
    )


def _missing_columns(file: _File, spec: AnnotationSpec) -> list[str]:
    """The columns of the config's features that the file does not have."""
    assert file.file is not None
    features = dataset_features(spec).get(file.config)
    if features is None:
        return []
    present = set(file.file.schema_arrow.names)
    return [name for name in features if name not in present]


def _first_texts(articles: pd.DataFrame) -> pd.DataFrame:
    """``article_id`` → text of each article's first row with a text (what spans are checked
    against), indexed by article id."""
    keep = (articles["article_id"].notna() & articles["text"].notna()).to_numpy().copy()
    keep &= ~articles["article_id"].where(keep).duplicated(keep="first").to_numpy()
    out = articles.loc[keep, ["article_id", "text"]]
    return out.set_index(pd.Index(out["article_id"].astype("str")), drop=False)


def _one_chunk(values: pd.Series) -> arrow.Array:
    """A string column's values as one arrow array."""
    arr = arrow.array(values.array, type=arrow.large_string(), from_pandas=True)
    return arr.combine_chunks() if isinstance(arr, arrow.ChunkedArray) else arr


def _texts_of(texts: pd.DataFrame, tables: Tables) -> pd.DataFrame:
    """The rows of ``texts`` whose articles the chunk's spans and claims refer to."""
    ids = [tables.spans["article_id"], tables.relations["article_id"]]
    if tables.claims is not None and "article_id" in tables.claims:
        ids.append(tables.claims["article_id"])
    wanted = pd.unique(pd.concat(ids, ignore_index=True).astype("str").dropna())
    pos = texts.index.get_indexer(pd.Index(wanted))
    return texts.iloc[np.sort(pos[pos >= 0])].reset_index(drop=True)


def _batches(file: _File, columns: list[str] | None, chunk_rows: int) -> Iterator[arrow.Table]:
    """Batches of rows of a file; rows that share an annotation unit with a row of another batch
    (e.g. an article listed twice in one file) come last, together."""
    assert file.file is not None
    deferred: NDArray[Any] | None = None
    unit_cols = _UNIT_COLUMNS.get(file.config)
    if unit_cols:
        units = file.file.read(columns=unit_cols).to_pandas()
        dup = units.duplicated(keep=False).to_numpy()
        deferred = dup if dup.any() else None
    held: list[arrow.Table] = []
    row = 0
    for batch in file.file.iter_batches(batch_size=chunk_rows, columns=columns):
        tbl = arrow.Table.from_batches([batch])
        n = tbl.num_rows
        if deferred is not None and deferred[row : row + n].any():
            mask = deferred[row : row + n]
            held.append(tbl.filter(arrow.array(mask)))
            tbl = tbl.filter(arrow.array(~mask))
        row += n
        if tbl.num_rows:
            yield tbl
    if held:
        yield arrow.concat_tables(held)


def _pending_texts(
    files: list[_File], known: set[str], config: ValidationConfig, findings: list[Finding], chunk_rows: int
) -> pd.DataFrame:
    """``(article_id, text)`` of the first ``annotations`` row of each article not in ``known``
    (the documents' articles with a text) — the articles pending adjudication — read batch by
    batch: every annotation row carries its article's text, and only one per article is kept."""
    seen = set(known)
    ids: list[arrow.Array] = []
    values: list[arrow.Array] = []
    for file in files:
        if not file.ok or file.config != "annotations" or file.file is None:
            continue
        if "text" not in file.file.schema_arrow.names:
            continue
        try:
            for batch in file.file.iter_batches(batch_size=chunk_rows, columns=["article_id", "text"]):
                take = []
                for row, article_id in enumerate(batch.column(0).to_pylist()):
                    if article_id is not None and article_id not in seen:
                        seen.add(article_id)
                        take.append(row)
                if take:
                    ids.append(batch.column(0).take(take))
                    values.append(batch.column(1).take(take))
        except _READ_ERRORS as err:
            findings.append(_unreadable(config, file, err))
    if not ids:
        return pd.DataFrame({"article_id": pd.Series([], dtype="str"), "text": pd.Series([], dtype="str")})
    return pd.DataFrame(
        {
            "article_id": pd.Series(arrow.chunked_array(ids).to_pandas(), dtype="str"),
            "text": pd.Series(arrow.chunked_array(values).to_pandas(), dtype="str"),
        }
    )


def validate_release_data(
    root: Path,
    config: ValidationConfig,
    spec: AnnotationSpec = SPEC,
    *,
    expected_splits: dict[str, str] | None = None,
    expected_split_source: str = "",
    chunk_rows: int = CHUNK_ROWS,
) -> tuple[ReleaseContents, list[Finding], dict[str, int]]:
    """Every data check of a release, reading its parquet files in batches of ``chunk_rows``.

    Same findings as ``validate_tables(read_release(root).tables)``, in bounded memory: the
    article and annotation rows (without spans) are validated together, then each batch of
    documents / annotations / claims with only its articles' texts. Returns the contents (row
    counts and schemas for :func:`check_integrity`; no tables), the findings and the counts."""
    contents = ReleaseContents(tables=concat_tables([]))
    files: list[_File] = []
    for cfg, path, display in parquet_files(root, config, contents.findings):
        file = _File(cfg, path, display, split_of(path))
        try:
            file.file = pq.ParquetFile(path)
        except _READ_ERRORS as err:
            contents.findings.append(_unreadable(config, file, err))
        else:
            missing = _missing_columns(file, spec)
            if missing:
                contents.findings.append(_unreadable(config, file, f"missing column(s) {missing}"))
        files.append(file)
    findings: list[Finding] = []
    checked = {"articles": 0, "annotations": 0, "spans": 0, "relations": 0}
    # 1. articles and annotations: the checks across rows (splits, duplicates, unique ids)
    parts: list[Tables] = []
    for file in files:
        if not file.ok or file.config not in _WHOLE_COLUMNS:
            continue
        assert file.file is not None
        columns = list(_WHOLE_COLUMNS[file.config])
        if file.config == "documents" and "title" in file.file.schema_arrow.names:
            columns.insert(1, "title")
        try:
            tbl = file.file.read(columns=columns)
        except _READ_ERRORS as err:
            contents.findings.append(_unreadable(config, file, err))
            continue
        parts.append(release_tables(tbl, file.config, file.split, file.display, spec, spans=False))
        del tbl
    whole = concat_tables(parts)
    del parts
    whole.expected_splits = dict(expected_splits or {})
    whole.expected_split_source = expected_split_source
    findings += validate_tables(whole, config, spec)
    checked["articles"] = int(whole.articles["article_id"].nunique()) if len(whole.articles) else 0
    checked["annotations"] = len(whole.annotations)
    texts = _first_texts(whole.articles)
    del whole
    pending = _pending_texts(files, set(texts.index), config, contents.findings, chunk_rows)
    if len(pending):
        texts = _first_texts(with_annotation_texts(texts, pending))
    del pending
    # one arrow chunk: taking rows of a chunked string column copies all of it, per batch
    texts["text"] = pd.array(_one_chunk(texts["text"]), dtype="str")
    schemas: dict[Any, pa.DataFrameSchema] = {}  # built once, used by every batch
    # 2. spans, relations, attributes and claims, batch by batch
    for file in files:
        if not file.ok:
            continue
        batches = _batches(file, _BATCH_COLUMNS.get(file.config), chunk_rows)
        while True:
            try:
                tbl = next(batches, None)
            except _READ_ERRORS as err:
                contents.findings.append(_unreadable(config, file, err))
                break
            if tbl is None:
                break
            tables = release_tables(tbl, file.config, file.split, file.display, spec, articles=False)
            del tbl
            findings += validate_tables(tables, config, spec, texts=_texts_of(texts, tables), schemas=schemas)
            checked["spans"] += len(tables.spans)
            checked["relations"] += len(tables.relations)
            if tables.claims is not None:
                checked["claims"] = checked.get("claims", 0) + len(tables.claims)
        if file.config == "claims" and file.ok:
            checked.setdefault("claims", 0)
    for file in files:
        if file.ok and file.file is not None:
            split_rows = contents.rows.setdefault(file.config, {})  # a split's shards add up
            split_rows[file.split] = split_rows.get(file.split, 0) + file.file.metadata.num_rows
            contents.schemas.setdefault(file.config, (file.display, file.file.schema_arrow))
    return contents, findings, checked


def release_splits(root: Path) -> dict[str, str]:
    """article id → split, from a release's ``documents`` config (for ``--previous``)."""
    out: dict[str, str] = {}
    for path in sorted((root / "data" / "documents").glob("*.parquet")):
        try:
            id_column = document_id_column(pq.read_schema(path).names)
            ids = pq.read_table(path, columns=[id_column]).column(id_column).to_pylist()
        except _READ_ERRORS as err:
            raise ValidationUsageError(
                f"--previous {root}: cannot read {path} ({err}); pass an intact copy of the previous release"
            ) from err
        split = split_of(path)
        for article_id in ids:
            out[str(article_id)] = split
    return out
