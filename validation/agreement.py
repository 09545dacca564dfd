"""Agreement figures of a release (``release.json``'s ``agreement`` object) against the configured
minimums."""

from __future__ import annotations

import fnmatch
from typing import Any

import pandas as pd
import pandera.pandas as pa

import stancebank.validation.checks  # noqa: F401  (registers the checks with pandera)
from stancebank.validation.config import ValidationConfig
from stancebank.validation.hints import HINTS
from stancebank.validation.report import Finding
from stancebank.validation.runner import TableRun, run_table


def _flatten_agreement(data: Any, prefix: str = "") -> dict[str, float | None]:
    """Dotted keys of release.json's ``agreement`` object → number, or ``None`` where undefined
    (e.g. Krippendorff's alpha with no pairable units). Counts (``articles``, ``pairs``,
    ``krippendorff_alpha_units``) are kept too; only what a minimum names is compared."""
    out: dict[str, float | None] = {}
    if isinstance(data, dict):
        for key, value in data.items():
            out.update(_flatten_agreement(value, f"{prefix}.{key}" if prefix else str(key)))
    elif data is None and prefix:
        out[prefix] = None
    elif isinstance(data, int | float) and not isinstance(data, bool):
        out[prefix] = float(data)
    return out


def check_agreement(agreement: Any, config: ValidationConfig, file: str) -> list[Finding]:
    """Agreement values against ``thresholds.agreement_min`` (check ``agreement_threshold``) and
    ``thresholds.agreement_advisory_min`` (check ``agreement_advisory``, a warning by default).

    A minimum whose value is ``null`` in release.json (undefined: too few doubly-annotated units)
    or absent is reported once as ``agreement_undefined`` (a warning by default), never a crash.
    """
    findings: list[Finding] = []
    values = _flatten_agreement(agreement if isinstance(agreement, dict) else {})
    undefined: dict[str, str] = {}
    failed: set[str] = set()
    for check_id, threshold in (
        ("agreement_threshold", "agreement_min"),
        ("agreement_advisory", "agreement_advisory_min"),
    ):
        minimums = config.threshold(threshold) or {}
        if not minimums or not config.enabled(check_id):
            continue
        rows = []
        for pattern, minimum in sorted(minimums.items()):
            if minimum is None:  # a user config drops a default minimum with `key: null`
                continue
            matched = [key for key in sorted(values) if fnmatch.fnmatchcase(key, str(pattern))]
            if not matched:
                undefined.setdefault(str(pattern), "absent from release.json")
            for key in matched:
                if key in failed:  # under the hard minimum already: not repeated as advisory
                    continue
                value = values[key]
                if value is None:
                    if not any(c in str(pattern) for c in "*?["):
                        undefined.setdefault(key, "null (undefined)")
                    continue
                rows.append({"src_file": file, "item": key, "value": value, "minimum": float(minimum)})
        if not rows:
            continue
        schema = pa.DataFrameSchema(
            checks=[pa.Check.at_least(value_col="value", min_col="minimum", error=check_id)],
            name="agreement",
            strict=False,
        )

        def describe(_check: str, row: dict[str, Any], _id: str = check_id) -> tuple[str, str | None]:
            kind = "minimum" if _id == "agreement_threshold" else "advisory minimum"
            return (
                f"agreement {row['item']} is under the {kind} {row['minimum']:g}",
                f"{row['value']:.4f} < {row['minimum']:g}",
            )

        found = run_table(
            TableRun("agreement", pd.DataFrame(rows), schema, describe, {}, span_col="item"), config
        )
        failed.update(f.span_id for f in found if f.span_id)
        findings += found
    if undefined and config.enabled("agreement_undefined"):
        pairs = values.get("pairs")
        why = " (no article has two annotators)" if pairs == 0 else ""
        for key, state in sorted(undefined.items()):
            findings.append(
                Finding(
                    check="agreement_undefined",
                    severity=config.severity("agreement_undefined"),  # type: ignore[arg-type]
                    message=f"agreement {key} has a configured minimum but is {state}{why}",
                    hint=HINTS["agreement_undefined"],
                    file=file,
                    span_id=key,
                    value=state,
                )
            )
    return findings
