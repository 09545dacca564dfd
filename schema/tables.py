"""pandera schemas for the flat tables the stages exchange, generated from the spec.

Tables (one row per …):

- ``articles``: article;
- ``spans``: span of a gold document or of one annotation (``annotation_id`` null for gold);
- ``relations``: relation between two spans of the same article (and annotation);
- ``claims``: claim–target pair (a claim with no target appears once, with a null stance);
- ``annotations``: annotation as it came back from Label Studio.

Column-level rules live here (types, nullability, allowed values from the spec). Rules that look
across rows or tables — offsets against the text, relation endpoints, duplicates, splits — are
registered pandera checks in :mod:`stancebank.validation`.
"""

from __future__ import annotations

import pandas as pd
import pandera.pandas as pa
from pandera import extensions

from stancebank.schema.columns import CLAIM_COLUMNS
from stancebank.schema.spec import SPEC, SPLITS, AnnotationSpec, Attribute


@extensions.register_check_method(statistics=["start_col", "end_col"])  # type: ignore[untyped-decorator]
def end_after_start(df: pd.DataFrame, *, start_col: str, end_col: str) -> pd.Series:
    """Row-wise ``end > start``; registered so it survives schema serialisation."""
    return df[end_col] > df[start_col]


def _attribute_column(attr: Attribute) -> pa.Column:
    if attr.kind == "choice":
        return pa.Column(
            str,
            pa.Check.isin(list(attr.choices), error=f"{attr.name} must be one of {list(attr.choices)}"),
            nullable=True,
            required=False,
        )
    return pa.Column(str, nullable=True, required=False)


def articles_schema(spec: AnnotationSpec = SPEC) -> pa.DataFrameSchema:
    return pa.DataFrameSchema(
        {
            "article_id": pa.Column(str, pa.Check.str_length(min_value=1), unique=True),
            "title": pa.Column(str, nullable=True),
            "text": pa.Column(str, pa.Check.str_length(min_value=1)),
            "url": pa.Column(str, nullable=True, required=False),
            "source": pa.Column(str, nullable=True, required=False),
            "published": pa.Column(
                str,
                pa.Check.str_matches(r"^\d{4}-\d{2}-\d{2}", error="published must be an ISO date"),
                nullable=True,
                required=False,
            ),
            "language": pa.Column(str, nullable=True, required=False),
            "split": pa.Column(str, pa.Check.isin(list(SPLITS)), nullable=True, required=False),
        },
        name="articles",
        strict=False,
        coerce=False,
    )


def spans_schema(spec: AnnotationSpec = SPEC) -> pa.DataFrameSchema:
    columns: dict[str, pa.Column] = {
        "article_id": pa.Column(str),
        "annotation_id": pa.Column(str, nullable=True, required=False),
        "span_id": pa.Column(str, pa.Check.str_length(min_value=1)),
        "label": pa.Column(
            str,
            pa.Check.isin(
                list(spec.span_label_names), error=f"label must be one of {list(spec.span_label_names)}"
            ),
        ),
        "start": pa.Column(int, pa.Check.ge(0, error="start must be >= 0")),
        "end": pa.Column(int, pa.Check.ge(1, error="end must be >= 1")),
        "text": pa.Column(str),
    }
    columns.update({attr.name: _attribute_column(attr) for attr in spec.attributes})
    return pa.DataFrameSchema(
        columns,
        checks=[pa.Check.end_after_start(start_col="start", end_col="end")],
        name="spans",
        strict=False,
    )


def relations_schema(spec: AnnotationSpec = SPEC) -> pa.DataFrameSchema:
    return pa.DataFrameSchema(
        {
            "article_id": pa.Column(str),
            "annotation_id": pa.Column(str, nullable=True, required=False),
            "from_id": pa.Column(str),
            "to_id": pa.Column(str),
            "label": pa.Column(
                str,
                pa.Check.isin(
                    list(spec.relation_label_names),
                    error=f"relation label must be one of {list(spec.relation_label_names)}",
                ),
            ),
        },
        name="relations",
        strict=False,
    )


def claims_schema(spec: AnnotationSpec = SPEC) -> pa.DataFrameSchema:
    actor = spec.span_label(spec.role_label("actor"))
    claim = spec.span_label(spec.role_label("claim"))
    target = spec.span_label(spec.role_label("target"))
    c = CLAIM_COLUMNS
    columns: dict[str, pa.Column] = {
        c.article_id: pa.Column(str),
        c.claim_id: pa.Column(str),
        c.claim_text: pa.Column(str, pa.Check.str_length(min_value=1)),
        c.claim_start: pa.Column(int, pa.Check.ge(0)),
        c.claim_end: pa.Column(int, pa.Check.ge(1)),
        c.actor_id: pa.Column(str, nullable=True),
        c.actor_text: pa.Column(str, nullable=True),
        c.target_id: pa.Column(str, nullable=True),
        c.target_text: pa.Column(str, nullable=True),
        c.target_start: pa.Column(float, nullable=True, coerce=True),
        c.target_end: pa.Column(float, nullable=True, coerce=True),
        c.stance: pa.Column(
            str,
            pa.Check.isin(list(spec.stance_names), error=f"stance must be one of {list(spec.stance_names)}"),
            nullable=True,
        ),
    }
    for attr in (*claim.attributes, *actor.attributes, *target.attributes):
        columns[attr.name] = _attribute_column(attr)
    return pa.DataFrameSchema(columns, name="claims", strict=False)


def annotations_schema(spec: AnnotationSpec = SPEC) -> pa.DataFrameSchema:
    return pa.DataFrameSchema(
        {
            "article_id": pa.Column(str),
            "annotation_id": pa.Column(str, unique=True),
            "annotator": pa.Column(
                str,
                pa.Check.str_matches(r"^[^@\s]+$", error="annotator must be a pseudonym, never an email"),
            ),
            "ground_truth": pa.Column(bool),
            "was_cancelled": pa.Column(bool, required=False),
            "n_spans": pa.Column(int, pa.Check.ge(0), required=False),
            "n_relations": pa.Column(int, pa.Check.ge(0), required=False),
        },
        name="annotations",
        strict=False,
    )


def table_schemas(spec: AnnotationSpec = SPEC) -> dict[str, pa.DataFrameSchema]:
    """Every flat table's schema, keyed by table name."""
    return {
        "articles": articles_schema(spec),
        "spans": spans_schema(spec),
        "relations": relations_schema(spec),
        "claims": claims_schema(spec),
        "annotations": annotations_schema(spec),
    }
