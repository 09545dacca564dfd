"""Release folders: read every config into flat tables, and check the release's integrity.

Integrity is checked through small tables (one row per file / count / feature / agreement value)
and the same registered pandera checks (``values_equal``, ``at_least``), so its failures are
reported exactly like every other finding.
"""

from __future__ import annotations

import fnmatch
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pandera.pandas as pa
import pyarrow as arrow
import pyarrow.parquet as pq
import yaml
from datasets import Features
from numpy.typing import NDArray

import stancebank.validation.checks  # noqa: F401  (registers the checks with pandera)
from stancebank.schema.features import CONFIGS, dataset_features
from stancebank.schema.layout import CARD, MANIFEST, sha256_file
from stancebank.schema.spec import SPEC, AnnotationSpec
from stancebank.validation.config import ValidationConfig
from stancebank.validation.engine import HINTS, TableRun, run_table, validate_tables
from stancebank.validation.frames import (
    Tables,
    concat_tables,
    read_release_config,
    release_tables,
    split_of,
)
from stancebank.validation.report import Finding


@dataclass
class ReleaseContents:
    tables: Tables
    rows: dict[str, dict[str, int]] = field(default_factory=dict)  # config → split → rows
    schemas: dict[str, tuple[str, Any]] = field(default_factory=dict)  # config → (file, arrow schema)
    findings: list[Finding] = field(default_factory=list)


def _finding(
    check: str, config: ValidationConfig, file: str | None, message: str, value: str | None = None
) -> Finding:
    return Finding(
        check=check,
        severity=config.severity(check),  # type: ignore[arg-type]
        message=message,
        hint=HINTS[check],
        file=file,
        value=value,
    )


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
                _finding("card_features", config, display, f"unknown config folder data/{cfg}", cfg)
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
        contents.rows.setdefault(cfg, {})[split_of(path)] = n
        contents.schemas.setdefault(cfg, (display, schema))
    tables = concat_tables(parts)
    # claims and annotations refer to the documents' articles: their text comes from there.
    contents.tables = tables
    return contents


# -- validating a release chunk by chunk ------------------------------------------------------------
# Rows per batch read from a parquet file: the span / relation / attribute / claim checks are per
# article, so each batch is validated and freed; only the articles (ids, splits, texts) and the
# annotations' own rows (ids, annotators) are read whole, for the checks across articles.
CHUNK_ROWS = 10_000

# the columns read per batch (the texts and other article fields are read once, whole)
_BATCH_COLUMNS = {
    "documents": ["id", "spans", "relations"],
    "annotations": ["article_id", "annotation_id", "spans", "relations"],
}
# the columns read whole for the checks across articles / annotations
_WHOLE_COLUMNS = {
    "documents": ["id", "text"],
    "annotations": ["article_id", "annotation_id", "annotator", "ground_truth"],
}
# the columns that name one annotation (a unit of the span checks) in each config
_UNIT_COLUMNS = {"documents": ["id"], "annotations": ["article_id", "annotation_id"]}


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
            contents.rows.setdefault(file.config, {})[file.split] = file.file.metadata.num_rows
            contents.schemas.setdefault(file.config, (file.display, file.file.schema_arrow))
    return contents, findings, checked


# -- integrity ------------------------------------------------------------------------------------
def read_card(path: Path) -> dict[str, Any]:
    """The YAML front matter of a dataset card (``---`` … ``---``)."""
    text = path.read_text(encoding="utf-8")
    if not text.startswith("---"):
        raise ValueError("the card has no YAML front matter (it must start with '---')")
    end = text.find("\n---", 3)
    if end < 0:
        raise ValueError("the card's YAML front matter is not closed by '---'")
    data = yaml.safe_load(text[3:end]) or {}
    if not isinstance(data, dict):
        raise ValueError("the card's YAML front matter is not a mapping")
    return data


def _dataset_info(card: dict[str, Any]) -> dict[str, dict[str, Any]]:
    info = card.get("dataset_info") or []
    if isinstance(info, dict):
        info = [info]
    out = {}
    for entry in info:
        if isinstance(entry, dict):
            out[str(entry.get("config_name", "default"))] = entry
    return out


def _features_fields(features: Features) -> dict[str, str]:
    return {name: json.dumps(feat, sort_keys=True, default=str) for name, feat in features.to_dict().items()}


def _compare(
    rows: list[dict[str, Any]], *, file: str, what: str, expected: dict[str, str], actual: dict[str, str]
) -> None:
    for name in sorted(set(expected) | set(actual)):
        rows.append(
            {
                "src_file": file,
                "item": f"{what}.{name}",
                "expected": expected.get(name),
                "actual": actual.get(name),
            }
        )


