"""Read Label Studio JSON exports into domain annotations.

One or more exports (snapshots of the same project over time, or UI downloads) are streamed task
by task (:func:`stancebank.schema.wire.iter_records`; an export is never loaded whole) and merged
by ``data.article_id``:

- the newest version of each annotation (by ``updated_at``, then by the order the files were
  given) wins; an annotation seen in several snapshots is counted once; one annotator with two
  annotations on one article keeps only the newest (reported as ``duplicate_annotator``) — an
  annotation on a review task is kept apart from the same person's own annotation as annotator;
- the article's fields come from the newest task version; annotations made against a different
  text are dropped (``text_changed``); two *different* tasks with one ``article_id`` and different
  texts are an error naming both;
- cancelled annotations are skipped, drafts are ignored (both counted);
- an annotation on a review task (data field ``stancebank_review``, made by ``stancebank studio
  review``) is the reviewer's submitted verdict, marked ``extra["review"]`` (never counted as one
  more annotator in agreement; adjudication lets it decide the conflicting items, or the whole
  article when it is starred as ground truth);
- a starred annotation (``ground_truth``) keeps who last saved it, ``extra["starred_by"]`` (the
  export's ``updated_by`` as an internal identity): adjudication honours a star only when that is
  none of the article's annotators;
- result lists are parsed by :func:`stancebank.schema.wire.parse_results` (the one parser: spans,
  attributes, relations, the one relation-direction rule, offsets realigned when exactly one
  reading fits); an annotation with a region that cannot be placed is dropped whole (its
  relations would be incomplete) and reported naming the region;
- labels, ``from_name``s or relation labels the spec does not have mean an export of another
  labeling config: refused unless ``allow_foreign`` (then what was left out is reported);
- each span gets a provenance against the task's predictions: ``accepted`` (a predicted span,
  label and attributes taken as is), ``edited`` (derived from a predicted region: same region id,
  same offsets, or overlapping) or ``hand`` (drawn by hand).

Everything left out is a :class:`ReadIssue` (task, annotation, region, reason, fix), written as a
rejects report by :func:`write_rejects`.

Memory: the kept annotations are held packed (:class:`PackedAnnotation`: region ids in one
string, labels, offsets, provenance and relations as one integer array, attribute tuples shared
between spans) and become domain :class:`~stancebank.schema.model.Annotation` objects only when an
article's annotations are looked up (:class:`AnnotationStore`); a span's text is sliced from the
article's text then, not stored. A 30,000-task export held as domain objects took ~700 MB.

Annotators are kept as an internal identity (``ls:<user id>``) only; e-mails and names from UI
downloads are never stored. Pseudonyms are made at release time (:mod:`stancebank.export.pseudonym`).
"""

from __future__ import annotations

import hashlib
import json
import logging
from array import array
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Generic, Literal, TypeVar

from stancebank.export.errors import ExportReadError, ForeignExportError
from stancebank.schema.atomic import atomic_writer, clean_leftovers
from stancebank.schema.errors import WireError
from stancebank.schema.model import Annotation, Article, Relation, Span
from stancebank.schema.spec import SPEC, AnnotationSpec
from stancebank.schema.wire import NameTally, a_type, iter_records, list_field, not_a_list, parse_results

log = logging.getLogger(__name__)

# A task of a review project (``stancebank studio review``) carries the conflict summary in this
# data field; the annotations on such a task are the reviewer's and count as ground truth.
REVIEW_FIELD = "stancebank_review"

Provenance = Literal["accepted", "edited", "hand"]
PROVENANCES: tuple[Provenance, ...] = ("accepted", "edited", "hand")
SpanKey = tuple[str, int, int]  # (label, start, end)

