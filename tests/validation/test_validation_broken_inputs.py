"""Inputs broken on purpose: each is reported (file, place, field, fix), none passes."""

from __future__ import annotations

import copy
import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from stancebank.validation import Report, validate_paths

FIX = Path(__file__).resolve().parents[1] / "fixtures" / "validation"


def tasks() -> list[dict[str, Any]]:
    return copy.deepcopy(json.loads((FIX / "tasks_valid.json").read_text(encoding="utf-8")))


def write(path: Path, records: list[dict[str, Any]]) -> Path:
    path.write_text(json.dumps(records, indent=2), encoding="utf-8")
    return path


def checks(report: Report) -> list[str]:
    return [f.check for f in report.findings]


def test_duplicate_article_id_in_a_tasks_file_is_reported(tmp_path: Path) -> None:
    records = tasks()
    for task in records:
        task.pop("predictions")
    records[1]["data"]["article_id"] = records[0]["data"]["article_id"]
    records[1]["data"]["text"] = "Another text entirely."
    report = validate_paths([write(tmp_path / "tasks.json", records)])
    (finding,) = report.findings
    assert finding.check == "malformed_input" and not report.ok
    assert "duplicate data.article_id 'art-0'" in finding.message and "first at line 2" in finding.message
    assert finding.line == 9 and finding.task_id == "#1" and "own data.article_id" in finding.hint


def test_duplicate_article_id_is_not_read_as_duplicate_spans(tmp_path: Path) -> None:
    records = tasks()
    records[1]["data"]["article_id"] = records[0]["data"]["article_id"]
    report = validate_paths([write(tmp_path / "tasks.json", records)])
    assert checks(report) == ["malformed_input"], report.to_text()


def test_offsets_of_the_wrong_type_are_reported(tmp_path: Path) -> None:
    """`export build` drops a region whose offsets are not integers; validate must not pass it."""
    records = tasks()
    first = records[0]["predictions"][0]["result"][0]  # a1's ACTOR region, [0, 9)
    first["value"]["start"] = "0"
    second = records[1]["predictions"][0]["result"][0]
    second["value"]["end"] = 9.0
    report = validate_paths([write(tmp_path / "tasks.json", records)])
    found = sorted((f.line, f.span_id, f.message) for f in report.findings)
    assert [(line, span) for line, span, _ in found] == [(2, "a1"), (205, "a1")], report.to_text()
    assert "value.start is '0' (str), not an integer" in found[0][2]
    assert "value.end is 9.0 (float), not an integer" in found[1][2]
    assert all(f.check == "malformed_input" and "JSON integers" in f.hint for f in report.findings)


def test_an_unreadable_parquet_file_of_a_release_is_a_finding_not_a_crash(tmp_path: Path) -> None:
    """Any parquet file of a release cut short or emptied (a failed copy): malformed_input names it,
    and the checks that do not need it still run."""
    names = sorted(p.relative_to(FIX / "release_valid") for p in (FIX / "release_valid").rglob("*.parquet"))
    assert len(names) == 10
    for number, name in enumerate(names):
        release = tmp_path / str(number)
        shutil.copytree(FIX / "release_valid", release)
        parquet = release / name
        parquet.write_bytes(parquet.read_bytes()[:100] if number % 2 else b"")
        report = validate_paths([release])
        unreadable = [f for f in report.findings if f.check == "malformed_input"]
        assert unreadable and not report.ok, report.to_text()
        assert {f.file for f in unreadable} == {str(parquet)}, report.to_text()
        assert "manifest_hashes" in checks(report)  # the other checks still ran
        assert "stance_view" not in checks(report), report.to_text()  # no row is 'missing'


def test_messages_say_what_is_wrong_with_the_field(tmp_path: Path) -> None:
    """A relation without a label, an article id of the wrong type, predictions that are no list."""
    records = tasks()
    for result in records[0]["predictions"][0]["result"]:
        if result.get("type") == "relation" and result["labels"] == ["oppose"]:
            result["labels"] = []
    records[1]["data"]["article_id"] = 7
    report = validate_paths([write(tmp_path / "tasks.json", records)])
    found = {f.check: f for f in report.findings}
    assert sorted(found) == ["malformed_input", "table_schema"], report.to_text()
    label = found["table_schema"]
    assert (label.span_id, label.message, label.value) == ("c1→t1", "relations.label is missing (null)", None)
    assert found["malformed_input"].message == "data.article_id is 7 (int), not a non-empty string"

    records = tasks()
    records[0]["predictions"] = {"result": []}
    report = validate_paths([write(tmp_path / "tasks.json", records)])
    (finding,) = report.findings
    assert finding.message == "predictions is a dict, not a list", report.to_text()

    export = json.loads((FIX / "export_valid.json").read_text(encoding="utf-8"))
    export[0]["annotations"] = {"result": []}
    report = validate_paths([write(tmp_path / "export.json", export)])
    (finding,) = report.findings
    assert finding.message == "annotations is a dict, not a list", report.to_text()


