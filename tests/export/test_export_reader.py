from __future__ import annotations

import json
from pathlib import Path

import pytest

from stancebank.export.errors import ExportReadError
from stancebank.export.reader import read_exports


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
    assert [s.id for s in data.annotations["a"][0].spans] == ["s1"]


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
