"""A path with nothing to check is an error, never ``"ok": true`` with nothing checked."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
from typer.testing import CliRunner

from stancebank.schema.cli import app
from stancebank.validation import Report, validate_paths

FIX = Path(__file__).resolve().parents[1] / "fixtures" / "validation"
runner = CliRunner()


def checks(report: Report) -> dict[str, str]:
    return {f.check: f.severity for f in report.findings}


def validate_json(*args: str) -> tuple[int, dict]:
    result = runner.invoke(app, ["validate", *args, "--format", "json"])
    return result.exit_code, json.loads(result.stdout)


def test_empty_folder_is_an_error_exit_1(tmp_path: Path) -> None:
    code, data = validate_json(str(tmp_path), "--strict")
    assert code == 1 and data["ok"] is False
    (finding,) = data["findings"]
    assert finding["check"] == "nothing_to_check" and finding["file"] == str(tmp_path)
    assert "nothing to validate" in finding["message"]


def test_folder_without_release_tasks_or_export() -> None:
    report = validate_paths([FIX / "folder_without_release"])
    assert checks(report) == {"nothing_to_check": "error"}, report.to_text()
    assert not report.ok


def test_release_layout_without_manifest_is_checked_as_a_release() -> None:
    # data/documents/*.parquet with the wrong columns, no release.json, no card
    report = validate_paths([FIX / "release_without_manifest"])
    assert report.checked.get("releases") == 1
    found = {f.check: f for f in report.errors}
    assert {"manifest_hashes", "malformed_input", "card_features"} <= set(found), report.to_text()
    assert found["manifest_hashes"].message == "release.json is missing"
    assert found["malformed_input"].file is not None
    assert found["malformed_input"].file.endswith("data/documents/train-00000-of-00001.parquet")


def test_release_inside_a_data_tree_without_manifest(tmp_path: Path) -> None:
    release = tmp_path / "releases" / "v1"
    path = release / "data" / "claims" / "train-00000-of-00001.parquet"
    path.parent.mkdir(parents=True)
    pq.write_table(pa.table({"x": [1]}), path)
    report = validate_paths([tmp_path])
    assert report.checked.get("releases") == 1 and not report.ok
    assert "nothing_to_check" not in checks(report)


def test_stray_parquet_is_reported_not_skipped(tmp_path: Path) -> None:
    stray = tmp_path / "stray.parquet"
    pq.write_table(pa.table({"headline": ["x"]}), stray)
    report = validate_paths([tmp_path])
    assert checks(report) == {"unchecked_file": "warning", "nothing_to_check": "error"}
    (warning,) = report.warnings
    assert warning.file == str(stray)


def test_empty_tasks_file_is_an_error(tmp_path: Path) -> None:
    empty = tmp_path / "tasks.json"
    empty.write_text("[]\n")
    report = validate_paths([empty], kind="tasks")
    assert checks(report) == {"nothing_to_check": "error"}
    assert "holds no tasks" in report.findings[0].message


def test_data_tree_with_inputs_has_no_nothing_to_check_finding() -> None:
    report = validate_paths([FIX / "data_registry_moved"])
    assert "nothing_to_check" not in checks(report)
