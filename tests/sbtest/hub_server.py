"""A Hugging Face Hub-protocol test double on 127.0.0.1, for the real ``huggingface_hub`` and ``datasets``.

Why it exists: ``stancebank export publish`` uploads a release with the real ``huggingface_hub`` client, and
users load it with ``datasets.load_dataset(repo, config, revision="vX.Y.Z")``. Proving that needs a Hub, and
tests have no internet; no self-hostable Hub is on PyPI. This double speaks the part of the Hub HTTP
protocol those two calls use (``huggingface_hub`` 2.4, ``datasets`` 4, with ``HF_HUB_DISABLE_XET=1``) and
nothing more. It is test infrastructure only, never shipped.

Routes (dataset repos only; ``{repo}`` is ``namespace/name``):

* ``POST /api/repos/create``, ``POST /api/validate-yaml``
* ``GET /api/datasets/{repo}[/revision/{rev}]`` (repo info: sha, siblings, cardData)
* ``GET /api/datasets/{repo}/refs``, ``GET .../tree/{rev}[/{path}]`` (``?recursive``),
  ``GET .../commits/{rev}``
* ``POST .../preupload/{rev}`` (every file is uploaded "regular", inline in the commit: no LFS, no Xet),
  ``POST .../commit/{rev}`` (NDJSON lines ``header``, ``file``, ``deletedFile``)
* ``POST .../tag/{rev}`` (409 on an existing tag), ``DELETE .../tag/{tag}``
* ``GET|HEAD /datasets/{repo}/resolve/{rev}/{path}`` with ``ETag``, ``X-Repo-Commit`` and Range requests

Semantics: a commit is an immutable snapshot ``path -> bytes`` with a 40-hex id on the branch ``main``; tags
point at commits; a revision is ``main``, a tag or a commit id. Errors carry the Hub's ``X-Error-Code`` so the
client raises its own exceptions (``RepositoryNotFoundError``, ``RevisionNotFoundError``,
``EntryNotFoundError``). Reads are anonymous; an unknown token gets 401 on any request, and a write needs a
valid token whose user or organisations own the namespace (else 403). ``inject_fault()`` makes the next
matching request fail with a given status, and ``requests`` logs every (method, path).
"""

from __future__ import annotations

import base64
import hashlib
import itertools
import json
import logging
import re
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

import yaml

logger = logging.getLogger(__name__)

_commit_counter = itertools.count(1)


class HubError(Exception):
    """An HTTP error answered the way the Hub does (status, X-Error-Code, X-Error-Message, JSON body)."""

    def __init__(self, status: int, message: str, code: str | None = None, **body: Any) -> None:
        super().__init__(message)
        self.status, self.message, self.code, self.body = status, message, code, body


def git_blob_oid(data: bytes) -> str:
    return hashlib.sha1(b"blob %d\x00" % len(data) + data).hexdigest()


@dataclass(frozen=True)
class Commit:
    oid: str
    parent: Commit | None
    title: str
    message: str
    date: str
    author: str
    files: dict[str, bytes]


@dataclass
class Repo:
    id: str
    created_at: str
    main: Commit
    tags: dict[str, Commit] = field(default_factory=dict)

    def commits(self) -> dict[str, Commit]:
        out: dict[str, Commit] = {}
        for head in (self.main, *self.tags.values()):
            commit: Commit | None = head
            while commit is not None and commit.oid not in out:
                out[commit.oid] = commit
                commit = commit.parent
        return out

    def resolve(self, revision: str) -> Commit:
        commit = self.main if revision == "main" else self.tags.get(revision) or self.commits().get(revision)
        if commit is None:
            raise HubError(404, f"Invalid rev id: {revision}", "RevisionNotFound")
        return commit


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _new_commit(
    parent: Commit | None, title: str, message: str, author: str, files: dict[str, bytes]
) -> Commit:
    snapshot = json.dumps([parent and parent.oid, title, next(_commit_counter), sorted(files)])
    oid = hashlib.sha1(snapshot.encode()).hexdigest()
    return Commit(oid, parent, title, message, _now(), author, files)


