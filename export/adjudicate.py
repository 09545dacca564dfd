"""Adjudication: the annotations of one article → its gold spans and relations, or a conflict.

Policy (also printed in the dataset card, :data:`POLICY`), per article:

1. An annotation marked *ground truth* in Label Studio (a manager's star on an annotator's own
   annotation) wins (the newest one if several): method ``ground_truth`` — when the star counts
   (:func:`star_refusal`): Label Studio's free edition has no roles and lets every member star any
   annotation, so a star counts only when the account that last saved the starred annotation (the
   export's ``updated_by``) is none of the article's annotators, and when ``GoldPolicy.
   ground_truth_by`` names its role (``manager``: a star in the annotated project; ``reviewer``: a
   starred verdict). A star that does not count is listed in
   :attr:`Adjudication.refused_stars` and the annotation is adjudicated as unstarred.
2. A single annotation is gold (``single``), unless the project's ``[policy]`` asks for more
   annotators (``insufficient``).
3. With ``n ≥ 2`` annotators, item by item: a span (label, start, end) with its attributes, and a
   relation (from span, to span, label) drawn identically by **more than half** of the annotators
   is *agreed* (gold); an item fewer than half drew is dropped (*minority*); a tie (exactly half),
   or a span whose attribute has no majority value, is a *conflict*. Without conflicts the article
   is gold (``majority``); with conflicts it waits for review (``conflict``; only its conflicting
   items are on the adjudication list, :attr:`Adjudication.conflicts`), unless
   ``GoldPolicy.unresolved = "drop"`` drops them.
4. A reviewer's verdict — an annotation made on a review task (``stancebank studio review``: the
   task lists the article's conflicting items, each annotator's version a prediction) — settles
   the conflicting items, item by item (method ``reviewer``): a conflicting span or relation is
   gold when the verdict has it (with the verdict's attributes), and is dropped when it does not;
   an item the reviewer drew that no annotator drew (a corrected boundary, say) is gold. The
   agreed items stay gold whichever version the reviewer started from; a reviewer may change an
   agreed span's attributes (counted ``corrected``). Items a minority drew stay dropped. A
   reviewer who must overrule agreed items stars the verdict as ground truth in Label Studio:
   a starred verdict is the article's gold whole (when the star counts, as in 1). The items are
   counted as the annotators left them (their conflicting items as ``reviewed``). A review
   annotation is never counted as one more annotator (:func:`is_review`) and never replaces the
   reviewer's own annotation.

Gold span ids are stable: a hash of article id, label and offsets, so the same span keeps its id
across releases.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace

from stancebank.export.reader import Provenance, SpanKey, span_key
from stancebank.schema.model import Annotation, Relation, Span
from stancebank.schema.project import Project
from stancebank.schema.spec import SPEC, AnnotationSpec

POLICY = (
    "An annotation a manager marked ground truth in Label Studio wins (method ground_truth). Label "
    "Studio's free edition has no roles, so the star counts only when the account that last saved "
    "the starred annotation (the export's updated_by) did not annotate the article itself: an "
    "annotator cannot make her own version, or a co-annotator's, the gold. An "
    "article with a single annotation takes it as gold (single). With two or more annotators, "
    "adjudication is per item: a span (label and exact offsets) with its attributes, and a relation "
    "(endpoints and label), drawn identically by more than half of the annotators is agreed and gold; "
    "what fewer than half drew is dropped; a tie (exactly half) or a span whose attribute has no "
    "majority value is a conflicting item. An article without conflicting items is gold (majority); "
    "one with conflicting items is pending: only those items are sent to a reviewer, and the "
    "article stays out of documents, claims and stance until they are resolved. The reviewer decides each "
    "conflicting item (kept when the reviewer's verdict has it, dropped when not; an item only the "
    "reviewer drew is kept), may change an agreed span's attributes, and leaves the agreed items "
    "gold (method reviewer); a verdict the reviewer starred as ground truth is the article's gold "
    "whole (the same rule for who starred it). A review "
    "annotation is never counted as one more annotator in agreement and never replaces the "
    "reviewer's own annotation as an annotator; a starred annotation still counts as its "
    "annotator's. Every annotation of every annotated article, pending ones included, is in the "
    "annotations config."
)

RelationKey = tuple[SpanKey, SpanKey, str]
# whose ground-truth stars count by default (``[policy] ground_truth_by``; see :func:`star_refusal`)
DEFAULT_GROUND_TRUTH_BY = ("reviewer", "manager")


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
    # conflicting items: "review" (the article waits for a reviewer) or "drop" (they are left
    # out of gold and the article's agreed items are gold)
    unresolved: str = "review"
    # whose ground-truth stars count: "manager" (a star on an annotation of the annotated project)
    # and "reviewer" (a starred verdict on a review task); see :func:`star_refusal`
    ground_truth_by: tuple[str, ...] = DEFAULT_GROUND_TRUTH_BY

    @property
    def needed(self) -> int:
        floor = 1 if self.single_annotation_gold or not self.overlap_requested else 2
        return max(self.min_annotators, floor)

    def describe(self) -> str:
        """The sentence the card adds to :data:`POLICY` (empty for the default policy)."""
        note = ""
        if set(self.ground_truth_by) != set(DEFAULT_GROUND_TRUTH_BY):
            note += {
                ("reviewer",): " In this release only a reviewer's starred verdict counts as ground truth, "
                "not a star on an annotator's annotation.",
                ("manager",): " In this release a reviewer's starred verdict decides only the conflicting "
                "items, like an unstarred one; a manager's star on an annotation still counts.",
                (): " In this release no ground-truth star counts.",
            }[tuple(sorted(set(self.ground_truth_by)))]
        if self.unresolved == "drop":
            note += (
                " This release resolves conflicting items by dropping them: an article's agreed "
                "items are gold without waiting for review."
            )
        if self.needed <= 1:
            return note
        return note + (
            f" This release asks for at least {self.needed} annotators per article: an article with "
            "fewer (and no ground truth) stays out of gold until more annotators have worked on it."
        )

    @classmethod
    def of(cls, project: Project | None) -> GoldPolicy:
        """A project file's ``[policy]`` (the defaults without a project). ``single_annotation_gold
        = false`` applies only where ``[studio] overlap`` ≥ 2 is stated (an export does not record
        the overlap)."""
        if project is None:
            return cls()
        overlap = project.studio.overlap
        return cls(
            min_annotators=project.policy.min_annotators,
            single_annotation_gold=project.policy.single_annotation_gold,
            overlap_requested=overlap is not None and overlap > 1,
            unresolved=project.policy.conflicts,
            ground_truth_by=project.policy.ground_truth_by,
        )


DEFAULT_POLICY = GoldPolicy()


@dataclass(frozen=True, slots=True)
class Conflict:
    """One disagreement that blocks an article from gold."""

    kind: str  # "span_tie" | "attribute_no_majority" | "relation_tie"
    item: str  # human-readable span / relation
    votes: dict[str, str]  # annotator identity → what they said ("" = absent)


@dataclass(frozen=True, slots=True)
class RefusedStar:
    """A ground-truth star that does not count (:func:`star_refusal`): the starred annotation, its
    annotator, the account that last saved it (None when the export does not say) and why."""

    annotation_id: str
    annotator: str
    starred_by: str | None
    # "annotator": saved by one of the article's annotators; "unknown": the export does not say
    # who; "policy": ``[policy] ground_truth_by`` leaves the role out
    reason: str

    def describe(self, article_id: str, pseudonym: Callable[[str], str]) -> str:
        """One line for the build's log, annotators by pseudonym (never a name or an e-mail)."""
        whose = f"the ground-truth star on {pseudonym(self.annotator)}'s annotation {self.annotation_id}"
        if self.reason == "annotator" and self.starred_by == self.annotator:
            why = "its own annotator starred it (or saved it after the star)"
        elif self.reason == "annotator" and self.starred_by is not None:
            why = f"{pseudonym(self.starred_by)}, one of the article's annotators, starred it"
        elif self.reason == "unknown":
            why = (
                "the export does not say who starred it as a Label Studio user id (updated_by and "
                "completed_by; pull it with `stancebank studio pull`)"
            )
        else:
            why = "[policy] ground_truth_by leaves out stars of this kind"
        return (
            f"article {article_id}: {whose} does not count: {why}. The article is adjudicated as if "
            "it were unstarred"
        )


