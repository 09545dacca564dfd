"""A release folder's own files: the manifest (``release.json``: every file's sha256, the row
counts) and the dataset card (``README.md``: features and counts per config) against the parquet
files present and the spec.

These are checked through small tables (one row per file / count / feature) and the same
registered pandera check (``values_equal``), so their failures are reported like every other
finding.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pandas as pd
import pandera.pandas as pa
import pyarrow as arrow
import pyarrow.parquet as pq
import yaml
from datasets import Features
from datasets.data_files import DataFilesDict
from datasets.info import DatasetInfosDict
from datasets.load import dataset_module_factory
from huggingface_hub import DatasetCardData

import stancebank.validation.checks  # noqa: F401  (registers the checks with pandera)
from stancebank.schema.features import CONFIGS, dataset_features
from stancebank.schema.layout import (
    CARD,
    DATA_DIR,
    EMPTY_CONFIG_SPLIT,
    MANIFEST,
    file_splits,
    sha256_file,
    split_of,
)
from stancebank.schema.spec import SPEC, AnnotationSpec
from stancebank.validation.agreement import check_agreement
from stancebank.validation.config import ValidationConfig
from stancebank.validation.release_data import ReleaseContents
from stancebank.validation.report import Finding
from stancebank.validation.runner import TableRun, make_finding, run_table


def read_card(path: Path) -> dict[str, Any]:
    """The YAML front matter of a dataset card (``---`` … ``---``)."""
    text = path.read_text(encoding="utf-8")
    if not text.startswith("---"):
        raise ValueError("the card has no YAML front matter (it must start with '---')")
    end = text.find("\n---", 3)
    if end < 0:
        raise ValueError("the card's YAML front matter is not closed by '---'")
    data = yaml.safe_load(text[3:end]) or {}
    if not isinstance(data, dict):
        raise ValueError("the card's YAML front matter is not a mapping")
    return data


def _dataset_info(card: dict[str, Any]) -> dict[str, dict[str, Any]]:
    info = card.get("dataset_info") or []
    if isinstance(info, dict):
        info = [info]
    out = {}
    for entry in info:
        if isinstance(entry, dict):
            out[str(entry.get("config_name", "default"))] = entry
    return out


def _card_features(entry: dict[str, Any]) -> Features:
    """The features of one ``dataset_info`` entry of a card, read the way ``datasets`` reads them."""
    infos = DatasetInfosDict.from_dataset_card_data(DatasetCardData(dataset_info=[entry]))
    features = next(iter(infos.values())).features
    return features if features is not None else Features()


def _features_fields(features: Features) -> dict[str, str]:
    return {name: json.dumps(feat, sort_keys=True, default=str) for name, feat in features.to_dict().items()}


def _compare(
    rows: list[dict[str, Any]], *, file: str, what: str, expected: dict[str, str], actual: dict[str, str]
) -> None:
    for name in sorted(set(expected) | set(actual)):
        rows.append(
            {
                "src_file": file,
                "item": f"{what}.{name}",
                "expected": expected.get(name),
                "actual": actual.get(name),
            }
        )


def _values_run(
    name: str, check_id: str, rows: list[dict[str, Any]], config: ValidationConfig, message: str
) -> list[Finding]:
    if not rows or not config.enabled(check_id):
        return []
    df = pd.DataFrame(rows, columns=["src_file", "item", "expected", "actual"]).astype(object)
    schema = pa.DataFrameSchema(
        checks=[pa.Check.values_equal(expected_col="expected", actual_col="actual", error=check_id)],
        name=name,
        strict=False,
    )

    def describe(_check: str, row: dict[str, Any]) -> tuple[str, str | None]:
        exp, act = row.get("expected"), row.get("actual")
        exp = None if exp is None or (isinstance(exp, float) and pd.isna(exp)) else exp
        act = None if act is None or (isinstance(act, float) and pd.isna(act)) else act
        if exp is None:
            return f"{message}: {row['item']} is present but not declared", _trim(act)
        if act is None:
            return f"{message}: {row['item']} is declared but missing", _trim(exp)
        return f"{message}: {row['item']} differs", f"declared {_trim(exp)} ≠ actual {_trim(act)}"

    return run_table(TableRun(name, df, schema, describe, {}, span_col="item"), config)


def _trim(value: Any, limit: int = 100) -> str:
    text = str(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _present_files(root: Path) -> dict[str, str]:
    """``config/split`` → the release's parquet files of that split (``data/<config>/<split>-*``)."""
    out: dict[str, list[str]] = {}
    for path in sorted((root / "data").glob("*/*.parquet")):
        if path.parent.name in CONFIGS:
            key = f"{path.parent.name}/{split_of(path)}"
            out.setdefault(key, []).append(path.relative_to(root).as_posix())
    return {key: ", ".join(files) for key, files in out.items()}


