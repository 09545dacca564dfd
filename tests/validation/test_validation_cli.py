"""`stancebank validate`: exit codes and the three output formats."""

from __future__ import annotations

import copy
import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from stancebank.schema.cli import app
from stancebank.validation.report import FINDING_KEYS

FIX = Path(__file__).resolve().parents[1] / "fixtures" / "validation"
runner = CliRunner()


def run(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, ["validate", *args])
    return result.exit_code, result.output


def test_clean_file_exits_0() -> None:
    code, out = run(str(FIX / "tasks_valid.json"))
    assert code == 0 and "OK: 0 error(s)" in out


def test_errors_exit_1_with_table() -> None:
    code, out = run(str(FIX / "tasks_text_mismatch.json"))
    assert code == 1
    assert "span_text_matches" in out and "FAILED: 1 error(s)" in out


def test_warnings_fail_only_with_strict() -> None:
    assert run(str(FIX / "tasks_bidirectional_relation.json"))[0] == 0
    assert run(str(FIX / "tasks_bidirectional_relation.json"), "--strict")[0] == 1


def test_usage_errors_exit_2(tmp_path: Path) -> None:
    assert run(str(tmp_path / "missing.json"))[0] == 2
    other = tmp_path / "notes.txt"
    other.write_text("hello")
    assert run(str(other))[0] == 2
    assert run(str(FIX / "tasks_valid.json"), "--kind", "release")[0] == 2
    assert run(str(FIX / "tasks_valid.json"), "--kind", "nonsense")[0] == 2
    bad = tmp_path / "cfg.yaml"
    bad.write_text("severity:\n  nope: error\n")
    assert run(str(FIX / "tasks_valid.json"), "--config", str(bad))[0] == 2


def test_json_format_has_stable_keys() -> None:
    code, out = run(str(FIX / "tasks_offset_outside.json"), "--format", "json")
    assert code == 1
    data = json.loads(out)
    assert list(data) == ["ok", "strict", "errors", "warnings", "checked", "by_check", "findings"]
    assert data["ok"] is False and data["errors"] == 1 and data["by_check"] == {"span_within_text": 1}
    (finding,) = data["findings"]
    assert tuple(finding) == FINDING_KEYS
    assert finding["check"] == "span_within_text" and finding["line"] == 205 and finding["span_id"] == "t2"


def test_github_format_annotations() -> None:
    code, out = run(str(FIX / "tasks_duplicate_span_id.json"), "--format", "github")
    assert code == 1
    lines = out.strip().splitlines()
    assert lines[0].startswith(
        f"::error file={FIX / 'tasks_duplicate_span_id.json'},line=205,title=unique_span_id::"
    )
    assert "span t1" in lines[0]
    code, out = run(str(FIX / "tasks_bidirectional_relation.json"), "--format", "github")
    assert code == 0 and out.startswith("::warning file=")


def test_kind_detection_and_forced_kind() -> None:
    assert run(str(FIX / "export_valid.json"))[0] == 0
    assert run(str(FIX / "release_valid"))[0] == 0
    assert run(str(FIX / "release_bad_hash"), "--kind", "release")[0] == 1
    # an export read as tasks has no predictions: nothing to check but the articles
    assert run(str(FIX / "export_claim_without_source.json"), "--kind", "tasks")[0] == 0


def test_summary_counts_one_thing_in_the_singular() -> None:
    """'checked 1 release', not '1 releases' (a release folder is one release)."""
    from stancebank.validation.report import Report

    report = Report(checked={"articles": 11, "annotations": 1, "spans": 0, "releases": 1})
    assert report.summary().endswith("checked 11 articles, 1 annotation, 1 release")
    code, out = run(str(FIX / "release_valid"))
    assert code == 0 and "1 release" in out and "1 releases" not in out


def test_previous_and_registry_that_do_not_exist_are_usage_errors(tmp_path: Path) -> None:
    """Exit 2 (README: a path that does not exist), never a pass that skipped the split checks."""
    code, out = run(str(FIX / "release_valid"), "--previous", str(tmp_path / "v0.0.9"))
    assert code == 2 and "--previous" in out and "not a release folder" in " ".join(out.split())
    code, out = run(str(FIX / "release_valid"), "--previous", str(FIX / "tasks_valid.json"))
    assert code == 2 and "not a release folder" in " ".join(out.split())
    code, out = run(str(FIX / "release_valid"), "--registry", str(tmp_path / "registry.json"))
    assert code == 2 and "--registry" in out and "no such file" in " ".join(out.split())