@dataclass(frozen=True)
class Adjudication:
    article_id: str
    # "ground_truth" | "reviewer" | "single" | "majority" | "conflict" | "insufficient" | "empty"
    method: str
    spans: tuple[Span, ...] = ()
    relations: tuple[Relation, ...] = ()
    provenance: dict[str, Provenance] = field(default_factory=dict)
    conflicts: tuple[Conflict, ...] = ()
    num_annotators: int = 0
    # items (spans with their attributes, relations) by outcome, for n ≥ 2 annotators: "agreed",
    # "minority" (drawn by fewer than half: dropped), "conflict" (left to review), "reviewed"
    # (conflicting, the article settled by a reviewer's verdict) or "dropped" (conflicting, dropped
    # by ``GoldPolicy.unresolved = "drop"``)
    items: dict[str, int] = field(default_factory=dict)
    # ground-truth stars on the article's annotations that did not count (see :func:`star_refusal`)
    refused_stars: tuple[RefusedStar, ...] = ()

    @property
    def is_gold(self) -> bool:
        return self.method in GOLD_METHODS

    @property
    def gold_method(self) -> str:
        """The method as released: ground_truth / reviewer / majority / single, else ``pending``."""
        return self.method if self.is_gold else "pending"

    @property
    def status(self) -> str:
        """``gold``, or why not yet: ``conflict`` (items wait for review), ``insufficient``
        (fewer annotators than the policy asks) or ``empty``."""
        return "gold" if self.is_gold else self.method


