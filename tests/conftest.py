"""Test-session fixtures shared by every stage.

An autouse fixture isolates Hugging Face caches and tokens (as ``datasets``' own conftest does):
no test reads the user's cache or token, and nothing reaches a hub.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent

# Session-wide servers live in their own modules (tests/sbtest/), one owner each.
pytest_plugins = ["sbtest.studio_fixtures", "sbtest.hub_fixtures"]


@pytest.fixture(autouse=True)
def _isolated_hf(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    home = tmp_path_factory.mktemp("hf_home")
    monkeypatch.setenv("HF_HOME", str(home))
    monkeypatch.setenv("HF_DATASETS_CACHE", str(home / "datasets"))
    monkeypatch.setenv("HF_HUB_CACHE", str(home / "hub"))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_DATASETS_OFFLINE", "1")
    monkeypatch.setenv("HF_HUB_DISABLE_TELEMETRY", "1")
    monkeypatch.setenv("HF_HUB_DISABLE_XET", "1")
    for var in ("HF_TOKEN", "HUGGING_FACE_HUB_TOKEN", "HF_ENDPOINT"):
        monkeypatch.delenv(var, raising=False)
    # The libraries read those variables at import (during collection): patch their constants too.
    from sbtest.hub_fixtures import configure_hf_clients

    configure_hf_clients(monkeypatch, home)
    yield


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return REPO_ROOT