# datasets' message for a data file that is not there: "Unable to find 'PATH' with any supported
# extension [... a hundred extensions ...]"
_UNABLE_TO_FIND = re.compile(r"Unable to find '([^']+)'")


def _not_found(err: FileNotFoundError, base: Path) -> str:
    """What a card's data file that ``datasets`` cannot find is, relative to the release."""
    found = _UNABLE_TO_FIND.search(str(err))
    if found is None:
        return f"{type(err).__name__}: {_trim(err, 300)}"
    path = Path(found.group(1))
    name = path.relative_to(base).as_posix() if path.is_relative_to(base) else str(path)
    return f"the card's data_files name {name}, which is not in the release"


def _loaded_files(root: Path) -> tuple[dict[str, str], dict[str, str]]:
    """``config/split`` → the files ``datasets.load_dataset(root, config)`` would read, resolved
    from the card's ``configs`` / ``data_files`` the way ``datasets`` does (no data is read);
    and the errors ``datasets`` raises, per config (``*`` for the whole card): a pattern that
    matches nothing, a malformed ``configs`` list, …"""
    base = root.resolve()
    try:
        module = dataset_module_factory(str(base))
    except Exception as err:  # noqa: BLE001 — whatever datasets refuses is the finding
        return {}, {"*": f"datasets cannot read the card's configs: {type(err).__name__}: {err}"}
    out: dict[str, str] = {}
    errors: dict[str, str] = {}
    for builder_config in module.builder_configs_parameters.builder_configs or []:
        name = builder_config.name
        if builder_config.data_files is None:
            errors[name] = f"config {name} has no data_files"
            continue
        if name not in CONFIGS:
            errors[name] = (
                f"the card's config {name!r} is not one of the release's configs ({', '.join(CONFIGS)})"
                + (" (datasets' name when the card has no 'configs' list)" if name == "default" else "")
            )
            continue
        try:
            # patterns from the card's configs are resolved here; without configs, datasets
            # has resolved its inferred patterns already
            data_files = builder_config.data_files
            resolved = data_files if isinstance(data_files, DataFilesDict) else data_files.resolve(str(base))
        except FileNotFoundError as err:  # a data file the card names is not there
            errors[name] = f"config {name}: load_dataset would fail: {_not_found(err, base)}"
            continue
        except Exception as err:  # noqa: BLE001
            errors[name] = f"config {name}: load_dataset would fail: {type(err).__name__}: {err}"
            continue
        for split, files in resolved.items():
            rel = sorted(Path(f).resolve().relative_to(base).as_posix() for f in files)
            out[f"{name}/{split}"] = ", ".join(rel) if rel else "no file (the card's pattern matches none)"
    return out, errors


