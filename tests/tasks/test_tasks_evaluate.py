"""Scoring of pre-annotations against gold, on hand-made spans."""

from __future__ import annotations

import pytest

from stancebank.schema.model import Relation, Span
from stancebank.schema.wire import to_results
from stancebank.tasks.evaluate import Counts, match_spans, score_article, spans_from_results

TEXT = "Mayor Ana Petrova said the budget cuts were fair. She said libraries would stay open."
#       0         1         2         3         4         5         6         7         8


def _span(sid: str, label: str, start: int, end: int, **attrs: str) -> Span:
    return Span(sid, label, start, end, TEXT[start:end], dict(attrs))


GOLD = [
    _span("a1", "ACTOR", 0, 17, actor_type="person", actor_name="Ana Petrova"),
    _span("c1", "CLAIM", 23, 48, claim_form="indirect"),
    _span("t1", "TARGET", 23, 38),
    _span("a2", "ACTOR", 50, 53, actor_type="person", actor_name="Ana Petrova"),
    _span("c2", "CLAIM", 59, 84, claim_form="indirect"),
]
GOLD_RELS = [
    Relation("a1", "c1", "source"),
    Relation("c1", "t1", "support"),
    Relation("a2", "c2", "source"),
]


def test_counts_precision_recall_f1() -> None:
    c = Counts(matched=3, predicted=4, gold=6)
    assert (c.precision, c.recall) == (0.75, 0.5)
    assert c.f1 == pytest.approx(0.6)
    assert Counts().f1 == 0.0 and (Counts(1, 2, 3) + Counts(1, 1, 1)) == Counts(2, 3, 4)


def test_exact_and_overlap_matching_is_one_to_one_and_label_aware() -> None:
    pred = [
        _span("p1", "ACTOR", 6, 17),  # inside the gold actor: overlap only
        _span("p2", "ACTOR", 0, 5),  # overlaps the same gold actor: second match refused
        _span("p3", "CLAIM", 50, 53),  # overlaps a gold ACTOR but is a CLAIM
    ]
    assert match_spans(pred, GOLD, exact=True) == {}
    assert match_spans(pred, GOLD, exact=False) == {"p1": "a1"}
    exact = [_span("q1", "ACTOR", 0, 17)]
    assert match_spans(exact, GOLD, exact=True) == {"q1": "a1"}


def test_perfect_prediction_scores_one() -> None:
    s = score_article(GOLD, GOLD_RELS, GOLD, GOLD_RELS)
    assert s.claims_overlap == Counts(2, 2, 2) and s.claims_exact == Counts(2, 2, 2)
    assert s.actors_exact == Counts(2, 2, 2)
    assert (s.speaker.correct, s.speaker.total) == (2, 2)
    assert (s.stance.correct, s.stance.total) == (1, 1)


def test_speaker_counts_overlap_or_same_canonical_name() -> None:
    pred = [
        _span("x1", "ACTOR", 6, 17, actor_name="Ana Petrova"),  # overlaps gold a1
        _span("x2", "CLAIM", 27, 48),  # overlaps gold c1
        _span("x3", "ACTOR", 0, 5, actor_name="Ana Petrova"),  # no overlap with a2, same name
        _span("x4", "CLAIM", 55, 84),  # overlaps gold c2
    ]
    rels = [Relation("x1", "x2", "source"), Relation("x3", "x4", "source")]
    s = score_article(pred, rels, GOLD, GOLD_RELS)
    assert (s.speaker.correct, s.speaker.total) == (2, 2)
    wrong = [*pred[:3], _span("x3b", "ACTOR", 0, 5, actor_name="Someone Else"), pred[3]]
    s = score_article(wrong, [rels[0], Relation("x3b", "x4", "source")], GOLD, GOLD_RELS)
    assert (s.speaker.correct, s.speaker.total) == (1, 2)
    s = score_article(pred, rels[:1], GOLD, GOLD_RELS)  # a matched claim without a source is wrong
    assert (s.speaker.correct, s.speaker.total) == (1, 2)


def test_unmatched_claims_count_in_f1_not_in_speaker_accuracy() -> None:
    pred = [_span("x1", "ACTOR", 0, 17), _span("x2", "CLAIM", 23, 48), _span("x5", "CLAIM", 0, 5)]
    s = score_article(pred, [Relation("x1", "x2", "source")], GOLD, GOLD_RELS)
    assert s.claims_overlap == Counts(1, 2, 2)
    assert (s.speaker.correct, s.speaker.total) == (1, 1)


def test_stance_accuracy_on_matched_claim_target_pairs() -> None:
    pred = [_span("x2", "CLAIM", 23, 48), _span("y1", "TARGET", 27, 38)]
    s = score_article(pred, [Relation("x2", "y1", "oppose")], GOLD, GOLD_RELS)
    assert (s.stance.correct, s.stance.total) == (0, 1)
    s = score_article(pred, [Relation("x2", "y1", "support")], GOLD, GOLD_RELS)
    assert (s.stance.correct, s.stance.total) == (1, 1)
    far = [pred[0], _span("y2", "TARGET", 39, 48)]  # target does not overlap the gold one
    s = score_article(far, [Relation("x2", "y2", "support")], GOLD, GOLD_RELS)
    assert s.stance.total == 0


def test_scores_add_up_across_articles() -> None:
    one = score_article(GOLD, GOLD_RELS, GOLD, GOLD_RELS)
    two = one + one
    assert two.claims_overlap == Counts(4, 4, 4) and two.speaker.total == 4


def test_spans_from_results_round_trips_to_results() -> None:
    spans, rels = spans_from_results(to_results(GOLD, GOLD_RELS), TEXT)
    assert sorted(spans, key=lambda s: s.id) == sorted(GOLD, key=lambda s: s.id)
    assert [(r.from_id, r.to_id, r.label) for r in rels] == [(r.from_id, r.to_id, r.label) for r in GOLD_RELS]
