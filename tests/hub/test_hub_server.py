"""The Hub-protocol test double, driven only through the real ``huggingface_hub`` and ``datasets`` clients:
what ``export publish`` sends and what ``datasets.load_dataset(repo, config, revision=)`` reads."""

from __future__ import annotations

from pathlib import Path

import datasets
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from huggingface_hub import CommitOperationAdd, CommitOperationDelete, HfApi, HfFileSystem, hf_hub_download
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


def upload(api: HfApi, repo_id: str, folder: Path, message: str, deletes: tuple[str, ...] = ()) -> str:
    """One commit of every file of ``folder`` (and deletions), as ``export publish`` makes it."""
    operations: list[CommitOperationAdd | CommitOperationDelete] = [
        CommitOperationAdd(p.relative_to(folder).as_posix(), str(p)) for p in folder.rglob("*") if p.is_file()
    ]
    operations += [CommitOperationDelete(path) for path in deletes]
    info = api.create_commit(
        repo_id, operations, commit_message=message, repo_type="dataset", revision="main"
    )
    return str(info.oid)


def rows(dataset: datasets.Dataset) -> list[tuple[str, str]]:
    return sorted(zip(dataset["id"], dataset["version"], strict=True))


def test_the_session_points_both_libraries_at_the_double(hub_server: HubServer, tmp_path: Path) -> None:
    import huggingface_hub.constants

    assert hub_server.endpoint == huggingface_hub.constants.ENDPOINT
    assert hub_server.endpoint == datasets.config.HF_ENDPOINT
    assert not huggingface_hub.constants.HF_HUB_OFFLINE and huggingface_hub.constants.HF_HUB_DISABLE_XET
    home = Path(huggingface_hub.constants.HF_HOME)
    assert home != Path.home() / ".cache" / "huggingface" and home.name.startswith("stancebank-hf-home-")
    assert Path(huggingface_hub.constants.HF_TOKEN_PATH).parent == home  # never the user's token file


def test_tokens_and_namespaces_are_checked_like_the_hub(hub_env: HubServer, hub_repo_id: str) -> None:
    HfApi().create_repo(hub_repo_id, repo_type="dataset")
    bad = HfApi(token="hf_not_a_valid_token")
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
    with pytest.raises(HfHubHTTPError) as foreign:
        HfApi().create_repo("someone-else/data", repo_type="dataset")
    assert foreign.value.response.status_code == 403


