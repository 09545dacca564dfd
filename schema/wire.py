"""Wire types: the JSON Label Studio imports and exports, as TypedDicts, and the one conversion
from domain spans/relations to Label Studio results.

A task (what ``stancebank tasks build`` writes and ``stancebank studio push`` imports)::

    {"data": {"text": ..., "article_id": ..., "title": ..., "url": ..., "source": ...,
              "published": ..., "language": ..., "stancebank": {<TaskProvenance>}},
     "predictions": [{"model_version": ..., "score": ..., "result": [<LSResult>, ...]}]}

Results for one span share its region ``id``: a ``labels`` result carries the label; each
attribute is a ``choices`` or ``textarea`` result with the same ``id`` and offsets. Relations are
``relation`` results between region ids.
"""

from __future__ import annotations

from typing import Any, Literal, NotRequired, TypedDict

from stancebank.schema.model import Article, Relation, Span
from stancebank.schema.spec import SPEC, AnnotationSpec


class LSValue(TypedDict, total=False):
    start: int
    end: int
    text: Any  # the span text for labels/choices; a list of strings for a textarea
    labels: list[str]
    choices: list[str]


class LSResult(TypedDict, total=False):
    id: str
    from_name: str
    to_name: str
    type: str
    value: LSValue
    origin: str
    score: float
    readonly: bool
    # relation results
    from_id: str
    to_id: str
    direction: Literal["right", "left", "bi"]
    labels: list[str]


class LSPrediction(TypedDict):
    model_version: str
    result: list[LSResult]
    score: NotRequired[float]


class TaskProvenance(TypedDict, total=False):
    schema_version: str
    cleaner_version: str
    raw_sha256: str
    text_sha256: str
    origin_file: str
    origin_line: int | None
    origin_record: int | None
    removed_lines: int


class LSTaskData(TypedDict, total=False):
    text: str
    article_id: str
    title: str | None
    url: str | None
    source: str | None
    published: str | None
    language: str | None
    stancebank: TaskProvenance


class LSTask(TypedDict):
    data: LSTaskData
    predictions: NotRequired[list[LSPrediction]]


class LSAnnotation(TypedDict, total=False):
    id: int
    completed_by: Any  # an int id in our snapshots; a dict with email/name in UI downloads
    result: list[LSResult]
    was_cancelled: bool
    ground_truth: bool
    created_at: str
    updated_at: str
    lead_time: float
    prediction: dict[str, Any]
    parent_prediction: int | None
    parent_annotation: int | None
    last_action: str | None


class LSExportTask(TypedDict, total=False):
    id: int
    data: LSTaskData
    annotations: list[LSAnnotation]
    predictions: list[dict[str, Any]]
    drafts: list[dict[str, Any]]
    created_at: str
    updated_at: str


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
