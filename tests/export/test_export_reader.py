from __future__ import annotations

import json
from pathlib import Path

import pytest

from stancebank.export.errors import ExportReadError, ForeignExportError
from stancebank.export.reader import check_foreign, provenance_of, read_exports, write_rejects
from stancebank.schema.model import Span
from stancebank.schema.wire import NameTally


def _write(tmp_path: Path, name: str, tasks: list[dict]) -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(tasks), encoding="utf-8")
    return path


def test_snapshots_merge_newest_version_wins_nothing_double_counted(snapshots):
    data = read_exports(snapshots)
    # art-001 is in both snapshots with the same annotation 101: counted once, newest version kept.
    anns = data.annotations["art-001"]
    assert [a.annotation_id for a in anns] == ["101"]
    assert anns[0].updated_at == "2025-02-01T00:00:00Z"
    assert data.counts["annotation_versions_superseded"] == 1
    # The old version's bidirectional relation is gone with it; only the kept version's issues remain.
    kinds = [(i.kind, i.file.endswith("snapshot_2.json")) for i in data.issues]
    assert kinds == [("bad_endpoint_labels", True)]
    assert sum(len(v) for v in data.annotations.values()) == 10
    # Cancelled annotation skipped, drafts ignored, the article with nothing left has no annotations.
    assert "art-006" in data.articles and "art-006" not in data.annotations
    assert data.counts["annotations_cancelled"] == 1
    assert data.counts["drafts_ignored"] == 1


def test_regions_relations_trimming_and_provenance(snapshots):
    data = read_exports(snapshots)
    ann = data.annotations["art-001"][0]
    text = data.articles["art-001"].text
    spans = {s.id: s for s in ann.spans}
    # Attributes joined by region id; textarea value stripped.
    assert spans["a1"].attributes == {"actor_type": "person", "actor_name": "Volodymyr Zelensky"}
    assert spans["c1"].attributes == {"claim_form": "indirect"}
    # The claim was drawn with a leading space: trimmed, text is data.text[start:end].
    c1 = spans["c1"]
    assert text[c1.start : c1.end] == c1.text == "the ceasefire must hold"
    assert data.counts["spans_trimmed"] == 1 and data.counts["whitespace_trimmed_chars"] == 1
    # left relation t1→c1 swapped into c1→t1; ACTOR→TARGET 'oppose' rejected.
    assert {(r.from_id, r.to_id, r.label) for r in ann.relations} == {
        ("a1", "c1", "source"),
        ("c1", "t1", "support"),
    }
    assert data.counts["relations_swapped"] == 1
    prov = ann.extra["provenance"]
    assert prov == {"a1": "accepted", "c1": "edited", "t1": "accepted", "a2": "hand"}


def test_provenance_compares_attributes_whatever_their_order():
    predicted = [
        Span("p1", "ACTOR", 0, 4, "Anna", {"actor_type": "person", "actor_name": "Anna"}),
        Span("p2", "CLAIM", 10, 20, "x" * 10, {}),
    ]
    spans = [
        Span("a", "ACTOR", 0, 4, "Anna", {"actor_name": "Anna", "actor_type": "person"}),  # same, reordered
        Span("b", "ACTOR", 0, 4, "Anna", {"actor_type": "org", "actor_name": "Anna"}),  # a value changed
        Span("c", "ACTOR", 0, 4, "Anna", {"actor_type": "person"}),  # one attribute fewer
        Span("p2", "CLAIM", 10, 20, "x" * 10, {}),
        Span("d", "CLAIM", 12, 30, "y" * 18, {}),  # overlaps p2
        Span("e", "TARGET", 40, 45, "z" * 5, {}),
    ]
    assert provenance_of(spans, predicted) == {
        "a": "accepted",
        "b": "edited",
        "c": "edited",
        "p2": "accepted",
        "d": "edited",
        "e": "hand",
    }


