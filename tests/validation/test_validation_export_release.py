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
        moved.update(article=rows[0]["article_id"], span=span["id"])

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
    # in a release the fix is made at the annotation's source and the release rebuilt
    assert span.hint.startswith("set the span text to text[start:end]")
    assert "in a release: at the annotation's source" in span.hint and "stancebank export build" in span.hint
    assert "in a release" not in by_check["personal_data"].hint
    assert by_check["personal_data"].value == "jane.doe@example.org"
    assert by_check["personal_data"].file == str(ann)
    assert by_check["agreement_threshold"].span_id == "krippendorff_alpha.stance"
    undefined = by_check["agreement_undefined"]
    assert undefined.severity == "warning" and undefined.span_id == "span_f1_overlap.overall"
    assert not report.ok and report.exit_code == 1


def _finding_keys(findings: list[Any]) -> list[str]:
    return sorted(json.dumps(f.to_dict(), sort_keys=True, default=str) for f in findings)


@pytest.mark.parametrize("chunk_rows", [1, 2, 5_000])
def test_release_validated_in_chunks_finds_what_whole_tables_find(
    built: Path, tmp_path: Path, chunk_rows: int
) -> None:
    """Batch-by-batch validation reports exactly the findings of validating the whole release
    read into tables — also for units split across batches (an article listed twice in a file,
    an annotation row repeated)."""
    from stancebank.validation.config import load_config
    from stancebank.validation.release_data import read_release, validate_release_data
    from stancebank.validation.runner import validate_tables

    root = _copy(built, tmp_path)
    docs = sorted((root / "data" / "documents").glob("*.parquet"))[0]

    def corrupt_docs(rows: list[dict[str, Any]]) -> None:
        dup = json.loads(json.dumps(rows[0]))
        dup["spans"][0]["start"] += 1  # the repeated unit: duplicate span ids and a bad offset
        rows.append(dup)
        if len(rows) > 2 and len(rows[1]["spans"]) > 1:
            rows[1]["spans"][1]["id"] = rows[1]["spans"][0]["id"]

    _edit_parquet(docs, corrupt_docs)
    ann = sorted((root / "data" / "annotations").glob("*.parquet"))[0]

    def corrupt_ann(rows: list[dict[str, Any]]) -> None:
        rows.insert(0, json.loads(json.dumps(rows[-1])))
        rows[1]["annotator"] = "jane.doe@example.org"
        if rows[1]["relations"]:
            rows[1]["relations"][0]["to_id"] = "no-such-span"

    _edit_parquet(ann, corrupt_ann)
    cfg = load_config(None)
    whole = validate_tables(read_release(root, cfg).tables, cfg)
    contents, chunked, checked = validate_release_data(root, cfg, chunk_rows=chunk_rows)
    assert contents.findings == []
    assert {"unique_span_id", "span_text_matches", "unique_row_id", "personal_data"} <= {
        f.check for f in chunked
    }
    assert _finding_keys(chunked) == _finding_keys(whole)
    tables = read_release(root, cfg).tables
    assert checked["spans"] == len(tables.spans) and checked["relations"] == len(tables.relations)
    assert checked["annotations"] == len(tables.annotations)


def test_parquet_with_a_missing_column_is_reported_by_name(built: Path, tmp_path: Path) -> None:
    root = _copy(built, tmp_path)
    docs = sorted((root / "data" / "documents").glob("*.parquet"))[0]
    pq.write_table(pq.read_table(docs).drop_columns(["relations"]), docs)
    _rehash(root)
    report = validate_release_dir(root)
    unreadable = [f for f in report.findings if f.check == "malformed_input"]
    assert [f.file for f in unreadable] == [str(docs)]
    assert "missing column(s) ['relations']" in unreadable[0].message


