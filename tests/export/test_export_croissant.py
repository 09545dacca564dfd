"""croissant.json: valid Croissant 1.0 (mlcroissant) whose records are the release's parquet rows."""

from __future__ import annotations

import json
import logging
import subprocess
import sys
from pathlib import Path
from typing import Any

import mlcroissant as mlc
import pyarrow.parquet as pq
import pytest

from stancebank.export.card import FIELD_DOCS
from stancebank.export.croissant import REPO_ID, CroissantFacts, build_croissant
from stancebank.schema.features import dataset_features
from stancebank.schema.layout import sha256_file
from stancebank.schema.spec import SPEC

CLI = [sys.executable, "-m", "stancebank.schema.cli"]


@pytest.fixture(scope="module")
def release(tmp_path_factory: pytest.TempPathFactory) -> Path:
    fixtures = Path(__file__).resolve().parent.parent / "fixtures" / "export"
    work = tmp_path_factory.mktemp("croissant")
    out = work / "release"
    done = subprocess.run(
        [
            *CLI,
            "export",
            "build",
            str(fixtures / "snapshot_1.json"),
            str(fixtures / "snapshot_2.json"),
            "--version",
            "0.1.0",
            "--out",
            str(out),
            "--registry",
            str(work / "registry.json"),
        ],
        capture_output=True,
        text=True,
        env={**__import__("os").environ, "STANCEBANK_PSEUDONYM_KEY": "croissant-test-key"},
    )
    assert done.returncode == 0, done.stderr
    return out


def _files(release: Path) -> dict[str, dict[str, list[str]]]:
    """config -> split -> parquet paths, from the manifest."""
    manifest = json.loads((release / "release.json").read_text(encoding="utf-8"))
    files: dict[str, dict[str, list[str]]] = {}
    for path in sorted(manifest["files"]):
        if path.endswith(".parquet"):
            _, config, name = path.split("/")
            files.setdefault(config, {}).setdefault(name.split("-")[0], []).append(path)
    return files


def _doc(release: Path) -> dict[str, Any]:
    """The croissant.json the build wrote."""
    doc: dict[str, Any] = json.loads((release / "croissant.json").read_text(encoding="utf-8"))
    return doc


def _plain(value: Any) -> Any:
    return value.decode("utf-8") if isinstance(value, bytes) else value


