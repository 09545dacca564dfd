"""Read Label Studio JSON exports into domain annotations.

One or more exports (snapshots of the same project over time, or UI downloads) are streamed task
by task (``ijson``; an export is never loaded whole) and merged by ``data.article_id``:

- the newest version of each annotation (by ``updated_at``, then by the order the files were
  given) wins; an annotation seen in several snapshots is counted once; one annotator with two
  annotations on one article keeps only the newest (reported as ``duplicate_annotator``);
- the article's fields come from the newest task version; annotations made against a different
  text are dropped (``text_changed``);
- cancelled annotations are skipped, drafts are ignored (both counted);
- an annotation on a review task (data field ``stancebank_review``, made by ``stancebank studio
  review``) is ground truth: the reviewer's submitted verdict;
- ``labels`` results are spans; ``choices`` / ``textarea`` results with the same region id are the
  span's attributes; ``relation`` results become relations: direction ``right`` kept, ``left``
  swapped, ``bi`` and relations whose endpoint labels the spec does not allow are reported and
  dropped;
- offsets are code points and the span text is always ``data.text[start:end]``; whitespace at a
  span's edges is trimmed (and counted);
- each span gets a provenance against the task's predictions: ``accepted`` (a predicted span,
  label and attributes taken as is), ``edited`` (derived from a predicted region: same region id,
  same offsets, or overlapping) or ``hand`` (drawn by hand).

Annotators are kept as an internal identity (``ls:<user id>``) only; e-mails and names from UI
downloads are never stored. Pseudonyms are made at release time (:mod:`stancebank.export.pseudonym`).
"""

from __future__ import annotations

import hashlib
import logging
import pickle
import zlib
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Generic, Literal, TypeVar

import ijson

from stancebank.export.errors import ExportReadError
from stancebank.schema.model import Annotation, Article, Relation, Span
from stancebank.schema.spec import SPEC, AnnotationSpec, Attribute, RelationLabel

log = logging.getLogger(__name__)

# A task of a review project (``stancebank studio review``) carries the conflict summary in this
# data field; the annotations on such a task are the reviewer's and count as ground truth.
REVIEW_FIELD = "stancebank_review"

Provenance = Literal["accepted", "edited", "hand"]
PROVENANCES: tuple[Provenance, ...] = ("accepted", "edited", "hand")
SpanKey = tuple[str, int, int]  # (label, start, end)


@dataclass(frozen=True, slots=True)
class ReadIssue:
    """Something in an export that was dropped or could not be used as is."""

    kind: str
    file: str
    task_id: int | None
    article_id: str | None
    annotation_id: str | None
    detail: str

    def describe(self) -> str:
        where = [self.file]
        if self.task_id is not None:
            where.append(f"task {self.task_id}")
        if self.article_id is not None:
            where.append(f"article {self.article_id}")
        if self.annotation_id is not None:
            where.append(f"annotation {self.annotation_id}")
        return f"{self.kind}: {', '.join(where)}: {self.detail}"


@dataclass
class ExportData:
    """The merged content of one or more exports.

    ``articles`` and ``annotations`` are read-only mappings that keep their values compressed in
    memory (:class:`PackedArticles`, :class:`PackedAnnotations`) and unpack one article on access.
    """

    articles: Mapping[str, Article] = field(default_factory=dict)
    annotations: Mapping[str, list[Annotation]] = field(default_factory=dict)
    task_ids: dict[str, int] = field(default_factory=dict)
    issues: list[ReadIssue] = field(default_factory=list)
    counts: Counter[str] = field(default_factory=Counter)
    inputs: list[Path] = field(default_factory=list)

    def issue_counts(self) -> Counter[str]:
        return Counter(issue.kind for issue in self.issues)

    def retain(self, article_ids: Iterable[str]) -> None:
        """Keep only these articles' texts and annotations (frees the rest; counts are kept)."""
        keep = set(article_ids)
        if isinstance(self.articles, PackedArticles):
            self.articles.retain(keep)
        else:
            self.articles = {a: v for a, v in self.articles.items() if a in keep}
        if isinstance(self.annotations, PackedAnnotations):
            self.annotations.retain(keep)
        else:
            self.annotations = {a: v for a, v in self.annotations.items() if a in keep}


@dataclass(frozen=True, slots=True)
class ParsedResults:
    spans: tuple[Span, ...]
    relations: tuple[Relation, ...]


IssueSink = Callable[[str, str], None]


@dataclass(frozen=True)
class _SpecTables:
    labels: frozenset[str]
    attributes: dict[str, Attribute]
    relations: dict[str, RelationLabel]
    allowed: dict[str, frozenset[str]]


