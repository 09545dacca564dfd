"""The release folder's layout: its file names, where each config's parquet lives, and hashing.

A release folder is what ``stancebank export build`` writes and ``stancebank validate`` /
``stancebank export publish`` read; it is the Hub's dataset layout::

    README.md                                   the dataset card (CARD)
    release.json                                the manifest: version, counts, sha256 per file (MANIFEST)
    data/<config>/<split>-00000-of-00001.parquet  one file per config and split (parquet_relpath)

Both the export and the validation stage need these names; they live here once.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

MANIFEST = "release.json"
CARD = "README.md"
DATA_DIR = "data"
PARQUET_SHARD = "-00000-of-00001.parquet"


def parquet_relpath(config: str, split: str) -> str:
    """Where a config's split lives in a release folder:
    ``data/<config>/<split>-00000-of-00001.parquet``."""
    return f"{DATA_DIR}/{config}/{split}{PARQUET_SHARD}"


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