GOLD_METHODS = ("ground_truth", "reviewer", "majority", "single")


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


def _newest(anns: Sequence[Annotation]) -> Annotation:
    return max(anns, key=lambda a: (a.updated_at or "", a.annotation_id))


def is_review(ann: Annotation) -> bool:
    """An annotation made on a review task (``stancebank studio review``): a reviewer's verdict,
    never one more annotator."""
    return bool(ann.extra.get("review"))


def starred_by(ann: Annotation) -> str | None:
    """The account that last saved a starred annotation (the export's ``updated_by``, an internal
    identity like the annotator's), when the export says."""
    who = ann.extra.get("starred_by")
    return who if isinstance(who, str) and who else None


_ACCOUNT = re.compile(r"ls:\d+")
"""A Label Studio account named by its user id (``annotator_identity``), as a pulled export names
every account; an export may name one by its e-mail instead."""


def star_refusal(
    ann: Annotation, annotators: frozenset[str], policy: GoldPolicy = DEFAULT_POLICY
) -> str | None:
    """Why the ground-truth star on ``ann`` does not count, or None when it does.

    Label Studio's free edition has no roles: any member may star any annotation, her own
    included. What its export records is the account that last saved the annotation
    (``updated_by``; starring it is saving it). So a star counts only when that account is none of
    the article's ``annotators`` (a party to the article cannot settle it: "annotator"), when the
    export says who it was ("unknown" otherwise), and when ``policy.ground_truth_by`` names the
    star's role: ``reviewer`` for a starred verdict, ``manager`` for a star on an annotation of the
    annotated project ("policy")."""
    role = "reviewer" if is_review(ann) else "manager"
    if role not in policy.ground_truth_by:
        return "policy"
    who = starred_by(ann)
    # the saver and the annotators are compared only when named the same way: a user id against
    # an e-mail cannot tell a self-star from a manager's
    if who is None or len({_ACCOUNT.fullmatch(a) is None for a in (who, *annotators)}) > 1:
        return "unknown"
    if who in annotators:
        return "annotator"
    return None


def adjudicate(
    article_id: str,
    annotations: Sequence[Annotation],
    spec: AnnotationSpec = SPEC,
    policy: GoldPolicy = DEFAULT_POLICY,
) -> Adjudication:
    """Gold for one article (see the module docstring and :class:`GoldPolicy`)."""
    if not annotations:
        return Adjudication(article_id, "empty")
    regular = [a for a in annotations if not is_review(a)]
    parties = frozenset(a.annotator for a in regular)
    refused: list[RefusedStar] = []

    def counts(ann: Annotation) -> bool:
        if not ann.ground_truth:
            return False
        reason = star_refusal(ann, parties, policy)
        if reason is not None:
            refused.append(RefusedStar(ann.annotation_id, ann.annotator, starred_by(ann), reason))
        return reason is None

    result = _adjudicate(article_id, annotations, regular, spec, policy, counts)
    return replace(result, refused_stars=tuple(refused)) if refused else result


