"""Labels carry their meaning: consumers find a stance by polarity and an attribute by role, never
by position, and a missing meaning fails loudly."""

from __future__ import annotations

from dataclasses import replace

import pytest

from stancebank.schema.errors import SpecError
from stancebank.schema.spec import SPEC, Attribute, RelationLabel


def test_stance_relations_are_found_by_polarity_whatever_their_order() -> None:
    reordered = SPEC.with_changes(relation_labels=tuple(reversed(SPEC.relation_labels)))
    for spec in (SPEC, reordered):
        assert spec.stance_label("support").description == "The claim argues for the target."
        assert spec.stance_label("oppose").description == "The claim argues against the target."
        assert spec.stance_polarity(spec.stance_label("neutral").name) == "neutral"


def test_renamed_stance_keeps_its_meaning() -> None:
    renamed = SPEC.with_changes(
        relation_labels=tuple(
            replace(r, name="against") if r.polarity == "oppose" else r for r in SPEC.relation_labels
        )
    )
    assert renamed.stance_label("oppose").name == "against"
    assert renamed.stance_polarity("against") == "oppose"


def test_a_missing_polarity_fails_loudly() -> None:
    no_oppose = SPEC.with_changes(
        relation_labels=tuple(r for r in SPEC.relation_labels if r.polarity != "oppose")
    )
    with pytest.raises(SpecError, match="polarity 'oppose'"):
        no_oppose.stance_label("oppose")
    with pytest.raises(SpecError, match="not a stance relation"):
        SPEC.stance_polarity("source")


def test_stance_relations_must_declare_a_unique_polarity() -> None:
    with pytest.raises(ValueError, match="needs a polarity"):
        RelationLabel(name="x", description="d", role="stance", from_labels=("CLAIM",), to_labels=("TARGET",))
    with pytest.raises(ValueError, match="takes none"):
        RelationLabel(
            name="x",
            description="d",
            role="attribution",
            from_labels=("A",),
            to_labels=("B",),
            polarity="support",
        )
    dup = replace(SPEC.stance_label("neutral"), name="also_support", polarity="support")
    with pytest.raises(ValueError, match="one relation only"):
        SPEC.with_changes(relation_labels=(*SPEC.relation_labels, dup))


def test_attributes_are_found_by_role() -> None:
    assert SPEC.attribute_for("actor_type").choices[0] == "person"
    assert SPEC.attribute_for("actor_name").kind == "text"
    assert SPEC.attribute_for("claim_form").name == "claim_form"
    actor = SPEC.span_label("ACTOR")
    swapped = replace(actor, attributes=tuple(reversed(actor.attributes)))
    spec = SPEC.with_changes(span_labels=tuple(swapped if lb is actor else lb for lb in SPEC.span_labels))
    assert spec.attribute_for("actor_name").kind == "text"
    assert spec.attribute_for("actor_type").kind == "choice"


def test_a_missing_role_or_choice_fails_loudly() -> None:
    actor = SPEC.span_label("ACTOR")
    anonymous = replace(actor, attributes=tuple(replace(a, role=None) for a in actor.attributes))
    spec = SPEC.with_changes(span_labels=tuple(anonymous if lb is actor else lb for lb in SPEC.span_labels))
    with pytest.raises(SpecError, match="role 'actor_type'"):
        spec.attribute_for("actor_type")
    with pytest.raises(SpecError, match="no choice 'robot'"):
        SPEC.attribute_for("actor_type").choice("robot")
    assert SPEC.attribute_for("claim_form").choice("mixed") == "mixed"
    with pytest.raises(ValueError, match="role may belong to one attribute only"):
        extra = Attribute(name="second_name", kind="text", title="t", description="d", role="actor_name")
        SPEC.with_changes(
            span_labels=tuple(
                replace(lb, attributes=(*lb.attributes, extra)) if lb is actor else lb
                for lb in SPEC.span_labels
            )
        )