# what to do about each kind of issue (the rejects report's ``fix``)
FIXES: dict[str, str] = {
    "bad_task": "the item is not a Label Studio task; re-export the project as JSON",
    "no_article_id": "the task has no data.article_id; push tasks built by `stancebank tasks build`",
    "no_text": "the task has no text; push tasks built by `stancebank tasks build`",
    "no_annotator": "completed_by is missing; export the project again from Label Studio",
    "bad_list": "the export is edited or not Label Studio's JSON: export the project again as JSON",
    "text_changed": "the task's text changed after it was annotated; re-annotate the task",
    "duplicate_annotator": "one annotator annotated the task twice; delete the older annotation",
    "bad_offsets": "fix or redraw the region in Label Studio",
    "offset_out_of_range": "fix or redraw the region in Label Studio",
    "text_mismatch": "redraw the region in Label Studio (its offsets do not select its text)",
    "annotation_dropped": "fix the region named in the reason, then pull and build again",
    "duplicate_region": "delete one of the two regions in Label Studio",
    "unknown_result": "results of other tools are not part of the dataset; nothing to do",
    "unknown_from_name": "the export comes from another labeling config; export the stancebank project",
    "unknown_label": "relabel the region with one of the spec's labels",
    "bad_label": "give the region exactly one label",
    "empty_span": "redraw the region over text, not only whitespace",
    "unknown_attribute": "the attribute is not in the spec; export the stancebank project",
    "orphan_attribute": "the attribute's region is missing; redraw the region",
    "attribute_not_allowed": "remove the attribute from the region",
    "bad_choice": "pick one of the allowed choices",
    "dangling_relation": "a relation end was left out (see the region's own reason) or deleted; redraw it",
    "bidirectional_relation": "draw the relation from → to and give it its label",
    "bad_direction": "redraw the relation",
    "bad_relation_label": "give the relation exactly one of the spec's relation labels",
    "bad_endpoint_labels": "the relation joins labels the spec does not allow; fix its ends or its label",
}


@dataclass(frozen=True, slots=True)
class ReadIssue:
    """Something in an export that was dropped or could not be used as is."""

    kind: str
    file: str
    task_id: int | None
    article_id: str | None
    annotation_id: str | None
    detail: str
    region: str | None = None

    def describe(self) -> str:
        where = [self.file]
        if self.task_id is not None:
            where.append(f"task {self.task_id}")
        if self.article_id is not None:
            where.append(f"article {self.article_id}")
        if self.annotation_id is not None:
            where.append(f"annotation {self.annotation_id}")
        if self.region is not None:
            where.append(f"region {self.region}")
        return f"{self.kind}: {', '.join(where)}: {self.detail}"

    @property
    def fix(self) -> str:
        return FIXES.get(self.kind, "see the reason")

    def to_json(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "task": self.task_id,
            "article_id": self.article_id,
            "annotation": self.annotation_id,
            "region": self.region,
            "reason": self.kind,
            "detail": self.detail,
            "fix": self.fix,
        }


@dataclass(frozen=True, slots=True)
class Prediction:
    """A task's pre-annotations as keys: spans ``(label, start, end)`` and relations
    ``(from span, to span, label)``."""

    spans: tuple[SpanKey, ...]
    relations: tuple[tuple[SpanKey, SpanKey, str], ...]


@dataclass(frozen=True, slots=True)
class PackedPrediction:
    """A :class:`Prediction` held compact (:meth:`AnnotationCodec.pack_prediction`): per span its
    label index, start and end, then per relation its ends' span positions and label index, in one
    integer array. As key tuples a 5,000-task export's predictions took 6 KB a task, more than its
    two packed annotations."""

    numbers: array[int]
    span_count: int


# Region ids of a packed annotation are joined by this character (unless an id contains it).
_ID_SEP = "\x1f"
_INT32 = 2**31 - 1
Attributes = tuple[tuple[str, str], ...]


@dataclass(frozen=True, slots=True)
class PackedAnnotation:
    """One kept annotation, compact (see the module docstring); :meth:`AnnotationCodec.unpack`
    makes the domain object again, equal to the one parsed."""

    annotation_id: str
    annotator: str
    ground_truth: bool
    review: bool
    updated_at: str | None
    ids: str | tuple[str, ...]  # region ids, joined by _ID_SEP unless one contains it
    # per span: label index, start, end, provenance index; then per relation: from span index,
    # to span index, relation label index
    numbers: array[int]
    attributes: tuple[Attributes, ...]  # per span
    # who last saved a starred annotation (the export's ``updated_by``, an internal identity like
    # ``annotator``; None when unstarred or not recorded): whether the star counts depends on it
    starred_by: str | None = None

    @property
    def span_count(self) -> int:
        return len(self.attributes)


