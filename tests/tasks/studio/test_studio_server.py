"""Server lifecycle against a real Label Studio (and pure helpers without one)."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest
import requests

from stancebank.tasks.studio import server as ls_server
from stancebank.tasks.studio.errors import ServerError


def test_clean_environment_drops_unprefixed_variables(tmp_path: Path) -> None:
    creds = ls_server.Credentials("a@b.invalid", "pw", "f" * 40)
    base = {
        "PATH": "/bin",
        "HOME": "/h",
        "LANG": "C",
        "USERNAME": "x",
        "PASSWORD": "y",
        "CI": "1",
        "DEBUG": "1",
        "HOST": "0.0.0.0",
        "PORT": "1",
        "SECRET": "z",
    }
    env = ls_server.clean_environment(ls_server.StudioPaths(tmp_path), creds, 9999, base=base)
    assert {"USERNAME", "PASSWORD", "CI", "DEBUG", "HOST", "PORT", "SECRET"}.isdisjoint(env)
    assert all(k in {"PATH", "HOME", "LANG"} or k.startswith(("LABEL_STUDIO_", "DJANGO_")) for k in env)
    assert env["LABEL_STUDIO_ENABLE_LEGACY_API_TOKEN"] == "true"
    assert env["LABEL_STUDIO_DISABLE_SIGNUP_WITHOUT_LINK"] == "true"
    assert env["LABEL_STUDIO_COLLECT_ANALYTICS"] == "false"
    assert env["LABEL_STUDIO_LATEST_VERSION_CHECK"] == "false"
    assert env["LABEL_STUDIO_USER_TOKEN"] == "f" * 40


def test_missing_binary_names_make_target(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ls_server, "find_repo_root", lambda start=None: tmp_path)
    with pytest.raises(ServerError, match="make studio-env"):
        ls_server.find_label_studio_bin({"PATH": str(tmp_path)})
    with pytest.raises(ServerError, match=ls_server.BIN_ENV):
        ls_server.find_label_studio_bin({ls_server.BIN_ENV: str(tmp_path / "nope"), "PATH": ""})


def test_credentials_are_generated_private(tmp_path: Path) -> None:
    paths = ls_server.StudioPaths(tmp_path / "studio")
    creds = ls_server.ensure_credentials(paths)
    assert stat.S_IMODE(paths.credentials.stat().st_mode) == 0o600
    assert len(creds.api_key) == 40 and int(creds.api_key, 16) >= 0
    assert ls_server.ensure_credentials(paths) == creds  # stable across calls
    assert creds.api_key not in repr(creds) and creds.password not in repr(creds)


def test_credentials_readable_by_others_are_warned_about(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    paths = ls_server.StudioPaths(tmp_path / "studio")
    creds = ls_server.ensure_credentials(paths)
    paths.credentials.chmod(0o644)
    with caplog.at_level("WARNING"):
        assert ls_server.load_credentials(paths) == creds
    (record,) = [r for r in caplog.records if "readable by other users" in r.getMessage()]
    message = record.getMessage()
    assert str(paths.credentials) in message and "chmod 600" in message and "0644" in message
    assert creds.api_key not in caplog.text and creds.password not in caplog.text
    caplog.clear()
    with caplog.at_level("WARNING"):
        ls_server.ensure_credentials(paths)  # warns, then fixes the mode
    assert "chmod 600" in caplog.text
    assert stat.S_IMODE(paths.credentials.stat().st_mode) == 0o600
    caplog.clear()
    with caplog.at_level("WARNING"):
        ls_server.load_credentials(paths)
    assert caplog.text == ""


def test_studio_dir_inside_project_data_refused(repo_root: Path) -> None:
    with pytest.raises(ServerError, match="data/"):
        ls_server.ensure_credentials(ls_server.StudioPaths(repo_root / "data" / "studio-secrets"))
    assert not (repo_root / "data" / "studio-secrets").exists()


def test_template_of_other_version_not_reused(tmp_path: Path) -> None:
    stale = ls_server.template_dir("9.9.9", tmp_path)
    stale.mkdir(parents=True)
    (stale / ls_server.DB_NAME).write_bytes(b"x")
    (stale / "VERSION").write_text("1.0.0\n")
    assert not ls_server._template_ok(stale, "9.9.9")
    (stale / "VERSION").write_text("9.9.9\n")
    assert ls_server._template_ok(stale, "9.9.9")
    assert not ls_server._template_ok(ls_server.template_dir("1.23.2", tmp_path), "1.23.2")


@pytest.mark.integration
def test_server_is_up_with_admin_token(label_studio: ls_server.RunningServer) -> None:
    assert label_studio.url.startswith("http://127.0.0.1:")
    assert ls_server.health_ok(label_studio.url)
    who = requests.get(
        f"{label_studio.url}/api/current-user/whoami",
        headers={"Authorization": f"Token {label_studio.api_key}"},
        timeout=10,
    )
    assert who.status_code == 200, who.text
    assert who.json()["email"] == label_studio.admin_email
    bad = requests.get(
        f"{label_studio.url}/api/current-user/whoami",
        headers={"Authorization": "Token " + "0" * 40},
        timeout=10,
    )
    assert bad.status_code == 401
    record = json.loads((label_studio.data_dir / "server.json").read_text())
    assert record["pid"] == label_studio.pid and record["port"] == label_studio.port
    creds = label_studio.data_dir / "credentials.json"
    assert stat.S_IMODE(creds.stat().st_mode) == 0o600
    assert label_studio.api_key not in (label_studio.data_dir / "server.log").read_text()


@pytest.mark.integration
def test_signup_without_invite_is_disabled(label_studio: ls_server.RunningServer) -> None:
    session = requests.Session()
    form = session.get(f"{label_studio.url}/user/signup/", timeout=10)
    csrf = session.cookies.get("csrftoken")
    assert csrf, form.status_code
    payload = {
        "email": "intruder@example.invalid",
        "password": "Sup3r-secret-pw",
        "csrfmiddlewaretoken": csrf,
    }
    resp = session.post(
        f"{label_studio.url}/user/signup/",
        data=payload,
        timeout=10,
        allow_redirects=False,
        headers={"Referer": f"{label_studio.url}/user/signup/"},
    )
    assert resp.status_code == 403
    users = requests.get(
        f"{label_studio.url}/api/users/",
        timeout=10,
        headers={"Authorization": f"Token {label_studio.api_key}"},
    ).json()
    assert "x@example.invalid" not in {u["email"] for u in users}


@pytest.mark.integration
@pytest.mark.slow
def test_restart_stop_by_pid(tmp_path: Path) -> None:
    port = ls_server.free_port()
    first = ls_server.start(tmp_path / "s", port)
    try:
        assert ls_server.start(tmp_path / "s", port).pid == first.pid  # already running: reused
        assert ls_server.status(tmp_path / "s") is not None
    finally:
        assert ls_server.stop(tmp_path / "s")
    assert ls_server.status(tmp_path / "s") is None
    assert not ls_server.health_ok(first.url)
    assert not ls_server.stop(tmp_path / "s")
