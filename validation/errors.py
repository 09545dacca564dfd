"""Errors of the validation stage (usage errors: exit code 2)."""

from __future__ import annotations

from stancebank.schema.errors import StancebankError


class ValidationUsageError(StancebankError):
    """A bad path, an unknown or undetectable kind: nothing could be validated."""

    exit_code = 2


class ValidationConfigError(ValidationUsageError):
    """The validation config file is unreadable or names unknown checks/levels."""


class ReleaseValidationError(StancebankError):
    """A release failed validation; carries the report (raised by callers that refuse to write)."""

    def __init__(self, report: object, message: str) -> None:
        super().__init__(message)
        self.report = report
