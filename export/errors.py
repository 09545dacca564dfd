"""Errors of the export stage; each names the file/record, the field and the fix.

Exit codes are :class:`stancebank.schema.errors.ExitCode` (the README's table).
"""

from __future__ import annotations

from stancebank.schema.errors import ExitCode, ForeignExportError, ReleaseValidationError, StancebankError

__all__ = [
    "ExportError",
    "ExportReadError",
    "ExportUsageError",
    "ForeignExportError",
    "PublishAuthError",
    "PublishError",
    "PublishNotFoundError",
    "PublishRemoteError",
    "PublishServerError",
    "PublishUsageError",
    "ReleaseExistsError",
    "ReleaseValidationError",
    "VersionError",
    "VersionFormatError",
]


class ExportError(StancebankError):
    """Base of every export-stage error (an input that cannot be used, unless a subclass says)."""

    exit_code = ExitCode.INPUT


class ExportUsageError(ExportError):
    """A bad option of an export command the library checks (``--language-creators``): usage."""

    exit_code = ExitCode.USAGE


class ExportReadError(ExportError):
    """A Label Studio export cannot be read."""


class ReleaseExistsError(ExportError):
    """The release folder to build already holds files."""

    exit_code = ExitCode.OUTPUT


class VersionError(ExportError):
    """The release version breaks the semver rules against the previous release."""

    exit_code = ExitCode.OUTPUT


class VersionFormatError(VersionError):
    """``--version`` is not semver X.Y.Z: a bad option (usage)."""

    exit_code = ExitCode.USAGE


class PublishError(ExportError):
    """Publishing was refused before anything was sent (a folder that does not match its manifest,
    an existing tag), or failed in a way no subclass describes."""

    exit_code = ExitCode.OUTPUT


class PublishUsageError(PublishError):
    """A bad ``--repo`` or no ``HF_TOKEN``: nothing can be sent (usage)."""

    exit_code = ExitCode.USAGE


class PublishRemoteError(PublishError):
    """The Hub refused the request or did not answer."""

    exit_code = ExitCode.REMOTE


class PublishAuthError(PublishRemoteError):
    """HTTP 401/403: the token is missing, invalid or cannot write to the repo."""


class PublishNotFoundError(PublishRemoteError):
    """HTTP 404: the repo id or the endpoint is wrong."""


class PublishServerError(PublishRemoteError):
    """HTTP 5xx or no answer: a problem on the server side; retry later."""
