"""Run the pandera schemas (lazy) over the views and turn every failure into a finding.

Every failure of every check is collected, then mapped to a finding with the row's location
(file, line, article, task, span), a description (:mod:`stancebank.validation.descriptions`) and
a fix hint (:mod:`stancebank.validation.hints`). This module spells no label name: the schemas
come from :mod:`stancebank.validation.schemas`, configured from the spec.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import pandera.pandas as pa
from pandera.errors import SchemaErrors

from stancebank.schema.columns import CLAIM_COLUMNS
from stancebank.schema.spec import SPEC, AnnotationSpec
from stancebank.validation.config import ValidationConfig
from stancebank.validation.descriptions import describe_row, short
from stancebank.validation.duplicates import text_digests
from stancebank.validation.frames import OFFSETS_REPORTED, Tables
from stancebank.validation.hints import HINTS
from stancebank.validation.report import Finding
from stancebank.validation.schemas import (
    annotations_schema,
    articles_schema,
    attributes_schema,
    claims_schema,
    column_check_ids,
    relations_schema,
    spans_schema,
)
from stancebank.validation.views import (
    articles_view,
    attributes_view,
    doc_column,
    join_keys,
    relations_view,
    spans_view,
)

log = logging.getLogger(__name__)


@dataclass
class TableRun:
    """A frame, its schema, the check id of each dataframe-level check, and how to describe rows."""

    name: str
    df: pd.DataFrame
    schema: pa.DataFrameSchema
    describe: Callable[[str, dict[str, Any]], tuple[str, str | None]]
    column_check_ids: dict[tuple[str, str], str]  # (column, pandera check name) → check id
    span_col: str | None = "span_id"
    # a row whose ``reported_col`` is true had the problem of ``reported_checks`` reported as it
    # was read (a malformed_input finding): those checks' failures on it are not reported again
    reported_col: str | None = None
    reported_checks: frozenset[str] = frozenset()


# the checks of where a span's offsets point (a region without integer offsets is reported once,
# by malformed_input, not also as 'offsets [-1, 9) are outside the article text')
OFFSET_CHECKS = frozenset({"span_within_text", "span_text_matches"})


def _reported(run: TableRun, row: dict[str, Any] | None, check_id: str) -> bool:
    if row is None or run.reported_col is None or check_id not in run.reported_checks:
        return False
    value = row.get(run.reported_col)  # missing (NaN) in rows of files without such a region
    return isinstance(value, bool | np.bool_) and bool(value)


def make_finding(
    check: str, config: ValidationConfig, file: str | None, message: str, value: str | None = None
) -> Finding:
    """A finding of ``check`` about a whole file, at its configured severity, with its hint."""
    return Finding(
        check=check,
        severity=config.severity(check),  # type: ignore[arg-type]
        message=message,
        hint=HINTS[check],
        file=file,
        value=value,
    )


def _row_loc(row: dict[str, Any], span_col: str | None) -> dict[str, Any]:
    def clean(value: Any) -> Any:
        if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA:
            return None
        return value

    line = clean(row.get("src_line"))
    span = clean(row.get(span_col)) if span_col else None
    return {
        "file": clean(row.get("src_file")),
        "line": int(line) if line is not None and int(line) >= 0 else None,
        "article_id": clean(row.get("article_id")),
        "task_id": clean(row.get("task_id")),
        "annotation_id": clean(row.get("annotation_id")),
        "span_id": str(span) if span is not None else None,
    }


def _failed_check(
    schema: pa.DataFrameSchema, context: str, column: str | None, number: Any
) -> pa.Check | None:
    """The check object a pandera failure case refers to (``None`` for a failure of the column's
    type, nullability or presence, which pandera reports without a check number)."""
    if pd.isna(number):
        return None
    checks: list[pa.Check] = []
    if context == "Column" and column in schema.columns:
        checks = schema.columns[column].checks
    elif context == "DataFrameSchema":
        checks = schema.checks
    return checks[int(number)] if int(number) < len(checks) else None


# pandera's name for a failure of a schema's ``unique`` columns (no check object behind it)
_UNIQUE_COLUMNS = "multiple_fields_uniqueness"


def _check_id(run: TableRun, check: pa.Check | None, column: str | None, check_name: str = "") -> str:
    """Our check id of a failed pandera check: its ``error`` when that is a check id (the checks
    this package builds), else the table's mapping of pandera's own check names, else
    ``table_schema``; a row that repeats a schema's ``unique`` columns is ``unique_row_id``."""
    if check is None:
        return "unique_row_id" if check_name == _UNIQUE_COLUMNS else "table_schema"
    if check.error in HINTS:
        return str(check.error)
    return run.column_check_ids.get((column or "*", str(check.name)), "table_schema")


