"""Wire types: the JSON Label Studio imports and exports, as TypedDicts.

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
