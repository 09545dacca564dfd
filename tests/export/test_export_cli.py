"""`stancebank export build` through the CLI: exit codes, the rejects report, foreign exports."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow.parquet as pq
from typer.testing import CliRunner

from stancebank.schema.cli import app
from stancebank.schema.errors import ExitCode

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "export"


def _build(tmp_path: Path, *exports: Path, extra: tuple[str, ...] = ()) -> tuple[int, str, Path]:
    out = tmp_path / "dist" / "stancebank-1.0.0"
    args = ["export", "build", *map(str, exports), "--version", "1.0.0", "--out", str(out)]
    args += ["--registry", str(tmp_path / "registry.json"), *extra]
    result = CliRunner().invoke(app, args)
    code = result.exit_code
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        code = getattr(result.exception, "exit_code", code)
    return code, result.output + str(result.exception or ""), out


def test_foreign_export_is_refused_before_building(tmp_path: Path) -> None:
    code, output, out = _build(tmp_path, FIXTURES / "foreign_ner.json")
    assert code == ExitCode.INPUT
    text = " ".join(output.split())
    assert "'PER'" in text and "'ner'" in text and "ACTOR" in text
    assert not out.exists()


def test_rejects_report_written_and_first_items_printed(tmp_path: Path) -> None:
    code, output, out = _build(tmp_path, FIXTURES / "utf16_offsets.json")
    assert code == 0, output
    rejects = out.with_name(out.name + ".rejects.jsonl")
    rows = [json.loads(line) for line in rejects.read_text(encoding="utf-8").splitlines()]
    assert {r["reason"] for r in rows} == {"annotation_dropped", "dangling_relation", "text_mismatch"}
    assert all(r["task"] == 1 and r["annotation"] == "12" and r["fix"] for r in rows)
    text = " ".join(output.split())
    assert "item(s) left out" in text and "text_mismatch: task 1, article_id utf16-001" in text
    # the realigned spans are the annotator's selections
    rows = [
        row
        for docs in (out / "data" / "documents").glob("*.parquet")
        for row in pq.read_table(docs).to_pylist()
    ]
    spans = {s["text"] for row in rows if row["article_id"] == "utf16-001" for s in row["spans"]}
    assert spans == {"Ana Mu\u0308ller", "the tram \U0001f68b must stop", "the tram"}
