"""The frames the checks run on, built from the flat tables (:mod:`stancebank.validation.frames`).

- spans: each span with its annotation unit, its article's text (``doc``, a categorical: one
  copy per article) and its number of sources (attribution relations pointing at it);
- relations: each relation with the labels of its two endpoints;
- attributes: each attribute with its span's label and a ``label>name>value`` key;
- articles: one row per article and split, with the keys of exact and near-duplicate texts and
  the split a registry or a previous release expects.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from stancebank.schema.spec import AnnotationSpec
from stancebank.validation.config import ValidationConfig
from stancebank.validation.duplicates import exact_keys, near_duplicate_keys, text_digests
from stancebank.validation.frames import Tables


# Spans, relations and attributes refer to each other by (file, article, annotation, span id).
# Those four string columns are turned into one int64 key per row once (:func:`join_keys`), so
# that every join below is an integer lookup rather than a multi-column string merge.
def _ann_key(df: pd.DataFrame) -> pd.Series:
    if "annotation_id" not in df:
        return pd.Series("", index=df.index, dtype="str")
    return df["annotation_id"].astype("str").fillna("")


def _joint_codes(columns: list[pd.Series]) -> list[NDArray[Any]]:
    """Factorize several columns together (equal values share a code; missing = -1)."""
    lengths = [len(c) for c in columns]
    joined = pd.concat([c.reset_index(drop=True) for c in columns], ignore_index=True)
    codes, _ = pd.factorize(joined)
    return np.split(codes.astype(np.int64), np.cumsum(lengths)[:-1])


def _file_codes(frames: list[pd.DataFrame]) -> list[NDArray[Any]]:
    out = []
    for df in frames:
        col = df["src_file"]
        if isinstance(col.dtype, pd.CategoricalDtype):
            out.append(col.cat.codes.to_numpy().astype(np.int64))
        else:
            out.append(pd.factorize(col.astype("str"))[0].astype(np.int64))
    names = [
        np.asarray(
            df["src_file"].cat.categories
            if isinstance(df["src_file"].dtype, pd.CategoricalDtype)
            else pd.factorize(df["src_file"].astype("str"))[1],
            dtype=object,
        )
        for df in frames
    ]
    universe = pd.Index(pd.unique(np.concatenate(names))) if names else pd.Index([])
    return [
        np.where(codes >= 0, universe.get_indexer(pd.Index(n))[np.clip(codes, 0, None)] if len(n) else -1, -1)
        for codes, n in zip(out, names, strict=True)
    ]


@dataclass
class JoinKeys:
    """One int64 key per row of the spans, relations and attributes, for integer joins."""

    span_unit: NDArray[Any]  # annotation unit of each span row
    span: NDArray[Any]  # (unit, span id) of each span row
    rel_from: NDArray[Any]
    rel_to: NDArray[Any]
    attr: NDArray[Any]


def join_keys(tables: Tables) -> JoinKeys:
    sp, rel, at = tables.spans, tables.relations, tables.attributes
    frames = [sp, rel, at]
    files = _file_codes(frames)
    articles = _joint_codes([f["article_id"].astype("str") for f in frames])
    anns = _joint_codes([_ann_key(f) for f in frames])
    n_art = max((int(c.max()) for c in articles if len(c)), default=0) + 2
    n_ann = max((int(c.max()) for c in anns if len(c)), default=0) + 2
    raw_units = [
        ((f + 1) * n_art + (a + 1)) * n_ann + (n + 1) for f, a, n in zip(files, articles, anns, strict=True)
    ]
    units = np.split(
        pd.factorize(np.concatenate(raw_units))[0].astype(np.int64),
        np.cumsum([len(u) for u in raw_units])[:-1],
    )
    ids = _joint_codes(
        [
            sp["span_id"].astype("str"),
            rel["from_id"].astype("str"),
            rel["to_id"].astype("str"),
            at["span_id"].astype("str"),
        ]
    )
    n_ids = max((int(c.max()) for c in ids if len(c)), default=0) + 2
    return JoinKeys(
        span_unit=units[0],
        span=units[0] * n_ids + ids[0] + 1,
        rel_from=units[1] * n_ids + ids[1] + 1,
        rel_to=units[1] * n_ids + ids[2] + 1,
        attr=units[2] * n_ids + ids[3] + 1,
    )


def _lookup(keys: NDArray[Any], values: pd.Series, wanted: NDArray[Any]) -> pd.Series:
    """``values`` of the first row whose key equals each ``wanted`` key (missing where none)."""
    uniq, first = np.unique(keys, return_index=True)
    pos = np.searchsorted(uniq, wanted)
    pos = np.clip(pos, 0, max(len(uniq) - 1, 0))
    found = (uniq[pos] == wanted) if len(uniq) else np.zeros(len(wanted), bool)
    taken = values.iloc[first[pos]].reset_index(drop=True) if len(uniq) else pd.Series([None] * len(wanted))
    return taken.where(pd.Series(found), None)


def doc_column(
    articles: pd.DataFrame, article_ids: pd.Series, digests: NDArray[Any] | None = None
) -> pd.Categorical:
    """Each row's article text as a categorical (one copy per distinct text, an int per row).

    Distinct texts are found by digest (no string hash table); when every article's text is
    distinct — the usual case — the categories are the articles' own text column (no copy)."""
    keep = (articles["article_id"].notna() & articles["text"].notna()).to_numpy().copy()
    keep &= ~articles["article_id"].where(keep).duplicated(keep="first").to_numpy()
    art = articles[keep]
    texts = art["text"].astype("str")
    text_codes, uniques = pd.factorize(text_digests(texts) if digests is None else digests[keep])
    if len(uniques) < len(texts):
        texts = texts.iloc[np.unique(text_codes, return_index=True)[1]]
    pos = pd.Index(art["article_id"].astype("str")).get_indexer(pd.Index(article_ids.astype("str")))
    codes = np.where(pos >= 0, text_codes[np.clip(pos, 0, None)] if len(text_codes) else -1, -1)
    return pd.Categorical.from_codes(codes, categories=pd.Index(texts.array))


