"""Exact and near duplicates of a build, as pure functions over batches (both engines call them).

The rule (what ``tasks build`` has always done, now independent of how the articles are batched):
articles are taken in the build's canonical order (input files sorted by path, records in file
order). An article is a **duplicate** when an earlier *kept* article has its id or its clean text
(it is built once, under the first one); else a **near-duplicate** when an earlier kept article
is its near-duplicate by :mod:`stancebank.schema.neardup` (shares a MinHash band key and has a
shingle Jaccard ≥ 0.9) — it is named after the most similar such article, the earliest among
equals, and left out unless near-duplicates are kept. Everything else is kept.

The work is split so that only the last step needs all decisions in one place:

1. :func:`sketch_texts` — per batch of articles: each text's LSH band keys and shingle set;
2. :func:`bucket_rows` / :func:`bucket_pairs` — the band buckets (``(band, key)`` → distinct text
   hashes) and the candidate pairs of each bucket; any grouping by bucket key gives the same pairs;
3. :func:`verify_pairs` — each candidate pair's exact Jaccard, kept when ≥ the threshold: the
   near-duplicate **edges** between distinct clean texts (identical texts are joined by their hash);
4. :func:`resolve` — the rule above over the articles in order, given the edges. An article
   whose id and text are unique and that has no edge is kept and affects no other article, so a
   distributed engine passes :func:`resolve` only the *involved* articles (:func:`involved`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from stancebank.schema.neardup import NEAR_DUPLICATES, U64, NearDuplicateConfig, jaccard, sketch


@dataclass(frozen=True)
class Sketch:
    """One text's part of the near-duplicate definition."""

    keys: tuple[int, ...]  # its band keys (none when the text has no word: nobody's near-duplicate)
    shingles: bytes  # its sorted unique shingle hashes (uint64, little-endian)

    def shingle_set(self) -> U64:
        return np.frombuffer(self.shingles, dtype="<u8").astype(np.uint64)


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


Bucket = tuple[int, int]  # (band, key)


def bucket_rows(text_hash: str, sk: Sketch) -> list[tuple[Bucket, str]]:
    """The buckets one text falls in (one per band)."""
    return [((band, key), text_hash) for band, key in enumerate(sk.keys)]


def bucket_pairs(hashes: Iterable[str]) -> list[tuple[str, str]]:
    """The candidate pairs of one bucket: every two distinct text hashes in it, ``(smaller, larger)``."""
    distinct = sorted(set(hashes))
    return [(a, b) for i, a in enumerate(distinct) for b in distinct[i + 1 :]]


Edge = tuple[str, str, float]  # text hash, text hash (smaller first), Jaccard


def verify_pairs(
    pairs: Iterable[tuple[str, str]],
    shingles: Mapping[str, Sketch],
    config: NearDuplicateConfig = NEAR_DUPLICATES,
) -> list[Edge]:
    """The candidate pairs that are near-duplicates (exact Jaccard ≥ the threshold), sorted."""
    sets: dict[str, U64] = {}

    def get(h: str) -> U64:
        found = sets.get(h)
        if found is None:
            found = sets[h] = shingles[h].shingle_set()
        return found

    edges = []
    for a, b in sorted(set(pairs)):
        sim = jaccard(get(a), get(b))
        if sim >= config.jaccard:
            edges.append((a, b, sim))
    return edges


def near_edges(
    hashes: Sequence[str], sketches: Sequence[Sketch], config: NearDuplicateConfig = NEAR_DUPLICATES
) -> list[Edge]:
    """All near-duplicate edges of a set of texts in one process (steps 2 and 3 in memory)."""
    buckets: dict[Bucket, list[str]] = defaultdict(list)
    by_hash: dict[str, Sketch] = {}
    for h, sk in zip(hashes, sketches, strict=True):
        if h in by_hash:
            continue
        by_hash[h] = sk
        for bucket, member in bucket_rows(h, sk):
            buckets[bucket].append(member)
    pairs = {p for members in buckets.values() if len(members) > 1 for p in bucket_pairs(members)}
    return verify_pairs(pairs, by_hash, config)


@dataclass(frozen=True)
class Candidate:
    """What the rule needs of one article."""

    order: int  # its place in the canonical order
    article_id: str
    text_sha256: str
    where: str  # its origin, as reported


@dataclass(frozen=True)
class Decision:
    """An article not kept as is: ``kind`` "duplicate" or "near-duplicate" of ``of``."""

    order: int
    kind: str
    of: str
    similarity: float
    kept: bool  # a near-duplicate kept (--keep-near-duplicates)


def involved(candidates: Iterable[Candidate], edges: Iterable[Edge]) -> set[int]:
    """The orders of the articles that share an id or a text with another, or have an edge."""
    ids: dict[str, list[int]] = defaultdict(list)
    texts: dict[str, list[int]] = defaultdict(list)
    for c in candidates:
        ids[c.article_id].append(c.order)
        texts[c.text_sha256].append(c.order)
    linked = {h for a, b, _ in edges for h in (a, b)}
    out: set[int] = set()
    for orders in ids.values():
        if len(orders) > 1:
            out.update(orders)
    for h, orders in texts.items():
        if len(orders) > 1 or h in linked:
            out.update(orders)
    return out


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
        if c.article_id in kept_ids:
            decisions.append(Decision(c.order, "duplicate", c.article_id, 1.0, False))
            continue
        same = kept_text.get(c.text_sha256)
        if same is not None:
            decisions.append(Decision(c.order, "duplicate", same, 1.0, False))
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
