"""Errors of the export stage; each names the file/record, the field and the fix."""

from __future__ import annotations

from stancebank.schema.errors import StancebankError


class ExportError(StancebankError):
    """Base of every export-stage error."""

    exit_code = 3


class ExportReadError(ExportError):
    """A Label Studio export cannot be read."""


class VersionError(ExportError):
    """The release version breaks the semver rules against the previous release."""

    exit_code = 4


class ReleaseValidationError(ExportError):
    """The built release failed validation and was not written."""

    exit_code = 5


class PublishError(ExportError):
    """Publishing a release to the Hub failed or was refused."""

    exit_code = 6