class AnnotationCodec:
    """Packs annotations of one spec and unpacks them against their article's text."""

    def __init__(self, spec: AnnotationSpec) -> None:
        self.labels = spec.span_label_names
        self.relation_labels = spec.relation_label_names
        self._label_index = {name: i for i, name in enumerate(self.labels)}
        self._relation_index = {name: i for i, name in enumerate(self.relation_labels)}
        self._provenance_index = {name: i for i, name in enumerate(PROVENANCES)}
        # one tuple object per distinct attribute set, shared by every span that has it
        self._attributes: dict[Attributes, Attributes] = {}

    def pack(
        self,
        ann_id: str,
        annotator: str,
        ground_truth: bool,
        review: bool,
        updated_at: str | None,
        spans: Sequence[Span],
        relations: Sequence[Relation],
        provenance: Mapping[str, Provenance],
        starred_by: str | None = None,
    ) -> PackedAnnotation:
        span_ids = [span.id for span in spans]
        position = {sid: i for i, sid in enumerate(span_ids)}
        numbers: list[int] = []
        attributes: list[Attributes] = []
        for span in spans:
            numbers += (
                self._label_index[span.label],
                span.start,
                span.end,
                self._provenance_index[provenance[span.id]],
            )
            attrs = tuple(span.attributes.items())
            attributes.append(self._attributes.setdefault(attrs, attrs))
        for rel in relations:
            numbers += (position[rel.from_id], position[rel.to_id], self._relation_index[rel.label])
        joined = _ID_SEP.join(span_ids)
        ids: str | tuple[str, ...] = (
            joined if joined.count(_ID_SEP) == max(len(span_ids) - 1, 0) else tuple(span_ids)
        )
        packed_numbers = array("i" if max(numbers, default=0) <= _INT32 else "q", numbers)
        return PackedAnnotation(
            ann_id,
            annotator,
            ground_truth,
            review,
            updated_at,
            ids,
            packed_numbers,
            tuple(attributes),
            starred_by if ground_truth else None,
        )

    def unpack(self, packed: PackedAnnotation, article_id: str, text: str) -> Annotation:
        n = packed.span_count
        ids = packed.ids if isinstance(packed.ids, tuple) else packed.ids.split(_ID_SEP) if n else []
        nums, labels, rel_labels = packed.numbers.tolist(), self.labels, self.relation_labels
        spans = []
        provenance: dict[str, Provenance] = {}
        for i, attrs in enumerate(packed.attributes):
            k, sid = 4 * i, ids[i]
            start, end = nums[k + 1], nums[k + 2]
            spans.append(Span(sid, labels[nums[k]], start, end, text[start:end], dict(attrs)))
            provenance[sid] = PROVENANCES[nums[k + 3]]
        relations = tuple(
            Relation(ids[nums[k]], ids[nums[k + 1]], rel_labels[nums[k + 2]])
            for k in range(4 * n, len(nums), 3)
        )
        return Annotation(
            article_id=article_id,
            annotation_id=packed.annotation_id,
            annotator=packed.annotator,
            spans=tuple(spans),
            relations=relations,
            ground_truth=packed.ground_truth,
            updated_at=packed.updated_at,
            extra={
                "provenance": provenance,
                **({"review": True} if packed.review else {}),
                **({"starred_by": packed.starred_by} if packed.starred_by else {}),
            },
        )

    def pack_prediction(
        self, spans: Sequence[SpanKey], relations: Sequence[tuple[SpanKey, SpanKey, str]]
    ) -> PackedPrediction:
        """A task's predictions as keys (sorted, each once), packed; relation ends are span keys."""
        position = {key: i for i, key in enumerate(spans)}
        numbers: list[int] = []
        for label, start, end in spans:
            numbers += (self._label_index[label], start, end)
        for src, dst, label in relations:
            numbers += (position[src], position[dst], self._relation_index[label])
        typecode = "i" if max(numbers, default=0) <= _INT32 else "q"
        return PackedPrediction(array(typecode, numbers), len(spans))

    def unpack_prediction(self, packed: PackedPrediction) -> Prediction:
        nums, labels, rel_labels = packed.numbers.tolist(), self.labels, self.relation_labels
        end = 3 * packed.span_count
        spans = tuple((labels[nums[k]], nums[k + 1], nums[k + 2]) for k in range(0, end, 3))
        relations = tuple(
            (spans[nums[k]], spans[nums[k + 1]], rel_labels[nums[k + 2]]) for k in range(end, len(nums), 3)
        )
        return Prediction(spans, relations)


_P = TypeVar("_P")
_V = TypeVar("_V")


class _PackedStore(Mapping[str, _V], Generic[_P, _V]):
    """A mapping by article id over packed values: iteration, length and membership come from the
    packed dict; looking an article up (``__getitem__``) unpacks, and builds new objects each time."""

    def __init__(self, packed: dict[str, _P]) -> None:
        self._packed = packed

    def __iter__(self) -> Iterator[str]:
        return iter(self._packed)

    def __len__(self) -> int:
        return len(self._packed)

    def __contains__(self, article_id: object) -> bool:
        return article_id in self._packed

    def __repr__(self) -> str:
        return f"{type(self).__name__}({len(self._packed)} articles)"