def check_card_configs(root: Path, config: ValidationConfig) -> list[Finding]:
    """The card's ``configs`` read the release's files: per config and split, the files
    ``load_dataset`` would read are exactly the parquet files present."""
    if not config.enabled("card_configs"):
        return []
    card_path = str(root / CARD)
    loaded, errors = _loaded_files(root)
    findings = [make_finding("card_configs", config, card_path, error) for error in errors.values()]
    present = _present_files(root)
    rows = [
        {
            "src_file": card_path,
            "item": key,
            "expected": loaded.get(key),
            "actual": present.get(key),
        }
        for key in sorted(set(loaded) | set(present))
        # a config datasets refused is reported above, once
        if "*" not in errors and key.split("/", 1)[0] not in errors
    ]
    return findings + _values_run(
        "card_configs", "card_configs", rows, config, "card configs (files load_dataset reads)"
    )


def check_loadable(root: Path, contents: ReleaseContents, config: ValidationConfig) -> list[Finding]:
    """Every config loads with ``datasets``: each has parquet files; a split without rows only as
    the one empty split of a config without any row (``load_dataset`` cannot load a split of no
    rows, and one such split fails the whole config); and no file has an empty row group (which
    ``datasets`` reads as an error, "BatchSize must be greater than 0")."""
    if not config.enabled("card_configs"):
        return []
    findings = []
    for cfg in CONFIGS:
        rows = contents.rows.get(cfg)
        folder = str(root / DATA_DIR / cfg)
        if rows is None:
            findings.append(
                make_finding(
                    "card_configs",
                    config,
                    folder,
                    f"config {cfg} has no parquet file: every release has every config "
                    f"({', '.join(CONFIGS)}); one without rows is one empty {EMPTY_CONFIG_SPLIT} file",
                    cfg,
                )
            )
            continue
        expected = file_splits(rows)
        for split in sorted(set(rows) - set(expected)):
            findings.append(
                make_finding(
                    "card_configs",
                    config,
                    folder,
                    f"config {cfg} has a {split} split without rows next to splits with rows: "
                    f"load_dataset cannot load a split of no rows, so load_dataset(path, {cfg!r}) fails",
                    f"{cfg}/{split}",
                )
            )
    for path in sorted((root / DATA_DIR).glob("*/*.parquet")):
        try:
            meta = pq.ParquetFile(path).metadata
        except (OSError, arrow.ArrowException):
            continue  # an unreadable file is reported with the data
        if any(meta.row_group(i).num_rows == 0 for i in range(meta.num_row_groups)):
            findings.append(
                make_finding(
                    "card_configs",
                    config,
                    str(path),
                    "a row group without rows: datasets cannot read the file (BatchSize must be greater "
                    "than 0); a file without rows has no row group",
                )
            )
    return findings


