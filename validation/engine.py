"""Run the pandera schemas (lazy) over the flat tables and turn failures into findings.

Each table gets its base schema from :mod:`stancebank.schema.tables` plus the registered checks of
:mod:`stancebank.validation.checks`, configured from the spec (allowed labels, relation endpoints)
— this module spells no label name. Every failure of every check is collected, then mapped to a
finding with the row's location (file, line, article, task, span) and a fix hint.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import pandera.pandas as pa
from numpy.typing import NDArray
from pandera.errors import SchemaErrors

import stancebank.validation.checks  # noqa: F401  (registers the checks with pandera)
from stancebank.schema.spec import SPEC, SPLITS, AnnotationSpec
from stancebank.schema.tables import table_schemas
from stancebank.validation.config import ValidationConfig
from stancebank.validation.frames import Tables
from stancebank.validation.report import Finding
from stancebank.validation.splits import exact_keys, near_duplicate_keys, text_digests

log = logging.getLogger(__name__)

# check id → hint how to fix it
HINTS: dict[str, str] = {
    "malformed_input": "fix the record so that it follows the Label Studio task format (schema/wire.py)",
    "table_schema": "fix the field's type or value (`stancebank schema export` writes the table schemas)",
    "known_label": "use one of the spec's span labels (`stancebank schema show`)",
    "known_relation_label": "use one of the spec's relation labels (`stancebank schema show`)",
    "known_attribute_value": "use an attribute of the span's label and one of its choices (schema show)",
    "span_within_text": "offsets are code points into data.text: make 0 <= start < end <= len(text)",
    "span_text_matches": "set the span text to text[start:end] (code points), or correct the offsets",
    "unique_span_id": "give every region of an annotation its own id",
    "unique_span_position": "delete the duplicate region (same start, end and label)",
    "relation_endpoints_exist": "point the relation at region ids of the same annotation, or delete it",
    "relation_endpoint_labels": "draw the relation between the labels the spec allows, in that direction",
    "no_self_relation": "a relation must join two different spans; delete it",
    "relation_direction": "make the relation directed (from → to) in Label Studio",
    "claim_has_source": (
        "add an attribution relation from the actor to the claim (or set the check to warning)"
    ),
    "known_split": "use one of train / validation / test",
    "one_split_per_article": "an article belongs to exactly one split; remove it from the others",
    "no_cross_split_duplicate": "keep duplicate articles in one split (assign them the same split)",
    "no_cross_split_near_duplicate": "keep near-duplicate articles in one split (assign them the same split)",
    "registry_agrees": "splits are sticky: restore the registered split (data/split_registry.json)",
    "manifest_hashes": "rebuild the release (`stancebank export build`); never edit release files by hand",
    "card_features": "rebuild the release so that the card is generated from the parquet features",
    "card_counts": "rebuild the release so that card and release.json counts come from the data",
    "personal_data": "replace user names/emails by pseudonyms (the export stage's keyed hash)",
    "agreement_threshold": "adjudicate or re-annotate the low-agreement items, or change the threshold",
    "agreement_advisory": "review the guidelines and the low-agreement items before the next release",
    "agreement_undefined": "annotate some articles twice so agreement can be measured, or drop the minimum",
}


@dataclass
class TableRun:
    """A frame, its schema, the check id of each dataframe-level check, and how to describe rows."""

    name: str
    df: pd.DataFrame
    schema: pa.DataFrameSchema
    describe: Callable[[str, dict[str, Any]], tuple[str, str | None]]
    column_check_ids: dict[tuple[str, str], str]  # (column, pandera check name) → check id
    span_col: str | None = "span_id"


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
        "span_id": str(span) if span is not None else None,
    }


def _short(value: Any, limit: int = 120) -> str:
    text = value if isinstance(value, str) else repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


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
        context = str(case.schema_context)
        column = None if pd.isna(case.column) else str(case.column)
        check_name = str(case.check)
        check_obj = None
        if context == "Column" and column in run.schema.columns and not pd.isna(case.check_number):
            checks = run.schema.columns[column].checks
            number = int(case.check_number)
            if number < len(checks):
                check_obj = checks[number]
        elif context == "DataFrameSchema" and not pd.isna(case.check_number):
            number = int(case.check_number)
            if number < len(run.schema.checks):
                check_obj = run.schema.checks[number]
        if check_obj is not None and check_obj.error in HINTS:
            check_id = str(check_obj.error)
        elif check_obj is not None and column is not None:
            check_id = run.column_check_ids.get((column, str(check_obj.name)), "table_schema")
        elif check_obj is not None:
            check_id = run.column_check_ids.get(("*", str(check_obj.name)), "table_schema")
        else:
            check_id = "table_schema"
        if not config.enabled(check_id):
            continue
        index = None if pd.isna(case.index) else case.index
        key = (check_id, index, column if index is None else None)
        if key in seen:
            continue
        seen.add(key)
        severity = config.severity(check_id)
        value: str | None
        if index is not None and index in rows:
            row = rows[index]
            loc = _row_loc(row, run.span_col)
            if check_id == "table_schema" or check_obj is None or check_obj.error not in HINTS:
                described = check_obj.error if check_obj is not None and check_obj.error else check_name
                message, value = f"{run.name}.{column}: {described}", _short(case.failure_case)
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
            value = None if pd.isna(case.failure_case) else _short(case.failure_case)
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


# -- views ----------------------------------------------------------------------------------------
# Spans, relations and attributes refer to each other by (file, article, annotation, span id).
# Those four string columns are turned into one int64 key per row once, so that every join below
# is an integer lookup rather than a multi-column string merge.
def _ann_key(df: pd.DataFrame) -> pd.Series:
    if "annotation_id" not in df:
        return pd.Series("", index=df.index, dtype="str")
    return df["annotation_id"].astype("str").fillna("")


def _joint_codes(columns: list[pd.Series]) -> list[NDArray[Any]]:
    """Factorize several columns together (equal values share a code; missing = -1)."""
    lengths = [len(c) for c in columns]
    joined = pd.concat([c.reset_index(drop=True) for c in columns], ignore_index=True)
    codes, _ = pd.factorize(joined)
    return np.split(codes.astype(np.int64), np.cumsum(lengths)[:-1])


def _file_codes(frames: list[pd.DataFrame]) -> list[NDArray[Any]]:
    out = []
    for df in frames:
        col = df["src_file"]
        if isinstance(col.dtype, pd.CategoricalDtype):
            out.append(col.cat.codes.to_numpy().astype(np.int64))
        else:
            out.append(pd.factorize(col.astype("str"))[0].astype(np.int64))
    names = [
        np.asarray(
            df["src_file"].cat.categories
            if isinstance(df["src_file"].dtype, pd.CategoricalDtype)
            else pd.factorize(df["src_file"].astype("str"))[1],
            dtype=object,
        )
        for df in frames
    ]
    universe = pd.Index(pd.unique(np.concatenate(names))) if names else pd.Index([])
    return [
        np.where(codes >= 0, universe.get_indexer(pd.Index(n))[np.clip(codes, 0, None)] if len(n) else -1, -1)
        for codes, n in zip(out, names, strict=True)
    ]


@dataclass
class _Keys:
    span_unit: NDArray[Any]  # annotation unit of each span row
    span: NDArray[Any]  # (unit, span id) of each span row
    rel_from: NDArray[Any]
    rel_to: NDArray[Any]
    attr: NDArray[Any]


def _keys(tables: Tables) -> _Keys:
    sp, rel, at = tables.spans, tables.relations, tables.attributes
    frames = [sp, rel, at]
    files = _file_codes(frames)
    articles = _joint_codes([f["article_id"].astype("str") for f in frames])
    anns = _joint_codes([_ann_key(f) for f in frames])
    n_art = max((int(c.max()) for c in articles if len(c)), default=0) + 2
    n_ann = max((int(c.max()) for c in anns if len(c)), default=0) + 2
    raw_units = [
        ((f + 1) * n_art + (a + 1)) * n_ann + (n + 1) for f, a, n in zip(files, articles, anns, strict=True)
    ]
    units = np.split(
        pd.factorize(np.concatenate(raw_units))[0].astype(np.int64),
        np.cumsum([len(u) for u in raw_units])[:-1],
    )
    ids = _joint_codes(
        [
            sp["span_id"].astype("str"),
            rel["from_id"].astype("str"),
            rel["to_id"].astype("str"),
            at["span_id"].astype("str"),
        ]
    )
    n_ids = max((int(c.max()) for c in ids if len(c)), default=0) + 2
    return _Keys(
        span_unit=units[0],
        span=units[0] * n_ids + ids[0] + 1,
        rel_from=units[1] * n_ids + ids[1] + 1,
        rel_to=units[1] * n_ids + ids[2] + 1,
        attr=units[2] * n_ids + ids[3] + 1,
    )


def _lookup(keys: NDArray[Any], values: pd.Series, wanted: NDArray[Any]) -> pd.Series:
    """``values`` of the first row whose key equals each ``wanted`` key (missing where none)."""
    uniq, first = np.unique(keys, return_index=True)
    pos = np.searchsorted(uniq, wanted)
    pos = np.clip(pos, 0, max(len(uniq) - 1, 0))
    found = (uniq[pos] == wanted) if len(uniq) else np.zeros(len(wanted), bool)
    taken = values.iloc[first[pos]].reset_index(drop=True) if len(uniq) else pd.Series([None] * len(wanted))
    return taken.where(pd.Series(found), None)


def _doc_column(
    articles: pd.DataFrame, article_ids: pd.Series, digests: NDArray[Any] | None = None
) -> pd.Categorical:
    """Each row's article text as a categorical (one copy per distinct text, an int per row).

    Distinct texts are found by digest (no string hash table); when every article's text is
    distinct — the usual case — the categories are the articles' own text column (no copy)."""
    keep = (articles["article_id"].notna() & articles["text"].notna()).to_numpy().copy()
    keep &= ~articles["article_id"].where(keep).duplicated(keep="first").to_numpy()
    art = articles[keep]
    texts = art["text"].astype("str")
    text_codes, uniques = pd.factorize(text_digests(texts) if digests is None else digests[keep])
    if len(uniques) < len(texts):
        texts = texts.iloc[np.unique(text_codes, return_index=True)[1]]
    pos = pd.Index(art["article_id"].astype("str")).get_indexer(article_ids.astype("str"))
    codes = np.where(pos >= 0, text_codes[np.clip(pos, 0, None)] if len(text_codes) else -1, -1)
    categories = pd.Index(texts.array)
    fastpath = getattr(pd.CategoricalDtype, "_from_fastpath", None)
    # distinct digests ⇒ distinct texts: skip pandas' uniqueness check (a hash of every text)
    dtype = fastpath(categories, False) if fastpath else pd.CategoricalDtype(categories)
    return pd.Categorical.from_codes(codes, dtype=dtype)


