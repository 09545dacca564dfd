"""Files and folders that appear whole or not at all (a killed run never leaves half of one).

A file is written under a temporary name in its own folder (``.<name>.<pid>.tmp``), flushed to
disk (``fsync``) and renamed over the final name; the folder's entry is then fsynced too. A folder
is built under ``.<name>.partial-<pid>`` and renamed into place the same way. The ``<pid>`` in the
temporary names lets the next run tell a leftover of a killed run (its process is gone) from the
work of a run still going: :func:`clean_leftovers` removes only the former.

An output path that cannot be written is an :class:`~stancebank.schema.errors.OutputError` (exit 4)
naming the path, why and the fix: a command checks its output paths before it works
(:func:`check_output`), and what the system refuses while writing is reported the same way
(:func:`writing`; the atomic writers do it for the folder, the temporary file and the rename).
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

from stancebank.schema.errors import OutputError

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


def _answered(test: Callable[[], bool]) -> bool:
    """A path's test (``is_dir``, ``exists``); False where the system refuses to answer (a folder on
    the way that cannot be searched: PermissionError), which then shows when written, with the
    system's reason."""
    try:
        return test()
    except OSError:
        return False


def _in_the_way(path: Path, *, folder: bool, option: str) -> str | None:
    """What on disk keeps ``path`` from being written as a file (``folder``: as a folder), and the
    fix; None when nothing is (a folder that refuses writes or a full disk shows only when written)."""
    for parent in path.parents:
        if _answered(parent.is_dir):
            break
        if _answered(parent.exists) or _answered(parent.is_symlink):  # a file, or a link to nothing
            kind = "a file" if _answered(parent.exists) else "a link to nothing"
            return (
                f"{parent} is {kind}, not a folder; choose another {option or 'path'}, or move {parent} away"
            )
    give = f"give {option}" if option else "give"
    if folder and _answered(path.exists) and not _answered(path.is_dir):
        return f"it is a file, not a folder; {give} the path of a folder"
    if not folder and _answered(path.is_dir):
        return f"it is a folder, not a file; {give} the path of a file"
    return None


def _named(path: Path, option: str) -> str:
    return f"{path} ({option})" if option else str(path)


def check_output(path: Path, option: str = "", *, folder: bool = False) -> None:
    """Refuse, before any work, an output ``path`` (given by ``option``, e.g. ``"--out"``) that cannot
    be written as a file (``folder``: as a folder): one under a file, a folder where a file is asked
    for, a file where a folder is. Raises :class:`OutputError` naming the path, why and the fix."""
    problem = _in_the_way(path, folder=folder, option=option)
    if problem is not None:
        raise OutputError(f"cannot write {_named(path, option)}: {problem}")


def check_outputs(*outputs: tuple[Path | None, str, bool]) -> None:
    """:func:`check_output` for each ``(path, option, is a folder)`` of a command (None: not asked
    for), before any work."""
    for path, option, folder in outputs:
        if path is not None:
            check_output(path, option, folder=folder)


_FIXES = {
    errno.EACCES: "choose a folder you can write to",
    errno.EPERM: "choose a folder you can write to",
    errno.EROFS: "choose a folder on a writable file system",
    errno.ENOSPC: "free some disk space and run it again",
    errno.EDQUOT: "free some disk space (your quota) and run it again",
}


def cannot_write(path: Path, err: OSError, option: str = "", *, folder: bool = False) -> OutputError:
    """The :class:`OutputError` for ``err``, raised while writing ``path`` (given by ``option``;
    ``folder``: a folder): what is in the way on disk if anything is, else the system's reason."""
    problem = _in_the_way(path, folder=folder, option=option)
    if problem is None:
        reason = err.strerror or str(err)
        problem = f"{reason[:1].lower()}{reason[1:]}; {_FIXES.get(err.errno or 0, 'check the path')}"
    return OutputError(f"cannot write {_named(path, option)}: {problem}")


@contextlib.contextmanager
def writing(path: Path, option: str = "", *, folder: bool = False) -> Iterator[None]:
    """Around a step that writes ``path`` (a folder's creation, a rename into place): an
    :class:`OSError` it raises becomes :func:`cannot_write`'s error. Only around writes: an error
    reading an input must not be reported as an output that cannot be written."""
    try:
        yield
    except OSError as err:
        raise cannot_write(path, err, option, folder=folder) from err


@contextlib.contextmanager
def _atomic_file(path: Path, open_tmp: Callable[[Path], IO[Any]]) -> Iterator[IO[Any]]:
    """A temporary file next to ``path``, opened by ``open_tmp``; on a clean exit it is fsynced and
    renamed to ``path`` (and the folder fsynced); on an error it is removed. Its folder that cannot
    be made, a folder at ``path`` (the rename would fail after the whole file was written), a
    temporary file that cannot be opened and a failed rename are an :class:`OutputError` naming
    ``path``; what the caller raises while writing passes unchanged."""
    tmp = temp_file(path)
    with writing(path):
        path.parent.mkdir(parents=True, exist_ok=True)
        if path.is_dir():
            raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), str(path))
        opened = open_tmp(tmp)
    try:
        with opened as handle:
            yield handle
            with writing(path):
                handle.flush()
                os.fsync(handle.fileno())
        with writing(path):
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
    with _atomic_file(path, lambda tmp: tmp.open("wb")) as handle, writing(path):
        handle.write(data)  # a full disk or a file-size limit: an OutputError naming ``path``


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