def test_a_bug_while_checking_a_release_is_not_called_an_unreadable_file(
    built: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import stancebank.validation.release_data as release_module

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("a bug in the checks")

    monkeypatch.setattr(release_module, "release_tables", broken)
    with pytest.raises(RuntimeError, match="a bug in the checks"):
        validate_release_dir(built)


def test_corrupted_ready_views_are_caught(built: Path, tmp_path: Path) -> None:
    """Sentences out of bounds / overlapping / padded, a claim outside its context, a claim's
    context that is not its text slice, and a stance row that differs from its claims row."""
    root = _copy(built, tmp_path)
    docs = sorted((root / "data" / "documents").glob("*.parquet"))[0]
    seen: dict[str, Any] = {}

    def break_sentences(rows: list[dict[str, Any]]) -> None:
        padded = rows[0]  # art-001: two sentences, a space between them
        seen["padded"] = padded["article_id"]
        padded["sentences"][1]["start"] -= 1
        overlap = rows[1]
        seen["overlap"] = overlap["article_id"]
        overlap["sentences"].append(dict(overlap["sentences"][-1]))
        outside = rows[2]
        seen["outside"] = outside["article_id"]
        outside["sentences"][-1]["end"] = len(outside["text"]) + 5

    _edit_parquet(docs, break_sentences)
    claims = sorted((root / "data" / "claims").glob("*.parquet"))[0]

    claim_article = pq.read_table(claims, columns=["article_id"]).column(0)[0].as_py()

    def break_context(rows: list[dict[str, Any]]) -> None:
        seen["context"] = rows[0]["claim_id"]
        rows[0]["sentence_end"] = rows[0]["claim_end"] - 1
        seen["slice"] = rows[-1]["claim_id"]
        rows[-1]["sentence"] = rows[-1]["sentence"] + " (edited)"

    _edit_parquet(claims, break_context)
    stance = sorted((root / "data" / "stance").glob("*.parquet"))[0]

    def break_stance(rows: list[dict[str, Any]]) -> None:
        seen["stance"] = rows[0]["claim_id"]
        rows[0]["stance"] = (rows[0]["stance"] + 1) % 3

    _edit_parquet(stance, break_stance)
    _rehash(root)
    report = validate_release_dir(root)
    by_check: dict[str, list[str]] = {}
    for f in report.errors:
        by_check.setdefault(f.check, []).append(f.message + " " + str(f.span_id) + " " + str(f.file))
    sentences = " ".join(by_check["sentence_bounds"])
    assert f"article {seen['outside']!r}" in sentences and "outside the text" in sentences
    assert f"article {seen['overlap']!r}" in sentences and "overlaps" in sentences
    assert f"article {seen['padded']!r}" in sentences and "whitespace" in sentences
    assert seen["context"] in " ".join(by_check["claim_context"])
    # the context's text is checked against the article like any span (span_text_matches)
    assert any(seen["slice"] in m for m in by_check["span_text_matches"])
    stance_msgs = " ".join(by_check["stance_view"])
    assert f"claim {seen['stance']}" in stance_msgs and "missing from the stance config" in stance_msgs
    assert "is not a claims row with a stance" in stance_msgs
    assert str(stance) in stance_msgs
    # the JSON / GitHub outputs name the article and the claim in their own fields too
    located = {(f.check, f.article_id, f.span_id) for f in report.errors}
    assert ("claim_context", claim_article, seen["context"]) in located
    assert any(c == "stance_view" and a and s == seen["stance"] for c, a, s in located)
    assert ("sentence_bounds", seen["outside"], None) in located


def test_same_rows_compares_row_multisets_exactly() -> None:
    """The stance view's quick check: equal only for the same rows (any order, any chunking);
    any difference — a value, a null for "", a repeated row for another — sends the check to the
    row by row comparison, which names the rows."""
    from stancebank.validation.ready_views import _same_rows

    one = pa.table({"a": ["x", "y", "y", None], "b": [1, 2, 2, 3]})
    shuffled = pa.concat_tables([one.slice(2), one.slice(0, 2)]).rename_columns(["p", "q"])
    assert _same_rows(one, shuffled)
    assert not _same_rows(one, pa.table({"a": ["x", "y", "y", None], "b": [1, 2, 9, 3]}))
    assert not _same_rows(one, pa.table({"a": ["x", "y", "y", ""], "b": [1, 2, 2, 3]}))
    assert not _same_rows(one, pa.table({"a": ["x", "x", "y", None], "b": [1, 1, 2, 3]}))
    assert not _same_rows(one, one.slice(1))
    assert not _same_rows(one, one.cast(pa.schema([("a", pa.string()), ("b", pa.int32())])))


def test_a_row_listed_twice_is_named_by_its_id(built: Path, tmp_path: Path) -> None:
    """unique_row_id: an article listed twice in one split's documents, a claims row and a
    stance row repeated, an annotation id used twice in one file — each reported
    once with its config, id and both places, in the table and in the JSON output."""
    root = _copy(built, tmp_path)
    docs = sorted((root / "data" / "documents").glob("*.parquet"))[0]
    first = pq.read_table(docs).to_pylist()[0]
    _edit_parquet(docs, lambda rows: rows.append(dict(rows[0])))
    claims = sorted((root / "data" / "claims").glob("*.parquet"))[0]
    claim = pq.read_table(claims).to_pylist()[0]
    _edit_parquet(claims, lambda rows: rows.append(dict(rows[0])))
    _edit_parquet(
        sorted((root / "data" / "stance").glob("*.parquet"))[0], lambda rows: rows.append(dict(rows[0]))
    )
    ann = sorted((root / "data" / "annotations").glob("*.parquet"))[0]

    def reuse_id(rows: list[dict[str, Any]]) -> None:
        rows[1]["annotation_id"] = rows[0]["annotation_id"]

    _edit_parquet(ann, reuse_id)
    _rehash(root)
    report = validate_release_dir(root)
    dup = [f for f in report.errors if f.check == "unique_row_id"]
    messages = {f.message.split(":")[0]: f for f in dup}
    doc = messages["documents"]
    assert doc.article_id == first["article_id"] and doc.value == first["article_id"]
    assert "2 rows" in doc.message and doc.file == str(docs)
    # the places relative to the release (export build moves a failed release to <out>.failed)
    assert f"{docs.relative_to(root).as_posix()} row 0" in doc.message and str(root) not in doc.message
    row = messages["claims"]
    assert (row.article_id, row.span_id) == (claim["article_id"], claim["claim_id"])
    assert "claim_id" in row.message and "target_id" in row.message and "2 rows" in row.message
    assert "stance" in messages
    reused = [f for f in dup if f.message.startswith("annotation id")]
    assert len(reused) == 2 and {f.file for f in reused} == {str(ann)}
    assert all("listed more than once in this file" in f.message for f in reused)
    assert all("rebuild the release" in f.hint for f in dup)
    assert not any(f.check == "table_schema" for f in report.findings), report.to_text()
    result = CliRunner().invoke(app, ["validate", str(root), "--format", "json"])
    assert result.exit_code == 1
    assert json.loads(result.output)["by_check"]["unique_row_id"] == len(dup)


def test_a_missing_config_is_said_once_per_fact_in_a_line(built: Path, tmp_path: Path) -> None:
    """The stance config's folder deleted: the card names files that are not there (one line,
    the file relative to the release — not datasets' list of a hundred extensions) and the
    config has no file; the stance view is not reported row by row on top of that."""
    root = _copy(built, tmp_path)
    stance_files = sorted((root / "data" / "stance").glob("*.parquet"))
    assert stance_files
    shutil.rmtree(root / "data" / "stance")
    report = validate_release_dir(root)
    checks = {f.check for f in report.errors}
    assert {"card_configs", "manifest_hashes"} <= checks and "stance_view" not in checks, report.to_text()
    configs = [f.message for f in report.errors if f.check == "card_configs"]
    first = stance_files[0].relative_to(root).as_posix()
    assert (
        f"config stance: load_dataset would fail: the card's data_files name {first}, which is not "
        "in the release" in configs
    )
    assert any(m.startswith("config stance has no parquet file") for m in configs)
    assert all(len(f.message) < 300 and "supported extension" not in f.message for f in report.findings)