def spans_view(
    tables: Tables,
    spec: AnnotationSpec,
    keys: _Keys | None = None,
    digests: NDArray[Any] | None = None,
    texts: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """``texts``: the articles whose texts the spans are checked against (default the tables'
    articles; ``digests`` are those of ``texts``)."""
    keys = keys or _keys(tables)
    sp = tables.spans
    view = sp.assign(unit=keys.span_unit)
    view["doc"] = _doc_column(tables.articles if texts is None else texts, sp["article_id"], digests)
    attribution = [rel.name for rel in spec.attribution_labels]
    rel = tables.relations
    if len(rel) and len(view):
        targets = keys.rel_to[rel["label"].isin(attribution).to_numpy()]
        uniq, counts = np.unique(targets, return_counts=True)
        pos = np.clip(np.searchsorted(uniq, keys.span), 0, max(len(uniq) - 1, 0))
        hit = (uniq[pos] == keys.span) if len(uniq) else np.zeros(len(view), bool)
        view["n_sources"] = np.where(hit, counts[pos] if len(uniq) else 0, 0).astype("int64")
    else:
        view["n_sources"] = 0
    return view


def relations_view(tables: Tables, keys: _Keys | None = None) -> pd.DataFrame:
    keys = keys or _keys(tables)
    rel = tables.relations.copy()
    labels = tables.spans["label"]
    rel["from_label"] = _lookup(keys.span, labels, keys.rel_from).to_numpy()
    rel["to_label"] = _lookup(keys.span, labels, keys.rel_to).to_numpy()
    rel["rel_ids"] = rel["from_id"].astype("str") + "→" + rel["to_id"].astype("str")
    return rel


def attributes_view(tables: Tables, spec: AnnotationSpec, keys: _Keys | None = None) -> pd.DataFrame:
    keys = keys or _keys(tables)
    at = tables.attributes.copy()
    at["span_label"] = _lookup(keys.span, tables.spans["label"], keys.attr).to_numpy()
    text_attrs = [a.name for a in spec.attributes if a.kind == "text"]
    value = at["value"].astype("str").where(~at["name"].isin(text_attrs), "*")
    # "label>name>value" for each distinct combination only (a categorical, not a string per row)
    parts = [at["span_label"].astype("str"), at["name"].astype("str"), value.astype("str")]
    codes = [pd.factorize(p, use_na_sentinel=False) for p in parts]
    combined = np.zeros(len(at), dtype=np.int64)
    for part_codes, uniques in codes:
        combined = combined * (len(uniques) + 1) + part_codes
    inverse = pd.factorize(combined)[0]
    first = np.unique(inverse, return_index=True)[1]
    # one Python string per distinct combination
    names = [">".join(str(part.iloc[i]) for part in parts) for i in first.tolist()]
    if len(set(names)) == len(names):
        at["key"] = pd.Categorical.from_codes(inverse, categories=pd.Index(names, dtype="str"))
    else:  # a ">" inside a value made two combinations spell alike: plain strings
        at["key"] = parts[0] + ">" + parts[1] + ">" + parts[2]
    return at


def allowed_attribute_keys(spec: AnnotationSpec) -> list[str]:
    keys: list[str] = []
    for label in spec.span_labels:
        for attr in label.attributes:
            if attr.kind == "choice":
                keys.extend(f"{label.name}>{attr.name}>{choice}" for choice in attr.choices)
            else:
                keys.append(f"{label.name}>{attr.name}>*")
    return keys


def allowed_relation_keys(spec: AnnotationSpec) -> list[str]:
    return [
        f"{rel.name}>{a}>{b}" for rel in spec.relation_labels for a in rel.from_labels for b in rel.to_labels
    ]


def _checks(config: ValidationConfig, pairs: list[tuple[str, Callable[[], pa.Check]]]) -> list[pa.Check]:
    """Build the enabled checks; each check's ``error`` is its check id (kept when serialised)."""
    return [make() for check_id, make in pairs if config.enabled(check_id)]


def _offset_checks(
    start_col: str, end_col: str, text_col: str, normalize_ws: bool = False
) -> list[tuple[str, Callable[[], pa.Check]]]:
    """Offsets inside the document, and the document's slice equal to the stored text."""
    return [
        (
            "span_within_text",
            lambda: pa.Check.span_within_text(
                doc_col="doc", start_col=start_col, end_col=end_col, error="span_within_text"
            ),
        ),
        (
            "span_text_matches",
            lambda: pa.Check.span_text_matches(
                doc_col="doc",
                start_col=start_col,
                end_col=end_col,
                text_col=text_col,
                normalize_whitespace=normalize_ws,
                error="span_text_matches",
            ),
        ),
    ]


def spans_schema(config: ValidationConfig, spec: AnnotationSpec, normalize_ws: bool) -> pa.DataFrameSchema:
    base = table_schemas(spec)["spans"]
    # One annotation = (file, article, annotation id): snapshots of one annotation in two export
    # files, or one article in two release splits, are not duplicates of each other.
    group = ["unit"]
    extra = _checks(
        config,
        [
            *_offset_checks("start", "end", "text", normalize_ws),
            (
                "unique_span_id",
                lambda: pa.Check.unique_span_id(group_cols=group, id_col="span_id", error="unique_span_id"),
            ),
            (
                "unique_span_position",
                lambda: pa.Check.unique_span_position(
                    group_cols=group,
                    start_col="start",
                    end_col="end",
                    label_col="label",
                    error="unique_span_position",
                ),
            ),
            (
                "claim_has_source",
                lambda: pa.Check.claim_has_source(
                    label_col="label",
                    claim_label=spec.role_label("claim"),
                    sources_col="n_sources",
                    gold_col="is_gold",
                    error="claim_has_source",
                ),
            ),
        ],
    )
    # end > start is part of "offsets inside the text": reported once, by span_within_text.
    kept = [c for c in base.checks if c.name != "end_after_start"]
    return (
        base.set_checks([*kept, *extra])
        if hasattr(base, "set_checks")
        else _with_checks(base, [*kept, *extra])
    )


def _with_checks(schema: pa.DataFrameSchema, checks: list[pa.Check]) -> pa.DataFrameSchema:
    return schema.__class__(
        columns=schema.columns,
        checks=checks,
        name=schema.name,
        strict=schema.strict,
        coerce=schema.coerce,
    )


def relations_schema(config: ValidationConfig, spec: AnnotationSpec) -> pa.DataFrameSchema:
    base = table_schemas(spec)["relations"]
    extra = _checks(
        config,
        [
            (
                "relation_endpoints_exist",
                lambda: pa.Check.relation_endpoints_exist(
                    from_label_col="from_label", to_label_col="to_label", error="relation_endpoints_exist"
                ),
            ),
            (
                "relation_endpoint_labels",
                lambda: pa.Check.relation_endpoint_labels(
                    label_col="label",
                    from_label_col="from_label",
                    to_label_col="to_label",
                    allowed=allowed_relation_keys(spec),
                    error="relation_endpoint_labels",
                ),
            ),
            (
                "no_self_relation",
                lambda: pa.Check.no_self_relation(
                    from_col="from_id", to_col="to_id", error="no_self_relation"
                ),
            ),
            (
                "relation_direction",
                lambda: pa.Check.relation_direction(
                    direction_col="direction", allowed=["right", "left"], error="relation_direction"
                ),
            ),
        ],
    )
    return _with_checks(base, [*base.checks, *extra])


def attributes_schema(config: ValidationConfig, spec: AnnotationSpec) -> pa.DataFrameSchema:
    checks = _checks(
        config,
        [
            (
                "known_attribute_value",
                lambda: pa.Check.attribute_known(
                    key_col="key", allowed=allowed_attribute_keys(spec), error="known_attribute_value"
                ),
            )
        ],
    )
    return pa.DataFrameSchema(
        {"span_id": pa.Column(str, nullable=True), "name": pa.Column(str, nullable=True)},
        checks=checks,
        name="attributes",
        strict=False,
    )


def articles_schema(config: ValidationConfig, spec: AnnotationSpec, *, near: bool) -> pa.DataFrameSchema:
    base = table_schemas(spec)["articles"]
    columns = dict(base.columns)
    # An article may be listed twice (e.g. in two splits); one_split_per_article says so precisely.
    columns["article_id"] = columns["article_id"].set_checks(columns["article_id"].checks)
    columns["article_id"].unique = False
    pairs: list[tuple[str, Callable[[], pa.Check]]] = [
        (
            "one_split_per_article",
            lambda: pa.Check.one_split_per_article(
                id_col="article_id", split_col="split", error="one_split_per_article"
            ),
        ),
        (
            "no_cross_split_duplicate",
            lambda: pa.Check.no_cross_split_duplicate(
                key_col="text_key", split_col="split", error="no_cross_split_duplicate"
            ),
        ),
        (
            "registry_agrees",
            lambda: pa.Check.registry_agrees(
                split_col="split", expected_col="expected_split", error="registry_agrees"
            ),
        ),
    ]
    if near:
        pairs.append(
            (
                "no_cross_split_near_duplicate",
                lambda: pa.Check.no_cross_split_duplicate(
                    key_col="near_key",
                    split_col="split",
                    skip_col="exact_dup",
                    error="no_cross_split_near_duplicate",
                ),
            )
        )
    return pa.DataFrameSchema(columns, checks=_checks(config, pairs), name="articles", strict=False)


def annotations_schema(config: ValidationConfig, spec: AnnotationSpec) -> pa.DataFrameSchema:
    base = table_schemas(spec)["annotations"]
    pii = config.section("personal_data")
    checks = _checks(
        config,
        [
            (
                "personal_data",
                lambda: pa.Check.pseudonymous(
                    col="annotator",
                    pattern=str(pii.get("annotator_pattern", r"^[^@\s]+$")),
                    denylist=[str(n) for n in pii.get("denylist") or []],
                    error="personal_data",
                ),
            )
        ],
    )
    columns = dict(base.columns)
    # The base pattern check is subsumed by ``pseudonymous`` (one finding per annotator value).
    columns["annotator"] = pa.Column(str, nullable=False)
    # Snapshots of one annotation in several export files are expected: unique per file.
    columns["annotation_id"] = pa.Column(str)
    return pa.DataFrameSchema(
        columns, checks=checks, name="annotations", strict=False, unique=["src_file", "annotation_id"]
    )


def claims_schema(config: ValidationConfig, spec: AnnotationSpec) -> pa.DataFrameSchema:
    base = table_schemas(spec)["claims"]
    checks = _checks(
        config,
        [
            *_offset_checks("claim_start", "claim_end", "claim_text"),
        ],
    )
    return _with_checks(base, [*base.checks, *checks])


# -- descriptions of failing rows -------------------------------------------------------------------
def _doc_text(row: dict[str, Any]) -> str:
    doc = row.get("doc")
    return doc if isinstance(doc, str) else ""


def describe_row(check_id: str, row: dict[str, Any]) -> tuple[str, str | None]:
    """A message and the offending value for one failing row of a registered check."""
    start, end = row.get("start", row.get("claim_start")), row.get("end", row.get("claim_end"))
    text = row.get("text", row.get("claim_text"))
    doc = _doc_text(row)
    label = row.get("label")
    if check_id == "span_within_text":
        if not isinstance(row.get("doc"), str):
            return (
                "the span's article is not in the input (no text to check offsets against)",
                f"article {row.get('article_id')}",
            )
        return (
            f"offsets [{start}, {end}) are outside the article text (length {len(doc)}) or empty",
            f"start={start} end={end} len(text)={len(doc)}",
        )
    if check_id == "span_text_matches":
        ints = isinstance(start, int | np.integer) and isinstance(end, int | np.integer)
        got = doc[int(start) : int(end)] if ints else ""  # type: ignore[arg-type]
        return (
            f"text[{start}:{end}] differs from the span text",
            f"text[{start}:{end}]={_short(got, 60)!r} ≠ span text {_short(str(text), 60)!r}",
        )
    if check_id == "unique_span_id":
        return "span id used twice in one annotation", str(row.get("span_id"))
    if check_id == "unique_span_position":
        return (
            f"two {label} spans at the same offsets [{start}, {end})",
            f"{label} [{start}, {end}) {_short(str(text), 40)!r}",
        )
    if check_id == "claim_has_source":
        return f"gold {label} span has no source (attribution relation)", _short(str(text), 80)
    if check_id == "relation_endpoints_exist":
        missing = [
            side
            for side, lab in (("from", row.get("from_label")), ("to", row.get("to_label")))
            if lab is None or (isinstance(lab, float) and np.isnan(lab))
        ]
        return (
            f"relation {row.get('label')} points at a span id that does not exist "
            f"({' and '.join(missing)} end)",
            str(row.get("rel_ids")),
        )
    if check_id == "relation_endpoint_labels":
        return (
            f"relation {row.get('label')} joins {row.get('from_label')} → {row.get('to_label')}, "
            "which the spec does not allow",
            f"{row.get('label')}: {row.get('from_label')} → {row.get('to_label')}",
        )
    if check_id == "no_self_relation":
        return f"relation {row.get('label')} goes from a span to itself", str(row.get("rel_ids"))
    if check_id == "relation_direction":
        return f"relation {row.get('label')} has direction {row.get('direction')!r}", str(
            row.get("direction")
        )
    if check_id == "known_attribute_value":
        span_label = row.get("span_label")
        if not isinstance(span_label, str):
            return f"attribute {row.get('name')} belongs to no span of this annotation", str(row.get("name"))
        return (
            f"attribute {row.get('name')}={row.get('value')!r} is not allowed on a {span_label} span",
            f"{row.get('name')}={_short(str(row.get('value')), 60)}",
        )
    if check_id == "one_split_per_article":
        return f"article is in more than one split (here: {row.get('split')})", str(row.get("split"))
    if check_id == "no_cross_split_duplicate":
        return f"the same text appears in another split (this copy: {row.get('split')})", str(
            row.get("split")
        )
    if check_id == "no_cross_split_near_duplicate":
        return f"a near-duplicate text appears in another split (this copy: {row.get('split')})", str(
            row.get("split")
        )
    if check_id == "registry_agrees":
        return (
            f"split {row.get('split')} differs from {row.get('expected_source') or 'the registry'}: "
            f"{row.get('expected_split')}",
            f"{row.get('split')} ≠ {row.get('expected_split')}",
        )
    if check_id == "personal_data":
        return "annotator field is not a pseudonym (e-mail, e-mail-like text or a user name)", _short(
            str(row.get("annotator")), 80
        )
    return check_id, None


# -- the table runs ---------------------------------------------------------------------------------
def _isin_ids(spec: AnnotationSpec) -> dict[tuple[str, str], str]:
    ids = {(attr.name, "isin"): "known_attribute_value" for attr in spec.attributes}
    ids.update(
        {
            ("label", "isin"): "known_label",
            ("start", "greater_than_or_equal_to"): "span_within_text",
            ("end", "greater_than_or_equal_to"): "span_within_text",
            ("*", "end_after_start"): "span_within_text",
        }
    )
    return ids


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
    doc_digests = digests if texts is None else None
    doc_texts = tables.articles if texts is None else texts
    runs: list[TableRun] = []
    keys = _keys(tables) if len(tables.spans) or len(tables.relations) or len(tables.attributes) else None
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
                _isin_ids(spec),
            )
        )
    if len(tables.relations):
        runs.append(
            TableRun(
                "relations",
                relations_view(tables, keys),
                schema("relations", lambda: relations_schema(config, spec)),
                describe_row,
                {("label", "isin"): "known_relation_label"},
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
                {("split", "isin"): "known_split"},
                span_col=None,
            )
        )
    if tables.claims is not None and len(tables.claims):
        claims = tables.claims.copy()
        claims["doc"] = _doc_column(doc_texts, claims["article_id"], doc_digests)
        ids = _isin_ids(spec)
        ids[("stance", "isin")] = "known_relation_label"
        ids[("claim_start", "greater_than_or_equal_to")] = "span_within_text"
        ids[("claim_end", "greater_than_or_equal_to")] = "span_within_text"
        runs.append(
            TableRun(
                "claims",
                claims,
                schema("claims", lambda: claims_schema(config, spec)),
                describe_row,
                ids,
                span_col="claim_id",
            )
        )
    for run in runs:
        log.debug("validating %s (%d rows)", run.name, len(run.df))
        findings.extend(run_table(run, config))
    return findings