# how a message names the type of a JSON value that is not a list
A_TYPE = {int: "an int", str: "a str", dict: "a dict", bool: "a bool", float: "a float"}
NOT_LISTS = [0, "", False, {}, 0.0, 5, "x", {"result": []}]


@pytest.mark.parametrize("value", NOT_LISTS)
def test_predictions_that_are_no_list_are_one_finding(tmp_path: Path, value: Any) -> None:
    """`"predictions": 0` (or "", false, {}) was read as no predictions without a word (`or []`);
    `"predictions": 5` said 'is a int, not a list of predictions'. Each is one finding naming the
    record, the field and its type, and the fix."""
    records = tasks()
    records[1]["predictions"] = value
    report = validate_paths([write(tmp_path / "tasks.json", records)])
    (finding,) = report.findings
    assert finding.check == "malformed_input" and not report.ok
    assert finding.message == f"predictions is {A_TYPE[type(value)]}, not a list", report.to_text()
    assert (finding.article_id, finding.task_id) == (records[1]["data"]["article_id"], "#1")
    assert finding.line is not None and "`stancebank tasks build`" in finding.hint


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda t: t.update(predictions=None), "predictions is null, not a list"),
        (lambda t: t["predictions"][0].pop("result"), "prediction 0 has no result"),
        (lambda t: t["predictions"][0].update(result=None), "result is null, not a list"),
    ],
    ids=["null predictions", "no result", "null result"],
)
def test_a_tasks_file_that_push_refuses_does_not_pass_validate(
    tmp_path: Path, change: Any, message: str
) -> None:
    """`studio push` checks a tasks file with `check_task_list` and refuses a null `predictions` or
    a prediction without a result list; validate read both as no predictions and passed the file,
    so CI's validate step was green on a file push then refused. Now each is one finding, and what
    push accepts (predictions absent) still passes."""
    from stancebank.schema.errors import WireError
    from stancebank.schema.wire import check_task_list

    records = tasks()
    change(records[1])
    with pytest.raises(WireError):
        check_task_list(copy.deepcopy(records))
    report = validate_paths([write(tmp_path / "tasks.json", records)])
    (finding,) = report.findings
    assert finding.check == "malformed_input" and not report.ok
    assert finding.message == message, report.to_text()
    assert finding.article_id == records[1]["data"]["article_id"] and "tasks build" in finding.hint

    records = tasks()
    del records[1]["predictions"]
    check_task_list(copy.deepcopy(records))
    assert validate_paths([write(tmp_path / "tasks.json", records)]).ok


@pytest.mark.parametrize("value", NOT_LISTS)
@pytest.mark.parametrize("field", ["annotations", "result"])
def test_annotations_or_a_result_that_are_no_list_are_one_finding(
    tmp_path: Path, field: str, value: Any
) -> None:
    """An export's `annotations` or an annotation's `result` that is 0, "", false or {} was read as
    none (annotations) or said 'result is not a list' without its type or the fix; `export build`
    rejects either (bad_list). One finding names the record, the field, its type and the fix."""
    export = json.loads((FIX / "export_valid.json").read_text(encoding="utf-8"))
    if field == "annotations":
        export[0]["annotations"] = value
    else:
        export[0]["annotations"][0]["result"] = value
    report = validate_paths([write(tmp_path / "export.json", export)])
    (finding,) = report.findings
    assert finding.check == "malformed_input" and not report.ok
    assert finding.message == f"{field} is {A_TYPE[type(value)]}, not a list", report.to_text()
    assert (finding.article_id, finding.task_id) == ("art-1", "101")
    assert finding.annotation_id == (None if field == "annotations" else "5001")
    assert "export the project again" in finding.hint


@pytest.mark.parametrize("field", ["annotations", "result"])
def test_annotations_or_a_result_absent_or_null_are_empty_as_export_build_reads_them(
    tmp_path: Path, field: str
) -> None:
    """`export build` reads an absent or null list field as empty, without an issue; so does
    validate (a null result was 'annotation 5001: result is not a list')."""
    for drop in (True, False):
        export = json.loads((FIX / "export_valid.json").read_text(encoding="utf-8"))
        holder = export[0] if field == "annotations" else export[0]["annotations"][0]
        if drop:
            del holder[field]
        else:
            holder[field] = None
        report = validate_paths([write(tmp_path / "export.json", export)])
        assert not [f for f in report.findings if f.check == "malformed_input"], report.to_text()


