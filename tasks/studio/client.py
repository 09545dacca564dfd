"""A connection to a Label Studio server: where it is, how to authenticate, retries, clear errors.

The connection comes from ``LABEL_STUDIO_URL`` + ``LABEL_STUDIO_API_KEY`` or, when those are
unset, from the local server started by ``stancebank studio up``. The key is a legacy token
(``Authorization: Token <key>``) or a personal access token, a JWT refresh token that Label
Studio's public ``POST /api/token/refresh/`` exchanges for a short-lived access token
(``Authorization: Bearer <access>``), exchanged again shortly before it expires.

Calls go over plain HTTP (``httpx``): the SDK's pydantic models are costly for thousands of tasks
and some endpoints (data-manager actions, snapshot options) are not modelled. The API key never
appears in a log line or an exception.
"""

from __future__ import annotations

import base64
import binascii
import json as jsonlib
import logging
import os
import re
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from stancebank.tasks.studio import server as ls_server
from stancebank.tasks.studio.errors import (
    ProjectNotFoundError,
    StudioAuthError,
    StudioConnectionError,
    StudioError,
)
from stancebank.tasks.studio.settings import KEY_ENV, URL_ENV

logger = logging.getLogger(__name__)

RETRY_STATUSES = frozenset({502, 503, 504})


# an access token is exchanged again this many seconds before it expires
REFRESH_MARGIN = 30.0


def _redact(text: str, secret: str) -> str:
    return text.replace(secret, "***") if secret else text


def jwt_claims(token: str) -> dict[str, Any] | None:
    """The claims of a JWT, read without verifying it (the server does), or ``None`` when
    ``token`` is not a JWT (a legacy token)."""
    parts = token.split(".")
    if len(parts) != 3:
        return None
    try:
        claims = jsonlib.loads(base64.urlsafe_b64decode(parts[1] + "=" * (-len(parts[1]) % 4)))
    except (ValueError, binascii.Error):
        return None
    return claims if isinstance(claims, dict) else None


