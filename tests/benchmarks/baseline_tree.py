"""Another commit's stancebank, importable side by side with this checkout's (for benchmarks).

``checkout(ref, dest)`` extracts the four packages of ``ref`` (``git archive``) under
``dest/stancebank/`` and returns an environment whose ``PYTHONPATH`` puts them first: a child
process started with it imports ``stancebank.*`` from ``ref`` (the regular path finder runs before
the editable install's finder), with this venv's libraries. Same machine, same run, same input: a
before/after ratio without a second venv.
"""

from __future__ import annotations

import io
import os
import subprocess
import tarfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
PACKAGES = ("schema", "tasks", "export", "validation")


def checkout(ref: str, dest: Path) -> dict[str, str]:
    """Extract ``ref``'s packages into ``dest``; the environment that imports them."""
    archive = subprocess.run(
        ["git", "-C", str(REPO), "archive", "--prefix=stancebank/", ref, *PACKAGES],
        capture_output=True,
        check=True,
    ).stdout
    dest.mkdir(parents=True, exist_ok=True)
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(dest, filter="data")
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(dest), *filter(None, [env.get("PYTHONPATH")])])
    return env


def describe(ref: str) -> str:
    """``ref`` as a short commit id and subject, for the benchmark's output."""
    return subprocess.run(
        ["git", "-C", str(REPO), "log", "-1", "--format=%h %s", ref],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()[:100]
