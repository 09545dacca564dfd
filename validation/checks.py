"""Cross-row and cross-table rules as pandera checks, registered by name.

Each check is registered with :func:`pandera.extensions.register_check_method`, so a schema that
uses it serialises to YAML/JSON (``schema.to_yaml()``) and back, as long as this module is
imported. Every parameter is a plain statistic (column names, lists of strings, numbers). The
checks are vectorised (pandas/numpy over whole columns); none loops over rows in Python.

The views they run on are built by :mod:`stancebank.validation.frames`: e.g. the spans view has a
categorical column holding each span's article text (one copy per article, an int code per span).
"""

from __future__ import annotations

import itertools
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
    cat_len = pd.Series(cat.cat.categories, dtype=object).str.len().to_numpy(dtype=np.int64)
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


def _utf32(text: str) -> NDArray[Any]:
    return np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)


def _slices_equal(
    doc_codes: NDArray[Any],
    categories: NDArray[Any],
    start: NDArray[Any],
    end: NDArray[Any],
    texts: NDArray[Any],
) -> NDArray[Any]:
    """For each row, ``categories[doc_codes][start:end] == texts`` — vectorised over code points.

    Article texts and span texts are concatenated and compared as UTF-32 code point arrays, so the
    offsets are code points exactly like Python's ``str`` slicing. Article texts are processed in
    batches of about ``_CHUNK_CODEPOINTS`` code points to bound memory.
    """
    n = len(doc_codes)
    result = np.zeros(n, dtype=bool)
    span_len = np.fromiter((len(t) for t in texts), dtype=np.int64, count=n) if n else np.zeros(0, np.int64)
    cat_len = np.fromiter((len(c) for c in categories), dtype=np.int64, count=len(categories))
    candidate = (doc_codes >= 0) & (start >= 0) & (end > start) & (span_len == end - start)
    candidate &= end <= np.where(doc_codes >= 0, cat_len[np.clip(doc_codes, 0, None)], -1)
    if not candidate.any():
        return result
    # Batch categories by cumulative size.
    bounds = [0]
    acc = 0
    for i, length in enumerate(cat_len):
        acc += int(length)
        if acc >= _CHUNK_CODEPOINTS:
            bounds.append(i + 1)
            acc = 0
    if bounds[-1] != len(categories):
        bounds.append(len(categories))
    for lo, hi in itertools.pairwise(bounds):
        rows = np.flatnonzero(candidate & (doc_codes >= lo) & (doc_codes < hi))
        if len(rows) == 0:
            continue
        docs_cp = _utf32("".join(categories[lo:hi]))
        doc_off = np.concatenate(([0], np.cumsum(cat_len[lo:hi])))[:-1]
        lens = span_len[rows]
        text_cp = _utf32("".join(texts[rows]))
        text_off = np.concatenate(([0], np.cumsum(lens)))[:-1]
        # position in docs_cp of every code point of every span
        shift = doc_off[doc_codes[rows] - lo] + start[rows] - text_off
        pos = np.arange(len(text_cp), dtype=np.int64) + np.repeat(shift, lens)
        mismatch = (docs_cp[pos] != text_cp).astype(np.int64)
        bad = np.add.reduceat(mismatch, text_off) if len(mismatch) else np.zeros(len(rows), np.int64)
        result[rows] = bad == 0
    return result


_WS = re.compile(r"\s+")


@extensions.register_check_method(  # type: ignore[untyped-decorator]
    statistics=["doc_col", "start_col", "end_col", "text_col", "normalize_whitespace"]
)
def span_text_matches(
    df: pd.DataFrame,
    *,
    doc_col: str,
    start_col: str,
    end_col: str,
    text_col: str,
    normalize_whitespace: bool = False,
) -> pd.Series:
    """``article_text[start:end] == span text`` (rows whose offsets are outside the text pass:
    :func:`span_within_text` reports them)."""
    doc = df[doc_col]
    cat = doc.astype("category") if not isinstance(doc.dtype, pd.CategoricalDtype) else doc
    codes = cat.cat.codes.to_numpy().astype(np.int64)
    start = _as_int(df[start_col])
    end = _as_int(df[end_col])
    length = _doc_lengths(cat)
    outside = ~((start >= 0) & (start < end) & (end <= length))
    docs = _arrow_strings(cat.cat.categories)
    texts = _arrow_strings(df[text_col])
    # Articles in ASCII (most news text): code point offsets are byte offsets, compare bytes.
    ascii_doc = pc.string_is_ascii(docs).to_numpy(zero_copy_only=False) if len(docs) else np.zeros(0, bool)
    fast = (codes >= 0) & ascii_doc[np.clip(codes, 0, None)] if len(docs) else np.zeros(len(codes), bool)
    ok = np.zeros(len(codes), dtype=bool)
    ok[fast] = _ascii_slices_equal(codes[fast], docs, start[fast], end[fast], texts.filter(pa.array(fast)))
    slow = np.flatnonzero(~fast)
    categories = None
    if len(slow):
        categories = np.asarray(cat.cat.categories, dtype=object)
        texts_slow = np.asarray(texts.take(pa.array(slow)).to_pylist(), dtype=object)
        ok[slow] = _slices_equal(codes[slow], categories, start[slow], end[slow], texts_slow)
    ok |= outside
    if normalize_whitespace and not ok.all():
        # Only the few failing rows are re-compared with whitespace collapsed.
        categories = np.asarray(cat.cat.categories, dtype=object) if categories is None else categories
        for i in np.flatnonzero(~ok):
            got = categories[codes[i]][start[i] : end[i]]
            span = texts[int(i)].as_py() or ""
            ok[i] = _WS.sub(" ", got).strip() == _WS.sub(" ", span).strip()
    return pd.Series(ok, index=df.index)


