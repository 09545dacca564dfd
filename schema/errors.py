"""The one base error of stancebank; each stage subclasses it.

Messages name the item (file, line, task id, span id), the field, and the fix.
"""

from __future__ import annotations


class StancebankError(Exception):
    """Base class of every error stancebank raises on purpose."""

    exit_code: int = 1


class SpecError(StancebankError):
    """The annotation spec or a generated artifact is inconsistent."""
