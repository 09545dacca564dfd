from __future__ import annotations

import json
from dataclasses import replace

from stancebank.export.adjudicate import adjudicate, gold_span_id
from stancebank.export.pseudonym import Pseudonymizer
from stancebank.export.reader import read_exports
from stancebank.export.review import write_review
from stancebank.schema.model import Annotation, Relation, Span
from stancebank.schema.wire import to_results

TEXT = "The minister said the budget was fair and the tax too."


def sp(sid: str, label: str, frag: str, **attrs: str) -> Span:
    s = TEXT.index(frag)
    return Span(sid, label, s, s + len(frag), frag, dict(attrs))


def ann(
    ann_id: str, who: str, spans: list[Span], rels: list[tuple[str, str, str]] = (), gt: bool = False
) -> Annotation:
    return Annotation(
        "art",
        ann_id,
        who,
        tuple(spans),
        tuple(Relation(a, b, lab) for a, b, lab in rels),
        ground_truth=gt,
        # a star set by a manager (an account that annotated nothing of the article)
        extra={"provenance": {s.id: "hand" for s in spans}, **({"starred_by": "ls:manager"} if gt else {})},
    )


def full(
    ann_id: str, who: str, form: str = "indirect", stance: str = "support", gt: bool = False
) -> Annotation:
    return ann(
        ann_id,
        who,
        [
            sp(f"{ann_id}a", "ACTOR", "The minister", actor_type="government"),
            sp(f"{ann_id}c", "CLAIM", "the budget was fair", claim_form=form),
            sp(f"{ann_id}t", "TARGET", "the budget"),
        ],
        [(f"{ann_id}a", f"{ann_id}c", "source"), (f"{ann_id}c", f"{ann_id}t", stance)],
        gt=gt,
    )


def test_single_annotation_is_gold_with_stable_ids():
    result = adjudicate("art", [full("1", "u1")])
    assert result.method == "single" and result.is_gold
    ids = {s.label: s.id for s in result.spans}
    start = TEXT.index("The minister")
    assert ids["ACTOR"] == gold_span_id("art", ("ACTOR", start, start + len("The minister")))
    assert {(r.from_id, r.to_id, r.label) for r in result.relations} == {
        (ids["ACTOR"], ids["CLAIM"], "source"),
        (ids["CLAIM"], ids["TARGET"], "support"),
    }
    assert result.num_annotators == 1


def test_ground_truth_wins_over_a_majority():
    anns = [full("1", "u1", stance="oppose"), full("2", "u2", stance="oppose"), full("3", "u3", gt=True)]
    result = adjudicate("art", anns)
    assert result.method == "ground_truth"
    assert sorted(r.label for r in result.relations) == ["source", "support"]
    assert result.num_annotators == 3


def test_majority_keeps_agreed_items_and_drops_minority():
    extra = sp("xt", "TARGET", "the tax")
    a3 = full("3", "u3", form="direct", stance="oppose")
    a3 = ann(
        "3",
        "u3",
        [*a3.spans, extra],
        [(r.from_id, r.to_id, r.label) for r in a3.relations] + [("3c", "xt", "neutral")],
    )
    result = adjudicate("art", [full("1", "u1"), full("2", "u2"), a3])
    assert result.method == "majority" and not result.conflicts
    assert [s.text for s in result.spans] == ["The minister", "the budget", "the budget was fair"]
    claim = next(s for s in result.spans if s.label == "CLAIM")
    assert claim.attributes == {"claim_form": "indirect"}  # 2 of 3
    assert sorted(r.label for r in result.relations) == ["source", "support"]  # oppose/neutral: 1 of 3


def test_two_annotators_disagreeing_is_a_conflict_kept_out_of_gold():
    result = adjudicate("art", [full("1", "u1"), full("2", "u2", stance="oppose")])
    assert result.method == "conflict" and not result.is_gold and result.spans == ()
    assert sorted(c.kind for c in result.conflicts) == ["relation_tie", "relation_tie"]
    votes = next(c.votes for c in result.conflicts if "support" in c.item)
    assert votes == {"u1": "drawn", "u2": ""}