def test_a_name_tally_tells_foreign_names_without_counting_them():
    ours, theirs = NameTally(), NameTally()
    ours.labels.update(["ACTOR", "CLAIM"])
    ours.from_names.update(["label", "actor_type"])
    ours.relation_labels.update(["source"])
    theirs.labels.update(["ACTOR"])
    theirs.relation_labels.update(["cites"])
    assert not ours.has_foreign() and not ours.foreign()
    assert theirs.has_foreign() and theirs.foreign() == {"relation labels": {"cites": 1}}


def test_ui_download_identity_is_id_only(snapshots):
    data = read_exports(snapshots)
    ann = data.annotations["art-001"][0]
    assert ann.annotator == "ls:7"
    assert "alice" not in repr(dict(data.annotations)).lower()


def test_span_text_comes_from_data_text_not_value_text(tmp_path, ls):
    text = "Ann  said\u00a0yes to the plan."
    span = ls.span("s1", text, "said\u00a0yes", "CLAIM")
    span["value"]["text"] = "said yes"  # LS may normalise whitespace in value.text
    path = _write(tmp_path, "e.json", [ls.task(1, "a", text, [ls.ann(1, 3, [span])])])
    data = read_exports([path])
    (s,) = data.annotations["a"][0].spans
    assert s.text == "said\u00a0yes" == text[s.start : s.end]
    assert data.counts["value_text_differs"] == 1


def test_bad_regions_reported_with_context(tmp_path, ls):
    text = "Officials said the deal is dead."
    result = [
        ls.span("s1", text, "Officials", "ACTOR"),
        {**ls.span("s2", text, "said", "CLAIM"), "value": {"start": 20, "end": 99, "labels": ["CLAIM"]}},
        ls.span("s3", text, "the deal", "NOPE"),
        ls.span("s4", text, " ", "TARGET"),
        ls.choice("s1", "actor_type", "alien"),
        ls.choice("zz", "claim_form", "direct"),
        ls.rel("s1", "s9", "source"),
        ls.rel("s1", "s1", "source", "bi"),
    ]
    path = _write(tmp_path, "e.json", [ls.task(5, "a", text, [ls.ann(9, 3, result)])])
    data = read_exports([path])
    kinds = sorted(i.kind for i in data.issues)
    assert kinds == [
        "annotation_dropped",
        "bad_choice",
        "bidirectional_relation",
        "dangling_relation",
        "empty_span",
        "offset_out_of_range",
        "orphan_attribute",
        "unknown_label",
    ]
    issue = next(i for i in data.issues if i.kind == "offset_out_of_range")
    assert "task 5" in issue.describe() and "annotation 9" in issue.describe() and "s2" in issue.detail
    assert issue.region == "s2" and "region s2" in issue.describe() and issue.fix
    # a region that cannot be placed takes its annotation with it (its relations would be
    # incomplete): reported naming the region, never built with a hole
    assert "a" not in data.annotations
    dropped = next(i for i in data.issues if i.kind == "annotation_dropped")
    assert dropped.region == "s2" and "s2 (CLAIM)" in dropped.detail


def test_duplicate_annotator_keeps_newest_and_text_change_drops(tmp_path, ls):
    text = "Mayor Li backs the tram."
    old = ls.ann(1, 4, [ls.span("x", text, "Mayor Li", "ACTOR")], updated="2025-01-01T00:00:00Z")
    new = ls.ann(2, 4, [ls.span("y", text, "the tram", "TARGET")], updated="2025-01-05T00:00:00Z")
    p1 = _write(tmp_path, "one.json", [ls.task(1, "a", text, [old, new])])
    data = read_exports([p1])
    assert [a.annotation_id for a in data.annotations["a"]] == ["2"]
    assert [i.kind for i in data.issues] == ["duplicate_annotator"]

    changed = ls.task(1, "a", text + " More.", [], updated="2025-02-01T00:00:00Z")
    p2 = _write(tmp_path, "two.json", [changed])
    data = read_exports([p1, p2])
    assert data.articles["a"].text.endswith("More.")
    assert "a" not in data.annotations
    assert sorted(i.kind for i in data.issues) == ["text_changed", "text_changed"]


