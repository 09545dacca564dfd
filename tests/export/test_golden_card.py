"""Golden file of the export stage: the dataset card (README.md) of a release that ``stancebank export
build`` makes from the small committed export ``tests/fixtures/export/snapshot_1.json``."""

from __future__ import annotations

from pathlib import Path

from sbtest.golden import assert_golden
from typer.testing import CliRunner

from stancebank.schema.cli import app


def test_dataset_card_matches_its_golden_file(snapshots: list[Path], tmp_path: Path) -> None:
    out = tmp_path / "dist" / "stancebank-1.0.0"
    args = ["export", "build", str(snapshots[0]), "--version", "1.0.0", "--out", str(out)]
    args += ["--registry", str(tmp_path / "split_registry.json"), "--repo", "stancebank/golden"]
    args += ["--license", "cc-by-4.0"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    assert_golden("dataset_card.md", (out / "README.md").read_text(encoding="utf-8"))
