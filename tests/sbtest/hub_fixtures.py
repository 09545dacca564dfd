"""The Hub-protocol test double (:mod:`sbtest.hub_server`) for the whole test session.

``huggingface_hub`` and ``datasets`` read their settings from the environment *when they are imported*.
So, before any test module imports them, :func:`pytest_configure` starts the double on a free port of
127.0.0.1 and sets the libraries' public environment variables for the session: ``HF_ENDPOINT`` (the
double: no test can reach huggingface.co), ``HF_HOME`` and the caches (a temporary folder, removed at the
end), ``HF_HUB_DISABLE_XET=1`` (the double speaks plain HTTP uploads) and no telemetry, offline mode, token
or token file of the user's. Nothing of either library is patched.

Usage (mark the test ``@pytest.mark.hub``)::

    def test_publish(hub_env, hub_repo_id):
        publish(folder, hub_repo_id)                                           # HF_TOKEN is set
        datasets.load_dataset(hub_repo_id, "documents", revision="v1.0.0")    # the real loader

* ``hub_server`` (session): the running :class:`~sbtest.hub_server.HubServer` (``.endpoint``, ``.token``,
  ``.user``, ``.orgs``: writes are allowed in the namespaces ``user`` and ``orgs``).
* ``hub_env`` (function): ``HF_TOKEN`` set to the double's token for one test; yields the server.
* ``hub_repo_id`` (function): a fresh ``stancebank/<test-name>-<n>`` id (the server outlives tests).
"""

from __future__ import annotations

import itertools
import os
import re
import shutil
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from sbtest.hub_server import HubServer

_repo_counter = itertools.count(1)
_SERVER = pytest.StashKey[HubServer]()
_HOME = pytest.StashKey[Path]()
_SAVED_ENV = pytest.StashKey[dict[str, str | None]]()

# Settings of the user's that would leak into the tests (tokens, offline mode, another endpoint).
_CLEARED = (
    "HF_TOKEN",
    "HUGGING_FACE_HUB_TOKEN",
    "HF_TOKEN_PATH",
    "HF_STORED_TOKENS_PATH",
    "HF_HUB_OFFLINE",
    "HF_DATASETS_OFFLINE",
    "TRANSFORMERS_OFFLINE",
    "HUGGINGFACE_CO_STAGING",
    "HF_ASSETS_CACHE",
    "HF_XET_CACHE",
    "HF_MODULES_CACHE",
    "HUGGINGFACE_HUB_CACHE",
)


def pytest_configure(config: pytest.Config) -> None:
    imported = [name for name in ("huggingface_hub", "datasets") if name in sys.modules]
    if imported:
        raise pytest.UsageError(
            f"{', '.join(imported)} was imported before the test session configured it; "
            "import it inside the test modules (or later), not from a pytest plugin"
        )
    home = Path(tempfile.mkdtemp(prefix="stancebank-hf-home-"))
    server = HubServer().start()
    env = {
        "HF_ENDPOINT": server.endpoint,
        "HF_HOME": str(home),
        "HF_HUB_CACHE": str(home / "hub"),
        "HF_DATASETS_CACHE": str(home / "datasets"),
        "HF_HUB_DISABLE_XET": "1",
        "HF_HUB_DISABLE_TELEMETRY": "1",
    }
    config.stash[_SAVED_ENV] = {name: os.environ.get(name) for name in (*env, *_CLEARED)}
    for name in _CLEARED:
        os.environ.pop(name, None)
    os.environ.update(env)
    config.stash[_SERVER], config.stash[_HOME] = server, home


def pytest_unconfigure(config: pytest.Config) -> None:
    server = config.stash.get(_SERVER, None)
    if server is not None:
        server.stop()
    for name, value in config.stash.get(_SAVED_ENV, {}).items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value
    home = config.stash.get(_HOME, None)
    if home is not None:
        shutil.rmtree(home, ignore_errors=True)


@pytest.fixture(scope="session")
def hub_server(pytestconfig: pytest.Config) -> HubServer:
    return pytestconfig.stash[_SERVER]


@pytest.fixture
def hub_env(hub_server: HubServer, monkeypatch: pytest.MonkeyPatch) -> Iterator[HubServer]:
    monkeypatch.setenv("HF_TOKEN", hub_server.token)
    yield hub_server


@pytest.fixture
def hub_repo_id(request: pytest.FixtureRequest, hub_server: HubServer) -> str:
    name = re.sub(r"[^A-Za-z0-9]+", "-", request.node.name).strip("-")[:60]
    return f"{hub_server.orgs[0]}/{name}-{next(_repo_counter)}"