def _rows(column: pd.Series, mask: pd.Series) -> pd.Series:
    """``column[mask]`` without copying when every row is selected (the usual case)."""
    return column if bool(mask.all()) else column[mask]


def articles_view(
    tables: Tables, config: ValidationConfig, digests: NDArray[Any] | None = None
) -> tuple[pd.DataFrame, bool]:
    articles = tables.articles
    # The same article listed twice (e.g. in a tasks file and an export) is one row here; texts
    # are compared by digest (hashing the arrow buffer, no string hash table).
    raw = text_digests(articles["text"]) if digests is None else digests
    dedupe = articles[["article_id", "split"]].assign(digest=raw)
    art = articles[~dedupe.duplicated(keep="first").to_numpy()].copy()
    has_split = art["split"].notna()
    art["text_key"] = None
    art["near_key"] = None
    near = False
    dup_checks = config.enabled("no_cross_split_duplicate") or config.enabled("no_cross_split_near_duplicate")
    if dup_checks and has_split.any() and art.loc[has_split, "split"].nunique() > 1:
        # An article id in two splits is one_split_per_article's finding, not a duplicate text.
        multi = art.groupby("article_id")["split"].transform("nunique") > 1
        keyed = has_split & ~multi
        art.loc[keyed, "text_key"] = exact_keys(_rows(art["text"], keyed)).to_numpy()
        exact_cross = art[keyed].groupby("text_key")["split"].transform("nunique") > 1
        if config.enabled("no_cross_split_near_duplicate"):
            near = True
            # Exact duplicates are reported once, as exact duplicates.
            # They still take part in the clustering, so that a near-duplicate of one of them
            # is found (skip_col), but only the other rows of a cluster are reported as near.
            art["exact_dup"] = False
            art.loc[exact_cross[exact_cross].index, "exact_dup"] = True
            near_rows = keyed
            art.loc[near_rows, "near_key"] = near_duplicate_keys(
                _rows(art["text"], near_rows),
                jaccard=float(config.threshold("near_duplicate_jaccard")),
                shingle=int(config.threshold("near_duplicate_shingle_words")),
                hashes=int(config.threshold("near_duplicate_hashes")),
                max_chars=int(config.threshold("near_duplicate_max_chars")) or None,
                groups=art.loc[near_rows, "split"],
            ).to_numpy()
    expected = tables.expected_splits
    art["expected_split"] = art["article_id"].map(expected) if expected else None
    art["expected_source"] = tables.expected_split_source or None
    # Articles without a split (tasks, exports) are not part of split checks.
    art["split"] = art["split"].where(has_split, None)
    art.loc[~has_split, "expected_split"] = None
    return art, near


__all__ = ["HINTS", "SPLITS", "validate_tables"]