def test_a_file_that_cannot_be_read_is_named_once(tmp_path: Path) -> None:
    """The finding's place is the file and line; its message does not repeat them."""
    path = tmp_path / "tasks.json"
    path.write_bytes(b'[\n{"data": {"article_id": "a", "text": "Caf\xe9"}}\n]')
    (finding,) = validate_paths([path]).findings
    assert (finding.file, finding.line) == (str(path), 2)
    assert (
        finding.message
        == "byte 0xe9 at offset 43 is not UTF-8 (invalid continuation byte); save the file as UTF-8"
    )


def test_a_file_that_cannot_be_read_is_not_told_to_fix_a_record(tmp_path: Path) -> None:
    """An empty file, bytes that are not UTF-8, a JSON object: the message says the fix for the
    file; the hint said 'fix the record so that it follows the Label Studio task format (see
    schema/wire.py)' — there is no record, and no such file (the reader is the schema/wire/ package)."""
    bad = {"empty.json": b"", "latin.json": b'[{"data": {"text": "caf\xe9"}}]', "object.json": b'{"a": 1}'}
    for name, content in bad.items():
        (tmp_path / name).write_bytes(content)
        (finding,) = validate_paths([tmp_path / name], kind="tasks").findings
        assert finding.check == "malformed_input", finding
        assert "record" not in finding.hint and "wire.py" not in finding.hint, finding.hint


def test_an_export_is_judged_by_the_offset_rule_export_build_uses(tmp_path: Path) -> None:
    """Label Studio's UTF-16 offsets and offsets of the text with \\r\\n seen as \\n are realigned
    by export build (schema.wire.offsets.locate_region); validate judged them by code points and
    failed exports that build cleanly. A region no reading places is still reported."""
    export = json.loads((FIX / "export_valid.json").read_text(encoding="utf-8"))
    text = export[0]["data"]["text"]
    export[0]["data"]["text"] = "🚋 " + text.replace(". ", ".\r\n", 1)  # offsets: UTF-16, \r\n as \n
    for result in export[0]["annotations"][0]["result"]:
        if "start" in result.get("value", {}):
            result["value"]["start"] += 3
            result["value"]["end"] += 3
    report = validate_paths([write(tmp_path / "export.json", export)])
    assert report.ok and not report.findings, report.to_text()

    for result in export[0]["annotations"][0]["result"]:
        if result.get("id") == "t2" and result["type"] == "labels":
            result["value"]["text"] = "the bus"  # nowhere near: refused by the build too
    report = validate_paths([write(tmp_path / "export.json", export)])
    assert [(f.check, f.span_id) for f in report.findings] == [("span_text_matches", "t2")], report.to_text()


def test_findings_of_two_annotations_of_one_task_name_each_annotation(tmp_path: Path) -> None:
    """Two annotators drew region t1 wrong in the same task: two findings told apart by their
    annotation (they differed only in the value before)."""
    export = json.loads((FIX / "export_valid.json").read_text(encoding="utf-8"))
    second = copy.deepcopy(export[0]["annotations"][0])
    second["id"], second["completed_by"] = 5002, 8
    export[0]["annotations"].append(second)
    for annotation in export[0]["annotations"]:
        for result in annotation["result"]:
            if result.get("id") == "t1" and result["type"] == "labels":
                result["value"]["text"] = f"nothing like it {annotation['id']}"
    report = validate_paths([write(tmp_path / "export.json", export)])
    found = [(f.check, f.span_id, f.annotation_id) for f in report.findings]
    assert found == [("span_text_matches", "t1", "5001"), ("span_text_matches", "t1", "5002")], found
    assert "task 101, annotation 5002, span t1" in report.findings[1].location()
    assert report.to_json_dict()["findings"][1]["annotation_id"] == "5002"


def test_a_region_whose_labels_are_no_list_is_named(tmp_path: Path) -> None:
    """`"labels": "ACTOR"` (a string): export build drops the region; validate says why, at the
    region (it said 'spans.label is missing (null)')."""
    records = tasks()
    records[0]["predictions"][0]["result"][0]["value"]["labels"] = "ACTOR"
    report = validate_paths([write(tmp_path / "tasks.json", records)])
    named = [f for f in report.findings if f.check == "malformed_input"]
    assert [(f.span_id, f.message) for f in named] == [
        ("a1", "value.labels is 'ACTOR' (str), not a list of one label")
    ], report.to_text()
    assert "ACTOR, CLAIM, TARGET" in named[0].hint
    assert "table_schema" not in checks(report)  # not also 'spans.label is missing (null)'


def test_a_release_json_that_cannot_be_read_is_one_finding(tmp_path: Path) -> None:
    """Not also five 'agreement … is absent from release.json' warnings: it was not read."""
    release = tmp_path / "release"
    shutil.copytree(FIX / "release_valid", release)
    for content, says in (("{bad", "is not valid JSON"), ("[1, 2]", "is a JSON list, not an object")):
        (release / "release.json").write_text(content, encoding="utf-8")
        report = validate_paths([release])
        assert checks(report) == ["manifest_hashes"], report.to_text()
        assert says in report.findings[0].message


