"""Scoring pre-annotations against gold: span P/R/F1, speaker accuracy, stance accuracy.

Pure functions over :class:`~stancebank.schema.model.Span` / :class:`~stancebank.schema.model.Relation`
lists of one article (predicted vs gold), plus micro-averaged totals over many articles.

- Span matching is one-to-one. ``exact``: same label and offsets. ``overlap``: same label and at
  least one shared code point; pairs are taken greedily, largest overlap first.
- Speaker accuracy: over gold claims that have a ``source`` actor and are matched (overlap) to a
  predicted claim, the share whose predicted source actor overlaps a gold source actor or carries
  the same ``actor_name`` as one (so "He" resolved to the right person counts).
- Stance accuracy: over gold claim→target stance pairs whose claim is matched (overlap) and whose
  target overlaps a target the matched predicted claim takes a stance on, the share with the same
  stance label. The number of such pairs is reported too (coverage).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from stancebank.schema.model import Relation, Span
from stancebank.schema.spec import SPEC
from stancebank.schema.wire import parse_results

ACTOR = SPEC.role_label("actor")
CLAIM = SPEC.role_label("claim")
TARGET = SPEC.role_label("target")
SOURCE = SPEC.attribution_label.name
STANCES = frozenset(SPEC.stance_names)
ACTOR_NAME = SPEC.attribute_for("actor_name").name


@dataclass(frozen=True)
class Counts:
    """Matched / predicted / gold counts of one kind of span, summable across articles."""

    matched: int = 0
    predicted: int = 0
    gold: int = 0

    def __add__(self, other: Counts) -> Counts:
        return Counts(self.matched + other.matched, self.predicted + other.predicted, self.gold + other.gold)

    @property
    def precision(self) -> float:
        return self.matched / self.predicted if self.predicted else 0.0

    @property
    def recall(self) -> float:
        return self.matched / self.gold if self.gold else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


@dataclass(frozen=True)
class Ratio:
    correct: int = 0
    total: int = 0

    def __add__(self, other: Ratio) -> Ratio:
        return Ratio(self.correct + other.correct, self.total + other.total)

    @property
    def value(self) -> float:
        return self.correct / self.total if self.total else 0.0


@dataclass(frozen=True)
class Scores:
    actors_exact: Counts = Counts()
    actors_overlap: Counts = Counts()
    claims_exact: Counts = Counts()
    claims_overlap: Counts = Counts()
    speaker: Ratio = Ratio()
    stance: Ratio = Ratio()

    def __add__(self, other: Scores) -> Scores:
        return Scores(
            self.actors_exact + other.actors_exact,
            self.actors_overlap + other.actors_overlap,
            self.claims_exact + other.claims_exact,
            self.claims_overlap + other.claims_overlap,
            self.speaker + other.speaker,
            self.stance + other.stance,
        )


def overlap(a: Span, b: Span) -> int:
    """Shared code points of two spans (0 when disjoint)."""
    return max(0, min(a.end, b.end) - max(a.start, b.start))


def match_spans(predicted: Sequence[Span], gold: Sequence[Span], *, exact: bool) -> dict[str, str]:
    """One-to-one matching of spans of the same label: predicted id → gold id."""
    if exact:
        by_key = {(g.label, g.start, g.end): g.id for g in gold}
        out: dict[str, str] = {}
        used: set[str] = set()
        for p in predicted:
            gid = by_key.get((p.label, p.start, p.end))
            if gid is not None and gid not in used:
                out[p.id] = gid
                used.add(gid)
        return out
    pairs = sorted(
        (
            (-overlap(p, g), p.start, g.start, p.id, g.id)
            for p in predicted
            for g in gold
            if p.label == g.label and overlap(p, g) > 0
        ),
    )
    taken_p: set[str] = set()
    taken_g: set[str] = set()
    result: dict[str, str] = {}
    for _, _, _, pid, gid in pairs:
        if pid in taken_p or gid in taken_g:
            continue
        result[pid] = gid
        taken_p.add(pid)
        taken_g.add(gid)
    return result


def span_counts(predicted: Sequence[Span], gold: Sequence[Span], label: str, *, exact: bool) -> Counts:
    p = [s for s in predicted if s.label == label]
    g = [s for s in gold if s.label == label]
    return Counts(len(match_spans(p, g, exact=exact)), len(p), len(g))


def _sources(spans: Mapping[str, Span], relations: Iterable[Relation]) -> dict[str, list[Span]]:
    """Claim id → its source actors."""
    out: dict[str, list[Span]] = {}
    for rel in relations:
        if rel.label == SOURCE and rel.from_id in spans and rel.to_id in spans:
            out.setdefault(rel.to_id, []).append(spans[rel.from_id])
    return out


def _stances(spans: Mapping[str, Span], relations: Iterable[Relation]) -> dict[str, list[tuple[Span, str]]]:
    """Claim id → (target, stance) pairs."""
    out: dict[str, list[tuple[Span, str]]] = {}
    for rel in relations:
        if rel.label in STANCES and rel.from_id in spans and rel.to_id in spans:
            out.setdefault(rel.from_id, []).append((spans[rel.to_id], rel.label))
    return out


def same_actor(predicted: Span, gold: Span) -> bool:
    """The predicted speaker is the gold one: overlapping spans, or the same canonical name."""
    if overlap(predicted, gold) > 0:
        return True
    name = gold.attributes.get(ACTOR_NAME)
    return bool(name) and predicted.attributes.get(ACTOR_NAME) == name


def score_article(
    predicted: Sequence[Span],
    predicted_relations: Sequence[Relation],
    gold: Sequence[Span],
    gold_relations: Sequence[Relation],
) -> Scores:
    """All scores of one article."""
    pred_by_id = {s.id: s for s in predicted}
    gold_by_id = {s.id: s for s in gold}
    pred_claims = [s for s in predicted if s.label == CLAIM]
    gold_claims = [s for s in gold if s.label == CLAIM]
    claim_match = match_spans(pred_claims, gold_claims, exact=False)
    gold_to_pred = {g: p for p, g in claim_match.items()}

    pred_sources = _sources(pred_by_id, predicted_relations)
    gold_sources = _sources(gold_by_id, gold_relations)
    speaker = Ratio()
    for gid, gold_actors in gold_sources.items():
        pid = gold_to_pred.get(gid)
        if pid is None:
            continue
        ok = any(same_actor(p, g) for p in pred_sources.get(pid, []) for g in gold_actors)
        speaker = speaker + Ratio(int(ok), 1)

    pred_stances = _stances(pred_by_id, predicted_relations)
    gold_stances = _stances(gold_by_id, gold_relations)
    stance = Ratio()
    for gid, pairs in gold_stances.items():
        pid = gold_to_pred.get(gid)
        if pid is None:
            continue
        candidates = pred_stances.get(pid, [])
        for target, label in pairs:
            hits = sorted(
                ((overlap(t, target), lab) for t, lab in candidates if overlap(t, target) > 0), reverse=True
            )
            if hits:
                stance = stance + Ratio(int(hits[0][1] == label), 1)

    return Scores(
        actors_exact=span_counts(predicted, gold, ACTOR, exact=True),
        actors_overlap=span_counts(predicted, gold, ACTOR, exact=False),
        claims_exact=span_counts(predicted, gold, CLAIM, exact=True),
        claims_overlap=Counts(len(claim_match), len(pred_claims), len(gold_claims)),
        speaker=speaker,
        stance=stance,
    )


def spans_from_results(results: Sequence[Mapping[str, Any]], text: str) -> tuple[list[Span], list[Relation]]:
    """A Label Studio ``result`` list on ``text`` → spans with their attributes and relations, by
    the one parser (:func:`stancebank.schema.wire.parse_results`); results it cannot use are left
    out."""
    parsed = parse_results(list(results), text)
    return list(parsed.spans), list(parsed.relations)
