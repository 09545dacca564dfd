"""A build killed (SIGKILL) in each write phase leaves no final file half-written, and the re-run
completes and gives the same bytes as a build that was never interrupted.

The build runs in a child process whose progress reporter kills the process itself at a chosen
point (a stage, after N items of it): the build code has no test hook, the reporter is its
ordinary progress interface, called between the writes of each phase.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from stancebank.export.release import build_release
from stancebank.schema.atomic import atomic_write_text, clean_leftovers, partial_dir
from stancebank.schema.cli import app

CHILD = """
import os, signal, sys
from pathlib import Path
from stancebank.export.release import build_release
from stancebank.export.reporting import Reporter

stage, after, out, registry, *exports = sys.argv[1:]


class KillAt(Reporter):
    def __init__(self) -> None:
        self.stage = ""
        self.done = 0

    def start(self, name: str, total: int | None = None) -> None:
        self.stage, self.done = name, 0
        self._maybe_kill()

    def advance(self, n: int = 1) -> None:
        self.done += n
        self._maybe_kill()

    def _maybe_kill(self) -> None:
        if self.stage == stage and self.done == int(after):
            os.kill(os.getpid(), signal.SIGKILL)


build_release([Path(e) for e in exports], "1.0.0", Path(out), registry_path=Path(registry), reporter=KillAt())
"""

# (stage, items of it done) — one point in each write phase of the build
KILL_POINTS = [
    ("adjudicating, writing", 3),  # parquet files half-written in the partial folder
    ("writing card, manifest", 0),  # parquet complete, no card, no manifest
    ("validating", 0),  # release complete in the partial folder, not yet validated
    ("writing review", 1),  # review_tasks.json being written (one task encoded)
    ("saving registry", 0),  # review folder in place, registry and release not
    ("renaming into place", 0),  # registry saved, the release not yet renamed
]


def _files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def _reference(tmp_path: Path, snapshots: list[Path]) -> dict[str, bytes]:
    root = tmp_path / "reference"
    build_release(snapshots, "1.0.0", root / "dist" / "rel", registry_path=root / "registry.json")
    return _files(root)


@pytest.mark.parametrize(("stage", "after"), KILL_POINTS)
def test_kill_in_each_write_phase_then_rerun_is_byte_identical(tmp_path, snapshots, stage, after):
    reference = _reference(tmp_path, snapshots)
    root = tmp_path / "killed"
    out, registry = root / "dist" / "rel", root / "registry.json"
    root.mkdir()
    args = [stage, str(after), str(out), str(registry), *map(str, snapshots)]
    proc = subprocess.run([sys.executable, "-c", CHILD, *args], capture_output=True, text=True, timeout=300)
    assert proc.returncode == -signal.SIGKILL, proc.stderr  # it was killed where asked
    assert not out.exists()  # the release appears only whole, and last
    leftovers = [p.name for p in (root / "dist").iterdir() if ".partial-" in p.name]
    assert leftovers, "the kill point is inside the build: its partial folder is left"

    # the re-run completes (nothing refuses it), removes the leftovers, and writes the same bytes
    build_release(snapshots, "1.0.0", out, registry_path=registry)
    assert _files(root) == reference


def test_rerun_through_the_cli_after_a_kill_during_review_writing(tmp_path, snapshots):
    """The case the issue found: a kill while the review files were written left them truncated
    and the re-run was refused because the release folder existed."""
    reference = _reference(tmp_path, snapshots)
    root = tmp_path / "killed"
    out, registry = root / "dist" / "rel", root / "registry.json"
    root.mkdir()
    args = ["writing review", "1", str(out), str(registry), *map(str, snapshots)]
    proc = subprocess.run([sys.executable, "-c", CHILD, *args], capture_output=True, text=True, timeout=300)
    assert proc.returncode == -signal.SIGKILL, proc.stderr
    assert not (root / "dist" / "rel.review").exists()  # never a truncated review file
    result = CliRunner().invoke(
        app,
        [
            "export",
            "build",
            *map(str, snapshots),
            "--version",
            "1.0.0",
            "--out",
            str(out),
            "--registry",
            str(registry),
        ],
    )
    assert result.exit_code == 0, result.output
    files = _files(root)
    # the CLI also writes the rejects report next to the release (the library call does not)
    assert b'"reason": "bad_endpoint_labels"' in files.pop("dist/rel.rejects.jsonl")
    assert files == reference
    (task,) = json.loads((root / "dist" / "rel.review" / "review_tasks.json").read_text())
    assert task["data"]["article_id"] == "art-003"


def test_leftovers_of_live_processes_are_kept_and_of_dead_ones_removed(tmp_path):
    target = tmp_path / "rel"
    mine = partial_dir(target)
    mine.mkdir()
    dead_pid = _dead_pid()
    dead_dir = tmp_path / f".rel.partial-{dead_pid}"
    dead_dir.mkdir()
    (dead_dir / "x.parquet").write_bytes(b"half")
    dead_file = tmp_path / f".rel.{dead_pid}.tmp"
    dead_file.write_bytes(b"half")
    other = tmp_path / f".other.partial-{dead_pid}"
    other.mkdir()
    removed = clean_leftovers(target)
    assert sorted(removed) == sorted([dead_dir, dead_file])
    assert mine.is_dir() and other.is_dir()  # a live run's folder and another name's are kept


def test_atomic_write_leaves_the_old_file_when_it_fails(tmp_path):
    path = tmp_path / "file.txt"
    atomic_write_text(path, "old\n")

    class BoomError(Exception):
        pass

    from stancebank.schema.atomic import atomic_writer

    with pytest.raises(BoomError), atomic_writer(path) as handle:
        handle.write("new, half")
        raise BoomError
    assert path.read_text() == "old\n"
    assert [p.name for p in tmp_path.iterdir()] == ["file.txt"]


def _dead_pid() -> int:
    proc = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True
    )
    pid = int(proc.stdout)
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)
    return pid