def test_two_tagged_versions_load_each_by_revision(
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
    (v1 / "old.txt").write_text("only in v1")
    commit1 = upload(api, hub_repo_id, v1, "v1")
    api.create_tag(hub_repo_id, tag="v1.0.0", repo_type="dataset", revision=commit1)
    with pytest.raises(HfHubHTTPError) as tag_exists:
        api.create_tag(hub_repo_id, tag="v1.0.0", repo_type="dataset")
    assert tag_exists.value.response.status_code == 409

    v2 = write_release(tmp_path / "v2", "1.1.0", ["a1", "a2", "a4", "a5"], ["c1", "c2"])
    assert set(api.list_repo_files(hub_repo_id, repo_type="dataset")) == {
        ".gitattributes",
        "README.md",
        "old.txt",
        "data/documents/train-00000-of-00001.parquet",
        "data/documents/test-00000-of-00001.parquet",
        "data/claims/train-00000-of-00001.parquet",
    }
    commit2 = upload(api, hub_repo_id, v2, "v2", deletes=("old.txt",))
    api.create_tag(hub_repo_id, tag="v1.1.0", repo_type="dataset", revision=commit2)
    assert commit2 != commit1 and len(commit2) == 40

    refs = api.list_repo_refs(hub_repo_id, repo_type="dataset")
    assert {t.name: t.target_commit for t in refs.tags} == {"v1.0.0": commit1, "v1.1.0": commit2}
    assert [(b.name, b.target_commit) for b in refs.branches] == [("main", commit2)]
    assert [c.title for c in api.list_repo_commits(hub_repo_id, repo_type="dataset")] == [
        "v2",
        "v1",
        "initial commit",
    ]
    assert api.dataset_info(hub_repo_id, revision="v1.0.0").sha == commit1
    assert not api.file_exists(hub_repo_id, "old.txt", repo_type="dataset")
    assert api.file_exists(hub_repo_id, "old.txt", repo_type="dataset", revision="v1.0.0")

    # hf_hub_download by tag and by commit id gives each version's bytes.
    for revision, folder in (("v1.0.0", v1), (commit1, v1), ("v1.1.0", v2), (commit2, v2)):
        for path in ("README.md", "data/documents/train-00000-of-00001.parquet"):
            local = hf_hub_download(hub_repo_id, path, repo_type="dataset", revision=revision)
            assert Path(local).read_bytes() == (folder / path).read_bytes()

    # The real `datasets` loader resolves each revision to its own snapshot.
    docs_v1 = datasets.load_dataset(hub_repo_id, "documents", revision="v1.0.0")
    assert rows(docs_v1["train"]) == [("a1", "1.0.0"), ("a2", "1.0.0")]
    assert rows(docs_v1["test"]) == [("a3", "1.0.0")]
    docs_v2 = datasets.load_dataset(hub_repo_id, "documents", revision="v1.1.0")
    assert rows(docs_v2["train"]) == [("a1", "1.1.0"), ("a2", "1.1.0"), ("a4", "1.1.0")]
    claims_v1 = datasets.load_dataset(hub_repo_id, "claims", revision="v1.0.0", split="train")
    assert rows(claims_v1) == [("c1", "1.0.0")]
    claims_v2 = datasets.load_dataset(hub_repo_id, "claims", revision=commit2, split="train")
    assert rows(claims_v2) == [("c1", "1.1.0"), ("c2", "1.1.0")]

    api.delete_tag(hub_repo_id, tag="v1.0.0", repo_type="dataset")
    assert [t.name for t in api.list_repo_refs(hub_repo_id, repo_type="dataset").tags] == ["v1.1.0"]
    with pytest.raises(RevisionNotFoundError):
        hf_hub_download(hub_repo_id, "README.md", repo_type="dataset", revision="v1.0.0")


def test_range_reads_return_the_requested_bytes(hub_env: HubServer, hub_repo_id: str) -> None:
    api = HfApi()
    api.create_repo(hub_repo_id, repo_type="dataset")
    blob = bytes(range(256)) * 40
    api.create_commit(
        hub_repo_id, [CommitOperationAdd("blob.bin", blob)], commit_message="blob", repo_type="dataset"
    )
    with HfFileSystem().open(f"datasets/{hub_repo_id}/blob.bin", "rb", block_size=16) as handle:
        handle.seek(300)
        assert handle.read(10) == blob[300:310]
        handle.seek(-5, 2)
        assert handle.read() == blob[-5:]


def test_injected_fault_fails_the_commit_and_leaves_the_repo_unchanged(
    hub_env: HubServer, hub_repo_id: str, tmp_path: Path
) -> None:
    api = HfApi()
    api.create_repo(hub_repo_id, repo_type="dataset")
    head = api.dataset_info(hub_repo_id).sha
    hub_env.inject_fault("POST", rf"^/api/datasets/{hub_repo_id}/commit/")
    release = write_release(tmp_path / "r", "1.0.0", ["a", "b"], ["c"])
    with pytest.raises(HfHubHTTPError) as failed:
        upload(api, hub_repo_id, release, "r")
    assert failed.value.response.status_code == 500
    assert api.dataset_info(hub_repo_id).sha == head
    assert ("POST", f"/api/datasets/{hub_repo_id}/commit/main") in hub_env.requests
    upload(api, hub_repo_id, release, "r")  # the fault was one-shot
    assert api.dataset_info(hub_repo_id).sha != head


def test_missing_things_raise_the_clients_own_errors(hub_env: HubServer, hub_repo_id: str) -> None:
    api = HfApi()
    with pytest.raises(RepositoryNotFoundError):
        api.dataset_info(hub_repo_id)
    with pytest.raises(RepositoryNotFoundError):
        hf_hub_download(hub_repo_id, "README.md", repo_type="dataset")
    api.create_repo(hub_repo_id, repo_type="dataset")
    with pytest.raises(EntryNotFoundError):
        hf_hub_download(hub_repo_id, "README.md", repo_type="dataset")
    with pytest.raises(RevisionNotFoundError):
        api.dataset_info(hub_repo_id, revision="v9.9.9")
    with pytest.raises(EntryNotFoundError):
        api.create_commit(
            hub_repo_id, [CommitOperationDelete("nope.txt")], commit_message="rm", repo_type="dataset"
        )