def test_not_an_export_is_refused(tmp_path):
    path = tmp_path / "x.json"
    path.write_text('{"data": {}}')
    with pytest.raises(ExportReadError, match="expected a JSON list"):
        read_exports([path])
    path.write_text('[{"data": {"text": "x", "article_id": "a"}}, {')
    with pytest.raises(ExportReadError, match="invalid JSON"):
        read_exports([path])


FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "export"


def test_utf16_offsets_are_realigned_or_the_annotation_refused():
    """A JavaScript tool's offsets (UTF-16 units; an emoji counts 2) over a text with CRLF and a
    combining mark: realigned when exactly one reading selects value.text, refused otherwise —
    never a shifted span such as 'na Müller '."""
    data = read_exports([FIXTURES / "utf16_offsets.json"])
    text = data.articles["utf16-001"].text
    (ann,) = data.annotations["utf16-001"]  # annotator 7; annotator 8's annotation is refused
    assert ann.annotation_id == "11"
    assert {s.id: s.text for s in ann.spans} == {
        "a1": "Ana Mu\u0308ller",
        "c1": "the tram \U0001f68b must stop",
        "t1": "the tram",
    }
    assert all(text[s.start : s.end] == s.text for s in ann.spans)
    assert {(r.from_id, r.to_id, r.label) for r in ann.relations} == {
        ("a1", "c1", "source"),
        ("c1", "t1", "oppose"),
    }
    assert data.counts["spans_realigned"] == 5 and data.counts["spans_realigned_utf16"] == 5
    # annotator 8's TARGET says "the bus", which no reading of its offsets selects
    mismatch = next(i for i in data.issues if i.kind == "text_mismatch")
    assert (mismatch.task_id, mismatch.annotation_id, mismatch.region) == (1, "12", "t1")
    assert "TARGET" in mismatch.detail and "'the bus'" in mismatch.detail and "'he tram '" in mismatch.detail
    assert [i.kind for i in data.issues if i.annotation_id == "12"] == [
        "annotation_dropped",
        "dangling_relation",
        "text_mismatch",
    ]
    # plain BMP text: UTF-16 units are code points, nothing to realign
    (plain,) = data.annotations["utf16-002"]
    assert [s.text for s in plain.spans] == ["Ola Berg", "the budget", "the budget must pass"]


@pytest.mark.parametrize(
    ("start", "end", "kind", "says"),
    [
        (-3, 5, "bad_offsets", "negative start"),
        (9, 4, "bad_offsets", "end is not after start"),
        (200, 210, "offset_out_of_range", "beyond the text"),
        ("0", 4, "bad_offsets", "must be integers"),
    ],
)
def test_bad_offsets_name_the_article_and_region(tmp_path, ls, start, end, kind, says):
    text = "Ann Lee said the plan is dead."
    actor = ls.span("x1", text, "Ann Lee", "ACTOR")
    actor["value"].update(start=start, end=end)
    result = [actor, ls.span("c1", text, "the plan is dead", "CLAIM"), ls.rel("x1", "c1", "source")]
    path = _write(tmp_path, "e.json", [ls.task(4, "art-9", text, [ls.ann(7, 3, result)])])
    data = read_exports([path])
    issue = next(i for i in data.issues if i.kind == kind)
    assert (issue.article_id, issue.region, issue.task_id) == ("art-9", "x1", 4)
    assert says in issue.detail and "ACTOR" in issue.detail and "Label Studio" in issue.detail
    # the annotation is left out whole: no claim loses its source behind the reader's back
    assert "art-9" not in data.annotations


def test_two_tasks_with_one_article_id_and_different_texts_are_an_error(tmp_path, ls):
    first = ls.task(1, "art-1", "The first text.", [])
    second = ls.task(2, "art-1", "Another text entirely.", [])
    path = _write(tmp_path, "e.json", [first, second])
    with pytest.raises(ExportReadError, match=r"task 1 .*task 2") as info:
        read_exports([path])
    assert "art-1" in str(info.value) and info.value.exit_code == 3
    # the same task in two snapshots is a newer version, not a clash
    p2 = _write(tmp_path, "later.json", [ls.task(1, "art-1", "The first text, corrected.", [])])
    assert (
        read_exports([_write(tmp_path, "one.json", [first]), p2])
        .articles["art-1"]
        .text.endswith("corrected.")
    )


