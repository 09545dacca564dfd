"""`stancebank validate data/` on the repository's own data tree: clean, also once the pilot's
annotations come back from Label Studio as an export in data/exports/ (no false positives)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from stancebank.schema.cli import app
from stancebank.validation import validate_paths

REPO = Path(__file__).resolve().parents[2]
DATA = REPO / "data"


def test_repo_data_tree_is_clean() -> None:
    report = validate_paths([DATA])
    assert report.findings == [], report.to_text()
    # the committed pilot snapshot(s) in data/exports/ were read, not skipped
    assert report.checked["files"] == len(list((DATA / "exports").glob("*.json"))) >= 1
    assert report.checked["annotations"] > 0


def _export(tasks: list[dict[str, Any]], imports: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The pilot's annotations as a Label Studio export snapshot (annotator ids only, as pulled)."""
    users = {name: 17 + n for n, name in enumerate(sorted({a["annotator"] for a in imports}))}
    out = []
    ann_id = 1
    for index, task in enumerate(tasks):
        anns = []
        for imp in (i for i in imports if i["article_id"] == task["data"]["article_id"]):
            anns.append(
                {
                    "id": ann_id,
                    "completed_by": users[imp["annotator"]],
                    "result": imp["result"],
                    "ground_truth": imp["ground_truth"],
                    "was_cancelled": False,
                    "lead_time": 30.0,
                    "created_at": "2026-01-01T00:00:00Z",
                    "updated_at": "2026-01-01T00:00:00Z",
                    "task": 100 + index,
                    "project": 1,
                }
            )
            ann_id += 1
        out.append({**task, "id": 100 + index, "annotations": anns, "drafts": []})
    return out


def test_data_tree_with_pilot_export_is_clean(tmp_path: Path) -> None:
    tasks_file, imports_file = tmp_path / "tasks.json", tmp_path / "imports.json"
    runner = CliRunner()
    built = runner.invoke(
        app, ["tasks", "build", str(DATA / "raw"), "-o", str(tasks_file), "--no-preannotate"]
    )
    assert built.exit_code == 0, built.output
    resolved = runner.invoke(
        app,
        [
            "tasks",
            "resolve-annotations",
            str(DATA / "pilot" / "pilot.yaml"),
            "--tasks",
            str(tasks_file),
            "-o",
            str(imports_file),
        ],
    )
    assert resolved.exit_code == 0, resolved.output
    data = tmp_path / "data"
    shutil.copytree(DATA, data)
    export = _export(json.loads(tasks_file.read_text()), json.loads(imports_file.read_text()))
    exports = data / "exports"
    shutil.rmtree(exports, ignore_errors=True)  # this test decides which snapshots are there
    exports.mkdir()
    # two pulls of the same project: the same annotations in two snapshots are not duplicates
    for name in ("pilot-20260101T000000Z-0123456789ab.json", "pilot-20260201T000000Z-abcdef012345.json"):
        (exports / name).write_text(json.dumps(export, indent=2))
    report = validate_paths([data])
    assert report.findings == [], report.to_text()
    assert report.checked["annotations"] == 2 * sum(len(t["annotations"]) for t in export) > 0
    assert report.checked["spans"] > 0 and report.checked["files"] == 2
    # the same tree with a broken span in the newer pull is caught there, and only there (a span
    # whose text is not at its offsets nor near them: export build refuses it; offsets that are
    # only off, with the selected text near them, export build realigns, and so does validate)
    task = next(t for t in export if t["annotations"])
    region = next(r for r in task["annotations"][0]["result"] if r.get("type") == "labels")
    region["value"]["text"] = "words the article does not hold"
    (exports / "pilot-20260201T000000Z-abcdef012345.json").write_text(json.dumps(export, indent=2))
    report = validate_paths([data])
    assert {f.check for f in report.findings} == {"span_text_matches"}
    assert {f.file for f in report.findings} == {str(exports / "pilot-20260201T000000Z-abcdef012345.json")}
    assert report.findings[0].span_id == region["id"]