def test_attribute_without_majority_is_a_conflict():
    # The claim is kept by 2 of 3 but those two disagree on its form; the third did not draw it.
    a3 = ann("3", "u3", [sp("3a", "ACTOR", "The minister", actor_type="government")])
    result = adjudicate("art", [full("1", "u1", form="direct"), full("2", "u2", form="mixed"), a3])
    kinds = sorted(c.kind for c in result.conflicts)
    assert "attribute_no_majority" in kinds
    conflict = next(c for c in result.conflicts if c.kind == "attribute_no_majority")
    assert conflict.item.endswith("claim_form") and conflict.votes == {"u1": "direct", "u2": "mixed"}


def test_even_split_of_four_is_a_tie():
    anns = [
        full("1", "u1"),
        full("2", "u2"),
        full("3", "u3", stance="oppose"),
        full("4", "u4", stance="oppose"),
    ]
    result = adjudicate("art", anns)
    assert result.method == "conflict"
    assert {c.kind for c in result.conflicts} == {"relation_tie"}


def test_review_files_send_conflicts_back(snapshots, tmp_path):
    data = read_exports(snapshots)
    conflicts = [adjudicate(a, anns) for a, anns in data.annotations.items()]
    conflicts = [c for c in conflicts if c.method == "conflict"]
    assert [c.article_id for c in conflicts] == ["art-003"]
    pseudo = Pseudonymizer(b"k")
    report, tasks, ids = write_review(tmp_path / "review", conflicts, data, pseudo)
    assert ids.read_text() == "3\n"
    rep = json.loads(report.read_text())
    assert rep[0]["article_id"] == "art-003" and rep[0]["task_id"] == 3
    assert set(rep[0]["conflicts"][0]["votes"]) == {pseudo("ls:7"), pseudo("ls:8")}
    (task,) = json.loads(tasks.read_text())
    assert task["data"]["text"] == data.articles["art-003"].text
    assert [p["model_version"] for p in task["predictions"]] == ["stancebank-review"] * 2
    # the order Label Studio shows them: newest prediction first, so imported in reverse
    assert rep[0]["versions"] == [pseudo("ls:7"), pseudo("ls:8")]
    assert [len(p["result"]) for p in reversed(task["predictions"])] == [
        len(to_results(a.spans, a.relations))
        for a in data.annotations["art-003"]
        if not a.extra.get("review")
    ]
    assert all(r["type"] in ("labels", "relation") for p in task["predictions"] for r in p["result"])
    assert "ls:" not in report.read_text() + tasks.read_text()


def test_policy_min_annotators_keeps_too_few_out_of_gold_but_ground_truth_wins():
    from stancebank.export.adjudicate import GoldPolicy

    two = GoldPolicy(min_annotators=2)
    assert adjudicate("art", [full("1", "u1")], policy=two).method == "insufficient"
    assert not adjudicate("art", [full("1", "u1")], policy=two).is_gold
    assert adjudicate("art", [full("1", "u1", gt=True)], policy=two).method == "ground_truth"
    assert adjudicate("art", [full("1", "u1"), full("2", "u2")], policy=two).method == "majority"
    # the default policy is unchanged: one annotation is gold
    assert adjudicate("art", [full("1", "u1")]).method == "single"


def test_policy_single_annotation_gold_only_bites_when_overlap_was_requested():
    from stancebank.export.adjudicate import GoldPolicy

    strict = GoldPolicy(single_annotation_gold=False, overlap_requested=True)
    assert strict.needed == 2 and "at least 2 annotators" in strict.describe()
    assert adjudicate("art", [full("1", "u1")], policy=strict).method == "insufficient"
    no_overlap = GoldPolicy(single_annotation_gold=False, overlap_requested=False)
    assert no_overlap.needed == 1 and no_overlap.describe() == ""
    assert adjudicate("art", [full("1", "u1")], policy=no_overlap).method == "single"


