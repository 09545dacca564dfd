"""The shared release layout: file names, parquet paths and hashing used by export and validation."""

from __future__ import annotations

import hashlib
from pathlib import Path

from stancebank.schema.features import CONFIGS
from stancebank.schema.layout import parquet_relpath, sha256_file, split_of
from stancebank.schema.spec import SPLITS


def test_parquet_relpath_round_trips_through_split_of() -> None:
    for config in CONFIGS:
        for split in SPLITS:
            rel = parquet_relpath(config, split)
            assert rel.startswith(f"data/{config}/")
            assert split_of(Path(rel)) == split


def test_sha256_file_hashes_files_larger_than_one_block(tmp_path: Path) -> None:
    data = bytes(range(256)) * 5000  # > 1 MiB: more than one read
    path = tmp_path / "blob.bin"
    path.write_bytes(data)
    assert sha256_file(path) == hashlib.sha256(data).hexdigest()
