"""Lifecycle of the embedded Label Studio server: find, start, wait until healthy, stop by pid.

Layout of a studio directory (default ``~/.local/share/stancebank/studio``; ``--data-dir`` or
``STANCEBANK_STUDIO_DIR`` override it)::

    <dir>/credentials.json   admin e-mail, password, API token (0600; shown by `studio credentials`)
    <dir>/server.json        pid, port, url, process start time of the running server
    <dir>/server.log         Label Studio's stdout/stderr
    <dir>/label-studio/      LABEL_STUDIO_BASE_DATA_DIR (SQLite database, media, exports)

Label Studio reads unprefixed variables (``USERNAME``, ``PASSWORD``, ``HOST``, ``PORT``, ``DEBUG``,
``CI`` ...) as settings, so it is started with a clean environment: ``PATH``, ``HOME``, ``LANG`` and
only the ``LABEL_STUDIO_*`` / ``DJANGO_*`` variables set here.

The first start of a fresh database runs ~65 s of migrations. A migrated, user-less SQLite
database is therefore cached once per Label Studio version under
``~/.cache/stancebank/ls-template-<version>/`` and copied into new studio directories.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import logging
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import psutil

from stancebank.tasks.studio.errors import ServerError

logger = logging.getLogger(__name__)

BIN_ENV = "STANCEBANK_LABEL_STUDIO_BIN"
DIR_ENV = "STANCEBANK_STUDIO_DIR"
CACHE_ENV = "STANCEBANK_CACHE_DIR"
DEFAULT_PORT = 8080
HOST = "127.0.0.1"
ADMIN_EMAIL = "admin@stancebank.invalid"
DB_NAME = "label_studio.sqlite3"
FIRST_START_TIMEOUT = 300.0
START_TIMEOUT = 120.0
STOP_TIMEOUT = 20.0

_CHILDREN: dict[int, subprocess.Popen[bytes]] = {}


# ---------------------------------------------------------------------------------------- locating


def find_repo_root(start: Path | None = None) -> Path | None:
    """The stancebank checkout holding this package (or the current directory), if any."""
    candidates = [Path(__file__).resolve(), (start or Path.cwd()).resolve()]
    for origin in candidates:
        for folder in [origin, *origin.parents]:
            pyproject = folder / "pyproject.toml"
            if pyproject.is_file() and (folder / "tasks" / "studio").is_dir():
                with contextlib.suppress(OSError):
                    if 'name = "stancebank"' in pyproject.read_text(encoding="utf-8"):
                        return folder
    return None


def find_label_studio_bin(environ: Mapping[str, str] | None = None) -> Path:
    """``$STANCEBANK_LABEL_STUDIO_BIN``, else ``<repo>/.venv-studio/bin/label-studio``, else PATH."""
    env = os.environ if environ is None else environ
    explicit = env.get(BIN_ENV)
    if explicit:
        path = Path(explicit).expanduser()
        if not (path.is_file() and os.access(path, os.X_OK)):
            raise ServerError(f"{BIN_ENV}={path} is not an executable file; point it at `label-studio`.")
        return path
    repo = find_repo_root()
    if repo is not None:
        path = repo / ".venv-studio" / "bin" / "label-studio"
        if path.is_file() and os.access(path, os.X_OK):
            return path
    on_path = shutil.which("label-studio", path=env.get("PATH"))
    if on_path:
        return Path(on_path)
    where = f"{repo}/.venv-studio/bin/label-studio" if repo else ".venv-studio/bin/label-studio"
    raise ServerError(
        f"Label Studio is not installed: no {where} and no `label-studio` on PATH. "
        f"Run `make studio-env` in the stancebank checkout, or set {BIN_ENV} to the executable."
    )


def label_studio_version(bin_path: Path) -> str:
    """The installed Label Studio version, read from the dist-info next to the executable."""
    env_root = bin_path.resolve().parent.parent
    for dist in sorted(env_root.glob("lib/python*/site-packages/label_studio-*.dist-info")):
        metadata = dist / "METADATA"
        if metadata.is_file():
            for line in metadata.read_text(encoding="utf-8").splitlines():
                if line.startswith("Version:"):
                    return line.split(":", 1)[1].strip()
    python = bin_path.parent / "python"
    cmd = [str(python), "-c", "import importlib.metadata as m; print(m.version('label-studio'))"]
    try:
        out = subprocess.run(cmd, capture_output=True, text=True, check=True, timeout=60)
    except (OSError, subprocess.SubprocessError) as exc:
        raise ServerError(f"Cannot tell the version of Label Studio at {bin_path}: {exc}") from exc
    return out.stdout.strip()


def default_state_dir(environ: Mapping[str, str] | None = None) -> Path:
    env = os.environ if environ is None else environ
    if env.get(DIR_ENV):
        return Path(env[DIR_ENV]).expanduser()
    base = env.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "stancebank" / "studio"


def default_cache_dir(environ: Mapping[str, str] | None = None) -> Path:
    env = os.environ if environ is None else environ
    if env.get(CACHE_ENV):
        return Path(env[CACHE_ENV]).expanduser()
    base = env.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "stancebank"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def port_in_use(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(0.5)
        return sock.connect_ex((HOST, port)) == 0


# ------------------------------------------------------------------------------------------ files


@dataclass(frozen=True)
class StudioPaths:
    root: Path

    @property
    def credentials(self) -> Path:
        return self.root / "credentials.json"

    @property
    def record(self) -> Path:
        return self.root / "server.json"

    @property
    def log(self) -> Path:
        return self.root / "server.log"

    @property
    def last_port(self) -> Path:
        """The port of the last start (a number, no secret): the next `studio up` reuses it, so
        the login links sent to annotators keep working."""
        return self.root / "port"

    @property
    def ls_data(self) -> Path:
        return self.root / "label-studio"


@dataclass(frozen=True)
class Credentials:
    admin_email: str
    password: str
    api_key: str

    def __repr__(self) -> str:  # never print secrets by accident
        return f"Credentials(admin_email={self.admin_email!r}, password=***, api_key=***)"


@dataclass(frozen=True)
class ServerRecord:
    pid: int
    port: int
    url: str
    create_time: float
    version: str


@dataclass(frozen=True)
class RunningServer:
    """A started (or found running) local Label Studio."""

    url: str
    api_key: str
    data_dir: Path
    admin_email: str
    password: str
    pid: int
    port: int
    version: str

    def __repr__(self) -> str:
        return f"RunningServer(url={self.url!r}, pid={self.pid}, data_dir={str(self.data_dir)!r})"


def _check_outside_project_data(path: Path) -> None:
    repo = find_repo_root()
    if repo is None:
        return
    data = (repo / "data").resolve()
    resolved = path.resolve()
    if resolved == data or data in resolved.parents:
        raise ServerError(
            f"The studio directory {path} is inside the project's data/ folder; secrets must not live "
            f"there. Choose another --data-dir (default: {default_state_dir()})."
        )


def _write_private(path: Path, payload: str) -> None:
    """Write ``payload`` to ``path`` with mode 0600 from the first byte (atomic replace)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(payload)
        Path(tmp).replace(path)
    except BaseException:
        with contextlib.suppress(OSError):
            Path(tmp).unlink()
        raise


