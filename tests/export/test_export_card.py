"""The dataset card: ``--about`` notes in the Description, and empty splits said out loud."""

from __future__ import annotations

import json
from pathlib import Path

import datasets
import yaml
from typer.testing import CliRunner

from stancebank.export.errors import ExportError
from stancebank.export.release import build_release
from stancebank.schema.cli import app

REPO = Path(__file__).resolve().parents[2]
ABOUT = "**Provenance.** Articles from *The Example Ledger*, CC-BY-4.0.\n\n- annotated by two students\n"


def _section(card: str, title: str) -> str:
    start = card.index(f"## {title}\n")
    end = card.find("\n## ", start + 1)
    return card[start : end if end >= 0 else None]


def _pinned_registry(path: Path, splits: dict[str, str]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(splits), encoding="utf-8")
    return path


def test_about_is_inserted_verbatim_into_the_description(tmp_path, snapshots):
    out = tmp_path / "rel"
    build_release(snapshots, "1.0.0", out, registry_path=tmp_path / "reg.json", about=ABOUT)
    card = (out / "README.md").read_text(encoding="utf-8")
    description = _section(card, "Dataset Description")
    assert ABOUT.strip() in description
    assert card.count("annotated by two students") == 1  # only in the Description
    assert "stated in the Description above" in _section(card, "Bias, Risks, and Limitations")
    # Without --about the Description has only the generic text.
    plain = tmp_path / "plain"
    build_release(snapshots, "1.0.0", plain, registry_path=tmp_path / "reg2.json")
    plain_card = (plain / "README.md").read_text(encoding="utf-8")
    assert "Example Ledger" not in plain_card
    assert "copyright stays with them" in _section(plain_card, "Bias, Risks, and Limitations")
    # the about text is an addition
    assert description.replace(f"\n{ABOUT.strip()}\n", "", 1) == _section(plain_card, "Dataset Description")


def test_cli_about_option_and_missing_file(tmp_path, snapshots, monkeypatch):
    about = tmp_path / "ABOUT.md"
    about.write_text(ABOUT, encoding="utf-8")
    base = ["export", "build", *map(str, snapshots), "--version", "1.0.0"]
    base += ["--registry", str(tmp_path / "reg.json"), "--license", "cc0-1.0"]
    ok = CliRunner().invoke(app, [*base, "--out", str(tmp_path / "a"), "--about", str(about)])
    assert ok.exit_code == 0, ok.output
    card = (tmp_path / "a" / "README.md").read_text(encoding="utf-8")
    assert ABOUT.strip() in _section(card, "Dataset Description")
    assert yaml.safe_load(card.split("---\n")[1])["license"] == "cc0-1.0"

    # a short path: Typer's error box folds a long one (pytest's tmp_path) mid-word at 80 columns
    monkeypatch.chdir(tmp_path)
    missing = CliRunner().invoke(app, [*base, "--out", str(tmp_path / "b"), "--about", "nope.md"])
    # a path that does not exist is a usage error (README's exit codes), checked before any work
    assert missing.exit_code == 2, missing.output
    assert "nope.md" in missing.output and "does not exist" in missing.output
    assert not (tmp_path / "b").exists()
    # a file that exists but holds nothing is an input that cannot be used (3)
    (tmp_path / "empty.md").write_text(" \n", encoding="utf-8")
    empty = CliRunner().invoke(
        app, [*base, "--out", str(tmp_path / "c"), "--about", str(tmp_path / "empty.md")]
    )
    assert isinstance(empty.exception, ExportError) and empty.exception.exit_code == 3
    assert "the file is empty" in str(empty.exception)
    assert not (tmp_path / "c").exists()


def test_empty_test_split_is_stated_and_the_release_still_loads(tmp_path, snapshots):
    registry = _pinned_registry(
        tmp_path / "data" / "split_registry.json",
        {"art-001": "train", "art-002": "train", "art-004": "validation", "art-005": "train"},
    )
    out = tmp_path / "rel"
    build_release(snapshots, "1.0.0", out, registry_path=registry)
    card = (out / "README.md").read_text(encoding="utf-8")
    stats = _section(card, "Dataset Structure")
    assert "train: 3 articles; validation: 1 article; test: 0 articles in this version." in stats
    assert "The `test` split is empty in this version" in stats
    assert "near-duplicate" in stats and "hash of the article id" not in card
    assert "| documents | 3 | 1 | 0 |" in stats
    how = _section(card, "How to load")
    assert "test: 0 articles in this version" in how and "returns `train` and `validation`" in how
    meta = yaml.safe_load(card.split("---\n")[1])
    for config in meta["configs"]:
        assert [f["split"] for f in config["data_files"]] == ["train", "validation"]
    assert not list(out.rglob("test-*.parquet"))
    docs = datasets.load_dataset(str(out), "documents", cache_dir=str(tmp_path / "cache"))
    assert sorted(docs) == ["train", "validation"]
    assert (len(docs["train"]), len(docs["validation"])) == (3, 1)


def test_all_splits_present_says_nothing_is_empty(tmp_path, snapshots):
    registry = _pinned_registry(
        tmp_path / "reg.json",
        {"art-001": "train", "art-002": "validation", "art-004": "test", "art-005": "train"},
    )
    out = tmp_path / "rel"
    build_release(snapshots, "1.0.0", out, registry_path=registry)
    stats = _section((out / "README.md").read_text(encoding="utf-8"), "Dataset Structure")
    assert "train: 2 articles; validation: 1 article; test: 1 article." in stats
    assert "empty in this version" not in stats


