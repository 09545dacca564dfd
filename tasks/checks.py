"""Strict validation of a prediction against the spec and the task text, before it is written.

Label Studio accepts invalid predictions silently, so every problem is collected here and the
prediction is refused as a whole (:class:`~stancebank.tasks.errors.PredictionError`).
"""

from __future__ import annotations

from collections.abc import Sequence

from stancebank.schema.model import Relation, Span
from stancebank.schema.spec import SPEC, AnnotationSpec
from stancebank.tasks.errors import PredictionError


def span_problems(text: str, spans: Sequence[Span], spec: AnnotationSpec = SPEC) -> list[str]:
    problems: list[str] = []
    ids: set[str] = set()
    keys: set[tuple[int, int, str]] = set()
    for span in spans:
        where = f"span {span.id} ({span.label} {span.start}-{span.end})"
        if not span.id:
            problems.append(f"{where}: empty region id")
        if span.id in ids:
            problems.append(f"{where}: region id {span.id!r} is used twice")
        ids.add(span.id)
        if span.label not in spec.span_label_names:
            problems.append(f"{where}: unknown label {span.label!r}")
            continue
        if not 0 <= span.start < span.end <= len(text):
            problems.append(f"{where}: offsets outside the text (length {len(text)}) or empty")
        elif text[span.start : span.end] != span.text:
            problems.append(f"{where}: region text {span.text!r} differs from text[start:end]")
        elif span.text != span.text.strip():
            problems.append(f"{where}: region starts or ends with whitespace")
        key = (span.start, span.end, span.label)
        if key in keys:
            problems.append(f"{where}: another span has the same start, end and label")
        keys.add(key)
        allowed = {attr.name: attr for attr in spec.span_label(span.label).attributes}
        for name, value in span.attributes.items():
            attr = allowed.get(name)
            if attr is None:
                problems.append(f"{where}: attribute {name!r} does not belong to {span.label}")
            elif attr.kind == "choice" and value not in attr.choices:
                problems.append(f"{where}: {name}={value!r} is not one of {', '.join(attr.choices)}")
            elif not isinstance(value, str):
                problems.append(f"{where}: {name} must be a string")
        if span.score is not None and not 0.0 <= span.score <= 1.0:
            problems.append(f"{where}: score {span.score} outside [0, 1]")
    return problems


def relation_problems(
    spans: Sequence[Span], relations: Sequence[Relation], spec: AnnotationSpec = SPEC
) -> list[str]:
    problems: list[str] = []
    by_id = {span.id: span for span in spans}
    seen: set[tuple[str, str, str]] = set()
    for rel in relations:
        where = f"relation {rel.label} {rel.from_id}→{rel.to_id}"
        if rel.label not in spec.relation_label_names:
            problems.append(f"{where}: unknown relation label {rel.label!r}")
            continue
        label = spec.relation_label(rel.label)
        src, dst = by_id.get(rel.from_id), by_id.get(rel.to_id)
        if src is None or dst is None:
            problems.append(f"{where}: an endpoint is not a region of this prediction")
            continue
        if src.label not in label.from_labels or dst.label not in label.to_labels:
            problems.append(
                f"{where}: {src.label}→{dst.label} not allowed; {rel.label} goes "
                f"{'/'.join(label.from_labels)}→{'/'.join(label.to_labels)}"
            )
        key = (rel.from_id, rel.to_id, rel.label)
        if key in seen:
            problems.append(f"{where}: duplicated")
        seen.add(key)
    return problems


def validate_prediction(
    article_id: str,
    text: str,
    spans: Sequence[Span],
    relations: Sequence[Relation],
    spec: AnnotationSpec = SPEC,
) -> None:
    """Raise :class:`PredictionError` listing every problem; return quietly when all is well.

    Checked once, on the domain objects: their wire form (:func:`stancebank.schema.wire.to_results`)
    is a pure function of them, so every region it writes slices the text as its span does."""
    problems = span_problems(text, spans, spec) + relation_problems(spans, relations, spec)
    if problems:
        raise PredictionError(article_id, problems)