def _warn_if_shared(path: Path) -> bool:
    """Warn when a secrets file can be read by other users (not 0600); True if it can."""
    mode = path.stat().st_mode & 0o777
    if not mode & 0o077:
        return False
    logger.warning(
        "%s holds the Label Studio admin password and API token but is mode %04o (readable by other "
        "users): run `chmod 600 %s`, and rotate the token if others may have read it.",
        path,
        mode,
        path,
    )
    return True


def load_credentials(paths: StudioPaths) -> Credentials | None:
    if not paths.credentials.is_file():
        return None
    _warn_if_shared(paths.credentials)
    raw = json.loads(paths.credentials.read_text(encoding="utf-8"))
    return Credentials(admin_email=raw["admin_email"], password=raw["password"], api_key=raw["api_key"])


def ensure_credentials(paths: StudioPaths) -> Credentials:
    """Load the credentials, generating them (random password, 40-hex token) on first use.

    A credentials file readable by others is warned about (by `load_credentials`) and set to 0600."""
    _check_outside_project_data(paths.root)
    existing = load_credentials(paths)
    if existing is not None:
        if paths.credentials.stat().st_mode & 0o077:
            paths.credentials.chmod(0o600)
            logger.warning("%s is now mode 0600", paths.credentials)
        return existing
    creds = Credentials(
        admin_email=ADMIN_EMAIL, password=secrets.token_urlsafe(18), api_key=secrets.token_hex(20)
    )
    _write_private(paths.credentials, json.dumps(asdict(creds), indent=2) + "\n")
    logger.info("Generated Label Studio credentials in %s (mode 0600)", paths.credentials)
    return creds