def test_a_foreign_export_is_refused_naming_what_it_found():
    data = read_exports([FIXTURES / "foreign_ner.json"])
    assert data.foreign["labels"] == {"PER": 2, "ORG": 2, "LOC": 3}
    assert data.foreign["from_names"] == {"ner": 7}
    with pytest.raises(ForeignExportError) as info:
        check_foreign(data, allow_foreign=True)  # nothing of it is ours: refused even when allowed
    message = str(info.value)
    assert "'PER'" in message and "'ner'" in message and "ACTOR" in message and "'label'" in message
    assert info.value.exit_code == 3


def test_a_partly_foreign_export_builds_only_when_allowed(tmp_path, ls):
    text = "Ann Lee said the plan is dead in Oslo."
    result = [
        ls.span("a1", text, "Ann Lee", "ACTOR"),
        ls.span("c1", text, "the plan is dead", "CLAIM"),
        ls.rel("a1", "c1", "source"),
        {**ls.span("l1", text, "Oslo", "LOC"), "from_name": "ner"},
        ls.rel("a1", "c1", "employs"),
    ]
    data = read_exports([_write(tmp_path, "e.json", [ls.task(1, "a", text, [ls.ann(1, 3, result)])])])
    assert set(data.foreign) == {"labels", "from_names", "relation labels"}
    with pytest.raises(ForeignExportError, match="--allow-foreign"):
        check_foreign(data)
    check_foreign(data, allow_foreign=True)
    assert {i.kind for i in data.issues} == {"unknown_from_name", "bad_relation_label"}
    assert [s.id for s in data.annotations["a"][0].spans] == ["a1", "c1"]


def test_rejects_report_lists_every_dropped_item(tmp_path, snapshots):
    data = read_exports(snapshots)
    path = tmp_path / "rejects.jsonl"
    write_rejects(path, data.issues)
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    assert len(rows) == len(data.issues) == 1
    assert set(rows[0]) == {"file", "task", "article_id", "annotation", "region", "reason", "detail", "fix"}
    assert rows[0]["reason"] == "bad_endpoint_labels" and rows[0]["region"] and rows[0]["fix"]


def test_a_reviewers_verdict_never_replaces_their_own_annotation(tmp_path, ls):
    """User 4 annotated the article, then reviewed it on a review task (issue 15): both are kept,
    the review one marked as such; before, the newer review annotation replaced the original."""
    text = "Mayor Li backs the tram."
    own = ls.ann(1, 4, [ls.span("x", text, "Mayor Li", "ACTOR")], updated="2025-01-01T00:00:00Z")
    other = ls.ann(2, 5, [ls.span("z", text, "Mayor Li", "ACTOR")], updated="2025-01-01T00:00:00Z")
    verdict = ls.ann(3, 4, [ls.span("y", text, "the tram", "TARGET")], updated="2025-01-05T00:00:00Z")
    review_task = ls.task(9, "a", text, [verdict])
    review_task["data"]["stancebank_review"] = "1 conflict"
    path = _write(tmp_path, "both.json", [ls.task(1, "a", text, [own, other]), review_task])
    data = read_exports([path])
    got = {
        (a.annotation_id, a.annotator, a.ground_truth, a.extra.get("review", False))
        for a in data.annotations["a"]
    }
    # the verdict is marked review; ground truth only when the reviewer starred it
    assert got == {("1", "ls:4", False, False), ("2", "ls:5", False, False), ("3", "ls:4", False, True)}
    assert data.issues == []
    verdict["ground_truth"] = True
    path = _write(tmp_path, "starred.json", [ls.task(1, "a", text, [own, other]), review_task])
    starred = {a.annotation_id: a.ground_truth for a in read_exports([path]).annotations["a"]}
    assert starred == {"1": False, "2": False, "3": True}