def review(ann_id: str, who: str, starred: bool = False, **kw: str) -> Annotation:
    a = full(ann_id, who, **kw)
    return as_verdict(a, starred)


def as_verdict(a: Annotation, starred: bool = False) -> Annotation:
    """``a`` submitted on a review task (``starred``: also marked ground truth there)."""
    return Annotation(
        a.article_id,
        a.annotation_id,
        a.annotator,
        a.spans,
        a.relations,
        starred,
        # the reviewer starred it (the account that last saved it)
        extra={**a.extra, "review": True, **({"starred_by": a.annotator} if starred else {})},
    )


def test_a_reviewer_resolves_a_conflict_and_is_not_an_annotator():
    from stancebank.export.agreement import compute_agreement

    anns = [full("1", "u1", form="direct"), full("2", "u2", form="indirect")]
    assert adjudicate("art", anns).method == "conflict"
    verdict = review("3", "u1", form="mixed")
    result = adjudicate("art", [*anns, verdict])
    assert result.method == "reviewer" and result.gold_method == "reviewer" and result.num_annotators == 2
    assert {s.attributes.get("claim_form") for s in result.spans if s.label == "CLAIM"} == {"mixed"}
    # agreement: the same two annotators with or without the verdict (it is not a third annotator)
    assert (
        compute_agreement({"art": [*anns, verdict]}).to_dict() == compute_agreement({"art": anns}).to_dict()
    )


def test_a_starred_annotation_of_an_annotator_still_counts_as_theirs():
    from stancebank.export.agreement import compute_agreement

    starred = full("1", "u1", form="direct", gt=True)
    anns = [starred, full("2", "u2", form="indirect")]
    assert adjudicate("art", anns).method == "ground_truth"
    report = compute_agreement({"art": anns})
    assert report.articles == 1 and report.pairs == 1


def test_items_counted_and_conflicts_dropped_by_policy():
    """Per item: the agreed ACTOR/TARGET/source are gold; the CLAIM's form conflicts (and the
    stance relation on it waits with it). With unresolved="drop" the article is gold without them."""
    from stancebank.export.adjudicate import GoldPolicy

    anns = [full("1", "u1", form="direct"), full("2", "u2", form="indirect")]
    pending = adjudicate("art", anns)
    assert pending.status == "conflict" and pending.gold_method == "pending" and pending.spans == ()
    assert pending.items == {"agreed": 2, "conflict": 3}
    assert [c.kind for c in pending.conflicts] == ["attribute_no_majority"]
    dropped = adjudicate("art", anns, policy=GoldPolicy(unresolved="drop"))
    assert dropped.method == "majority" and dropped.items == {"agreed": 2, "dropped": 3}
    assert sorted(s.label for s in dropped.spans) == ["ACTOR", "TARGET"] and dropped.relations == ()


def test_a_reviewers_verdict_is_the_articles_gold_and_its_items_are_counted():
    """u1 and u2 agree on ACTOR and TARGET; u2 also drew 'the tax' (a tie) and the CLAIM's form
    differs. The reviewer (also annotator u1: their own annotation stays theirs) submits a version
    that drops the tax, sets the form and gives the agreed ACTOR actor_type 'person': that version
    is gold; the items are counted as the annotators left them, the ACTOR as corrected."""
    u1 = full("1", "u1", form="direct")
    base = full("2", "u2", form="indirect")
    rels = [(r.from_id, r.to_id, r.label) for r in base.relations]
    u2 = ann("2", "u2", [*base.spans, sp("2x", "TARGET", "the tax")], rels)
    assert adjudicate("art", [u1, u2]).items == {"agreed": 2, "conflict": 4}
    verdict_spans = (
        sp("3a", "ACTOR", "The minister", actor_type="person"),
        sp("3c", "CLAIM", "the budget was fair", claim_form="mixed"),
        sp("3t", "TARGET", "the budget"),
    )
    verdict_rels = (Relation("3a", "3c", "source"), Relation("3c", "3t", "oppose"))
    verdict = Annotation("art", "3", "u1", verdict_spans, verdict_rels, False, extra={"review": True})
    result = adjudicate("art", [u1, u2, verdict])
    assert result.method == "reviewer" and result.is_gold and result.num_annotators == 2
    assert result.items == {"agreed": 2, "reviewed": 4, "corrected": 1}
    got = {(s.label, s.text, tuple(s.attributes.items())) for s in result.spans}
    assert got == {
        ("ACTOR", "The minister", (("actor_type", "person"),)),
        ("CLAIM", "the budget was fair", (("claim_form", "mixed"),)),
        ("TARGET", "the budget", ()),
    }
    text_of = {s.id: s.text for s in result.spans}
    assert {(text_of[r.from_id], text_of[r.to_id], r.label) for r in result.relations} == {
        ("The minister", "the budget was fair", "source"),
        ("the budget was fair", "the budget", "oppose"),
    }
    # the verdict never counts as an annotator: starred or not, u1's own annotation is theirs
    from stancebank.export.agreement import compute_agreement

    assert (
        compute_agreement({"art": [u1, u2, verdict]}).to_dict()
        == compute_agreement({"art": [u1, u2]}).to_dict()
    )


