"""The one error hierarchy of stancebank: every error raised on purpose derives from
:class:`StancebankError` and carries the exit code the CLI ends with.

Messages name the item (file, line, task id, span id), the field, and the fix. The exit codes are
the same for every command (the README's table is this one):

====  ==========================================================================================
0     success
1     the data has errors: inputs rejected, validation findings, a release that failed validation
2     usage: a bad option or argument, a path that does not exist, a malformed config/resource file
3     an input cannot be used: an unreadable or malformed export or tasks file, a foreign export,
      an invalid prediction
4     output refused or not written: a file cannot be written, an existing release or tag, the
      version rules
5     a local component cannot be loaded or started: the spaCy model, the Label Studio server
6     a remote service failed: Label Studio or the Hub refused the request or did not answer
====  ==========================================================================================
"""

from __future__ import annotations

from enum import IntEnum
from pathlib import Path


class ExitCode(IntEnum):
    """Process exit codes shared by every ``stancebank`` command."""

    OK = 0
    DATA = 1
    USAGE = 2
    INPUT = 3
    OUTPUT = 4
    SETUP = 5
    REMOTE = 6
    INTERNAL = 70  # an unexpected error: a bug in stancebank (sysexits' EX_SOFTWARE)


def not_utf8(path: Path | str, err: UnicodeDecodeError) -> str:
    """The message for a text file read whole (``Path.read_text``) that is not UTF-8: the line, the
    byte and the fix, as every reader of a project, config, rules, registry or manifest file says it."""
    return f"{path}, {not_utf8_where(err)}"


def not_utf8_where(err: UnicodeDecodeError) -> str:
    """:func:`not_utf8` without the file, for a message whose place already names it."""
    line = err.object[: err.start].count(b"\n") + 1  # err.object: the whole file's bytes
    if ends_inside_a_character(err):
        return f"line {line}: " + cut_off_inside_a_character(
            err.object[err.start], "copy or download the whole file again"
        )
    return (
        f"line {line}: byte 0x{err.object[err.start]:02x} is not UTF-8 ({err.reason}); save the file as UTF-8"
    )


def ends_inside_a_character(err: UnicodeDecodeError) -> bool:
    """Whether the decoded bytes stop inside a multi-byte UTF-8 character (its first bytes are the
    last ones): a file cut off by a download or copy that stopped early, not one in another encoding."""
    return err.reason == "unexpected end of data" and err.end == len(err.object)


def cut_off_inside_a_character(byte: int, fix: str, *, offset: int | None = None) -> str:
    """The message (without its place) for a file that ends inside a UTF-8 character whose first
    byte is ``byte`` (at ``offset``, when the message says offsets), with the ``fix``."""
    at = "" if offset is None else f" at offset {offset}"
    return (
        f"the file ends inside a UTF-8 character (byte 0x{byte:02x}{at} begins it, the rest is "
        f"missing): it looks cut off; {fix}"
    )


class StancebankError(Exception):
    """Base class of every error stancebank raises on purpose."""

    exit_code: int = ExitCode.DATA


class OutputError(StancebankError):
    """An output path that cannot be written: under a file (not a folder), a folder where a file is
    asked for or a file where a folder is, or a write the system refused; names the path, the option
    that gave it, why, and the fix (:func:`stancebank.schema.atomic.check_output`)."""

    exit_code = ExitCode.OUTPUT


class SpecError(StancebankError):
    """A name the annotation spec does not know (a label, relation, attribute), or a resource
    file that does not agree with the spec."""

    exit_code = ExitCode.USAGE


class WireError(StancebankError):
    """A Label Studio JSON file (tasks file or export) cannot be read as one; names the file and,
    when known, the line or record."""

    exit_code = ExitCode.INPUT

    def __init__(self, message: str, *, file: str | None = None, line: int | None = None) -> None:
        super().__init__(message)
        self.file = file
        self.line = line


class ForeignExportError(WireError):
    """An export made with another labeling config (labels, ``from_name``s or relation labels the
    spec does not have); names what was found and what the project expects."""


class ReleaseValidationError(StancebankError):
    """A built release failed validation. ``report`` holds every finding (a
    :class:`stancebank.validation.report.Report` or a list of problem strings) when the raiser has
    one; ``kept`` is where the failed release was kept for inspection, if it was."""

    exit_code = ExitCode.DATA

    def __init__(self, message: str, *, report: object | None = None, kept: object | None = None) -> None:
        super().__init__(message)
        self.report = report
        self.kept = kept
