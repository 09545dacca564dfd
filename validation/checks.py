"""Cross-row and cross-table rules as pandera checks, registered by name.

Each check is registered with :func:`pandera.extensions.register_check_method`, so a schema that
uses it serialises to YAML/JSON (``schema.to_yaml()``) and back, as long as this module is
imported. Every parameter is a plain statistic (column names, lists of strings, numbers). The
checks are vectorised (pandas/numpy over whole columns); none loops over rows in Python.

The views they run on are built by :mod:`stancebank.validation.frames`: e.g. the spans view has a
categorical column holding each span's article text (one copy per article, an int code per span).
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from numpy.typing import NDArray
from pandera import extensions

# Rows per batch of article text turned into code points (UTF-32) at once: bounds memory.
_CHUNK_CODEPOINTS = 16_000_000


def _as_int(series: pd.Series) -> NDArray[Any]:
    out: NDArray[Any] = pd.to_numeric(series, errors="coerce").fillna(-1).to_numpy(dtype=np.int64)
    return out


def _doc_lengths(doc: pd.Series) -> NDArray[Any]:
    """Length (code points) of each row's article text; -1 where the article is unknown."""
    cat = doc.astype("category") if not isinstance(doc.dtype, pd.CategoricalDtype) else doc
    codes = cat.cat.codes.to_numpy()
    docs = _arrow_strings(cat.cat.categories)
    cat_len = pc.utf8_length(docs).to_numpy(zero_copy_only=False).astype(np.int64)
    out = np.full(len(codes), -1, dtype=np.int64)
    known = codes >= 0
    out[known] = cat_len[codes[known]]
    return out


@extensions.register_check_method(statistics=["doc_col", "start_col", "end_col"])  # type: ignore[untyped-decorator]
def span_within_text(df: pd.DataFrame, *, doc_col: str, start_col: str, end_col: str) -> pd.Series:
    """``0 <= start < end <= len(article text)``; false where the article is unknown."""
    start = _as_int(df[start_col])
    end = _as_int(df[end_col])
    length = _doc_lengths(df[doc_col])
    ok = (start >= 0) & (start < end) & (end <= length)
    return pd.Series(ok, index=df.index)


_WS = re.compile(r"\s+")


@extensions.register_check_method(  # type: ignore[untyped-decorator]
    statistics=["doc_col", "start_col", "end_col", "text_col", "normalize_whitespace", "loose_col"]
)
def span_text_matches(
    df: pd.DataFrame,
    *,
    doc_col: str,
    start_col: str,
    end_col: str,
    text_col: str,
    normalize_whitespace: bool = False,
    loose_col: str = "",
) -> pd.Series:
    """``article_text[start:end] == span text``, offsets in code points (rows whose offsets are
    outside the text pass: :func:`span_within_text` reports them). Compared up to whitespace:
    every row with ``normalize_whitespace``, else the rows whose ``loose_col`` is true (files of
    several kinds in one table, each with its own rule), when the frame has that column."""
    doc = df[doc_col]
    cat = doc.astype("category") if not isinstance(doc.dtype, pd.CategoricalDtype) else doc
    codes = cat.cat.codes.to_numpy().astype(np.int64)
    start = _as_int(df[start_col])
    end = _as_int(df[end_col])
    length = _doc_lengths(cat)
    outside = ~((start >= 0) & (start < end) & (end <= length))
    docs = _arrow_strings(cat.cat.categories)
    texts = _arrow_strings(df[text_col])
    ok = _slices_equal(codes, docs, start, end, length, texts)
    categories = None
    ok |= outside
    per_row = bool(loose_col) and loose_col in df.columns
    if (normalize_whitespace or per_row) and not ok.all():
        # Only the few failing rows are re-compared with whitespace collapsed.
        loose = ~ok if normalize_whitespace else ~ok & df[loose_col].to_numpy(dtype=bool)
        categories = np.asarray(cat.cat.categories, dtype=object) if categories is None else categories
        for i in np.flatnonzero(loose):
            got = categories[codes[i]][start[i] : end[i]]
            span = texts[int(i)].as_py() or ""
            ok[i] = _WS.sub(" ", got).strip() == _WS.sub(" ", span).strip()
    return pd.Series(ok, index=df.index)


def _arrow_strings(values: pd.Series | pd.Index) -> pa.LargeStringArray:
    """A pandas string column (or index) as one arrow large_string array, nulls as ``""``."""
    array = values.array
    if hasattr(array, "__arrow_array__"):  # pandas' arrow-backed str dtype: no copy
        converted = pa.array(array)
        arr = converted.combine_chunks() if isinstance(converted, pa.ChunkedArray) else converted
    else:
        arr = pa.array(np.asarray(values, dtype=object), from_pandas=True)
    if not (pa.types.is_string(arr.type) or pa.types.is_large_string(arr.type)):
        arr = pc.cast(arr, pa.string())
    return pc.fill_null(arr.cast(pa.large_string()), "")