@pytest.mark.parametrize("review_first", [False, True])
def test_a_review_task_never_stands_for_the_article(tmp_path, ls, review_first):
    """The review project's task of an article is newer than the annotated project's: the article's
    task id, fields and pre-annotations stay the annotated task's, in either file order."""
    text = "Mayor Li backs the tram."
    predicted = [ls.span("p", text, "Mayor Li", "ACTOR")]
    main = ls.task(1, "a", text, [], predictions=predicted, updated="2025-01-01T00:00:00Z")
    review = ls.task(9, "a", text, [], predictions=predicted, updated="2025-01-09T00:00:00Z")
    review["data"]["stancebank_review"] = "1 conflict"
    review["data"]["title"] = "review copy"
    review["predictions"][0]["model_version"] = "stancebank-review"
    files = [_write(tmp_path, "main.json", [main]), _write(tmp_path, "review.json", [review])]
    data = read_exports(files[::-1] if review_first else files)
    assert data.task_ids["a"] == 1
    assert data.articles["a"].title == "T a"
    assert data.model_versions == {"m"}
    assert "a" in data.predictions


def test_predictions_are_held_packed_and_come_back_equal() -> None:
    """A task's predictions, packed (relation ends by span position, offsets past 2**31 too), come
    back as the same keys; a store lookup unpacks, ``retain`` keeps only the articles asked for."""
    from stancebank.export.reader import AnnotationCodec, Prediction, PredictionStore
    from stancebank.schema.spec import SPEC

    codec = AnnotationCodec(SPEC)
    actor, claim, target = ("ACTOR", 0, 3), ("CLAIM", 14, 2**31 + 5), ("TARGET", 14, 21)
    spans = (actor, claim, target)
    relations = ((actor, claim, "source"), (claim, target, "oppose"))
    packed = codec.pack_prediction(spans, relations)
    assert codec.unpack_prediction(packed) == Prediction(spans, relations)
    assert codec.unpack_prediction(codec.pack_prediction((), ())) == Prediction((), ())
    store = PredictionStore({"a": packed, "b": codec.pack_prediction((actor,), ())}, codec)
    assert store["a"] == Prediction(spans, relations) and "b" in store and len(store) == 2
    kept = store.retain({"b"})
    assert list(kept) == ["b"] and kept["b"] == Prediction((actor,), ())


def test_annotations_are_held_packed_and_come_back_equal() -> None:
    """The reader holds kept annotations packed (export/reader.py, for memory): what a lookup
    gives back equals the annotation packed, for odd region ids and offsets too."""
    from stancebank.export.reader import AnnotationCodec
    from stancebank.schema.model import Annotation, Relation, Span
    from stancebank.schema.spec import SPEC

    text = "Ann said that the tax is bad. " * 4 + "x" * 100
    spans = (
        Span("a\x1fodd", "ACTOR", 0, 3, text[0:3], {"actor_type": "person", "actor_name": "Ann"}),
        Span("c1", "CLAIM", 14, 28, text[14:28], {"claim_form": "indirect"}),
        Span("", "TARGET", 14, 21, text[14:21]),
    )
    relations = (Relation("a\x1fodd", "c1", "source"), Relation("c1", "", "oppose"))
    codec = AnnotationCodec(SPEC)
    provenance = {"a\x1fodd": "accepted", "c1": "hand", "": "edited"}
    packed = codec.pack("7", "ls:1", True, True, "2026-01-01", spans, relations, provenance)  # type: ignore[arg-type]
    assert codec.unpack(packed, "art", text) == Annotation(
        article_id="art",
        annotation_id="7",
        annotator="ls:1",
        spans=spans,
        relations=relations,
        ground_truth=True,
        updated_at="2026-01-01",
        extra={"provenance": provenance, "review": True},
    )
    empty = codec.pack("8", "ls:2", False, False, None, (), (), {})
    assert codec.unpack(empty, "art", text) == Annotation(
        "art", "8", "ls:2", (), (), extra={"provenance": {}}
    )
    # spans sharing their attributes share one tuple
    again = codec.pack("9", "ls:3", False, False, None, spans, (), provenance)  # type: ignore[arg-type]
    assert again.attributes[1] is packed.attributes[1]


