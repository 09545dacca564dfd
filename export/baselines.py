"""Baselines and bounds for the card, computed at build time from what the export carries.

- **Pre-annotator**: the predictions each task carried (the model that pre-annotated it), scored
  against gold per split, on the gold articles whose task carried predictions.
- **Majority class**: every gold claim–target pair given the most frequent stance of the train
  split (of all gold pairs when train has none).
- **Human bound**: each annotator's own annotation scored against gold, on gold articles with two
  or more annotators; the annotation that *is* gold (a ground truth, a reviewer's verdict) is left
  out. Majority gold is partly made of the scored annotation, so this is an upper estimate.

Every system is scored the same way, pooled over the articles of a split:

- span F1 per label: exact match of (label, start, end);
- speaker accuracy: over gold claims with a speaker, the share whose exact claim span the system
  attributes (an attribution relation) to one of the exact gold speaker spans;
- stance macro-F1: over gold claim–target pairs (a missing prediction counts as wrong), F1 of each
  stance with gold support, averaged; accuracy alongside.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from stancebank.export.adjudicate import Adjudication
from stancebank.export.reader import Prediction, SpanKey, span_key
from stancebank.schema.model import Annotation
from stancebank.schema.spec import SPEC, SPLITS, AnnotationSpec

RelationKey = tuple[SpanKey, SpanKey, str]
Keys = tuple[Sequence[SpanKey], Sequence[RelationKey]]

PREANNOTATOR = "pre-annotator"
MAJORITY = "majority class"
HUMAN = "annotators (human bound)"
SYSTEMS = (PREANNOTATOR, MAJORITY, HUMAN)


def gold_keys(gold: Adjudication) -> Keys:
    """Gold spans and relations as keys (offsets, not ids)."""
    by_id = {s.id: span_key(s) for s in gold.spans}
    rels = [(by_id[r.from_id], by_id[r.to_id], r.label) for r in gold.relations]
    return list(by_id.values()), rels


def annotation_keys(ann: Annotation) -> Keys:
    by_id = {s.id: span_key(s) for s in ann.spans}
    rels = [
        (by_id[r.from_id], by_id[r.to_id], r.label)
        for r in ann.relations
        if r.from_id in by_id and r.to_id in by_id
    ]
    return list(by_id.values()), rels


def _f1(tp: int, fp: int, fn: int) -> float | None:
    if tp + fp + fn == 0:
        return None
    return 2 * tp / (2 * tp + fp + fn)


def macro_f1(pairs: Sequence[tuple[str, str | None]], classes: Sequence[str]) -> float | None:
    """Macro-F1 over the ``classes`` with gold support in ``(gold, predicted)`` pairs (a
    predicted None is wrong for every class); None without pairs."""
    scores = []
    for c in classes:
        tp = sum(1 for g, p in pairs if g == c and p == c)
        fn = sum(1 for g, p in pairs if g == c and p != c)
        fp = sum(1 for g, p in pairs if g != c and p == c)
        if tp + fn:
            scores.append(_f1(tp, fp, fn) or 0.0)
    return sum(scores) / len(scores) if scores else None


@dataclass
class Scorer:
    """One system's scores over the articles of one split (pooled counts)."""

    spec: AnnotationSpec
    articles: int = 0
    span_counts: dict[str, list[int]] = field(default_factory=dict)  # label → [tp, fp, fn]
    speaker_ok: int = 0
    speaker_total: int = 0
    stance_pairs: list[tuple[str, str | None]] = field(default_factory=list)

    def add(self, gold: Keys, system: Keys, *, new_article: bool = True) -> None:
        """Score ``system`` against ``gold`` on one article (``new_article=False``: one more system
        annotation of the article just added, e.g. a second annotator)."""
        spec = self.spec
        self.articles += new_article
        gold_spans, gold_rels = set(gold[0]), set(gold[1])
        sys_spans, sys_rels = set(system[0]), set(system[1])
        for label in spec.span_label_names:
            g = {k for k in gold_spans if k[0] == label}
            p = {k for k in sys_spans if k[0] == label}
            counts = self.span_counts.setdefault(label, [0, 0, 0])
            counts[0] += len(g & p)
            counts[1] += len(p - g)
            counts[2] += len(g - p)
        attribution = {r.name for r in spec.attribution_labels}
        stances = set(spec.stance_names)
        gold_speakers: dict[SpanKey, set[SpanKey]] = {}
        for a, c, label in gold_rels:
            if label in attribution:
                gold_speakers.setdefault(c, set()).add(a)
        sys_speakers: dict[SpanKey, set[SpanKey]] = {}
        for a, c, label in sys_rels:
            if label in attribution:
                sys_speakers.setdefault(c, set()).add(a)
        for claim, actors in gold_speakers.items():
            self.speaker_total += 1
            self.speaker_ok += bool(actors & sys_speakers.get(claim, set()))
        sys_stance: dict[tuple[SpanKey, SpanKey], str] = {}
        for c, t, label in sorted(sys_rels):
            if label in stances:
                sys_stance.setdefault((c, t), label)
        for c, t, label in sorted(gold_rels):
            if label in stances:
                self.stance_pairs.append((label, sys_stance.get((c, t))))

    def add_stance_only(self, gold: Keys, stance: str) -> None:
        """The majority-class system: ``stance`` for every gold claim–target pair."""
        self.articles += 1
        stances = set(self.spec.stance_names)
        self.stance_pairs.extend((label, stance) for _, _, label in sorted(gold[1]) if label in stances)

    def result(self) -> dict[str, Any]:
        out: dict[str, Any] = {"articles": self.articles}
        spec = self.spec
        for label in (spec.role_label("actor"), spec.role_label("claim"), spec.role_label("target")):
            if label in self.span_counts:
                out[f"{label}_f1"] = _f1(*self.span_counts[label])
        if self.span_counts:
            out["speaker_accuracy"] = self.speaker_ok / self.speaker_total if self.speaker_total else None
        out["stance_pairs"] = len(self.stance_pairs)
        out["stance_accuracy"] = (
            sum(1 for g, p in self.stance_pairs if g == p) / len(self.stance_pairs)
            if self.stance_pairs
            else None
        )
        out["stance_macro_f1"] = macro_f1(self.stance_pairs, self.spec.stance_names)
        return out


