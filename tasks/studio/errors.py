"""Errors of the studio stage. Messages name the thing, the cause and the fix — never a token.

Exit codes are :class:`stancebank.schema.errors.ExitCode`: a server that cannot be started is a
setup problem (5), a server that refuses or does not answer is a remote failure (6) — neither is a
usage error (2).
"""

from __future__ import annotations

from stancebank.schema.errors import ExitCode, StancebankError


class StudioError(StancebankError):
    """Base error of the studio stage: Label Studio answered with an error."""

    exit_code = ExitCode.REMOTE


class ServerError(StudioError):
    """The local Label Studio server could not be found, started, or stopped."""

    exit_code = ExitCode.SETUP


class StudioConnectionError(StudioError):
    """Label Studio did not answer (after retries)."""

    exit_code = ExitCode.REMOTE


class StudioAuthError(StudioError):
    """Label Studio refused the API key (HTTP 401)."""

    exit_code = ExitCode.REMOTE


class ConfigDriftError(StudioError):
    """An existing project's labeling config differs from the generated one."""

    exit_code = ExitCode.OUTPUT


class ImportRefusedError(StudioError):
    """One or more tasks cannot be imported without breaking existing annotations."""

    exit_code = ExitCode.OUTPUT


class TasksFileError(StudioError):
    """The tasks file (or an annotations file) is malformed; names the record and the field."""

    exit_code = ExitCode.INPUT


class ProjectNotFoundError(StudioError):
    """No project with the given title exists on the server."""

    exit_code = ExitCode.USAGE
