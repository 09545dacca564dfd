"""Exact and near duplicates of a build, as pure functions over batches (both engines call them).

The rule (what ``tasks build`` has always done, now independent of how the articles are batched):
articles are taken in the build's canonical order (input files sorted by path, records in file
order). An article is a **duplicate** when an earlier *kept* article has its id or its clean text
(it is built once, under the first one); else a **near-duplicate** when an earlier kept article
is its near-duplicate by :mod:`stancebank.schema.neardup` (shares a MinHash band key and has a
shingle Jaccard ≥ 0.9) — it is named after the most similar such article, the earliest among
equals, and left out unless near-duplicates are kept. Everything else is kept.

1. :func:`sketch_texts` — per batch of articles: each text's LSH band keys and shingle set;
2. :func:`bucket_entries` and :func:`sharing_a_bucket` — the *involved* articles: an article is
   in a bucket per band key, one for its id and one for its clean text; one that shares none of
   them with another article is kept and decides no other article's fate, so the rule may be
   given only the articles that share one. The entries may be split by bucket and gathered from
   any batches (a distributed engine does that: ``tasks/engine_ray.py``); finding who shares a
   bucket is a sort, however crowded the buckets (no pair is formed);
3. :func:`resolve_in_order` — the rule over articles in order (all of them, or the involved ones:
   the same decisions, tested): each article is compared only with the *kept* texts sharing a
   bucket with it, so that thousands of templated near-copies cost one comparison each, not one
   per pair. With near-duplicates kept every pair counts: it is :func:`resolve` over
   :func:`near_edges`, the verified near-duplicate pairs (**edges**) of distinct texts.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from stancebank.schema.neardup import (
    I64,
    NEAR_DUPLICATES,
    U64,
    NearDuplicateConfig,
    bucket_pairs,
    jaccard,
    near_duplicate_pairs,
    sketch,
)


@dataclass(frozen=True)
class Sketch:
    """One text's part of the near-duplicate definition."""

    keys: tuple[int, ...]  # its band keys (none when the text has no word: nobody's near-duplicate)
    shingles: bytes  # its sorted unique shingle hashes (uint64, little-endian)

    def shingle_set(self) -> U64:
        """The shingle set, read-only and without a copy (on a little-endian machine)."""
        return np.frombuffer(self.shingles, dtype="<u8").astype(np.uint64, copy=False)


def sketch_texts(texts: Sequence[str], config: NearDuplicateConfig = NEAR_DUPLICATES) -> list[Sketch]:
    """The sketches of a batch of texts (the same whatever the batch: see ``schema.neardup``)."""
    sk = sketch(texts, config)
    out: list[Sketch] = []
    for i in range(len(texts)):
        if not sk.has_shingles(i):
            out.append(Sketch((), b""))
            continue
        out.append(Sketch(tuple(sk.keys[i].tolist()), sk.shingle_set(i).astype("<u8").tobytes()))
    return out


@dataclass(frozen=True)
class Candidate:
    """What the rule needs of one article."""

    order: int  # its place in the canonical order
    article_id: str
    text_sha256: str
    where: str  # its origin, as reported


Edge = tuple[str, str, float]  # text hash, text hash (smaller first), Jaccard

_ID, _TEXT, _BAND = 0, 1, 2  # bucket kinds: an article's id, its clean text, band b's key (2 + b)


def bucket_entries(candidates: Sequence[Candidate], sketches: Sequence[Sketch]) -> U64:
    """The buckets the articles are in, a row ``(kind, key, order)`` per article and bucket: one
    per band key (kind 2 + band), one for its id and one for its text hash (kinds 0 and 1, keyed
    by a 64-bit hash: a collision only adds an article that need not be there, which changes no
    decision)."""
    rows: list[tuple[int, int, int]] = []
    for c, sk in zip(candidates, sketches, strict=True):
        rows.append((_ID, _hash64(c.article_id), c.order))
        rows.append((_TEXT, _hash64(c.text_sha256), c.order))
        rows.extend((_BAND + band, key, c.order) for band, key in enumerate(sk.keys))
    return np.array(rows, dtype=np.uint64).reshape(-1, 3)