_TABLES: dict[int, tuple[AnnotationSpec, _SpecTables]] = {}


def _tables(spec: AnnotationSpec) -> _SpecTables:
    """Lookup tables of a spec, computed once per spec object (parse_results is the hot loop)."""
    found = _TABLES.get(id(spec))
    if found is not None and found[0] is spec:
        return found[1]
    tables = _SpecTables(
        labels=frozenset(spec.span_label_names),
        attributes={a.name: a for a in spec.attributes},
        relations={r.name: r for r in spec.relation_labels},
        allowed={lab.name: frozenset(a.name for a in lab.attributes) for lab in spec.span_labels},
    )
    _TABLES[id(spec)] = (spec, tables)
    return tables


def _ignore(kind: str, detail: str) -> None:
    return None


def parse_results(
    results: Sequence[dict[str, Any]],
    text: str,
    report: IssueSink = _ignore,
    counts: Counter[str] | None = None,
    spec: AnnotationSpec = SPEC,
) -> ParsedResults:
    """Label Studio ``result`` list → spans (with attributes) and relations, checked against ``text``."""
    counts = counts if counts is not None else Counter()
    tables = _tables(spec)
    label_set, attrs_by_name, relation_specs = tables.labels, tables.attributes, tables.relations

    label_results: dict[str, dict[str, Any]] = {}
    attr_results: list[dict[str, Any]] = []
    relation_results: list[dict[str, Any]] = []
    for result in results:
        rtype = str(result.get("type", "")).lower()
        if rtype == "relation":
            relation_results.append(result)
        elif rtype == "labels":
            rid = str(result.get("id", ""))
            if rid in label_results:
                report("duplicate_region", f"region {rid!r} has two labels results; the first is kept")
                continue
            label_results[rid] = result
        elif rtype in ("choices", "textarea"):
            attr_results.append(result)
        else:
            report("unknown_result", f"result type {rtype!r} (region {result.get('id')!r}) is not used")

    spans: dict[str, Span] = {}
    span_attrs: dict[str, dict[str, str]] = {}
    for rid, result in label_results.items():
        value = result.get("value") or {}
        labels = value.get("labels") or []
        if len(labels) != 1:
            report("bad_label", f"region {rid!r} has labels {labels!r}; exactly one is required")
            continue
        label = str(labels[0])
        if label not in label_set:
            report("unknown_label", f"region {rid!r} has label {label!r}; known: {sorted(label_set)}")
            continue
        start, end = value.get("start"), value.get("end")
        if not isinstance(start, int) or not isinstance(end, int) or not 0 <= start < end <= len(text):
            report(
                "offset_out_of_range",
                f"region {rid!r} ({label}) has start={start!r} end={end!r}; the text has {len(text)} "
                "code points — fix the offsets in Label Studio",
            )
            continue
        raw = text[start:end]
        lead = len(raw) - len(raw.lstrip())
        trail = len(raw) - len(raw.rstrip())
        if lead + trail >= len(raw):
            report("empty_span", f"region {rid!r} ({label}) at {start}:{end} is only whitespace")
            continue
        if lead or trail:
            counts["spans_trimmed"] += 1
            counts["whitespace_trimmed_chars"] += lead + trail
        lstudio_text = value.get("text")
        if isinstance(lstudio_text, str) and lstudio_text != raw:
            counts["value_text_differs"] += 1
        s, e = start + lead, end - trail
        spans[rid] = Span(id=rid, label=label, start=s, end=e, text=text[s:e])
        span_attrs[rid] = {}

    for result in attr_results:
        rid = str(result.get("id", ""))
        name = str(result.get("from_name", ""))
        attr = attrs_by_name.get(name)
        if attr is None:
            report("unknown_attribute", f"region {rid!r}: {name!r} is not an attribute of the spec")
            continue
        span = spans.get(rid)
        if span is None:
            if rid not in label_results:
                report("orphan_attribute", f"{name!r} result for region {rid!r}, which has no span")
            continue
        if attr.name not in tables.allowed[span.label]:
            report("attribute_not_allowed", f"region {rid!r}: {span.label} takes no {name!r}")
            continue
        value = result.get("value") or {}
        if attr.kind == "choice":
            choices = value.get("choices") or []
            if len(choices) != 1 or choices[0] not in attr.choices:
                report(
                    "bad_choice",
                    f"region {rid!r}: {name}={choices!r}; must be one of {list(attr.choices)}",
                )
                continue
            span_attrs[rid][name] = str(choices[0])
        else:
            raw_text = value.get("text")
            parts = raw_text if isinstance(raw_text, list) else [raw_text]
            joined = " ".join(str(p).strip() for p in parts if p is not None and str(p).strip())
            if joined:
                span_attrs[rid][name] = joined

    final_spans = {
        rid: Span(
            id=rid, label=sp.label, start=sp.start, end=sp.end, text=sp.text, attributes=span_attrs[rid]
        )
        if span_attrs[rid]
        else sp
        for rid, sp in spans.items()
    }

    relations: list[Relation] = []
    seen: set[tuple[str, str, str]] = set()
    for result in relation_results:
        from_id, to_id = str(result.get("from_id", "")), str(result.get("to_id", ""))
        direction = result.get("direction", "right")
        labels = result.get("labels") or []
        where = f"relation {from_id!r}→{to_id!r} {labels!r}"
        if from_id not in final_spans or to_id not in final_spans:
            report("dangling_relation", f"{where}: an endpoint is not a kept span")
            continue
        if direction == "bi":
            report("bidirectional_relation", f"{where} is bidirectional; draw it from → to and relabel")
            continue
        if direction == "left":
            from_id, to_id = to_id, from_id
            counts["relations_swapped"] += 1
        elif direction != "right":
            report("bad_direction", f"{where}: direction {direction!r} is not right/left")
            continue
        if len(labels) != 1:
            report("bad_relation_label", f"{where}: exactly one relation label is required")
            continue
        rel_spec = relation_specs.get(str(labels[0]))
        if rel_spec is None:
            report("bad_relation_label", f"{where}: unknown relation label; known: {list(relation_specs)}")
            continue
        src, dst = final_spans[from_id], final_spans[to_id]
        if src.label not in rel_spec.from_labels or dst.label not in rel_spec.to_labels:
            report(
                "bad_endpoint_labels",
                f"{where}: {rel_spec.name} goes {'/'.join(rel_spec.from_labels)} → "
                f"{'/'.join(rel_spec.to_labels)}, not {src.label} → {dst.label}",
            )
            continue
        key = (from_id, to_id, rel_spec.name)
        if key in seen:
            continue
        seen.add(key)
        relations.append(Relation(from_id=from_id, to_id=to_id, label=rel_spec.name))
    ordered = sorted(final_spans.values(), key=lambda s: (s.start, s.end, s.label, s.id))
    return ParsedResults(spans=tuple(ordered), relations=tuple(relations))


