"""A release in which no article has reached gold (every article's annotators conflict): every
config is written — an empty one as one empty ``train`` file with its exact features — the card
says why and how it loads, and the validator checks that every config exists and loads."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import datasets
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import yaml

from stancebank.export.release import build_release, validate_release_folder
from stancebank.export.splits import hash_split
from stancebank.schema.features import CONFIGS, dataset_features

GOLD_CONFIGS = ("documents", "claims", "stance")


def _conflicts_only(tmp_path: Path, snapshots: list[Path]) -> Path:
    """An export of art-003 alone, the article whose two annotators conflict (snapshot_1)."""
    tasks = [t for t in json.loads(snapshots[0].read_text()) if t["data"]["article_id"] == "art-003"]
    assert len(tasks) == 1 and len(tasks[0]["annotations"]) == 2
    path = tmp_path / "conflicts.json"
    path.write_text(json.dumps(tasks), encoding="utf-8")
    return path


@pytest.fixture
def no_gold(tmp_path: Path, snapshots: list[Path]) -> Path:
    out = tmp_path / "dist" / "stancebank-0.1.0"
    result = build_release(
        [_conflicts_only(tmp_path, snapshots)], "0.1.0", out, registry_path=tmp_path / "split_registry.json"
    )
    assert result.pending_review == ["art-003"] and result.methods["conflict"] == 1
    return out


def test_every_config_is_written_and_loads_with_its_exact_features(no_gold: Path, tmp_path: Path) -> None:
    features = dataset_features()
    split = hash_split("art-003")
    manifest = json.loads((no_gold / "release.json").read_text())
    assert manifest["counts"] == {
        "documents": {"train": 0},
        "claims": {"train": 0},
        "stance": {"train": 0},
        "annotations": {split: 2},
    }
    for config in GOLD_CONFIGS:
        path = no_gold / "data" / config / "train-00000-of-00001.parquet"
        meta = pq.ParquetFile(path).metadata
        assert meta.num_rows == 0 and meta.num_row_groups == 0
        assert pq.read_schema(path).remove_metadata() == features[config].arrow_schema.remove_metadata()
    cache = str(tmp_path / "cache")
    for config in CONFIGS:
        # load_dataset finds every config (it was "BuilderConfig 'documents' not found") with the
        # release's exact Features; streaming reads a split without rows
        streamed = datasets.load_dataset(str(no_gold), config, streaming=True)
        expected_splits = ["train"] if config in GOLD_CONFIGS else [split]
        assert list(streamed) == expected_splits
        for name, part in streamed.items():
            assert part.features == features[config]
            assert sum(1 for _ in part) == manifest["counts"][config][name]
    for config in GOLD_CONFIGS:
        # what the card says: datasets cannot load a split of no rows without streaming (if a new
        # datasets can, the card's sentence about it must change)
        with pytest.raises(ValueError, match='Instruction "train" corresponds to no data'):
            datasets.load_dataset(str(no_gold), config, cache_dir=cache)
    annotations = datasets.load_dataset(str(no_gold), "annotations", cache_dir=cache)
    assert annotations[split].features == features["annotations"]
    assert {r["status"] for r in annotations[split]} == {"conflict"}
    report = validate_release_folder(no_gold)
    assert report.ok and report.errors == [], report.to_text()


def test_the_card_says_no_article_has_reached_gold_and_why(no_gold: Path) -> None:
    card = (no_gold / "README.md").read_text()
    meta = yaml.safe_load(card.split("---\n")[1])
    assert [c["config_name"] for c in meta["configs"]] == list(CONFIGS)
    assert meta["configs"][0] == {
        "config_name": "documents",
        "default": True,
        "data_files": [{"split": "train", "path": "data/documents/train-00000-of-00001.parquet"}],
    }
    info = {i["config_name"]: i for i in meta["dataset_info"]}
    for config in GOLD_CONFIGS:
        assert info[config]["splits"] == [{"name": "train", "num_bytes": 0, "num_examples": 0}]
    text = re.sub(r"\s+", " ", card)
    assert (
        "`documents`, `claims` and `stance` have no rows in this version: no article has reached gold "
        "yet — 1 article is waiting for review (status `conflict` in `annotations`)." in text
    )
    # the split holding art-003 is not said to have no article assigned
    split = hash_split("art-003")
    assert f"The `{split}` split has no gold article yet" in text
    assert re.search(rf"The [`a-z ]*`{split}`[`a-z ]* splits? (is|are) empty", text) is None
    # the load snippets stream the configs without rows
    assert 'load_dataset("ORG/stancebank", "documents", revision="v0.1.0", streaming=True)' in text
    assert 'load_dataset("ORG/stancebank", "annotations", revision="v0.1.0")\n' in card
    assert "No article has reached gold yet: 1 article is waiting for review" in text


def _validator_findings(folder: Path) -> list[str]:
    return [f.message for f in validate_release_folder(folder).errors if f.check == "card_configs"]


def test_the_validator_wants_every_config_and_loadable_files(no_gold: Path, tmp_path: Path) -> None:
    features = dataset_features()
    missing = tmp_path / "missing"
    shutil.copytree(no_gold, missing)
    shutil.rmtree(missing / "data" / "stance")
    assert any("config stance has no parquet file" in m for m in _validator_findings(missing))

    # an empty row group: datasets cannot read the file
    empty_group = tmp_path / "empty_group"
    shutil.copytree(no_gold, empty_group)
    path = empty_group / "data" / "claims" / "train-00000-of-00001.parquet"
    pq.write_table(pa.Table.from_pylist([], schema=features["claims"].arrow_schema), path)
    assert pq.ParquetFile(path).metadata.num_row_groups == 1
    assert any("a row group without rows" in m for m in _validator_findings(empty_group))


def test_a_split_without_rows_next_to_rows_is_refused(tmp_path: Path, snapshots: list[Path]) -> None:
    out = tmp_path / "dist" / "stancebank-1.0.0"
    build_release(snapshots, "1.0.0", out, registry_path=tmp_path / "split_registry.json")
    schema = dataset_features()["documents"].arrow_schema
    empty = [s for s in ("validation", "test") if not any((out / "data" / "documents").glob(f"{s}-*"))]
    assert empty, "the fixture leaves a split without rows"
    path = out / "data" / "documents" / f"{empty[0]}-00000-of-00001.parquet"
    pq.ParquetWriter(path, schema).close()
    assert any(f"config documents has a {empty[0]} split without rows" in m for m in _validator_findings(out))


def test_gold_without_claims_writes_empty_claims_and_stance(tmp_path: Path, ls) -> None:
    """A gold article without a claim: documents has its row, claims and stance are one empty
    train file each, and the card says why."""
    text = "Mayor Anna Berg opened the bridge on Monday."
    actor = ls.span("a1", text, "Mayor Anna Berg", "ACTOR")
    export = tmp_path / "export.json"
    export.write_text(json.dumps([ls.task(1, "art-001", text, [ls.ann(1, 7, [actor])])]), encoding="utf-8")
    out = tmp_path / "dist" / "stancebank-0.1.0"
    build_release([export], "0.1.0", out, registry_path=tmp_path / "split_registry.json")
    split = hash_split("art-001")
    manifest = json.loads((out / "release.json").read_text())
    assert manifest["counts"]["documents"] == {split: 1}
    assert manifest["counts"]["claims"] == manifest["counts"]["stance"] == {"train": 0}
    for config in ("claims", "stance"):
        streamed = datasets.load_dataset(str(out), config, streaming=True)
        assert streamed["train"].features == dataset_features()[config]
        assert sum(1 for _ in streamed["train"]) == 0
    text_card = re.sub(r"\s+", " ", (out / "README.md").read_text())
    assert "`claims` and `stance` have no rows in this version: no gold article has a claim." in text_card
    assert validate_release_folder(out).ok