def test_review_tasks_never_offer_a_previous_verdict_as_a_version():
    from stancebank.export.reader import ExportData
    from stancebank.export.review import REVIEW_MODEL_VERSION, report_entry, review_tasks
    from stancebank.schema.model import Article

    anns = [full("1", "u1", form="direct"), full("2", "u2")]
    old_verdict = Annotation("art", "9", "r", (), (), True, extra={"review": True})
    data = ExportData(articles={"art": Article("art", TEXT)}, annotations={"art": [*anns, old_verdict]})
    pending = adjudicate("art", anns)
    (task,) = review_tasks([pending], data)
    # one model version for every version (Label Studio shows a task only its project's model
    # version's predictions); whose each is, in order, is in the report
    assert [p["model_version"] for p in task["predictions"]] == [REVIEW_MODEL_VERSION] * 2
    assert report_entry(pending, 7, lambda a: f"p-{a}", data.annotations["art"])["versions"] == [
        "p-u1",
        "p-u2",
    ]


def test_a_verdict_decides_the_conflicting_items_and_leaves_the_agreed_ones():
    """Three annotators: u1 and u2 drew the ACTOR (agreed), only u3 drew 'the tax' (minority), and
    the CLAIM's form is direct / indirect / mixed (no majority: conflicting). The reviewer starts
    from u3's version, which lacks the agreed ACTOR and has the minority tax, sets the form and
    draws the TARGET one character shorter. Gold: the agreed items, the CLAIM with the reviewer's
    form, the reviewer's new TARGET; the tax stays dropped and the ACTOR stays gold."""
    actor = sp("a", "ACTOR", "The minister", actor_type="government")
    claim = {
        f: sp(f"c{f}", "CLAIM", "the budget was fair", claim_form=f) for f in ("direct", "indirect", "mixed")
    }
    target = sp("t", "TARGET", "the budget")
    tax = sp("x", "TARGET", "the tax")
    u1 = ann("1", "u1", [actor, claim["direct"], target], [("a", "cdirect", "source")])
    u2 = ann("2", "u2", [actor, claim["indirect"], target], [("a", "cindirect", "source")])
    u3 = ann("3", "u3", [claim["mixed"], target, tax], [("cmixed", "x", "oppose")])
    pending = adjudicate("art", [u1, u2, u3])
    assert pending.status == "conflict"
    assert pending.items == {"agreed": 2, "minority": 2, "conflict": 2}

    shorter = sp("t2", "TARGET", "the budge")
    verdict = as_verdict(
        ann(
            "9",
            "r",
            [sp("c9", "CLAIM", "the budget was fair", claim_form="direct"), shorter, tax],
            [("c9", "t2", "support"), ("c9", "x", "oppose")],
        )
    )
    result = adjudicate("art", [u1, u2, u3, verdict])
    assert result.method == "reviewer" and result.num_annotators == 3
    got = {(s.label, s.text, tuple(s.attributes.items())) for s in result.spans}
    assert got == {
        ("ACTOR", "The minister", (("actor_type", "government"),)),
        ("CLAIM", "the budget was fair", (("claim_form", "direct"),)),
        ("TARGET", "the budget", ()),
        ("TARGET", "the budge", ()),
    }
    text_of = {s.id: s.text for s in result.spans}
    # u1 and u2's source relation waited on the CLAIM; the reviewer kept the CLAIM, so it is gold
    # though u3's version lacks it; the reviewer's relation to the minority tax is not
    assert {(text_of[r.from_id], text_of[r.to_id], r.label) for r in result.relations} == {
        ("The minister", "the budget was fair", "source"),
        ("the budget was fair", "the budge", "support"),
    }
    assert result.items == {"agreed": 2, "minority": 2, "reviewed": 2}

    # starred, the verdict overrules the agreed items too: the article's gold is the verdict whole
    whole = adjudicate("art", [u1, u2, u3, as_verdict(verdict, starred=True)])
    assert whole.method == "reviewer"
    assert {(s.label, s.text) for s in whole.spans} == {
        ("CLAIM", "the budget was fair"),
        ("TARGET", "the budge"),
        ("TARGET", "the tax"),
    }