def span_key(span: Span) -> SpanKey:
    return (span.label, span.start, span.end)


def provenance_of(spans: Iterable[Span], predicted: Sequence[Span]) -> dict[str, Provenance]:
    """Provenance of each span against the predicted spans of the same task."""
    exact = {(span_key(p), tuple(sorted(p.attributes.items()))) for p in predicted}
    offsets = {(p.start, p.end) for p in predicted}
    ids = {p.id for p in predicted}
    out: dict[str, Provenance] = {}
    for span in spans:
        if (span_key(span), tuple(sorted(span.attributes.items()))) in exact:
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
        with path.open("rb") as fh:
            first = fh.read(1)
            while first and first.isspace():
                first = fh.read(1)
            if first != b"[":
                raise ExportReadError(
                    f"{path}: not a Label Studio JSON export (expected a JSON list of tasks); "
                    "export the project as JSON (not JSON_MIN/CSV)"
                )
            fh.seek(0)
            for i, task in enumerate(ijson.items(fh, "item", use_float=True)):
                if not isinstance(task, dict):
                    raise ExportReadError(f"{path}: item {i} is not a task object")
                yield task
    except ijson.JSONError as err:
        raise ExportReadError(f"{path}: invalid JSON ({err}); re-download the export") from err
    except OSError as err:
        raise ExportReadError(f"{path}: cannot read ({err.strerror})") from err


def _text_digest(text: str) -> bytes:
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).digest()