def test_pilot_about_names_the_source_license_and_annotators():
    text = (REPO / "data" / "pilot" / "ABOUT.md").read_text(encoding="utf-8")
    assert "annotated by the stancebank maintainers" in text
    assert "CC0-1.0" in text and "fictional" in text and "data/raw/" in text
    demo = (REPO / "export" / "demo.py").read_text(encoding="utf-8")
    assert '"--about",' in demo and '"ABOUT.md"' in demo


def test_language_creators_option_reaches_the_card_and_bad_values_are_refused(tmp_path, snapshots):
    base = ["export", "build", *map(str, snapshots), "--version", "1.0.0"]
    base += ["--registry", str(tmp_path / "reg.json"), "--license", "cc0-1.0"]
    ok = CliRunner().invoke(
        app, [*base, "--out", str(tmp_path / "a"), "--language-creators", "expert-generated"]
    )
    assert ok.exit_code == 0, ok.output
    card = (tmp_path / "a" / "README.md").read_text(encoding="utf-8")
    assert yaml.safe_load(card.split("---\n")[1])["language_creators"] == ["expert-generated"]
    assert "written for the project" in _section(card, "Dataset Creation")
    bad = CliRunner().invoke(app, [*base, "--out", str(tmp_path / "b"), "--language-creators", "journalists"])
    assert isinstance(bad.exception, ExportError) and "journalists" in str(bad.exception)
    assert "expert-generated" in str(bad.exception) and not (tmp_path / "b").exists()


def test_item_adjudication_is_not_a_table_of_zeros_when_stars_settled_every_article(tmp_path):
    """The pilot: five articles have two annotators, every article's gold is a manager's star,
    so no article is adjudicated item by item; the card says so in words (it showed 'agreed 0 /
    minority 0 / conflict 0' under 'items of the articles with two or more annotators')."""
    pilot = REPO / "data" / "exports" / "stancebank-pilot-20261122T154724Z-16e4cc5efedd.json"
    out = tmp_path / "rel"
    build_release([pilot], "0.1.0", out, registry_path=tmp_path / "reg.json")
    card = (out / "README.md").read_text(encoding="utf-8")
    stats = _section(card, "Statistics")
    assert "| ground_truth | 11 |" in stats
    # the pilot's annotations name no canonical target: the table says why it has one row
    assert "| (no `target_name`) | 60 | 52 | 19 | 131 |" in stats
    assert "No gold TARGET of this release has a `target_name`" in stats
    # every annotated article is in gold: the split sizes need no second count
    assert "Splits (articles): train: 8 articles; validation: 3 articles;" in card
    assert "annotated articles not (yet) in gold" not in card
    assert "| agreed | 0 |" not in stats and "items of the articles with two or more annotators" not in stats
    assert (
        "Adjudication by item: no article was adjudicated item by item in this version (that takes two "
        "or more annotators and no ground-truth star that counts); the 5 articles with two or more "
        "annotators were settled otherwise (see the table above)." in stats
    )


def test_data_splits_count_the_annotated_articles_beside_the_gold_ones(tmp_path, snapshots):
    """snapshot_1: three annotated articles, one of them in conflict (not in gold). The split
    sizes in articles are the gold ones (documents, claims, stance); the card also says how many
    annotated articles each split holds in `annotations`, which had only a row count."""
    out = tmp_path / "rel"
    build_release(snapshots[:1], "1.0.0", out, registry_path=tmp_path / "reg.json")
    card = (out / "README.md").read_text(encoding="utf-8")
    splits = _section(card, "Dataset Structure")
    assert (
        "Splits (gold articles, the rows of `documents`, `claims` and `stance`): train: 2 articles;" in splits
    )
    assert (
        "With the annotated articles not (yet) in gold, whose rows are in `annotations` only, the splits "
        "hold train: 3; validation: 0; test: 0 annotated articles." in splits
    )
    annotations = datasets.load_dataset(str(out), "annotations", cache_dir=str(tmp_path / "cache"))
    assert len(set(annotations["train"]["article_id"])) == 3
    assert "| conflict | 1 |" in _section(card, "Statistics")
    # a pending article is in no gold config, stance included (the card said 'documents and claims')
    assert "documents and claims" not in card and "`documents` and `claims`" not in card
    assert "stays out of documents, claims and stance" in card
    assert "left out of `documents`, `claims` and `stance`" in _section(card, "Bias, Risks, and Limitations")


def test_a_release_without_a_license_is_warned_about(tmp_path, snapshots, caplog):
    """No --license and no project file: the license is 'other' with no name, which a project
    file refuses; the build warns (the card says 'a custom license (no license_name given)')."""
    with caplog.at_level("WARNING"):
        build_release(snapshots[:1], "1.0.0", tmp_path / "a", registry_path=tmp_path / "reg.json")
    warned = [r.getMessage() for r in caplog.records if "license" in r.getMessage()]
    assert len(warned) == 1 and "'other' without license_name and license_link" in warned[0]
    assert "--license" in warned[0]
    card = (tmp_path / "a" / "README.md").read_text(encoding="utf-8")
    assert "a custom license (no license_name given)" in card
    caplog.clear()
    with caplog.at_level("WARNING"):
        build_release(
            snapshots[:1], "1.0.0", tmp_path / "b", registry_path=tmp_path / "reg2.json", license_id="cc0-1.0"
        )
        build_release(
            snapshots[:1],
            "1.0.0",
            tmp_path / "c",
            registry_path=tmp_path / "reg3.json",
            license_name="Our data license",
            license_link="https://example.org/license",
        )
    assert not [r for r in caplog.records if "license" in r.getMessage()]