def test_newest_annotation_date_counts_kept_annotations_only(tmp_path, ls):
    text = "Mayor Li backs the tram."
    actor = [ls.span("x", text, "Mayor Li", "ACTOR")]
    kept = ls.ann(1, 4, actor, updated="2025-01-04T22:00:00-05:00")  # 03:00 on the 5th, UTC
    odd_stamp = ls.ann(2, 5, actor, updated="last tuesday")  # kept, but no date to read
    cancelled = ls.ann(3, 6, actor, cancelled=True, updated="2025-03-01T00:00:00Z")
    bad_region = {
        **ls.span("y", text, "tram", "CLAIM"),
        "value": {"start": 20, "end": 99, "labels": ["CLAIM"]},
    }
    dropped = ls.ann(4, 8, [bad_region], updated="2025-04-01T00:00:00Z")
    path = _write(tmp_path, "e.json", [ls.task(1, "a", text, [kept, odd_stamp, cancelled, dropped])])
    data = read_exports([path])
    assert sorted(a.annotation_id for a in data.annotations["a"]) == ["1", "2"]
    assert data.newest_annotation_date == "2025-01-05"

    undated = _write(tmp_path, "u.json", [ls.task(1, "a", text, [odd_stamp])])
    assert read_exports([undated]).newest_annotation_date is None


def _task_with_list_field(ls, where: str, value: object, *, drop: bool = False) -> dict:
    """A one-annotation task whose ``where`` list field is ``value`` (or absent with ``drop``)."""
    text = "Officials said the deal is dead."
    task = ls.task(5, "a", text, [ls.ann(9, 3, [ls.span("s1", text, "Officials", "ACTOR")])])
    task["predictions"] = [{"model_version": "m", "result": []}]
    holder, key = {
        "annotations": (task, "annotations"),
        "result": (task["annotations"][0], "result"),
        "predictions": (task, "predictions"),
        "prediction result": (task["predictions"][0], "result"),
    }[where]
    if drop:
        del holder[key]
    else:
        holder[key] = value
    return task


# how a message names the type of a JSON value that is not a list
A_TYPE = {int: "an int", str: "a str", dict: "a dict", bool: "a bool", float: "a float"}


@pytest.mark.parametrize("where", ["annotations", "result", "predictions", "prediction result"])
@pytest.mark.parametrize("value", [1, "x", {"a": 1}, 0, "", False, {}, True, 0.0])
def test_a_list_that_is_no_list_is_an_issue_not_a_crash(tmp_path, ls, where, value):
    """export build ended with a TypeError traceback on `"annotations": 1` or `"result": 1`, and
    read `"annotations": {...}` as no annotations without a word. A falsy non-list (0, "", false,
    {}) was read as an empty list without a word too (`item.get(key) or []`): every value that is
    neither a list nor absent/null is a bad_list issue naming the field and its type ("is an int",
    not "is a int")."""
    task = _task_with_list_field(ls, where, value)
    data = read_exports([_write(tmp_path, "e.json", [task])])
    (issue,) = [i for i in data.issues if i.kind == "bad_list"]
    assert issue.task_id == 5 and issue.article_id == "a" and issue.fix
    field = where.removeprefix("prediction ")
    assert f"{field} is {A_TYPE[type(value)]}, not a list" in issue.detail
    assert (issue.annotation_id == "9") is (where == "result")
    if where in ("annotations", "result"):  # the annotation is reported, never built
        assert "a" not in data.annotations


@pytest.mark.parametrize("where", ["annotations", "result", "predictions", "prediction result"])
@pytest.mark.parametrize("value", [None, "absent"])
def test_a_list_field_absent_or_null_is_empty_without_an_issue(tmp_path, ls, where, value):
    task = _task_with_list_field(ls, where, value, drop=value == "absent")
    data = read_exports([_write(tmp_path, "e.json", [task])])
    assert data.issues == []
    annotations = data.annotations.get("a", [])
    if where == "annotations":
        assert annotations == []
    else:  # the annotation is kept; a null result is an annotation without regions
        (annotation,) = annotations
        assert len(annotation.spans) == (0 if where == "result" else 1)


