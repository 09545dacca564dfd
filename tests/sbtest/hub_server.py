"""A Hugging Face Hub-protocol server for tests: a test double of huggingface.co on 127.0.0.1.

Why it exists: stancebank publishes releases with the real ``huggingface_hub`` client and its users load
them with the real ``datasets`` library. Proving that needs a Hub, and tests have no internet. No
self-hostable Hub is on PyPI (hf-local-hub ships no server; olah is a read-only mirror), so this module is
the sanctioned test double (issue 5). It is test infrastructure only, never shipped.

It speaks the subset of the Hub HTTP protocol that ``huggingface_hub`` 2.4 really sends (checked against
the client's source), with ``HF_HUB_DISABLE_XET=1`` (no Xet protocol):

* ``GET /api/whoami-v2``, ``POST /api/validate-yaml``, ``POST /api/repos/create``,
  ``DELETE /api/repos/delete``
* ``GET /api/{type}s/{ns}/{name}[/revision/{rev}]`` (repo info: sha, siblings, cardData, tags; ``?blobs=1``)
* ``GET  .../refs``, ``GET .../tree/{rev}[/{path}]`` (recursive, cursor-paginated via ``Link``),
  ``POST .../paths-info/{rev}``, ``GET .../commits/{rev}``
* ``POST .../preupload/{rev}`` (upload mode from the repo's ``.gitattributes``, size and binary sample),
  ``POST .../commit/{rev}`` (NDJSON: header / file / lfsFile / deletedFile / deletedFolder; ``parentCommit``)
* ``POST .../tag/{rev}`` (409 on an existing tag), ``DELETE .../tag/{tag}``, ``POST|DELETE .../branch/{name}``
* ``POST /{prefix}{ns}/{name}.git/info/lfs/objects/batch`` (basic transfer) and ``.../objects/verify``
* ``GET|HEAD /{prefix}{ns}/{name}/resolve/{rev}/{path}`` with ``ETag``, ``X-Repo-Commit``, Range requests;
  LFS files answer ``302`` to a second "CDN" origin (another port) with ``X-Linked-Etag``/``X-Linked-Size``,
  as the real Hub does, so the client's cross-origin redirect handling is exercised too.

Semantics: blobs are content-addressed (sha256) files in a directory; a commit is an immutable snapshot
``path -> blob`` with a git-style 40-hex id; branches and tags are refs. Revisions may be a branch, a tag
or a full commit sha. A request with an unknown token gets 401 like the real Hub; writes need a valid token
whose user or organisations own the namespace. For tests of failure handling, ``inject_fault()`` makes the
next matching request fail, and ``requests`` logs every (method, path). Not implemented: pull requests, Xet,
multipart LFS, gated repos, model/space-specific metadata.
"""

from __future__ import annotations

import base64
import fnmatch
import hashlib
import json
import logging
import re
import secrets
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, quote, unquote, urlencode, urlsplit

import yaml

logger = logging.getLogger(__name__)

REPO_TYPES = ("model", "dataset", "space")
URL_PREFIXES = {"model": "", "dataset": "datasets/", "space": "spaces/"}
LFS_SIZE_THRESHOLD = 10 * 1024 * 1024  # the Hub refuses regular (non-LFS) files above 10 MiB
TREE_PAGE_SIZE = 1000  # the Hub's page size (50 with expand=True)
# A subset of the .gitattributes the Hub writes into every new repo.
DEFAULT_GITATTRIBUTES = "".join(
    f"{pattern} filter=lfs diff=lfs merge=lfs -text\n"
    for pattern in str.split(
        "*.7z *.arrow *.bin *.bz2 *.ckpt *.ftz *.gz *.h5 *.joblib *.lz4 *.mds *.mlmodel *.model *.msgpack"
        " *.npy *.npz *.onnx *.ot *.parquet *.pb *.pickle *.pkl *.pt *.pth *.rar *.safetensors *.tar"
        " *.tflite *.tgz *.wasm *.xz *.zip *.zst *tfevents*"
    )
)


class HubError(Exception):
    """An HTTP error answered the way the Hub does (status, X-Error-Code, X-Error-Message, JSON body)."""

    def __init__(self, status: int, message: str, code: str | None = None, **body: Any) -> None:
        super().__init__(message)
        self.status, self.message, self.code, self.body = status, message, code, body


def git_blob_oid(data: bytes) -> str:
    return hashlib.sha1(b"blob %d\x00" % len(data) + data).hexdigest()


def lfs_pointer(sha256: str, size: int) -> bytes:
    return f"version https://git-lfs.github.com/spec/v1\noid sha256:{sha256}\nsize {size}\n".encode()


