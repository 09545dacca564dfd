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


def test_overlap_is_one_to_one():
    """A claim drawn whole by A and split in two by B: one match, not two (the any-overlap rule
    counted all three spans as matched: F1 1.0)."""
    whole = mk("s", "A", [("CLAIM", 0, 40)])
    split = mk("s", "B", [("CLAIM", 0, 18), ("CLAIM", 20, 40)])
    report = compute_agreement({"s": [whole, split]})
    assert report.span_f1_overlap["CLAIM"] == pytest.approx(2 * 1 / 3)
    assert report.span_f1_exact["CLAIM"] == 0.0


@settings(max_examples=80, deadline=None)
@given(
    st.lists(st.tuples(st.integers(0, 30), st.integers(1, 8)), max_size=7),
    st.lists(st.tuples(st.integers(0, 30), st.integers(1, 8)), max_size=7),
)
def test_one_to_one_overlaps_is_a_maximum_matching(a, b):
    from scipy.optimize import linear_sum_assignment

    from stancebank.export.agreement import one_to_one_overlaps

    xa = sorted({(s, s + n) for s, n in a})
    xb = sorted({(s, s + n) for s, n in b})
    got = one_to_one_overlaps(xa, xb)
    if not xa or not xb:
        assert got == 0
        return
    cost = np.array([[0 if x[0] < y[1] and y[0] < x[1] else 1 for y in xb] for x in xa])
    rows, cols = linear_sum_assignment(cost)
    assert got == int((cost[rows, cols] == 0).sum())


def test_text_attribute_alpha_leaves_not_filled_out_and_reports_the_fill_rate():
    """actor_name: two ACTOR spans drawn by both. On the first both wrote 'Ann Lee' (one case-folded),
    on the second only A wrote a name: no pairable value, not a disagreement with ''. actor_type:
    'person' twice on the first, set by A only on the second ('' is a value for a choice)."""
    a = mk(
        "n",
        "A",
        [
            ("ACTOR", 0, 5, {"actor_name": "Ann Lee", "actor_type": "person"}),
            ("ACTOR", 9, 12, {"actor_name": "Bo", "actor_type": "group"}),
        ],
    )
    b = mk("n", "B", [("ACTOR", 0, 5, {"actor_name": "ann lee ", "actor_type": "person"}), ("ACTOR", 9, 12)])
    report = compute_agreement({"n": [a, b]})
    assert report.alpha_units["actor_name"] == 1 and report.alpha["actor_name"] is None  # one value only
    assert report.fill_rate["actor_name"] == pytest.approx(3 / 4)
    assert report.fill_rate["actor_type"] == pytest.approx(3 / 4)
    # actor_type keeps '' (not set) as a category: units (person, person), (group, '')
    with_empty = krippendorff.alpha(
        value_counts=np.array([[2, 0, 0], [0, 1, 1]]), level_of_measurement="nominal"
    )
    assert report.alpha["actor_type"] == pytest.approx(float(with_empty))


def test_stance_macro_f1_and_f_avg_by_hand():
    """Three claim–target pairs both annotators drew: (support, support), (oppose, support),
    (neutral, none). F1 support = 2·1/(1+2) = 2/3, oppose = 0/(1+0) = 0, neutral = 0/1 = 0:
    macro-F1 = 2/9, F_avg = (2/3 + 0)/2 = 1/3."""
    c1, c2, c3 = ("CLAIM", 0, 5), ("CLAIM", 10, 15), ("CLAIM", 20, 25)
    t1, t2, t3 = ("TARGET", 1, 3), ("TARGET", 11, 13), ("TARGET", 21, 23)
    spans = [c1, c2, c3, t1, t2, t3]
    a = mk("s", "A", spans, [(c1, t1, "support"), (c2, t2, "oppose"), (c3, t3, "neutral")])
    b = mk("s", "B", spans, [(c1, t1, "support"), (c2, t2, "support")])
    report = compute_agreement({"s": [a, b]})
    assert report.stance_f1 == pytest.approx({"support": 2 / 3, "oppose": 0.0, "neutral": 0.0})
    assert report.stance_macro_f1 == pytest.approx(2 / 9) and report.stance_f_avg == pytest.approx(1 / 3)


def test_bootstrap_intervals_are_seeded_and_hold_the_figure():
    from stancebank.export.agreement import AgreementAccumulator

    def run(seed: int) -> dict:
        acc = AgreementAccumulator()
        for k in range(30):
            shift = k % 3  # a third of the articles disagree on the claim's end
            arts = [
                mk(f"b{k}", "A", [ACT, ("CLAIM", 10, 20), TG], [(ACT, ("CLAIM", 10, 20), "source")]),
                mk(
                    f"b{k}",
                    "B",
                    [ACT, ("CLAIM", 10, 20 + shift), TG],
                    [(ACT, ("CLAIM", 10, 20 + shift), "source")],
                ),
            ]
            acc.add(arts, article_id=f"b{k:02d}", gold=shift == 0)
        return acc.finish(replicates=200, seed=seed).to_dict()

    first, again, other = run(0), run(0), run(1)
    assert first == again and first["ci95"] != other["ci95"]
    lo, hi = first["ci95"]["span_f1_exact.CLAIM"]
    assert lo < first["span_f1_exact"]["CLAIM"] < hi
    assert first["ci95"]["span_f1_exact.ACTOR"] == [1.0, 1.0]
    # the gold subset: the 10 articles without a shift agree fully
    gold = first["gold"]
    assert gold["articles"] == 10 and gold["span_f1_exact"]["CLAIM"] == 1.0 and first["articles"] == 30


def test_bootstrap_intervals_do_not_depend_on_the_batch_size(tmp_path, monkeypatch):
    # metrics.bootstrap cuts the replicates into batches by memory (BATCH_CELLS); the intervals
    # must be the same bits whatever the cut: here batches of 50 replicates against batches of 1.
    import sys
    from pathlib import Path

    from stancebank.export import metrics
    from stancebank.export.agreement import AgreementAccumulator
    from stancebank.export.reader import read_exports

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
    from bench_export_gen import generate

    data = read_exports([generate(tmp_path / "export.json", 40)])

    def intervals(cells: int) -> tuple[dict, dict]:
        monkeypatch.setattr(metrics, "BATCH_CELLS", cells)
        acc = AgreementAccumulator()
        for article_id in sorted(data.annotations):
            acc.add(data.annotations[article_id], article_id=article_id, gold=article_id[-1] in "02468")
        report = acc.finish(replicates=120, seed=3)
        assert report.gold is not None
        return report.ci95, report.gold.ci95

    wide, narrow = intervals(10**9), intervals(1)
    assert any(v is not None for v in wide[0].values())
    assert wide == narrow
