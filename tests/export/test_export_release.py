from __future__ import annotations

import json
import os
import re
import stat
from collections import Counter
from pathlib import Path

import datasets
import pyarrow.parquet as pq
import pytest
import yaml
from typer.testing import CliRunner

from stancebank.export.card import check_language
from stancebank.export.errors import ExportError, ReleaseExistsError, ReleaseValidationError, VersionError
from stancebank.export.pseudonym import load_key
from stancebank.export.release import build_release, check_version, validate_release_folder
from stancebank.export.splits import hash_split
from stancebank.schema.cli import app
from stancebank.schema.errors import ExitCode
from stancebank.schema.features import dataset_features
from stancebank.schema.jsonio import encode_item
from stancebank.schema.sentences import split_sentences


def _build(tmp_path: Path, exports: list[Path], version: str, name: str | None = None, **kw) -> Path:
    out = tmp_path / "dist" / (name or f"stancebank-{version}")
    kw.setdefault("registry_path", tmp_path / "data" / "split_registry.json")
    build_release(exports, version, out, **kw)
    return out


def _all_text(folder: Path) -> str:
    parts = [p.read_text(encoding="utf-8") for p in folder.rglob("*") if p.suffix in (".md", ".json")]
    parts += [json.dumps(pq.read_table(p).to_pylist()) for p in folder.rglob("*.parquet")]
    return "\n".join(parts)


def test_release_loads_with_exact_features_and_counts(tmp_path, snapshots):
    out = _build(tmp_path, snapshots, "1.0.0")
    manifest = json.loads((out / "release.json").read_text())
    features = dataset_features()
    # art-003 conflicts: out of documents/claims/stance, its two annotations released as pending;
    # art-006 empty; stance: the claims rows with a stance
    expected_rows = {"documents": 4, "claims": 4, "stance": 4, "annotations": 10}
    for config, rows in expected_rows.items():
        ds = datasets.load_dataset(str(out), config, cache_dir=str(tmp_path / "cache"))
        assert sum(len(split) for split in ds.values()) == rows
        for name, split in ds.items():
            assert split.features == features[config]
            assert len(split) == manifest["counts"][config][name]
    docs = datasets.load_dataset(str(out), "documents", cache_dir=str(tmp_path / "cache"))
    spans_feature = docs["train"].features["spans"]
    assert isinstance(spans_feature, datasets.List) and isinstance(spans_feature.feature, dict)
    assert spans_feature.feature["label"].names == ["ACTOR", "CLAIM", "TARGET"]
    assert docs["train"].features["relations"].feature["label"].names == [
        "source",
        "support",
        "oppose",
        "neutral",
    ]
    rows = {r["article_id"]: r for split in docs.values() for r in split}
    assert sorted(rows) == ["art-001", "art-002", "art-004", "art-005"]
    art1 = rows["art-001"]
    assert [(s["text"], s["start"], s["end"]) for s in art1["spans"]][1] == (
        "the ceasefire must hold",
        14,
        37,
    )
    assert all(art1["text"][s["start"] : s["end"]] == s["text"] for s in art1["spans"])
    assert rows["art-004"]["num_annotators"] == 3
    claims = datasets.load_dataset(str(out), "claims", cache_dir=str(tmp_path / "cache"))
    stance = claims["train"].features["stance"]
    by_article = {r["article_id"]: r for split in claims.values() for r in split}
    assert stance.int2str(by_article["art-005"]["stance"]) == "neutral"  # the ground truth won
    assert by_article["art-001"]["actor_name"] == "Volodymyr Zelensky"

    # Card metadata and manifest.
    card = (out / "README.md").read_text()
    meta = yaml.safe_load(card.split("---\n")[1])
    assert [c["config_name"] for c in meta["configs"]] == ["documents", "claims", "stance", "annotations"]
    assert meta["configs"][0]["default"] is True
    for key in (
        "license",
        "language",
        "task_categories",
        "size_categories",
        "pretty_name",
        "annotations_creators",
    ):
        assert meta[key]
    info = {i["config_name"]: i for i in meta["dataset_info"]}
    assert {"class_label": {"names": {"0": "support", "1": "oppose", "2": "neutral"}}} in [
        f.get("dtype") if isinstance(f.get("dtype"), dict) else {"class_label": f.get("class_label")}
        for f in info["claims"]["features"]
        if f["name"] == "stance"
    ]
    for section in (
        "## Dataset Description",
        "## Uses",
        "## Dataset Structure",
        "### Data Fields",
        "### Data Splits",
        "## How to load",
        "## Statistics",
        "## Dataset Creation",
        "### Annotation process",
        "### Who are the annotators?",
        "### Personal and Sensitive Information",
        "## Annotation and agreement",
        "## Baselines and bounds",
        "## Changes since the previous version",
        "## Bias, Risks, and Limitations",
        "## Licensing Information",
        "## Citation",
    ):
        assert section in card
    assert 'revision="v1.0.0"' in card
    assert manifest["version"] == "1.0.0" and manifest["schema_version"] == "1.1.0"
    assert [i["file"] for i in manifest["inputs"]] == ["snapshot_1.json", "snapshot_2.json"]
    listed = set(manifest["files"])
    on_disk = {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()} - {"release.json"}
    assert listed == on_disk and "README.md" in listed
    assert manifest["agreement"]["span_f1_exact"]["overall"] == pytest.approx(0.875)
    assert manifest["adjudication"] == {
        "ground_truth": 1,
        "reviewer": 0,
        "single": 1,
        "majority": 2,
        "conflict": 1,
    }
    report = validate_release_folder(out)
    assert report.ok and report.errors == [], report.to_text()


