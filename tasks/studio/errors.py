"""Errors of the studio stage. Messages name the thing, the cause and the fix — never a token."""

from __future__ import annotations

from stancebank.schema.errors import StancebankError


class StudioError(StancebankError):
    """Base error of the studio stage."""

    exit_code = 2


class ServerError(StudioError):
    """The local Label Studio server could not be found, started, or stopped."""


class StudioConnectionError(StudioError):
    """Label Studio did not answer (after retries)."""


class StudioAuthError(StudioError):
    """Label Studio refused the API key (HTTP 401)."""


class ConfigDriftError(StudioError):
    """An existing project's labeling config differs from the generated one."""


class ImportRefusedError(StudioError):
    """One or more tasks cannot be imported without breaking existing annotations."""


class TasksFileError(StudioError):
    """The tasks file (or an annotations file) is malformed; names the record and the field."""


class ProjectNotFoundError(StudioError):
    """No project with the given title exists on the server."""
