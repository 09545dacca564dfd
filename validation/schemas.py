"""The pandera schema of each view: the base table schema of :mod:`stancebank.schema.tables` plus
the registered checks of :mod:`stancebank.validation.checks`, configured from the spec (allowed
labels, relation endpoints) and from the validation config (a check that is ``off`` is not built).

Each check's ``error`` is its check id, so that a failure maps back to its hint; checks pandera
names itself (``isin``, ``greater_than_or_equal_to``) are mapped by :func:`column_check_ids`.
"""

from __future__ import annotations

from collections.abc import Callable

import pandera.pandas as pa

import stancebank.validation.checks  # noqa: F401  (registers the checks with pandera)
from stancebank.schema.columns import CLAIM_COLUMNS
from stancebank.schema.spec import AnnotationSpec
from stancebank.schema.tables import table_schemas
from stancebank.validation.config import ValidationConfig
from stancebank.validation.frames import LOOSE_WHITESPACE, OFFSETS_REPORTED


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
    start_col: str, end_col: str, text_col: str, normalize_ws: bool = False, loose_col: str = ""
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
                loose_col=loose_col,
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
            *_offset_checks("start", "end", "text", normalize_ws, LOOSE_WHITESPACE),
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
                    skip_col=OFFSETS_REPORTED,
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
            *_offset_checks(CLAIM_COLUMNS.claim_start, CLAIM_COLUMNS.claim_end, CLAIM_COLUMNS.claim_text),
            # the claim's context: text[sentence_start:sentence_end] == sentence
            *_offset_checks(CLAIM_COLUMNS.sentence_start, CLAIM_COLUMNS.sentence_end, CLAIM_COLUMNS.sentence),
        ],
    )
    return _with_checks(base, [*base.checks, *checks])


def column_check_ids(table: str, spec: AnnotationSpec) -> dict[tuple[str, str], str]:
    """``(column, pandera check name) → check id`` for the checks of the base table schemas
    (``*`` for a dataframe-level check); a check missing here is reported as ``table_schema``."""
    if table == "relations":
        return {("label", "isin"): "known_relation_label"}
    if table in ("articles", "split_registry"):
        return {("split", "isin"): "known_split"}
    if table not in ("spans", "claims"):
        return {}
    ids = {(attr.name, "isin"): "known_attribute_value" for attr in spec.attributes}
    ids.update(
        {
            ("label", "isin"): "known_label",
            ("start", "greater_than_or_equal_to"): "span_within_text",
            ("end", "greater_than_or_equal_to"): "span_within_text",
            ("*", "end_after_start"): "span_within_text",
        }
    )
    if table == "claims":
        ids[(CLAIM_COLUMNS.stance, "isin")] = "known_relation_label"
        ids[(CLAIM_COLUMNS.claim_start, "greater_than_or_equal_to")] = "span_within_text"
        ids[(CLAIM_COLUMNS.claim_end, "greater_than_or_equal_to")] = "span_within_text"
    return ids