def _adjudicate(
    article_id: str,
    annotations: Sequence[Annotation],
    regular: list[Annotation],
    spec: AnnotationSpec,
    policy: GoldPolicy,
    counts: Callable[[Annotation], bool],
) -> Adjudication:
    reviews = [a for a in annotations if is_review(a)]
    n = len(regular)
    starred = [a for a in regular if counts(a)]
    if starred:
        return _from_one(_newest(starred), "ground_truth", n)
    if reviews and n == 0:
        # a verdict without the annotations it settles (the annotated project's export not given,
        # or every annotation dropped): nothing to decide between
        return Adjudication(article_id, "insufficient", num_annotators=0)
    if reviews:
        verdict = _newest(reviews)
        if n < 2:
            return _from_one(verdict, "reviewer", n)
        return _with_verdict(article_id, _tally(article_id, regular, spec), verdict, whole=counts(verdict))
    if n < policy.needed:
        return Adjudication(article_id, "insufficient", num_annotators=n)
    if n == 1:
        return _from_one(regular[0], "single", 1)
    return _by_items(article_id, _tally(article_id, regular, spec), policy)


@dataclass
class _Tally:
    """The annotators' items of one article (``n ≥ 2``) sorted by outcome."""

    n: int
    items: Counter[str]
    conflicts: list[Conflict]
    # agreed spans (with their majority attributes and provenance) and relations
    kept: list[tuple[Span, Provenance]]
    kept_keys: set[SpanKey]
    kept_relations: list[RelationKey]
    # what fewer than half drew (dropped whatever a reviewer's verdict says)
    minority_keys: set[SpanKey]
    minority_relations: set[RelationKey]
    # relations more than half drew, with a conflicting endpoint: gold once a reviewer keeps both
    pending_relations: set[RelationKey]


def _tally(article_id: str, annotations: Sequence[Annotation], spec: AnnotationSpec) -> _Tally:
    """Item by item over ``n ≥ 2`` annotators: agreed (more than half drew it identically),
    minority (fewer than half) or conflicting (a tie, or a kept span's attribute without a
    majority value; an agreed relation with a conflicting endpoint)."""
    n = len(annotations)
    majority = n // 2 + 1
    tally = _Tally(n, Counter(), [], [], set(), [], set(), set(), set())
    items, conflicts = tally.items, tally.conflicts
    by_key: dict[SpanKey, list[tuple[Annotation, Span]]] = {}
    for ann in annotations:
        for span in ann.spans:
            by_key.setdefault((span.label, span.start, span.end), []).append((ann, span))

    label_attrs: dict[str, tuple[str, ...]] = {}
    for key in sorted(by_key):
        holders = by_key[key]
        votes = len({a.annotator for a, _ in holders})
        if votes * 2 == n:
            items["conflict"] += 1
            conflicts.append(
                Conflict(
                    "span_tie",
                    _describe(key),
                    {a.annotator: ("drawn" if any(h is a for h, _ in holders) else "") for a in annotations},
                )
            )
            continue
        if votes < majority:
            items["minority"] += 1
            tally.minority_keys.add(key)
            continue
        names = label_attrs.get(key[0])
        if names is None:
            names = label_attrs[key[0]] = tuple(a.name for a in spec.span_label(key[0]).attributes)
        attrs: dict[str, str] = {}
        attr_conflict = False
        for name in names:
            values = [span.attributes.get(name, "") for _, span in holders]
            value, count = values[0], len(values)
            if values.count(value) != count:  # not unanimous: the most frequent, ties by value
                value, count = sorted(Counter(values).items(), key=lambda kv: (-kv[1], kv[0]))[0]
            if count >= majority:
                if value:
                    attrs[name] = value
            else:
                attr_conflict = True
                conflicts.append(
                    Conflict(
                        "attribute_no_majority",
                        f"{_describe(key)} {name}",
                        {a.annotator: s.attributes.get(name, "") for a, s in holders},
                    )
                )
        if attr_conflict:
            items["conflict"] += 1
            continue
        items["agreed"] += 1
        first_span = holders[0][1]
        tally.kept.append(
            (Span(first_span.id, key[0], key[1], key[2], first_span.text, attrs), _provenance(*holders[0]))
        )
        tally.kept_keys.add(key)

    rel_votes: Counter[RelationKey] = Counter()
    rel_holders: dict[RelationKey, set[str]] = {}
    for ann in annotations:
        for rkey in _relation_keys(ann):
            rel_votes[rkey] += 1
            rel_holders.setdefault(rkey, set()).add(ann.annotator)
    for rkey in sorted(rel_votes):
        count = rel_votes[rkey]
        if count * 2 == n:
            items["conflict"] += 1
            conflicts.append(
                Conflict(
                    "relation_tie",
                    f"{_describe(rkey[0])} -{rkey[2]}-> {_describe(rkey[1])}",
                    {a.annotator: ("drawn" if a.annotator in rel_holders[rkey] else "") for a in annotations},
                )
            )
        elif count < majority:
            items["minority"] += 1
            tally.minority_relations.add(rkey)
        elif rkey[0] in tally.kept_keys and rkey[1] in tally.kept_keys:
            items["agreed"] += 1
            tally.kept_relations.append(rkey)
        else:  # agreed, but an endpoint is a conflicting span
            items["conflict"] += 1
            tally.pending_relations.add(rkey)
    return tally


