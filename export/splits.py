"""Train / validation / test splits per article: a stable hash, sticky through a registry.

A new article gets ``train`` / ``validation`` / ``test`` with probability 80/10/10 from the
SHA-256 of its id; once it is in the registry (``data/split_registry.json``, committed, a JSON
object ``article_id → split``) it keeps that split in every later release.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from pathlib import Path

from stancebank.export.errors import ExportError
from stancebank.schema.spec import SPLITS

DEFAULT_REGISTRY = Path("data/split_registry.json")


def hash_split(article_id: str) -> str:
    bucket = int.from_bytes(hashlib.sha256(article_id.encode("utf-8")).digest()[:8], "big") % 10
    return SPLITS[0] if bucket < 8 else SPLITS[1] if bucket == 8 else SPLITS[2]


def load_registry(path: Path) -> dict[str, str]:
    if not path.exists():
        return {}
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as err:
        raise ExportError(f"split registry {path}: cannot read ({err}); restore it from git") from err
    if not isinstance(raw, dict):
        raise ExportError(f"split registry {path}: expected a JSON object article_id → split")
    for article_id, split in raw.items():
        if split not in SPLITS:
            raise ExportError(
                f"split registry {path}: article {article_id!r} has split {split!r}; must be one of {SPLITS}"
            )
    return {str(k): str(v) for k, v in raw.items()}


def split_for(article_id: str, registry: dict[str, str]) -> str:
    """The split of one article; a new article is added to ``registry`` (which is modified)."""
    split = registry.get(article_id)
    if split is None:
        split = registry[article_id] = hash_split(article_id)
    return split


def assign(article_ids: Iterable[str], registry: dict[str, str]) -> tuple[dict[str, str], dict[str, str]]:
    """Splits of ``article_ids`` and the updated registry (old entries are never changed)."""
    updated = dict(registry)
    out: dict[str, str] = {}
    for article_id in article_ids:
        split = updated.get(article_id)
        if split is None:
            split = updated[article_id] = hash_split(article_id)
        out[article_id] = split
    return out, updated


def registry_bytes(registry: dict[str, str]) -> bytes:
    return (json.dumps(dict(sorted(registry.items())), indent=1, ensure_ascii=False) + "\n").encode("utf-8")


def save_registry(path: Path, registry: dict[str, str]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(registry_bytes(registry))
    tmp.replace(path)