class ExportReader:
    """Accumulates tasks from one or more exports; :meth:`finish` returns the merged data."""

    def __init__(self, spec: AnnotationSpec = SPEC) -> None:
        self.spec = spec
        self.data = ExportData()
        self._articles = PackedArticles()
        # article_id → (version, text digest) of the newest task version seen so far
        self._article_meta: dict[str, tuple[tuple[str, int], bytes]] = {}
        # article_id → annotation_id → the newest version seen so far
        self._annotations: dict[str, dict[str, _Held]] = {}

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
        counts["drafts_ignored"] += len(task.get("drafts") or [])

        digest = _text_digest(text)
        stamp = str(task.get("updated_at") or task.get("created_at") or "")
        version = (stamp, file_index)
        meta = self._article_meta.get(article_id)
        if meta is None or version >= meta[0]:
            self._article_meta[article_id] = (version, digest)
            self._articles.put(
                Article(
                    article_id=article_id,
                    text=text,
                    title=_opt_str(data.get("title")),
                    url=_opt_str(data.get("url")),
                    source=_opt_str(data.get("source")),
                    published=_opt_str(data.get("published")),
                    language=_opt_str(data.get("language")),
                )
            )
            if task_id is not None:
                self.data.task_ids[article_id] = task_id

        predicted: list[Span] = []
        for prediction in task.get("predictions") or []:
            if isinstance(prediction, dict):
                predicted.extend(parse_results(prediction.get("result") or [], text, spec=self.spec).spans)

        is_review = isinstance(data.get(REVIEW_FIELD), str)
        per_article = self._annotations.setdefault(article_id, {})
        for index, ann in enumerate(task.get("annotations") or []):
            if not isinstance(ann, dict):
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
                kind: str, detail: str, _id: str = ann_id, _sink: list[ReadIssue] = ann_issues
            ) -> None:
                _sink.append(ReadIssue(kind, file, task_id, article_id, _id, detail))

            ann_counts: Counter[str] = Counter()
            parsed = parse_results(ann.get("result") or [], text, report, ann_counts, self.spec)
            annotation = Annotation(
                article_id=article_id,
                annotation_id=ann_id,
                annotator=annotator,
                spans=parsed.spans,
                relations=parsed.relations,
                # a review task's annotation is the reviewer's verdict (`stancebank studio review`)
                ground_truth=bool(ann.get("ground_truth")) or is_review,
                updated_at=ann_stamp or None,
                extra={
                    "provenance": provenance_of(parsed.spans, predicted),
                    **({"review": True} if is_review else {}),
                },
            )
            per_article[ann_id] = _Held(
                ann_version,
                ann_id,
                annotator,
                pack_annotation(annotation),
                tuple(ann_issues) if ann_issues else (),
                tuple(ann_counts.items()) if ann_counts else (),
                digest,
                task_id,
                file,
            )

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
        packed: dict[str, tuple[bytes, ...]] = {}
        for article_id in sorted(self._annotations):
            digest = self._article_meta[article_id][1]
            by_annotator: dict[str, _Held] = {}
            for held in self._annotations.pop(article_id).values():
                # Issues of the kept version only: an older version's issues are superseded.
                data.issues.extend(held.issues)
                data.counts.update(dict(held.counts))
                if held.text_digest != digest:
                    self._issue(
                        "text_changed",
                        held.file,
                        held.task_id,
                        article_id,
                        held.annotation_id,
                        "the annotation was made on another version of the text; re-annotate the task",
                    )
                    continue
                kept = by_annotator.get(held.annotator)
                if kept is not None:
                    newer, older = (kept, held) if kept.version >= held.version else (held, kept)
                    self._issue(
                        "duplicate_annotator",
                        older.file,
                        older.task_id,
                        article_id,
                        older.annotation_id,
                        f"the same annotator also made annotation {newer.annotation_id}, which is "
                        "newer and is kept",
                    )
                    by_annotator[held.annotator] = newer
                else:
                    by_annotator[held.annotator] = held
            kept_all = sorted(by_annotator.values(), key=lambda h: h.annotation_id)
            if kept_all:
                packed[article_id] = tuple(h.packed for h in kept_all)
        self._annotations.clear()
        self._article_meta.clear()
        data.articles = self._articles
        data.annotations = PackedAnnotations(packed, self._articles)
        data.counts["articles"] = len(data.articles)
        data.counts["articles_without_annotations"] = len(data.articles) - len(packed)
        data.counts["annotations_kept"] = sum(len(v) for v in packed.values())
        data.issues.sort(key=lambda i: (i.article_id or "", i.annotation_id or "", i.kind, i.detail))
        return data


@dataclass(frozen=True, slots=True)
class _Held:
    """One annotation version held while reading: small metadata plus the packed annotation."""

    version: tuple[str, int]
    annotation_id: str
    annotator: str
    packed: bytes
    issues: tuple[ReadIssue, ...]
    counts: tuple[tuple[str, int], ...]
    text_digest: bytes
    task_id: int | None
    file: str


