"""`stancebank studio ...` end to end against the session's Label Studio."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest
from sbtest.studio_fixtures import make_tasks
from typer.testing import CliRunner

from stancebank.schema.cli import app
from stancebank.tasks.studio.errors import ImportRefusedError, StudioAuthError

pytestmark = pytest.mark.integration


@pytest.fixture
def env(label_studio, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    monkeypatch.setenv("LABEL_STUDIO_URL", label_studio.url)
    monkeypatch.setenv("LABEL_STUDIO_API_KEY", label_studio.api_key)
    return {"url": label_studio.url, "key": label_studio.api_key}


def test_cli_push_pull_import(env, project_name: str, tmp_path: Path) -> None:
    runner = CliRunner()
    tasks = make_tasks(8)
    tasks_file = tmp_path / "tasks.json"
    tasks_file.write_text(json.dumps(tasks))
    first = runner.invoke(app, ["studio", "push", str(tasks_file), "--project", project_name])
    assert first.exit_code == 0, first.output
    assert "created" in first.output and "8" in first.output
    second = runner.invoke(app, ["studio", "push", str(tasks_file), "--project", project_name])
    assert second.exit_code == 0, second.output
    assert "│ created               │     0 │" in second.output
    assert "│ unchanged             │     8 │" in second.output

    ann = [
        {
            "article_id": t["data"]["article_id"],
            "annotator": who,
            "ground_truth": False,
            "result": t["predictions"][0]["result"],
        }
        for t in tasks[:2]
        for who in ("annotator-a", "annotator-b")
    ]
    ann_file = tmp_path / "annotations.json"
    ann_file.write_text(json.dumps(ann))
    imported = runner.invoke(app, ["studio", "import-annotations", str(ann_file), "--project", project_name])
    assert imported.exit_code == 0, imported.output
    assert "annotations created 4" in " ".join(imported.output.split())

    out_dir = tmp_path / "exports"
    pulled = runner.invoke(app, ["studio", "pull", "--project", project_name, "--out", str(out_dir)])
    assert pulled.exit_code == 0, pulled.output
    flat = " ".join(pulled.output.split())
    assert "annotations 4" in flat and "annotators 2" in flat
    (written,) = out_dir.iterdir()
    assert "@" not in written.read_text()
    for output in (first.output, second.output, imported.output, pulled.output):
        assert env["key"] not in output

    # changed text on an annotated task: refused with a non-zero exit, others still pushed
    tasks[0]["data"]["text"] = "Changed. " + tasks[0]["data"]["text"]
    tasks_file.write_text(json.dumps([*tasks, *make_tasks(1, start=100)]))
    refused = runner.invoke(app, ["studio", "push", str(tasks_file), "--project", project_name])
    assert isinstance(refused.exception, ImportRefusedError)
    assert "art-000000" in refused.output


def test_cli_missing_key_names_variable(
    label_studio, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("LABEL_STUDIO_URL", label_studio.url)
    monkeypatch.delenv("LABEL_STUDIO_API_KEY", raising=False)
    tasks_file = tmp_path / "tasks.json"
    tasks_file.write_text(json.dumps(make_tasks(1)))
    result = CliRunner().invoke(app, ["studio", "push", str(tasks_file), "--project", "x"])
    assert isinstance(result.exception, StudioAuthError)
    assert "LABEL_STUDIO_API_KEY" in str(result.exception)


def test_cli_status_and_credentials_of_local_server(label_studio, monkeypatch: pytest.MonkeyPatch) -> None:
    runner = CliRunner()
    status = runner.invoke(app, ["studio", "status", "--data-dir", str(label_studio.data_dir)])
    assert status.exit_code == 0, status.output
    assert "healthy" in status.output and str(label_studio.pid) in status.output
    creds = runner.invoke(app, ["studio", "credentials", "--data-dir", str(label_studio.data_dir)])
    assert creds.exit_code == 0
    assert label_studio.api_key in creds.output and label_studio.admin_email in creds.output
    path = label_studio.data_dir / "credentials.json"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    # With no LABEL_STUDIO_URL/KEY, commands use the local server's credentials file.
    monkeypatch.delenv("LABEL_STUDIO_URL", raising=False)
    monkeypatch.delenv("LABEL_STUDIO_API_KEY", raising=False)
    monkeypatch.setenv("STANCEBANK_STUDIO_DIR", str(label_studio.data_dir))
    result = runner.invoke(app, ["studio", "pull", "--project", "no-such-project", "--out", "/nonexistent"])
    assert "no-such-project" in str(result.exception)


def test_cli_status_when_not_running(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["studio", "status", "--data-dir", str(tmp_path)])
    assert result.exit_code == 1 and "Not running" in result.output


@pytest.mark.slow
def test_cli_up_status_down(tmp_path: Path) -> None:
    from stancebank.tasks.studio.server import free_port, health_ok

    runner = CliRunner()
    port = free_port()
    data_dir = tmp_path / "studio"
    up = runner.invoke(app, ["studio", "up", "--port", str(port), "--data-dir", str(data_dir)])
    try:
        assert up.exit_code == 0, up.output
        flat = " ".join(up.output.split())  # Rich wraps lines at the terminal width
        assert f"http://127.0.0.1:{port}" in flat and "stancebank studio credentials" in flat
        creds = json.loads((data_dir / "credentials.json").read_text())
        assert creds["api_key"] not in up.output and creds["password"] not in up.output
        assert health_ok(f"http://127.0.0.1:{port}")
    finally:
        down = runner.invoke(app, ["studio", "down", "--data-dir", str(data_dir)])
    assert down.exit_code == 0 and "stopped" in down.output
    assert not health_ok(f"http://127.0.0.1:{port}")
    assert not (data_dir / "server.json").exists()
    # a plain `up` comes back on the same port (the links sent to annotators keep working), and says so
    again = runner.invoke(app, ["studio", "up", "--data-dir", str(data_dir)])
    try:
        assert again.exit_code == 0, again.output
        flat = " ".join(again.output.split())
        assert (
            f"http://127.0.0.1:{port}" in flat
            and f"Port {port}: the one this studio directory used last" in flat
        )
        assert health_ok(f"http://127.0.0.1:{port}")
    finally:
        runner.invoke(app, ["studio", "down", "--data-dir", str(data_dir)])