def _check_path(path: str) -> str:
    parts = path.split("/")
    if not path or any(p in ("", ".", "..", ".git") for p in parts):
        raise HubError(400, f"Invalid path in repo: {path!r}")
    return path


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

    def log_message(self, format: str, *args: Any) -> None:
        logger.debug("hub " + format, *args)

    def do_GET(self) -> None:
        self._dispatch("GET")

    def do_HEAD(self) -> None:
        self._dispatch("HEAD")

    def do_POST(self) -> None:
        self._dispatch("POST")

    def do_DELETE(self) -> None:
        self._dispatch("DELETE")

    @property
    def hub(self) -> HubServer:
        return self.server.hub

    def _dispatch(self, method: str) -> None:
        self.method = method
        split = urlsplit(self.path)
        self.query = {k: v[-1] for k, v in parse_qs(split.query, keep_blank_values=True).items()}
        segments = [unquote(s) for s in split.path.split("/")[1:]]
        try:
            self.body = self._read_body()
            self.hub.requests.append((method, split.path))
            self.hub.check_faults(method, split.path)
            self.user = self._authenticate()
            with self.hub.lock:
                self._route(segments)
        except HubError as err:
            self._error(err)
        except (KeyError, IndexError, ValueError, TypeError) as err:
            self._error(HubError(400, f"Bad request: {err!r}"))
        except Exception as err:  # a bug in the double reaches the client as a 500
            logger.exception("Hub test server failed on %s %s", method, self.path)
            self._error(HubError(500, f"Hub test server error: {err!r}"))

    def _read_body(self) -> bytes:
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":  # the commit's NDJSON stream
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
        if not auth:
            return None
        user = self.hub.tokens.get(auth.removeprefix("Bearer ").strip())
        if user is None:
            raise HubError(401, "Invalid credentials in Authorization header")
        return user

    def _require_write(self, namespace: str) -> str:
        if self.user is None:
            raise HubError(401, "You must be authenticated to write to the Hub")
        if namespace not in {self.user, *self.hub.orgs}:
            raise HubError(403, f"You don't have the rights to write to the namespace {namespace}")
        return self.user

    def _send(self, status: int, body: bytes = b"", headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        headers = {"Content-Type": "application/json", **(headers or {})}
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.method != "HEAD":
            self.wfile.write(body)

    def _json(self, data: Any, status: int = 200) -> None:
        self._send(status, json.dumps(data).encode())

    def _error(self, err: HubError) -> None:
        headers = {"X-Error-Message": err.message, **({"X-Error-Code": err.code} if err.code else {})}
        self._send(err.status, json.dumps({"error": err.message, **err.body}).encode(), headers)

    def _repo(self, repo_id: str) -> Repo:
        repo = self.hub.repos.get(repo_id)
        if repo is None:
            raise HubError(404, "Repository not found", "RepoNotFound")
        return repo

    # -- routes --
    def _route(self, seg: list[str]) -> None:
        method = self.method
        if seg[:1] == ["datasets"] and len(seg) >= 6 and seg[3] == "resolve" and method in ("GET", "HEAD"):
            return self._resolve(self._repo(f"{seg[1]}/{seg[2]}"), seg[4], "/".join(seg[5:]))
        if seg == ["api", "validate-yaml"] and method == "POST":
            return self._validate_yaml()
        if seg == ["api", "repos", "create"] and method == "POST":
            return self._create_repo()
        if seg[:2] != ["api", "datasets"] or len(seg) < 4:
            raise HubError(404, f"The Hub test double has no route {method} {self.path}")
        repo_id, action, rest = f"{seg[2]}/{seg[3]}", seg[4:5], seg[5:]
        repo = self._repo(repo_id)
        if not action and method == "GET":
            return self._info(repo, "main")
        routes = {
            ("revision", "GET"): lambda: self._info(repo, rest[0]),
            ("refs", "GET"): lambda: self._refs(repo),
            ("tree", "GET"): lambda: self._tree(repo, rest[0], "/".join(rest[1:])),
            ("commits", "GET"): lambda: self._commits(repo, rest[0]),
            ("preupload", "POST"): lambda: self._preupload(repo, rest[0]),
            ("commit", "POST"): lambda: self._commit(repo, rest[0]),
            ("tag", "POST"): lambda: self._create_tag(repo, rest[0]),
            ("tag", "DELETE"): lambda: self._delete_tag(repo, rest[0]),
        }
        handler = routes.get((action[0] if action else "", method))
        if handler is None:
            raise HubError(404, f"The Hub test double has no route {method} {self.path}")
        return handler()

    def _validate_yaml(self) -> None:
        try:
            card_data(json.loads(self.body).get("content", "").encode())
        except yaml.YAMLError as err:
            return self._json({"errors": [{"message": str(err)}], "warnings": []}, 400)
        return self._json({"errors": [], "warnings": []})

    def _create_repo(self) -> None:
        payload = json.loads(self.body)
        if (payload.get("type") or "model") != "dataset":
            raise HubError(400, "The Hub test double serves dataset repos only")
        namespace = payload.get("organization") or self.user or ""
        author = self._require_write(namespace)
        repo_id = f"{namespace}/{payload['name']}"
        url = f"{self.hub.endpoint}/datasets/{repo_id}"
        if repo_id in self.hub.repos:  # the Hub's 409 names the existing repo: `exist_ok=True` reads its url
            raise HubError(409, "You already created this dataset repo", url=url)
        initial = _new_commit(None, "initial commit", "", author, {".gitattributes": b""})
        self.hub.repos[repo_id] = Repo(repo_id, _now(), initial)
        return self._json({"url": url, "name": repo_id, "id": repo_id})

    # -- reading --
    def _info(self, repo: Repo, revision: str) -> None:
        commit = repo.resolve(revision)
        readme = commit.files.get("README.md")
        info: dict[str, Any] = {
            "_id": hashlib.md5(repo.id.encode()).hexdigest()[:24],
            "id": repo.id,
            "author": repo.id.split("/")[0],
            "sha": commit.oid,
            "lastModified": commit.date,
            "createdAt": repo.created_at,
            "private": False,
            "gated": False,
            "disabled": False,
            "downloads": 0,
            "likes": 0,
            "tags": [],
            "siblings": [{"rfilename": path} for path in sorted(commit.files)],
        }
        card = card_data(readme) if readme is not None else None
        if card is not None:
            info["cardData"] = card
        self._json(info)

    def _refs(self, repo: Repo) -> None:
        tags = [
            {"name": n, "ref": f"refs/tags/{n}", "targetCommit": c.oid} for n, c in sorted(repo.tags.items())
        ]
        main = {"name": "main", "ref": "refs/heads/main", "targetCommit": repo.main.oid}
        self._json({"branches": [main], "tags": tags, "converts": [], "pullRequests": []})

    def _tree(self, repo: Repo, revision: str, folder: str) -> None:
        commit = repo.resolve(revision)
        prefix = folder.strip("/") + "/" if folder.strip("/") else ""
        if prefix and not any(p.startswith(prefix) for p in commit.files):
            raise HubError(404, f"{folder} does not exist on {revision}", "EntryNotFound")
        recursive = self.query.get("recursive", "").lower() in ("1", "true")
        entries: dict[str, dict[str, Any]] = {}
        for path, data in commit.files.items():
            if not path.startswith(prefix):
                continue
            parts = path[len(prefix) :].split("/")
            for depth in range(1, (len(parts) if recursive else 1) + 1):
                sub = prefix + "/".join(parts[:depth])
                if depth == len(parts):
                    entries[sub] = {"type": "file", "oid": git_blob_oid(data), "size": len(data), "path": sub}
                else:
                    inside = sorted(p for p in commit.files if p.startswith(sub + "/"))
                    oid = hashlib.sha1(json.dumps(inside).encode()).hexdigest()
                    entries[sub] = {"type": "directory", "oid": oid, "size": 0, "path": sub}
        self._json([entries[p] for p in sorted(entries)])

    def _commits(self, repo: Repo, revision: str) -> None:
        history = []
        commit: Commit | None = repo.resolve(revision)
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
            commit = commit.parent
        self._json(history)

    def _resolve(self, repo: Repo, revision: str, path: str) -> None:
        commit = repo.resolve(revision)
        data = commit.files.get(path)
        if data is None:
            raise HubError(404, f"{path} does not exist on {revision}", "EntryNotFound")
        headers = {
            "X-Repo-Commit": commit.oid,
            "ETag": f'"{git_blob_oid(data)}"',
            "Content-Type": "application/octet-stream",
            "Accept-Ranges": "bytes",
        }
        ranged = self.headers.get("Range", "").removeprefix("bytes=")  # parquet readers read byte ranges
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
    def _preupload(self, repo: Repo, revision: str) -> None:
        self._require_write(repo.id.split("/")[0])
        commit = repo.resolve(revision)
        files = []
        for item in json.loads(self.body)["files"]:
            path = _check_path(item["path"])
            info: dict[str, Any] = {"path": path, "uploadMode": "regular", "shouldIgnore": False}
            if path in commit.files:
                info["oid"] = git_blob_oid(commit.files[path])
            files.append(info)
        self._json({"files": files, "commitOid": commit.oid})

    def _commit(self, repo: Repo, revision: str) -> None:
        author = self._require_write(repo.id.split("/")[0])
        if revision != "main" or self.query.get("create_pr"):
            raise HubError(400, "The Hub test double commits to main only (no branches, no pull requests)")
        lines = [json.loads(line) for line in self.body.splitlines() if line.strip()]
        if not lines or lines[0].get("key") != "header":
            raise HubError(400, "The first line of the commit payload must be the header")
        header = lines[0]["value"]
        files = dict(repo.main.files)
        for line in lines[1:]:
            key, value = line.get("key"), line.get("value") or {}
            path = _check_path(value.get("path", ""))
            if key == "file":
                files[path] = base64.b64decode(value["content"])
            elif key == "deletedFile":
                if files.pop(path, None) is None:
                    raise HubError(404, f"{path}: A file with this name doesn't exist", "EntryNotFound")
            else:
                raise HubError(400, f"The Hub test double does not support the commit operation {key!r}")
        title = header.get("summary") or "Upload files"
        repo.main = _new_commit(repo.main, title, header.get("description", ""), author, files)
        url = f"{self.hub.endpoint}/datasets/{repo.id}/commit/{repo.main.oid}"
        self._json({"success": True, "commitOid": repo.main.oid, "commitUrl": url, "pullRequestUrl": None})

    def _create_tag(self, repo: Repo, revision: str) -> None:
        self._require_write(repo.id.split("/")[0])
        target, name = repo.resolve(revision), json.loads(self.body)["tag"]
        if name in repo.tags:
            raise HubError(409, f"Tag {name} already exists")
        repo.tags[name] = target
        self._json({})

    def _delete_tag(self, repo: Repo, name: str) -> None:
        self._require_write(repo.id.split("/")[0])
        if repo.tags.pop(name, None) is None:
            raise HubError(404, f"tag {name} not found", "RevisionNotFound")
        self._json({})


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, hub: HubServer) -> None:
        super().__init__((hub.host, 0), _Handler)
        self.hub = hub


