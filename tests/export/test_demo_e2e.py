"""The main job end to end (what `make demo` runs), in a temporary directory, against the real
Label Studio the test session starts; then the release is loaded back with `datasets`."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from datasets import ClassLabel, List, load_dataset

from stancebank.export.demo import DemoPlan, run_demo
from stancebank.schema.features import CONFIGS, dataset_features
from stancebank.schema.spec import SPEC

pytestmark = [pytest.mark.integration, pytest.mark.slow]


class _Printer:
    def __init__(self) -> None:
        self.lines: list[str] = []

    def print(self, *objects: object, **_: object) -> None:
        self.lines.append(" ".join(str(o) for o in objects))


def _env(label_studio, home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LABEL_STUDIO_", "STANCEBANK_"))}
    env.update(
        {
            "LABEL_STUDIO_URL": label_studio.url,
            "LABEL_STUDIO_API_KEY": label_studio.api_key,
            "STANCEBANK_PSEUDONYM_KEY": "demo-test-secret",
            "HOME": str(home),
        }
    )
    return env


def test_demo_pipeline_end_to_end(label_studio, repo_root: Path, tmp_path: Path) -> None:
    registry = tmp_path / "split_registry.json"
    shutil.copy(repo_root / "data" / "split_registry.json", registry)
    plan = DemoPlan.for_repo(
        repo_root,
        registry=registry,
        workdir=tmp_path / "work",
        release=tmp_path / "dist" / "stancebank-0.1.0",
        project="demo-e2e",
        start_server=False,
    )
    env = _env(label_studio, tmp_path / "home")
    printer = _Printer()
    result = run_demo(plan, printer, env)

    raw = [p for p in (repo_root / "data" / "raw").iterdir() if p.name != "README.md"]
    raw_articles = sum(
        len(p.read_text(encoding="utf-8").splitlines()) if p.suffix == ".jsonl" else 1 for p in raw
    )
    tasks = json.loads(plan.tasks.read_text(encoding="utf-8"))
    assert len(tasks) == raw_articles  # every article built, README.md not among them
    assert sorted(plan.exports.glob("*.json")) == [result.export]

    # Each config loads with exactly the generated features and the manifest's row counts.
    manifest = json.loads((plan.release / "release.json").read_text(encoding="utf-8"))
    features = dataset_features(SPEC)
    for config in CONFIGS:
        dsd = load_dataset(str(plan.release), config)
        for split, ds in dsd.items():
            assert ds.features == features[config]
            assert len(ds) == manifest["counts"][config][split]
    docs = load_dataset(str(plan.release), "documents")
    first = next(iter(docs.values()))
    assert isinstance(first.features["spans"], List)
    assert first.features["spans"].feature["label"] == ClassLabel(names=list(SPEC.span_label_names))
    # Gold spans are the text they claim to be.
    for row in first:
        for span in row["spans"]:
            assert row["text"][span["start"] : span["end"]] == span["text"]
    assert result.rows["claims"] > 0 and result.rows["annotations"] >= result.rows["documents"]

    # Agreement is present (two annotators on several articles) in the manifest and the card.
    agreement = manifest["agreement"]
    assert agreement and agreement["articles"] >= 4
    card = (plan.release / "README.md").read_text(encoding="utf-8")
    assert "Krippendorff" in card and "annotated by the stancebank maintainers" in card
    annotations = load_dataset(str(plan.release), "annotations")
    annotators = {row["annotator"] for split in annotations.values() for row in split}
    assert len(annotators) == 2 and not any("@" in a for a in annotators)
    assert not annotators & {"annotator-a", "annotator-b"}  # pseudonyms, not the Label Studio user names

    # Running it again is safe and creates no duplicates in Label Studio.
    again_result = run_demo(plan, printer, env)
    out = "\n".join(printer.lines)
    assert "created 0" in out.split("Push the tasks")[-1]
    assert "annotations created 0" in out
    # nothing changed in Label Studio: the pull writes no second snapshot (issue 13 item 10)
    assert again_result.export == result.export
    assert len(list(plan.exports.glob("*.json"))) == 1
    first_snapshot = json.loads(result.export.read_text(encoding="utf-8"))
    again = json.loads(again_result.export.read_text(encoding="utf-8"))
    assert len(again) == len(tasks)
    assert sum(len(t["annotations"]) for t in again) == sum(len(t["annotations"]) for t in first_snapshot)