def starred_by(a: Annotation, who: str | None) -> Annotation:
    """``a`` starred as ground truth, last saved by ``who`` (the export's updated_by; None: not said)."""
    extra = {k: v for k, v in a.extra.items() if k != "starred_by"}
    return replace(a, ground_truth=True, extra={**extra, **({"starred_by": who} if who else {})})


def test_an_annotator_cannot_overrule_her_co_annotator_by_starring():
    """The audit's finding: maria starred her own annotation of an article she and li disagree on.
    The star does not count (nor li's star on maria's version); a manager's star does."""
    from stancebank.export.agreement import compute_agreement

    maria, li = full("1", "ls:2", form="direct"), full("2", "ls:3", form="indirect")
    assert adjudicate("art", [maria, li]).method == "conflict"
    for who in ("ls:2", "ls:3"):
        result = adjudicate("art", [starred_by(maria, who), li])
        assert result.method == "conflict" and not result.is_gold
        assert [(r.annotation_id, r.annotator, r.starred_by, r.reason) for r in result.refused_stars] == [
            ("1", "ls:2", who, "annotator")
        ]
    # the export does not say who starred it: no ground truth either
    unknown = adjudicate("art", [starred_by(maria, None), li])
    assert unknown.method == "conflict" and [r.reason for r in unknown.refused_stars] == ["unknown"]
    # a manager (an account that annotated nothing of the article) starred it: maria's version wins,
    # and it is still maria's in agreement (issue 15)
    managed = [starred_by(maria, "ls:1"), li]
    result = adjudicate("art", managed)
    assert result.method == "ground_truth" and result.refused_stars == ()
    assert {s.attributes.get("claim_form") for s in result.spans if s.label == "CLAIM"} == {"direct"}
    assert compute_agreement({"art": managed}).to_dict() == compute_agreement({"art": [maria, li]}).to_dict()
    # a single annotator's own star: the article is gold as her single annotation, not as ground truth
    alone = adjudicate("art", [starred_by(maria, "ls:2")])
    assert alone.method == "single" and [r.reason for r in alone.refused_stars] == ["annotator"]


def test_a_self_starred_annotation_does_not_beat_the_policys_minimum():
    from stancebank.export.adjudicate import GoldPolicy

    two = GoldPolicy(min_annotators=2)
    assert adjudicate("art", [starred_by(full("1", "ls:2"), "ls:2")], policy=two).method == "insufficient"
    assert adjudicate("art", [starred_by(full("1", "ls:2"), "ls:1")], policy=two).method == "ground_truth"