class AnnotationStore(_PackedStore[tuple[PackedAnnotation, ...], list[Annotation]]):
    """Kept annotations by article id (in id order), held packed; looking an article up builds
    its :class:`~stancebank.schema.model.Annotation` objects."""

    def __init__(
        self,
        packed: dict[str, tuple[PackedAnnotation, ...]],
        articles: Mapping[str, Article],
        codec: AnnotationCodec,
    ) -> None:
        super().__init__(packed)
        self._articles = articles
        self._codec = codec

    def __getitem__(self, article_id: str) -> list[Annotation]:
        text = self._articles[article_id].text
        return [self._codec.unpack(p, article_id, text) for p in self._packed[article_id]]

    def span_count(self) -> int:
        return sum(p.span_count for anns in self._packed.values() for p in anns)

    def retain(self, keep: set[str], articles: Mapping[str, Article]) -> AnnotationStore:
        return AnnotationStore({a: v for a, v in self._packed.items() if a in keep}, articles, self._codec)


class PredictionStore(_PackedStore[PackedPrediction, Prediction]):
    """The kept task versions' predictions by article id, held packed; looking an article up
    builds its :class:`Prediction`."""

    def __init__(self, packed: dict[str, PackedPrediction], codec: AnnotationCodec) -> None:
        super().__init__(packed)
        self._codec = codec

    def __getitem__(self, article_id: str) -> Prediction:
        return self._codec.unpack_prediction(self._packed[article_id])

    def retain(self, keep: set[str]) -> PredictionStore:
        return PredictionStore({a: v for a, v in self._packed.items() if a in keep}, self._codec)


@dataclass
class ExportData:
    """The merged content of one or more exports: articles and their kept annotations (sorted by
    article id; the annotations packed, see :class:`AnnotationStore`), what was dropped
    (``issues``) and counts."""

    articles: dict[str, Article] = field(default_factory=dict)
    annotations: Mapping[str, list[Annotation]] = field(default_factory=dict)
    task_ids: dict[str, int] = field(default_factory=dict)
    issues: list[ReadIssue] = field(default_factory=list)
    counts: Counter[str] = field(default_factory=Counter)
    inputs: list[Path] = field(default_factory=list)
    # labels, from_names and relation labels the spec does not have, with how often they occurred
    foreign: dict[str, Counter[str]] = field(default_factory=dict)
    # the ``model_version`` of every prediction read (the pre-annotator(s) the tasks carried)
    model_versions: set[str] = field(default_factory=set)
    # article id → the pre-annotations its (kept) task carried; absent when it carried none
    # (held packed, see :class:`PredictionStore`)
    predictions: Mapping[str, Prediction] = field(default_factory=dict)
    # the date (YYYY-MM-DD) of the newest kept annotation's timestamp, when the exports carry them:
    # the release's publication date in croissant.json, the same however often it is rebuilt
    newest_annotation_date: str | None = None

    def issue_counts(self) -> Counter[str]:
        return Counter(issue.kind for issue in self.issues)

    def retain(self, article_ids: Iterable[str]) -> None:
        """Keep only these articles' texts and annotations (frees the rest; counts are kept)."""
        keep = set(article_ids)
        self.articles = {a: v for a, v in self.articles.items() if a in keep}
        if isinstance(self.annotations, AnnotationStore):
            self.annotations = self.annotations.retain(keep, self.articles)
        else:
            self.annotations = {a: v for a, v in self.annotations.items() if a in keep}
        if isinstance(self.predictions, PredictionStore):
            self.predictions = self.predictions.retain(keep)
        else:
            self.predictions = {a: v for a, v in self.predictions.items() if a in keep}

    def span_count(self) -> int:
        """How many spans the kept annotations hold (without building them)."""
        if isinstance(self.annotations, AnnotationStore):
            return self.annotations.span_count()
        return sum(len(a.spans) for anns in self.annotations.values() for a in anns)


def span_key(span: Span) -> SpanKey:
    return (span.label, span.start, span.end)


class PredictedSpans:
    """The predicted spans of one task, indexed for :meth:`provenance` (built once per task, asked
    for each of its annotations)."""

    def __init__(self, predicted: Sequence[Span]) -> None:
        self.predicted = predicted
        # each predicted key's attribute dicts (compared as dicts: no sorted copy per span)
        self.exact: dict[SpanKey, list[dict[str, str]]] = {}
        for p in predicted:
            self.exact.setdefault(span_key(p), []).append(p.attributes)
        self.offsets = {(p.start, p.end) for p in predicted}
        self.ids = {p.id for p in predicted}

    def provenance(self, spans: Iterable[Span]) -> dict[str, Provenance]:
        """Provenance of each span against the predicted spans of the same task."""
        exact, offsets, ids, predicted = self.exact, self.offsets, self.ids, self.predicted
        out: dict[str, Provenance] = {}
        for span in spans:
            if span.attributes in exact.get(span_key(span), ()):
                out[span.id] = "accepted"
            elif (
                span.id in ids
                or (span.start, span.end) in offsets
                or any(p.start < span.end and span.start < p.end for p in predicted)
            ):
                out[span.id] = "edited"
            else:
                out[span.id] = "hand"
        return out


