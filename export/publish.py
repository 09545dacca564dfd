"""Publish a release folder to a Hugging Face dataset repo: one commit, then tag ``vX.Y.Z``.

- The token comes from ``HF_TOKEN`` (never logged); the endpoint from ``HF_ENDPOINT`` (default
  huggingface.co), both as ``huggingface_hub`` reads them.
- The folder is checked against its ``release.json`` (every file's sha256) before anything is sent.
- The repo is created when missing; an existing tag ``vX.Y.Z`` is refused before uploading.
- All files go in one commit on ``main``; files of the previous release that this one no longer
  has are deleted in the same commit (``.gitattributes`` is kept).
- The tag is created on that commit; if tagging fails, any tag that was created is deleted, so a
  failure never leaves a tag behind (the commit stays on ``main``; re-run after fixing the cause).
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from stancebank.export.card import repo_of_dataset_url
from stancebank.export.errors import (
    PublishAuthError,
    PublishError,
    PublishNotFoundError,
    PublishRemoteError,
    PublishServerError,
    PublishUsageError,
)
from stancebank.export.manifest import read_manifest
from stancebank.schema.layout import CROISSANT, MANIFEST, sha256_file

log = logging.getLogger(__name__)

KEEP_REMOTE = {".gitattributes"}


@dataclass(frozen=True)
class PublishPlan:
    repo_id: str
    version: str
    tag: str
    files: tuple[tuple[str, int], ...]  # (path in repo, bytes)
    # the repository the release's card and croissant.json name (load snippets, links, citation);
    # None when the release has no croissant.json to say
    card_repo: str | None = None

    def repo_warning(self) -> str | None:
        """What is wrong when the release names another repository than the one it goes to."""
        if self.card_repo is None or self.card_repo == self.repo_id:
            return None
        return (
            f"the release's card and croissant.json name {self.card_repo} (load snippets, links, "
            f"citation), not {self.repo_id}: researchers who copy them will not find this dataset; "
            f"rebuild it with `stancebank export build … --repo {self.repo_id}` (or hub_repo in "
            "stancebank.toml) before publishing"
        )

    def describe(self) -> str:
        total = sum(size for _, size in self.files)
        lines = [
            f"repo: {self.repo_id} (dataset; created if missing)",
            f"commit: 'Release v{self.version}' on main with {len(self.files)} files, {total:,} bytes:",
        ]
        lines += [f"  {path} ({size:,} bytes)" for path, size in self.files]
        lines.append(f"tag: {self.tag} (refused if it exists)")
        warning = self.repo_warning()
        if warning is not None:
            lines.append(f"warning: {warning}")
        return "\n".join(lines)


@dataclass(frozen=True)
class PublishResult:
    repo_id: str
    tag: str
    commit: str
    files: int
    deleted: tuple[str, ...]


def plan_publish(folder: Path, repo_id: str) -> PublishPlan:
    """Check the release folder against its manifest and list what would be uploaded."""
    if "/" not in repo_id or repo_id.count("/") != 1:
        raise PublishUsageError(f"--repo {repo_id!r} must be ORG/NAME")
    manifest = read_manifest(folder)
    files: list[tuple[str, int]] = []
    for rel, digest in sorted(manifest.get("files", {}).items()):
        path = folder / rel
        if not path.is_file():
            raise PublishError(f"{folder}: {rel} is listed in {MANIFEST} but missing; rebuild the release")
        if sha256_file(path) != digest:
            raise PublishError(
                f"{folder}: {rel} does not match its sha256 in {MANIFEST}; rebuild the release"
            )
        files.append((rel, path.stat().st_size))
    on_disk = {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()}
    extra = on_disk - set(manifest.get("files", {})) - {MANIFEST}
    if extra:
        raise PublishError(f"{folder}: files not in {MANIFEST}: {sorted(extra)}; remove them or rebuild")
    files.append((MANIFEST, (folder / MANIFEST).stat().st_size))
    version = str(manifest["version"])
    return PublishPlan(
        repo_id=repo_id,
        version=version,
        tag=f"v{version}",
        files=tuple(sorted(files)),
        card_repo=_named_repo(folder),
    )


def _named_repo(folder: Path) -> str | None:
    """The repository a release's croissant.json names (its ``url``: the card's Hub page)."""
    path = folder / CROISSANT
    if not path.is_file():
        return None
    try:
        url = json.loads(path.read_text(encoding="utf-8")).get("url")
    except (ValueError, AttributeError):
        return None
    return repo_of_dataset_url(url)


def publish(folder: Path, repo_id: str, token: str | None = None) -> PublishResult:
    import httpx2
    from huggingface_hub import CommitOperationAdd, CommitOperationDelete, HfApi
    from huggingface_hub.errors import HfHubHTTPError

    # what a failed request raises: an HTTP status (HfHubHTTPError) or no answer at all
    request_errors = (HfHubHTTPError, httpx2.HTTPError, OSError)

    plan = plan_publish(folder, repo_id)
    warning = plan.repo_warning()
    if warning is not None:
        log.warning("%s", warning)
    token = token or os.environ.get("HF_TOKEN")
    if not token:
        raise PublishUsageError("no Hub token: set HF_TOKEN to a write token for the organisation")
    api = HfApi(token=token)
    try:
        api.create_repo(repo_id, repo_type="dataset", exist_ok=True)
        refs = api.list_repo_refs(repo_id, repo_type="dataset")
        if any(t.name == plan.tag for t in refs.tags):
            raise PublishError(
                f"{repo_id} already has tag {plan.tag}; releases are immutable — build a higher version"
            )
        remote = set(api.list_repo_files(repo_id, repo_type="dataset"))
    except request_errors as err:
        raise remote_error(repo_id, err, "nothing was uploaded") from err

    local = {rel for rel, _ in plan.files}
    deletes = sorted(remote - local - KEEP_REMOTE)
    operations: list[CommitOperationAdd | CommitOperationDelete] = [
        CommitOperationAdd(path_in_repo=rel, path_or_fileobj=str(folder / rel)) for rel in sorted(local)
    ]
    operations += [CommitOperationDelete(path_in_repo=rel) for rel in deletes]
    try:
        info = api.create_commit(
            repo_id,
            operations,
            commit_message=f"Release v{plan.version}",
            commit_description=f"stancebank dataset release {plan.version}; see {MANIFEST}.",
            repo_type="dataset",
            revision="main",
        )
    except request_errors as err:
        raise remote_error(repo_id, err, "the upload failed and no tag was created") from err
    commit = str(info.oid)
    try:
        api.create_tag(
            repo_id, tag=plan.tag, revision=commit, repo_type="dataset", tag_message=f"Release {plan.version}"
        )
    except Exception as err:
        _remove_tag(api, repo_id, plan.tag, commit)
        raise PublishError(
            f"{repo_id}: commit {commit[:12]} was uploaded but tagging {plan.tag} failed "
            f"({err.__class__.__name__}); "
            "no tag was left behind — re-run publish to tag it"
        ) from err
    log.info("published %s to %s at %s, tagged %s", plan.version, repo_id, commit[:12], plan.tag)
    return PublishResult(repo_id, plan.tag, commit, len(local), tuple(deletes))


def _remove_tag(api: Any, repo_id: str, tag: str, commit: str) -> None:
    """Delete ``tag`` if it exists and points at our ``commit`` (never someone else's tag)."""
    try:
        refs = api.list_repo_refs(repo_id, repo_type="dataset")
        if any(t.name == tag and t.target_commit == commit for t in refs.tags):
            api.delete_tag(repo_id, tag=tag, repo_type="dataset")
    except Exception:  # noqa: BLE001 - best effort; the error that brought us here is raised by the caller
        log.warning("could not check for a half-created tag %s on %s; check the repo's tags", tag, repo_id)


def _status_code(err: Exception) -> int | None:
    response = getattr(err, "response", None)
    code = getattr(response, "status_code", None)
    return code if isinstance(code, int) else None


def remote_error(repo_id: str, err: Exception, outcome: str) -> PublishRemoteError:
    """The publish error for a failed Hub request, with the advice its HTTP status calls for."""
    code = _status_code(err)
    status = f"HTTP {code}" if code is not None else err.__class__.__name__
    if code in (401, 403):
        return PublishAuthError(
            f"{repo_id}: the Hub refused the token ({status}); {outcome}. Set HF_TOKEN to a token "
            "with write access to the repo's organisation"
        )
    if code == 404:
        return PublishNotFoundError(
            f"{repo_id}: not found on the Hub ({status}); {outcome}. Check the --repo id (ORG/NAME) "
            "and HF_ENDPOINT"
        )
    if code is None or code >= 500:
        return PublishServerError(
            f"{repo_id}: the Hub failed or did not answer ({status}); {outcome}. The problem is on "
            "the server side or the network: retry later (HF_ENDPOINT names the server)"
        )
    return PublishRemoteError(f"{repo_id}: the Hub refused the request ({status}); {outcome}")
