"""Authentication without the SDK's private client wrapper: a legacy token goes as ``Token``, a
personal access token (a JWT refresh token) is exchanged at ``POST /api/token/refresh/`` for an
access token sent as ``Bearer``, again shortly before that expires; an expired one is refused
without a request. Against a small HTTP double that checks the header like Label Studio does."""

from __future__ import annotations

import base64
import http.server
import json
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest

from stancebank.tasks.studio.client import StudioClient, jwt_claims
from stancebank.tasks.studio.errors import StudioAuthError


def _jwt(claims: dict[str, Any]) -> str:
    def part(value: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(value).encode()).rstrip(b"=").decode()

    return f"{part({'alg': 'HS256', 'typ': 'JWT'})}.{part(claims)}.c2lnbmF0dXJl"


class Double:
    def __init__(self, access_seconds: float) -> None:
        self.access_seconds = access_seconds
        self.refreshes: list[str] = []
        self.valid: set[str] = set()
        self.seen: list[str] = []


@pytest.fixture
def double() -> Iterator[tuple[Double, str]]:
    state = Double(access_seconds=600)

    class Handler(http.server.BaseHTTPRequestHandler):
        def _send(self, status: int, body: Any) -> None:
            raw = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(raw)))
            self.end_headers()
            self.wfile.write(raw)

        def do_POST(self) -> None:
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            claims = jwt_claims(body.get("refresh", ""))
            if self.path != "/api/token/refresh/" or not claims or claims.get("token_type") != "refresh":
                self._send(401, {"detail": "Token is invalid or expired"})
                return
            state.refreshes.append(body["refresh"])
            n = len(state.refreshes)
            exp = time.time() + state.access_seconds
            access = _jwt({"token_type": "access", "exp": exp, "n": n})
            state.valid.add(access)
            self._send(200, {"access": access})

        def do_GET(self) -> None:
            header = self.headers.get("Authorization", "")
            state.seen.append(header)
            ok = header == "Token " + "a" * 40 or header.removeprefix("Bearer ") in state.valid
            self._send(
                200 if ok else 401, [] if ok else {"detail": "Authentication credentials were not provided."}
            )

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield state, f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_a_legacy_token_is_sent_as_is(double: tuple[Double, str]) -> None:
    state, url = double
    with StudioClient(url, "a" * 40) as client:
        assert client.get_json("/api/projects/") == []
    assert state.seen == ["Token " + "a" * 40] and state.refreshes == []


def test_a_personal_access_token_is_exchanged_once_and_again_before_expiry(
    double: tuple[Double, str],
) -> None:
    state, url = double
    pat = _jwt({"token_type": "refresh", "exp": time.time() + 3600})
    with StudioClient(url, pat) as client:
        client.get_json("/api/projects/")
        client.get_json("/api/projects/")
        assert state.refreshes == [pat]  # one exchange for both calls
        assert all(h.startswith("Bearer ") and pat not in h for h in state.seen)
    state.access_seconds = 10  # an access token within the margin of its expiry is exchanged again
    with StudioClient(url, pat) as client:
        client.get_json("/api/projects/")
        client.get_json("/api/projects/")
    assert len(state.refreshes) == 3


def test_an_expired_or_refused_token_is_an_auth_error_naming_the_fix(double: tuple[Double, str]) -> None:
    state, url = double
    expired = _jwt({"token_type": "refresh", "exp": time.time() - 10})
    with StudioClient(url, expired) as client, pytest.raises(StudioAuthError, match="has expired") as info:
        client.get_json("/api/projects/")
    assert expired not in str(info.value) and state.seen == []  # refused before any request
    not_refresh = _jwt({"token_type": "other", "exp": time.time() + 3600})
    with StudioClient(url, not_refresh) as client, pytest.raises(StudioAuthError, match="refused") as info:
        client.get_json("/api/projects/")
    assert not_refresh not in str(info.value)


def test_jwt_claims_tells_a_jwt_from_a_legacy_token() -> None:
    assert jwt_claims("a" * 40) is None
    assert jwt_claims("x.y.z") is None
    assert jwt_claims(_jwt({"exp": 5})) == {"exp": 5}
