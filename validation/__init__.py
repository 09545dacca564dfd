"""Span-aware validation of tasks, exports, releases and the data/ tree.

Public API (stable): :func:`validate_release_dir`, :func:`validate_paths`, :class:`Report`,
:class:`Finding`, :func:`load_config`.

The names load on first use (PEP 562): the checks import pandas and pandera, which the CLI must
not pay for at start-up, nor a caller who only needs the config or the report types.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from stancebank.validation.api import KINDS, Kind, detect_kind, validate_paths, validate_release_dir
    from stancebank.validation.config import ValidationConfig, default_config, load_config
    from stancebank.validation.errors import (
        ReleaseValidationError,
        ValidationConfigError,
        ValidationUsageError,
    )
    from stancebank.validation.report import Finding, Report

_WHERE = {
    "KINDS": "api",
    "Kind": "api",
    "detect_kind": "api",
    "validate_paths": "api",
    "validate_release_dir": "api",
    "ValidationConfig": "config",
    "default_config": "config",
    "load_config": "config",
    "ReleaseValidationError": "errors",
    "ValidationConfigError": "errors",
    "ValidationUsageError": "errors",
    "Finding": "report",
    "Report": "report",
}

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


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
