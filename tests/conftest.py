"""Test-session fixtures shared by every stage.

Hugging Face caches and settings are isolated for the session and the endpoint is the loopback Hub
double (``sbtest.hub_fixtures``); an autouse fixture clears tokens for each test, as ``datasets``' own
conftest does: no test reads the user's cache or token, and nothing reaches huggingface.co.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from stancebank.schema.project import PROJECT_ENV

REPO_ROOT = Path(__file__).resolve().parent.parent

# Session-wide servers live in their own modules (tests/sbtest/), one owner each.
pytest_plugins = ["sbtest.studio_fixtures", "sbtest.hub_fixtures"]


@pytest.fixture(autouse=True)
def _no_hf_token(monkeypatch: pytest.MonkeyPatch) -> None:
    # The session's Hugging Face settings (caches in a temp dir, the endpoint at the loopback Hub double)
    # are set once, before the libraries are imported: see sbtest.hub_fixtures. Tokens are per test.
    for var in ("HF_TOKEN", "HUGGING_FACE_HUB_TOKEN"):
        monkeypatch.delenv(var, raising=False)


@pytest.fixture(autouse=True)
def _no_project_from_another_test() -> Iterator[None]:
    # `--project FILE` hands the project to the stages through STANCEBANK_PROJECT in os.environ,
    # which CliRunner does not restore: cleared before each test and again after it, so that no
    # test runs with the user's project or with the catalogue of a test before it.
    before = os.environ.pop(PROJECT_ENV, None)
    yield
    os.environ.pop(PROJECT_ENV, None)
    if before is not None:
        os.environ[PROJECT_ENV] = before


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return REPO_ROOT