def _string_buffers(arr: pa.LargeStringArray) -> tuple[NDArray[Any], NDArray[Any]]:
    bufs = arr.buffers()
    offsets = np.frombuffer(bufs[1], dtype=np.int64)[arr.offset : arr.offset + len(arr) + 1]
    data = np.frombuffer(bufs[2], dtype=np.uint8) if bufs[2] is not None else np.zeros(0, np.uint8)
    return offsets, data


_CHUNK_BYTES = 8_000_000


def _slices_equal(
    codes: NDArray[Any],
    docs: pa.LargeStringArray,
    start: NDArray[Any],
    end: NDArray[Any],
    length: NDArray[Any],
    texts: pa.LargeStringArray,
) -> NDArray[Any]:
    """``docs[codes][start:end] == texts`` per row (``start``/``end`` in code points), compared
    as UTF-8 bytes of the arrow buffers — no Python strings. For ASCII articles code points are
    bytes; for the others, code point offsets become byte offsets through the positions of the
    UTF-8 lead bytes. Rows with offsets outside the text are false."""
    n = len(codes)
    result = np.zeros(n, dtype=bool)
    valid = (codes >= 0) & (start >= 0) & (start < end) & (end <= length)
    if not valid.any():
        return result
    doc_off, doc_data = _string_buffers(docs)
    text_off, text_data = _string_buffers(texts)
    ascii_doc = pc.string_is_ascii(docs).to_numpy(zero_copy_only=False)
    byte_start = np.zeros(n, dtype=np.int64)
    byte_end = np.zeros(n, dtype=np.int64)
    fast = valid & ascii_doc[np.clip(codes, 0, None)]
    byte_start[fast] = doc_off[codes[fast]] + start[fast]
    byte_end[fast] = doc_off[codes[fast]] + end[fast]
    slow = np.flatnonzero(valid & ~fast)
    if len(slow):
        _code_points_to_bytes(codes, start, end, slow, docs, doc_off, doc_data, byte_start, byte_end)
    lens = byte_end - byte_start
    candidate = valid & (np.diff(text_off) == lens)
    rows = np.flatnonzero(candidate)
    if len(rows) == 0:
        return result
    cum = np.cumsum(lens[rows])
    lo = 0
    while lo < len(rows):
        base = cum[lo - 1] if lo else 0
        hi = max(int(np.searchsorted(cum, base + _CHUNK_BYTES, side="right")), lo + 1)
        part = rows[lo:hi]
        part_lens = lens[part]
        out_off = np.concatenate(([0], np.cumsum(part_lens)[:-1]))
        index = np.arange(int(part_lens.sum()), dtype=np.int64)
        in_doc = index + np.repeat(byte_start[part] - out_off, part_lens)
        if part[-1] - part[0] == len(part) - 1:  # consecutive rows: their texts are contiguous
            span_bytes = text_data[text_off[part[0]] : text_off[part[-1] + 1]]
        else:
            span_bytes = text_data[index + np.repeat(text_off[part] - out_off, part_lens)]
        mismatch = (doc_data[in_doc] != span_bytes).astype(np.int32)
        result[part] = np.add.reduceat(mismatch, out_off) == 0
        lo = hi
    return result


def _code_points_to_bytes(
    codes: NDArray[Any],
    start: NDArray[Any],
    end: NDArray[Any],
    rows: NDArray[Any],
    docs: pa.LargeStringArray,
    doc_off: NDArray[Any],
    doc_data: NDArray[Any],
    byte_start: NDArray[Any],
    byte_end: NDArray[Any],
) -> None:
    """Fill ``byte_start``/``byte_end`` of ``rows`` (non-ASCII articles): the byte offset of code
    point ``k`` of an article is the position of its ``k``-th UTF-8 lead byte. Articles are
    processed in batches of about ``_CHUNK_BYTES`` bytes."""
    cp_len = pc.utf8_length(docs).to_numpy(zero_copy_only=False).astype(np.int64)
    wanted = np.unique(codes[rows])
    # the non-ASCII articles side by side (arrow copies them in one pass)
    taken_off, taken_data = _string_buffers(docs.take(pa.array(wanted)))
    cum = taken_off[1:] - taken_off[0]
    lo = 0
    while lo < len(wanted):
        base = cum[lo - 1] if lo else 0
        hi = max(int(np.searchsorted(cum, base + _CHUNK_BYTES, side="right")), lo + 1)
        batch = wanted[lo:hi]
        chunk = taken_data[taken_off[lo] : taken_off[hi]]
        starts_in_chunk = taken_off[lo:hi] - taken_off[lo]
        leads = np.flatnonzero((chunk & 0xC0) != 0x80)  # chunk byte position of each code point
        first_cp = np.concatenate(([0], np.cumsum(cp_len[batch])[:-1]))  # doc's first code point
        slot = np.full(len(cp_len), -1, dtype=np.int64)
        slot[batch] = np.arange(len(batch))
        in_batch = rows[slot[codes[rows]] >= 0]
        j = slot[codes[in_batch]]
        absolute = doc_off[batch[j]] - starts_in_chunk[j]  # chunk position → doc_data position
        byte_start[in_batch] = leads[first_cp[j] + start[in_batch]] + absolute
        at_end = end[in_batch] >= cp_len[batch[j]]
        end_cp = np.where(at_end, 0, first_cp[j] + end[in_batch])
        byte_end[in_batch] = np.where(
            at_end, doc_off[batch[j] + 1], leads[np.clip(end_cp, 0, len(leads) - 1)] + absolute
        )
        lo = hi