def provenance_of(spans: Iterable[Span], predicted: Sequence[Span]) -> dict[str, Provenance]:
    """Provenance of each span against the predicted spans of the same task."""
    return PredictedSpans(predicted).provenance(spans)


def annotator_identity(completed_by: Any) -> str | None:
    """An internal identity for ``completed_by``: the user id only, never an e-mail or a name."""
    if isinstance(completed_by, bool):
        return None
    if isinstance(completed_by, int | str) and str(completed_by).strip():
        return f"ls:{completed_by}"
    if isinstance(completed_by, dict):
        uid = completed_by.get("id")
        if isinstance(uid, int | str) and not isinstance(uid, bool) and str(uid).strip():
            return f"ls:{uid}"
        email = completed_by.get("email")
        if isinstance(email, str) and email.strip():
            # Internal only and pseudonymised with a keyed hash before anything is written.
            return "lsmail:" + hashlib.sha256(email.strip().lower().encode()).hexdigest()[:24]
    return None


def iter_tasks(path: Path) -> Iterator[dict[str, Any]]:
    """Stream the tasks of a Label Studio JSON export (a JSON list) without loading it whole."""
    try:
        for record in iter_records(path):
            if not isinstance(record.value, dict):
                raise ExportReadError(
                    f"{path}: item {record.index} is not a task object; re-download the export"
                )
            yield record.value
    except WireError as err:
        raise ExportReadError(str(err)) from err


def _text_digest(text: str) -> bytes:
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).digest()


@dataclass(frozen=True, slots=True)
class _Held:
    """One annotation version held while reading."""

    version: tuple[str, int]
    annotation: PackedAnnotation
    issues: tuple[ReadIssue, ...]
    counts: tuple[tuple[str, int], ...]
    text_digest: bytes
    task_id: int | None
    file: str
    # the names this version met, kept only when some are not the spec's (else None)
    names: NameTally | None
    dropped: bool


@dataclass(frozen=True, slots=True)
class _TaskSeen:
    """The newest version of an article's task seen so far."""

    version: tuple[str, int]
    digest: bytes
    task_id: int | None
    file: str
    review: bool  # a review project's task (:data:`REVIEW_FIELD`)


def _replaces(seen: _TaskSeen, version: tuple[str, int], review: bool) -> bool:
    """Whether a task version replaces the article's task seen so far: the annotated project's
    task wins over a review task whatever their dates; between two of one kind, the newer one."""
    if seen.review != review:
        return seen.review
    return version >= seen.version