def _arrow_strings(values: pd.Series | pd.Index) -> pa.LargeStringArray:
    """A pandas string column (or index) as one arrow large_string array, nulls as ``""``."""
    array = values.array
    if hasattr(array, "_pa_array"):  # pandas' arrow-backed str dtype
        arr = pa.chunked_array(array._pa_array).combine_chunks()
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


def _ascii_slices_equal(
    codes: NDArray[Any], docs: pa.LargeStringArray, start: NDArray[Any], end: NDArray[Any], texts: pa.Array
) -> NDArray[Any]:
    """``docs[codes][start:end] == texts`` for rows whose article is ASCII: byte comparison of the
    arrow buffers (no Python strings), in chunks of about ``_CHUNK_BYTES`` compared bytes."""
    result = np.zeros(len(codes), dtype=bool)
    if len(codes) == 0:
        return result
    doc_off, doc_data = _string_buffers(docs)
    text_off, text_data = _string_buffers(texts)
    text_len = np.diff(text_off)
    doc_len = np.diff(doc_off)
    candidate = (start >= 0) & (end > start) & (end <= doc_len[codes]) & (text_len == end - start)
    rows = np.flatnonzero(candidate)
    if len(rows) == 0:
        return result
    cum = np.cumsum(text_len[rows])
    lo = 0
    while lo < len(rows):
        hi = max(int(np.searchsorted(cum, (cum[lo - 1] if lo else 0) + _CHUNK_BYTES, side="right")), lo + 1)
        part = rows[lo:hi]
        lens = text_len[part]
        out_off = np.concatenate(([0], np.cumsum(lens)[:-1]))
        index = np.arange(int(lens.sum()), dtype=np.int64)
        in_doc = index + np.repeat(doc_off[codes[part]] + start[part] - out_off, lens)
        in_text = index + np.repeat(text_off[part] - out_off, lens)
        mismatch = (doc_data[in_doc] != text_data[in_text]).astype(np.int32)
        result[part] = np.add.reduceat(mismatch, out_off) == 0
        lo = hi
    return result


@extensions.register_check_method(statistics=["group_cols", "id_col"])  # type: ignore[untyped-decorator]
def unique_span_id(df: pd.DataFrame, *, group_cols: list[str], id_col: str) -> pd.Series:
    """A span id occurs once per annotation (the second and later occurrences fail)."""
    cols = [c for c in group_cols if c in df.columns] + [id_col]
    return ~df.duplicated(subset=cols, keep="first")


@extensions.register_check_method(  # type: ignore[untyped-decorator]
    statistics=["group_cols", "start_col", "end_col", "label_col"]
)
def unique_span_position(
    df: pd.DataFrame, *, group_cols: list[str], start_col: str, end_col: str, label_col: str
) -> pd.Series:
    """No two spans of one annotation share (start, end, label)."""
    cols = [c for c in group_cols if c in df.columns] + [start_col, end_col, label_col]
    return ~df.duplicated(subset=cols, keep="first")


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


@extensions.register_check_method(statistics=["key_col", "split_col"])  # type: ignore[untyped-decorator]
def no_cross_split_duplicate(df: pd.DataFrame, *, key_col: str, split_col: str) -> pd.Series:
    """Rows sharing a key (a text hash, a near-duplicate cluster) all have the same split."""
    has_key = df[key_col].notna()
    n = df[has_key].groupby(key_col, observed=True, sort=False)[split_col].transform("nunique")
    out = pd.Series(True, index=df.index)
    out[has_key] = n <= 1
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
