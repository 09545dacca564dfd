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
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sbtest.studio_fixtures import make_tasks

from stancebank.tasks.studio import server as ls_server
from stancebank.tasks.studio.client import StudioClient
from stancebank.tasks.studio.errors import ServerError
from stancebank.tasks.studio.faults import FAULT_ENV
from stancebank.tasks.studio.sync import LEDGER_ENV, push

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def label_studio(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ls_server.RunningServer]:
    """A Label Studio of this module's own: these tests delete tasks and projects and kill
    processes mid-request, and Label Studio on SQLite reuses the ids of deleted tasks, so the
    session's shared server stays out of it."""
    state = tmp_path_factory.mktemp("studio-faults")
    previous = os.environ.get(LEDGER_ENV)
    os.environ[LEDGER_ENV] = str(tmp_path_factory.mktemp("sync-ledgers-faults"))
    try:
        running = ls_server.start(state, ls_server.free_port())
    except ServerError as exc:
        if os.environ.get("STANCEBANK_REQUIRE_STUDIO") == "1":
            raise
        pytest.skip(str(exc))
    try:
        yield running
    finally:
        ls_server.stop(state)
        if previous is None:
            os.environ.pop(LEDGER_ENV, None)
        else:
            os.environ[LEDGER_ENV] = previous


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


# ------------------------------------------------------------------------------------------- push


def _server_tasks(client: StudioClient, title: str) -> list[dict]:
    project = client.require_project(title)
    return list(client.iter_tasks(int(project["id"])))


def _assert_converged(client: StudioClient, title: str, tasks: list[dict]) -> None:
    """One project, one task per article, and every task's text and predictions are the pushed ones."""
    assert sum(1 for p in client.projects() if p["title"] == title) == 1
    server = _server_tasks(client, title)
    wanted = {t["data"]["article_id"]: t for t in tasks}
    assert sorted(t["data"]["article_id"] for t in server) == sorted(wanted)
    for listed in server:
        full = client.get_json(f"/api/tasks/{listed['id']}")
        want = wanted[full["data"]["article_id"]]
        assert full["data"]["text"] == want["data"]["text"]
        assert [p["result"] for p in full["predictions"]] == [p["result"] for p in want["predictions"]]
        for region in full["predictions"][0]["result"]:
            if region["type"] == "labels":
                value = region["value"]
                assert full["data"]["text"][value["start"] : value["end"]] == value["text"]


def _write_tasks(path: Path, tasks: list[dict]) -> Path:
    path.write_text(json.dumps(tasks), encoding="utf-8")
    return path