@dataclass(frozen=True)
class FileEntry:
    sha256: str
    size: int
    lfs: bool
    oid: str  # the git object id: of the content, or of the LFS pointer for LFS files

    @classmethod
    def for_lfs(cls, sha256: str, size: int) -> FileEntry:
        return cls(sha256, size, True, git_blob_oid(lfs_pointer(sha256, size)))


@dataclass(frozen=True)
class Commit:
    oid: str
    parents: tuple[str, ...]
    title: str
    message: str
    date: str
    author: str
    files: dict[str, FileEntry]


@dataclass
class Repo:
    type: str
    id: str
    private: bool
    created_at: str
    commits: dict[str, Commit] = field(default_factory=dict)
    heads: dict[str, str] = field(default_factory=dict)
    tags: dict[str, str] = field(default_factory=dict)


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _check_path(path: str) -> str:
    parts = path.split("/")
    if not path or path.startswith("/") or any(p in ("", ".", "..", ".git") for p in parts):
        raise HubError(400, f"Invalid path in repo: {path!r}")
    return path


class HubState:
    """Repos, commits and refs in memory (persisted as JSON for inspection); blobs on disk by sha256."""

    def __init__(self, root: Path) -> None:
        self.root = root
        (root / "blobs").mkdir(parents=True, exist_ok=True)
        self.repos: dict[tuple[str, str], Repo] = {}
        self.uploads: dict[str, tuple[str, int]] = {}  # upload secret -> (sha256, size)
        self.lock = threading.RLock()

    # -- blobs --
    def blob_path(self, sha256: str) -> Path:
        return self.root / "blobs" / sha256

    def has_blob(self, sha256: str, size: int | None = None) -> bool:
        path = self.blob_path(sha256)
        return path.is_file() and (size is None or path.stat().st_size == size)

    def put_blob(self, data: bytes) -> str:
        sha256 = hashlib.sha256(data).hexdigest()
        path = self.blob_path(sha256)
        if not path.exists():
            tmp = path.with_suffix(f".{secrets.token_hex(4)}.tmp")
            tmp.write_bytes(data)
            tmp.replace(path)
        return sha256

    def entry(self, data: bytes, lfs: bool) -> FileEntry:
        sha256 = self.put_blob(data)
        return (
            FileEntry.for_lfs(sha256, len(data))
            if lfs
            else FileEntry(sha256, len(data), False, git_blob_oid(data))
        )

    # -- repos and revisions --
    def repo(self, repo_type: str, repo_id: str) -> Repo:
        repo = self.repos.get((repo_type, repo_id))
        if repo is None:
            raise HubError(404, "Repository not found", "RepoNotFound")
        return repo

    def resolve(self, repo: Repo, revision: str) -> Commit:
        oid = repo.heads.get(revision) or repo.tags.get(revision)
        if oid is None and revision in repo.commits:
            oid = revision
        if oid is None:
            raise HubError(404, f"Invalid rev id: {revision}", "RevisionNotFound")
        return repo.commits[oid]

    def create_repo(self, repo_type: str, repo_id: str, private: bool, author: str) -> Repo:
        with self.lock:
            if (repo_type, repo_id) in self.repos:
                raise HubError(409, f"You already created this {repo_type} repo")
            repo = Repo(repo_type, repo_id, private, _now())
            self.repos[(repo_type, repo_id)] = repo
            gitattributes = self.entry(DEFAULT_GITATTRIBUTES.encode(), lfs=False)
            self._add_commit(
                repo, "main", None, "initial commit", "", author, {".gitattributes": gitattributes}
            )
            return repo

    def delete_repo(self, repo_type: str, repo_id: str) -> None:
        with self.lock:
            self.repo(repo_type, repo_id)
            del self.repos[(repo_type, repo_id)]

    def _add_commit(
        self,
        repo: Repo,
        branch: str,
        parent: str | None,
        title: str,
        message: str,
        author: str,
        files: dict[str, FileEntry],
    ) -> Commit:
        date = _now()
        snapshot = json.dumps(
            [parent, title, message, date, secrets.token_hex(8), sorted((p, e.oid) for p, e in files.items())]
        )
        oid = hashlib.sha1(snapshot.encode()).hexdigest()
        commit = Commit(oid, (parent,) if parent else (), title, message, date, author, dict(files))
        repo.commits[oid] = commit
        repo.heads[branch] = oid
        self._persist(repo, commit)
        return commit

    def _persist(self, repo: Repo, commit: Commit | None = None) -> None:
        folder = self.root / "repos" / repo.type / repo.id
        (folder / "commits").mkdir(parents=True, exist_ok=True)
        if commit is not None:
            files = {p: {"sha256": e.sha256, "size": e.size, "lfs": e.lfs} for p, e in commit.files.items()}
            doc = {"oid": commit.oid, "parents": commit.parents, "title": commit.title, "files": files}
            (folder / "commits" / f"{commit.oid}.json").write_text(json.dumps(doc, indent=1))
        (folder / "refs.json").write_text(json.dumps({"heads": repo.heads, "tags": repo.tags}, indent=1))

    def commit(self, repo: Repo, branch: str, lines: list[dict[str, Any]], author: str) -> Commit:
        if not lines or lines[0].get("key") != "header":
            raise HubError(400, "The first line of the commit payload must be the header")
        header = lines[0]["value"]
        with self.lock:
            if branch not in repo.heads:
                if branch in repo.tags or branch in repo.commits:
                    raise HubError(400, f"Invalid rev id: {branch} is not a branch")
                raise HubError(404, f"Invalid rev id: {branch}", "RevisionNotFound")
            head = repo.commits[repo.heads[branch]]
            parent = header.get("parentCommit")
            if parent is not None and parent != head.oid:
                raise HubError(412, "A commit has happened since. Please refresh and try again.")
            files = dict(head.files)
            for line in lines[1:]:
                self._apply(files, line.get("key"), line.get("value") or {})
            title = header.get("summary") or "Upload files"
            return self._add_commit(
                repo, branch, head.oid, title, header.get("description", ""), author, files
            )

    def _apply(self, files: dict[str, FileEntry], key: str | None, value: dict[str, Any]) -> None:
        path = _check_path(
            str(value.get("path", "")).strip("/") if key == "deletedFolder" else value.get("path", "")
        )
        if key == "file":
            data = base64.b64decode(value["content"])
            if len(data) > LFS_SIZE_THRESHOLD:
                raise HubError(400, f"{path}: files larger than 10 MiB must be uploaded with LFS")
            files[path] = self.entry(data, lfs=False)
        elif key == "lfsFile":
            sha256 = value["oid"]
            if not self.has_blob(sha256):
                raise HubError(422, f"{path}: LFS object {sha256} was never uploaded")
            size = self.blob_path(sha256).stat().st_size
            if value.get("size") not in (None, size):
                raise HubError(
                    422, f"{path}: LFS size {value.get('size')} does not match the upload ({size})"
                )
            files[path] = FileEntry.for_lfs(sha256, size)
        elif key == "deletedFile":
            if files.pop(path, None) is None:
                raise HubError(404, f"{path}: A file with this name doesn't exist", "EntryNotFound")
        elif key == "deletedFolder":
            doomed = [p for p in files if p.startswith(path + "/")]
            if not doomed:
                raise HubError(404, f"{path}: A folder with this name doesn't exist", "EntryNotFound")
            for p in doomed:
                del files[p]
        else:
            raise HubError(400, f"Unsupported commit operation {key!r}")

    def set_ref(self, repo: Repo, kind: str, name: str, target: str | None, exist_ok: bool = False) -> None:
        refs = repo.tags if kind == "tag" else repo.heads
        with self.lock:
            if target is None:
                if refs.pop(name, None) is None:
                    raise HubError(404, f"{kind} {name} not found", "RevisionNotFound")
            elif name in refs and not exist_ok:
                raise HubError(409, f"{kind.capitalize()} {name} already exists")
            else:
                refs[name] = target
            self._persist(repo)


