"""Severities and thresholds of every check, from one YAML file.

The defaults ship in the package (``defaults.yaml``); a user file given with ``--config`` is
merged over them key by key.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any, Literal

import yaml

from stancebank.schema.errors import not_utf8
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

    def normalize_whitespace(self, kind: str) -> bool:
        """Whether span texts of ``kind`` (tasks, export) are compared up to whitespace."""
        return kind in (self.section("span_text").get("normalize_whitespace_for") or [])


def default_config() -> ValidationConfig:
    return ValidationConfig(yaml.safe_load(_defaults_text()), "defaults")


def load_config(path: Path | None = None) -> ValidationConfig:
    """The defaults, with ``path`` (a YAML file) merged over them."""
    base = default_config()
    if path is None:
        return base
    try:
        user = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except UnicodeDecodeError as err:
        raise ValidationConfigError(not_utf8(path, err)) from None
    except (OSError, yaml.YAMLError) as err:
        raise ValidationConfigError(f"{path}: cannot read the validation config ({err})") from err
    if not isinstance(user, dict):
        raise ValidationConfigError(f"{path}: the validation config must be a YAML mapping")
    unknown_top = set(user) - set(base.raw)
    if unknown_top:
        raise ValidationConfigError(
            f"{path}: unknown section(s) {sorted(unknown_top)}; known: {sorted(base.raw)}"
        )
    _check_types(user, base.raw, path)
    for check, level in (user.get("severity") or {}).items():
        if level is False:  # YAML 1.1 reads an unquoted `off` (the documented level) as false
            user["severity"][check] = level = "off"
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


#: the kinds whose span texts may differ from the article text in whitespace only
WHITESPACE_KINDS = ("tasks", "export")


def _check_types(user: dict[str, Any], defaults: dict[str, Any], path: Path) -> None:
    """Every value of the user file has the type its default has (a wrong one failed deep inside a
    check, with a traceback, or was silently read as something else)."""

    def fail(key: str, problem: str) -> ValidationConfigError:
        return ValidationConfigError(f"{path}: {key}: {problem}; see `validation/defaults.yaml`")

    for section, value in user.items():
        if value is None:
            continue
        if not isinstance(value, dict):
            raise fail(section, f"must be a mapping (key: value lines under it), not {value!r}")
        if section not in ("severity", "thresholds"):  # their keys are checked by load_config
            for key in value:
                if key not in defaults[section]:
                    raise fail(f"{section}.{key}", f"unknown key; known: {', '.join(defaults[section])}")
    for name, minimums in (user.get("thresholds") or {}).items():
        if minimums is None:
            continue
        if not isinstance(minimums, dict):
            raise fail(f"thresholds.{name}", f"must be a mapping of agreement key: minimum, not {minimums!r}")
        for key, minimum in minimums.items():
            if minimum is not None and (isinstance(minimum, bool) or not isinstance(minimum, int | float)):
                raise fail(f"thresholds.{name}.{key}", f"must be a number or null, not {minimum!r}")
    rows = (user.get("report") or {}).get("max_rows", 1)
    if isinstance(rows, bool) or not isinstance(rows, int) or rows < 1:
        raise fail("report.max_rows", f"must be a whole number of at least 1, not {rows!r}")
    pii = user.get("personal_data") or {}
    if "annotator_pattern" in pii:
        try:
            re.compile(pii["annotator_pattern"])
        except (re.error, TypeError) as err:
            raise fail("personal_data.annotator_pattern", f"not a regular expression ({err})") from None
    denylist = pii.get("denylist") or []
    if not isinstance(denylist, list) or not all(isinstance(name, str) for name in denylist):
        raise fail("personal_data.denylist", f"must be a list of strings, not {denylist!r}")
    kinds = (user.get("span_text") or {}).get("normalize_whitespace_for") or []
    if not isinstance(kinds, list) or not set(kinds) <= set(WHITESPACE_KINDS):
        raise fail(
            "span_text.normalize_whitespace_for",
            f"must be a list of {', '.join(WHITESPACE_KINDS)}, not {kinds!r}",
        )