@dataclass
class StudioClient:
    """HTTP access to one Label Studio server with retries and readable errors."""

    url: str
    api_key: str = field(repr=False)
    key_source: str = KEY_ENV
    timeout: float = 300.0
    retries: int = 4
    backoff: float = 0.5
    # how requests travel (httpx's default: the network); tests give an httpx.MockTransport to
    # play server answers a real server gives only under load (an HTTP 500 in a race)
    transport: httpx.BaseTransport | None = field(default=None, repr=False)
    _http: httpx.Client | None = field(default=None, init=False, repr=False)
    # the access token a personal access token was exchanged for, and when it expires (epoch s)
    _access: str | None = field(default=None, init=False, repr=False)
    _access_expires: float = field(default=0.0, init=False, repr=False)

    def __post_init__(self) -> None:
        self.url = self.url.rstrip("/")

    # -------------------------------------------------------------------------------- construction

    @classmethod
    def from_env(
        cls, state_dir: Path | None = None, environ: Mapping[str, str] | None = None
    ) -> StudioClient:
        """``LABEL_STUDIO_URL`` + ``LABEL_STUDIO_API_KEY``, else the local server's credentials."""
        env = os.environ if environ is None else environ
        url, key = env.get(URL_ENV, "").strip(), env.get(KEY_ENV, "").strip()
        if url and key:
            return cls(url, key, key_source=KEY_ENV)
        if url and not key:
            raise StudioAuthError(
                f"{URL_ENV} is set ({url}) but {KEY_ENV} is not: set it to a legacy API token or a "
                "personal access token (Label Studio → Account & Settings)."
            )
        if key and not url:
            raise StudioConnectionError(f"{KEY_ENV} is set but {URL_ENV} is not: set it to the server URL.")
        running = ls_server.status(state_dir)
        if running is None:
            where = state_dir or ls_server.default_state_dir()
            raise StudioConnectionError(
                f"No Label Studio to talk to: {URL_ENV}/{KEY_ENV} are unset and no local server runs for "
                f"{where}. Start one with `stancebank studio up`, or set {URL_ENV} and {KEY_ENV}."
            )
        source = f"the local credentials file {ls_server.StudioPaths(running.data_dir).credentials}"
        return cls(running.url, running.api_key, key_source=source)

    def _headers(self) -> dict[str, str]:
        claims = jwt_claims(self.api_key)
        if claims is None:
            return {"Authorization": f"Token {self.api_key}"}
        if claims.get("token_type") == "access":
            return {"Authorization": f"Bearer {self.api_key}"}
        expires = claims.get("exp")
        if not isinstance(expires, int | float) or expires < time.time():
            raise StudioAuthError(
                f"The personal access token from {self.key_source} has expired or has no expiry; "
                f"create a new one (Label Studio → Account & Settings) and set {KEY_ENV} to it."
            )
        if self._access is None or self._access_expires - REFRESH_MARGIN < time.time():
            self._access, self._access_expires = self._exchange()
        return {"Authorization": f"Bearer {self._access}"}

    def _exchange(self) -> tuple[str, float]:
        """A personal access token (a JWT refresh token) → an access token and its expiry."""
        path = "/api/token/refresh/"
        try:
            resp = self.http.post(path, json={"refresh": self.api_key})
        except httpx.HTTPError as exc:
            raise StudioConnectionError(
                f"Label Studio at {self.url} is unreachable: POST {path} failed ({type(exc).__name__}). "
                f"Check that the server runs and that {URL_ENV} is right."
            ) from None
        if resp.status_code in (400, 401):
            raise StudioAuthError(
                f"Label Studio at {self.url} refused the personal access token from {self.key_source} "
                f"(HTTP {resp.status_code}). Set {KEY_ENV} to a valid token (Label Studio → Account & "
                "Settings)."
            )
        body = self._check(resp, "POST", path, (200, 201)).json()
        access = body.get("access") if isinstance(body, dict) else None
        claims = jwt_claims(access) if isinstance(access, str) else None
        if not isinstance(access, str) or claims is None:
            raise StudioError(f"Label Studio at {self.url}: POST {path} answered without an access token")
        expires = claims.get("exp")
        return access, float(expires) if isinstance(expires, int | float) else time.time() + 60.0

    @property
    def http(self) -> httpx.Client:
        if self._http is None:
            self._http = httpx.Client(base_url=self.url, timeout=self.timeout, transport=self.transport)
        return self._http

    def close(self) -> None:
        if self._http is not None:
            self._http.close()
            self._http = None

    def __enter__(self) -> StudioClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------------------------------ requests

    def request(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        params: Mapping[str, Any] | None = None,
        idempotent: bool | None = None,
        expect: tuple[int, ...] = (200, 201, 204),
    ) -> httpx.Response:
        """One API call with retries on connection errors/timeouts/502-504 and readable errors.

        Non-idempotent calls (POST by default) are retried only when the connection could not be
        made at all, so that a request the server may have processed is never sent twice.
        """
        if idempotent is None:
            idempotent = method.upper() in {"GET", "HEAD", "PUT", "DELETE", "PATCH"}
        attempt = 0
        while True:
            try:
                resp = self.http.request(method, path, json=json, params=params, headers=self._headers())
            except httpx.ConnectError as exc:
                failure: str = f"cannot connect ({type(exc).__name__})"
            except httpx.TimeoutException as exc:
                if not idempotent:
                    raise StudioConnectionError(
                        f"{method} {self.url}{path} timed out after {self.timeout:.0f} s; the server may "
                        "still be working. Re-run the command: it is idempotent."
                    ) from exc
                failure = f"timed out after {self.timeout:.0f} s"
            except httpx.TransportError as exc:
                if not idempotent:
                    raise StudioConnectionError(
                        f"{method} {self.url}{path} failed ({type(exc).__name__}); re-run the command."
                    ) from exc
                failure = f"transport error ({type(exc).__name__})"
            else:
                if resp.status_code in RETRY_STATUSES and idempotent:
                    failure = f"HTTP {resp.status_code}"
                else:
                    return self._check(resp, method, path, expect)
            attempt += 1
            if attempt > self.retries:
                raise StudioConnectionError(
                    f"Label Studio at {self.url} is unreachable: {method} {path} {failure} "
                    f"({attempt} attempts). Check that the server runs (`stancebank studio status`) "
                    f"and that {URL_ENV} is right."
                )
            delay = self.backoff * (2 ** (attempt - 1))
            logger.warning("%s %s: %s; retrying in %.1f s", method, path, failure, delay)
            time.sleep(delay)

    def _check(self, resp: httpx.Response, method: str, path: str, expect: tuple[int, ...]) -> httpx.Response:
        if resp.status_code in expect:
            return resp
        if resp.status_code == 401:
            raise StudioAuthError(
                f"Label Studio at {self.url} refused the API key (HTTP 401) from {self.key_source}. "
                f"Set {KEY_ENV} to a valid legacy token or personal access token "
                "(Label Studio → Account & Settings), or run `stancebank studio credentials` for the "
                "local server."
            )
        if resp.status_code == 403:
            raise StudioAuthError(
                f"Label Studio at {self.url} forbids {method} {path} (HTTP 403) for this API key "
                f"({self.key_source}); use an administrator's token."
            )
        raise StudioError(f"Label Studio {method} {path} answered HTTP {resp.status_code}: {self.said(resp)}")

    def said(self, resp: httpx.Response) -> str:
        """What an error response says, for a message: its body (at most 800 characters, the key
        redacted), or an HTML error page's title (Django's 500 page is ~20 kB of markup)."""
        text = resp.text
        if "html" in resp.headers.get("content-type", "") or text.lstrip()[:15].lower() == "<!doctype html>":
            titles = re.findall(r"<title>\s*([^<]*?)\s*</title>", text, flags=re.IGNORECASE)
            page = titles[0] if titles else "no title"
            return f"an HTML page ({page!r}); the server's log says why"
        return _redact(text[:800], self.api_key)

    def get_json(self, path: str, params: Mapping[str, Any] | None = None) -> Any:
        return self.request("GET", path, params=params).json()

    def post_json(self, path: str, payload: Any, params: Mapping[str, Any] | None = None) -> Any:
        resp = self.request("POST", path, json=payload, params=params)
        return resp.json() if resp.content else None

    def patch_json(self, path: str, payload: Any) -> Any:
        resp = self.request("PATCH", path, json=payload)
        return resp.json() if resp.content else None

    # -------------------------------------------------------------------------------- conveniences

    def projects(self) -> Iterator[dict[str, Any]]:
        page = 1
        while True:
            body = self.get_json("/api/projects/", params={"page": page, "page_size": 100})
            results = body.get("results", []) if isinstance(body, dict) else body
            yield from results
            if not isinstance(body, dict) or not body.get("next"):
                return
            page += 1

    def find_project(self, title: str) -> dict[str, Any] | None:
        """The project with exactly this title (the API filters case-insensitively by substring)."""
        matches = [p for p in self.projects() if p.get("title") == title]
        if len(matches) > 1:
            ids = ", ".join(str(p["id"]) for p in matches)
            raise StudioError(f"Several projects are titled {title!r} (ids {ids}); rename all but one.")
        return matches[0] if matches else None

    def require_project(self, title: str) -> dict[str, Any]:
        project = self.find_project(title)
        if project is None:
            raise ProjectNotFoundError(
                f"No project titled {title!r} on {self.url}; create it with `stancebank studio push "
                f"TASKS.json --project {title!r}`."
            )
        return project

    def iter_tasks(self, project_id: int, page_size: int = 1000) -> Iterator[dict[str, Any]]:
        """All tasks of a project (data, meta, annotation counts; no annotations/predictions)."""
        page = 1
        while True:
            resp = self.request(
                "GET",
                "/api/tasks",
                params={"project": project_id, "page": page, "page_size": page_size, "resolve_uri": "false"},
                expect=(200, 404),
            )
            if resp.status_code == 404:  # past the last page
                return
            body = resp.json()
            tasks = body.get("tasks", [])
            yield from tasks
            if len(tasks) < page_size or page * page_size >= int(body.get("total", 0)):
                return
            page += 1
