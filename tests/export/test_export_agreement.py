"""Agreement numbers checked against hand computations (worked out in the comments)."""

from __future__ import annotations

import krippendorff
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from stancebank.export.agreement import NominalAlpha, compute_agreement
from stancebank.schema.model import Annotation, Relation, Span


def mk(article: str, who: str, spans: list[tuple], rels: list[tuple] = ()) -> Annotation:
    out = [
        Span(f"{who}{i}", lab, s, e, "x" * (e - s), dict(attrs))
        for i, (lab, s, e, *rest) in enumerate(spans)
        for attrs in [rest[0] if rest else {}]
    ]
    by_key = {(sp.label, sp.start, sp.end): sp.id for sp in out}
    relations = tuple(Relation(by_key[a], by_key[b], lab) for a, b, lab in rels)
    return Annotation(article, f"{article}-{who}", who, tuple(out), relations)


ACT, CL, TG = ("ACTOR", 0, 5), ("CLAIM", 10, 20), ("TARGET", 12, 15)
TU = ("TARGET", 30, 35)

ART1 = [
    mk("a1", "A", [ACT, CL, TG], [(ACT, CL, "source"), (CL, TG, "support")]),
    mk("a1", "B", [ACT, CL, TG, TU], [(ACT, CL, "source"), (CL, TG, "oppose"), (CL, TU, "support")]),
]
ART2 = [
    mk(
        "a2", "A", [("CLAIM", 0, 10), ("TARGET", 20, 25)], [(("CLAIM", 0, 10), ("TARGET", 20, 25), "support")]
    ),
    mk(
        "a2", "B", [("CLAIM", 0, 12), ("TARGET", 20, 25)], [(("CLAIM", 0, 12), ("TARGET", 20, 25), "support")]
    ),
]


def test_span_and_relation_f1_by_hand():
    report = compute_agreement({"a1": ART1, "a2": ART2, "single": ART1[:1]})
    assert report.articles == 2 and report.pairs == 2
    ex, ov, rel = report.span_f1_exact, report.span_f1_overlap, report.relation_f1
    # exact: ACTOR 2/2; CLAIM a1 2/2 + a2 0/2 = 2/4; TARGET a1 2/3 + a2 2/2 = 4/5; overall 8/11
    assert ex["ACTOR"] == 1.0 and ex["CLAIM"] == 0.5 and ex["TARGET"] == pytest.approx(0.8)
    assert ex["overall"] == pytest.approx(8 / 11)
    # overlap: the a2 claims overlap → CLAIM 4/4; TARGET still 4/5 (B's 30:35 overlaps nothing); 10/11
    assert (
        ov["CLAIM"] == 1.0 and ov["TARGET"] == pytest.approx(0.8) and ov["overall"] == pytest.approx(10 / 11)
    )
    # relations on matched endpoints: a1 A{source, support c→t} vs B{source, oppose c→t} (c→u: u
    # unmatched); a2: the claims differ → nothing comparable. overall 2·1/4; per label source 1,
    # support 0/1, oppose 0/1, neutral undefined.
    assert rel["overall"] == 0.5
    assert rel["source"] == 1.0 and rel["support"] == 0.0 and rel["oppose"] == 0.0 and rel["neutral"] is None


def test_krippendorff_alpha_for_stance_and_attributes_by_hand():
    c1, t1 = ("CLAIM", 0, 5, {"claim_form": "direct"}), ("TARGET", 6, 8)
    c2a, c2b, t2 = (
        ("CLAIM", 20, 25, {"claim_form": "indirect"}),
        ("CLAIM", 20, 25, {"claim_form": "mixed"}),
        ("TARGET", 30, 35),
    )
    k1, k2 = ("CLAIM", 0, 5), ("CLAIM", 20, 25)
    art3 = [
        mk("a3", "A", [c1, t1, c2a, t2], [(k1, t1, "neutral"), (k2, t2, "support")]),
        mk("a3", "B", [c1, t1, c2b, t2], [(k1, t1, "neutral"), (k2, t2, "support")]),
    ]
    report = compute_agreement({"a1": ART1, "a3": art3})
    # stance units: (support, oppose), (neutral, neutral), (support, support); the a1 c→u pair has
    # one coder only. n=6: support 3, oppose 1, neutral 2. D_o = 2/6; D_e = (36-14)/30 = 22/30;
    # α = 1 - (2/6)/(22/30) = 6/11.
    assert report.alpha["stance"] == pytest.approx(6 / 11)
    assert report.alpha_units["stance"] == 3
    # claim_form units: a1 claim ("", ""), (direct, direct), (indirect, mixed). n=6: ""2 direct 2
    # indirect 1 mixed 1. D_o = 2/6; D_e = (36-10)/30; α = 1 - 10/26 = 8/13.
    assert report.alpha["claim_form"] == pytest.approx(8 / 13)
    # actor_type: one unit where both left it empty: a single value → α undefined.
    assert report.alpha["actor_type"] is None


def test_no_multiply_annotated_article_gives_undefined_scores():
    report = compute_agreement({"a1": ART1[:1]})
    assert report.articles == 0 and report.span_f1_exact["overall"] is None and report.alpha["stance"] is None


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.lists(st.sampled_from(["support", "oppose", "neutral", "none"]), min_size=0, max_size=4),
        min_size=1,
        max_size=30,
    )
)
def test_streamed_alpha_equals_the_krippendorff_package(units):
    """NominalAlpha (one unit at a time, no matrix kept) gives the reference implementation's α."""
    acc = NominalAlpha()
    for unit in units:
        acc.add(tuple(unit))
    pairable = [u for u in units if len(u) >= 2]
    values = sorted({v for u in pairable for v in u})
    if len(values) < 2:
        assert acc.value() is None
        return
    counts = np.zeros((len(pairable), len(values)), dtype=np.int64)
    for j, unit in enumerate(pairable):
        for value in unit:
            counts[j, values.index(value)] += 1
    expected = krippendorff.alpha(value_counts=counts, level_of_measurement="nominal")
    assert acc.value() == pytest.approx(float(expected), abs=1e-9)
    assert acc.units == len(pairable)
