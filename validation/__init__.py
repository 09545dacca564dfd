"""Span-aware validation of tasks, exports, releases and the data/ tree.

Public API (stable): :func:`validate_release_dir`, :func:`validate_paths`, :class:`Report`,
:class:`Finding`, :func:`load_config`.
"""

from stancebank.validation.api import KINDS, Kind, detect_kind, validate_paths, validate_release_dir
from stancebank.validation.config import ValidationConfig, default_config, load_config
from stancebank.validation.errors import ReleaseValidationError, ValidationConfigError, ValidationUsageError
from stancebank.validation.report import Finding, Report

__all__ = [
    "KINDS",
    "Finding",
    "Kind",
    "ReleaseValidationError",
    "Report",
    "ValidationConfig",
    "ValidationConfigError",
    "ValidationUsageError",
    "default_config",
    "detect_kind",
    "load_config",
    "validate_paths",
    "validate_release_dir",
]