def run_table(run: TableRun, config: ValidationConfig) -> list[Finding]:
    """Validate one table lazily; every failure becomes a finding (one per check and row)."""
    if run.df.empty and not run.schema.columns:
        return []
    try:
        run.schema.validate(run.df, lazy=True)
        return []
    except SchemaErrors as err:
        cases = err.failure_cases
    findings: list[Finding] = []
    seen: set[tuple[str, Any, Any]] = set()
    # the failing rows, fetched once (not one .loc per finding)
    failing = [i for i in pd.unique(cases["index"].dropna()) if i in run.df.index]
    rows = dict(zip(failing, run.df.loc[failing].to_dict("records"), strict=True)) if failing else {}
    for case in cases.itertuples(index=False):
        column = None if pd.isna(case.column) else str(case.column)
        check_name = str(case.check)
        check_obj = _failed_check(run.schema, str(case.schema_context), column, case.check_number)
        check_id = _check_id(run, check_obj, column, check_name)
        if not config.enabled(check_id):
            continue
        index = None if pd.isna(case.index) else case.index
        key = (check_id, index, column if index is None else None)
        if key in seen or _reported(run, rows.get(index), check_id):
            continue
        seen.add(key)
        severity = config.severity(check_id)
        value: str | None
        if index is not None and index in rows:
            row = rows[index]
            loc = _row_loc(row, run.span_col)
            if check_id == "table_schema" or (check_obj is not None and check_obj.error not in HINTS):
                described = check_obj.error if check_obj is not None and check_obj.error else check_name
                if check_name == "not_nullable":  # its failure case is the null ('nan')
                    message, value = f"{run.name}.{column} is missing (null)", None
                else:
                    message, value = f"{run.name}.{column}: {described}", short(case.failure_case)
            else:
                message, value = run.describe(check_id, row)
        else:
            loc = {
                "file": _table_file(run.df),
                "line": None,
                "article_id": None,
                "task_id": None,
                "span_id": None,
            }
            message = f"{run.name}" + (f".{column}" if column else "") + f": {check_name}"
            value = None if pd.isna(case.failure_case) else short(case.failure_case)
        findings.append(
            Finding(
                check=check_id,
                severity=severity,  # type: ignore[arg-type]  # 'off' checks were skipped above
                message=message,
                hint=HINTS[check_id],
                value=value,
                **loc,
            )
        )
    return findings


def _table_file(df: pd.DataFrame) -> str | None:
    if "src_file" in df and len(df):
        files = df["src_file"].dropna().unique()
        if len(files) == 1:
            return str(files[0])
    return None


def with_annotation_texts(articles: pd.DataFrame, annotation_texts: pd.DataFrame) -> pd.DataFrame:
    """(article_id, text) of ``articles`` plus, for articles only in the ``annotations`` config
    (pending adjudication), the text their annotation rows carry (the first row's)."""
    own = articles[["article_id", "text"]]
    ids = annotation_texts["article_id"]
    # an article is wholly in ``own`` or not: its first row overall is its first row not in own
    wanted = ~ids.isin(set(own["article_id"].astype("str"))) & ~ids.duplicated(keep="first")
    extra = annotation_texts[wanted.to_numpy()]  # the texts are copied once (no filter of a filter)
    return pd.concat([own, extra], ignore_index=True) if len(extra) else own.reset_index(drop=True)