# -- compact storage --------------------------------------------------------------------------
#
# Holding 100,000 articles and their annotations as Python objects costs several GB. They are
# kept as zlib-compressed pickles of plain tuples instead (a few hundred bytes per annotation; a
# span's text is not stored, it is ``article.text[start:end]``), and every consumer walks them one
# article at a time.

_ARTICLE_FIELDS = ("title", "url", "source", "published", "language")


def pack_annotation(annotation: Annotation) -> bytes:
    prov = annotation.extra.get("provenance", {})
    spans = tuple(
        (s.id, s.label, s.start, s.end, tuple(s.attributes.items()), prov.get(s.id)) for s in annotation.spans
    )
    relations = tuple((r.from_id, r.to_id, r.label) for r in annotation.relations)
    state = (
        annotation.annotation_id,
        annotation.annotator,
        annotation.ground_truth,
        annotation.updated_at,
        spans,
        relations,
        bool(annotation.extra.get("review")),
    )
    return zlib.compress(pickle.dumps(state, protocol=pickle.HIGHEST_PROTOCOL), 1)


def unpack_annotation(blob: bytes, article_id: str, text: str) -> Annotation:
    ann_id, annotator, ground_truth, updated_at, spans, relations, review = pickle.loads(
        zlib.decompress(blob)
    )
    provenance: dict[str, Provenance] = {}
    out_spans: list[Span] = []
    for sid, label, start, end, attrs, prov in spans:
        out_spans.append(
            Span(id=sid, label=label, start=start, end=end, text=text[start:end], attributes=dict(attrs))
        )
        if prov is not None:
            provenance[sid] = prov
    return Annotation(
        article_id=article_id,
        annotation_id=ann_id,
        annotator=annotator,
        spans=tuple(out_spans),
        relations=tuple(Relation(from_id=a, to_id=b, label=lab) for a, b, lab in relations),
        ground_truth=ground_truth,
        updated_at=updated_at,
        extra={"provenance": provenance, **({"review": True} if review else {})},
    )


_P = TypeVar("_P")
_V = TypeVar("_V")


class _Packed(Mapping[str, _V], Generic[_P, _V]):
    """article id → a value kept packed (compressed) in memory and unpacked on access."""

    def __init__(self, packed: dict[str, _P] | None = None) -> None:
        self._packed: dict[str, _P] = {} if packed is None else packed

    def retain(self, keep: set[str]) -> None:
        """Drop every article not in ``keep`` (frees memory once the rest is written)."""
        self._packed = {a: blob for a, blob in self._packed.items() if a in keep}

    def __iter__(self) -> Iterator[str]:
        return iter(self._packed)

    def __len__(self) -> int:
        return len(self._packed)

    def __contains__(self, article_id: object) -> bool:
        return article_id in self._packed


class PackedArticles(_Packed[bytes, Article]):
    """article id → :class:`Article`, kept compressed in memory and unpacked on access."""

    def put(self, article: Article) -> None:
        state = (article.text, *(getattr(article, f) for f in _ARTICLE_FIELDS))
        self._packed[article.article_id] = zlib.compress(
            pickle.dumps(state, protocol=pickle.HIGHEST_PROTOCOL), 1
        )

    def __getitem__(self, article_id: str) -> Article:
        text, *fields = pickle.loads(zlib.decompress(self._packed[article_id]))
        return Article(article_id=article_id, text=text, **dict(zip(_ARTICLE_FIELDS, fields, strict=True)))


class PackedAnnotations(_Packed[tuple[bytes, ...], list[Annotation]]):
    """article id → its annotations, kept compressed in memory and unpacked on access (span texts
    are cut from the article's text, which every kept annotation was made on)."""

    def __init__(self, packed: dict[str, tuple[bytes, ...]], articles: Mapping[str, Article]) -> None:
        super().__init__(packed)
        self._articles = articles

    def __getitem__(self, article_id: str) -> list[Annotation]:
        text = self._articles[article_id].text
        return [unpack_annotation(blob, article_id, text) for blob in self._packed[article_id]]

    def count(self, article_id: str) -> int:
        """Number of annotations of an article, without unpacking them."""
        return len(self._packed.get(article_id, ()))


def _opt_str(value: Any) -> str | None:
    if value is None:
        return None
    text = str(value)
    return text if text else None


def read_exports(
    paths: Sequence[Path], spec: AnnotationSpec = SPEC, on_task: Callable[[], None] | None = None
) -> ExportData:
    """Read and merge several exports (given oldest first; timestamps decide when present)."""
    reader = ExportReader(spec)
    for index, path in enumerate(paths):
        log.debug("reading %s", path)
        reader.read_file(Path(path), index, on_task)
    return reader.finish()