def test_no_email_or_name_and_pseudonyms_are_keyed(tmp_path, snapshots, monkeypatch):
    out = _build(tmp_path, snapshots, "1.0.0")
    text = _all_text(out)
    for needle in ("alice", "annotator@", "example.org", "ls:7", "first_name"):
        assert needle not in text.lower()
    annotators = {
        r["annotator"] for p in out.rglob("annotations/*.parquet") for r in pq.read_table(p).to_pylist()
    }
    # users 7 (also the UI download's {"id": 7, "email": ...}), 8, 9 and 10
    assert len(annotators) == 4 and all(a.startswith("annotator-") for a in annotators)
    monkeypatch.setenv("STANCEBANK_PSEUDONYM_KEY", "another-key")
    other = _build(tmp_path, snapshots, "1.0.0", name="other", registry_path=tmp_path / "r2.json")
    others = {
        r["annotator"] for p in other.rglob("annotations/*.parquet") for r in pq.read_table(p).to_pylist()
    }
    assert others.isdisjoint(annotators)


def test_ready_views_sentences_provenance_context_and_stance(tmp_path, snapshots):
    """documents carry sentences and per-span provenance; claims their language and context;
    the stance config is the claims rows with a stance; every config names the article article_id."""
    out = _build(tmp_path, snapshots, "1.0.0")
    cache = str(tmp_path / "cache")
    load = {c: datasets.load_dataset(str(out), c, cache_dir=cache) for c in dataset_features()}
    for config, ds in load.items():
        for split in ds.values():
            assert "article_id" in split.features and "id" not in split.features, config
    docs = {r["article_id"]: r for split in load["documents"].values() for r in split}
    prov = load["documents"]["train"].features["spans"].feature["provenance"]
    assert prov.names == ["accepted", "edited", "hand"]
    for doc in docs.values():
        text = doc["text"]
        sents = [(s["start"], s["end"]) for s in doc["sentences"]]
        assert sents == split_sentences(text) and sents
        assert all(text[a:b] == text[a:b].strip() for a, b in sents)
        # every gold span lies in the text covered by the sentences
        for span in doc["spans"]:
            assert any(a <= span["start"] < b for a, b in sents)
    # art-001 against its task's predictions (ACTOR 0:8, CLAIM 14:32, TARGET 18:27): the actor kept
    # as predicted, the claim redrawn over the prediction, "The Kremlin" drawn by hand
    provenance = {s["text"]: prov.int2str(s["provenance"]) for s in docs["art-001"]["spans"]}
    assert provenance["Zelensky"] == "accepted"
    assert provenance["the ceasefire must hold"] == "edited"
    assert provenance["The Kremlin"] == "hand"
    manifest = json.loads((out / "release.json").read_text())
    counted = Counter(prov.int2str(s["provenance"]) for d in docs.values() for s in d["spans"])
    assert {k: v for k, v in manifest["provenance"].items() if v} == dict(counted)
    claims = [r for split in load["claims"].values() for r in split]
    for row in claims:
        text = docs[row["article_id"]]["text"]
        assert row["language"] == "en"
        assert text[row["sentence_start"] : row["sentence_end"]] == row["sentence"]
        assert row["sentence_start"] <= row["claim_start"] < row["claim_end"] <= row["sentence_end"]
    stance_rows = sorted(
        (r["article_id"], r["claim_id"], r["target_id"], r["stance"])
        for split in load["stance"].values()
        for r in split
    )
    assert stance_rows == sorted(
        (r["article_id"], r["claim_id"], r["target_id"], r["stance"])
        for r in claims
        if r["stance"] is not None
    )
    by_claim = {(r["claim_id"], r["target_id"]): r for r in claims}
    for split in load["stance"].values():
        for r in split:
            c = by_claim[(r["claim_id"], r["target_id"])]
            assert (r["claim"], r["target"], r["canonical_target"], r["context"], r["language"]) == (
                c["claim_text"],
                c["target_text"],
                c["target_name"],
                c["sentence"],
                c["language"],
            )