def validate_tables(
    tables: Tables,
    config: ValidationConfig,
    spec: AnnotationSpec = SPEC,
    *,
    texts: pd.DataFrame | None = None,
    schemas: dict[Any, pa.DataFrameSchema] | None = None,
) -> list[Finding]:
    """Every check over every table; returns all findings (reading problems included).

    ``texts``: articles (``article_id``, ``text``) that spans and claims are checked against,
    instead of ``tables.articles`` — for validating a release chunk by chunk, where the article
    checks run once over all articles and each chunk of spans needs only its articles' texts.
    ``schemas``: a cache of the built schemas, for calls with the same config and spec (building
    one costs pandera a few ms)."""
    cache: dict[Any, pa.DataFrameSchema] = {} if schemas is None else schemas

    def schema(key: Any, make: Callable[[], pa.DataFrameSchema]) -> pa.DataFrameSchema:
        if key not in cache:
            cache[key] = make()
        return cache[key]

    findings = [f for f in tables.findings if config.enabled(f.check)]
    findings = [
        Finding(**{**f.__dict__, "severity": config.severity(f.check)}) if config.enabled(f.check) else f
        for f in findings
    ]
    # one digest per article text, shared by the doc column and the article checks
    digests = text_digests(tables.articles["text"]) if len(tables.articles) else None
    # the texts that spans and claims are checked against (none to check: none gathered)
    checks_texts = len(tables.spans) > 0 or (tables.claims is not None and len(tables.claims) > 0)
    if (
        texts is None
        and checks_texts
        and tables.annotation_texts is not None
        and len(tables.annotation_texts)
    ):
        texts = with_annotation_texts(tables.articles, tables.annotation_texts)
    doc_digests = digests if texts is None else None
    doc_texts = tables.articles if texts is None else texts
    runs: list[TableRun] = []
    keys = join_keys(tables) if len(tables.spans) or len(tables.relations) or len(tables.attributes) else None
    if len(tables.spans):
        runs.append(
            TableRun(
                "spans",
                spans_view(tables, spec, keys, doc_digests, doc_texts),
                schema(
                    ("spans", tables.normalize_whitespace),
                    lambda: spans_schema(config, spec, tables.normalize_whitespace),
                ),
                describe_row,
                column_check_ids("spans", spec),
                reported_col=OFFSETS_REPORTED,
                reported_checks=OFFSET_CHECKS,
            )
        )
    if len(tables.relations):
        runs.append(
            TableRun(
                "relations",
                relations_view(tables, keys),
                schema("relations", lambda: relations_schema(config, spec)),
                describe_row,
                column_check_ids("relations", spec),
                span_col="rel_ids",
            )
        )
    if len(tables.attributes):
        runs.append(
            TableRun(
                "attributes",
                attributes_view(tables, spec, keys),
                schema("attributes", lambda: attributes_schema(config, spec)),
                describe_row,
                {},
            )
        )
    if len(tables.annotations):
        runs.append(
            TableRun(
                "annotations",
                tables.annotations,
                schema("annotations", lambda: annotations_schema(config, spec)),
                describe_row,
                {},
                span_col=None,
            )
        )
    if len(tables.articles):
        articles, near = articles_view(tables, config, digests)
        runs.append(
            TableRun(
                "articles",
                articles,
                schema(("articles", near), lambda: articles_schema(config, spec, near=near)),
                describe_row,
                column_check_ids("articles", spec),
                span_col=None,
            )
        )
    if tables.claims is not None and len(tables.claims):
        claims = tables.claims.copy()
        claims["doc"] = doc_column(doc_texts, claims[CLAIM_COLUMNS.article_id], doc_digests)
        runs.append(
            TableRun(
                "claims",
                claims,
                schema("claims", lambda: claims_schema(config, spec)),
                describe_row,
                column_check_ids("claims", spec),
                span_col=CLAIM_COLUMNS.claim_id,
            )
        )
    for run in runs:
        log.debug("validating %s (%d rows)", run.name, len(run.df))
        findings.extend(run_table(run, config))
    return findings
