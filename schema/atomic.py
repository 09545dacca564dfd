"""Files and folders that appear whole or not at all (a killed run never leaves half of one).

A file is written under a temporary name in its own folder (``.<name>.<pid>.tmp``), flushed to
disk (``fsync``) and renamed over the final name; the folder's entry is then fsynced too. A folder
is built under ``.<name>.partial-<pid>`` and renamed into place the same way. The ``<pid>`` in the
temporary names lets the next run tell a leftover of a killed run (its process is gone) from the
work of a run still going: :func:`clean_leftovers` removes only the former.
"""

from __future__ import annotations

import contextlib
import errno
import logging
import os
import re
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, Any

log = logging.getLogger(__name__)

# .<name>.<pid>.tmp (a file) / .<name>.partial-<pid> (a folder being built) /
# .<name>.old-<pid> (the folder being replaced, removed right after the rename)
_LEFTOVER = re.compile(r"\.(?P<name>.+)\.(?:(?P<pid>\d+)\.tmp|partial-(?P<ppid>\d+)|old-(?P<opid>\d+))\Z")


def temp_file(path: Path) -> Path:
    """The temporary name :func:`atomic_writer` uses for ``path`` in this process."""
    return path.with_name(f".{path.name}.{os.getpid()}.tmp")


def partial_dir(path: Path) -> Path:
    """The name a folder is built under before :func:`replace_dir` moves it to ``path``."""
    return path.with_name(f".{path.name}.partial-{os.getpid()}")


def fsync_dir(path: Path) -> None:
    """Flush a folder's entries (a rename in it) to disk; a no-op where folders cannot be opened."""
    with contextlib.suppress(OSError):
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def fsync_file(path: Path) -> None:
    with path.open("rb") as fh:
        os.fsync(fh.fileno())


def fsync_tree(root: Path) -> None:
    """fsync every file and folder under ``root`` (before the folder is renamed into place)."""
    for folder, _dirs, files in os.walk(root):
        for name in files:
            fsync_file(Path(folder) / name)
        fsync_dir(Path(folder))


@contextlib.contextmanager
def _atomic_file(path: Path, open_tmp: Callable[[Path], IO[Any]]) -> Iterator[IO[Any]]:
    """A temporary file next to ``path``, opened by ``open_tmp``; on a clean exit it is fsynced and
    renamed to ``path`` (and the folder fsynced); on an error it is removed."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.is_dir():  # the rename would fail after the whole file was written, naming the temporary
        raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), str(path))
    tmp = temp_file(path)
    try:
        with open_tmp(tmp) as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        tmp.replace(path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    fsync_dir(path.parent)


@contextlib.contextmanager
def atomic_writer(path: Path, mode: str = "w", errors: str = "strict") -> Iterator[IO[str]]:
    """Open a temporary file next to ``path`` for writing text (UTF-8, ``\\n`` newlines; ``errors``
    as for :func:`open`); on a clean exit it is fsynced and renamed to ``path``; on an error it is
    removed."""
    with _atomic_file(path, lambda tmp: tmp.open(mode, encoding="utf-8", errors=errors, newline="\n")) as f:
        yield f


def atomic_write_bytes(path: Path, data: bytes) -> None:
    with _atomic_file(path, lambda tmp: tmp.open("wb")) as handle:
        handle.write(data)


def atomic_write_text(path: Path, text: str) -> None:
    atomic_write_bytes(path, text.encode("utf-8"))


def replace_dir(built: Path, path: Path) -> None:
    """Move the finished folder ``built`` to ``path`` (fsynced first); an existing ``path`` is
    moved aside and removed after the rename, so ``path`` is always either the old or the new one
    except for the instant between two renames (a kill there leaves only the ``.old-<pid>`` copy,
    which :func:`clean_leftovers` removes)."""
    fsync_tree(built)
    path.parent.mkdir(parents=True, exist_ok=True)
    old: Path | None = None
    if path.exists():
        old = path.with_name(f".{path.name}.old-{os.getpid()}")
        path.replace(old)
    built.replace(path)
    fsync_dir(path.parent)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's live process
        return True
    return True


def clean_leftovers(path: Path) -> list[Path]:
    """Remove what killed runs left next to ``path`` (its temporary files and partial or old
    folders whose process is gone); returns what was removed."""
    removed: list[Path] = []
    parent = path.parent
    if not parent.is_dir():
        return removed
    for entry in sorted(parent.iterdir()):
        match = _LEFTOVER.match(entry.name)
        if match is None or match["name"] != path.name:
            continue
        pid = int(match["pid"] or match["ppid"] or match["opid"])
        if _alive(pid):
            continue
        if entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry, ignore_errors=True)
        else:
            entry.unlink(missing_ok=True)
        log.info("removed %s, left by an interrupted run (process %d)", entry, pid)
        removed.append(entry)
    return removed