def test_build_twice_is_byte_identical(tmp_path, snapshots):
    a = _build(tmp_path, snapshots, "1.0.0", name="a", registry_path=tmp_path / "ra.json")
    b = _build(tmp_path, snapshots, "1.0.0", name="b", registry_path=tmp_path / "rb.json")
    files_a = sorted(p.relative_to(a) for p in a.rglob("*") if p.is_file())
    assert files_a == sorted(p.relative_to(b) for p in b.rglob("*") if p.is_file())
    assert len(files_a) == 11  # card, manifest, croissant.json, 4 configs × 2 splits of parquet
    for rel in files_a:
        assert (a / rel).read_bytes() == (b / rel).read_bytes(), rel


def _third_snapshot(tmp_path: Path, snapshots: list[Path]) -> Path:
    """Both art-002 annotators flip oppose→support; a reviewer resolves art-003 as ground truth."""
    tasks = json.loads(snapshots[0].read_text())
    out = []
    for task in tasks:
        if task["data"]["article_id"] == "art-002":
            for ann in task["annotations"]:
                ann["updated_at"] = "2025-03-01T00:00:00Z"
                for r in ann["result"]:
                    if r["type"] == "relation" and r["labels"] == ["oppose"]:
                        r["labels"] = ["support"]
            out.append(task)
        if task["data"]["article_id"] == "art-003":
            review = dict(task["annotations"][0], id=399, completed_by=11, ground_truth=True)
            review["updated_at"] = "2025-03-01T00:00:00Z"
            task["annotations"].append(review)
            out.append(task)
    path = tmp_path / "snapshot_3.json"
    path.write_text(json.dumps(out))
    return path