def _hash64(value: str) -> int:
    return int.from_bytes(hashlib.blake2b(value.encode("utf-8"), digest_size=8).digest(), "little")


def sharing_a_bucket(entries: U64) -> I64:
    """The orders (sorted, each once) of the articles that share a bucket of ``entries`` (rows of
    :func:`bucket_entries`, gathered from anywhere) with another article: the only articles
    :func:`resolve_in_order` needs. A sort, however crowded the buckets (no pair is formed)."""
    rows: U64 = entries[np.lexsort((entries[:, 1], entries[:, 0]))]
    same = np.all(rows[1:, :2] == rows[:-1, :2], axis=1)  # row i + 1 is in row i's bucket
    shared = np.zeros(rows.shape[0], dtype=np.bool_)
    shared[1:] |= same
    shared[:-1] |= same
    orders: I64 = np.unique(rows[shared, 2]).astype(np.int64)
    return orders


def near_edges(
    candidates: Sequence[Candidate], sketches: Sequence[Sketch], config: NearDuplicateConfig = NEAR_DUPLICATES
) -> list[Edge]:
    """The near-duplicate edges among the articles' distinct clean texts (identical texts are joined
    by their hash), sorted: every two texts that share a bucket
    (:func:`~stancebank.schema.neardup.bucket_pairs`) and pass the exact Jaccard check
    (:func:`~stancebank.schema.neardup.near_duplicate_pairs`)."""
    chosen = _earliest(candidates, [bool(sk.keys) for sk in sketches])  # a text with a word, once
    n = len(chosen)
    codes = bucket_pairs(
        np.tile(np.arange(config.bands, dtype=np.int64), n),
        np.array([sketches[i].keys for i in chosen], dtype=np.uint64).reshape(-1),
        np.repeat(np.arange(n, dtype=np.int64), config.bands),
        n,
    )
    first, second = codes // n, codes % n
    sets, bounds = _packed([sketches[i].shingle_set() for i in chosen])
    at, similarities = near_duplicate_pairs(sets, bounds, first, second, config)
    edges: list[Edge] = []
    for a, b, sim in zip(first[at].tolist(), second[at].tolist(), similarities, strict=True):
        ha, hb = candidates[chosen[a]].text_sha256, candidates[chosen[b]].text_sha256
        edges.append((min(ha, hb), max(ha, hb), sim))
    return sorted(edges)


def _packed(sets: Sequence[U64]) -> tuple[U64, I64]:
    """Sets one after the other, and their bounds."""
    bounds = np.zeros(len(sets) + 1, dtype=np.int64)
    np.cumsum([s.size for s in sets], out=bounds[1:])
    return np.concatenate([np.zeros(0, dtype=np.uint64), *sets]), bounds


def _earliest(candidates: Sequence[Candidate], wanted: Sequence[bool]) -> list[int]:
    """The positions of the earliest candidate (by order) of each text hash among the wanted ones,
    ascending."""
    first: dict[str, int] = {}
    for i, c in enumerate(candidates):
        if wanted[i]:
            seen = first.get(c.text_sha256)
            if seen is None or c.order < candidates[seen].order:
                first[c.text_sha256] = i
    return sorted(first.values())


@dataclass(frozen=True)
class Decision:
    """An article not kept as is: ``kind`` "duplicate" or "near-duplicate" of ``of``."""

    order: int
    kind: str
    of: str
    similarity: float
    kept: bool  # a near-duplicate kept (--keep-near-duplicates)


def _exact_duplicate(c: Candidate, kept_ids: set[str], kept_text: dict[str, str]) -> Decision | None:
    """The rule's first two cases: an article with a kept article's id, or with a kept article's
    clean text, is a duplicate of it."""
    if c.article_id in kept_ids:
        return Decision(c.order, "duplicate", c.article_id, 1.0, False)
    same = kept_text.get(c.text_sha256)
    return None if same is None else Decision(c.order, "duplicate", same, 1.0, False)