def _values_run(
    name: str, check_id: str, rows: list[dict[str, Any]], config: ValidationConfig, message: str
) -> list[Finding]:
    if not rows or not config.enabled(check_id):
        return []
    df = pd.DataFrame(rows, columns=["src_file", "item", "expected", "actual"]).astype(object)
    schema = pa.DataFrameSchema(
        checks=[pa.Check.values_equal(expected_col="expected", actual_col="actual", error=check_id)],
        name=name,
        strict=False,
    )

    def describe(_check: str, row: dict[str, Any]) -> tuple[str, str | None]:
        exp, act = row.get("expected"), row.get("actual")
        exp = None if exp is None or (isinstance(exp, float) and pd.isna(exp)) else exp
        act = None if act is None or (isinstance(act, float) and pd.isna(act)) else act
        if exp is None:
            return f"{message}: {row['item']} is present but not declared", _trim(act)
        if act is None:
            return f"{message}: {row['item']} is declared but missing", _trim(exp)
        return f"{message}: {row['item']} differs", f"declared {_trim(exp)} ≠ actual {_trim(act)}"

    return run_table(TableRun(name, df, schema, describe, {}, span_col="item"), config)


def _trim(value: Any, limit: int = 100) -> str:
    text = str(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def check_integrity(
    root: Path, contents: ReleaseContents, config: ValidationConfig, spec: AnnotationSpec = SPEC
) -> list[Finding]:
    findings: list[Finding] = []
    manifest_path = root / MANIFEST
    manifest: dict[str, Any] = {}
    if not manifest_path.is_file():
        findings.append(_finding("manifest_hashes", config, str(manifest_path), "release.json is missing"))
    else:
        try:
            manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as err:
            findings.append(
                _finding(
                    "manifest_hashes", config, str(manifest_path), f"release.json is not valid JSON: {err}"
                )
            )
    # 1. manifest hashes: every file listed, every listed file present and unchanged
    declared: dict[str, Any] = manifest["files"] if isinstance(manifest.get("files"), dict) else {}
    actual_files = sorted(
        p.relative_to(root).as_posix()
        for p in root.rglob("*")
        if p.is_file()
        and p.name != MANIFEST
        and not any(part.startswith(".") for part in p.relative_to(root).parts)
    )
    hash_rows: list[dict[str, Any]] = []
    for rel in sorted(set(actual_files) | set(declared)) if config.enabled("manifest_hashes") else []:
        path = root / rel
        hash_rows.append(
            {
                "src_file": str(path),
                "item": rel,
                "expected": declared.get(rel),
                "actual": sha256_file(path) if path.is_file() else None,
            }
        )
    if manifest:
        findings += _values_run("manifest", "manifest_hashes", hash_rows, config, "release.json sha256")
    # 2. card features == parquet schema == spec features; card and manifest counts == data
    card_path = root / CARD
    card: dict[str, Any] = {}
    try:
        card = read_card(card_path)
    except (OSError, ValueError, yaml.YAMLError) as err:
        findings.append(_finding("card_features", config, str(card_path), f"cannot read the card: {err}"))
    info = _dataset_info(card)
    spec_features = dataset_features(spec)
    feature_rows: list[dict[str, Any]] = []
    count_rows: list[dict[str, Any]] = []
    for cfg, (file, schema) in sorted(contents.schemas.items()):
        parquet_features = _features_fields(Features.from_arrow_schema(schema))
        _compare(
            feature_rows,
            file=file,
            what=f"{cfg} spec→parquet",
            expected=_features_fields(spec_features[cfg]),
            actual=parquet_features,
        )
        if card:
            entry = info.get(cfg)
            if entry is None:
                feature_rows.append(
                    {
                        "src_file": str(card_path),
                        "item": f"dataset_info.{cfg}",
                        "expected": None,
                        "actual": cfg,
                    }
                )
            else:
                try:
                    card_features = _features_fields(Features._from_yaml_list(entry.get("features") or []))
                except Exception as err:  # noqa: BLE001 — malformed YAML features are a finding
                    feature_rows.append(
                        {
                            "src_file": str(card_path),
                            "item": f"{cfg} features",
                            "expected": f"unreadable: {err}",
                            "actual": "parquet schema",
                        }
                    )
                else:
                    _compare(
                        feature_rows,
                        file=str(card_path),
                        what=f"{cfg} card→parquet",
                        expected=card_features,
                        actual=parquet_features,
                    )
    for cfg in sorted(set(info) - set(contents.schemas)):
        feature_rows.append(
            {"src_file": str(card_path), "item": f"dataset_info.{cfg}", "expected": cfg, "actual": None}
        )
    findings += _values_run("card_features", "card_features", feature_rows, config, "features")
    declared_counts: dict[str, Any] = manifest["counts"] if isinstance(manifest.get("counts"), dict) else {}
    actual_counts = {
        f"{cfg}/{split}": str(n) for cfg, splits in contents.rows.items() for split, n in splits.items()
    }
    if card:
        card_counts = {
            f"{cfg}/{s.get('name')}": str(s.get("num_examples"))
            for cfg, entry in info.items()
            for s in entry.get("splits") or []
            if isinstance(s, dict)
        }
        for key in sorted(set(card_counts) | set(actual_counts)):
            count_rows.append(
                {
                    "src_file": str(card_path),
                    "item": f"card {key}",
                    "expected": card_counts.get(key),
                    "actual": actual_counts.get(key),
                }
            )
    if manifest:
        manifest_counts = {
            f"{cfg}/{split}": str(n)
            for cfg, splits in declared_counts.items()
            if isinstance(splits, dict)
            for split, n in splits.items()
        }
        for key in sorted(set(manifest_counts) | set(actual_counts)):
            count_rows.append(
                {
                    "src_file": str(manifest_path),
                    "item": f"release.json {key}",
                    "expected": manifest_counts.get(key),
                    "actual": actual_counts.get(key),
                }
            )
    findings += _values_run("card_counts", "card_counts", count_rows, config, "row count")
    # 3. agreement over the configured minimums
    findings += check_agreement(manifest.get("agreement"), config, str(manifest_path))
    return findings


def _flatten_agreement(data: Any, prefix: str = "") -> dict[str, float | None]:
    """Dotted keys of release.json's ``agreement`` object → number, or ``None`` where undefined
    (e.g. Krippendorff's alpha with no pairable units). Counts (``articles``, ``pairs``,
    ``krippendorff_alpha_units``) are kept too; only what a minimum names is compared."""
    out: dict[str, float | None] = {}
    if isinstance(data, dict):
        for key, value in data.items():
            out.update(_flatten_agreement(value, f"{prefix}.{key}" if prefix else str(key)))
    elif data is None and prefix:
        out[prefix] = None
    elif isinstance(data, int | float) and not isinstance(data, bool):
        out[prefix] = float(data)
    return out


def check_agreement(agreement: Any, config: ValidationConfig, file: str) -> list[Finding]:
    """Agreement values against ``thresholds.agreement_min`` (check ``agreement_threshold``) and
    ``thresholds.agreement_advisory_min`` (check ``agreement_advisory``, a warning by default).

    A minimum whose value is ``null`` in release.json (undefined: too few doubly-annotated units)
    or absent is reported once as ``agreement_undefined`` (a warning by default), never a crash.
    """
    findings: list[Finding] = []
    values = _flatten_agreement(agreement if isinstance(agreement, dict) else {})
    undefined: dict[str, str] = {}
    failed: set[str] = set()
    for check_id, threshold in (
        ("agreement_threshold", "agreement_min"),
        ("agreement_advisory", "agreement_advisory_min"),
    ):
        minimums = config.threshold(threshold) or {}
        if not minimums or not config.enabled(check_id):
            continue
        rows = []
        for pattern, minimum in sorted(minimums.items()):
            if minimum is None:  # a user config drops a default minimum with `key: null`
                continue
            matched = [key for key in sorted(values) if fnmatch.fnmatchcase(key, str(pattern))]
            if not matched:
                undefined.setdefault(str(pattern), "absent from release.json")
            for key in matched:
                if key in failed:  # under the hard minimum already: not repeated as advisory
                    continue
                value = values[key]
                if value is None:
                    if not any(c in str(pattern) for c in "*?["):
                        undefined.setdefault(key, "null (undefined)")
                    continue
                rows.append({"src_file": file, "item": key, "value": value, "minimum": float(minimum)})
        if not rows:
            continue
        schema = pa.DataFrameSchema(
            checks=[pa.Check.at_least(value_col="value", min_col="minimum", error=check_id)],
            name="agreement",
            strict=False,
        )

        def describe(_check: str, row: dict[str, Any], _id: str = check_id) -> tuple[str, str | None]:
            kind = "minimum" if _id == "agreement_threshold" else "advisory minimum"
            return (
                f"agreement {row['item']} is under the {kind} {row['minimum']:g}",
                f"{row['value']:.4f} < {row['minimum']:g}",
            )

        found = run_table(
            TableRun("agreement", pd.DataFrame(rows), schema, describe, {}, span_col="item"), config
        )
        failed.update(f.span_id for f in found if f.span_id)
        findings += found
    if undefined and config.enabled("agreement_undefined"):
        pairs = values.get("pairs")
        why = " (no article has two annotators)" if pairs == 0 else ""
        for key, state in sorted(undefined.items()):
            findings.append(
                Finding(
                    check="agreement_undefined",
                    severity=config.severity("agreement_undefined"),  # type: ignore[arg-type]
                    message=f"agreement {key} has a configured minimum but is {state}{why}",
                    hint=HINTS["agreement_undefined"],
                    file=file,
                    span_id=key,
                    value=state,
                )
            )
    return findings


def release_splits(root: Path) -> dict[str, str]:
    """article id → split, from a release's ``documents`` config (for ``--previous``)."""
    out: dict[str, str] = {}
    for path in sorted((root / "data" / "documents").glob("*.parquet")):
        ids = pq.read_table(path, columns=["id"]).column("id").to_pylist()
        split = split_of(path)
        for article_id in ids:
            out[str(article_id)] = split
    return out
