"""Annotator pseudonyms: a keyed hash (HMAC-SHA256) of the Label Studio user id.

The secret never enters a release or ``data/``. It comes from, in order:

1. the environment variable ``STANCEBANK_PSEUDONYM_KEY`` (any non-empty string);
2. a key file, by default ``$XDG_CONFIG_HOME/stancebank/pseudonym.key`` (``~/.config/...``),
   overridable with ``STANCEBANK_PSEUDONYM_KEY_FILE``; it is generated on first use with
   32 random bytes and mode 0600; a key file other users can read is warned about.

Keep the key (back it up with the project's secrets): with the same key, an annotator keeps the
same pseudonym across releases; with a new key every pseudonym changes.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import os
import secrets
from pathlib import Path

from stancebank.export.errors import ExportError
from stancebank.schema.atomic import check_output, writing

log = logging.getLogger(__name__)

KEY_ENV = "STANCEBANK_PSEUDONYM_KEY"
KEY_FILE_ENV = "STANCEBANK_PSEUDONYM_KEY_FILE"


def default_key_file() -> Path:
    configured = os.environ.get(KEY_FILE_ENV)
    if configured:
        return Path(configured).expanduser()
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "stancebank" / "pseudonym.key"


def load_key(key_file: Path | None = None, forbidden_roots: tuple[Path, ...] = ()) -> bytes:
    """The pseudonym secret (see the module docstring); never logged."""
    env = os.environ.get(KEY_ENV)
    if env:
        return env.encode("utf-8")
    path = (key_file or default_key_file()).expanduser().resolve()
    for root in forbidden_roots:
        if path.is_relative_to(root.resolve()):
            raise ExportError(
                f"pseudonym key file {path} is inside {root}; keep the secret outside data/ and the "
                f"release (set {KEY_FILE_ENV} or {KEY_ENV})"
            )
    check_output(path, KEY_FILE_ENV)  # not under a file, not a folder
    if path.exists():
        mode = path.stat().st_mode & 0o777
        if mode & 0o077:
            log.warning(
                "pseudonym key file %s is mode %04o (readable by other users): run `chmod 600 %s`; "
                "whoever reads the key can tell which pseudonym is which annotator",
                path,
                mode,
                path,
            )
        key = path.read_bytes().strip()
        if not key:
            raise ExportError(f"pseudonym key file {path} is empty; delete it to generate a new key")
        return key
    key = secrets.token_hex(32).encode("ascii")
    with writing(path, KEY_FILE_ENV):
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(key + b"\n")
    log.warning("generated a new pseudonym key at %s (mode 0600); back it up", path)
    return key


class Pseudonymizer:
    def __init__(self, key: bytes) -> None:
        self._key = key
        self._cache: dict[str, str] = {}

    def __call__(self, identity: str) -> str:
        found = self._cache.get(identity)
        if found is None:
            digest = hmac.new(self._key, identity.encode("utf-8"), hashlib.sha256).hexdigest()
            found = self._cache[identity] = f"annotator-{digest[:12]}"
        return found

    def __repr__(self) -> str:  # never show the key
        return "Pseudonymizer(<secret>)"