def test_sticky_splits_and_changes_across_versions(tmp_path, snapshots):
    registry = tmp_path / "data" / "split_registry.json"
    # An earlier release put art-002 in test, whatever its hash says: it must stay there.
    pinned = "validation" if hash_split("art-002") == "test" else "test"
    registry.parent.mkdir(parents=True)
    registry.write_text(json.dumps({"art-002": pinned}))
    v1 = _build(tmp_path, snapshots, "1.0.0")
    reg1 = json.loads(registry.read_text())
    # art-003 is pending in v1 but its annotations are released: it has its split already
    assert reg1["art-002"] == pinned and set(reg1) == {"art-001", "art-002", "art-003", "art-004", "art-005"}
    v2 = _build(tmp_path, [*snapshots, _third_snapshot(tmp_path, snapshots)], "1.1.0", previous=v1)
    reg2 = json.loads(registry.read_text())
    assert reg2 == reg1
    pending_split = {
        p.name.split("-")[0]
        for p in (v1 / "data" / "annotations").glob("*.parquet")
        for r in pq.read_table(p, columns=["article_id"]).to_pylist()
        if r["article_id"] == "art-003"
    }

    def splits_of(folder: Path) -> dict[str, str]:
        return {
            r["article_id"]: p.name.split("-")[0]
            for p in (folder / "data" / "documents").glob("*.parquet")
            for r in pq.read_table(p, columns=["article_id"]).to_pylist()
        }

    s1, s2 = splits_of(v1), splits_of(v2)
    assert s1["art-002"] == pinned
    assert "art-003" not in s1 and pending_split == {s2["art-003"]}
    assert all(s2[a] == s for a, s in s1.items())
    changes = json.loads((v2 / "release.json").read_text())["changes"]
    assert changes == {
        "previous_version": "1.0.0",
        "articles_added": 1,
        "articles_removed": 0,
        "articles_changed": 1,
        "spans_added": 0,
        "spans_removed": 0,
        "spans_relabelled": 0,
        "stance_flips": 1,
    }
    card = (v2 / "README.md").read_text()
    assert "Compared with v1.0.0" in card and "| stance flips | 1 |" in card
    assert json.loads((v2 / "release.json").read_text())["previous_version"] == "1.0.0"


def test_semver_refusals(tmp_path, snapshots):
    v1 = _build(tmp_path, snapshots, "1.2.0")
    for bad in ("1.2.0", "1.1.9", "0.9.0"):
        with pytest.raises(VersionError, match="not above"):
            _build(tmp_path, snapshots, bad, name=f"x{bad}", previous=v1)
    with pytest.raises(VersionError, match="semver"):
        _build(tmp_path, snapshots, "1.3", previous=v1)
    assert not (tmp_path / "dist" / "x1.2.0").exists()
    # A schema major change needs a major bump.
    old_schema = {"version": "1.2.0", "schema_version": "0.4.0"}
    with pytest.raises(VersionError, match=r"major bump: use 2\.0\.0"):
        check_version("1.3.0", old_schema)
    check_version("2.0.0", old_schema)
    check_version("1.2.1", {"version": "1.2.0", "schema_version": "1.0.0"})


