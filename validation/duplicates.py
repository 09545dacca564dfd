"""Keys that expose the same article text in two splits: exact and near-duplicates.

- exact key: a 64-bit hash of each lower-cased text (case variants count as exact duplicates;
  whitespace or punctuation variants are left to the near-duplicate check);
- near-duplicate key: the article's cluster by the project's one definition,
  :mod:`stancebank.schema.neardup` — the rule ``stancebank export build`` uses to put each cluster
  into one split, so a release it built passes this check.
"""

from __future__ import annotations

import hashlib
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from numpy.typing import NDArray

from stancebank.schema.neardup import clusters


def _arrow_texts(texts: pd.Series) -> pa.LargeStringArray:
    """The texts as one arrow array (no copy for pandas' arrow-backed ``str`` dtype); nulls → ""."""
    arr = pa.array(texts.array, type=pa.large_string(), from_pandas=True)
    return (
        pc.fill_null(arr, "").combine_chunks() if isinstance(arr, pa.ChunkedArray) else pc.fill_null(arr, "")
    )


def text_digests(texts: pd.Series, *, lower: bool = False) -> NDArray[Any]:
    """A 64-bit blake2b digest of each text's UTF-8 bytes (hashed in place in the arrow buffer;
    ``lower``: of the lower-cased text)."""
    arr = _arrow_texts(texts)
    if lower:
        arr = pc.utf8_lower(arr)
    bufs = arr.buffers()
    offsets = np.frombuffer(bufs[1], dtype=np.int64)[arr.offset : arr.offset + len(arr) + 1]
    view = memoryview(bufs[2]) if bufs[2] is not None else memoryview(b"")
    digests = b"".join(
        hashlib.blake2b(view[lo:hi], digest_size=8).digest()
        for lo, hi in zip(offsets[:-1].tolist(), offsets[1:].tolist(), strict=True)
    )
    out: NDArray[Any] = np.frombuffer(digests, dtype=np.uint64) if digests else np.zeros(0, np.uint64)
    return out


def exact_keys(texts: pd.Series) -> pd.Series:
    """A hash of each text, lower-cased (texts differing only in case share a key; whitespace or
    punctuation variants are near-duplicates)."""
    keys = text_digests(texts, lower=True)
    return pd.Series(keys, index=texts.index).map("{:016x}".format).astype("str")


def near_duplicate_keys(texts: pd.Series, *, groups: pd.Series | None = None) -> pd.Series:
    """A cluster id per row (:func:`stancebank.schema.neardup.clusters`); with ``groups`` (the
    split), only pairs from different groups are compared."""
    values = texts.astype(object).where(texts.notna(), None).tolist()
    group_values = groups.astype(object).tolist() if groups is not None else None
    roots = clusters(values, groups=group_values)
    return pd.Series(roots, index=texts.index).map("c{}".format).astype("str")
