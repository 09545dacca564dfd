"""Fault injection against the real Label Studio: killed pulls and pushes, concurrent pushes.

The CLI runs in subprocesses (``python -m stancebank.schema.cli``) so that a SIGKILL
(``STANCEBANK_FAULT``, see `stancebank.tasks.studio.faults`) hits a real process mid-run.
"""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from sbtest.studio_fixtures import make_tasks

from stancebank.tasks.studio.client import StudioClient
from stancebank.tasks.studio.faults import FAULT_ENV
from stancebank.tasks.studio.sync import push

pytestmark = pytest.mark.integration


def _env(label_studio, fault: str | None = None, sync_dir: Path | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != FAULT_ENV}
    env["LABEL_STUDIO_URL"] = label_studio.url
    env["LABEL_STUDIO_API_KEY"] = label_studio.api_key
    if fault:
        env[FAULT_ENV] = fault
    if sync_dir is not None:
        env["STANCEBANK_SYNC_DIR"] = str(sync_dir)
    return env


def _cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "stancebank.schema.cli", *args]


def _run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(_cli(*args), env=env, capture_output=True, text=True, timeout=300, check=False)


# ------------------------------------------------------------------------------------------- pull


@pytest.mark.parametrize("point", ["pull:partial", "pull:written"])
def test_pull_killed_while_writing_leaves_no_snapshot_and_rerun_completes(
    label_studio, studio_client: StudioClient, project_name: str, tmp_path: Path, point: str
) -> None:
    push(studio_client, make_tasks(30, text_chars=2000), project_name)
    reference = _run(_env(label_studio), "studio", "pull", "-p", project_name, "--out", str(tmp_path / "ref"))
    assert reference.returncode == 0, reference.stderr
    (ref_file,) = (tmp_path / "ref").glob("*.json")

    out = tmp_path / "exports"
    killed = _run(
        _env(label_studio, f"{point}:kill"), "studio", "pull", "-p", project_name, "--out", str(out)
    )
    assert killed.returncode == -signal.SIGKILL
    assert list(out.glob("*.json")) == []  # no truncated or half-named snapshot
    assert len(list(out.glob(".*.partial-*"))) == 1  # what the kill left behind

    again = _run(_env(label_studio), "studio", "pull", "-p", project_name, "--out", str(out))
    assert again.returncode == 0, again.stderr
    (written,) = out.iterdir()  # the leftover was cleaned, one snapshot written
    assert written.read_bytes() == ref_file.read_bytes()
    assert json.loads(written.read_text(encoding="utf-8"))  # whole JSON


def test_pull_of_unchanged_project_writes_nothing(
    label_studio, studio_client: StudioClient, project_name: str, tmp_path: Path
) -> None:
    push(studio_client, make_tasks(4), project_name)
    out = tmp_path / "exports"
    first = _run(_env(label_studio), "studio", "pull", "-p", project_name, "--out", str(out))
    assert first.returncode == 0, first.stderr
    (snapshot,) = out.iterdir()
    digest = hashlib.sha256(snapshot.read_bytes()).hexdigest()
    second = _run(_env(label_studio), "studio", "pull", "-p", project_name, "--out", str(out))
    assert second.returncode == 0, second.stderr
    assert "nothing written" in " ".join(second.stdout.split())
    assert list(out.iterdir()) == [snapshot]
    # a change on the server: a new snapshot next to the old one
    push(studio_client, make_tasks(5), project_name)
    third = _run(_env(label_studio), "studio", "pull", "-p", project_name, "--out", str(out))
    assert third.returncode == 0, third.stderr
    assert len(list(out.iterdir())) == 2
    assert hashlib.sha256(snapshot.read_bytes()).hexdigest() == digest