class ExportReader:
    """Accumulates tasks from one or more exports; :meth:`finish` returns the merged data."""

    def __init__(self, spec: AnnotationSpec = SPEC) -> None:
        self.spec = spec
        self.data = ExportData()
        self.codec = AnnotationCodec(spec)
        self.names = NameTally()
        self._articles: dict[str, Article] = {}
        self._seen: dict[str, _TaskSeen] = {}
        # article_id → annotation_id → the newest version seen so far
        self._annotations: dict[str, dict[str, _Held]] = {}
        self._predictions: dict[str, PackedPrediction] = {}

    def read_file(self, path: Path, file_index: int, on_task: Callable[[], None] | None = None) -> None:
        self.data.inputs.append(path)
        for position, task in enumerate(iter_tasks(path)):
            self.add_task(task, str(path), file_index, position)
            if on_task is not None:
                on_task()

    def add_task(self, task: dict[str, Any], file: str, file_index: int, position: int = 0) -> None:
        counts = self.data.counts
        counts["tasks_read"] += 1
        task_id = task.get("id") if isinstance(task.get("id"), int) else None
        data = task.get("data")
        if not isinstance(data, dict):
            self._issue("bad_task", file, task_id, None, None, f"item {position} has no data object")
            return
        text = data.get(self.spec.text_name)
        article_id = data.get("article_id")
        if not isinstance(article_id, str) or not article_id:
            self._issue(
                "no_article_id", file, task_id, None, None, "data.article_id is missing; rebuild tasks"
            )
            return
        if not isinstance(text, str) or not text:
            self._issue("no_text", file, task_id, article_id, None, f"data.{self.spec.text_name} is empty")
            return
        counts["drafts_ignored"] += len(self._list(task, "drafts", file, task_id, article_id) or ())

        digest = _text_digest(text)
        # a review task's predictions are the annotators' versions, not a pre-annotator's: they are
        # neither a model of the card nor the article's pre-annotations (spans' provenance only),
        # and its task is not the article's (the annotated project's task is, however old)
        is_review = isinstance(data.get(REVIEW_FIELD), str)
        stamp = str(task.get("updated_at") or task.get("created_at") or "")
        version = (stamp, file_index)
        seen = self._seen.get(article_id)
        if (
            seen is not None
            and seen.digest != digest
            and task_id is not None
            and seen.task_id is not None
            and task_id != seen.task_id
        ):
            raise ExportReadError(
                f"article {article_id!r} is two different tasks with different texts: task {seen.task_id} "
                f"({seen.file}) and task {task_id} ({file}); an article id names one text — delete the "
                "wrong task in Label Studio (or give it its own article_id) and export again"
            )
        if seen is None or _replaces(seen, version, is_review):
            self._seen[article_id] = _TaskSeen(version, digest, task_id, file, is_review)
            self._articles[article_id] = Article(
                article_id=article_id,
                text=text,
                title=_opt_str(data.get("title")),
                url=_opt_str(data.get("url")),
                source=_opt_str(data.get("source")),
                published=_opt_str(data.get("published")),
                language=_opt_str(data.get("language")),
            )
            if task_id is not None and not is_review:  # a review task is not the article's
                self.data.task_ids[article_id] = task_id

        predicted: list[Span] = []
        predicted_relations: list[tuple[SpanKey, SpanKey, str]] = []
        carries = False
        for prediction in self._list(task, "predictions", file, task_id, article_id) or ():
            if isinstance(prediction, dict):
                carries = True
                model_version = prediction.get("model_version")
                if isinstance(model_version, str) and model_version and not is_review:
                    self.data.model_versions.add(model_version)
                result = self._list(prediction, "result", file, task_id, article_id, what="a prediction's")
                parsed_prediction = parse_results(result or (), text, spec=self.spec)
                predicted.extend(parsed_prediction.spans)
                keys = {sp.id: span_key(sp) for sp in parsed_prediction.spans}
                predicted_relations.extend(
                    (keys[r.from_id], keys[r.to_id], r.label)
                    for r in parsed_prediction.relations
                    if r.from_id in keys and r.to_id in keys
                )
        if not is_review and (seen is None or _replaces(seen, version, is_review)):
            # the kept task version's predictions (the pre-annotator's output, scored in the card)
            if carries:
                self._predictions[article_id] = self.codec.pack_prediction(
                    sorted({span_key(sp) for sp in predicted}), sorted(set(predicted_relations))
                )
            else:
                self._predictions.pop(article_id, None)

        predicted_spans = PredictedSpans(predicted)
        per_article = self._annotations.setdefault(article_id, {})
        for index, ann in enumerate(self._list(task, "annotations", file, task_id, article_id) or ()):
            if not isinstance(ann, dict):  # Label Studio writes every annotation as an object
                self._issue(
                    "bad_list",
                    file,
                    task_id,
                    article_id,
                    None,
                    f"annotations[{index}] is {a_type(ann)}, not an annotation object",
                )
                continue
            ann_id = str(ann["id"]) if ann.get("id") is not None else f"{task_id}-{index}"
            counts["annotations_read"] += 1
            if ann.get("was_cancelled"):
                counts["annotations_cancelled"] += 1
                continue
            annotator = annotator_identity(ann.get("completed_by"))
            if annotator is None:
                self._issue("no_annotator", file, task_id, article_id, ann_id, "completed_by is missing")
                continue
            ann_stamp = str(ann.get("updated_at") or ann.get("created_at") or "")
            ann_version = (ann_stamp, file_index)
            previous = per_article.get(ann_id)
            if previous is not None:
                counts["annotation_versions_superseded"] += 1
                if previous.version > ann_version:
                    continue

            ann_issues: list[ReadIssue] = []

            def report(
                kind: str,
                detail: str,
                region: str | None,
                _id: str = ann_id,
                _sink: list[ReadIssue] = ann_issues,
            ) -> None:
                _sink.append(ReadIssue(kind, file, task_id, article_id, _id, detail, region))

            ann_counts: Counter[str] = Counter()
            names = NameTally()
            result = self._list(ann, "result", file, task_id, article_id, ann_id=ann_id)
            if result is None:  # reported; the annotation is not built from a guess
                continue
            parsed = parse_results(result, text, report, ann_counts, self.spec, names)
            if parsed.misplaced:
                regions = ", ".join(f"{rid} ({label})" for rid, label in parsed.misplaced)
                ann_issues.append(
                    ReadIssue(
                        "annotation_dropped",
                        file,
                        task_id,
                        article_id,
                        ann_id,
                        f"region(s) {regions} cannot be placed in the text (reasons above), so the "
                        "annotation's spans and relations are incomplete; it is left out whole",
                        parsed.misplaced[0][0],
                    )
                )
            packed = self.codec.pack(
                ann_id,
                annotator,
                # the star in Label Studio; a review task's annotation is the reviewer's verdict
                # (`stancebank studio review`), which decides the conflicting items (and, starred,
                # the whole article)
                bool(ann.get("ground_truth")),
                is_review,
                ann_stamp or None,
                parsed.spans,
                parsed.relations,
                predicted_spans.provenance(parsed.spans),
                # who saved it last (starring is saving): the star counts only when that is none
                # of the article's annotators (`stancebank.export.adjudicate.star_refusal`)
                annotator_identity(ann.get("updated_by")) if ann.get("ground_truth") else None,
            )
            per_article[ann_id] = _Held(
                ann_version,
                packed,
                tuple(ann_issues),
                tuple(ann_counts.items()),
                digest,
                task_id,
                file,
                names if names.has_foreign(self.spec) else None,
                bool(parsed.misplaced),
            )

    def _list(
        self,
        item: dict[str, Any],
        key: str,
        file: str,
        task_id: int | None,
        article_id: str | None,
        what: str = "",
        ann_id: str | None = None,
    ) -> list[Any] | None:
        """``item[key]`` when it is a list, ``[]`` when it is absent or null; anything else (a
        number, a string, a dict, a boolean — empty or zero ones too) is a ``bad_list`` issue naming
        the field and its type, and None: never iterated (a dict's keys, a string's characters).
        The rule and its wording: :mod:`stancebank.schema.wire.fields`."""
        found = list_field(item, key)
        if found is None:
            field = f"{what} {key}".strip()
            self._issue("bad_list", file, task_id, article_id, ann_id, not_a_list(field, item[key]))
        return found

    def _issue(
        self,
        kind: str,
        file: str,
        task_id: int | None,
        article_id: str | None,
        ann_id: str | None,
        detail: str,
    ) -> None:
        self.data.issues.append(ReadIssue(kind, file, task_id, article_id, ann_id, detail))

    def finish(self) -> ExportData:
        """Resolve versions: text changes, one annotation per annotator, sorted output."""
        data = self.data
        kept_by_article: dict[str, tuple[PackedAnnotation, ...]] = {}
        newest = ""
        for article_id in sorted(self._annotations):
            digest = self._seen[article_id].digest
            # A reviewer's verdict never replaces their own annotation as an annotator (and back).
            by_annotator: dict[tuple[str, bool], _Held] = {}
            for held in self._annotations.pop(article_id).values():
                # Issues of the kept version only: an older version's issues are superseded.
                ann = held.annotation
                data.issues.extend(held.issues)
                data.counts.update(dict(held.counts))
                if held.names is not None:
                    self.names.add(held.names)
                if held.dropped:
                    data.counts["annotations_dropped"] += 1
                    continue
                if held.text_digest != digest:
                    self._issue(
                        "text_changed",
                        held.file,
                        held.task_id,
                        article_id,
                        ann.annotation_id,
                        "the annotation was made on another version of the text; re-annotate the task",
                    )
                    continue
                who = (ann.annotator, ann.review)
                kept = by_annotator.get(who)
                if kept is not None:
                    newer, older = (kept, held) if kept.version >= held.version else (held, kept)
                    self._issue(
                        "duplicate_annotator",
                        older.file,
                        older.task_id,
                        article_id,
                        older.annotation.annotation_id,
                        f"the same annotator also made annotation {newer.annotation.annotation_id}, which "
                        "is newer and is kept",
                    )
                    by_annotator[who] = newer
                else:
                    by_annotator[who] = held
            kept_all = sorted((h.annotation for h in by_annotator.values()), key=lambda a: a.annotation_id)
            for held in by_annotator.values():
                newest = max(newest, _stamp_date(held.version[0]))
            if kept_all:
                kept_by_article[article_id] = tuple(kept_all)
        self._annotations.clear()
        self._seen.clear()
        data.articles = self._articles
        data.annotations = AnnotationStore(kept_by_article, data.articles, self.codec)
        data.predictions = PredictionStore(self._predictions, self.codec)
        self._predictions = {}
        data.foreign = self.names.foreign(self.spec)
        data.newest_annotation_date = newest or None
        data.counts["articles"] = len(data.articles)
        data.counts["articles_without_annotations"] = len(data.articles) - len(kept_by_article)
        data.counts["annotations_kept"] = sum(len(v) for v in kept_by_article.values())
        data.issues.sort(
            key=lambda i: (i.article_id or "", i.annotation_id or "", i.kind, i.region or "", i.detail)
        )
        return data


