"""The release manifest (``release.json``): versions, inputs, files with their sha256, counts.

``read_manifest`` reads a previous release's; ``check_version`` applies the semver rules against
it; ``release_manifest`` describes a built folder (every file but the manifest, hashed, sorted).
Nothing in it depends on time or absolute paths, so the same build gives the same bytes.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from stancebank.export.agreement import AgreementReport
from stancebank.export.card import Changes
from stancebank.export.errors import ExportError, VersionError, VersionFormatError
from stancebank.schema.errors import not_utf8
from stancebank.schema.layout import MANIFEST, sha256_file
from stancebank.schema.spec import SPEC, AnnotationSpec, parse_version


def read_manifest(release_dir: Path) -> dict[str, Any]:
    path = release_dir / MANIFEST
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError as err:
        raise ExportError(f"cannot read the release manifest {not_utf8(path, err)}") from None
    except (OSError, json.JSONDecodeError) as err:
        raise ExportError(
            f"{path}: cannot read the release manifest ({err}); is {release_dir} a release?"
        ) from err
    if not isinstance(manifest, dict) or "version" not in manifest:
        raise ExportError(f"{path}: not a stancebank release manifest (no 'version')")
    return manifest


def check_version(version: str, previous: dict[str, Any] | None, spec: AnnotationSpec = SPEC) -> None:
    """Refuse a version that is not semver, not above the previous one, or a schema major change
    without a major bump."""
    try:
        new = parse_version(version)
    except ValueError as err:
        raise VersionFormatError(f"--version {version!r} is not semver X.Y.Z (e.g. 1.2.0)") from err
    if previous is None:
        return
    prev_version = str(previous["version"])
    prev = parse_version(prev_version)
    if new <= prev:
        raise VersionError(
            f"version {version} is not above the previous release {prev_version}; use a higher version"
        )
    prev_schema = parse_version(str(previous.get("schema_version", spec.version)))
    schema = parse_version(spec.version)
    if schema[0] != prev_schema[0] and new[0] == prev[0]:
        raise VersionError(
            f"the schema changed major version ({'.'.join(map(str, prev_schema))} → {spec.version}); "
            f"a release with it needs a major bump: use {prev[0] + 1}.0.0"
        )


def release_manifest(
    folder: Path,
    *,
    version: str,
    spec: AnnotationSpec,
    previous: Mapping[str, Any] | None,
    exports: Sequence[Path],
    counts: dict[str, dict[str, int]],
    agreement: AgreementReport,
    adjudication: Mapping[str, int],
    provenance: Mapping[str, int],
    changes: Changes | None,
    items: Mapping[str, int] | None = None,
) -> dict[str, Any]:
    """The manifest of the built release in ``folder`` (its files are hashed as they are now)."""
    files = {
        p.relative_to(folder).as_posix(): sha256_file(p)
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.name != MANIFEST
    }
    return {
        "name": "stancebank",
        "version": version,
        "schema_version": spec.version,
        "previous_version": previous["version"] if previous else None,
        "inputs": [{"file": Path(p).name, "sha256": sha256_file(Path(p))} for p in exports],
        "files": dict(sorted(files.items())),
        "counts": counts,
        "agreement": agreement.to_dict(),
        "adjudication": dict(adjudication),
        "adjudication_items": dict(items or {}),
        "provenance": dict(provenance),
        "changes": changes.to_dict() if changes else None,
    }


def manifest_text(manifest: Mapping[str, Any]) -> str:
    return json.dumps(manifest, indent=2, ensure_ascii=False) + "\n"
