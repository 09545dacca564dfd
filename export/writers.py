"""Parquet writers: each config's split in shards of the Hub's layout, a batch at a time.

A split's rows are cut into shards of ``shard_rows`` rows in the order they are added
(:func:`stancebank.schema.layout.parquet_relpaths`: N from the number of rows alone). Within a
shard, rows become Arrow record batches every :data:`CHUNK_ROWS` rows and one row group every
:data:`BATCH_ROWS`; the writer options are fixed, so the same rows added in the same pieces give
the same bytes — whether one process writes every shard (:class:`SplitWriters`) or each shard is
written on its own (:func:`write_shard`, the Ray engine). Each shard is written under a temporary
name and renamed when it is complete. A config without any row gets one empty file
(:func:`write_empty_split`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
from datasets import Features

from stancebank.export.rows import Row
from stancebank.schema.atomic import temp_file
from stancebank.schema.layout import DATA_DIR, EMPTY_CONFIG_SPLIT, SHARD_ROWS, parquet_shard_relpath
from stancebank.schema.spec import SPLITS

BATCH_ROWS = 2_000
CHUNK_ROWS = 200
ROW_GROUP_ROWS = 50_000


class ParquetShard:
    """One parquet file, fed a batch at a time, written to ``tmp`` until :meth:`close`.

    Rows are turned into Arrow record batches every :data:`CHUNK_ROWS` rows (Arrow holds a row in a
    fraction of what its Python dicts cost) and written as one row group every :data:`BATCH_ROWS`.
    """

    def __init__(self, tmp: Path, schema: pa.Schema) -> None:
        self.tmp = tmp
        self.schema = schema
        self.buffer: list[Row] = []
        self.chunks: list[pa.RecordBatch] = []
        self.pending = 0
        self.rows = 0
        self.num_bytes = 0
        self.writer: pq.ParquetWriter | None = None

    def add(self, rows: Sequence[Row]) -> None:
        self.buffer.extend(rows)
        self.rows += len(rows)
        self.pending += len(rows)
        if len(self.buffer) >= CHUNK_ROWS:
            self._chunk()
        if self.pending >= BATCH_ROWS:
            self._flush()

    def _chunk(self) -> None:
        if self.buffer:
            self.chunks.append(pa.RecordBatch.from_pylist(self.buffer, schema=self.schema))
            self.buffer.clear()

    def _flush(self) -> None:
        self._chunk()
        if not self.chunks:
            return
        table = pa.Table.from_batches(self.chunks, schema=self.schema).combine_chunks()
        self.num_bytes += table.nbytes
        self._open().write_table(table, row_group_size=ROW_GROUP_ROWS)
        self.chunks.clear()
        self.pending = 0

    def _open(self) -> pq.ParquetWriter:
        if self.writer is None:
            self.tmp.parent.mkdir(parents=True, exist_ok=True)
            self.writer = pq.ParquetWriter(
                self.tmp, self.schema, compression="zstd", write_statistics=True, store_schema=True
            )
        return self.writer

    def close(self, path: Path, *, empty: bool = False) -> None:
        """Write what is left and rename the file to ``path``. No row added: no file, unless
        ``empty`` (then a file of the schema and no row group)."""
        self._flush()
        if empty:
            self._open()
        if self.writer is not None:
            self.writer.close()
            self.tmp.replace(path)


def _shard_path(root: Path, config: str, split: str, shard: int, count: int) -> Path:
    return root / parquet_shard_relpath(config, split, shard, count)


class SplitWriters:
    """Every split of a config in one process: rows added in order fill shard 0, then shard 1, …
    (an article's rows may straddle two shards); the shards get their final names, which hold the
    count, at :meth:`close`."""

    def __init__(self, root: Path, config: str, features: Features, shard_rows: int = SHARD_ROWS) -> None:
        self.root = root
        self.config = config
        self.schema: pa.Schema = features.arrow_schema
        self.shard_rows = shard_rows
        self.open: dict[str, ParquetShard] = {}
        self.done: dict[str, list[ParquetShard]] = {s: [] for s in SPLITS}
        self.counts: dict[str, int] = dict.fromkeys(SPLITS, 0)
        self.num_bytes: dict[str, int] = dict.fromkeys(SPLITS, 0)

    def add(self, split: str, rows: Sequence[Row]) -> None:
        self.counts[split] += len(rows)
        while rows:
            shard = self.open.get(split)
            if shard is None:
                k = len(self.done[split])
                tmp = temp_file(self.root / DATA_DIR / self.config / f"{split}-{k:05d}.parquet")
                shard = self.open[split] = ParquetShard(tmp, self.schema)
            room = self.shard_rows - shard.rows
            shard.add(rows[:room])
            rows = rows[room:]
            if shard.rows == self.shard_rows:
                self.done[split].append(self.open.pop(split))

    def close(self) -> None:
        for split in SPLITS:
            if split in self.open:
                self.done[split].append(self.open.pop(split))
            shards = self.done[split]
            for k, shard in enumerate(shards):
                shard.close(_shard_path(self.root, self.config, split, k, len(shards)))
                self.num_bytes[split] += shard.num_bytes


def write_shard(
    root: Path,
    config: str,
    split: str,
    shard: int,
    count: int,
    schema: pa.Schema,
    parts: Iterable[Sequence[Row]],
) -> tuple[int, int]:
    """Shard ``shard`` of ``count`` of a config's split from its rows in ``parts`` (in order, in
    the pieces :class:`SplitWriters` would have been given them); returns its rows and num_bytes."""
    path = _shard_path(root, config, split, shard, count)
    writer = ParquetShard(temp_file(path), schema)
    for rows in parts:
        writer.add(rows)
    writer.close(path)
    return writer.rows, writer.num_bytes


def write_empty_split(root: Path, config: str, schema: pa.Schema) -> str:
    """The one file of a config without any row: :data:`EMPTY_CONFIG_SPLIT` with ``schema`` and
    no row group (``datasets`` reads a file with an empty row group as an error, "BatchSize must be
    greater than 0"); returns the split."""
    path = _shard_path(root, config, EMPTY_CONFIG_SPLIT, 0, 1)
    ParquetShard(temp_file(path), schema).close(path, empty=True)
    return EMPTY_CONFIG_SPLIT
