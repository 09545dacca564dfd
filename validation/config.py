"""Severities and thresholds of every check, from one YAML file.

The defaults ship in the package (``defaults.yaml``); a user file given with ``--config`` is
merged over them key by key.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any, Literal

import yaml

from stancebank.validation.errors import ValidationConfigError

SeverityLevel = Literal["error", "warning", "off"]
_LEVELS = ("error", "warning", "off")


def _defaults_text() -> str:
    return resources.files("stancebank.validation").joinpath("defaults.yaml").read_text(encoding="utf-8")


def _merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    out = copy.deepcopy(base)
    for key, value in over.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value)
        else:
            out[key] = value
    return out


@dataclass(frozen=True)
class ValidationConfig:
    raw: dict[str, Any]
    source: str = "defaults"

    @property
    def checks(self) -> tuple[str, ...]:
        return tuple(self.raw["severity"])

    def severity(self, check: str) -> SeverityLevel:
        level = self.raw["severity"].get(check)
        if level is None:
            raise ValidationConfigError(f"{self.source}: no severity for check {check!r}")
        return level  # type: ignore[no-any-return]

    def enabled(self, check: str) -> bool:
        return self.severity(check) != "off"

    def threshold(self, name: str) -> Any:
        return self.raw["thresholds"][name]

    def section(self, name: str) -> dict[str, Any]:
        return dict(self.raw.get(name) or {})


def default_config() -> ValidationConfig:
    return ValidationConfig(yaml.safe_load(_defaults_text()), "defaults")


def load_config(path: Path | None = None) -> ValidationConfig:
    """The defaults, with ``path`` (a YAML file) merged over them."""
    base = default_config()
    if path is None:
        return base
    try:
        user = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as err:
        raise ValidationConfigError(f"{path}: cannot read the validation config ({err})") from err
    if not isinstance(user, dict):
        raise ValidationConfigError(f"{path}: the validation config must be a YAML mapping")
    unknown_top = set(user) - set(base.raw)
    if unknown_top:
        raise ValidationConfigError(
            f"{path}: unknown section(s) {sorted(unknown_top)}; known: {sorted(base.raw)}"
        )
    for check, level in (user.get("severity") or {}).items():
        if check not in base.raw["severity"]:
            raise ValidationConfigError(
                f"{path}: severity.{check}: unknown check; known: {', '.join(base.checks)}"
            )
        if level not in _LEVELS:
            raise ValidationConfigError(
                f"{path}: severity.{check}: {level!r} is not one of {', '.join(_LEVELS)}"
            )
    for key in user.get("thresholds") or {}:
        if key not in base.raw["thresholds"]:
            raise ValidationConfigError(
                f"{path}: thresholds.{key}: unknown threshold; known: {', '.join(base.raw['thresholds'])}"
            )
    return ValidationConfig(_merge(base.raw, user), str(path))
