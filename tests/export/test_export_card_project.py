"""The card and croissant.json take the project's name (``[project] name``) and Hub repository
(``hub_repo``): title, load snippets, links and citation; a placeholder repository only when the
project names none, and stancebank's own name and title without a project."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from stancebank.export.release import build_release
from stancebank.schema.cli import app
from stancebank.schema.spec import SPEC

PROJECT = """[project]
name = "ringroad"
license = "cc-by-4.0"
{hub}
[studio]
project_title = "ringroad"
"""


def _build_in_project(
    tmp_path: Path, snapshots: list[Path], hub: str, monkeypatch: pytest.MonkeyPatch
) -> Path:
    (tmp_path / "stancebank.toml").write_text(PROJECT.format(hub=hub), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    out = tmp_path / "dist" / "ringroad-1.0.0"
    args = ["export", "build", str(snapshots[0]), "--version", "1.0.0", "--out", str(out)]
    result = CliRunner().invoke(app, [*args, "--registry", str(tmp_path / "split_registry.json")])
    assert result.exit_code == 0, result.output
    return out


def _card(out: Path) -> tuple[dict, str]:
    card = (out / "README.md").read_text(encoding="utf-8")
    return yaml.safe_load(card.split("---\n")[1]), card


def test_the_card_and_croissant_take_the_projects_name_and_hub_repo(tmp_path, snapshots, monkeypatch):
    out = _build_in_project(tmp_path, snapshots, 'hub_repo = "valmora/ringroad"', monkeypatch)
    meta, card = _card(out)
    assert meta["pretty_name"] == "ringroad"
    assert f"# ringroad — v1.0.0\n\n*{SPEC.title}*\n" in card
    url = "https://huggingface.co/datasets/valmora/ringroad"
    assert f"- **Homepage:** {url}\n" in card
    for config, var in (("documents", "docs"), ("claims", "claims"), ("stance", "stance")):
        assert f'{var} = load_dataset("valmora/ringroad", "{config}", revision="v1.0.0")\n' in card
    assert "ORG/" not in card and "@misc{ringroad,\n  title = {ringroad}," in card
    assert f"\\url{{{url}}}" in card
    croissant = json.loads((out / "croissant.json").read_text(encoding="utf-8"))
    assert croissant["name"] == "ringroad" and croissant["url"] == url
    assert croissant["citeAs"] in card
    assert "ORG/" not in json.dumps(croissant)


def test_without_hub_repo_the_placeholder_carries_the_projects_name(tmp_path, snapshots, monkeypatch):
    out = _build_in_project(tmp_path, snapshots, "", monkeypatch)
    _, card = _card(out)
    assert 'docs = load_dataset("ORG/ringroad", "documents", revision="v1.0.0")\n' in card
    assert "ORG/stancebank" not in card
    croissant = json.loads((out / "croissant.json").read_text(encoding="utf-8"))
    assert croissant["url"] == "https://huggingface.co/datasets/ORG/ringroad"


def test_a_repo_flag_overrides_hub_repo(tmp_path, snapshots, monkeypatch):
    (tmp_path / "stancebank.toml").write_text(PROJECT.format(hub='hub_repo = "valmora/ringroad"'))
    monkeypatch.chdir(tmp_path)
    out = tmp_path / "dist" / "x"
    args = ["export", "build", str(snapshots[0]), "--version", "1.0.0", "--out", str(out), "--repo", "a/b"]
    result = CliRunner().invoke(app, [*args, "--registry", str(tmp_path / "r.json")])
    assert result.exit_code == 0, result.output
    assert 'load_dataset("a/b", "documents"' in (out / "README.md").read_text()


def test_without_a_project_the_card_keeps_stancebanks_title_and_placeholder(tmp_path, snapshots):
    out = tmp_path / "dist" / "stancebank-1.0.0"
    build_release([snapshots[0]], "1.0.0", out, registry_path=tmp_path / "split_registry.json")
    meta, card = _card(out)
    assert meta["pretty_name"] == SPEC.title
    assert f"# {SPEC.title} — v1.0.0\n\n## Dataset Description" in card
    assert 'load_dataset("ORG/stancebank", "documents", revision="v1.0.0")' in card
    croissant = json.loads((out / "croissant.json").read_text(encoding="utf-8"))
    assert croissant["name"] == "stancebank"
    assert croissant["url"] == "https://huggingface.co/datasets/ORG/stancebank"


def test_the_demos_project_file_names_the_demo_release(tmp_path, snapshots, monkeypatch):
    """data/stancebank.toml (which every demo step reads) names the demo's dataset stancebank and
    sets no hub_repo: title stancebank, the placeholder repository."""
    demo_project = Path(__file__).resolve().parents[2] / "data" / "stancebank.toml"
    monkeypatch.setenv("STANCEBANK_PROJECT", str(demo_project))
    out = tmp_path / "dist" / "stancebank-0.1.0"
    args = ["export", "build", str(snapshots[0]), "--version", "0.1.0", "--out", str(out)]
    result = CliRunner().invoke(app, [*args, "--registry", str(tmp_path / "split_registry.json")])
    assert result.exit_code == 0, result.output
    meta, card = _card(out)
    assert meta["pretty_name"] == "stancebank"
    assert f"# stancebank — v0.1.0\n\n*{SPEC.title}*\n" in card
    assert 'docs = load_dataset("ORG/stancebank", "documents", revision="v0.1.0")\n' in card