@dataclass
class BaselineAccumulator:
    """Fed each gold article once (with its split); :meth:`finish` gives system → split → scores."""

    spec: AnnotationSpec = SPEC
    _pre: dict[str, Scorer] = field(default_factory=dict)
    _human: dict[str, Scorer] = field(default_factory=dict)
    # split → the gold keys of every article (for the majority class, decided after the train split)
    _gold: dict[str, list[Keys]] = field(default_factory=dict)
    # split → scored articles whose gold is the majority of exactly two annotators: what both drew,
    # so each annotator scores 1.000 on it by construction
    _two_agreed: Counter[str] = field(default_factory=Counter)

    def _scorer(self, table: dict[str, Scorer], split: str) -> Scorer:
        return table.setdefault(split, Scorer(self.spec))

    def add(
        self,
        split: str,
        gold: Adjudication,
        annotations: Sequence[Annotation],
        prediction: Prediction | None,
    ) -> None:
        keys = gold_keys(gold)
        # only the relations matter for the majority class: keep just the stance pairs
        stances = set(self.spec.stance_names)
        self._gold.setdefault(split, []).append(((), [r for r in keys[1] if r[2] in stances]))
        if prediction is not None:
            self._scorer(self._pre, split).add(keys, (prediction.spans, prediction.relations))
        # the annotation that is gold is not scored against itself; one whose star did not count
        # (adjudicate.star_refusal) is an annotator's like any other
        refused = {r.annotation_id for r in gold.refused_stars}
        scored = [
            a
            for a in annotations
            if not (a.ground_truth and a.annotation_id not in refused) and not a.extra.get("review")
        ]
        if len(annotations) >= 2:
            for n, ann in enumerate(scored):
                self._scorer(self._human, split).add(keys, annotation_keys(ann), new_article=n == 0)
            # majority of two with nothing dropped: a tie is a conflict, so gold is what both drew
            # (with `[policy] conflicts = "drop"` the conflicting items are dropped instead, and the
            # two annotators differ from gold there)
            if scored and gold.method == "majority" and len(scored) == 2 and not gold.items.get("dropped"):
                self._two_agreed[split] += 1

    def majority_stance(self) -> str | None:
        """The most frequent gold stance of the train split (of all splits when train has none);
        ties go to the stance listed first in the spec."""
        for pools in (self._gold.get("train", []), [k for ks in self._gold.values() for k in ks]):
            counts = Counter(r[2] for _, rels in pools for r in rels)
            if counts:
                return max(
                    self.spec.stance_names, key=lambda s: (counts.get(s, 0), -self.spec.stance_names.index(s))
                )
        return None

    def finish(self) -> Baselines:
        majority = self.majority_stance()
        maj: dict[str, Scorer] = {}
        if majority is not None:
            for split, pools in self._gold.items():
                for keys in pools:
                    self._scorer(maj, split).add_stance_only(keys, majority)
        table = {
            PREANNOTATOR: {s: self._pre[s].result() for s in SPLITS if s in self._pre},
            MAJORITY: {s: maj[s].result() for s in SPLITS if s in maj},
            HUMAN: {s: self._human[s].result() for s in SPLITS if s in self._human},
        }
        two = {s: self._two_agreed[s] for s in SPLITS if self._two_agreed[s]}
        return Baselines(scores=table, majority_stance=majority, human_by_construction=two)


@dataclass(frozen=True)
class Baselines:
    # system → split → metric → value
    scores: Mapping[str, Mapping[str, Mapping[str, Any]]]
    majority_stance: str | None
    # split → human-bound articles whose gold is the majority of two annotators (1.000 by construction)
    human_by_construction: Mapping[str, int] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "majority_stance": self.majority_stance,
            "scores": {k: dict(v) for k, v in self.scores.items()},
        }