def _by_items(article_id: str, tally: _Tally, policy: GoldPolicy) -> Adjudication:
    """Agreed items are gold, minority items dropped, the conflicting ones left to review — or,
    with ``policy.unresolved == "drop"``, dropped (with the relations touching a dropped span)."""
    items = Counter(tally.items)
    if tally.conflicts and policy.unresolved != "drop":
        return Adjudication(
            article_id,
            "conflict",
            conflicts=tuple(tally.conflicts),
            num_annotators=tally.n,
            items=dict(items),
        )
    if tally.conflicts:
        items["dropped"] = items.pop("conflict")
    spans_out, rels, provenance = _rekey(article_id, tally.kept, tally.kept_relations)
    return Adjudication(
        article_id, "majority", spans_out, rels, provenance, num_annotators=tally.n, items=dict(items)
    )


def _with_verdict(article_id: str, tally: _Tally, verdict: Annotation, *, whole: bool) -> Adjudication:
    """A reviewer's verdict over ``n ≥ 2`` annotators (method ``reviewer``). Starred as ground
    truth (``whole``: a star that counts), it is the article's gold whole; otherwise it decides
    the conflicting items: the agreed items stay (an agreed span the verdict also has takes the
    verdict's attributes: ``corrected`` when they differ), a conflicting item is kept when the
    verdict has it, an item only the reviewer drew is kept, a minority item stays dropped. A
    relation more than half drew whose end was conflicting is the verdict's to decide when the
    verdict has both ends; when an end is an agreed span the verdict lacks, the relation keeps its
    majority."""
    items = Counter(tally.items)
    if "conflict" in items:
        items["reviewed"] = items.pop("conflict")
    if whole:
        return replace(_from_one(verdict, "reviewer", tally.n), items=dict(items))
    verdict_prov = verdict.extra.get("provenance", {})
    in_verdict = {span_key(s): s for s in verdict.spans}
    spans: list[tuple[Span, Provenance]] = []
    for span, prov in tally.kept:
        mine = in_verdict.get(span_key(span))
        if mine is not None and dict(mine.attributes) != span.attributes:
            items["corrected"] += 1
            span = replace(span, attributes=dict(mine.attributes))
        spans.append((span, prov))
    gold_keys = set(tally.kept_keys)
    for key, span in sorted(in_verdict.items()):
        if key not in gold_keys and key not in tally.minority_keys:
            spans.append((span, verdict_prov.get(span.id, "hand")))
            gold_keys.add(key)
    drawn = _relation_keys(verdict)
    relations = set(tally.kept_relations)
    for rkey in drawn:
        if rkey not in tally.minority_relations and rkey[0] in gold_keys and rkey[1] in gold_keys:
            relations.add(rkey)
    for rkey in tally.pending_relations:
        # the verdict decides a relation it could have drawn (it has both ends); one whose end only
        # the agreed items restore keeps its majority
        decided = rkey[0] in in_verdict and rkey[1] in in_verdict
        if not decided and rkey[0] in gold_keys and rkey[1] in gold_keys:
            relations.add(rkey)
    spans_out, rels, provenance = _rekey(article_id, spans, sorted(relations))
    return Adjudication(
        article_id, "reviewer", spans_out, rels, provenance, num_annotators=tally.n, items=dict(items)
    )


def _provenance(ann: Annotation, span: Span) -> Provenance:
    prov: Provenance = ann.extra.get("provenance", {}).get(span.id, "hand")
    return prov