def _opt_str(value: Any) -> str | None:
    if value is None:
        return None
    text = str(value)
    return text if text else None


def describe_foreign(found: dict[str, Counter[str]], spec: AnnotationSpec = SPEC) -> str:
    """What an export holds that the spec does not have, and what the project expects."""
    parts = []
    for kind, counter in found.items():
        shown = ", ".join(f"{name!r} ×{n}" for name, n in counter.most_common(8))
        parts.append(f"{kind} {shown}")
    expected = (
        f"labels {list(spec.span_label_names)} from {spec.labels_name!r}, attributes "
        f"{[a.name for a in spec.attributes]}, relation labels {list(spec.relation_label_names)}"
    )
    return f"found {'; '.join(parts)} — the project expects {expected}"


def check_foreign(data: ExportData, spec: AnnotationSpec = SPEC, *, allow_foreign: bool = False) -> None:
    """Refuse an export made with another labeling config before anything is built: wholly
    foreign (no region with one of the spec's labels) always, partly foreign unless
    ``allow_foreign`` (then what was left out is in ``data.issues`` and logged)."""
    if not data.foreign:
        return
    inputs = ", ".join(str(p) for p in data.inputs) or "the export"
    what = describe_foreign(data.foreign, spec)
    known = data.span_count()
    if known == 0:
        raise ForeignExportError(
            f"{inputs}: not an export of this project's labeling config: {what}. Nothing of it can be "
            "built; export the project made by `stancebank studio push`"
        )
    if not allow_foreign:
        raise ForeignExportError(
            f"{inputs}: partly another labeling config: {what}. Fix the regions in Label Studio, or "
            "build without them with --allow-foreign (they are listed in the rejects report)"
        )
    log.warning("--allow-foreign: left out %s", what)


