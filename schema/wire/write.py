"""Domain spans and relations → Label Studio results, and an article → a task's ``data``: the one
conversion the other way from :mod:`stancebank.schema.wire.results`."""

from __future__ import annotations

from stancebank.schema.model import Article, Relation, Span
from stancebank.schema.spec import SPEC, AnnotationSpec
from stancebank.schema.wire.types import LSResult, LSTaskData, LSValue


def span_results(span: Span, spec: AnnotationSpec = SPEC) -> list[LSResult]:
    """The results of one span: its label, then one result per attribute it carries."""
    base: LSValue = {"start": span.start, "end": span.end, "text": span.text}
    out: list[LSResult] = [
        {
            "id": span.id,
            "from_name": spec.labels_name,
            "to_name": spec.text_name,
            "type": "labels",
            "value": {**base, "labels": [span.label]},
        }
    ]
    label = spec.span_label(span.label)
    for attr in label.attributes:
        value = span.attributes.get(attr.name)
        if value is None or value == "":
            continue
        if attr.kind == "choice":
            out.append(
                {
                    "id": span.id,
                    "from_name": attr.name,
                    "to_name": spec.text_name,
                    "type": "choices",
                    "value": {**base, "choices": [value]},
                }
            )
        else:
            out.append(
                {
                    "id": span.id,
                    "from_name": attr.name,
                    "to_name": spec.text_name,
                    "type": "textarea",
                    "value": {**base, "text": [value]},
                }
            )
    if span.score is not None:
        for result in out:
            result["score"] = span.score
    return out


def relation_result(relation: Relation) -> LSResult:
    result: LSResult = {
        "from_id": relation.from_id,
        "to_id": relation.to_id,
        "type": "relation",
        "direction": "right",
        "labels": [relation.label],
    }
    if relation.score is not None:
        result["score"] = relation.score
    return result


def to_results(
    spans: list[Span] | tuple[Span, ...],
    relations: list[Relation] | tuple[Relation, ...] = (),
    spec: AnnotationSpec = SPEC,
) -> list[LSResult]:
    """Spans and relations as a Label Studio ``result`` list (for predictions or annotations)."""
    results: list[LSResult] = []
    for span in spans:
        results.extend(span_results(span, spec))
    results.extend(relation_result(rel) for rel in relations)
    return results


def task_data(article: Article) -> LSTaskData:
    """The ``data`` of a Label Studio task for an article (without provenance)."""
    return {
        "text": article.text,
        "article_id": article.article_id,
        "title": article.title,
        "url": article.url,
        "source": article.source,
        "published": article.published,
        "language": article.language,
    }