@pytest.mark.parametrize("item", [7, "x", None, ["a"], True])
def test_an_annotation_that_is_no_object_is_an_issue(tmp_path, ls, item):
    """An item of `annotations` that is not an object (an id, a string, null) was skipped without
    a word: now a bad_list issue naming its position and type; the task's other annotations are
    still read."""
    text = "Officials said the deal is dead."
    task = ls.task(5, "a", text, [ls.ann(9, 3, [ls.span("s1", text, "Officials", "ACTOR")])])
    task["annotations"].insert(0, item)
    data = read_exports([_write(tmp_path, "e.json", [task])])
    (issue,) = data.issues
    assert issue.kind == "bad_list" and issue.task_id == 5 and issue.article_id == "a"
    expected = "null" if item is None else A_TYPE.get(type(item), "a list")
    assert issue.detail == f"annotations[0] is {expected}, not an annotation object"
    assert [a.annotation_id for a in data.annotations["a"]] == ["9"]


def test_an_export_none_of_whose_tasks_can_be_built_is_refused(tmp_path, snapshots):
    """A JSON_MIN export (flat records: the data fields, one key per control, no 'data' object) is
    a rejects entry per task; the build wrote an empty release from it and exited 0, which CI took
    for success. Now nothing is built and it is an input error (3) saying how to export; tasks that
    are stancebank's but not annotated yet still build (a release without gold)."""
    from stancebank.export.errors import ExportReadError
    from stancebank.export.release import build_release

    flat = [
        {
            **t["data"],
            "id": t["id"],
            "label": [r["value"] for r in t["annotations"][0]["result"] if "value" in r],
        }
        for t in json.loads(snapshots[0].read_text(encoding="utf-8"))
        if t.get("annotations")
    ]
    json_min = _write(tmp_path, "min.json", flat)
    out = tmp_path / "release"
    with pytest.raises(ExportReadError) as info:
        build_release([json_min], "1.0.0", out, registry_path=tmp_path / "registry.json")
    assert info.value.exit_code == 3 and not out.exists()
    assert f"none of its {len(flat)} task(s) can be built (bad_task ×{len(flat)}" in str(info.value)
    assert "not JSON_MIN" in str(info.value)

    unannotated = [{**t, "annotations": []} for t in json.loads(snapshots[0].read_text(encoding="utf-8"))]
    build_release(
        [_write(tmp_path, "todo.json", unannotated)], "1.0.0", out, registry_path=tmp_path / "registry.json"
    )
    assert (out / "release.json").is_file()


@pytest.mark.parametrize("value", [5, "x", {"a": 1}, 0, "", False, {}])
def test_drafts_that_are_no_list_are_an_issue_not_a_crash(tmp_path, ls, value):
    """`"drafts": 5` ended export build with a TypeError traceback (exit 70: len() of an int), and
    `"drafts": "x"` counted one draft per character; a non-list is a bad_list issue like the other
    list fields, and the task's annotations are still read."""
    text = "Officials said the deal is dead."
    task = ls.task(5, "a", text, [ls.ann(9, 3, [ls.span("s1", text, "Officials", "ACTOR")])])
    task["drafts"] = value
    data = read_exports([_write(tmp_path, "e.json", [task])])
    (issue,) = [i for i in data.issues if i.kind == "bad_list"]
    assert f"drafts is {A_TYPE[type(value)]}, not a list" in issue.detail and issue.task_id == 5
    assert data.counts["drafts_ignored"] == 0
    assert [a.annotation_id for a in data.annotations["a"]] == ["9"]


@pytest.mark.parametrize(("value", "counted"), [(None, 0), ([], 0), ([{"id": 1}, {"id": 2}], 2)])
def test_drafts_are_counted_and_ignored(tmp_path, ls, value, counted):
    text = "Officials said the deal is dead."
    task = ls.task(5, "a", text, [ls.ann(9, 3, [ls.span("s1", text, "Officials", "ACTOR")])])
    task["drafts"] = value
    data = read_exports([_write(tmp_path, "e.json", [task])])
    assert data.issues == [] and data.counts["drafts_ignored"] == counted