def spans_view(
    tables: Tables,
    spec: AnnotationSpec,
    keys: JoinKeys | None = None,
    digests: NDArray[Any] | None = None,
    texts: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """``texts``: the articles whose texts the spans are checked against (default the tables'
    articles; ``digests`` are those of ``texts``)."""
    keys = keys or join_keys(tables)
    sp = tables.spans
    view = sp.assign(unit=keys.span_unit)
    view["doc"] = doc_column(tables.articles if texts is None else texts, sp["article_id"], digests)
    attribution = [rel.name for rel in spec.attribution_labels]
    rel = tables.relations
    if len(rel) and len(view):
        targets = keys.rel_to[rel["label"].isin(attribution).to_numpy()]
        uniq, counts = np.unique(targets, return_counts=True)
        pos = np.clip(np.searchsorted(uniq, keys.span), 0, max(len(uniq) - 1, 0))
        hit = (uniq[pos] == keys.span) if len(uniq) else np.zeros(len(view), bool)
        view["n_sources"] = np.where(hit, counts[pos] if len(uniq) else 0, 0).astype("int64")
    else:
        view["n_sources"] = 0
    return view


def relations_view(tables: Tables, keys: JoinKeys | None = None) -> pd.DataFrame:
    keys = keys or join_keys(tables)
    rel = tables.relations.copy()
    labels = tables.spans["label"]
    rel["from_label"] = _lookup(keys.span, labels, keys.rel_from).to_numpy()
    rel["to_label"] = _lookup(keys.span, labels, keys.rel_to).to_numpy()
    rel["rel_ids"] = rel["from_id"].astype("str") + "→" + rel["to_id"].astype("str")
    return rel


def attributes_view(tables: Tables, spec: AnnotationSpec, keys: JoinKeys | None = None) -> pd.DataFrame:
    keys = keys or join_keys(tables)
    at = tables.attributes.copy()
    at["span_label"] = _lookup(keys.span, tables.spans["label"], keys.attr).to_numpy()
    text_attrs = [a.name for a in spec.attributes if a.kind == "text"]
    value = at["value"].astype("str").where(~at["name"].isin(text_attrs), "*")
    # "label>name>value" for each distinct combination only (a categorical, not a string per row)
    parts = [at["span_label"].astype("str"), at["name"].astype("str"), value.astype("str")]
    codes = [pd.factorize(p, use_na_sentinel=False) for p in parts]
    combined: NDArray[np.int64] = np.zeros(len(at), dtype=np.int64)
    for part_codes, uniques in codes:
        combined = combined * (len(uniques) + 1) + part_codes
    inverse = pd.factorize(combined)[0]
    first = np.unique(inverse, return_index=True)[1]
    # one Python string per distinct combination
    names = [">".join(str(part.iloc[i]) for part in parts) for i in first.tolist()]
    if len(set(names)) == len(names):
        at["key"] = pd.Categorical.from_codes(inverse, categories=pd.Index(names, dtype="str"))
    else:  # a ">" inside a value made two combinations spell alike: plain strings
        at["key"] = parts[0] + ">" + parts[1] + ">" + parts[2]
    return at


def _rows(column: pd.Series, mask: pd.Series) -> pd.Series:
    """``column[mask]`` without copying when every row is selected (the usual case)."""
    return column if bool(mask.all()) else column[mask]


def articles_view(
    tables: Tables, config: ValidationConfig, digests: NDArray[Any] | None = None
) -> tuple[pd.DataFrame, bool]:
    articles = tables.articles
    # The same article listed twice (e.g. in a tasks file and an export) is one row here; texts
    # are compared by digest (hashing the arrow buffer, no string hash table).
    raw = text_digests(articles["text"]) if digests is None else digests
    dedupe = articles[["article_id", "split"]].assign(digest=raw)
    art = articles[~dedupe.duplicated(keep="first").to_numpy()].copy()
    has_split = art["split"].notna()
    art["text_key"] = None
    art["near_key"] = None
    near = False
    dup_checks = config.enabled("no_cross_split_duplicate") or config.enabled("no_cross_split_near_duplicate")
    if dup_checks and has_split.any() and art.loc[has_split, "split"].nunique() > 1:
        # An article id in two splits is one_split_per_article's finding, not a duplicate text.
        multi = art.groupby("article_id")["split"].transform("nunique") > 1
        keyed = has_split & ~multi
        art.loc[keyed, "text_key"] = exact_keys(_rows(art["text"], keyed)).to_numpy()
        exact_cross = art[keyed].groupby("text_key")["split"].transform("nunique") > 1
        if config.enabled("no_cross_split_near_duplicate"):
            near = True
            # Exact duplicates are reported once, as exact duplicates.
            # They still take part in the clustering, so that a near-duplicate of one of them
            # is found (skip_col), but only the other rows of a cluster are reported as near.
            art["exact_dup"] = False
            art.loc[exact_cross[exact_cross].index, "exact_dup"] = True
            near_rows = keyed
            art.loc[near_rows, "near_key"] = near_duplicate_keys(
                _rows(art["text"], near_rows), groups=art.loc[near_rows, "split"]
            ).to_numpy()
    expected = tables.expected_splits
    art["expected_split"] = art["article_id"].map(expected) if expected else None
    art["expected_source"] = tables.expected_split_source or None
    # Articles without a split (tasks, exports) are not part of split checks.
    art["split"] = art["split"].where(has_split, None)
    art.loc[~has_split, "expected_split"] = None
    return art, near
