"""Pilot gold annotations: an authoring format resolved against task text.

People write the pilot annotations (``data/pilot/pilot.yaml``) as span *texts*, not offsets::

    articles:
      - file: ceasefire_envoy.txt          # relative to data/raw; matched by base name
        record: wire-0001                  # only for batch files: the record id (or 1-based number)
        ground_truth: annotator-a          # required when two annotators differ
        annotations:
          annotator-a:
            spans:
              - {id: a1, label: ACTOR, text: Marta Lindqvist, occurrence: 1,
                 attributes: {actor_type: person, actor_name: Marta Lindqvist}}
            relations:
              - {from: a1, to: c1, label: source}

A span's offsets are those of the ``occurrence``-th (1-based, default 1) occurrence of its
``text`` in the task's ``data.text`` (code points). :func:`resolve_pilot` turns the pilot into an
annotations-import list, one entry per article and annotator, whose ``result`` is built by
:func:`stancebank.schema.wire.to_results`.

Everything here is pure: :func:`load_pilot` is the only function that reads a file.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any, TypedDict

import yaml

from stancebank.schema.errors import StancebankError
from stancebank.schema.model import Relation, Span
from stancebank.schema.spec import SPEC, AnnotationSpec
from stancebank.schema.wire import LSResult, LSTask, to_results

log = logging.getLogger(__name__)

ANNOTATOR_PATTERN = re.compile(r"^annotator-[a-z0-9]+$")
_ARTICLE_KEYS = {"file", "record", "ground_truth", "annotations", "note"}
_ANNOTATION_KEYS = {"spans", "relations"}
_SPAN_KEYS = {"id", "label", "text", "occurrence", "attributes"}
_RELATION_KEYS = {"from", "to", "label"}


class PilotError(StancebankError):
    """The pilot file is malformed or does not resolve against the tasks."""

    exit_code = 2


@dataclass(frozen=True)
class PilotSpan:
    id: str
    label: str
    text: str
    occurrence: int
    attributes: dict[str, str]


@dataclass(frozen=True)
class PilotRelation:
    from_id: str
    to_id: str
    label: str


@dataclass(frozen=True)
class PilotAnnotation:
    annotator: str
    spans: tuple[PilotSpan, ...]
    relations: tuple[PilotRelation, ...]


@dataclass(frozen=True)
class PilotArticle:
    file: str
    record: str | int | None
    annotations: tuple[PilotAnnotation, ...]
    ground_truth: str | None

    @property
    def key(self) -> str:
        return self.file if self.record is None else f"{self.file} record {self.record}"

    def is_ground_truth(self, annotator: str) -> bool:
        """The adjudicated annotation: the named one, else the only one."""
        if self.ground_truth is not None:
            return annotator == self.ground_truth
        return len(self.annotations) == 1


class AnnotationImport(TypedDict):
    article_id: str
    annotator: str
    ground_truth: bool
    result: list[LSResult]


# -- parsing and validation ---------------------------------------------------------------------


def _where(article: str, annotator: str | None = None, item: str | None = None) -> str:
    parts = [f"article {article}"]
    if annotator is not None:
        parts.append(f"annotator {annotator}")
    if item is not None:
        parts.append(item)
    return ", ".join(parts)


def _check_keys(obj: Mapping[str, Any], allowed: set[str], where: str) -> None:
    unknown = sorted(set(obj) - allowed)
    if unknown:
        raise PilotError(f"{where}: unknown field(s) {unknown}; allowed fields are {sorted(allowed)}")


def _require_str(obj: Mapping[str, Any], key: str, where: str) -> str:
    value = obj.get(key)
    if not isinstance(value, str) or not value.strip():
        raise PilotError(f"{where}: field `{key}` must be a non-empty string, got {value!r}")
    return value


def _parse_span(raw: Any, where: str, spec: AnnotationSpec) -> PilotSpan:
    if not isinstance(raw, Mapping):
        raise PilotError(f"{where}: a span is a mapping with {sorted(_SPAN_KEYS)}, got {raw!r}")
    span_id = raw.get("id")
    if not isinstance(span_id, str | int) or isinstance(span_id, bool) or str(span_id).strip() == "":
        raise PilotError(f"{where}: a span needs an `id` (string), got {span_id!r}")
    span_id = str(span_id)
    here = f"{where}, span {span_id}"
    _check_keys(raw, _SPAN_KEYS, here)
    label = _require_str(raw, "label", here)
    if label not in spec.span_label_names:
        raise PilotError(f"{here}: field `label` is {label!r}; use one of {', '.join(spec.span_label_names)}")
    text = _require_str(raw, "text", here)
    if text != text.strip():
        raise PilotError(f"{here}: field `text` {text!r} has leading or trailing whitespace; trim it")
    occurrence = raw.get("occurrence", 1)
    if not isinstance(occurrence, int) or isinstance(occurrence, bool) or occurrence < 1:
        raise PilotError(f"{here}: field `occurrence` must be an integer >= 1, got {occurrence!r}")
    attrs_raw = raw.get("attributes") or {}
    if not isinstance(attrs_raw, Mapping):
        raise PilotError(f"{here}: field `attributes` must be a mapping, got {attrs_raw!r}")
    allowed = {attr.name: attr for attr in spec.span_label(label).attributes}
    attributes: dict[str, str] = {}
    for name, value in attrs_raw.items():
        if name not in allowed:
            known = ", ".join(allowed) or "none"
            raise PilotError(
                f"{here}: attribute {name!r} does not belong to {label}; its attributes: {known}"
            )
        if not isinstance(value, str):
            raise PilotError(f"{here}: attribute {name!r} must be a string, got {value!r}")
        attr = allowed[name]
        if attr.kind == "choice" and value not in attr.choices:
            raise PilotError(f"{here}: attribute {name!r} is {value!r}; use one of {', '.join(attr.choices)}")
        attributes[str(name)] = value
    return PilotSpan(span_id, label, text, occurrence, attributes)


def _parse_relation(
    raw: Any, where: str, spans: Mapping[str, PilotSpan], spec: AnnotationSpec
) -> PilotRelation:
    if not isinstance(raw, Mapping):
        raise PilotError(f"{where}: a relation is a mapping with {sorted(_RELATION_KEYS)}, got {raw!r}")
    here = f"{where}, relation {raw.get('from')!r} -> {raw.get('to')!r}"
    _check_keys(raw, _RELATION_KEYS, here)
    ends: list[str] = []
    for key in ("from", "to"):
        value = raw.get(key)
        if value is None or str(value) not in spans:
            raise PilotError(
                f"{here}: field `{key}` names span {value!r}, which this annotator does not define"
            )
        ends.append(str(value))
    label = _require_str(raw, "label", here)
    if label not in spec.relation_label_names:
        raise PilotError(
            f"{here}: field `label` is {label!r}; use one of {', '.join(spec.relation_label_names)}"
        )
    rel = spec.relation_label(label)
    source, target = spans[ends[0]], spans[ends[1]]
    if source.label not in rel.from_labels or target.label not in rel.to_labels:
        raise PilotError(
            f"{here}: a {label} relation goes {'/'.join(rel.from_labels)} -> {'/'.join(rel.to_labels)}, "
            f"not {source.label} -> {target.label}; fix the span ids or the label"
        )
    return PilotRelation(ends[0], ends[1], label)


def _parse_annotation(annotator: str, raw: Any, article: str, spec: AnnotationSpec) -> PilotAnnotation:
    where = _where(article, annotator)
    if not ANNOTATOR_PATTERN.match(annotator):
        raise PilotError(
            f"{where}: annotators are pseudonyms like 'annotator-a' (lower case letters/digits after "
            "'annotator-'); never use names or emails"
        )
    if not isinstance(raw, Mapping):
        raise PilotError(f"{where}: an annotation is a mapping with `spans` and `relations`, got {raw!r}")
    _check_keys(raw, _ANNOTATION_KEYS, where)
    spans: dict[str, PilotSpan] = {}
    raw_spans = raw.get("spans") or []
    if not isinstance(raw_spans, list):
        raise PilotError(f"{where}: field `spans` must be a list")
    for item in raw_spans:
        span = _parse_span(item, where, spec)
        if span.id in spans:
            raise PilotError(f"{where}, span {span.id}: duplicate span id; give each span its own id")
        spans[span.id] = span
    raw_rels = raw.get("relations") or []
    if not isinstance(raw_rels, list):
        raise PilotError(f"{where}: field `relations` must be a list")
    relations = [_parse_relation(item, where, spans, spec) for item in raw_rels]
    seen: set[tuple[str, str]] = set()
    for rel in relations:
        pair = (rel.from_id, rel.to_id)
        if pair in seen:
            raise PilotError(
                f"{where}, relation {rel.from_id} -> {rel.to_id}: "
                "two relations between the same spans; keep one"
            )
        seen.add(pair)
    return PilotAnnotation(annotator, tuple(spans.values()), tuple(relations))


def _annotation_signature(annotation: PilotAnnotation) -> tuple[object, ...]:
    spans = sorted(
        (s.label, s.text, s.occurrence, tuple(sorted(s.attributes.items()))) for s in annotation.spans
    )
    by_id = {s.id: (s.label, s.text, s.occurrence) for s in annotation.spans}
    rels = sorted((by_id[r.from_id], by_id[r.to_id], r.label) for r in annotation.relations)
    return (tuple(spans), tuple(rels))


def parse_pilot(doc: Any, spec: AnnotationSpec = SPEC) -> list[PilotArticle]:
    """Validate a parsed pilot document; raises :class:`PilotError` naming what to fix."""
    if not isinstance(doc, Mapping) or not isinstance(doc.get("articles"), list):
        raise PilotError("pilot: the document must be a mapping with an `articles` list")
    articles: list[PilotArticle] = []
    keys: set[tuple[str, str | None]] = set()
    for index, raw in enumerate(doc["articles"], start=1):
        if not isinstance(raw, Mapping):
            raise PilotError(f"pilot: articles[{index}] must be a mapping with `file` and `annotations`")
        file = _require_str(raw, "file", f"pilot: articles[{index}]")
        record = raw.get("record")
        if record is not None and (isinstance(record, bool) or not isinstance(record, str | int)):
            raise PilotError(f"article {file}: field `record` must be a record id or number, got {record!r}")
        name = file if record is None else f"{file} record {record}"
        _check_keys(raw, _ARTICLE_KEYS, _where(name))
        key = (PurePosixPath(file).name, None if record is None else str(record))
        if key in keys:
            raise PilotError(f"article {name}: listed twice; merge the two entries")
        keys.add(key)
        raw_annotations = raw.get("annotations")
        if not isinstance(raw_annotations, Mapping) or not raw_annotations:
            raise PilotError(
                f"article {name}: field `annotations` must map annotator pseudonyms to annotations"
            )
        annotations = tuple(_parse_annotation(str(a), v, name, spec) for a, v in raw_annotations.items())
        ground_truth = raw.get("ground_truth")
        names = [a.annotator for a in annotations]
        if ground_truth is not None and ground_truth not in names:
            raise PilotError(
                f"article {name}: field `ground_truth` is {ground_truth!r}; use one of its annotators {names}"
            )
        if ground_truth is None and len({_annotation_signature(a) for a in annotations}) > 1:
            raise PilotError(
                f"article {name}: annotators {names} differ; set `ground_truth` to the adjudicated one"
            )
        if ground_truth is None and len(annotations) > 1:
            ground_truth = names[0]  # identical annotations: either one is the truth
        articles.append(PilotArticle(file, record, annotations, ground_truth))
    return articles


def load_pilot(path: Path, spec: AnnotationSpec = SPEC) -> list[PilotArticle]:
    """Read and validate ``pilot.yaml``."""
    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as err:
        raise PilotError(f"{path}: cannot read the pilot file ({err})") from err
    except yaml.YAMLError as err:
        raise PilotError(f"{path}: not valid YAML ({err}); fix the syntax at the position shown") from err
    try:
        return parse_pilot(doc, spec)
    except PilotError as err:
        raise PilotError(f"{path}: {err}") from err


# -- resolution against task text ---------------------------------------------------------------


def find_occurrence(text: str, needle: str, occurrence: int) -> int:
    """Code-point index of the ``occurrence``-th (1-based) occurrence of ``needle``, or -1."""
    start = -1
    for _ in range(occurrence):
        start = text.find(needle, start + 1)
        if start < 0:
            return -1
    return start


def resolve_annotation(
    article: PilotArticle, annotation: PilotAnnotation, text: str
) -> tuple[list[Span], list[Relation]]:
    """Offsets for every span of one annotator; raises naming any span that does not resolve."""
    spans: list[Span] = []
    seen: dict[tuple[int, int, str], str] = {}
    for ps in annotation.spans:
        start = find_occurrence(text, ps.text, ps.occurrence)
        if start < 0:
            count = text.count(ps.text)
            raise PilotError(
                f"{_where(article.key, annotation.annotator, f'span {ps.id}')}: field `text` {ps.text!r} "
                f"occurs {count} time(s) in the task text, but occurrence {ps.occurrence} was asked for; "
                "copy the text exactly as the task shows it (quotes, dashes, spaces) or fix `occurrence`"
            )
        end = start + len(ps.text)
        dup = seen.get((start, end, ps.label))
        if dup is not None:
            raise PilotError(
                f"{_where(article.key, annotation.annotator, f'span {ps.id}')}: "
                f"same text, offsets and label as span {dup}; delete one or change `occurrence`"
            )
        seen[(start, end, ps.label)] = ps.id
        spans.append(
            Span(id=ps.id, label=ps.label, start=start, end=end, text=ps.text, attributes=dict(ps.attributes))
        )
    relations = [Relation(from_id=r.from_id, to_id=r.to_id, label=r.label) for r in annotation.relations]
    return spans, relations


def _task_matches(article: PilotArticle, task: LSTask) -> bool:
    data = task.get("data", {})
    provenance = data.get("stancebank", {}) or {}
    origin = provenance.get("origin_file") or ""
    if PurePosixPath(origin.replace("\\", "/")).name != PurePosixPath(article.file).name:
        return False
    if article.record is None:
        return True
    if str(data.get("article_id")) == str(article.record):
        return True
    record_no = provenance.get("origin_record")
    return isinstance(article.record, int) and record_no == article.record


def match_task(article: PilotArticle, tasks: Sequence[LSTask]) -> LSTask:
    """The one task built from the article's file (and record)."""
    found = [task for task in tasks if _task_matches(article, task)]
    if not found:
        raise PilotError(
            f"article {article.key}: no task was built from it (matched on the base name of "
            "data.stancebank.origin_file and, for batch files, data.article_id or origin_record); "
            "build tasks from the same raw folder or fix `file`/`record`"
        )
    if len(found) > 1:
        ids = [t.get("data", {}).get("article_id") for t in found]
        raise PilotError(
            f"article {article.key}: {len(found)} tasks match ({ids}); add `record` to tell them apart"
        )
    return found[0]


def resolve_pilot(articles: Sequence[PilotArticle], tasks: Sequence[LSTask]) -> list[AnnotationImport]:
    """The annotations-import list: one entry per article and annotator, in pilot order."""
    out: list[AnnotationImport] = []
    for article in articles:
        task = match_task(article, tasks)
        data = task["data"]
        text = data.get("text")
        article_id = data.get("article_id")
        if not isinstance(text, str) or not isinstance(article_id, str):
            raise PilotError(f"article {article.key}: its task has no string data.text / data.article_id")
        for annotation in article.annotations:
            spans, relations = resolve_annotation(article, annotation, text)
            out.append(
                {
                    "article_id": article_id,
                    "annotator": annotation.annotator,
                    "ground_truth": article.is_ground_truth(annotation.annotator),
                    "result": to_results(spans, relations),
                }
            )
        log.debug("resolved %s against task %s", article.key, article_id)
    return out
