"""Entry points: validate files and folders of any kind, or one release folder.

``validate_release_dir(path) -> Report`` is what ``stancebank export build`` calls before it
writes a release; ``validate_paths(paths, kind=None)`` is what ``stancebank validate`` calls.
Both collect every failure (lazy) and never raise for invalid *data* — only for unusable input
(a path that does not exist, a kind that cannot be detected: :class:`ValidationUsageError`).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any, Literal, get_args

import pandas as pd
import pandera.pandas as pa

from stancebank.schema.errors import WireError, not_utf8_where
from stancebank.schema.features import CONFIGS
from stancebank.schema.layout import MANIFEST
from stancebank.schema.spec import SPEC, SPLITS, AnnotationSpec
from stancebank.schema.wire import iter_records
from stancebank.validation.config import ValidationConfig, load_config
from stancebank.validation.descriptions import describe_row
from stancebank.validation.errors import ValidationUsageError
from stancebank.validation.frames import Tables, concat_tables, read_export, read_tasks
from stancebank.validation.hints import release_hint
from stancebank.validation.ready_views import check_ready_views
from stancebank.validation.release_data import release_splits, validate_release_data
from stancebank.validation.release_files import check_integrity
from stancebank.validation.release_ids import check_unique_ids
from stancebank.validation.report import Finding, Report
from stancebank.validation.runner import TableRun, make_finding, run_table, validate_tables
from stancebank.validation.schemas import column_check_ids

log = logging.getLogger(__name__)

Kind = Literal["tasks", "export", "release", "data"]
KINDS: tuple[str, ...] = get_args(Kind)
REGISTRY_NAME = "split_registry.json"


def _config(config: ValidationConfig | Path | str | None) -> ValidationConfig:
    if isinstance(config, ValidationConfig):
        return config
    return load_config(Path(config) if config is not None else None)


def is_release_folder(path: Path) -> bool:
    """A folder with a ``release.json``, or laid out as one (``data/<config>/*.parquet``) — a
    release whose manifest is missing is still checked as a release (and reported as such)."""
    return (path / MANIFEST).is_file() or any(any((path / "data" / cfg).glob("*.parquet")) for cfg in CONFIGS)


def detect_kind(path: Path) -> Kind:
    """``release`` (a folder with release.json or a release's ``data/<config>/*.parquet``),
    ``data`` (any other folder), or for a JSON file ``export`` (tasks carry ``annotations``) /
    ``tasks``."""
    if not path.exists():
        raise ValidationUsageError(f"{path}: no such file or folder")
    if path.is_dir():
        return "release" if is_release_folder(path) else "data"
    if path.suffix not in (".json", ".jsonl"):
        raise ValidationUsageError(f"{path}: cannot tell what this is; pass --kind tasks|export|release|data")
    file_kind = _json_kind(path)
    if file_kind is None:
        raise ValidationUsageError(
            f"{path}: not a JSON array of Label Studio tasks (the first record has no 'data' object); "
            "pass a tasks file (`stancebank tasks build`) or a Label Studio JSON export (not JSON_MIN "
            "or CSV), or --kind tasks|export to read it as one"
        )
    return file_kind


def _json_kind(path: Path) -> Kind | None:
    """``export``/``tasks`` from the first record of a JSON(L) file, ``None`` if it holds no tasks."""
    try:
        for record in iter_records(path):
            if not isinstance(record.value, dict) or "data" not in record.value:
                return None
            return "export" if "annotations" in record.value else "tasks"
    except WireError:
        return "tasks"  # reading it as tasks reports the JSON error with its line
    return "tasks"


def read_registry(path: Path) -> tuple[dict[str, Any], list[Finding]]:
    """``data/split_registry.json``: ``{article_id: split}`` (or that mapping under ``articles``)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as err:  # ValueError: not JSON, or bytes that are not UTF-8
        return {}, [
            Finding(
                check="malformed_input",
                severity="error",
                message="cannot read the split registry: "
                + (not_utf8_where(err) if isinstance(err, UnicodeDecodeError) else str(err)),
                hint="the registry is a JSON object mapping article_id to train/validation/test",
                file=str(path),
            )
        ]
    if isinstance(data, dict) and isinstance(data.get("articles"), dict):
        data = data["articles"]
    elif isinstance(data, dict) and isinstance(data.get("splits"), dict):
        data = data["splits"]
    if not isinstance(data, dict):
        return {}, [
            Finding(
                check="malformed_input",
                severity="error",
                message="the split registry is not a JSON object",
                hint="the registry is a JSON object mapping article_id to train/validation/test",
                file=str(path),
            )
        ]
    out: dict[str, Any] = {}
    for key, value in data.items():
        out[str(key)] = value.get("split") if isinstance(value, dict) else value
    return out, []


def _registry_findings(
    registry: dict[str, Any],
    file: str,
    previous: dict[str, str],
    prev_name: str,
    config: ValidationConfig,
    spec: AnnotationSpec,
) -> list[Finding]:
    """Registry values are known splits; an article of the previous release keeps its split."""
    ids = sorted(set(registry) | set(previous))
    df = pd.DataFrame(
        {
            "article_id": ids,
            "split": pd.Series([registry.get(i) for i in ids], dtype=object),
            "expected_split": pd.Series([previous.get(i) for i in ids], dtype=object),
            "src_file": file,
            "src_line": -1,
            "task_id": None,
        }
    )
    df["split"] = df["split"].where(df["split"].notna(), "<missing>").astype(str)
    df["expected_source"] = f"the previous release {prev_name}" if previous else None
    checks = []
    if config.enabled("registry_agrees") and previous:
        checks.append(
            pa.Check.registry_agrees(
                split_col="split", expected_col="expected_split", error="registry_agrees"
            )
        )
    schema = pa.DataFrameSchema(
        {"split": pa.Column(str, pa.Check.isin([*SPLITS, "<missing>"]))},
        checks=checks,
        name="split_registry",
        strict=False,
    )
    return run_table(
        TableRun(
            "split_registry",
            df,
            schema,
            describe_row,
            column_check_ids("split_registry", spec),
            span_col=None,
        ),
        config,
    )


def _finish(report: Report, config: ValidationConfig) -> Report:
    # Reading problems take the configured severity; 'off' checks are dropped.
    report.findings = [
        Finding(**{**f.__dict__, "severity": config.severity(f.check)})
        for f in report.findings
        if config.enabled(f.check)
    ]
    return report


def _checked(tables: Tables) -> dict[str, int]:
    out = {
        "articles": int(tables.articles["article_id"].nunique()) if len(tables.articles) else 0,
        "annotations": len(tables.annotations),
        "spans": len(tables.spans),
        "relations": len(tables.relations),
    }
    if tables.claims is not None:
        out["claims"] = len(tables.claims)
    return out


def previous_release(previous: Path | str) -> Path:
    """``--previous`` as a release folder; anything else is a usage error (its splits would be
    empty, and the check that no article changes split would pass unchecked)."""
    path = Path(previous)
    if not path.is_dir() or not is_release_folder(path):
        raise ValidationUsageError(
            f"--previous {path}: not a release folder (no release.json or data/documents/*.parquet); "
            "pass the folder `stancebank export build` wrote for the previous version"
        )
    return path


def validate_release_dir(
    path: Path | str,
    *,
    config: ValidationConfig | Path | str | None = None,
    previous: Path | str | None = None,
    registry: Path | str | None = None,
    strict: bool = False,
    spec: AnnotationSpec = SPEC,
) -> Report:
    """Validate a release folder (``stancebank export build`` output) — data, splits, integrity.

    ``previous``: the previous release folder (splits must not change); ``registry``: the split
    registry file (``data/split_registry.json``).
    """
    root = Path(path)
    if not root.is_dir():
        raise ValidationUsageError(f"{root}: not a release folder")
    cfg = _config(config)
    expected: dict[str, str] = {}
    sources = []
    findings: list[Finding] = []
    if previous is not None:
        expected.update(release_splits(previous_release(previous)))
        sources.append(f"the previous release {previous}")
    if registry is not None:
        reg, findings = read_registry(Path(registry))
        expected.update({k: str(v) for k, v in reg.items() if v is not None})
        sources.append(f"the split registry {registry}")
    contents, data_findings, checked = validate_release_data(
        root, cfg, spec, expected_splits=expected, expected_split_source=" / ".join(sources)
    )
    report = Report(strict=strict)
    report.extend(contents.findings)
    report.extend(findings)
    report.extend([replace(f, hint=release_hint(f.check, f.hint)) for f in data_findings])
    report.extend(check_integrity(root, contents, cfg, spec))
    report.extend(check_ready_views(root, cfg, spec))
    report.extend(check_unique_ids(root, cfg))
    report.checked = checked
    report.checked["releases"] = 1
    return _finish(report, cfg)


def _hidden(path: Path, root: Path) -> bool:
    return any(part.startswith(".") for part in path.relative_to(root).parts)


def _release_roots(root: Path) -> list[Path]:
    """The release folders under ``root`` (outermost only): those with a ``release.json`` and
    those laid out as a release (``data/<config>/*.parquet``) without one."""
    candidates = {p.parent for p in root.rglob(MANIFEST) if not _hidden(p, root)}
    for parquet in root.rglob("*.parquet"):
        if _hidden(parquet, root):
            continue
        if parquet.parent.name in CONFIGS and parquet.parent.parent.name == "data":
            candidates.add(parquet.parent.parent.parent)
    return sorted(c for c in candidates if not any(other in c.parents for other in candidates))


def _data_inputs(root: Path) -> tuple[list[tuple[Kind, Path]], Path | None, list[Path]]:
    """The tasks files, exports and release folders under a data/ tree, its split registry, and
    the parquet files outside any release (which nothing here can check)."""
    inputs: list[tuple[Kind, Path]] = []
    releases = _release_roots(root)
    for release in releases:
        inputs.append(("release", release))
    stray = [
        p
        for p in sorted(root.rglob("*.parquet"))
        if p.is_file() and not _hidden(p, root) and not any(r in p.parents for r in releases)
    ]
    for path in sorted(root.rglob("*")):
        if (
            not path.is_file()
            or path.suffix not in (".json", ".jsonl")
            or path.name in (REGISTRY_NAME, MANIFEST)
        ):
            continue
        if _hidden(path, root):
            continue
        if any(release in path.parents for release in releases):
            continue
        file_kind = _json_kind(path)
        if file_kind is not None:  # raw articles and other JSON are not tables
            inputs.append((file_kind, path))
    registry = root / REGISTRY_NAME
    return inputs, registry if registry.is_file() else None, stray


def nothing_to_check(path: Path, message: str, config: ValidationConfig) -> Finding:
    """A path that holds nothing validation can check: an error, never a silent pass."""
    return make_finding("nothing_to_check", config, str(path), message)


def validate_paths(
    paths: Sequence[Path | str],
    *,
    kind: Kind | None = None,
    config: ValidationConfig | Path | str | None = None,
    previous: Path | str | None = None,
    registry: Path | str | None = None,
    strict: bool = False,
    spec: AnnotationSpec = SPEC,
) -> Report:
    """Validate tasks files, exports, release folders and data/ trees; one report for all."""
    if kind is not None and kind not in KINDS:
        raise ValidationUsageError(f"unknown kind {kind!r}; use one of {', '.join(KINDS)}")
    if not paths:
        raise ValidationUsageError("give at least one file or folder to validate")
    cfg = _config(config)
    if previous is not None:
        previous_release(previous)
    if registry is not None and not Path(registry).is_file():
        raise ValidationUsageError(
            f"--registry {registry}: no such file; pass the split registry (data/{REGISTRY_NAME}), "
            "or leave it out"
        )
    resolved: list[tuple[Kind, Path]] = []
    for raw in paths:
        path = Path(raw)
        if not path.exists():
            raise ValidationUsageError(f"{path}: no such file or folder")
        this_kind = kind or detect_kind(path)
        if this_kind in ("tasks", "export") and not path.is_file():
            raise ValidationUsageError(f"{path}: --kind {this_kind} needs a JSON file, not a folder")
        if this_kind in ("release", "data") and not path.is_dir():
            raise ValidationUsageError(f"{path}: --kind {this_kind} needs a folder")
        resolved.append((this_kind, path))
    report = Report(strict=strict)
    prev_splits = release_splits(Path(previous)) if previous is not None else {}
    for this_kind, path in resolved:
        if this_kind == "release":
            report.merge(
                validate_release_dir(
                    path, config=cfg, previous=previous, registry=registry, strict=strict, spec=spec
                )
            )
        elif this_kind == "data":
            report.merge(_validate_data(path, cfg, prev_splits, str(previous or ""), registry, strict, spec))
        else:
            tables = read_tasks(path, spec) if this_kind == "tasks" else read_export(path, spec)
            tables.normalize_whitespace = cfg.normalize_whitespace(this_kind)
            report.extend(validate_tables(tables, cfg, spec))
            if not len(tables.articles) and not tables.findings:
                report.extend([nothing_to_check(path, f"the {this_kind} file holds no tasks", cfg)])
            for key, value in _checked(tables).items():
                report.checked[key] = report.checked.get(key, 0) + value
            report.checked["files"] = report.checked.get("files", 0) + 1
    return _finish(report, cfg)


def _validate_data(
    root: Path,
    cfg: ValidationConfig,
    prev_splits: dict[str, str],
    prev_name: str,
    registry: Path | str | None,
    strict: bool,
    spec: AnnotationSpec,
) -> Report:
    report = Report(strict=strict)
    inputs, found_registry, stray = _data_inputs(root)
    registry_path = Path(registry) if registry is not None else found_registry
    for parquet in stray:
        report.extend(
            [
                make_finding(
                    "unchecked_file",
                    cfg,
                    str(parquet),
                    "a parquet file outside a release is not checked (a release is a folder with "
                    "release.json, README.md and data/<config>/<split>-*.parquet)",
                )
            ]
        )
    if not inputs and registry_path is None:
        report.extend(
            [
                nothing_to_check(
                    root,
                    "the folder holds nothing to validate: no tasks file, export, release "
                    f"(release.json or data/<config>/*.parquet) or {REGISTRY_NAME}",
                    cfg,
                )
            ]
        )
    parts: list[Tables] = []
    for this_kind, path in inputs:
        if this_kind == "release":
            report.merge(
                validate_release_dir(path, config=cfg, registry=registry_path, strict=strict, spec=spec)
            )
        else:
            part = read_tasks(path, spec) if this_kind == "tasks" else read_export(path, spec)
            part.normalize_whitespace = cfg.normalize_whitespace(this_kind)
            parts.append(part)
    tables = concat_tables(parts)
    if registry_path is not None:
        reg, reg_findings = read_registry(registry_path)
        report.extend(reg_findings)
        report.extend(_registry_findings(reg, str(registry_path), prev_splits, prev_name, cfg, spec))
        # Articles in data/ take their registered split, so duplicates across splits show up.
        if len(tables.articles):
            tables.articles["split"] = tables.articles["article_id"].map(
                {k: v for k, v in reg.items() if v in SPLITS}
            )
    report.extend(validate_tables(tables, cfg, spec))
    for key, value in _checked(tables).items():
        report.checked[key] = report.checked.get(key, 0) + value
    report.checked["files"] = report.checked.get("files", 0) + sum(1 for k, _ in inputs if k != "release")
    return report