def _two_pushes_at_once(
    label_studio, tasks_file: Path, project: str, fault: str, sync_dirs: list[Path]
) -> None:
    """Two `studio push` processes of one tasks file at the same time, both paused by ``fault`` at
    the same point (one sync dir per process: the same dir twice = one machine); both must exit 0."""
    procs = [
        subprocess.Popen(
            _cli("studio", "push", str(tasks_file), "-p", project, "--batch-size", "10"),
            env=_env(label_studio, fault, sync_dir),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for sync_dir in sync_dirs
    ]
    for proc in procs:
        out, err = proc.communicate(timeout=300)
        assert proc.returncode == 0, out + err


@pytest.mark.parametrize("machines", [1, 2])
def test_concurrent_pushes_into_existing_project_converge(
    label_studio, studio_client: StudioClient, project_name: str, tmp_path: Path, machines: int
) -> None:
    push(studio_client, make_tasks(5), project_name)
    tasks = make_tasks(40)
    tasks_file = _write_tasks(tmp_path / "tasks.json", tasks)
    # both plan before either imports (forced by a pause after planning); two machines = two sync dirs
    _two_pushes_at_once(
        label_studio,
        tasks_file,
        project_name,
        "push:before-import:sleep=4",
        [tmp_path / f"sync-{i % machines}" for i in range(2)],
    )
    _assert_converged(studio_client, project_name, tasks)
    again = push(studio_client, tasks, project_name)
    assert (again.created, again.unchanged, again.duplicates_removed) == (0, 40, 0)


def test_concurrent_pushes_creating_the_project_converge(
    label_studio, studio_client: StudioClient, project_name: str, tmp_path: Path
) -> None:
    tasks = make_tasks(30)
    tasks_file = _write_tasks(tmp_path / "tasks.json", tasks)
    _two_pushes_at_once(
        label_studio,
        tasks_file,
        project_name,
        "push:before-create:sleep=4",
        [tmp_path / f"machine-{i}" for i in range(2)],
    )
    _assert_converged(studio_client, project_name, tasks)
    # pull and push work on the one project left
    assert push(studio_client, tasks, project_name).unchanged == 30
    pulled = _run(_env(label_studio), "studio", "pull", "-p", project_name, "--out", str(tmp_path / "x"))
    assert pulled.returncode == 0, pulled.stderr


def _corrected(tasks: list[dict]) -> list[dict]:
    """The same articles with corrected texts (hence new predictions) and five new ones."""
    from sbtest.studio_fixtures import make_task

    return [make_task(int(t["data"]["article_id"][4:]), variant="b") for t in tasks] + make_tasks(
        5, start=100
    )


@pytest.mark.parametrize(
    "fault",
    [
        "push:created:kill",
        "push:updated:kill@7",
        "push:predictions-deleted:kill",
        "push:predictions-imported:kill",
        "push:claimed:kill@9",
    ],
)
def test_push_killed_anywhere_converges_on_the_next_run(
    label_studio, studio_client: StudioClient, project_name: str, tmp_path: Path, fault: str
) -> None:
    first = make_tasks(20)
    push(studio_client, first, project_name)
    corrected = _corrected(first)
    tasks_file = _write_tasks(tmp_path / "tasks.json", corrected)
    killed = _run(
        _env(label_studio, fault, tmp_path / "sync"), "studio", "push", str(tasks_file), "-p", project_name
    )
    assert killed.returncode == -signal.SIGKILL, killed.stdout + killed.stderr
    # the next run, with default options (no --refresh-predictions), from the same machine
    again = _run(
        _env(label_studio, None, tmp_path / "sync"), "studio", "push", str(tasks_file), "-p", project_name
    )
    assert again.returncode == 0, again.stdout + again.stderr
    _assert_converged(studio_client, project_name, corrected)
    final = push(studio_client, corrected, project_name)
    assert (final.created, final.updated, final.unchanged, final.predictions_refreshed) == (0, 0, 25, 0)


def test_push_converges_after_the_server_was_killed(tmp_path: Path) -> None:
    """SIGKILL of Label Studio itself while push updates tasks; restart; the next push converges."""
    state = tmp_path / "studio"
    port = ls_server.free_port()
    running = ls_server.start(state, port)
    try:
        title = "server-kill"
        first = make_tasks(20)
        with StudioClient(running.url, running.api_key) as client:
            push(client, first, title)
        corrected = _corrected(first)
        tasks_file = _write_tasks(tmp_path / "tasks.json", corrected)
        # pause after the 8th update so that the kill lands inside the update phase
        proc = subprocess.Popen(
            _cli("studio", "push", str(tasks_file), "-p", title),
            env=_env(running, "push:updated:sleep=20@8", tmp_path / "sync"),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        with StudioClient(running.url, running.api_key) as client:
            project_id = int(client.require_project(title)["id"])
            deadline = time.monotonic() + 240
            while sum("b will cut" in t["data"]["text"] for t in client.iter_tasks(project_id)) < 8:
                assert time.monotonic() < deadline and proc.poll() is None
                time.sleep(0.3)
        os.killpg(running.pid, signal.SIGKILL)
        _, err = proc.communicate(timeout=300)
        assert proc.returncode == 6, err  # a remote failure (README exit codes), not a usage error
        ls_server.stop(state)  # reaps the killed server and forgets its record
        running = ls_server.start(state, port)
        with StudioClient(running.url, running.api_key) as client:
            again = push(client, corrected, title)
            assert again.updated + again.predictions_repaired >= 12
            _assert_converged(client, title, corrected)
    finally:
        ls_server.stop(state)


def test_unreachable_server_exits_as_a_remote_failure(tmp_path: Path) -> None:
    """Exit 6 (README: a remote service failed), not 2 (usage), and the key is never printed."""
    env = {k: v for k, v in os.environ.items() if k != FAULT_ENV}
    url = f"http://127.0.0.1:{ls_server.free_port()}"
    env.update({"LABEL_STUDIO_URL": url, "LABEL_STUDIO_API_KEY": "f" * 40})
    result = _run(env, "studio", "pull", "-p", "any", "--out", str(tmp_path))
    assert result.returncode == 6, result.stdout + result.stderr
    assert "unreachable" in result.stdout + result.stderr
    assert "f" * 40 not in result.stdout + result.stderr
