"""Fixtures for the Hub-protocol test server (a test double of huggingface.co on 127.0.0.1).

Usage (mark the test ``@pytest.mark.hub``)::

    def test_publish(hub_env, hub_repo_id):
        HfApi().create_repo(hub_repo_id, repo_type="dataset")     # real huggingface_hub client
        datasets.load_dataset(hub_repo_id, "documents", revision="v1.0.0")  # real datasets

* ``hub_server`` (session): the running :class:`~sbtest.hub_server.HubServer` (``.endpoint``, ``.token``,
  ``.user``, ``.orgs``; writes are allowed in the namespaces ``user`` and ``orgs``).
* ``hub_env`` (function): points both client libraries at the server and yields it. ``huggingface_hub``
  and ``datasets`` read their settings from the environment *at import time*, and the autouse
  ``_isolated_hf`` fixture turns both offline, so setting ``HF_ENDPOINT`` is not enough: the module
  constants are patched too (see :func:`configure_hf_clients`), and undone after the test.
* ``hub_repo_id`` (function): a fresh ``stancebank/<test-name>-<n>`` id (the server outlives tests).
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from sbtest.hub_server import HubServer

_repo_counter = itertools.count(1)


@pytest.fixture(scope="session")
def hub_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[HubServer]:
    server = HubServer(tmp_path_factory.mktemp("hub_server")).start()
    try:
        yield server
    finally:
        server.stop()


def configure_hf_clients(
    monkeypatch: pytest.MonkeyPatch, home: Path, endpoint: str | None = None, token: str | None = None
) -> None:
    """Make the already-imported ``huggingface_hub`` and ``datasets`` behave as if their environment had been
    set before import: caches under ``home``; with ``endpoint``, online against it with ``token``; without,
    offline with no token (what an isolating autouse fixture wants). Undone by ``monkeypatch``."""
    import datasets.config
    import huggingface_hub.constants as hf_constants
    import huggingface_hub.hf_api
    import huggingface_hub.utils._http as hf_http
    from huggingface_hub import HfFileSystem

    online = endpoint is not None
    env = {
        "HF_HUB_DISABLE_XET": "1",
        "HF_HUB_DISABLE_TELEMETRY": "1",
        "HF_HOME": str(home),
        "HF_HUB_CACHE": str(home / "hub"),
        "HF_DATASETS_CACHE": str(home / "datasets"),
        **({"HF_ENDPOINT": endpoint, "HF_TOKEN": token or ""} if online else {}),
        **({} if online else {"HF_HUB_OFFLINE": "1", "HF_DATASETS_OFFLINE": "1"}),
    }
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    unset = ["TRANSFORMERS_OFFLINE", "HUGGING_FACE_HUB_TOKEN"]
    unset += ["HF_HUB_OFFLINE", "HF_DATASETS_OFFLINE"] if online else ["HF_ENDPOINT", "HF_TOKEN"]
    for name in unset:
        monkeypatch.delenv(name, raising=False)

    hub_constants: dict[str, object] = {
        "HF_HUB_OFFLINE": not online,
        "HF_HUB_DISABLE_XET": True,  # hf_xet is installed: without this, uploads would speak Xet
        "HF_HUB_DISABLE_TELEMETRY": True,
        "HF_HOME": str(home),
        "HF_HUB_CACHE": str(home / "hub"),
        "HUGGINGFACE_HUB_CACHE": str(home / "hub"),
        "HF_ASSETS_CACHE": str(home / "assets"),
        "HF_XET_CACHE": str(home / "xet"),
        "HF_TOKEN_PATH": str(home / "token"),
        "HF_STORED_TOKENS_PATH": str(home / "stored_tokens"),
    }
    datasets_config: dict[str, object] = {
        "HF_HUB_OFFLINE": not online,
        "HF_DATASETS_OFFLINE": not online,
        # For `main`, `datasets` asks the dataset viewer at "datasets-server.<endpoint host>" for exported
        # infos; the test double has no viewer, so skip the lookup instead of resolving a foreign host.
        "USE_PARQUET_EXPORT": False,
        "HF_CACHE_HOME": str(home),
        "HF_DATASETS_CACHE": home / "datasets",
        "HF_MODULES_CACHE": home / "modules",
        "DOWNLOADED_DATASETS_PATH": home / "datasets" / "downloads",
        "EXTRACTED_DATASETS_PATH": home / "datasets" / "downloads" / "extracted",
    }
    if endpoint is not None:
        hub_constants["ENDPOINT"] = endpoint
        hub_constants["HUGGINGFACE_CO_URL_TEMPLATE"] = endpoint + "/{repo_id}/resolve/{revision}/{filename}"
        hub_constants["HF_URL_HOSTS"] = hf_constants.HF_URL_HOSTS | {"127.0.0.1"}
        datasets_config["HF_ENDPOINT"] = endpoint
        datasets_config["HUB_DATASETS_URL"] = endpoint + "/datasets/{repo_id}/resolve/{revision}/{path}"
        # Redirects to these origins keep the Authorization header (computed from ENDPOINT at import).
        monkeypatch.setattr(hf_http, "_HUB_ORIGINS", hf_http._HUB_ORIGINS | {hf_http._url_origin(endpoint)})
        # `huggingface_hub.create_repo`, `upload_folder`, ... are bound methods of this module-level HfApi.
        monkeypatch.setattr(huggingface_hub.hf_api.api, "endpoint", endpoint)
    for name, constant in hub_constants.items():
        monkeypatch.setattr(hf_constants, name, constant)
    for name, setting in datasets_config.items():
        monkeypatch.setattr(datasets.config, name, setting)
    # fsspec caches HfFileSystem instances (with their directory listings) across tests.
    HfFileSystem.clear_instance_cache()


@pytest.fixture
def hub_env(
    hub_server: HubServer, monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[HubServer]:
    from huggingface_hub import HfFileSystem

    home = tmp_path_factory.mktemp("hub_home")
    configure_hf_clients(monkeypatch, home, endpoint=hub_server.endpoint, token=hub_server.token)
    yield hub_server
    HfFileSystem.clear_instance_cache()


@pytest.fixture
def hub_repo_id(request: pytest.FixtureRequest, hub_server: HubServer) -> str:
    name = re.sub(r"[^A-Za-z0-9]+", "-", request.node.name).strip("-")[:60]
    return f"{hub_server.orgs[0]}/{name}-{next(_repo_counter)}"
