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

import os
from collections.abc import Iterator

import pytest

from stancebank.tasks.studio import server as ls_server
from stancebank.tasks.studio.errors import ServerError


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
    try:
        yield running
    finally:
        ls_server.stop(state_dir)
