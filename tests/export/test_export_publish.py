"""Publish two versions through the Hub HTTP protocol (test server on 127.0.0.1) and load each by tag."""

from __future__ import annotations

import json
from pathlib import Path

import datasets
import httpx2
import pytest
from huggingface_hub import HfApi

from stancebank.export.errors import (
    PublishAuthError,
    PublishError,
    PublishNotFoundError,
    PublishRemoteError,
    PublishServerError,
)
from stancebank.export.publish import publish, remote_error
from stancebank.export.release import build_release
from stancebank.schema.errors import ExitCode


@pytest.mark.hub
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


@pytest.mark.hub
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


@pytest.mark.hub
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


@pytest.mark.hub
def test_a_refused_token_is_reported_as_a_token_problem(tmp_path, snapshots, hub_env, hub_repo_id):
    out = tmp_path / "dist" / "v1"
    build_release(snapshots, "1.0.0", out, registry_path=tmp_path / "reg.json")
    with pytest.raises(PublishAuthError, match=r"HTTP 401.*HF_TOKEN") as info:
        publish(out, hub_repo_id, token="hf_not_a_valid_token")
    assert info.value.exit_code == ExitCode.REMOTE
    # a namespace the token may not write to: 403, the same advice
    with pytest.raises(PublishAuthError, match=r"HTTP 403.*HF_TOKEN"):
        publish(out, "someone-else/stancebank")


@pytest.mark.parametrize(
    ("status", "error", "advice"),
    [
        (401, PublishAuthError, "HF_TOKEN"),
        (403, PublishAuthError, "HF_TOKEN"),
        (404, PublishNotFoundError, "--repo id"),
        (500, PublishServerError, "retry"),
        (503, PublishServerError, "retry"),
        (422, PublishRemoteError, "refused"),
    ],
)
def test_http_status_maps_to_its_advice(status, error, advice):
    from huggingface_hub.errors import HfHubHTTPError

    request = httpx2.Request("POST", "http://127.0.0.1/api/repos/create")
    err = HfHubHTTPError("failed", response=httpx2.Response(status, request=request))
    mapped = remote_error("org/name", err, "nothing was uploaded")
    assert type(mapped) is error and advice in str(mapped) and f"HTTP {status}" in str(mapped)
    assert mapped.exit_code == ExitCode.REMOTE != ExitCode.USAGE
    if status not in (401, 403):
        assert "HF_TOKEN" not in str(mapped)


def test_an_unreachable_hub_is_a_server_side_failure():
    request = httpx2.Request("POST", "http://127.0.0.1:9/api/repos/create")
    mapped = remote_error("org/name", httpx2.ConnectError("Connection refused", request=request), "x")
    assert isinstance(mapped, PublishServerError) and "ConnectError" in str(mapped)
    assert "retry" in str(mapped) and "HF_TOKEN" not in str(mapped)