def test_a_star_is_refused_when_the_saver_and_the_annotators_are_named_differently():
    """A raw export may name an annotator by e-mail (completed_by) and the saver by user id
    (updated_by): they cannot be compared, so the star fails closed ("unknown"), never open."""
    maria, li = full("1", "ls:maria@example.org", form="direct"), full("2", "ls:3", form="indirect")
    for saver in ("ls:2", "ls: 2"):
        result = adjudicate("art", [starred_by(maria, saver), li])
        assert result.method == "conflict", saver
        assert [r.reason for r in result.refused_stars] == ["unknown"], saver
    same_kind = adjudicate("art", [starred_by(full("1", "ls:2"), "ls:7"), li])
    assert same_kind.method == "ground_truth"  # a manager (user 7) starred user 2's annotation


def test_a_verdict_without_the_annotations_it_settles_is_not_gold():
    """Only the review project's export given: a verdict on no annotation settles nothing."""
    verdict = as_verdict(full("9", "r"))
    result = adjudicate("art", [verdict])
    assert result.method == "insufficient" and not result.is_gold and result.num_annotators == 0
    assert adjudicate("art", [full("1", "u1"), verdict]).method == "reviewer"  # one annotator, reviewed


def test_a_repeated_role_in_ground_truth_by_is_one_role():
    from stancebank.export.adjudicate import GoldPolicy

    assert (
        GoldPolicy(ground_truth_by=("manager", "manager")).describe()
        == GoldPolicy(ground_truth_by=("manager",)).describe()
    )


def test_ground_truth_by_decides_whose_stars_count():
    """`[policy] ground_truth_by`: "manager" — a star on an annotation of the annotated project;
    "reviewer" — a starred verdict (the whole article instead of its conflicting items)."""
    from stancebank.export.adjudicate import GoldPolicy

    u1, u2 = full("1", "u1", form="direct"), full("2", "u2", form="indirect")
    managed = [starred_by(u1, "manager"), u2]
    reviewers_only = GoldPolicy(ground_truth_by=("reviewer",))
    result = adjudicate("art", managed, policy=reviewers_only)
    assert result.method == "conflict" and [r.reason for r in result.refused_stars] == ["policy"]
    assert (
        adjudicate("art", managed, policy=GoldPolicy(ground_truth_by=("manager",))).method == "ground_truth"
    )

    # the reviewer's starred verdict drops the agreed ACTOR: whole with "reviewer", the conflicting
    # item only without it
    verdict = as_verdict(ann("9", "r", [sp("9c", "CLAIM", "the budget was fair", claim_form="mixed")]), True)
    whole = adjudicate("art", [u1, u2, verdict])
    assert whole.method == "reviewer" and {s.label for s in whole.spans} == {"CLAIM"}
    items_only = adjudicate("art", [u1, u2, verdict], policy=GoldPolicy(ground_truth_by=("manager",)))
    assert items_only.method == "reviewer" and {s.label for s in items_only.spans} == {
        "ACTOR",
        "CLAIM",
        "TARGET",
    }
    assert [r.reason for r in items_only.refused_stars] == ["policy"]
    # a verdict starred by one of the article's own annotators decides only the conflicting items
    own = replace(verdict, extra={**verdict.extra, "starred_by": "u1"})
    assert {s.label for s in adjudicate("art", [u1, u2, own]).spans} == {"ACTOR", "CLAIM", "TARGET"}
    # the card says what a non-default policy does
    assert "only a reviewer's starred verdict" in reviewers_only.describe()
    assert GoldPolicy().describe() == ""


def test_a_refused_star_is_reported_by_pseudonym_only():
    result = adjudicate("art", [starred_by(full("1", "ls:2"), "ls:2"), full("2", "ls:3", form="direct")])
    (star,) = result.refused_stars
    line = star.describe("art", lambda who: "annotator-" + who.replace("ls:", "p"))
    assert line.startswith("article art: the ground-truth star on annotator-p2's annotation 1 does not count")
    assert "its own annotator starred it" in line and "ls:" not in line
    other = adjudicate("art", [starred_by(full("1", "ls:2"), "ls:3"), full("2", "ls:3", form="direct")])
    assert "annotator-p3, one of the article's annotators, starred it" in other.refused_stars[0].describe(
        "art", lambda who: "annotator-" + who.replace("ls:", "p")
    )