def read_record(paths: StudioPaths) -> ServerRecord | None:
    if not paths.record.is_file():
        return None
    try:
        raw = json.loads(paths.record.read_text(encoding="utf-8"))
        return ServerRecord(**raw)
    except (ValueError, TypeError):
        logger.warning("Ignoring unreadable server record %s", paths.record)
        return None


def _process_alive(record: ServerRecord) -> bool:
    """True if the recorded pid is still the process we started (not a reused pid)."""
    try:
        proc = psutil.Process(record.pid)
        if proc.status() == psutil.STATUS_ZOMBIE:
            return False
        created: float = proc.create_time()
        return abs(created - record.create_time) < 2.0
    except psutil.Error:
        return False


# ------------------------------------------------------------------------------------ environment


def clean_environment(
    paths: StudioPaths, creds: Credentials, port: int, base: Mapping[str, str] | None = None
) -> dict[str, str]:
    """The complete environment Label Studio runs with: nothing unprefixed leaks in."""
    src = os.environ if base is None else base
    env = {key: src[key] for key in ("PATH", "HOME", "LANG") if key in src}
    env.setdefault("PATH", "/usr/bin:/bin")
    env.setdefault("LANG", "C.UTF-8")
    env.update(
        {
            "LABEL_STUDIO_BASE_DATA_DIR": str(paths.ls_data),
            "LABEL_STUDIO_USERNAME": creds.admin_email,
            "LABEL_STUDIO_PASSWORD": creds.password,
            "LABEL_STUDIO_USER_TOKEN": creds.api_key,
            "LABEL_STUDIO_ENABLE_LEGACY_API_TOKEN": "true",
            "LABEL_STUDIO_DISABLE_SIGNUP_WITHOUT_LINK": "true",
            "LABEL_STUDIO_COLLECT_ANALYTICS": "false",
            "LABEL_STUDIO_LATEST_VERSION_CHECK": "false",
            "LABEL_STUDIO_SENTRY_DSN": "",
            "LABEL_STUDIO_FRONTEND_SENTRY_DSN": "",
            "LABEL_STUDIO_DEBUG": "false",
            "LABEL_STUDIO_HOST": f"http://{HOST}:{port}",
            "LABEL_STUDIO_PORT": str(port),
            "LABEL_STUDIO_LOG_LEVEL": "WARNING",
            "DJANGO_SETTINGS_MODULE": "label_studio.core.settings.label_studio",
        }
    )
    return env


def _template_environment(data_dir: Path, base: Mapping[str, str] | None = None) -> dict[str, str]:
    src = os.environ if base is None else base
    env = {key: src[key] for key in ("PATH", "HOME", "LANG") if key in src}
    env.setdefault("PATH", "/usr/bin:/bin")
    env.update(
        {
            "LABEL_STUDIO_BASE_DATA_DIR": str(data_dir),
            "LABEL_STUDIO_COLLECT_ANALYTICS": "false",
            "LABEL_STUDIO_LATEST_VERSION_CHECK": "false",
            "LABEL_STUDIO_SENTRY_DSN": "",
            "LABEL_STUDIO_FRONTEND_SENTRY_DSN": "",
            "LABEL_STUDIO_LOG_LEVEL": "WARNING",
            "DJANGO_SETTINGS_MODULE": "label_studio.core.settings.label_studio",
        }
    )
    return env


# ------------------------------------------------------------------------------- migrated template


@contextlib.contextmanager
def _file_lock(path: Path) -> Iterator[None]:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def template_dir(version: str, cache_dir: Path | None = None) -> Path:
    return (cache_dir or default_cache_dir()) / f"ls-template-{version}"


