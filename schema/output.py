"""The ``stancebank`` command's standard output when its reader goes away (``| head -1``).

A write to a pipe whose reader has exited raises ``BrokenPipeError``. Typer ends the command with
exit 1 on it, and a Rich console exits 1 by itself (``Console.on_broken_pipe``); a reader that took
what it wanted is no failure of the command. The root command group (:mod:`stancebank.schema.cli`)
catches the error around every command and ends it with exit 0, quietly; a Rich console writing to
stdout is a :class:`StdoutConsole`, which lets the error through to it. Python's documented way
(the "Note on SIGPIPE" of the ``signal`` module) is followed: stdout is pointed at os.devnull, so
the output still buffered is not a second error when Python flushes it at exit.
"""

from __future__ import annotations

import errno
import os
import sys

from rich.console import Console


def stdout_to_devnull() -> None:
    """After a write to stdout failed because its reader has gone: point stdout (its file
    descriptor) at os.devnull, so that flushing what is still buffered cannot fail again ('Exception
    ignored … BrokenPipeError' on stderr when Python exits)."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, sys.stdout.fileno())
    finally:
        os.close(devnull)


class StdoutConsole(Console):
    """A Rich console for the command's standard output: when the reader of a pipe has gone it
    raises ``BrokenPipeError`` for the command (or the root group) to handle, where Rich would
    exit 1 (Rich's documented hook for this, :meth:`rich.console.Console.on_broken_pipe`)."""

    def on_broken_pipe(self) -> None:
        self.quiet = True  # nothing more to write: its buffer is dropped
        raise BrokenPipeError(errno.EPIPE, os.strerror(errno.EPIPE))
