"""``datasets.Features`` of every published config, generated from the spec.

Spans and relations are ``List`` of structs (``datasets.List``), never ``Sequence`` of a dict,
which ``datasets`` would turn into a dict of lists. Labels, stances and choice attributes are
``ClassLabel`` in spec order (append-only, see :mod:`stancebank.schema.spec`).
"""

from __future__ import annotations

from typing import Any

from datasets import ClassLabel, Features, List, Value

from stancebank.schema.columns import CLAIM_COLUMNS
from stancebank.schema.spec import SPEC, AnnotationSpec, Attribute

CONFIGS: tuple[str, ...] = ("documents", "claims", "annotations")
DEFAULT_CONFIG = "documents"


def _string() -> Value:
    return Value("string")


def attribute_feature(attr: Attribute) -> ClassLabel | Value:
    """A choice attribute is a ClassLabel over its choices; a text attribute a string."""
    return ClassLabel(names=list(attr.choices)) if attr.kind == "choice" else _string()


def attribute_features(spec: AnnotationSpec = SPEC) -> dict[str, Any]:
    """One field per attribute of any label; null where it does not apply."""
    return {attr.name: attribute_feature(attr) for attr in spec.attributes}


def span_feature(spec: AnnotationSpec = SPEC) -> dict[str, Any]:
    return {
        "id": _string(),
        "label": ClassLabel(names=list(spec.span_label_names)),
        "start": Value("int32"),
        "end": Value("int32"),
        "text": _string(),
        "attributes": attribute_features(spec),
    }


def relation_feature(spec: AnnotationSpec = SPEC) -> dict[str, Any]:
    return {
        "from_id": _string(),
        "to_id": _string(),
        "label": ClassLabel(names=list(spec.relation_label_names)),
    }


def documents_features(spec: AnnotationSpec = SPEC) -> Features:
    return Features(
        {
            "id": _string(),
            "title": _string(),
            "text": _string(),
            "url": _string(),
            "source": _string(),
            "published": _string(),
            "language": _string(),
            "spans": List(span_feature(spec)),
            "relations": List(relation_feature(spec)),
            "num_annotators": Value("int32"),
        }
    )


def claims_features(spec: AnnotationSpec = SPEC) -> Features:
    actor = spec.role_label("actor")
    claim = spec.role_label("claim")
    target = spec.role_label("target")
    c = CLAIM_COLUMNS
    fields: dict[str, Any] = {
        c.article_id: _string(),
        c.claim_id: _string(),
        c.claim_text: _string(),
        c.claim_start: Value("int32"),
        c.claim_end: Value("int32"),
    }
    fields.update({a.name: attribute_feature(a) for a in spec.span_label(claim).attributes})
    fields.update(
        {
            c.actor_id: _string(),
            c.actor_text: _string(),
        }
    )
    fields.update({a.name: attribute_feature(a) for a in spec.span_label(actor).attributes})
    fields.update(
        {
            c.target_id: _string(),
            c.target_text: _string(),
            c.target_start: Value("int32"),
            c.target_end: Value("int32"),
        }
    )
    fields.update({a.name: attribute_feature(a) for a in spec.span_label(target).attributes})
    fields[c.stance] = ClassLabel(names=list(spec.stance_names))
    return Features(fields)


def annotations_features(spec: AnnotationSpec = SPEC) -> Features:
    return Features(
        {
            "article_id": _string(),
            "annotation_id": _string(),
            "annotator": _string(),
            "ground_truth": Value("bool"),
            "spans": List(span_feature(spec)),
            "relations": List(relation_feature(spec)),
        }
    )


def dataset_features(spec: AnnotationSpec = SPEC) -> dict[str, Features]:
    """The features of every published config, keyed by config name."""
    return {
        "documents": documents_features(spec),
        "claims": claims_features(spec),
        "annotations": annotations_features(spec),
    }