def ensure_template(bin_path: Path, cache_dir: Path | None = None, timeout: float = 600.0) -> Path:
    """A migrated, user-less SQLite database for this Label Studio version (built once, cached).

    Built by ``label-studio version``, which applies the migrations and exits without creating
    a user. The directory name and a ``VERSION`` file inside both carry the version, so a
    template from another Label Studio version is never reused.
    """
    version = label_studio_version(bin_path)
    target = template_dir(version, cache_dir)
    if _template_ok(target, version):
        return target / DB_NAME
    with _file_lock(target.parent / f".ls-template-{version}.lock"):
        if _template_ok(target, version):
            return target / DB_NAME
        build = Path(tempfile.mkdtemp(prefix=f".ls-template-{version}-", dir=target.parent))
        try:
            logger.info("Building a migrated Label Studio %s database (one-off, ~1 min)...", version)
            started = time.monotonic()
            proc = subprocess.run(
                [str(bin_path), "version", "--data-dir", str(build)],
                env=_template_environment(build),
                stdin=subprocess.DEVNULL,
                capture_output=True,
                timeout=timeout,
                cwd=build,
                check=False,
            )
            if proc.returncode != 0 or not (build / DB_NAME).is_file():
                tail = (proc.stdout + proc.stderr).decode("utf-8", "replace")[-2000:]
                raise ServerError(f"Migrating a fresh Label Studio database failed:\n{tail}")
            logger.info("Migrated in %.1f s", time.monotonic() - started)
            final = build / "final"
            final.mkdir()
            shutil.copy2(build / DB_NAME, final / DB_NAME)
            (final / "VERSION").write_text(version + "\n", encoding="utf-8")
            if target.exists():
                shutil.rmtree(target)
            final.rename(target)
        finally:
            shutil.rmtree(build, ignore_errors=True)
    return target / DB_NAME


def _template_ok(target: Path, version: str) -> bool:
    marker = target / "VERSION"
    return (
        (target / DB_NAME).is_file()
        and marker.is_file()
        and marker.read_text(encoding="utf-8").strip() == version
    )


# ------------------------------------------------------------------------------------- lifecycle


def health_ok(url: str, timeout: float = 2.0) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/health/", timeout=timeout) as resp:
            body: Any = json.loads(resp.read().decode("utf-8"))
            return bool(resp.status == 200 and body.get("status") == "UP")
    except (OSError, ValueError, urllib.error.URLError):
        return False


def _log_tail(paths: StudioPaths, creds: Credentials | None, limit: int = 3000) -> str:
    try:
        text = paths.log.read_text(encoding="utf-8", errors="replace")[-limit:]
    except OSError:
        return ""
    if creds is not None:
        text = text.replace(creds.api_key, "***").replace(creds.password, "***")
    return text


def status(state_dir: Path | None = None) -> RunningServer | None:
    """The running server of this studio directory, or None (a stale record is removed)."""
    paths = StudioPaths(state_dir or default_state_dir())
    record = read_record(paths)
    if record is None:
        return None
    if not _process_alive(record):
        logger.info("Removing stale server record %s (pid %d is gone)", paths.record, record.pid)
        with contextlib.suppress(OSError):
            paths.record.unlink()
        return None
    creds = load_credentials(paths)
    if creds is None:
        return None
    return RunningServer(
        url=record.url,
        api_key=creds.api_key,
        data_dir=paths.root,
        admin_email=creds.admin_email,
        password=creds.password,
        pid=record.pid,
        port=record.port,
        version=record.version,
    )


def chosen_port(paths: StudioPaths, port: int | None) -> int:
    """``port`` when given, else the port of this studio directory's last start, else
    :data:`DEFAULT_PORT`."""
    if port is not None:
        return port
    with contextlib.suppress(OSError, ValueError):
        last = int(paths.last_port.read_text(encoding="utf-8").strip())
        if 0 < last < 65536:
            return last
    return DEFAULT_PORT