def test_croissant_validates_and_its_records_are_the_parquet_rows(
    release: Path, caplog: pytest.LogCaptureFixture
) -> None:
    doc = _doc(release)
    path = release / "croissant.json"
    with caplog.at_level(logging.WARNING):
        dataset = mlc.Dataset(jsonld=str(path), mapping={REPO_ID: str(release)})
    assert not dataset.metadata.ctx.issues.errors, dataset.metadata.ctx.issues.report()
    # mlcroissant has nothing to warn about: a standard context ("is not standard" before)
    assert not [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    # the RAI facts are the build's: the fixtures' five annotated articles (art-001 by one annotator,
    # art-004 by three, the others by two)
    assert doc["rai:annotationsPerItem"] == (
        "1 to 3 annotators per article (1 article with 1; 3 articles with 2; 1 article with 3)"
    )
    assert doc["version"] == "0.1.0" and doc["citeAs"].startswith("@misc{stancebank,")
    assert doc["conformsTo"] == [
        "http://mlcommons.org/croissant/1.0",
        "http://mlcommons.org/croissant/RAI/1.0",
    ]
    assert {rs["@id"] for rs in doc["recordSet"]} >= {"documents", "claims", "stance", "annotations"}
    # each top-level field says what it holds, as the card's Data Fields do
    stance_fields = {
        f["@id"]: f["description"] for rs in doc["recordSet"] if rs["@id"] == "stance" for f in rs["field"]
    }
    assert stance_fields["stance/context"] == "context: " + FIELD_DOCS["stance"]["context"]
    assert stance_fields["stance/stance"].endswith("A class label (0=support, 1=oppose, 2=neutral).")
    # a column that is an attribute says what the spec says of it, as Data Fields does (it had
    # only 'claim_form: a class label (…)')
    claim_fields = {
        f["@id"]: f["description"] for rs in doc["recordSet"] if rs["@id"] == "claims" for f in rs["field"]
    }
    form = SPEC.attribute_for("claim_form").description
    assert (
        claim_fields["claims/claim_form"]
        == f"claim_form: {form} A class label (0=direct, 1=indirect, 2=mixed)."
    )
    card = (release / "README.md").read_text(encoding="utf-8")
    assert f"| `claim_form` | class label: `direct`, `indirect`, `mixed` | {form} |" in card
    for key in ("dataAnnotationProtocol", "personalSensitiveInformation", "dataLimitations"):
        assert doc[f"rai:{key}"], key

    records: dict[str, list[dict[str, Any]]] = {}
    for config, splits in _files(release).items():
        expected = [
            (split, row)
            for split, paths in sorted(splits.items())
            for p in paths
            for row in pq.read_table(release / p).to_pylist()
        ]
        caplog.clear()
        with caplog.at_level(logging.WARNING):
            got = records[config] = list(dataset.records(config))  # (a second pass reads nothing)
        # the split regex also matches a split name, which mlcroissant transforms a second time
        # (before: one "Could not match" warning per record)
        assert not [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING], config
        assert len(got) == len(expected), config
        # one key column per config, compared row for row (order: as mlcroissant reads the files)
        key = {"documents": "article_id", "annotations": "annotation_id"}.get(config, "claim_id")
        want = sorted((split, str(row[key])) for split, row in expected)
        have = sorted((_plain(r[f"{config}/split"]), str(_plain(r[f"{config}/{key}"]))) for r in got)
        assert have == want, config

    # nested spans carry their text and their attributes (a struct inside the list item)
    first = records["documents"][0]
    spans = first["documents/spans"]
    assert spans, "the first document has spans"
    text = _plain(first["documents/text"])
    for span in spans:
        start, end = span["documents/spans/start"], span["documents/spans/end"]
        assert text[start:end] == _plain(span["documents/spans/text"])
        assert "documents/spans/attributes/claim_form" in span
        assert span["documents/spans/provenance"] in (0, 1, 2)
    sentences = first["documents/sentences"]
    assert sentences and all(
        text[s["documents/sentences/start"] : s["documents/sentences/end"]].strip() for s in sentences
    )
    # the stance view: a classifier's columns, read through Croissant
    assert records["stance"] and {"stance/claim", "stance/context", "stance/stance"} <= set(
        records["stance"][0]
    )


def test_every_parquet_file_is_listed_with_its_hash_and_the_manifest_lists_croissant(release: Path) -> None:
    doc = _doc(release)
    manifest = json.loads((release / "release.json").read_text(encoding="utf-8"))
    listed = {d["contentUrl"]: d["sha256"] for d in doc["distribution"] if d["@type"] == "cr:FileObject"}
    parquet = {p: h for p, h in manifest["files"].items() if p.endswith(".parquet")}
    assert {p: listed[p] for p in parquet} == parquet
    assert listed[doc["url"]] == "main"  # the repository object (no hash for a git tree)
    assert manifest["files"]["croissant.json"] == sha256_file(release / "croissant.json")


def test_build_croissant_states_machine_annotation_tools_only_when_given(release: Path) -> None:
    facts = CroissantFacts(
        name="stancebank",
        version="0.1.0",
        description="d",
        license="cc0-1.0",
        url="https://huggingface.co/datasets/example/stancebank",
        cite_as="@misc{x}",
        date_published=None,
        features=dataset_features(),
        files=_files(release),
        sha256=json.loads((release / "release.json").read_text(encoding="utf-8"))["files"],
        rai={"machineAnnotationTools": ["pre-annotator v1"]},
    )
    assert build_croissant(facts)["rai:machineAnnotationTools"] == ["pre-annotator v1"]
    assert "datePublished" not in build_croissant(facts)


def test_date_published_is_the_newest_kept_annotations_date(release: Path) -> None:
    # snapshot_2 edits an annotation on 2025-02-01, the newest timestamp of the two exports
    doc = json.loads((release / "croissant.json").read_text(encoding="utf-8"))
    assert doc["datePublished"] == "2025-02-01"