def test_failed_validation_keeps_the_release_and_the_full_report(tmp_path, snapshots):
    """A real failure: v2 is built against v1 with a fresh registry, so an article v1 pinned to a
    split other than its hash split moves; validation catches it and the release is kept, with
    every finding, in <out>.failed — not deleted, not half-reported."""
    pinned = "validation" if hash_split("art-002") == "test" else "test"
    registry = tmp_path / "data" / "split_registry.json"
    registry.parent.mkdir(parents=True)
    registry.write_text(json.dumps({"art-002": pinned}))
    v1 = _build(tmp_path, snapshots, "1.0.0", registry_path=registry)
    fresh = tmp_path / "fresh_registry.json"
    with pytest.raises(ReleaseValidationError) as info:
        _build(tmp_path, snapshots, "1.1.0", previous=v1, registry_path=fresh)
    out = tmp_path / "dist" / "stancebank-1.1.0"
    failed = tmp_path / "dist" / "stancebank-1.1.0.failed"
    assert not out.exists() and not fresh.exists()  # nothing written, registry unchanged
    assert (failed / "release.json").is_file() and (failed / "README.md").is_file()
    report = json.loads((failed / "validation-report.json").read_text())
    assert not report["ok"] and report["errors"] >= 1
    moved = [f for f in report["findings"] if f["article_id"] == "art-002"]
    assert moved and all(f["hint"] for f in moved)
    assert all(".partial-" not in (f["file"] or "") for f in report["findings"])
    text = (failed / "validation-report.txt").read_text()
    assert "art-002" in text and text.count("\n") == len(report["findings"]) + 1
    message = str(info.value)
    assert str(failed / "validation-report.txt") in message and "art-002" in message
    assert info.value.exit_code == ExitCode.DATA and info.value.kept == failed
    assert info.value.report is not None and not info.value.report.ok
    assert sorted(p.name for p in (tmp_path / "dist").iterdir()) == [
        "stancebank-1.0.0",
        "stancebank-1.0.0.review",  # art-003 conflicts
        "stancebank-1.1.0.failed",
    ]
    # A build that passes supersedes the failed one.
    _build(tmp_path, snapshots, "1.1.0", previous=v1, registry_path=registry)
    assert out.is_dir() and not failed.exists()


def test_failed_validation_message_is_short_and_the_report_has_every_finding(tmp_path, snapshots):
    from stancebank.validation import Finding, Report

    findings = [
        Finding(
            "span_text_matches", "error", f"span {i} differs", hint="fix it", file="x", span_id=f"{i:02d}"
        )
        for i in range(12)
    ]
    with pytest.raises(ReleaseValidationError) as info:
        _build(tmp_path, snapshots, "1.0.0", validator=lambda folder: Report(findings=list(findings)))
    message = str(info.value)
    assert "12 error(s)" in message and "and 7 more" in message and "span 11 differs" not in message
    failed = tmp_path / "dist" / "stancebank-1.0.0.failed"
    report = json.loads((failed / "validation-report.json").read_text())
    assert len(report["findings"]) == 12  # all of them, not the first 10
    assert not (tmp_path / "data" / "split_registry.json").exists()


def test_key_file_generated_0600_and_kept_outside(tmp_path, monkeypatch):
    monkeypatch.delenv("STANCEBANK_PSEUDONYM_KEY")
    key_file = tmp_path / "conf" / "pseudonym.key"
    monkeypatch.setenv("STANCEBANK_PSEUDONYM_KEY_FILE", str(key_file))
    key = load_key()
    assert stat.S_IMODE(os.stat(key_file).st_mode) == 0o600 and len(key) == 64
    assert load_key() == key
    with pytest.raises(ExportError, match=r"outside data/"):
        load_key(tmp_path / "data" / "k", forbidden_roots=(tmp_path / "data",))


def test_a_key_file_readable_by_others_is_warned_about(tmp_path, monkeypatch, caplog):
    """Issue 13: a 0644 pseudonym key was used without a warning. Warned (path, mode, the fix),
    never the key; the key is still used (same pseudonyms); a 0600 key is used silently."""
    monkeypatch.delenv("STANCEBANK_PSEUDONYM_KEY")
    key_file = tmp_path / "conf" / "pseudonym.key"
    monkeypatch.setenv("STANCEBANK_PSEUDONYM_KEY_FILE", str(key_file))
    key = load_key()
    key_file.chmod(0o644)
    caplog.clear()
    with caplog.at_level("WARNING"):
        assert load_key() == key
    (record,) = [r for r in caplog.records if "readable by other users" in r.getMessage()]
    message = record.getMessage()
    assert str(key_file) in message and "0644" in message and "chmod 600" in message
    assert key.decode() not in caplog.text
    key_file.chmod(0o600)
    caplog.clear()
    with caplog.at_level("WARNING"):
        load_key()
    assert caplog.text == ""