def start(
    state_dir: Path | None = None,
    port: int | None = None,
    *,
    bin_path: Path | None = None,
    cache_dir: Path | None = None,
    use_template: bool = True,
    timeout: float | None = None,
) -> RunningServer:
    """Start Label Studio in the background for ``state_dir`` and wait until ``/health`` answers.

    Returns the already running server if there is one for this directory. ``port``: None for
    the port of the last start here (see :func:`chosen_port`).
    """
    paths = StudioPaths((state_dir or default_state_dir()).expanduser().absolute())
    running = status(paths.root)
    if running is not None:
        if health_ok(running.url):
            return running
        raise ServerError(
            f"Label Studio (pid {running.pid}) of {paths.root} is running but not healthy at "
            f"{running.url}; see {paths.log}, or stop it with `stancebank studio down`."
        )
    port = chosen_port(paths, port)
    if port_in_use(port):
        raise ServerError(f"Port {port} on {HOST} is already in use; choose another with --port.")
    bin_path = bin_path or find_label_studio_bin()
    version = label_studio_version(bin_path)
    creds = ensure_credentials(paths)
    paths.ls_data.mkdir(parents=True, exist_ok=True)
    paths.ls_data.chmod(0o700)
    fresh = not (paths.ls_data / DB_NAME).exists()
    if fresh and use_template:
        shutil.copy2(ensure_template(bin_path, cache_dir), paths.ls_data / DB_NAME)
        fresh = False
    env = clean_environment(paths, creds, port)
    cmd = [
        str(bin_path),
        "start",
        "--no-browser",
        "--internal-host",
        HOST,
        "--port",
        str(port),
        "--data-dir",
        str(paths.ls_data),
    ]
    url = f"http://{HOST}:{port}"
    with paths.log.open("ab") as log:
        proc = subprocess.Popen(
            cmd,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            cwd=paths.root,
            start_new_session=True,
        )
    _CHILDREN[proc.pid] = proc
    record = ServerRecord(
        pid=proc.pid,
        port=port,
        url=url,
        create_time=psutil.Process(proc.pid).create_time(),
        version=version,
    )
    _write_private(paths.record, json.dumps(asdict(record), indent=2) + "\n")
    paths.last_port.write_text(f"{port}\n", encoding="utf-8")
    logger.info("Started Label Studio %s (pid %d) at %s", version, proc.pid, url)
    limit = timeout if timeout is not None else (FIRST_START_TIMEOUT if fresh else START_TIMEOUT)
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            with contextlib.suppress(OSError):
                paths.record.unlink()
            _CHILDREN.pop(proc.pid, None)
            raise ServerError(
                f"Label Studio exited with code {proc.returncode} during start-up; log {paths.log}:\n"
                f"{_log_tail(paths, creds)}"
            )
        if health_ok(url):
            return RunningServer(
                url=url,
                api_key=creds.api_key,
                data_dir=paths.root,
                admin_email=creds.admin_email,
                password=creds.password,
                pid=proc.pid,
                port=port,
                version=version,
            )
        time.sleep(0.5)
    stop(paths.root)
    raise ServerError(
        f"Label Studio did not become healthy at {url} within {limit:.0f} s; log {paths.log}:\n"
        f"{_log_tail(paths, creds)}"
    )


def stop(state_dir: Path | None = None, timeout: float = STOP_TIMEOUT) -> bool:
    """Stop the recorded server by pid: SIGTERM, then SIGKILL after ``timeout``. True if stopped."""
    paths = StudioPaths((state_dir or default_state_dir()).expanduser().absolute())
    record = read_record(paths)
    if record is None:
        return False
    stopped = False
    if _process_alive(record):
        _signal(record.pid, signal.SIGTERM)
        if not _wait_gone(record, timeout):
            logger.warning("Label Studio pid %d ignored SIGTERM; sending SIGKILL", record.pid)
            _signal(record.pid, signal.SIGKILL)
            _wait_gone(record, timeout)
        stopped = True
    child = _CHILDREN.pop(record.pid, None)
    if child is not None:
        with contextlib.suppress(subprocess.TimeoutExpired):
            child.wait(timeout=timeout)
    with contextlib.suppress(OSError):
        paths.record.unlink()
    return stopped


def _signal(pid: int, sig: signal.Signals) -> None:
    # The server runs in its own session (process group == pid): signal the group so that any
    # helper processes it spawned go too.
    try:
        os.killpg(pid, sig)
    except ProcessLookupError:
        return
    except PermissionError:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, sig)


def _wait_gone(record: ServerRecord, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    child = _CHILDREN.get(record.pid)
    while time.monotonic() < deadline:
        if child is not None and child.poll() is not None:
            return True
        if not _process_alive(record):
            return True
        time.sleep(0.2)
    return False


if __name__ == "__main__":  # pragma: no cover - manual smoke test
    logging.basicConfig(level=logging.INFO)
    server = start(Path(sys.argv[1]), int(sys.argv[2]) if len(sys.argv) > 2 else DEFAULT_PORT)
    print(server)