def test_a_registry_or_manifest_that_is_not_utf8_is_named_not_a_crash(tmp_path: Path) -> None:
    """Latin-1 bytes in split_registry.json or release.json: a finding (validate) or an ExportError
    (export build --previous, publish) naming the file — they raised UnicodeDecodeError (exit 70)."""
    from stancebank.export.manifest import read_manifest
    from stancebank.export.release import ExportError
    from stancebank.export.splits import load_registry

    data = tmp_path / "data"
    shutil.copytree(FIX / "data_registry_moved", data)
    (data / "split_registry.json").write_bytes('{"art-1": "train", "caf\xe9": "test"}'.encode("latin-1"))
    report = validate_paths([data], previous=FIX / "release_valid")
    named = [f for f in report.findings if f.check == "malformed_input"]
    assert [f.file for f in named] == [str(data / "split_registry.json")], report.to_text()
    where = "line 1: byte 0xe9 is not UTF-8 (invalid continuation byte); save the file as UTF-8"
    assert named[0].message == f"cannot read the split registry: {where}"
    try:
        load_registry(data / "split_registry.json")
    except ExportError as err:
        assert str(err) == f"cannot read the split registry {data / 'split_registry.json'}, {where}"
    else:
        raise AssertionError("load_registry accepted bytes that are not UTF-8")
    release = tmp_path / "release"
    shutil.copytree(FIX / "release_valid", release)
    (release / "release.json").write_bytes(b'{"version": "1.0.0", "note": "caf\xe9"}')
    try:
        read_manifest(release)
    except ExportError as err:
        assert str(err) == (
            f"cannot read the release manifest {release / 'release.json'}, line 1: byte 0xe9 is not "
            "UTF-8 (invalid continuation byte); save the file as UTF-8"
        )
    else:
        raise AssertionError("read_manifest accepted bytes that are not UTF-8")


def test_regions_of_another_labeling_config_are_one_error(tmp_path: Path) -> None:
    """export build refuses an export with regions of another labeling config (exit 3); validate
    passed it (those regions were skipped as 'not ours'), so CI passed what the build refuses."""
    foreign = Path(__file__).resolve().parents[1] / "fixtures" / "export" / "foreign_ner.json"
    report = validate_paths([foreign])
    (finding,) = report.findings
    assert finding.check == "malformed_input" and finding.severity == "error" and not report.ok
    assert finding.message.startswith("7 region(s) of another labeling config ('LOC' from 'ner' ×3")
    assert (finding.line, finding.annotation_id, finding.span_id) == (2, "101", "r0")
    assert "--allow-foreign" in finding.hint
    # one region of another control in a tasks file's prediction: named, with the tasks fix
    records = tasks()
    region = copy.deepcopy(records[0]["predictions"][0]["result"][0])
    region.update(id="x9", from_name="ner")
    records[0]["predictions"][0]["result"].append(region)
    report = validate_paths([write(tmp_path / "tasks.json", records)])
    assert checks(report) == ["malformed_input"], report.to_text()
    assert report.findings[0].span_id == "x9" and "from 'ner' ×1" in report.findings[0].message
    assert "stancebank tasks build" in report.findings[0].hint


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("predictions", 0, "predictions is an int, not a list"),
        ("predictions", None, None),
        ("drafts", 0, "drafts is an int, not a list"),
        ("drafts", "x", "drafts is a str, not a list"),
        ("prediction result", {}, "a prediction's result is a dict, not a list"),
        ("prediction result", None, None),
    ],
)
def test_an_export_that_export_build_rejects_does_not_pass_validate(
    tmp_path: Path, field: str, value: Any, message: str | None
) -> None:
    """validate passed an export whose `predictions`, `drafts` or a prediction's `result` is no
    list, which `export build` rejects (bad_list): the two commands read one file two ways. Now each
    is one finding in validate's words and build's, and what build reads as none (null) passes."""
    from stancebank.export.reader import read_exports

    export = json.loads((FIX / "export_valid.json").read_text(encoding="utf-8"))
    if field == "prediction result":
        export[0]["predictions"] = [{"model_version": "m", "result": value}]
    else:
        export[0][field] = value
    path = write(tmp_path / "export.json", export)
    rejects = [i.detail for i in read_exports([path]).issues if i.kind == "bad_list"]
    report = validate_paths([path])
    if message is None:
        assert rejects == [] and report.ok, report.to_text()
        return
    (finding,) = report.findings
    assert finding.check == "malformed_input" and finding.message == message, report.to_text()
    assert (
        finding.article_id == export[0]["data"]["article_id"] and "export the project again" in finding.hint
    )
    assert rejects == [message]