@extensions.register_check_method(statistics=["group_cols", "id_col"])  # type: ignore[untyped-decorator]
def unique_span_id(df: pd.DataFrame, *, group_cols: list[str], id_col: str) -> pd.Series:
    """A span id occurs once per annotation (the second and later occurrences fail)."""
    cols = [c for c in group_cols if c in df.columns] + [id_col]
    return ~df.duplicated(subset=cols, keep="first")


@extensions.register_check_method(  # type: ignore[untyped-decorator]
    statistics=["group_cols", "start_col", "end_col", "label_col", "skip_col"]
)
def unique_span_position(
    df: pd.DataFrame,
    *,
    group_cols: list[str],
    start_col: str,
    end_col: str,
    label_col: str,
    skip_col: str = "",
) -> pd.Series:
    """No two spans of one annotation share (start, end, label). Rows whose ``skip_col`` is true
    (when the frame has that column: a region without integer offsets, whose -1 is no position)
    pass and are compared with no other row."""
    cols = [c for c in group_cols if c in df.columns] + [start_col, end_col, label_col]
    if not skip_col or skip_col not in df.columns:
        return ~df.duplicated(subset=cols, keep="first")
    skip = df[skip_col].eq(True).to_numpy()  # missing in rows of files without such a region
    ok = np.ones(len(df), dtype=bool)
    ok[~skip] = ~df.loc[~skip].duplicated(subset=cols, keep="first").to_numpy()
    return pd.Series(ok, index=df.index)


@extensions.register_check_method(statistics=["from_label_col", "to_label_col"])  # type: ignore[untyped-decorator]
def relation_endpoints_exist(df: pd.DataFrame, *, from_label_col: str, to_label_col: str) -> pd.Series:
    """Both ends of a relation are spans of the same annotation (their labels were found)."""
    return df[from_label_col].notna() & df[to_label_col].notna()


@extensions.register_check_method(  # type: ignore[untyped-decorator]
    statistics=["label_col", "from_label_col", "to_label_col", "allowed"]
)
def relation_endpoint_labels(
    df: pd.DataFrame, *, label_col: str, from_label_col: str, to_label_col: str, allowed: list[str]
) -> pd.Series:
    """``(relation, from label, to label)`` is allowed by the spec; ``allowed`` holds
    ``"relation>from>to"`` strings. Unknown relation labels and missing ends pass here (other
    checks report them)."""
    key = (
        df[label_col].astype(str) + ">" + df[from_label_col].astype(str) + ">" + df[to_label_col].astype(str)
    )
    parts = [a.split(">") for a in allowed]
    known_relations = sorted({p[0] for p in parts})
    known_spans = sorted({p[i] for p in parts for i in (1, 2)})
    skip = (
        ~df[label_col].isin(known_relations)
        | ~df[from_label_col].isin(known_spans)
        | ~df[to_label_col].isin(known_spans)
    )
    return key.isin(allowed) | skip


@extensions.register_check_method(statistics=["from_col", "to_col"])  # type: ignore[untyped-decorator]
def no_self_relation(df: pd.DataFrame, *, from_col: str, to_col: str) -> pd.Series:
    return df[from_col].astype(str) != df[to_col].astype(str)


@extensions.register_check_method(statistics=["direction_col", "allowed"])  # type: ignore[untyped-decorator]
def relation_direction(df: pd.DataFrame, *, direction_col: str, allowed: list[str]) -> pd.Series:
    """Directed relations only (``right``, or ``left`` which is read swapped)."""
    return df[direction_col].isna() | df[direction_col].isin(allowed)


