"""Golden file of the tasks stage: ``stancebank tasks build`` over the small committed articles in
``tests/golden/inputs/`` (a .txt and a .jsonl record), with pre-annotation, written as a user gets it."""

from __future__ import annotations

from pathlib import Path

import pytest
from sbtest.golden import GOLDEN, assert_golden
from typer.testing import CliRunner

from stancebank.schema.cli import app


@pytest.mark.slow
def test_tasks_file_matches_its_golden_file(
    repo_root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(repo_root)  # the tasks name their input file relative to the working directory
    inputs = GOLDEN.relative_to(repo_root) / "inputs"
    out = tmp_path / "tasks.json"
    result = CliRunner().invoke(app, ["tasks", "build", str(inputs), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert_golden("tasks.json", out.read_text(encoding="utf-8"))
