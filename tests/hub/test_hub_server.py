"""The Hub-protocol test server, driven only through the real ``huggingface_hub`` and ``datasets`` clients."""

from __future__ import annotations

import hashlib
from pathlib import Path

import datasets
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from huggingface_hub import (
    CommitOperationAdd,
    CommitOperationDelete,
    HfApi,
    HfFileSystem,
    get_hf_file_metadata,
    hf_hub_download,
    hf_hub_url,
)
from huggingface_hub.errors import (
    EntryNotFoundError,
    HfHubHTTPError,
    RepositoryNotFoundError,
    RevisionNotFoundError,
)
from sbtest.hub_server import HubServer

pytestmark = pytest.mark.hub

CARD = """---
license: cc-by-4.0
language:
- en
configs:
- config_name: documents
  default: true
  data_files:
  - split: train
    path: data/documents/train-*.parquet
  - split: test
    path: data/documents/test-*.parquet
- config_name: claims
  data_files:
  - split: train
    path: data/claims/train-*.parquet
---
# stancebank test release {version}
"""


def write_release(folder: Path, version: str, documents: list[str], claims: list[str]) -> Path:
    """A tiny release in the Hub layout: two configs of parquet files and a card with `configs:`."""
    for config, split, ids in (
        ("documents", "train", documents[:-1]),
        ("documents", "test", documents[-1:]),
        ("claims", "train", claims),
    ):
        (folder / "data" / config).mkdir(parents=True, exist_ok=True)
        table = pa.table({"id": ids, "version": [version] * len(ids)})
        pq.write_table(table, folder / "data" / config / f"{split}-00000-of-00001.parquet")
    (folder / "README.md").write_text(CARD.format(version=version))
    return folder


def rows(dataset: datasets.Dataset) -> list[tuple[str, str]]:
    return sorted(zip(dataset["id"], dataset["version"], strict=True))


def test_bad_token_is_refused_like_the_hub(hub_env: HubServer, hub_repo_id: str) -> None:
    assert HfApi().whoami()["name"] == hub_env.user
    HfApi().create_repo(hub_repo_id, repo_type="dataset")
    bad = HfApi(token="hf_not_a_valid_token")
    with pytest.raises(HfHubHTTPError, match="Invalid user token") as whoami_error:
        bad.whoami()
    assert whoami_error.value.response.status_code == 401
    with pytest.raises(HfHubHTTPError) as create_error:
        bad.create_repo(hub_repo_id + "-other", repo_type="dataset")
    assert create_error.value.response.status_code == 401
    with pytest.raises(HfHubHTTPError) as read_error:  # an invalid token fails even on a public repo
        bad.dataset_info(hub_repo_id)
    assert read_error.value.response.status_code == 401
    anonymous = HfApi(token=False)
    assert anonymous.dataset_info(hub_repo_id).id == hub_repo_id  # public repos are readable anonymously
    with pytest.raises(HfHubHTTPError) as anonymous_write:
        anonymous.create_tag(hub_repo_id, tag="v0.0.1", repo_type="dataset")
    assert anonymous_write.value.response.status_code == 401