def test_cli_build_summary_and_publish_dry_run(tmp_path, snapshots):
    out = tmp_path / "dist" / "stancebank-1.0.0"
    args = [
        "export",
        "build",
        *map(str, snapshots),
        "--version",
        "1.0.0",
        "--out",
        str(out),
        "--registry",
        str(tmp_path / "reg.json"),
    ]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "articles: conflict" in result.output and "rejected: bad_endpoint_labels" in result.output
    review = tmp_path / "dist" / "stancebank-1.0.0.review"
    assert (review / "review_task_ids.txt").read_text() == "3\n"
    for name in ("review_tasks.json", "adjudication.json"):  # the json module's text, item per line
        lines = (review / name).read_text(encoding="utf-8").splitlines()
        items = [line.removesuffix(",") for line in lines[1:-1]]
        assert lines[0] == "[" and lines[-1] == "]" and items
        assert all(encode_item(json.loads(item)) == item for item in items)
    dry = CliRunner().invoke(app, ["export", "publish", str(out), "--repo", "org/stancebank", "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "tag: v1.0.0" in dry.output and "data/documents/train-00000-of-00001.parquet" in dry.output
    again = CliRunner().invoke(
        app,
        [
            *args[:-4],
            "--out",
            str(tmp_path / "dist" / "n"),
            "--previous",
            str(out),
            "--registry",
            str(tmp_path / "reg.json"),
        ],
    )
    assert isinstance(again.exception, VersionError)


def test_changes_count_removed_articles_and_span_edits_from_digests(tmp_path, snapshots):
    """v2 drops art-005, and in art-001 relabels one span and moves another's end: the digest
    comparison finds exactly that article changed and the span counts come from its views."""
    registry = tmp_path / "data" / "split_registry.json"
    v1 = _build(tmp_path, snapshots, "1.0.0", registry_path=registry)
    tasks = json.loads(snapshots[1].read_text())
    kept = []
    for task in tasks:
        if task["data"]["article_id"] == "art-005":
            continue
        if task["data"]["article_id"] == "art-001":
            for r in task["annotations"][0]["result"]:
                value = r.get("value", {})
                if r["type"] == "labels" and (value["start"], value["end"]) == (39, 50):
                    value["labels"] = ["TARGET"]  # relabelled (its source relation is dropped)
                if r["type"] == "labels" and (value["start"], value["end"]) == (18, 27):
                    # moved: one span removed, one added (value.text is what the new offsets select,
                    # as Label Studio writes it)
                    value["end"] = 26
                    value["text"] = value["text"][:-1]
        kept.append(task)
    changed = tmp_path / "snapshot_2_edited.json"
    changed.write_text(json.dumps(kept))
    v2 = _build(tmp_path, [snapshots[0], changed], "1.1.0", previous=v1, registry_path=registry)
    changes = json.loads((v2 / "release.json").read_text())["changes"]
    assert changes == {
        "previous_version": "1.0.0",
        "articles_added": 0,
        "articles_removed": 1,
        "articles_changed": 1,
        "spans_added": 1,
        "spans_removed": 1,
        "spans_relabelled": 1,
        "stance_flips": 0,
    }


def test_a_language_that_is_not_a_bcp47_tag_is_refused_before_it_reaches_the_card(tmp_path, snapshots):
    bad = []
    for i, snapshot in enumerate(snapshots):
        tasks = json.loads(snapshot.read_text())
        for task in tasks:
            if task["data"]["article_id"] == "art-001":
                task["data"]["language"] = "en\n---\nlicense: mit"
        bad.append(tmp_path / f"snapshot_bad_language_{i}.json")
        bad[-1].write_text(json.dumps(tasks))
    with pytest.raises(ExportError, match=r"(?s)article 'art-001'.*not a BCP-47 language tag.*'pt-BR'"):
        _build(tmp_path, bad, "1.0.0")
    assert list((tmp_path / "dist").iterdir()) == []  # nothing written, no partial folder left


@pytest.mark.parametrize("tag", ["en", "fr", "pt-BR", "zh-Hant-TW", "es-419", "gsw"])
def test_bcp47_language_tags_pass(tag):
    assert check_language(tag, "x") == tag


@pytest.mark.parametrize("tag", ["", "e", "en\n", "en\n---\nlicense: mit", "en_US", "english!", "en-", "-en"])
def test_non_tags_are_refused(tag):
    with pytest.raises(ExportError, match="not a BCP-47"):
        check_language(tag, "card metadata")


def test_an_existing_release_is_refused_with_the_output_exit_code(tmp_path, snapshots):
    out = _build(tmp_path, snapshots, "1.0.0")
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    with pytest.raises(ReleaseExistsError, match="exists and is not empty") as info:
        _build(tmp_path, snapshots, "1.0.0")
    assert info.value.exit_code == ExitCode.OUTPUT
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == before


def test_cli_build_honours_the_project_files_policy(tmp_path, snapshots, monkeypatch):
    from stancebank.export.reader import read_exports
    from stancebank.schema.project import write_template

    data = read_exports(snapshots)
    singles = {
        a
        for a in data.annotations
        if len(data.annotations[a]) == 1 and not data.annotations[a][0].ground_truth
    }
    assert singles, "the fixture needs an article with one annotation"
    project_dir = tmp_path / "proj"
    toml = write_template(project_dir, "policyproj")
    toml.write_text(re.sub(r"(?m)^min_annotators = 1 ", "min_annotators = 2 ", toml.read_text()))
    monkeypatch.delenv("STANCEBANK_PROJECT", raising=False)
    outs = {}
    for name, cwd in (("default", tmp_path), ("policy", project_dir)):
        monkeypatch.chdir(cwd)  # ./stancebank.toml is read when present
        out = tmp_path / "dist" / name
        args = ["export", "build", *map(str, snapshots), "--version", "1.0.0", "--out", str(out)]
        result = CliRunner().invoke(app, [*args, "--registry", str(tmp_path / f"{name}.json")])
        assert result.exit_code == 0, result.output
        outs[name] = (out, result.output)
    docs = {
        name: {
            r["article_id"]
            for p in out.rglob("data/documents/*.parquet")
            for r in pq.read_table(p).to_pylist()
        }
        for name, (out, _) in outs.items()
    }
    assert singles <= docs["default"]
    assert docs["policy"] == docs["default"] - singles
    line = next(x for x in outs["policy"][1].splitlines() if "fewer than 2 annotators" in x)
    assert line.rstrip(" │").split()[-1] == str(len(singles))
    assert "fewer than" not in outs["default"][1]
    assert "at least 2 annotators per article" in (outs["policy"][0] / "README.md").read_text()
    assert "at least 2 annotators" not in (outs["default"][0] / "README.md").read_text()


def test_every_annotation_is_released_with_its_articles_adjudication(tmp_path, snapshots):
    """issue 15 item 1: the annotations of pending articles are released (art-003 conflicts), each
    row with its article's status and gold method; gold_id joins a span to its gold counterpart."""
    out = _build(tmp_path, snapshots, "1.0.0")
    ds = datasets.load_dataset(str(out), "annotations", cache_dir=str(tmp_path / "cache"))
    rows = [r for split in ds.values() for r in split]
    by_article: dict[str, set[tuple[str, str]]] = {}
    for r in rows:
        by_article.setdefault(r["article_id"], set()).add((r["status"], r["gold_method"]))
        assert r["review"] is False and r["text"]
        for s in r["spans"]:
            assert r["text"][s["start"] : s["end"]] == s["text"]
    assert by_article == {
        "art-001": {("gold", "single")},
        "art-002": {("gold", "majority")},
        "art-003": {("conflict", "pending")},
        "art-004": {("gold", "majority")},
        "art-005": {("gold", "ground_truth")},
    }
    docs = datasets.load_dataset(str(out), "documents", cache_dir=str(tmp_path / "cache"))
    gold = {(d["article_id"], s["id"]): s for split in docs.values() for d in split for s in d["spans"]}
    joined = 0
    for r in rows:
        for s in r["spans"]:
            if s["gold_id"] is None:
                continue
            g = gold[(r["article_id"], s["gold_id"])]
            assert (g["label"], g["start"], g["end"]) == (s["label"], s["start"], s["end"])
            joined += 1
    assert joined > 0
    assert all(s["gold_id"] is None for r in rows if r["article_id"] == "art-003" for s in r["spans"])


def test_cli_build_drops_conflicting_items_when_the_project_says_so(tmp_path, snapshots, monkeypatch):
    """[policy] conflicts = "drop": art-003 (its two annotators conflict) reaches gold with its
    agreed items only; the card says so and counts the dropped items."""
    from stancebank.schema.project import write_template

    project_dir = tmp_path / "proj"
    toml = write_template(project_dir, "dropproj")
    toml.write_text(re.sub(r'(?m)^conflicts = "review"', 'conflicts = "drop"  ', toml.read_text()))
    monkeypatch.delenv("STANCEBANK_PROJECT", raising=False)
    monkeypatch.chdir(project_dir)
    out = tmp_path / "dist" / "drop"
    args = ["export", "build", *map(str, snapshots), "--version", "1.0.0", "--out", str(out)]
    result = CliRunner().invoke(app, [*args, "--registry", str(tmp_path / "drop.json")])
    assert result.exit_code == 0, result.output
    docs = {
        r["article_id"] for p in out.rglob("data/documents/*.parquet") for r in pq.read_table(p).to_pylist()
    }
    assert "art-003" in docs
    manifest = json.loads((out / "release.json").read_text())
    assert manifest["adjudication"]["conflict"] == 0 and manifest["adjudication_items"]["dropped"] > 0
    assert "resolves conflicting items by dropping them" in (out / "README.md").read_text()


def test_reading_and_the_article_pass_make_no_reference_cycles(tmp_path):
    # export build pauses the cyclic collector while it reads the exports and walks the articles
    # (export/release.py): that is safe only while those stages make no reference cycles, which
    # would pile up uncollected until the stage ends. Collected at each stage's start, the
    # garbage of the two stages must not grow with the number of articles (a few dozen objects
    # come from building the configs' datasets.Features once).
    import gc
    import sys

    from stancebank.export.release import Reporter

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
    from bench_export_gen import generate

    def garbage_by_stage(tasks: int) -> dict[str, int]:
        found: dict[str, int] = {}

        class Probe(Reporter):
            def start(self, stage: str, total: int | None = None) -> None:
                found[stage] = gc.collect()  # what the stage before this one left in cycles

        export = generate(tmp_path / f"export-{tasks}.json", tasks)
        out, registry = tmp_path / f"out-{tasks}", tmp_path / f"reg-{tasks}.json"
        gc.collect()
        gc.disable()  # as the build does in those stages; here throughout, so nothing is collected unseen
        try:
            build_release([export], "1.0.0", out, registry_path=registry, reporter=Probe())
        finally:
            gc.enable()
        return found

    small, large = garbage_by_stage(10), garbage_by_stage(60)
    assert small["near-duplicates"] == large["near-duplicates"] == 0  # reading
    assert small["closing parquet files"] == large["closing parquet files"]  # the article pass


def test_a_build_that_fails_while_the_collector_is_paused_restores_it(tmp_path):
    import gc

    from stancebank.export.errors import ExportReadError

    broken = tmp_path / "broken.json"
    broken.write_text('[{"id": 1, "data": {"text": "x"}, ', encoding="utf-8")  # cut off mid-task
    assert gc.isenabled()
    with pytest.raises(ExportReadError):
        _build(tmp_path, [broken], "1.0.0")
    assert gc.isenabled()