def test_output_that_is_no_terminal_has_one_line_per_finding(tmp_path: Path) -> None:
    """CI logs (no TTY, 80 columns): a long path stays whole on its finding's line and the summary
    is one line (the table folded the path over 19 lines and broke words mid-way)."""
    folder = tmp_path / ("a-long-folder-name-of-a-ci-runner-" * 3) / "data" / "exports"
    folder.mkdir(parents=True)
    path = folder / "stancebank-pilot-20261122T154724Z-16e4cc5efedd.json"
    records = json.loads((FIX / "tasks_text_mismatch.json").read_text(encoding="utf-8"))
    copies = [copy.deepcopy(records) for _ in range(3)]  # one finding per copy
    for number, tasks in enumerate(copies):
        for task in tasks:
            task["data"]["article_id"] += f"-{number}"
    path.write_text(json.dumps([task for tasks in copies for task in tasks]), encoding="utf-8")
    code, out = run(str(path), "--config", str(_max_rows(tmp_path, 2)))
    lines = out.splitlines()
    assert code == 1 and len(lines) == 5, out
    assert all(line.startswith(f"ERROR span_text_matches at {path}:") for line in lines[:2]), out
    assert "text[15:45] differs" in lines[0] and "fix: set the span text" in lines[0]
    assert lines[2] == "… 1 more (use --format json for all)"
    assert lines[3] == "by check: span_text_matches: 3"
    assert lines[-1].startswith("FAILED: ") and lines[-1].endswith("1 file")


def _max_rows(tmp_path: Path, rows: int) -> Path:
    config = tmp_path / "validation.yaml"
    config.write_text(f"report:\n  max_rows: {rows}\n", encoding="utf-8")
    return config


def test_a_json_min_export_is_named_with_what_to_download(tmp_path: Path) -> None:
    """Label Studio's JSON_MIN export (flat records, no 'data'): say which export to download."""
    path = tmp_path / "project-1-at-2026.json"
    path.write_text(json.dumps([{"id": 1, "text": "x", "label": []}]), encoding="utf-8")
    code, out = run(str(path))
    text = " ".join(out.split())
    assert code == 2 and "the first record has no 'data' object" in text, out
    assert "a Label Studio JSON export (not JSON_MIN or CSV)" in text and "--kind" in text


@pytest.mark.parametrize(
    ("yaml_text", "says"),
    [
        ("report:\n  max_rows: abc\n", "report.max_rows: must be a whole number of at least 1, not 'abc'"),
        ("report:\n  rows: 5\n", "report.rows: unknown key; known: max_rows"),
        ("severity: [1, 2]\n", "severity: must be a mapping (key: value lines under it), not [1, 2]"),
        (
            "thresholds:\n  agreement_min:\n    span_f1_overlap.overall: high\n",
            "thresholds.agreement_min.span_f1_overlap.overall: must be a number or null, not 'high'",
        ),
        (
            "personal_data:\n  annotator_pattern: '(['\n",
            "personal_data.annotator_pattern: not a regular expression",
        ),
        (
            "personal_data:\n  denylist: alice\n",
            "personal_data.denylist: must be a list of strings, not 'alice'",
        ),
        (
            "span_text:\n  normalize_whitespace_for: export\n",
            "span_text.normalize_whitespace_for: must be a list of tasks, export, not 'export'",
        ),
    ],
)
def test_a_malformed_validation_config_is_a_usage_error(tmp_path: Path, yaml_text: str, says: str) -> None:
    """Exit 2 with the key and the fix (a wrong type was a traceback with exit 1, or ignored)."""
    config = tmp_path / "validation.yaml"
    config.write_text(yaml_text, encoding="utf-8")
    code, out = run(str(FIX / "tasks_valid.json"), "--config", str(config))
    assert code == 2 and says in " ".join(out.split()), out


def test_span_text_normalize_whitespace_for_is_honoured(tmp_path: Path) -> None:
    """The documented option was read by nothing: exports always compared whitespace loosely."""
    config = tmp_path / "validation.yaml"
    config.write_text("span_text:\n  normalize_whitespace_for: []\n", encoding="utf-8")
    assert run(str(FIX / "export_whitespace_text.json"))[0] == 0
    code, out = run(str(FIX / "export_whitespace_text.json"), "--config", str(config))
    assert code == 1 and "span_text_matches" in out, out


def test_a_previous_release_with_an_unreadable_file_is_a_usage_error(tmp_path: Path) -> None:
    previous = tmp_path / "v0.0.9"
    shutil.copytree(FIX / "release_valid", previous)
    (previous / "data" / "documents" / "train-00000-of-00001.parquet").write_bytes(b"")
    code, out = run(str(FIX / "release_valid"), "--previous", str(previous))
    text = " ".join(out.split())
    assert code == 2 and "--previous" in text and "train-00000-of-00001.parquet" in text, out


