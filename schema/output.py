"""The ``stancebank`` command's standard output when its reader goes away (``| head -1``).

A write to a pipe whose reader has exited raises ``BrokenPipeError``. Typer ends the command with
exit 1 on it, and a Rich console exits 1 by itself (``Console.on_broken_pipe``). A reader that took
what it wanted is no failure of the command, and no success either: the command goes on, its
output discarded, and ends with the exit code its work gives (a push that is refused still exits
4, a failed demo step still fails, a build that succeeds exits 0). A Rich console writing to stdout
is a :class:`StdoutConsole`: on a broken pipe it points stdout at os.devnull (Python's documented
way, the "Note on SIGPIPE" of the ``signal`` module) and writes nothing more. A plain ``typer.echo``
that fails cannot resume; the root command group (:mod:`stancebank.schema.cli`) ends the command
there with exit 0, so commands echo to stdout only their final result, after their work.
"""

from __future__ import annotations

import io
import os
import sys

from rich.console import Console


def stdout_to_devnull() -> None:
    """After a write to stdout failed because its reader has gone: point stdout (its file
    descriptor) at os.devnull, so that later writes and flushing what is still buffered cannot fail
    again ('Exception ignored … BrokenPipeError' on stderr when Python exits). A stdout with no file
    descriptor (replaced in-process, as by a test runner) is left alone."""
    try:
        fd = sys.stdout.fileno()
    except (AttributeError, ValueError, io.UnsupportedOperation):
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, fd)
    finally:
        os.close(devnull)


class StdoutConsole(Console):
    """A Rich console for the command's standard output: when the reader of a pipe has gone, the
    rest of its output is discarded and the command goes on to its own exit code (where Rich would
    exit 1 at once) — Rich's documented hook for this, :meth:`rich.console.Console.on_broken_pipe`."""

    def on_broken_pipe(self) -> None:
        self.quiet = True  # nothing more to write: its buffer is dropped
        stdout_to_devnull()
