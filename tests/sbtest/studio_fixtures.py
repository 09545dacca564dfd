"""Fixtures that start a real Label Studio once per test session on 127.0.0.1.

``label_studio`` (session scope) starts one server on a free port in a temporary studio directory
and yields a ``RunningServer`` with ``.url``, ``.api_key``, ``.data_dir``, ``.admin_email`` and
``.password``. A migrated SQLite template is cached per Label Studio version
(``~/.cache/stancebank/ls-template-<version>``, or ``$STANCEBANK_CACHE_DIR``) so that only the
first session ever pays the ~65 s of migrations. The server is stopped by pid at session end.

Tests using it should carry ``@pytest.mark.integration``. If Label Studio is not installed
(``make studio-env``), those tests are skipped with that hint unless ``STANCEBANK_REQUIRE_STUDIO=1``.
"""

from __future__ import annotations

import contextlib
import os
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from stancebank.schema.model import Relation, Span
from stancebank.schema.spec import SPEC
from stancebank.schema.wire import to_results
from stancebank.tasks.studio import server as ls_server
from stancebank.tasks.studio.client import StudioClient
from stancebank.tasks.studio.errors import ServerError
from stancebank.tasks.studio.snapcache import SNAPSHOT_ENV
from stancebank.tasks.studio.sync import LEDGER_ENV


@pytest.fixture(scope="session")
def label_studio(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ls_server.RunningServer]:
    try:
        bin_path = ls_server.find_label_studio_bin()
    except ServerError as exc:
        if os.environ.get("STANCEBANK_REQUIRE_STUDIO") == "1":
            raise
        pytest.skip(str(exc))
    state_dir = tmp_path_factory.mktemp("studio")
    port = ls_server.free_port()
    running = ls_server.start(state_dir, port, bin_path=bin_path)
    # push's sync ledgers go to the session's tmp dir, not the user's cache
    # and the snapshots `progress` keeps go there too
    previous = {env: os.environ.get(env) for env in (LEDGER_ENV, SNAPSHOT_ENV)}
    os.environ[LEDGER_ENV] = str(tmp_path_factory.mktemp("sync-ledgers"))
    os.environ[SNAPSHOT_ENV] = str(tmp_path_factory.mktemp("kept-snapshots"))
    try:
        yield running
    finally:
        ls_server.stop(state_dir)
        for env, value in previous.items():
            if value is None:
                os.environ.pop(env, None)
            else:
                os.environ[env] = value


@pytest.fixture
def studio_client(label_studio: ls_server.RunningServer) -> Iterator[StudioClient]:
    """A client of the session server (admin token), closed after the test."""
    with StudioClient(label_studio.url, label_studio.api_key, key_source="the test fixture") as client:
        yield client


@pytest.fixture
def project_name(request: pytest.FixtureRequest) -> str:
    """A project title unique to this test (the session server is shared)."""
    return f"t-{request.node.name[:40]}-{uuid.uuid4().hex[:6]}"


# ----------------------------------------------------------------------------- synthetic payloads


FILLER = " Residents of the harbour district gathered outside the town hall in the rain."


def make_task(index: int, variant: str = "", text_chars: int = 0) -> dict[str, Any]:
    """One synthetic task with ACTOR/CLAIM/TARGET span predictions and two relations.

    ``text_chars`` pads the text with filler sentences to about that length (real articles).
    """
    actor = f"Councillor Number{index}"
    claim = f"the bridge plan {index}{variant} will cut traffic"
    target = "the bridge plan"
    text = f"{actor} said that {claim}, according to the minutes of meeting {index}{variant}."
    if text_chars > len(text):
        text += FILLER * ((text_chars - len(text)) // len(FILLER) + 1)
    a0 = 0
    c0 = text.index(claim)
    t0 = c0
    spans = [
        Span(f"a{index}", SPEC.role_label("actor"), a0, a0 + len(actor), actor),
        Span(f"c{index}", SPEC.role_label("claim"), c0, c0 + len(claim), claim),
        Span(f"t{index}", SPEC.role_label("target"), t0, t0 + len(target), target),
    ]
    relations = [
        Relation(f"a{index}", f"c{index}", SPEC.attribution_labels[0].name),
        Relation(f"c{index}", f"t{index}", SPEC.stance_names[0]),
    ]
    return {
        "data": {
            "text": text,
            "article_id": f"art-{index:06d}",
            "title": f"Meeting {index}",
            "url": None,
            "source": "synthetic",
            "published": None,
            "language": "en",
        },
        "predictions": [
            {"model_version": "synthetic-1", "score": 0.5, "result": to_results(spans, relations)}
        ],
    }


def make_tasks(n: int, start: int = 0, text_chars: int = 0) -> list[dict[str, Any]]:
    return [make_task(i, text_chars=text_chars) for i in range(start, start + n)]


def server_cpu(pid: int) -> float:
    """User+sys CPU seconds of the server process so far (and of its waited-for children)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return sum(int(v) for v in fields[11:15]) / os.sysconf("SC_CLK_TCK")


class Clock:
    """Wall and CPU (this process + the server) of one measured step (benchmarks: the machine is
    shared, so CPU time is the comparable figure)."""

    def __init__(self, pid: int) -> None:
        self.pid = pid

    def __enter__(self) -> Clock:
        self.wall, self.cpu = time.perf_counter(), time.process_time() + server_cpu(self.pid)
        return self

    def __exit__(self, *exc: object) -> None:
        self.wall = time.perf_counter() - self.wall
        self.cpu = time.process_time() + server_cpu(self.pid) - self.cpu


@contextlib.contextmanager
def running_studio(state_dir: Path) -> Iterator[ls_server.RunningServer]:
    """A Label Studio for scripts (benchmarks): started on a free port, stopped by pid."""
    server = ls_server.start(state_dir, ls_server.free_port())
    try:
        yield server
    finally:
        ls_server.stop(state_dir)
