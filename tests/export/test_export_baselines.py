"""Baselines and bounds of the card: scores computed by hand on small cases, and the card's metadata
(language, license, creators, task ids, size) derived from the build's facts."""

from __future__ import annotations

from dataclasses import replace

import pytest
import yaml

from stancebank.export.adjudicate import Adjudication
from stancebank.export.agreement import AgreementReport
from stancebank.export.baselines import HUMAN, MAJORITY, PREANNOTATOR, BaselineAccumulator, Scorer, macro_f1
from stancebank.export.card import CardInputs, render_card
from stancebank.export.reader import Prediction
from stancebank.schema.model import Annotation, Relation, Span
from stancebank.schema.spec import SPEC

A, C, T = ("ACTOR", 0, 3), ("CLAIM", 5, 10), ("TARGET", 6, 8)
GOLD = ([A, C, T], [(A, C, "source"), (C, T, "support")])


def test_macro_f1_by_hand() -> None:
    pairs = [("support", "support"), ("support", "oppose"), ("oppose", "oppose"), ("neutral", None)]
    # support: tp 1 fn 1 → 2/3; oppose: tp 1 fp 1 → 2/3; neutral: tp 0 fn 1 → 0
    assert macro_f1(pairs, SPEC.stance_names) == pytest.approx((2 / 3 + 2 / 3 + 0) / 3)
    assert macro_f1([], SPEC.stance_names) is None


def test_scorer_exact_spans_speaker_and_stance() -> None:
    wrong_claim = ("CLAIM", 5, 9)
    system = ([A, wrong_claim, T], [(A, wrong_claim, "source"), (wrong_claim, T, "oppose")])
    scorer = Scorer(SPEC)
    scorer.add(GOLD, system)
    scorer.add(GOLD, GOLD)
    result = scorer.result()
    assert result["articles"] == 2
    assert result["ACTOR_f1"] == 1.0 and result["TARGET_f1"] == 1.0
    assert result["CLAIM_f1"] == pytest.approx(2 * 1 / (2 * 1 + 1 + 1))  # tp 1, fp 1, fn 1
    assert result["speaker_accuracy"] == 0.5  # the redrawn claim's speaker is not the gold claim's
    assert (result["stance_pairs"], result["stance_accuracy"]) == (2, 0.5)
    assert result["stance_macro_f1"] == pytest.approx(2 / 3)  # support only: tp 1, fn 1


def _span(sid: str, key: tuple[str, int, int]) -> Span:
    return Span(sid, key[0], key[1], key[2], "x" * (key[2] - key[1]))


def _ann(
    ann_id: str, who: str, keys: list[tuple[str, int, int]], rels: list[tuple[int, int, str]], **kw: bool
) -> Annotation:
    spans = [_span(f"{ann_id}-{i}", k) for i, k in enumerate(keys)]
    relations = [Relation(spans[a].id, spans[b].id, lab) for a, b, lab in rels]
    return Annotation(
        article_id="art",
        annotation_id=ann_id,
        annotator=who,
        spans=tuple(spans),
        relations=tuple(relations),
        ground_truth=kw.get("gt", False),
        extra={"review": True} if kw.get("review") else {},
    )


def _gold(stance: str) -> Adjudication:
    spans = (_span("g-a", A), _span("g-c", C), _span("g-t", T))
    return Adjudication(
        "art", "majority", spans, (Relation("g-a", "g-c", "source"), Relation("g-c", "g-t", stance))
    )


def test_accumulator_majority_class_human_bound_and_preannotator() -> None:
    acc = BaselineAccumulator(SPEC)
    full = [(0, 1, "source"), (1, 2, "support")]
    same = _ann("1", "ann-a", [A, C, T], full)
    other = _ann("2", "ann-b", [A, C], [(0, 1, "source")])
    truth = _ann("3", "reviewer", [A, C, T], full, gt=True)
    review = _ann("4", "rev", [A, C, T], full, review=True)
    # train: two support pairs, one oppose → the majority class is support
    acc.add("train", _gold("support"), [same, other, truth], Prediction((A, T), ()))
    acc.add("train", _gold("support"), [same], None)  # one annotator: no human bound, no prediction
    acc.add("train", _gold("oppose"), [same, review], None)
    acc.add("test", _gold("oppose"), [same, other], None)
    base = acc.finish()
    assert base.majority_stance == "support"
    pre = base.scores[PREANNOTATOR]
    assert list(pre) == ["train"] and pre["train"]["articles"] == 1
    assert pre["train"]["ACTOR_f1"] == 1.0 and pre["train"]["CLAIM_f1"] == 0.0
    assert pre["train"]["stance_macro_f1"] == 0.0
    maj = base.scores[MAJORITY]
    assert (maj["train"]["stance_accuracy"], maj["test"]["stance_accuracy"]) == (pytest.approx(2 / 3), 0.0)
    human = base.scores[HUMAN]
    # train: article 1 scores ann-a and ann-b (not the ground truth), article 3 ann-a (not the review)
    assert human["train"]["articles"] == 2
    assert human["train"]["TARGET_f1"] == pytest.approx(2 * 2 / (2 * 2 + 0 + 1))
    assert human["train"]["stance_pairs"] == 3
    # ann-a says support where test gold says oppose; ann-b has no target
    assert human["test"]["stance_accuracy"] == 0.0