def test_a_validation_config_that_is_not_utf8_is_a_usage_error_naming_the_line(tmp_path: Path) -> None:
    """A Latin-1 byte in --config ended the command with a UnicodeDecodeError traceback (exit 70,
    before that 1); it is a malformed config file: exit 2, its line, the byte and the fix."""
    config = tmp_path / "validation.yaml"
    config.write_bytes(b"report:\n  # caf\xe9\n  max_rows: 5\n")
    code, out = run(str(FIX / "tasks_valid.json"), "--config", str(config))
    assert code == 2, out
    assert (
        f"{config}, line 2: byte 0xe9 is not UTF-8 (invalid continuation byte); save the file as UTF-8"
        in " ".join(out.split())
    ), out


def test_a_data_tree_compares_each_file_by_its_own_whitespace_rule(tmp_path: Path) -> None:
    """span_text.normalize_whitespace_for is per kind ([export] by default): in a data tree holding
    a tasks file and an export, the tasks' span texts were compared up to whitespace too (one flag
    for the concatenated tables), so a prediction whose text differs in whitespace passed."""
    data = tmp_path / "data"
    (data / "tasks").mkdir(parents=True)
    (data / "exports").mkdir()
    tasks = json.loads((FIX / "tasks_valid.json").read_text(encoding="utf-8"))
    region = tasks[0]["predictions"][0]["result"][0]
    assert region["value"]["text"] == "The mayor"
    region["value"]["text"] = "The  mayor"
    (data / "tasks" / "tasks.json").write_text(json.dumps(tasks), encoding="utf-8")
    # an export whose span texts differ in whitespace only: not an error (the build re-derives them)
    shutil.copy(FIX / "export_whitespace_text.json", data / "exports" / "export.json")
    code, out = run(str(data), "--format", "json")
    findings = json.loads(out)["findings"]
    assert [(f["check"], Path(f["file"]).name, f["span_id"]) for f in findings] == [
        ("span_text_matches", "tasks.json", region["id"])
    ], out
    assert code == 1


def test_severity_off_written_unquoted_turns_a_check_off(tmp_path: Path) -> None:
    """validation/defaults.yaml documents `off` as a severity, and YAML reads an unquoted `off` as
    false: `relation_direction: off` was refused ('False is not one of error, warning, off')."""
    config = tmp_path / "validation.yaml"
    config.write_text("severity:\n  relation_direction: off\n", encoding="utf-8")
    fixture = str(FIX / "tasks_bidirectional_relation.json")
    assert run(fixture, "--strict")[0] == 1  # the warning, without the config
    code, out = run(fixture, "--strict", "--config", str(config))
    assert code == 0 and "relation_direction" not in out, out


def test_a_region_without_an_offset_is_one_finding(tmp_path: Path) -> None:
    """A region with no value.start (or no value.end) is one malformed_input finding naming the
    field and the fix; it was also a span_within_text finding 'offsets [-1, 9)' (the missing
    offset read as -1 and checked). A region whose offsets are integers outside the text (a real -1
    among them) is still reported, in the same file and next to a tasks file (tables concatenated)."""
    export = json.loads((FIX / "export_valid.json").read_text(encoding="utf-8"))
    for result in export[0]["annotations"][0]["result"]:
        if result["type"] != "labels":
            continue
        if result["id"] == "a1":  # an ACTOR with an attribute and relations
            del result["value"]["start"]
        elif result["id"] == "t2":
            del result["value"]["end"]
        elif result["id"] == "a2":  # offsets outside the text, its text nowhere (not realigned)
            result["value"].update(start=-1, end=9, text="nowhere in the text")
    path = tmp_path / "export.json"
    path.write_text(json.dumps(export, indent=1), encoding="utf-8")
    for paths in ([str(path)], [str(path), str(FIX / "tasks_valid.json")]):
        code, out = run(*paths, "--format", "json")
        found = [(f["check"], f["span_id"], f["message"]) for f in json.loads(out)["findings"]]
        assert sorted(found) == [
            ("malformed_input", "a1", "value.start is missing, not an integer"),
            ("malformed_input", "t2", "value.end is missing, not an integer"),
            ("span_within_text", "a2", "offsets [-1, 9) are outside the article text (length 80) or empty"),
        ], out
        assert code == 1
    finding = next(f for f in json.loads(out)["findings"] if f["span_id"] == "a1")
    where = (Path(finding["file"]).name, finding["task_id"], finding["annotation_id"])
    assert where == ("export.json", "101", "5001")
    assert "JSON integers" in finding["hint"]
