"""Adjudication: the annotations of one article → its gold spans and relations, or a conflict.

Policy (also printed in the dataset card, :data:`POLICY`):

1. An annotation marked *ground truth* in Label Studio wins (the newest one if several).
2. A single annotation is gold.
3. With ``n ≥ 2`` annotations, a span (label, start, end), each of its attributes, and a relation
   (from span, to span, label) are kept when **more than half** of the ``n`` annotators agree
   exactly; what fewer than half drew is dropped.
4. A tie (exactly half), or a kept span whose attribute has no majority value, is a *conflict*:
   the article goes on the adjudication list and stays out of gold until a reviewer resolves it
   (by submitting a ground-truth annotation in Label Studio, see :mod:`stancebank.export.review`).

Gold span ids are stable: a hash of article id, label and offsets, so the same span keeps its id
across releases.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from stancebank.export.reader import Provenance, SpanKey, span_key
from stancebank.schema.model import Annotation, Relation, Span
from stancebank.schema.spec import SPEC, AnnotationSpec

POLICY = (
    "An annotation marked ground truth in Label Studio (a reviewer's) wins. An article with a single "
    "annotation takes it as gold. With two or more annotators, a span (label and exact offsets), each "
    "of its attributes and each relation (endpoints and label) is kept when more than half of the "
    "annotators agree exactly; what fewer than half drew is dropped. A tie (exactly half) or a kept "
    "span whose attribute has no majority value puts the article on the adjudication list: it is sent "
    "back to Label Studio for a reviewer and stays out of the release until resolved."
)

RelationKey = tuple[SpanKey, SpanKey, str]


@dataclass(frozen=True)
class GoldPolicy:
    """The project file's ``[policy]`` as adjudication applies it.

    ``min_annotators``: an article with fewer (non-cancelled) annotations is not gold yet
    (method ``insufficient``), unless an annotation is ground truth. ``single_annotation_gold =
    false`` with ``[studio] overlap`` ≥ 2 (``overlap_requested``) keeps one annotator's work out
    of gold too. The defaults are the policy of :data:`POLICY`.
    """

    min_annotators: int = 1
    single_annotation_gold: bool = True
    overlap_requested: bool = False

    @property
    def needed(self) -> int:
        floor = 1 if self.single_annotation_gold or not self.overlap_requested else 2
        return max(self.min_annotators, floor)

    def describe(self) -> str:
        """The sentence the card adds to :data:`POLICY` (empty for the default policy)."""
        if self.needed <= 1:
            return ""
        return (
            f" This release asks for at least {self.needed} annotators per article: an article with "
            "fewer (and no ground truth) stays out of gold until more annotators have worked on it."
        )


DEFAULT_POLICY = GoldPolicy()


@dataclass(frozen=True, slots=True)
class Conflict:
    """One disagreement that blocks an article from gold."""

    kind: str  # "span_tie" | "attribute_no_majority" | "relation_tie"
    item: str  # human-readable span / relation
    votes: dict[str, str]  # annotator identity → what they said ("" = absent)


@dataclass(frozen=True)
class Adjudication:
    article_id: str
    method: str  # "ground_truth" | "reviewer" | "single" | "majority" | "conflict" | "insufficient" | "empty"
    spans: tuple[Span, ...] = ()
    relations: tuple[Relation, ...] = ()
    provenance: dict[str, Provenance] = field(default_factory=dict)
    conflicts: tuple[Conflict, ...] = ()
    num_annotators: int = 0

    @property
    def is_gold(self) -> bool:
        return self.method in ("ground_truth", "reviewer", "single", "majority")


def gold_span_id(article_id: str, key: SpanKey) -> str:
    label, start, end = key
    digest = hashlib.sha1(f"{article_id}\x1f{label}\x1f{start}\x1f{end}".encode()).hexdigest()
    return f"s{digest[:12]}"


def _relation_keys(ann: Annotation) -> set[RelationKey]:
    by_id = {s.id: span_key(s) for s in ann.spans}
    return {(by_id[r.from_id], by_id[r.to_id], r.label) for r in ann.relations}


def _rekey(
    article_id: str,
    spans: Sequence[tuple[Span, Provenance]],
    relations: Sequence[RelationKey],
) -> tuple[tuple[Span, ...], tuple[Relation, ...], dict[str, Provenance]]:
    out_spans: list[Span] = []
    provenance: dict[str, Provenance] = {}
    for span, prov in sorted(spans, key=lambda sp: (sp[0].start, sp[0].end, sp[0].label)):
        sid = gold_span_id(article_id, span_key(span))
        out_spans.append(
            Span(
                id=sid,
                label=span.label,
                start=span.start,
                end=span.end,
                text=span.text,
                attributes=dict(sorted(span.attributes.items())),
            )
        )
        provenance[sid] = prov
    out_rel = [
        Relation(from_id=gold_span_id(article_id, a), to_id=gold_span_id(article_id, b), label=lab)
        for a, b, lab in sorted(relations)
    ]
    return tuple(out_spans), tuple(out_rel), provenance


def _from_one(ann: Annotation, method: str, n: int) -> Adjudication:
    prov = ann.extra.get("provenance", {})
    spans = [(s, prov.get(s.id, "hand")) for s in ann.spans]
    spans_out, rels, provenance = _rekey(ann.article_id, spans, sorted(_relation_keys(ann)))
    return Adjudication(ann.article_id, method, spans_out, rels, provenance, num_annotators=n)


def _describe(key: SpanKey) -> str:
    return f"{key[0]} {key[1]}:{key[2]}"


def adjudicate(
    article_id: str,
    annotations: Sequence[Annotation],
    spec: AnnotationSpec = SPEC,
    policy: GoldPolicy = DEFAULT_POLICY,
) -> Adjudication:
    """Gold for one article (see the module docstring and :class:`GoldPolicy`)."""
    n = len(annotations)
    if n == 0:
        return Adjudication(article_id, "empty")
    truths = [a for a in annotations if a.ground_truth]
    if truths:
        newest = max(truths, key=lambda a: (a.updated_at or "", a.annotation_id))
        # a reviewer's verdict (an annotation on a review task, `stancebank studio review`) is
        # counted apart from a ground truth starred in the project itself
        return _from_one(newest, "reviewer" if newest.extra.get("review") else "ground_truth", n)
    if n < policy.needed:
        return Adjudication(article_id, "insufficient", num_annotators=n)
    if n == 1:
        return _from_one(annotations[0], "single", 1)

    majority = n // 2 + 1
    conflicts: list[Conflict] = []
    by_key: dict[SpanKey, list[tuple[Annotation, Span]]] = {}
    for ann in annotations:
        for span in ann.spans:
            by_key.setdefault(span_key(span), []).append((ann, span))

    kept: list[tuple[Span, Provenance]] = []
    for key in sorted(by_key):
        holders = by_key[key]
        votes = len({a.annotator for a, _ in holders})
        if votes * 2 == n:
            conflicts.append(
                Conflict(
                    "span_tie",
                    _describe(key),
                    {a.annotator: ("drawn" if any(h is a for h, _ in holders) else "") for a in annotations},
                )
            )
            continue
        if votes < majority:
            continue
        label_attrs = spec.span_label(key[0]).attributes
        attrs: dict[str, str] = {}
        for attr in label_attrs:
            values = Counter(span.attributes.get(attr.name, "") for _, span in holders)
            value, count = sorted(values.items(), key=lambda kv: (-kv[1], kv[0]))[0]
            if count >= majority:
                if value:
                    attrs[attr.name] = value
            else:
                conflicts.append(
                    Conflict(
                        "attribute_no_majority",
                        f"{_describe(key)} {attr.name}",
                        {a.annotator: s.attributes.get(attr.name, "") for a, s in holders},
                    )
                )
        first_ann, first_span = holders[0]
        prov = first_ann.extra.get("provenance", {}).get(first_span.id, "hand")
        kept.append((Span(first_span.id, key[0], key[1], key[2], first_span.text, attrs), prov))

    rel_votes: Counter[RelationKey] = Counter()
    rel_holders: dict[RelationKey, set[str]] = {}
    for ann in annotations:
        for rkey in _relation_keys(ann):
            rel_votes[rkey] += 1
            rel_holders.setdefault(rkey, set()).add(ann.annotator)
    kept_relations: list[RelationKey] = []
    for rkey in sorted(rel_votes):
        count = rel_votes[rkey]
        if count * 2 == n:
            conflicts.append(
                Conflict(
                    "relation_tie",
                    f"{_describe(rkey[0])} -{rkey[2]}-> {_describe(rkey[1])}",
                    {a.annotator: ("drawn" if a.annotator in rel_holders[rkey] else "") for a in annotations},
                )
            )
        elif count >= majority:
            kept_relations.append(rkey)

    if conflicts:
        return Adjudication(article_id, "conflict", conflicts=tuple(conflicts), num_annotators=n)
    spans_out, rels, provenance = _rekey(article_id, kept, kept_relations)
    return Adjudication(article_id, "majority", spans_out, rels, provenance, num_annotators=n)