def resolve_in_order(
    candidates: Sequence[Candidate],
    sketches: Sequence[Sketch],
    keep_near: bool,
    config: NearDuplicateConfig = NEAR_DUPLICATES,
) -> list[Decision]:
    """:func:`resolve` over :func:`near_edges` (the same decisions, tested), in one process without
    gathering every edge first: when near-duplicates are left out, an article is compared only with
    the *kept* texts that share a bucket with it, and those are all the rule asks about. A corpus
    of templated pages (thousands of near-copies of one text) then costs one comparison per copy,
    not one per pair of copies. When near-duplicates are kept every article is kept, every edge
    counts, and this is :func:`resolve` over :func:`near_edges`."""
    if keep_near:
        return resolve(candidates, near_edges(candidates, sketches, config), keep_near)
    buckets: dict[tuple[int, int], list[int]] = defaultdict(list)  # (band, key) → kept positions
    kept_sets: dict[int, U64] = {}  # kept position → its shingle set
    kept_ids: set[str] = set()
    kept_text: dict[str, str] = {}  # text hash → the kept article with that text
    decisions: list[Decision] = []
    for i in sorted(range(len(candidates)), key=lambda i: candidates[i].order):
        c, keys = candidates[i], sketches[i].keys
        duplicate = _exact_duplicate(c, kept_ids, kept_text)
        if duplicate is not None:
            decisions.append(duplicate)
            continue
        near = sorted({k for band, key in enumerate(keys) for k in buckets.get((band, key), ())})
        best: tuple[int, float, str] | None = None  # (order, similarity, id): most similar, then earliest
        if near:
            mine = sketches[i].shingle_set()
            for k in near:
                sim = jaccard(mine, kept_sets[k])
                other = candidates[k]
                if sim >= config.jaccard and (
                    best is None or sim > best[1] or (sim == best[1] and other.order < best[0])
                ):
                    best = (other.order, sim, other.article_id)
        if best is not None:
            decisions.append(Decision(c.order, "near-duplicate", best[2], best[1], False))
            continue
        kept_ids.add(c.article_id)
        kept_text[c.text_sha256] = c.article_id
        if keys:
            kept_sets[i] = sketches[i].shingle_set()
            for band, key in enumerate(keys):
                buckets[(band, key)].append(i)
    return decisions


def resolve(candidates: Iterable[Candidate], edges: Iterable[Edge], keep_near: bool) -> list[Decision]:
    """The module's rule over articles in canonical order (any superset of the involved ones):
    the decisions for those not kept as is, in order."""
    neighbours: dict[str, list[tuple[str, float]]] = defaultdict(list)
    for a, b, sim in edges:
        neighbours[a].append((b, sim))
        neighbours[b].append((a, sim))
    kept_ids: set[str] = set()
    kept_text: dict[str, str] = {}  # text hash -> the first kept article with that text
    kept_of_text: dict[str, list[tuple[int, str]]] = defaultdict(list)  # text hash -> kept (order, id)
    decisions: list[Decision] = []
    for c in sorted(candidates, key=lambda c: c.order):
        duplicate = _exact_duplicate(c, kept_ids, kept_text)
        if duplicate is not None:
            decisions.append(duplicate)
            continue
        best: tuple[int, float, str] | None = None  # (order, similarity, id): most similar, then earliest
        for other, sim in neighbours.get(c.text_sha256, ()):
            for order, article_id in kept_of_text.get(other, ()):
                if best is None or sim > best[1] or (sim == best[1] and order < best[0]):
                    best = (order, sim, article_id)
        if best is not None:
            decisions.append(Decision(c.order, "near-duplicate", best[2], best[1], keep_near))
            if not keep_near:
                continue
        kept_ids.add(c.article_id)
        kept_text.setdefault(c.text_sha256, c.article_id)
        kept_of_text[c.text_sha256].append((c.order, c.article_id))
    return decisions
