"""A server that answers with an error exits with the README's code for a remote failure (6), not
2 (usage): the CLI run in a child process against a small HTTP server that answers every request
with one status (no Label Studio needed: the failure is the server's answer)."""

from __future__ import annotations

import http.server
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from stancebank.schema.errors import ExitCode
from stancebank.tasks.studio.faults import FAULT_ENV

KEY = "f" * 40


def _serve(status: int) -> Iterator[str]:
    class Handler(http.server.BaseHTTPRequestHandler):
        def _answer(self) -> None:
            body = b'{"detail": "simulated failure"}'
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        do_GET = do_POST = do_PATCH = do_DELETE = _answer  # noqa: N815 - http.server names

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(params=[401, 403, 500])
def failing_server(request: pytest.FixtureRequest) -> Iterator[tuple[int, str]]:
    for url in _serve(request.param):
        yield request.param, url


def test_an_error_answer_of_the_server_exits_as_a_remote_failure(
    failing_server: tuple[int, str], tmp_path: Path
) -> None:
    status, url = failing_server
    env = {k: v for k, v in os.environ.items() if k != FAULT_ENV}
    env.update({"LABEL_STUDIO_URL": url, "LABEL_STUDIO_API_KEY": KEY})
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "stancebank.schema.cli",
            "studio",
            "pull",
            "-p",
            "any",
            "--out",
            str(tmp_path),
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    output = " ".join((result.stdout + result.stderr).split())
    assert result.returncode == ExitCode.REMOTE == 6, output
    assert f"HTTP {status}" in output and "Traceback" not in output
    assert KEY not in output
    assert list(tmp_path.iterdir()) == []  # nothing written