def test_publish_two_versions_and_load_each_by_tag(
    hub_env: HubServer, hub_repo_id: str, tmp_path: Path
) -> None:
    api = HfApi()
    url = api.create_repo(hub_repo_id, repo_type="dataset")
    assert (url.repo_id, url.repo_type) == (hub_repo_id, "dataset")
    with pytest.raises(HfHubHTTPError) as exists:
        api.create_repo(hub_repo_id, repo_type="dataset")
    assert exists.value.response.status_code == 409
    api.create_repo(hub_repo_id, repo_type="dataset", exist_ok=True)

    v1 = write_release(tmp_path / "v1", "1.0.0", ["a1", "a2", "a3"], ["c1"])
    commit1 = api.upload_folder(folder_path=v1, repo_id=hub_repo_id, repo_type="dataset", commit_message="v1")
    api.create_tag(hub_repo_id, tag="v1.0.0", repo_type="dataset", revision=commit1.oid)
    with pytest.raises(HfHubHTTPError) as tag_exists:
        api.create_tag(hub_repo_id, tag="v1.0.0", repo_type="dataset")
    assert tag_exists.value.response.status_code == 409

    v2 = write_release(tmp_path / "v2", "1.1.0", ["a1", "a2", "a4", "a5"], ["c1", "c2"])
    commit2 = api.upload_folder(folder_path=v2, repo_id=hub_repo_id, repo_type="dataset", commit_message="v2")
    api.create_tag(hub_repo_id, tag="v1.1.0", repo_type="dataset")
    assert commit2.oid != commit1.oid and len(commit2.oid) == 40

    refs = api.list_repo_refs(hub_repo_id, repo_type="dataset")
    assert {t.name: t.target_commit for t in refs.tags} == {"v1.0.0": commit1.oid, "v1.1.0": commit2.oid}
    assert [(b.name, b.target_commit) for b in refs.branches] == [("main", commit2.oid)]
    commits = api.list_repo_commits(hub_repo_id, repo_type="dataset")
    assert [c.title for c in commits] == ["v2", "v1", "initial commit"]

    info = api.dataset_info(hub_repo_id, revision="v1.0.0")
    assert info.sha == commit1.oid
    assert info.card_data is not None and info.card_data["license"] == "cc-by-4.0"
    assert "license:cc-by-4.0" in (info.tags or [])
    assert {s.rfilename for s in info.siblings or []} >= {
        "README.md",
        "data/claims/train-00000-of-00001.parquet",
    }

    # hf_hub_download by tag and by commit sha gives each version's bytes.
    card_path = "README.md"
    for revision, folder in (("v1.0.0", v1), (commit1.oid, v1), ("v1.1.0", v2), (commit2.oid, v2)):
        local = hf_hub_download(hub_repo_id, card_path, repo_type="dataset", revision=revision)
        assert Path(local).read_bytes() == (folder / card_path).read_bytes()
        parquet = "data/documents/train-00000-of-00001.parquet"
        local = hf_hub_download(hub_repo_id, parquet, repo_type="dataset", revision=revision)
        assert Path(local).read_bytes() == (folder / parquet).read_bytes()

    # The real `datasets` loader resolves each tag to its own snapshot.
    docs_v1 = datasets.load_dataset(hub_repo_id, "documents", revision="v1.0.0")
    assert rows(docs_v1["train"]) == [("a1", "1.0.0"), ("a2", "1.0.0")]
    assert rows(docs_v1["test"]) == [("a3", "1.0.0")]
    docs_v2 = datasets.load_dataset(hub_repo_id, "documents", revision="v1.1.0")
    assert rows(docs_v2["train"]) == [("a1", "1.1.0"), ("a2", "1.1.0"), ("a4", "1.1.0")]
    claims_v1 = datasets.load_dataset(hub_repo_id, "claims", revision="v1.0.0", split="train")
    assert rows(claims_v1) == [("c1", "1.0.0")]
    claims_v2 = datasets.load_dataset(hub_repo_id, "claims", revision=commit2.oid, split="train")
    assert rows(claims_v2) == [("c1", "1.1.0"), ("c2", "1.1.0")]
    latest = datasets.load_dataset(hub_repo_id, split="test")  # no revision: main; default config
    assert rows(latest) == [("a5", "1.1.0")]