def test_human_bound_on_the_majority_of_two_is_said_to_be_one_by_construction() -> None:
    """Two annotators who drew the same: majority gold is their annotation, so the human bound
    scores 1.000 there whatever they did; the accumulator counts those articles and the card says
    the rows measure nothing more when every scored article is one."""
    acc = BaselineAccumulator(SPEC)
    full = [(0, 1, "source"), (1, 2, "support")]
    a, b = _ann("1", "ann-a", [A, C, T], full), _ann("2", "ann-b", [A, C, T], full)
    acc.add("train", _gold("support"), [a, b], None)
    acc.add("train", _gold("support"), [a, b], None)
    acc.add("validation", _gold("support"), [a, b], None)
    starred = _ann("3", "ann-b", [A, C, T], full, gt=True)
    acc.add("test", replace(_gold("support"), method="ground_truth"), [a, starred], None)
    base = acc.finish()
    assert base.human_by_construction == {"train": 2, "validation": 1}
    assert base.scores[HUMAN]["train"]["CLAIM_f1"] == 1.0 and base.scores[HUMAN]["test"]["articles"] == 1
    card = render_card(_inputs(baselines=base))
    # what a reader cannot recompute from the configs is said so
    assert "The predictions themselves are not in the release" in card
    assert (
        "each scores 1.000 on it by construction (here 2 of the 2 train articles; 1 of the 1 validation "
        "article). The bound is informative on articles settled by a ground-truth star" in card
    )
    only_two = BaselineAccumulator(SPEC)
    only_two.add("train", _gold("support"), [a, b], None)
    card = render_card(_inputs(baselines=only_two.finish()))
    assert "(here all the scored articles, 1 train: the rows below measure nothing more)" in card


def test_majority_gold_with_dropped_conflicts_is_not_one_by_construction() -> None:
    """With `[policy] conflicts = "drop"` two annotators who disagree give majority gold without
    the conflicting items: each differs from gold there, so the article is not counted as scoring
    1.000 by construction (the card would say the human bound measures nothing)."""
    acc = BaselineAccumulator(SPEC)
    full = [(0, 1, "source"), (1, 2, "support")]
    a, b = _ann("1", "ann-a", [A, C, T], full), _ann("2", "ann-b", [A, C], [(0, 1, "source")])
    gold = _gold("support")
    dropped = replace(
        gold, spans=gold.spans[:2], relations=gold.relations[:1], items={"agreed": 3, "dropped": 2}
    )
    acc.add("train", dropped, [a, b], None)
    base = acc.finish()
    assert base.human_by_construction == {}
    assert base.scores[HUMAN]["train"]["TARGET_f1"] == 0.0  # ann-a's TARGET is not in gold
    assert "by construction (here" not in render_card(_inputs(baselines=base))


def _inputs(**kw: object) -> CardInputs:
    base: dict[str, object] = {
        "version": "1.0.0",
        "counts": {"documents": {"train": 10}, "claims": {"train": 40}, "annotations": {"train": 1500}},
        "num_bytes": {"documents": {"train": 1}, "claims": {"train": 1}, "annotations": {"train": 1}},
        "languages": [],
        "license": "other",
        "repo_id": None,
        "label_counts": {},
        "relation_counts": {},
        "provenance_counts": {"accepted": 0, "edited": 0, "hand": 12},
        "adjudication": {},
        "agreement": AgreementReport(),
        "changes": None,
    }
    base.update(kw)
    return CardInputs(**base)  # type: ignore[arg-type]


def _meta(card: str) -> dict[str, object]:
    meta: dict[str, object] = yaml.safe_load(card.split("---\n")[1])
    return meta


def test_card_metadata_follows_the_facts() -> None:
    hand = render_card(_inputs(license_name="Pilot license", license_link="https://example.org/l"))
    meta = _meta(hand)
    assert "language" not in meta and "multilinguality" not in meta  # no article states a language
    assert (meta["license"], meta["license_name"], meta["license_link"]) == (
        "other",
        "Pilot license",
        "https://example.org/l",
    )
    assert meta["annotations_creators"] == ["expert-generated"]  # provenance: all by hand
    assert "pre-annotated by a model" not in hand and "drawn by people" in hand
    assert "small model may bias" not in hand
    assert meta["size_categories"] == ["1K<n<10K"]  # the largest config (1,500 annotations)
    assert meta["task_ids"] == ["multi-class-classification", "named-entity-recognition"]
    assert meta["language_creators"] == ["found"]
    assert "Pilot license — https://example.org/l" in hand.split("## Licensing Information")[1]

    machine = render_card(
        _inputs(
            languages=["en", "fr"],
            provenance_counts={"accepted": 3, "edited": 1, "hand": 2},
            model_versions=("rules-1.0",),
            language_creators=("expert-generated",),
            license="cc0-1.0",
        )
    )
    meta = _meta(machine)
    assert meta["language"] == ["en", "fr"] and meta["multilinguality"] == "multilingual"
    assert meta["annotations_creators"] == ["expert-generated", "machine-generated"]
    assert meta["language_creators"] == ["expert-generated"]
    assert "license_name" not in meta
    assert "pre-annotated by a model" in machine and "`rules-1.0`" in machine


def test_every_field_of_every_config_is_described_in_the_card() -> None:
    """The card's Data Fields tables: a new column needs its meaning in export/card.py FIELD_DOCS
    (or, for an attribute column, the spec's attribute description)."""
    from stancebank.export.card import FIELD_DOCS
    from stancebank.schema.features import dataset_features

    attributes = {a.name for a in SPEC.attributes}
    missing = [
        f"{config}.{name}"
        for config, features in dataset_features(SPEC).items()
        for name in features
        if not FIELD_DOCS.get(config, {}).get(name) and name not in attributes
    ]
    assert not missing, f"describe these fields in export/card.py FIELD_DOCS: {missing}"