def is_lfs_path(path: str, gitattributes: str) -> bool:
    for line in gitattributes.splitlines():
        parts = line.split()
        if len(parts) >= 2 and "filter=lfs" in parts[1:]:
            pattern = parts[0]
            subject = path if "/" in pattern else path.rsplit("/", 1)[-1]
            if fnmatch.fnmatchcase(subject, pattern.lstrip("/")):
                return True
    return False


def card_data(readme: bytes) -> dict[str, Any] | None:
    text = readme.decode("utf-8", errors="replace")
    if not text.startswith("---"):
        return None
    end = text.find("\n---", 3)
    data = yaml.safe_load(text[3:end]) if end > 0 else None
    return data if isinstance(data, dict) else None


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    # -- plumbing --
    def log_message(self, format: str, *args: Any) -> None:
        logger.debug("hub %s " + format, self.server.role, *args)

    def do_GET(self) -> None:
        self._dispatch("GET")

    def do_HEAD(self) -> None:
        self._dispatch("HEAD")

    def do_POST(self) -> None:
        self._dispatch("POST")

    def do_PUT(self) -> None:
        self._dispatch("PUT")

    def do_DELETE(self) -> None:
        self._dispatch("DELETE")

    def _dispatch(self, method: str) -> None:
        self.method = method
        split = urlsplit(self.path)
        self.query = {k: v[-1] for k, v in parse_qs(split.query, keep_blank_values=True).items()}
        self.segments = [unquote(s) for s in split.path.split("/")[1:]]
        try:
            self.body = self._read_body()
            self.server.hub.requests.append((method, split.path))
            self.server.hub.check_faults(method, split.path)
            self.user = self._authenticate()
            if self.server.role == "cdn":
                self._route_cdn()
            elif self.segments[0] == "api":
                self._route_api()
            else:
                self._route_git()
        except HubError as err:
            self._error(err)
        except (KeyError, IndexError, ValueError, TypeError) as err:
            self._error(HubError(400, f"Bad request: {err!r}"))
        except Exception as err:  # a bug in the double reaches the client as a 500
            logger.exception("Hub test server failed on %s %s", method, self.path)
            self._error(HubError(500, f"Hub test server error: {err!r}"))

    def _read_body(self) -> bytes:
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            chunks = []
            while size := int(self.rfile.readline().split(b";")[0].strip() or b"0", 16):
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
            while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                pass
            return b"".join(chunks)
        return self.rfile.read(int(self.headers.get("Content-Length") or 0))

    def _authenticate(self) -> str | None:
        auth = self.headers.get("Authorization")
        if not auth or self.server.role == "cdn":
            return None
        user = self.server.hub.tokens.get(auth.removeprefix("Bearer ").strip())
        if user is None:
            raise HubError(401, "Invalid credentials in Authorization header")
        return user

    def _send(self, status: int, body: bytes = b"", headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        headers = {"Content-Type": "application/json", **(headers or {})}
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", headers.get("Content-Length", str(len(body))))
        self.end_headers()
        if self.method != "HEAD":
            self.wfile.write(body)

    def _json(self, data: Any, status: int = 200, headers: dict[str, str] | None = None) -> None:
        self._send(status, json.dumps(data).encode(), headers)

    def _error(self, err: HubError) -> None:
        headers = {"X-Error-Message": err.message}
        if err.code:
            headers["X-Error-Code"] = err.code
        self._json({"error": err.message, **err.body}, err.status, headers)

    def _require_write(self, namespace: str) -> str:
        if self.user is None:
            raise HubError(401, "You must be authenticated to write to the Hub")
        if namespace not in {self.user, *self.server.hub.orgs}:
            raise HubError(403, f"You don't have the rights to write to the namespace {namespace}")
        return self.user

    def _repo(self, repo_type: str, repo_id: str) -> Repo:
        repo = self.state.repo(repo_type, repo_id)
        if repo.private and self.user is None:
            raise HubError(404, "Repository not found", "RepoNotFound")
        return repo

    @property
    def state(self) -> HubState:
        return self.server.hub.state

    @property
    def endpoint(self) -> str:
        return self.server.hub.endpoint

    def _form(self) -> dict[str, list[str]]:
        if self.headers.get("Content-Type", "").startswith("application/json"):
            data = json.loads(self.body)
            return {k: v if isinstance(v, list) else [str(v)] for k, v in data.items()}
        return parse_qs(self.body.decode(), keep_blank_values=True)

    # -- routes --
    def _route_api(self) -> None:
        seg, method = self.segments[1:], self.method
        if seg == ["whoami-v2"] and method == "GET":
            return self._whoami()
        if seg == ["validate-yaml"] and method == "POST":
            return self._validate_yaml()
        if seg[:1] == ["repos"] and seg[1:] in (["create"], ["delete"]):
            return self._create_or_delete_repo(seg[1])
        if len(seg) < 3 or seg[0].removesuffix("s") not in REPO_TYPES:
            raise HubError(404, f"Unknown API route /api/{'/'.join(seg)}")
        repo_type, repo_id, action, rest = seg[0][:-1], f"{seg[1]}/{seg[2]}", seg[3:4], seg[4:]
        if action == [] and method == "GET":
            return self._info(repo_type, repo_id, "main")
        routes = {
            ("revision", "GET"): lambda: self._info(repo_type, repo_id, rest[0]),
            ("refs", "GET"): lambda: self._refs(repo_type, repo_id),
            ("tree", "GET"): lambda: self._tree(repo_type, repo_id, rest[0], "/".join(rest[1:])),
            ("paths-info", "POST"): lambda: self._paths_info(repo_type, repo_id, rest[0]),
            ("commits", "GET"): lambda: self._commits(repo_type, repo_id, rest[0]),
            ("preupload", "POST"): lambda: self._preupload(repo_type, repo_id, rest[0]),
            ("commit", "POST"): lambda: self._commit(repo_type, repo_id, rest[0]),
            ("tag", "POST"): lambda: self._create_ref(repo_type, repo_id, "tag", rest[0]),
            ("tag", "DELETE"): lambda: self._delete_ref(repo_type, repo_id, "tag", rest[0]),
            ("branch", "POST"): lambda: self._create_ref(repo_type, repo_id, "branch", rest[0]),
            ("branch", "DELETE"): lambda: self._delete_ref(repo_type, repo_id, "branch", rest[0]),
        }
        handler = routes.get((action[0] if action else "", method))
        if handler is None:
            raise HubError(404, f"Unknown API route {method} /api/{'/'.join(seg)}")
        return handler()

    def _route_git(self) -> None:
        seg = self.segments
        repo_type = next((t for t, p in URL_PREFIXES.items() if p and seg[0] == p[:-1]), "model")
        seg = seg[1:] if repo_type != "model" else seg
        if len(seg) >= 4 and seg[1].endswith(".git") and seg[2:5] == ["info", "lfs", "objects"]:
            repo_id = f"{seg[0]}/{seg[1].removesuffix('.git')}"
            if seg[5:] == ["batch"] and self.method == "POST":
                return self._lfs_batch(repo_type, repo_id)
            if seg[5:] == ["verify"] and self.method == "POST":
                return self._lfs_verify()
        if len(seg) >= 5 and seg[2] == "resolve" and self.method in ("GET", "HEAD"):
            return self._resolve(repo_type, f"{seg[0]}/{seg[1]}", seg[3], "/".join(seg[4:]))
        raise HubError(404, f"Unknown route {self.method} {self.path}")

    def _route_cdn(self) -> None:
        seg = self.segments
        if seg[:1] == ["lfs-objects"] and len(seg) == 2 and self.method in ("GET", "HEAD"):
            if not self.state.has_blob(seg[1]):
                raise HubError(404, "No such object")
            return self._send_blob(seg[1], {})
        if seg[:1] == ["lfs-upload"] and len(seg) == 2 and self.method == "PUT":
            sha256, size = self.state.uploads.pop(seg[1], ("", -1))
            if not sha256:
                raise HubError(403, "Upload URL is invalid or was already used")
            if len(self.body) != size or hashlib.sha256(self.body).hexdigest() != sha256:
                raise HubError(400, f"Uploaded content does not match oid {sha256} / size {size}")
            self.state.put_blob(self.body)
            return self._send(200, b"", {"ETag": f'"{sha256}"'})
        raise HubError(404, f"Unknown CDN route {self.path}")

    # -- account and repos --
    def _whoami(self) -> None:
        if self.user is None:
            raise HubError(401, "Invalid username or password.")
        orgs = [{"type": "org", "name": org, "roleInOrg": "write"} for org in self.server.hub.orgs]
        auth = {"type": "access_token", "accessToken": {"displayName": "tests", "role": "write"}}
        self._json(
            {
                "type": "user",
                "id": self.user,
                "name": self.user,
                "fullname": self.user,
                "orgs": orgs,
                "auth": auth,
            }
        )

    def _validate_yaml(self) -> None:
        try:
            card_data(json.loads(self.body).get("content", "").encode())
        except yaml.YAMLError as err:
            return self._json({"errors": [{"message": str(err)}], "warnings": []}, 400)
        return self._json({"errors": [], "warnings": []})

    def _create_or_delete_repo(self, action: str) -> None:
        payload = json.loads(self.body)
        repo_type = payload.get("type") or "model"
        if repo_type not in REPO_TYPES:
            raise HubError(400, f"Invalid repo type {repo_type!r}")
        namespace = payload.get("organization") or self.user or ""
        author = self._require_write(namespace)
        repo_id = f"{namespace}/{payload['name']}"
        url = f"{self.endpoint}/{URL_PREFIXES[repo_type]}{repo_id}"
        if action == "delete":
            self.state.delete_repo(repo_type, repo_id)
            return self._json({})
        private = bool(payload.get("private")) or payload.get("visibility") == "private"
        try:
            self.state.create_repo(repo_type, repo_id, private, author)
        except HubError as err:  # the Hub's 409 names the existing repo: `exist_ok=True` reads its url
            err.body["url"] = url
            raise
        return self._json({"url": url, "name": repo_id, "id": repo_id})

    # -- reading --
    def _info(self, repo_type: str, repo_id: str, revision: str) -> None:
        repo = self._repo(repo_type, repo_id)
        commit = self.state.resolve(repo, revision)
        blobs = self.query.get("blobs", "").lower() in ("1", "true")
        siblings = []
        for path, entry in sorted(commit.files.items()):
            sibling: dict[str, Any] = {"rfilename": path}
            if blobs:
                sibling.update(size=entry.size, blobId=entry.oid)
                if entry.lfs:
                    pointer_size = len(lfs_pointer(entry.sha256, entry.size))
                    sibling["lfs"] = {"size": entry.size, "sha256": entry.sha256, "pointerSize": pointer_size}
            siblings.append(sibling)
        readme = commit.files.get("README.md")
        card = card_data(self.state.blob_path(readme.sha256).read_bytes()) if readme else None
        tags = [
            f"{k}:{v}"
            for k in ("license", "language", "task_categories", "size_categories")
            for v in _as_list((card or {}).get(k))
        ] + _as_list((card or {}).get("tags"))
        info = {
            "_id": hashlib.md5(repo_id.encode()).hexdigest()[:24],
            "id": repo_id,
            "author": repo_id.split("/")[0],
            "sha": commit.oid,
            "lastModified": commit.date,
            "createdAt": repo.created_at,
            "private": repo.private,
            "gated": False,
            "disabled": False,
            "downloads": 0,
            "likes": 0,
            "tags": tags,
            "siblings": siblings,
            "usedStorage": sum(e.size for e in commit.files.values()),
        }
        if card is not None:
            info["cardData"] = card
        self._json(info)

    def _refs(self, repo_type: str, repo_id: str) -> None:
        repo = self._repo(repo_type, repo_id)

        def refs(kind: str, items: dict[str, str]) -> list[dict[str, str]]:
            return [
                {"name": n, "ref": f"refs/{kind}/{n}", "targetCommit": c} for n, c in sorted(items.items())
            ]

        self._json(
            {
                "branches": refs("heads", repo.heads),
                "tags": refs("tags", repo.tags),
                "converts": [],
                "pullRequests": [],
            }
        )

    def _last_commit(self, repo: Repo, commit: Commit, path: str) -> dict[str, str]:
        """The newest ancestor (first-parent) in which `path` (a file or folder) last changed."""

        def state(c: Commit) -> list[tuple[str, str]]:
            return sorted((p, e.oid) for p, e in c.files.items() if p == path or p.startswith(path + "/"))

        current = state(commit)
        while commit.parents and state(parent := repo.commits[commit.parents[0]]) == current:
            commit = parent
        return {"id": commit.oid, "title": commit.title, "date": commit.date}

    def _entry_info(self, repo: Repo, commit: Commit, path: str, expand: bool) -> dict[str, Any] | None:
        info: dict[str, Any]
        entry = commit.files.get(path)
        if entry is not None:
            info = {"type": "file", "oid": entry.oid, "size": entry.size, "path": path}
            if entry.lfs:
                pointer_size = len(lfs_pointer(entry.sha256, entry.size))
                info["lfs"] = {"oid": entry.sha256, "size": entry.size, "pointerSize": pointer_size}
        else:
            inside = sorted((p, e.oid) for p, e in commit.files.items() if p.startswith(path + "/"))
            if not inside:
                return None
            info = {
                "type": "directory",
                "oid": hashlib.sha1(json.dumps([path, inside]).encode()).hexdigest(),
                "size": 0,
                "path": path,
            }
        if expand:
            info["lastCommit"] = self._last_commit(repo, commit, path)
        return info

    def _tree(self, repo_type: str, repo_id: str, revision: str, folder: str) -> None:
        repo = self._repo(repo_type, repo_id)
        commit = self.state.resolve(repo, revision)
        folder = folder.strip("/")
        recursive = self.query.get("recursive", "").lower() in ("1", "true")
        expand = self.query.get("expand", "").lower() in ("1", "true")
        prefix = folder + "/" if folder else ""
        if folder and not any(p.startswith(prefix) for p in commit.files):
            raise HubError(404, f"{folder} does not exist on {revision}", "EntryNotFound")
        paths: set[str] = set()
        for path in commit.files:
            if path.startswith(prefix):
                parts = path[len(prefix) :].split("/")
                depth = len(parts) if recursive else 1
                paths.update(prefix + "/".join(parts[: i + 1]) for i in range(min(depth, len(parts))))
        ordered = sorted(paths)
        page_size = self.server.hub.tree_page_size if not expand else min(50, self.server.hub.tree_page_size)
        start = int(self.query.get("cursor") or 0)
        page = [self._entry_info(repo, commit, p, expand) for p in ordered[start : start + page_size]]
        headers = {}
        if start + page_size < len(ordered):
            query = urlencode({**self.query, "cursor": start + page_size})
            headers["Link"] = f'<{self.endpoint}{urlsplit(self.path).path}?{query}>; rel="next"'
        self._json(page, headers=headers)

    def _paths_info(self, repo_type: str, repo_id: str, revision: str) -> None:
        repo = self._repo(repo_type, repo_id)
        commit = self.state.resolve(repo, revision)
        form = self._form()
        expand = (form.get("expand") or ["false"])[-1].lower() in ("1", "true")
        infos = [self._entry_info(repo, commit, p.strip("/"), expand) for p in form.get("paths", [])]
        self._json([info for info in infos if info is not None])

    def _commits(self, repo_type: str, repo_id: str, revision: str) -> None:
        repo = self._repo(repo_type, repo_id)
        commit: Commit | None = self.state.resolve(repo, revision)
        history = []
        while commit is not None:
            history.append(
                {
                    "id": commit.oid,
                    "title": commit.title,
                    "message": commit.message,
                    "date": commit.date,
                    "authors": [{"user": commit.author}],
                }
            )
            commit = repo.commits[commit.parents[0]] if commit.parents else None
        self._json(history)

    def _resolve(self, repo_type: str, repo_id: str, revision: str, path: str) -> None:
        repo = self._repo(repo_type, repo_id)
        commit = self.state.resolve(repo, revision)
        entry = commit.files.get(path)
        if entry is None:
            raise HubError(404, f"{path} does not exist on {revision}", "EntryNotFound")
        headers = {"X-Repo-Commit": commit.oid, "ETag": f'"{entry.oid}"'}
        if entry.lfs:
            location = f"{self.server.hub.cdn_endpoint}/lfs-objects/{entry.sha256}"
            headers.update(
                {
                    "Location": location,
                    "X-Linked-Etag": f'"{entry.sha256}"',
                    "X-Linked-Size": str(entry.size),
                    "Content-Type": "text/plain",
                }
            )
            return self._send(302, f"Found. Redirecting to {location}".encode(), headers)
        return self._send_blob(entry.sha256, headers)

    def _send_blob(self, sha256: str, headers: dict[str, str]) -> None:
        data = self.state.blob_path(sha256).read_bytes()
        headers = {**headers, "Content-Type": "application/octet-stream", "Accept-Ranges": "bytes"}
        ranged = self.headers.get("Range", "").removeprefix("bytes=")
        if not ranged or "," in ranged:
            return self._send(200, data, headers)
        first, _, last = ranged.partition("-")
        start = len(data) - int(last) if not first else int(first)
        end = len(data) - 1 if not first or not last else min(int(last), len(data) - 1)
        if start >= len(data) or start > end or start < 0:
            return self._send(416, b"", {**headers, "Content-Range": f"bytes */{len(data)}"})
        headers["Content-Range"] = f"bytes {start}-{end}/{len(data)}"
        return self._send(206, data[start : end + 1], headers)

    # -- writing --
    def _preupload(self, repo_type: str, repo_id: str, revision: str) -> None:
        self._require_write(repo_id.split("/")[0])
        repo = self._repo(repo_type, repo_id)
        if self.query.get("create_pr"):
            raise HubError(400, "Pull requests are not supported by the Hub test double")
        commit = self.state.resolve(repo, revision)
        payload = json.loads(self.body)
        attributes = commit.files.get(".gitattributes")
        gitattributes = self.state.blob_path(attributes.sha256).read_text() if attributes else ""
        ignore = [line.strip() for line in (payload.get("gitIgnore") or "").splitlines() if line.strip()]
        files = []
        for item in payload["files"]:
            path, size = _check_path(item["path"]), int(item["size"])
            sample = base64.b64decode(item.get("sample", ""))
            lfs = size >= LFS_SIZE_THRESHOLD or b"\x00" in sample or is_lfs_path(path, gitattributes)
            info: dict[str, Any] = {
                "path": path,
                "uploadMode": "lfs" if lfs else "regular",
                "shouldIgnore": any(fnmatch.fnmatch(path, p) for p in ignore),
            }
            existing = commit.files.get(path)
            if existing is not None:
                info["oid"] = existing.sha256 if existing.lfs else existing.oid
            files.append(info)
        self._json({"files": files, "commitOid": commit.oid})

    def _commit(self, repo_type: str, repo_id: str, revision: str) -> None:
        author = self._require_write(repo_id.split("/")[0])
        repo = self._repo(repo_type, repo_id)
        if self.query.get("create_pr"):
            raise HubError(400, "Pull requests are not supported by the Hub test double")
        lines = [json.loads(line) for line in self.body.splitlines() if line.strip()]
        commit = self.state.commit(repo, revision, lines, author)
        url = f"{self.endpoint}/{URL_PREFIXES[repo_type]}{repo_id}/commit/{commit.oid}"
        self._json({"success": True, "commitOid": commit.oid, "commitUrl": url, "pullRequestUrl": None})

    def _create_ref(self, repo_type: str, repo_id: str, kind: str, name: str) -> None:
        self._require_write(repo_id.split("/")[0])
        repo = self._repo(repo_type, repo_id)
        payload = json.loads(self.body or b"{}")
        if kind == "tag":  # POST .../tag/{revision} {"tag": name}
            target, name = self.state.resolve(repo, name).oid, payload["tag"]
        else:  # POST .../branch/{name} {"startingPoint": revision}
            target = self.state.resolve(repo, payload.get("startingPoint") or "main").oid
        self.state.set_ref(repo, kind, name, target, exist_ok=False)
        self._json({})

    def _delete_ref(self, repo_type: str, repo_id: str, kind: str, name: str) -> None:
        self._require_write(repo_id.split("/")[0])
        self.state.set_ref(self._repo(repo_type, repo_id), kind, name, None)
        self._json({})

    def _lfs_batch(self, repo_type: str, repo_id: str) -> None:
        self._require_write(repo_id.split("/")[0])
        self._repo(repo_type, repo_id)
        payload = json.loads(self.body)
        if payload.get("operation") != "upload" or "basic" not in payload.get("transfers", ["basic"]):
            raise HubError(400, "Only the basic LFS upload transfer is supported by the Hub test double")
        verify = f"{self.endpoint}/{URL_PREFIXES[repo_type]}{repo_id}.git/info/lfs/objects/verify"
        objects = []
        for obj in payload["objects"]:
            sha256, size = obj["oid"], int(obj["size"])
            answer: dict[str, Any] = {"oid": sha256, "size": size, "authenticated": True}
            if not self.state.has_blob(sha256, size):
                secret = secrets.token_urlsafe(16)
                self.state.uploads[secret] = (sha256, size)
                upload = {"href": f"{self.server.hub.cdn_endpoint}/lfs-upload/{secret}"}
                answer["actions"] = {"upload": upload, "verify": {"href": verify}}
            objects.append(answer)
        self._json(
            {"transfer": "basic", "objects": objects},
            headers={"Content-Type": "application/vnd.git-lfs+json"},
        )

    def _lfs_verify(self) -> None:
        payload = json.loads(self.body)
        if not self.state.has_blob(payload["oid"], int(payload["size"])):
            raise HubError(404, f"LFS object {payload['oid']} was not uploaded")
        self._json({"success": True})


def _as_list(value: Any) -> list[str]:
    if value is None:
        return []
    return [str(v) for v in value] if isinstance(value, list) else [str(value)]


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, hub: HubServer, role: str) -> None:
        super().__init__((hub.host, 0), _Handler)
        self.hub, self.role = hub, role


