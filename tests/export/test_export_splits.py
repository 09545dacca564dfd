"""Splits by near-duplicate cluster (shared rule: stancebank.schema.neardup) and the registry's location."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from stancebank.export.release import build_release
from stancebank.export.splits import (
    RegistryLocationError,
    SplitConflictError,
    SplitPlan,
    hash_split,
    registry_location,
)
from stancebank.schema.cli import app
from stancebank.schema.errors import ExitCode
from stancebank.schema.model import Article
from stancebank.schema.neardup import is_near_duplicate
from stancebank.schema.project import Project, StudioSettings
from stancebank.validation import validate_release_dir

BASE = " ".join(
    f"Sentence {i}: the harbour council voted on ferry fares for route {i * 3} and the northern pier."
    for i in range(12)
)


def edited(word: str) -> str:
    """BASE with its 70th word replaced (Jaccard about 0.95 with BASE)."""
    words = BASE.split()
    words[70] = word
    return " ".join(words)


def ids_in_two_splits(prefix: str) -> tuple[str, str]:
    """Two article ids whose hashes put them into different splits."""
    first = f"{prefix}-0"
    for i in range(1, 100):
        if hash_split(f"{prefix}-{i}") != hash_split(first):
            return first, f"{prefix}-{i}"
    raise AssertionError("no pair of ids in different splits")


def export(path: Path, ls: Any, articles: dict[str, str]) -> Path:
    """One annotator per article marks its first word as an ACTOR (single annotation: gold)."""
    tasks = []
    for n, (article_id, text) in enumerate(sorted(articles.items()), start=1):
        first = text.split()[0]
        result = [ls.span(f"a{n}", text, first, "ACTOR"), ls.choice(f"a{n}", "actor_type", "organisation")]
        tasks.append(ls.task(n, article_id, text, [ls.ann(100 + n, 7, result)]))
    path.write_text(json.dumps(tasks), encoding="utf-8")
    return path


def splits_of(release: Path) -> dict[str, str]:
    return {
        row["article_id"]: p.name.split("-")[0]
        for p in (release / "data" / "documents").glob("*.parquet")
        for row in pq.read_table(p, columns=["article_id"]).to_pylist()
    }


def test_planted_near_duplicates_share_a_split_and_the_release_validates(tmp_path: Path, ls: Any) -> None:
    """Before: splits by id hash alone put these two near-duplicates into different splits, and the
    release failed its own validation (no_cross_split_near_duplicate)."""
    a, b = ids_in_two_splits("near")
    other = " ".join(f"Unrelated line {i} about grain exports through the river port." for i in range(12))
    assert is_near_duplicate(BASE, edited("trams"))
    exp = export(tmp_path / "export.json", ls, {a: BASE, b: edited("trams"), "solo": other})
    registry = tmp_path / "registry.json"
    out = tmp_path / "release"
    build_release([exp], "1.0.0", out, registry_path=registry)
    splits = splits_of(out)
    assert splits[a] == splits[b] == hash_split(min(a, b))  # the cluster's smallest id decides
    assert splits["solo"] == hash_split("solo")  # an article without near-duplicates: its own id
    assert json.loads(registry.read_text(encoding="utf-8")) == splits
    assert validate_release_dir(out, registry=registry).ok


def test_a_new_near_duplicate_joins_its_registered_cluster(tmp_path: Path, ls: Any) -> None:
    """Sticky: a registered article keeps its split, and a new near-duplicate of it follows it (not
    its own hash), in this release and in the registry."""
    a, b = ids_in_two_splits("sticky")
    registry = tmp_path / "registry.json"
    pinned = next(s for s in ("train", "validation", "test") if s not in (hash_split(a), hash_split(b)))
    registry.write_text(json.dumps({b: pinned}), encoding="utf-8")
    exp = export(tmp_path / "export.json", ls, {a: BASE, b: edited("trams")})
    out = tmp_path / "release"
    build_release([exp], "1.1.0", out, registry_path=registry)
    assert splits_of(out) == {a: pinned, b: pinned}
    assert json.loads(registry.read_text(encoding="utf-8")) == {a: pinned, b: pinned}
    assert validate_release_dir(out, registry=registry).ok


def test_a_near_duplicate_of_released_articles_in_two_splits_is_refused() -> None:
    articles = {
        "x": Article("x", BASE),
        "y": Article("y", edited("trams")),
        "z": Article("z", edited("buses")),
        "w": Article("w", "An unrelated short note."),
    }
    plan = SplitPlan.for_articles(articles, {"x": "train", "y": "test"})
    assert plan.split_for("x") == "train" and plan.split_for("y") == "test"  # sticky, even so
    assert plan.split_for("w") == hash_split("w")
    with pytest.raises(SplitConflictError, match=r"'z'.*x \(train\), y \(test\).*leave it out"):
        plan.split_for("z")


def test_registry_location_is_the_flag_else_the_project_file(tmp_path: Path) -> None:
    project = Project(
        name="p", studio=StudioSettings(project_title="p"), registry=tmp_path / "proj" / "reg.json"
    )
    assert registry_location(tmp_path / "flag.json", project) == tmp_path / "flag.json"
    assert registry_location(None, project) == tmp_path / "proj" / "reg.json"
    with pytest.raises(RegistryLocationError, match="--registry FILE"):
        registry_location(None, None)
    with pytest.raises(RegistryLocationError):
        registry_location(None, Project(name="p", studio=StudioSettings(project_title="p")))


def test_export_build_without_a_registry_writes_no_registry(
    tmp_path: Path, ls: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Before: `export build` run in a repository without --registry wrote the export's ids into
    ./data/split_registry.json (883 foreign ids once). Now it names the missing option and writes
    nothing."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("STANCEBANK_PROJECT", raising=False)
    committed = tmp_path / "data" / "split_registry.json"
    committed.parent.mkdir()
    committed.write_text("{}\n", encoding="utf-8")
    exp = export(tmp_path / "foreign.json", ls, {"foreign-1": BASE})
    args = ["export", "build", str(exp), "--version", "1.0.0", "--out", str(tmp_path / "rel")]
    result = CliRunner().invoke(app, args)
    assert isinstance(result.exception, RegistryLocationError), result.output
    assert result.exception.exit_code == ExitCode.USAGE and "--registry FILE" in str(result.exception)
    assert committed.read_text(encoding="utf-8") == "{}\n" and not (tmp_path / "rel").exists()
    # with a project file, its registry is used (relative to the file), wherever the command runs
    (tmp_path / "proj").mkdir()
    (tmp_path / "proj" / "stancebank.toml").write_text(
        '[project]\nname = "p"\nregistry = "splits.json"\n', encoding="utf-8"
    )
    monkeypatch.chdir(tmp_path / "proj")
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    assert json.loads((tmp_path / "proj" / "splits.json").read_text(encoding="utf-8")) == {
        "foreign-1": hash_split("foreign-1")
    }
    assert committed.read_text(encoding="utf-8") == "{}\n"
