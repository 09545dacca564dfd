"""The release folder's layout: its file names, where each config's parquet lives, and hashing.

A release folder is what ``stancebank export build`` writes and ``stancebank validate`` /
``stancebank export publish`` read; it is the Hub's dataset layout::

    README.md                                   the dataset card (CARD)
    release.json                                the manifest: version, counts, sha256 per file (MANIFEST)
    data/<config>/<split>-0000k-of-0000N.parquet  a config's split in N shards (parquet_relpaths)

A split's rows are cut into shards of :data:`SHARD_ROWS` rows in order (the last one shorter), so
N depends on the number of rows alone — never on how many workers wrote them — and a release of
fewer rows has one file per config and split, ``<split>-00000-of-00001.parquet``.

A split without rows has no file, so that ``load_dataset`` returns the others (``datasets`` cannot
load a split of no rows: ``Instruction "test" corresponds to no data!``). A config without any row
(no article has reached gold yet) still has one file, so that it exists for ``datasets`` and the
Hub: an empty :data:`EMPTY_CONFIG_SPLIT` split, a parquet file with the config's exact schema and
no row group (:func:`file_splits`).

Both the export and the validation stage need these names; they live here once.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from pathlib import Path

from stancebank.schema.spec import SPLITS

MANIFEST = "release.json"
CARD = "README.md"
# the release's Croissant description (export/croissant.py writes it)
CROISSANT = "croissant.json"
DATA_DIR = "data"
PARQUET_SHARD = "-00000-of-00001.parquet"
# the one (empty) split of a config that has no row
EMPTY_CONFIG_SPLIT = "train"
# rows per parquet shard (the Hub's files stay well under its 500 MB default shard size)
SHARD_ROWS = 100_000


def parquet_shard_relpath(config: str, split: str, shard: int, count: int) -> str:
    """Shard ``shard`` of ``count`` of a config's split: ``data/<config>/<split>-0000k-of-0000N.parquet``."""
    return f"{DATA_DIR}/{config}/{split}-{shard:05d}-of-{count:05d}.parquet"


def parquet_relpath(config: str, split: str) -> str:
    """Where a config's split of one shard lives in a release folder:
    ``data/<config>/<split>-00000-of-00001.parquet``."""
    return f"{DATA_DIR}/{config}/{split}{PARQUET_SHARD}"


def shard_count(rows: int, shard_rows: int = SHARD_ROWS) -> int:
    """How many shards ``rows`` rows make (at least one)."""
    return max(1, -(-rows // shard_rows))


def parquet_relpaths(config: str, split: str, rows: int, shard_rows: int = SHARD_ROWS) -> list[str]:
    """The shards of a config's split of ``rows`` rows, in order."""
    n = shard_count(rows, shard_rows)
    return [parquet_shard_relpath(config, split, k, n) for k in range(n)]


def file_splits(rows: Mapping[str, int]) -> list[str]:
    """The splits of a config that have parquet files, in :data:`SPLITS` order, from its rows per
    split: those with rows, or :data:`EMPTY_CONFIG_SPLIT` alone (empty) when none has any."""
    return [s for s in SPLITS if rows.get(s, 0) > 0] or [EMPTY_CONFIG_SPLIT]


def split_of(parquet: Path) -> str:
    """The split a release parquet file holds (the inverse of :func:`parquet_relpath`)."""
    return parquet.name.split("-", 1)[0].removesuffix(".parquet")


def sha256_file(path: Path) -> str:
    """The hex sha256 of a file's bytes (read a MiB at a time), as the manifest lists it."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
