"""Errors of the validation stage (usage errors: exit code 2)."""

from __future__ import annotations

from stancebank.schema.errors import ExitCode, ReleaseValidationError, StancebankError

__all__ = ["ReleaseValidationError", "ValidationConfigError", "ValidationUsageError"]


class ValidationUsageError(StancebankError):
    """A bad path, an unknown or undetectable kind: nothing could be validated."""

    exit_code = ExitCode.USAGE


class ValidationConfigError(ValidationUsageError):
    """The validation config file is unreadable or names unknown checks/levels."""