class HubServer:
    """The test Hub: ``start()`` binds two free ports on 127.0.0.1 (the Hub and its LFS "CDN")."""

    def __init__(
        self,
        root: Path,
        token: str = "hf_stancebank_test_token",
        user: str = "stancebank-tester",
        orgs: tuple[str, ...] = ("stancebank",),
        host: str = "127.0.0.1",
    ) -> None:
        self.root, self.token, self.user, self.orgs, self.host = root, token, user, orgs, host
        self.tokens = {token: user}
        self.state = HubState(root)
        self.tree_page_size = TREE_PAGE_SIZE
        self.requests: list[tuple[str, str]] = []  # (method, path) of every request, for assertions
        self._faults: list[tuple[str, re.Pattern[str], int]] = []
        self._servers: list[_Server] = []
        self._threads: list[threading.Thread] = []

    @property
    def endpoint(self) -> str:
        return f"http://{self.host}:{self._servers[0].server_address[1]}"

    @property
    def cdn_endpoint(self) -> str:
        return f"http://{self.host}:{self._servers[1].server_address[1]}"

    def url(self, repo_id: str, repo_type: str = "dataset") -> str:
        return f"{self.endpoint}/{URL_PREFIXES[repo_type]}{quote(repo_id)}"

    def inject_fault(self, method: str, path_regex: str, status: int = 500) -> None:
        """Answer the next request matching ``method`` and ``path_regex`` (searched in the URL path) with an
        error ``status``. Note the client retries 5xx (with back-off) on preupload and LFS calls, not on
        ``/commit``, tag or repo creation."""
        self._faults.append((method, re.compile(path_regex), status))

    def check_faults(self, method: str, path: str) -> None:
        for fault in self._faults:
            if fault[0] == method and fault[1].search(path):
                self._faults.remove(fault)
                raise HubError(fault[2], f"Injected fault for {method} {path}")

    def start(self) -> HubServer:
        for role in ("hub", "cdn"):
            server = _Server(self, role)
            thread = threading.Thread(target=server.serve_forever, name=f"hub-test-{role}", daemon=True)
            thread.start()
            self._servers.append(server)
            self._threads.append(thread)
        logger.info("Hub test server on %s (LFS CDN on %s)", self.endpoint, self.cdn_endpoint)
        return self

    def stop(self) -> None:
        for server in self._servers:
            server.shutdown()
            server.server_close()
        for thread in self._threads:
            thread.join(timeout=5)
        self._servers, self._threads = [], []

    def __enter__(self) -> HubServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
