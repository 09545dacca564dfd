"""A release built by the real export code (`stancebank export build`) validates clean; corrupting
it afterwards is caught by the right check."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from stancebank.schema.cli import app
from stancebank.validation import validate_paths, validate_release_dir

SNAPSHOTS = Path(__file__).resolve().parents[1] / "fixtures" / "export"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("export-release")
    out = tmp / "dist" / "stancebank-1.0.0"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("STANCEBANK_PSEUDONYM_KEY", "validation-test-secret")
        result = CliRunner().invoke(
            app,
            [
                "export",
                "build",
                str(SNAPSHOTS / "snapshot_1.json"),
                str(SNAPSHOTS / "snapshot_2.json"),
                "--version",
                "1.0.0",
                "--out",
                str(out),
                "--registry",
                str(tmp / "data" / "split_registry.json"),
            ],
        )
    assert result.exit_code == 0, result.output
    return out


def _copy(built: Path, tmp_path: Path) -> Path:
    dest = tmp_path / built.name
    shutil.copytree(built, dest)
    return dest


def _rehash(root: Path) -> None:
    """Make release.json agree with the (edited) files, as a careless hand edit would."""
    manifest = json.loads((root / "release.json").read_text())
    for rel in manifest["files"]:
        manifest["files"][rel] = hashlib.sha256((root / rel).read_bytes()).hexdigest()
    (root / "release.json").write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")


def _edit_parquet(path: Path, edit: Any) -> None:
    table = pq.read_table(path)
    rows = table.to_pylist()
    edit(rows)
    pq.write_table(pa.Table.from_pylist(rows, schema=table.schema), path)


def test_built_release_validates_clean(built: Path) -> None:
    report = validate_release_dir(built)
    assert report.findings == [], report.to_text()
    assert report.checked["releases"] == 1 and report.checked["spans"] > 0
    # the pseudonyms the export writes pass the personal-data check
    annotators = {
        a
        for p in (built / "data" / "annotations").glob("*.parquet")
        for a in pq.read_table(p, columns=["annotator"]).column(0).to_pylist()
    }
    assert annotators and all(re.fullmatch(r"annotator-[0-9a-f]{12}", a) for a in annotators)
    # its agreement object has the layout the default minimums name
    agreement = json.loads((built / "release.json").read_text())["agreement"]
    assert agreement["span_f1_overlap"]["overall"] >= 0.6
    assert agreement["krippendorff_alpha"]["stance"] >= 0.4
    # the CLI agrees (kind detected as a release)
    result = CliRunner().invoke(app, ["validate", str(built)])
    assert result.exit_code == 0, result.output


def test_corrupted_built_release_is_caught(built: Path, tmp_path: Path) -> None:
    root = _copy(built, tmp_path)
    docs = sorted((root / "data" / "documents").glob("*.parquet"))[0]
    moved: dict[str, Any] = {}

    def shift_first_span(rows: list[dict[str, Any]]) -> None:
        span = rows[0]["spans"][0]
        span["start"] += 1
        span["end"] += 1
        moved.update(article=rows[0]["id"], span=span["id"])

    _edit_parquet(docs, shift_first_span)
    ann = sorted((root / "data" / "annotations").glob("*.parquet"))[0]

    def leak_email(rows: list[dict[str, Any]]) -> None:
        rows[0]["annotator"] = "jane.doe@example.org"

    _edit_parquet(ann, leak_email)
    # without rehashing, the manifest catches both edits
    report = validate_release_dir(root)
    hashes = {f.span_id for f in report.errors if f.check == "manifest_hashes"}
    assert hashes == {docs.relative_to(root).as_posix(), ann.relative_to(root).as_posix()}
    # rehashed, the data checks still do
    _rehash(root)
    manifest = json.loads((root / "release.json").read_text())
    manifest["agreement"]["krippendorff_alpha"]["stance"] = 0.1
    manifest["agreement"]["span_f1_overlap"]["overall"] = None
    (root / "release.json").write_text(json.dumps(manifest))
    report = validate_paths([root])
    by_check = {f.check: f for f in report.findings}
    assert "manifest_hashes" not in by_check
    span = by_check["span_text_matches"]
    assert (span.article_id, span.span_id, span.file) == (moved["article"], moved["span"], str(docs))
    assert by_check["personal_data"].value == "jane.doe@example.org"
    assert by_check["personal_data"].file == str(ann)
    assert by_check["agreement_threshold"].span_id == "krippendorff_alpha.stance"
    undefined = by_check["agreement_undefined"]
    assert undefined.severity == "warning" and undefined.span_id == "span_f1_overlap.overall"
    assert not report.ok and report.exit_code == 1