def check_usable(data: ExportData) -> None:
    """Refuse exports none of whose tasks is a stancebank task (every one rejected: no ``data``
    object, no ``data.article_id``, no text), before anything is built: a JSON_MIN or CSV export, or
    a project stancebank did not make, would otherwise build an empty release and exit 0. Tasks
    that are stancebank's but not annotated yet are usable (a release without gold is built)."""
    if not data.counts["tasks_read"] or data.articles:
        return
    inputs = ", ".join(str(p) for p in data.inputs) or "the export"
    kinds = Counter(issue.kind for issue in data.issues if issue.annotation_id is None)
    why = ", ".join(f"{kind} ×{n}" for kind, n in kinds.most_common())
    first = next((i.detail for i in data.issues if i.annotation_id is None), "")
    raise ExportReadError(
        f"{inputs}: none of its {data.counts['tasks_read']} task(s) can be built ({why}; first: {first}). "
        "Export the project `stancebank studio push` made as JSON (not JSON_MIN or CSV), or pull it "
        "with `stancebank studio pull`"
    )


def write_rejects(path: Path, issues: Sequence[ReadIssue]) -> None:
    """The rejects report: one JSON line per dropped item (task, annotation, region, reason, fix),
    written atomically (temporary files of a killed earlier write are removed first)."""
    clean_leftovers(path)
    # backslashreplace: a reason may quote a lone surrogate from a broken export
    with atomic_writer(path, errors="backslashreplace") as handle:
        for issue in issues:
            handle.write(json.dumps(issue.to_json(), ensure_ascii=False) + "\n")


def _stamp_date(stamp: str) -> str:
    """The UTC date of a Label Studio timestamp ("2026-11-30T09:12:44.123456Z"), or "" when it is
    not an ISO 8601 date-time (a time without a zone is taken as UTC)."""
    try:
        moment = datetime.fromisoformat(stamp)
    except ValueError:
        return ""
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC)
    return moment.date().isoformat()


def read_exports(
    paths: Sequence[Path], spec: AnnotationSpec = SPEC, on_task: Callable[[], None] | None = None
) -> ExportData:
    """Read and merge several exports (given oldest first; timestamps decide when present)."""
    reader = ExportReader(spec)
    for index, path in enumerate(paths):
        log.debug("reading %s", path)
        reader.read_file(Path(path), index, on_task)
    return reader.finish()