class HubServer:
    """The test Hub: ``start()`` binds a free port on 127.0.0.1 and serves from a thread."""

    def __init__(
        self,
        token: str = "hf_stancebank_test_token",
        user: str = "stancebank-tester",
        orgs: tuple[str, ...] = ("stancebank",),
        host: str = "127.0.0.1",
    ) -> None:
        self.token, self.user, self.orgs, self.host = token, user, orgs, host
        self.tokens = {token: user}
        self.repos: dict[str, Repo] = {}
        self.lock = threading.Lock()
        self.requests: list[tuple[str, str]] = []  # (method, path) of every request, for assertions
        self._faults: list[tuple[str, re.Pattern[str], int]] = []
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    @property
    def endpoint(self) -> str:
        if self._server is None:
            raise RuntimeError("the Hub test server is not started")
        return f"http://{self.host}:{self._server.server_address[1]}"

    def inject_fault(self, method: str, path_regex: str, status: int = 500) -> None:
        """Answer the next request matching ``method`` and ``path_regex`` (searched in the URL path) with an
        error ``status``. Note the client retries 5xx (with back-off) on some calls, not on ``/commit``, tag
        or repo creation."""
        self._faults.append((method, re.compile(path_regex), status))

    def check_faults(self, method: str, path: str) -> None:
        for fault in self._faults:
            if fault[0] == method and fault[1].search(path):
                self._faults.remove(fault)
                raise HubError(fault[2], f"Injected fault for {method} {path}")

    def start(self) -> HubServer:
        self._server = _Server(self)
        self._thread = threading.Thread(target=self._server.serve_forever, name="hub-test", daemon=True)
        self._thread.start()
        logger.info("Hub test server on %s", self.endpoint)
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server, self._thread = None, None