def test_injected_fault_fails_the_commit_and_leaves_the_repo_unchanged(
    hub_env: HubServer, hub_repo_id: str, tmp_path: Path
) -> None:
    api = HfApi()
    api.create_repo(hub_repo_id, repo_type="dataset")
    head = api.dataset_info(hub_repo_id).sha
    hub_env.inject_fault("POST", rf"^/api/datasets/{hub_repo_id}/commit/")
    release = write_release(tmp_path / "r", "1.0.0", ["a", "b"], ["c"])
    with pytest.raises(HfHubHTTPError) as failed:
        api.upload_folder(folder_path=release, repo_id=hub_repo_id, repo_type="dataset")
    assert failed.value.response.status_code == 500
    assert api.dataset_info(hub_repo_id).sha == head
    assert ("POST", f"/api/datasets/{hub_repo_id}/commit/main") in hub_env.requests
    api.upload_folder(folder_path=release, repo_id=hub_repo_id, repo_type="dataset")  # the fault was one-shot
    assert api.dataset_info(hub_repo_id).sha != head


def test_lfs_files_round_trip_through_batch_upload_and_cdn_redirect(
    hub_env: HubServer, hub_repo_id: str
) -> None:
    api = HfApi()
    api.create_repo(hub_repo_id, repo_type="dataset")
    by_pattern = bytes(range(256)) * 40  # `*.bin` is an LFS pattern in the repo's .gitattributes
    binary_sample = b"\x00binary\x00" * 100  # a NUL byte in the sample makes any file LFS
    text = b"plain text stays a regular git file\n"
    api.create_commit(
        hub_repo_id,
        repo_type="dataset",
        commit_message="lfs",
        operations=[
            CommitOperationAdd("blobs/weights.bin", by_pattern),
            CommitOperationAdd("blobs/sample.txt", binary_sample),
            CommitOperationAdd("notes.txt", text),
        ],
    )
    infos = {
        i.path: i
        for i in api.get_paths_info(
            hub_repo_id,
            ["blobs/weights.bin", "blobs/sample.txt", "notes.txt", "missing.txt"],
            repo_type="dataset",
        )
    }
    assert set(infos) == {"blobs/weights.bin", "blobs/sample.txt", "notes.txt"}
    for path, content in (("blobs/weights.bin", by_pattern), ("blobs/sample.txt", binary_sample)):
        lfs = infos[path].lfs  # type: ignore[union-attr]
        assert (
            lfs is not None and lfs.sha256 == hashlib.sha256(content).hexdigest() and lfs.size == len(content)
        )
        # HEAD on resolve answers a redirect to another origin, carrying the linked etag and size.
        meta = get_hf_file_metadata(hf_hub_url(hub_repo_id, path, repo_type="dataset"))
        assert meta.etag == lfs.sha256 and meta.size == len(content)
        assert meta.location.startswith(hub_env.cdn_endpoint)
        local = hf_hub_download(hub_repo_id, path, repo_type="dataset")
        assert Path(local).read_bytes() == content
    assert infos["notes.txt"].lfs is None  # type: ignore[union-attr]
    assert get_hf_file_metadata(hf_hub_url(hub_repo_id, "notes.txt", repo_type="dataset")).size == len(text)

    # Range reads (what parquet readers do) work on regular files and through the LFS redirect.
    fs = HfFileSystem()
    with fs.open(f"datasets/{hub_repo_id}/blobs/weights.bin", "rb", block_size=16) as handle:
        handle.seek(300)
        assert handle.read(10) == by_pattern[300:310]
    with fs.open(f"datasets/{hub_repo_id}/notes.txt", "rb", block_size=4) as handle:
        handle.seek(6)
        assert handle.read(4) == text[6:10]


