"""Parquet writers: one file per config and split, in the Hub's layout, a batch at a time.

Rows (dicts in the ``datasets`` features' shape) become Arrow record batches every
:data:`CHUNK_ROWS` rows and one row group every :data:`BATCH_ROWS`; the writer options are fixed,
so the same rows give the same bytes.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
from datasets import Features

from stancebank.export.rows import Row
from stancebank.schema.layout import parquet_relpath
from stancebank.schema.spec import SPLITS

BATCH_ROWS = 2_000
CHUNK_ROWS = 200
ROW_GROUP_ROWS = 50_000


class SplitWriters:
    """One pyarrow writer per split of a config, fed a batch at a time.

    Rows are turned into Arrow record batches every :data:`CHUNK_ROWS` rows (Arrow holds a row in a
    fraction of what its Python dicts cost) and written as one row group every :data:`BATCH_ROWS`.
    """

    def __init__(self, root: Path, config: str, features: Features) -> None:
        self.root = root
        self.config = config
        self.schema: pa.Schema = features.arrow_schema
        self.buffers: dict[str, list[Row]] = {s: [] for s in SPLITS}
        self.chunks: dict[str, list[pa.RecordBatch]] = {s: [] for s in SPLITS}
        self.pending: dict[str, int] = dict.fromkeys(SPLITS, 0)
        self.writers: dict[str, pq.ParquetWriter] = {}
        self.counts: dict[str, int] = dict.fromkeys(SPLITS, 0)
        self.num_bytes: dict[str, int] = dict.fromkeys(SPLITS, 0)

    def add(self, split: str, rows: Sequence[Row]) -> None:
        buf = self.buffers[split]
        buf.extend(rows)
        self.counts[split] += len(rows)
        self.pending[split] += len(rows)
        if len(buf) >= CHUNK_ROWS:
            self._chunk(split)
        if self.pending[split] >= BATCH_ROWS:
            self._flush(split)

    def _chunk(self, split: str) -> None:
        buf = self.buffers[split]
        if buf:
            self.chunks[split].append(pa.RecordBatch.from_pylist(buf, schema=self.schema))
            buf.clear()

    def _flush(self, split: str) -> None:
        self._chunk(split)
        chunks = self.chunks[split]
        if not chunks:
            return
        writer = self.writers.get(split)
        if writer is None:
            path = self.root / parquet_relpath(self.config, split)
            path.parent.mkdir(parents=True, exist_ok=True)
            writer = self.writers[split] = pq.ParquetWriter(
                path, self.schema, compression="zstd", write_statistics=True, store_schema=True
            )
        table = pa.Table.from_batches(chunks, schema=self.schema).combine_chunks()
        self.num_bytes[split] += table.nbytes
        writer.write_table(table, row_group_size=ROW_GROUP_ROWS)
        chunks.clear()
        self.pending[split] = 0

    def close(self) -> None:
        for split in SPLITS:
            self._flush(split)
        for writer in self.writers.values():
            writer.close()
