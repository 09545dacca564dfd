"""Publish two versions through the Hub HTTP protocol (test server on 127.0.0.1) and load each by tag."""

from __future__ import annotations

import json
from pathlib import Path

import datasets
import pytest
from huggingface_hub import HfApi

from stancebank.export.errors import PublishError
from stancebank.export.publish import publish
from stancebank.export.release import build_release

pytestmark = pytest.mark.hub


def test_publish_two_versions_and_load_each_by_tag(tmp_path, snapshots, hub_env, hub_repo_id):
    registry = tmp_path / "data" / "split_registry.json"
    v1 = tmp_path / "dist" / "v1"
    build_release(snapshots[:1], "1.0.0", v1, registry_path=registry, repo_id=hub_repo_id)
    v2 = tmp_path / "dist" / "v2"
    build_release(snapshots, "1.1.0", v2, previous=v1, registry_path=registry, repo_id=hub_repo_id)

    r1 = publish(v1, hub_repo_id)
    r2 = publish(v2, hub_repo_id)
    assert (r1.tag, r2.tag) == ("v1.0.0", "v1.1.0") and r1.commit != r2.commit

    api = HfApi()
    tags = {t.name: t.target_commit for t in api.list_repo_refs(hub_repo_id, repo_type="dataset").tags}
    assert tags == {"v1.0.0": r1.commit, "v1.1.0": r2.commit}

    for folder, tag in ((v1, "v1.0.0"), (v2, "v1.1.0")):
        counts = json.loads((folder / "release.json").read_text())["counts"]
        for config in ("documents", "claims", "annotations"):
            ds = datasets.load_dataset(hub_repo_id, config, revision=tag)
            assert {name: len(split) for name, split in ds.items()} == {
                s: n for s, n in counts[config].items() if n
            }
        remote_manifest = api.hf_hub_download(hub_repo_id, "release.json", repo_type="dataset", revision=tag)
        assert json.loads(Path(remote_manifest).read_text())["version"] == tag[1:]

    # An existing tag is refused, before anything is uploaded.
    before = api.list_repo_commits(hub_repo_id, repo_type="dataset")
    with pytest.raises(PublishError, match=r"already has tag v1\.1\.0"):
        publish(v2, hub_repo_id)
    assert len(api.list_repo_commits(hub_repo_id, repo_type="dataset")) == len(before)


def test_failed_tagging_leaves_no_tag(tmp_path, snapshots, hub_env, hub_repo_id, monkeypatch):
    out = tmp_path / "dist" / "v1"
    build_release(snapshots, "1.0.0", out, registry_path=tmp_path / "reg.json")
    real_create_tag = HfApi.create_tag

    def create_then_fail(self, repo_id, **kw):
        real_create_tag(self, repo_id, **kw)  # the tag exists on the server …
        raise TimeoutError("connection dropped after the tag was created")  # … but the client fails

    monkeypatch.setattr(HfApi, "create_tag", create_then_fail)
    with pytest.raises(PublishError, match="no tag was left behind"):
        publish(out, hub_repo_id)
    assert HfApi().list_repo_refs(hub_repo_id, repo_type="dataset").tags == []


def test_publish_needs_a_token(tmp_path, snapshots, hub_env, hub_repo_id, monkeypatch):
    out = tmp_path / "dist" / "v1"
    build_release(snapshots, "1.0.0", out, registry_path=tmp_path / "reg.json")
    monkeypatch.delenv("HF_TOKEN")
    with pytest.raises(PublishError, match="HF_TOKEN"):
        publish(out, hub_repo_id)
    # A tampered release is refused before contacting the Hub.
    (out / "README.md").write_text("changed")
    with pytest.raises(PublishError, match="sha256"):
        publish(out, hub_repo_id, token="x")