@extensions.register_check_method(  # type: ignore[untyped-decorator]
    statistics=["label_col", "claim_label", "sources_col", "gold_col"]
)
def claim_has_source(
    df: pd.DataFrame, *, label_col: str, claim_label: str, sources_col: str, gold_col: str
) -> pd.Series:
    """Every gold span labelled ``claim_label`` has at least one attribution relation."""
    is_claim = (df[label_col] == claim_label) & df[gold_col].fillna(False).astype(bool)
    return ~is_claim | (pd.to_numeric(df[sources_col], errors="coerce").fillna(0) > 0)


@extensions.register_check_method(statistics=["key_col", "allowed"])  # type: ignore[untyped-decorator]
def attribute_known(df: pd.DataFrame, *, key_col: str, allowed: list[str]) -> pd.Series:
    """``label>attribute>value`` (``*`` as value for free-text attributes) is allowed."""
    return df[key_col].isin(allowed)


@extensions.register_check_method(statistics=["id_col", "split_col"])  # type: ignore[untyped-decorator]
def one_split_per_article(df: pd.DataFrame, *, id_col: str, split_col: str) -> pd.Series:
    """An article id appears with one split only (every row of an article in two splits fails)."""
    n = df.groupby(id_col, observed=True, sort=False)[split_col].transform("nunique")
    return n <= 1


@extensions.register_check_method(  # type: ignore[untyped-decorator]
    statistics=["key_col", "split_col", "skip_col"]
)
def no_cross_split_duplicate(
    df: pd.DataFrame, *, key_col: str, split_col: str, skip_col: str | None = None
) -> pd.Series:
    """Rows sharing a key (a text hash, a near-duplicate cluster) all have the same split.

    Rows where ``skip_col`` is true take part in the grouping but always pass (e.g. exact
    duplicates, already reported by the exact check, inside a near-duplicate cluster)."""
    has_key = df[key_col].notna()
    n = df[has_key].groupby(key_col, observed=True, sort=False)[split_col].transform("nunique")
    out = pd.Series(True, index=df.index)
    out[has_key] = n <= 1
    if skip_col is not None and skip_col in df:
        out |= df[skip_col].fillna(False).astype(bool)
    return out


@extensions.register_check_method(statistics=["split_col", "expected_col"])  # type: ignore[untyped-decorator]
def registry_agrees(df: pd.DataFrame, *, split_col: str, expected_col: str) -> pd.Series:
    """Where a split is registered (registry or previous release), the row's split equals it."""
    return df[expected_col].isna() | (df[split_col].astype(str) == df[expected_col].astype(str))


@extensions.register_check_method(statistics=["expected_col", "actual_col"])  # type: ignore[untyped-decorator]
def values_equal(df: pd.DataFrame, *, expected_col: str, actual_col: str) -> pd.Series:
    """Expected equals actual (hashes, counts, serialised features); both null is a mismatch."""
    exp = df[expected_col]
    act = df[actual_col]
    return exp.notna() & act.notna() & (exp.astype(str) == act.astype(str))


@extensions.register_check_method(statistics=["col", "pattern", "denylist"])  # type: ignore[untyped-decorator]
def pseudonymous(df: pd.DataFrame, *, col: str, pattern: str, denylist: list[str]) -> pd.Series:
    """An annotator field looks like a pseudonym: matches ``pattern``, holds no ``@`` / e-mail-like
    text, and contains none of the ``denylist`` names (case-insensitive)."""
    values = df[col].astype(str)
    ok = values.str.fullmatch(pattern).fillna(False).astype(bool)
    ok &= ~values.str.contains(r"@|\bat\b.*\bdot\b|%40", case=False, regex=True).fillna(False).astype(bool)
    lowered = values.str.lower()
    for name in denylist:
        if name:
            ok &= ~lowered.str.contains(str(name).lower(), regex=False).fillna(False).astype(bool)
    return ok


@extensions.register_check_method(statistics=["value_col", "min_col"])  # type: ignore[untyped-decorator]
def at_least(df: pd.DataFrame, *, value_col: str, min_col: str) -> pd.Series:
    """``value >= min`` (agreement against its configured minimum); a missing value fails."""
    value = pd.to_numeric(df[value_col], errors="coerce")
    minimum = pd.to_numeric(df[min_col], errors="coerce")
    return value.notna() & (value >= minimum)


def registered_check_names() -> tuple[str, ...]:
    """The checks this module registers (for docs and tests)."""
    return (
        "span_within_text",
        "span_text_matches",
        "unique_span_id",
        "unique_span_position",
        "relation_endpoints_exist",
        "relation_endpoint_labels",
        "no_self_relation",
        "relation_direction",
        "claim_has_source",
        "attribute_known",
        "one_split_per_article",
        "no_cross_split_duplicate",
        "registry_agrees",
        "values_equal",
        "pseudonymous",
        "at_least",
    )


__all__: list[Any] = ["registered_check_names"]
