"""The annotation scheme and everything generated from it."""

from stancebank.schema.spec import SPEC, AnnotationSpec, Attribute, RelationLabel, SpanLabel

__all__ = ["SPEC", "AnnotationSpec", "Attribute", "RelationLabel", "SpanLabel"]