def test_tree_listing_paginates_and_paths_info_sees_folders(
    hub_env: HubServer, hub_repo_id: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    api = HfApi()
    api.create_repo(hub_repo_id, repo_type="dataset")
    release = write_release(tmp_path / "r", "1.0.0", ["a", "b"], ["c"])
    api.upload_folder(folder_path=release, repo_id=hub_repo_id, repo_type="dataset")
    monkeypatch.setattr(hub_env, "tree_page_size", 2)  # force several pages, followed via the Link header
    listed = {
        (type(e).__name__, e.path)
        for e in api.list_repo_tree(hub_repo_id, recursive=True, repo_type="dataset")
    }
    assert listed == {
        ("RepoFile", ".gitattributes"),
        ("RepoFile", "README.md"),
        ("RepoFolder", "data"),
        ("RepoFolder", "data/claims"),
        ("RepoFolder", "data/documents"),
        ("RepoFile", "data/claims/train-00000-of-00001.parquet"),
        ("RepoFile", "data/documents/train-00000-of-00001.parquet"),
        ("RepoFile", "data/documents/test-00000-of-00001.parquet"),
    }
    top = [e.path for e in api.list_repo_tree(hub_repo_id, "data", repo_type="dataset")]
    assert sorted(top) == ["data/claims", "data/documents"]
    with pytest.raises(EntryNotFoundError):
        list(api.list_repo_tree(hub_repo_id, "nope", repo_type="dataset"))
    [folder] = api.get_paths_info(hub_repo_id, ["data/documents"], repo_type="dataset", expand=True)
    assert type(folder).__name__ == "RepoFolder" and folder.last_commit is not None
    assert HfFileSystem().glob(f"datasets/{hub_repo_id}/data/*/train-*.parquet") == [
        f"datasets/{hub_repo_id}/data/claims/train-00000-of-00001.parquet",
        f"datasets/{hub_repo_id}/data/documents/train-00000-of-00001.parquet",
    ]


def test_commit_checks_parent_and_deletes_keep_old_revisions(hub_env: HubServer, hub_repo_id: str) -> None:
    api = HfApi()
    api.create_repo(hub_repo_id, repo_type="dataset")
    first = api.upload_file(
        path_or_fileobj=b"one", path_in_repo="a.txt", repo_id=hub_repo_id, repo_type="dataset"
    )
    api.create_tag(hub_repo_id, tag="v1.0.0", repo_type="dataset")
    api.upload_file(path_or_fileobj=b"two", path_in_repo="b.txt", repo_id=hub_repo_id, repo_type="dataset")
    with pytest.raises(HfHubHTTPError) as stale:
        api.create_commit(
            hub_repo_id,
            [CommitOperationAdd("c.txt", b"3")],
            commit_message="stale",
            repo_type="dataset",
            parent_commit=first.oid,
        )
    assert stale.value.response.status_code == 412
    api.create_commit(hub_repo_id, [CommitOperationDelete("a.txt")], commit_message="rm", repo_type="dataset")
    assert not api.file_exists(hub_repo_id, "a.txt", repo_type="dataset")
    assert api.file_exists(hub_repo_id, "a.txt", repo_type="dataset", revision="v1.0.0")
    assert api.file_exists(hub_repo_id, "b.txt", repo_type="dataset")
    with pytest.raises(EntryNotFoundError):
        api.create_commit(
            hub_repo_id, [CommitOperationDelete("a.txt")], commit_message="again", repo_type="dataset"
        )

    api.delete_tag(hub_repo_id, tag="v1.0.0", repo_type="dataset")
    assert api.list_repo_refs(hub_repo_id, repo_type="dataset").tags == []
    with pytest.raises(RevisionNotFoundError):
        hf_hub_download(hub_repo_id, "a.txt", repo_type="dataset", revision="v1.0.0")
    api.create_tag(hub_repo_id, tag="v1.0.0", repo_type="dataset", revision=first.oid)  # re-tag after delete
    assert (
        Path(hf_hub_download(hub_repo_id, "a.txt", repo_type="dataset", revision="v1.0.0")).read_bytes()
        == b"one"
    )


def test_missing_things_raise_the_clients_own_errors(hub_env: HubServer, hub_repo_id: str) -> None:
    api = HfApi()
    with pytest.raises(RepositoryNotFoundError):
        api.dataset_info(hub_repo_id)
    with pytest.raises(RepositoryNotFoundError):
        hf_hub_download(hub_repo_id, "README.md", repo_type="dataset")
    api.create_repo(hub_repo_id, repo_type="dataset", private=True)
    with pytest.raises(EntryNotFoundError):
        hf_hub_download(hub_repo_id, "README.md", repo_type="dataset")
    with pytest.raises(RevisionNotFoundError):
        api.dataset_info(hub_repo_id, revision="v9.9.9")
    with pytest.raises(RepositoryNotFoundError):  # private: invisible without a token
        HfApi(token=False).dataset_info(hub_repo_id)
    assert api.dataset_info(hub_repo_id).private is True
    with pytest.raises(HfHubHTTPError) as foreign:
        api.create_repo("someone-else/data", repo_type="dataset")
    assert foreign.value.response.status_code == 403


def test_model_repos_and_module_level_functions_use_the_server(hub_env: HubServer, hub_repo_id: str) -> None:
    import huggingface_hub

    huggingface_hub.create_repo(hub_repo_id)  # the module-level HfApi instance was created at import
    huggingface_hub.upload_file(path_or_fileobj=b"{}", path_in_repo="config.json", repo_id=hub_repo_id)
    assert huggingface_hub.model_info(hub_repo_id).siblings is not None
    assert Path(hf_hub_download(hub_repo_id, "config.json")).read_bytes() == b"{}"
    assert hf_hub_url(hub_repo_id, "config.json").startswith(hub_env.endpoint)


def test_snapshot_download_by_tag_and_push_to_hub(
    hub_env: HubServer, hub_repo_id: str, tmp_path: Path
) -> None:
    from huggingface_hub import snapshot_download

    api = HfApi()
    api.create_repo(hub_repo_id, repo_type="dataset")
    release = write_release(tmp_path / "r", "1.0.0", ["a", "b"], ["c"])
    api.upload_folder(folder_path=release, repo_id=hub_repo_id, repo_type="dataset")
    api.create_tag(hub_repo_id, tag="v1.0.0", repo_type="dataset")
    api.upload_file(
        path_or_fileobj=b"later", path_in_repo="later.txt", repo_id=hub_repo_id, repo_type="dataset"
    )
    snapshot = Path(snapshot_download(hub_repo_id, repo_type="dataset", revision="v1.0.0"))
    got = sorted(str(p.relative_to(snapshot)) for p in snapshot.rglob("*") if p.is_file())
    want = sorted(str(p.relative_to(release)) for p in release.rglob("*") if p.is_file())
    assert got == sorted([*want, ".gitattributes"])
    assert all((snapshot / name).read_bytes() == (release / name).read_bytes() for name in want)

    pushed = datasets.Dataset.from_dict({"id": ["x", "y"], "version": ["9", "9"]})
    pushed.push_to_hub(hub_repo_id + "-pushed", config_name="extra")
    loaded = datasets.load_dataset(hub_repo_id + "-pushed", "extra", split="train")
    assert rows(loaded) == [("x", "9"), ("y", "9")]


def test_offline_configuration_blocks_every_request(
    hub_env: HubServer, hub_repo_id: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from huggingface_hub.errors import LocalEntryNotFoundError, OfflineModeIsEnabled
    from sbtest.hub_fixtures import configure_hf_clients

    HfApi().create_repo(hub_repo_id, repo_type="dataset")
    configure_hf_clients(monkeypatch, tmp_path / "offline_home")  # no endpoint: offline, as for unit tests
    seen = len(hub_env.requests)
    with pytest.raises(OfflineModeIsEnabled):
        HfApi().dataset_info(hub_repo_id)
    with pytest.raises(LocalEntryNotFoundError):
        hf_hub_download(hub_repo_id, ".gitattributes", repo_type="dataset")
    with pytest.raises(ConnectionError):
        datasets.load_dataset(hub_repo_id)
    assert len(hub_env.requests) == seen
