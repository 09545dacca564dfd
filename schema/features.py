"""``datasets.Features`` of every published config, generated from the spec.

Spans and relations are ``List`` of structs (``datasets.List``), never ``Sequence`` of a dict,
which ``datasets`` would turn into a dict of lists. Labels, stances and choice attributes are
``ClassLabel`` in spec order (append-only, see :mod:`stancebank.schema.spec`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from datasets import ClassLabel, Features, List, Value

from stancebank.schema.columns import CLAIM_COLUMNS, STANCE_COLUMNS
from stancebank.schema.spec import SPEC, AnnotationSpec, Attribute

CONFIGS: tuple[str, ...] = ("documents", "claims", "stance", "annotations")
DEFAULT_CONFIG = "documents"
ARTICLE_ID = "article_id"
"""The article id column, named the same in every config."""
LEGACY_DOCUMENT_ID = "id"
"""What ``documents`` called its article id before it was named like the other configs'."""


def document_id_column(column_names: Sequence[str]) -> str:
    """The article id column of a ``documents`` file with these columns: ``article_id``, or
    ``id`` in a release built before the rename (a previous release read for its splits/changes)."""
    return (
        LEGACY_DOCUMENT_ID
        if ARTICLE_ID not in column_names and LEGACY_DOCUMENT_ID in column_names
        else ARTICLE_ID
    )


PROVENANCES: tuple[str, ...] = ("accepted", "edited", "hand")
"""A gold span against the task's pre-annotations: a predicted span kept as it was (``accepted``),
one changed or overlapping a prediction (``edited``), or drawn by hand (``hand``)."""


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


def sentence_feature() -> dict[str, Any]:
    """A sentence of the article text: ``text[start:end]`` (see :mod:`stancebank.schema.sentences`)."""
    return {"start": Value("int32"), "end": Value("int32")}


def documents_features(spec: AnnotationSpec = SPEC) -> Features:
    """One row per gold article: its text, sentences, gold spans (each with its ``provenance``
    against the pre-annotations) and relations."""
    return Features(
        {
            ARTICLE_ID: _string(),
            "title": _string(),
            "text": _string(),
            "url": _string(),
            "source": _string(),
            "published": _string(),
            "language": _string(),
            "sentences": List(sentence_feature()),
            "spans": List({**span_feature(spec), "provenance": ClassLabel(names=list(PROVENANCES))}),
            "relations": List(relation_feature(spec)),
            "num_annotators": Value("int32"),
        }
    )


def claims_features(spec: AnnotationSpec = SPEC) -> Features:
    """One row per claim–target pair (a claim without a target once, with null target and stance):
    the claim, its speaker and target with their attributes (the target's canonical
    ``target_name`` among them), the stance, the article's language and the claim's context: the
    sentence(s) it is in, with their offsets in the article text."""
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
    fields.update(
        {
            c.stance: ClassLabel(names=list(spec.stance_names)),
            c.language: _string(),
            c.sentence: _string(),
            c.sentence_start: Value("int32"),
            c.sentence_end: Value("int32"),
        }
    )
    return Features(fields)


def stance_features(spec: AnnotationSpec = SPEC) -> Features:
    """The ``stance`` config, ready for a classifier: one row per claim–target pair with a stance
    (the ``claims`` rows whose stance is not null): the claim, the target as written and its
    canonical name, the stance, the claim's context sentence(s) and the article's language."""
    s = STANCE_COLUMNS
    return Features(
        {
            s.article_id: _string(),
            s.claim_id: _string(),
            s.target_id: _string(),
            s.claim: _string(),
            s.target: _string(),
            s.canonical_target: _string(),
            s.stance: ClassLabel(names=list(spec.stance_names)),
            s.context: _string(),
            s.language: _string(),
        }
    )


def annotations_features(spec: AnnotationSpec = SPEC) -> Features:
    """Every annotation of every annotated article. ``status`` is the article's adjudication
    (``gold``, ``conflict``, ``insufficient``), ``gold_method`` how it reached gold (``ground_truth``,
    ``reviewer``, ``majority``, ``single``) or ``pending``; ``review`` marks a reviewer's verdict
    (not an annotator: left out of agreement); ``text`` is the article's text (a pending article is
    not in ``documents``); a span's ``gold_id`` is the id of the gold span with
    the same label and offsets (null when gold has none or the article is pending)."""
    return Features(
        {
            "article_id": _string(),
            "annotation_id": _string(),
            "annotator": _string(),
            "ground_truth": Value("bool"),
            "review": Value("bool"),
            "status": _string(),
            "gold_method": _string(),
            "text": _string(),
            "spans": List({**span_feature(spec), "gold_id": _string()}),
            "relations": List(relation_feature(spec)),
        }
    )


def dataset_features(spec: AnnotationSpec = SPEC) -> dict[str, Features]:
    """The features of every published config, keyed by config name."""
    return {
        "documents": documents_features(spec),
        "claims": claims_features(spec),
        "stance": stance_features(spec),
        "annotations": annotations_features(spec),
    }