def check_integrity(
    root: Path, contents: ReleaseContents, config: ValidationConfig, spec: AnnotationSpec = SPEC
) -> list[Finding]:
    findings: list[Finding] = []
    manifest_path = root / MANIFEST
    manifest: dict[str, Any] = {}
    if not manifest_path.is_file():
        findings.append(
            make_finding("manifest_hashes", config, str(manifest_path), "release.json is missing")
        )
    else:
        try:
            read = json.loads(manifest_path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as err:
            findings.append(
                make_finding(
                    "manifest_hashes", config, str(manifest_path), f"release.json is not valid JSON: {err}"
                )
            )
        else:
            if isinstance(read, dict):
                manifest = read
            else:
                findings.append(
                    make_finding(
                        "manifest_hashes",
                        config,
                        str(manifest_path),
                        f"release.json is a JSON {type(read).__name__}, not an object",
                    )
                )
    # 1. manifest hashes: every file listed, every listed file present and unchanged
    declared: dict[str, Any] = manifest["files"] if isinstance(manifest.get("files"), dict) else {}
    actual_files = sorted(
        p.relative_to(root).as_posix()
        for p in root.rglob("*")
        if p.is_file()
        and p.name != MANIFEST
        and not any(part.startswith(".") for part in p.relative_to(root).parts)
    )
    hash_rows: list[dict[str, Any]] = []
    for rel in sorted(set(actual_files) | set(declared)) if config.enabled("manifest_hashes") else []:
        path = root / rel
        hash_rows.append(
            {
                "src_file": str(path),
                "item": rel,
                "expected": declared.get(rel),
                "actual": sha256_file(path) if path.is_file() else None,
            }
        )
    if manifest:
        findings += _values_run("manifest", "manifest_hashes", hash_rows, config, "release.json sha256")
    # 2. card features == parquet schema == spec features; card and manifest counts == data
    card_path = root / CARD
    card: dict[str, Any] = {}
    try:
        card = read_card(card_path)
    except (OSError, ValueError, yaml.YAMLError) as err:
        findings.append(make_finding("card_features", config, str(card_path), f"cannot read the card: {err}"))
    if card:
        findings += check_card_configs(root, config)
    findings += check_loadable(root, contents, config)
    info = _dataset_info(card)
    spec_features = dataset_features(spec)
    feature_rows: list[dict[str, Any]] = []
    count_rows: list[dict[str, Any]] = []
    for cfg, (file, schema) in sorted(contents.schemas.items()):
        parquet_features = _features_fields(Features.from_arrow_schema(schema))
        _compare(
            feature_rows,
            file=file,
            what=f"{cfg} spec→parquet",
            expected=_features_fields(spec_features[cfg]),
            actual=parquet_features,
        )
        if card:
            entry = info.get(cfg)
            if entry is None:
                feature_rows.append(
                    {
                        "src_file": str(card_path),
                        "item": f"dataset_info.{cfg}",
                        "expected": None,
                        "actual": cfg,
                    }
                )
            else:
                try:
                    card_features = _features_fields(_card_features(entry))
                except Exception as err:  # noqa: BLE001 — malformed YAML features are a finding
                    feature_rows.append(
                        {
                            "src_file": str(card_path),
                            "item": f"{cfg} features",
                            "expected": f"unreadable: {err}",
                            "actual": "parquet schema",
                        }
                    )
                else:
                    _compare(
                        feature_rows,
                        file=str(card_path),
                        what=f"{cfg} card→parquet",
                        expected=card_features,
                        actual=parquet_features,
                    )
    for cfg in sorted(set(info) - set(contents.schemas)):
        feature_rows.append(
            {"src_file": str(card_path), "item": f"dataset_info.{cfg}", "expected": cfg, "actual": None}
        )
    findings += _values_run("card_features", "card_features", feature_rows, config, "features")
    declared_counts: dict[str, Any] = manifest["counts"] if isinstance(manifest.get("counts"), dict) else {}
    actual_counts = {
        f"{cfg}/{split}": str(n) for cfg, splits in contents.rows.items() for split, n in splits.items()
    }
    if card:
        card_counts = {
            f"{cfg}/{s.get('name')}": str(s.get("num_examples"))
            for cfg, entry in info.items()
            for s in entry.get("splits") or []
            if isinstance(s, dict)
        }
        for key in sorted(set(card_counts) | set(actual_counts)):
            count_rows.append(
                {
                    "src_file": str(card_path),
                    "item": f"card {key}",
                    "expected": card_counts.get(key),
                    "actual": actual_counts.get(key),
                }
            )
    if manifest:
        manifest_counts = {
            f"{cfg}/{split}": str(n)
            for cfg, splits in declared_counts.items()
            if isinstance(splits, dict)
            for split, n in splits.items()
        }
        for key in sorted(set(manifest_counts) | set(actual_counts)):
            count_rows.append(
                {
                    "src_file": str(manifest_path),
                    "item": f"release.json {key}",
                    "expected": manifest_counts.get(key),
                    "actual": actual_counts.get(key),
                }
            )
    findings += _values_run("card_counts", "card_counts", count_rows, config, "row count")
    # 3. agreement over the configured minimums (a release.json that is missing or unreadable is
    # reported above; its figures are not 'absent')
    if manifest:
        findings += check_agreement(manifest.get("agreement"), config, str(manifest_path))
    return findings
