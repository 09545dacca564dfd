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
2. :func:`band_entries` — the band bucket entries (``(band, key)`` → distinct text) of a batch,
   the texts' shingle sets travelling with them; :meth:`BandEntries.split` parts them by bucket and
   :func:`merge_entries` gathers a part's pieces from every batch;
3. :func:`verified_edges` — wherever a set of buckets is gathered: the pairs of texts sharing a
   bucket whose exact Jaccard is ≥ the threshold, the near-duplicate **edges** between distinct
   clean texts (identical texts are joined by their hash). Any grouping of the buckets gives the
   same edges, and only the edges leave the place where they were verified;
4. :func:`resolve` — the rule above over the articles in order, given the edges. An article
   whose id and text are unique and that has no edge is kept and affects no other article, so
   :func:`resolve` may be given only the *involved* articles — the set :func:`involved` defines.

A distributed engine need not form the edges at all: an article that shares no bucket, id or
text with another is kept and decides no other article's fate, so :func:`resolve_in_order` over
the articles that do (:func:`crowded_texts` finds those of a bucket partition without forming a
pair) gives the same decisions as over all. The Ray engine does that (``tasks/engine_ray.py``;
its releases are tested byte-identical).

The local engine runs steps 2 to 4 as one: :func:`resolve_in_order` compares each article only
with the kept texts sharing a bucket with it (the same decisions, tested), so that thousands of
templated near-copies cost one comparison each, not one per pair.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

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


@dataclass(frozen=True)
class Candidate:
    """What the rule needs of one article."""

    order: int  # its place in the canonical order
    article_id: str
    text_sha256: str
    where: str  # its origin, as reported


Edge = tuple[str, str, float]  # text hash, text hash (smaller first), Jaccard


@dataclass(frozen=True)
class BandEntries:
    """Distinct texts, each with the candidate of an article that has it (the earliest given), and
    their LSH bucket entries: entry ``e`` puts text ``members[e]`` in bucket ``(bands[e], keys[e])``.
    The texts' shingle sets travel with them, so that any set of buckets is verified where it is
    gathered (:func:`verified_edges`): a distributed engine splits a block's entries by bucket
    (:meth:`split`), gathers each part's pieces from every block (:func:`merge_entries`) and sends
    on only the verified edges."""

    texts: list[Candidate]
    sets: U64  # text i's sorted unique shingle hashes: sets[bounds[i]:bounds[i + 1]]
    bounds: I64
    bands: I64
    keys: U64
    members: I64

    def split(self, parts: int) -> list[BandEntries]:
        """The entries of each of ``parts`` bucket partitions (by band key modulo ``parts``: the same
        for every block), each with the texts it names."""
        part = (self.keys % np.uint64(parts)).astype(np.int64)
        return [self._subset(part == p) for p in range(parts)]

    def _subset(self, chosen: npt.NDArray[np.bool_]) -> BandEntries:
        used, local = np.unique(self.members[chosen], return_inverse=True)
        sets, bounds = _selected(self.sets, self.bounds, used)
        return BandEntries(
            [self.texts[i] for i in used.tolist()],
            sets,
            bounds,
            self.bands[chosen],
            self.keys[chosen],
            local.astype(np.int64).reshape(-1),
        )


def _selected(sets: U64, bounds: I64, chosen: I64) -> tuple[U64, I64]:
    """The sets ``chosen`` (ascending) of ``sets`` laid out by ``bounds``, in the same layout."""
    sizes = np.diff(bounds)
    wanted = np.zeros(sizes.size, dtype=np.bool_)
    wanted[chosen] = True
    out = np.zeros(chosen.size + 1, dtype=np.int64)
    np.cumsum(sizes[chosen], out=out[1:])
    return sets[np.repeat(wanted, sizes)], out


def _packed(sets: Sequence[U64]) -> tuple[U64, I64]:
    """Sets one after the other, and their bounds."""
    bounds = np.zeros(len(sets) + 1, dtype=np.int64)
    np.cumsum([s.size for s in sets], out=bounds[1:])
    return np.concatenate([np.zeros(0, dtype=np.uint64), *sets]), bounds


def band_entries(
    candidates: Sequence[Candidate], sketches: Sequence[Sketch], config: NearDuplicateConfig = NEAR_DUPLICATES
) -> BandEntries:
    """The bucket entries of articles: one per band of each distinct text that has a word."""
    chosen = _earliest(candidates, [bool(sk.keys) for sk in sketches])
    sets, bounds = _packed([sketches[i].shingle_set() for i in chosen])
    return BandEntries(
        [candidates[i] for i in chosen],
        sets,
        bounds,
        np.tile(np.arange(config.bands, dtype=np.int64), len(chosen)),
        np.array([sketches[i].keys for i in chosen], dtype=np.uint64).reshape(-1),
        np.repeat(np.arange(len(chosen), dtype=np.int64), config.bands),
    )


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


def merge_entries(parts: Sequence[BandEntries]) -> BandEntries:
    """Pieces of entries (e.g. one bucket partition's, from every block) as one, each text once
    (with its earliest article)."""
    texts = [c for p in parts for c in p.texts]
    keep = _earliest(texts, [True] * len(texts))
    position = {texts[i].text_sha256: k for k, i in enumerate(keep)}
    renumber = np.array([position[c.text_sha256] for c in texts], dtype=np.int64).reshape(-1)
    offsets = np.cumsum([0] + [len(p.texts) for p in parts])[:-1].tolist()
    set_offsets = np.cumsum([0] + [p.sets.size for p in parts])[:-1].tolist()
    all_bounds = np.concatenate(
        [np.zeros(1, dtype=np.int64)]
        + [p.bounds[1:] + off for p, off in zip(parts, set_offsets, strict=True)]
    )
    sets, bounds = _selected(
        np.concatenate([np.zeros(0, dtype=np.uint64), *(p.sets for p in parts)]),
        all_bounds,
        np.array(keep, dtype=np.int64),
    )
    members = [renumber[off + p.members] for p, off in zip(parts, offsets, strict=True)]
    return BandEntries(
        [texts[i] for i in keep],
        sets,
        bounds,
        np.concatenate([np.zeros(0, dtype=np.int64), *(p.bands for p in parts)]),
        np.concatenate([np.zeros(0, dtype=np.uint64), *(p.keys for p in parts)]),
        np.concatenate([np.zeros(0, dtype=np.int64), *members]),
    )


def verified_edges(entries: BandEntries, config: NearDuplicateConfig = NEAR_DUPLICATES) -> list[Edge]:
    """The near-duplicate edges among the entries' texts (steps 2 and 3): every two texts that share
    a bucket (:func:`~stancebank.schema.neardup.bucket_pairs`) and pass the exact Jaccard check
    (:func:`~stancebank.schema.neardup.near_duplicate_pairs`), sorted."""
    n = len(entries.texts)
    codes = bucket_pairs(entries.bands, entries.keys, entries.members, n)
    first, second = codes // n, codes % n
    at, similarities = near_duplicate_pairs(entries.sets, entries.bounds, first, second, config)
    edges: list[Edge] = []
    for a, b, sim in zip(first[at].tolist(), second[at].tolist(), similarities, strict=True):
        ha, hb = entries.texts[a].text_sha256, entries.texts[b].text_sha256
        edges.append((min(ha, hb), max(ha, hb), sim))
    return sorted(edges)


def crowded_texts(entries: BandEntries) -> list[Candidate]:
    """The texts of ``entries`` that share a bucket with another text, each once, in the entries'
    order: the only texts :func:`resolve_in_order` may compare with another. A sort of the entries,
    however crowded the buckets (no pair is formed); a text given twice in one bucket (by two
    pieces of a merge) does not crowd it."""
    if entries.members.size == 0:
        return []
    columns = (entries.bands.astype(np.uint64), entries.keys, entries.members.astype(np.uint64))
    rows = np.unique(np.stack(columns, axis=1), axis=0)  # (band, key, text), each once, sorted
    same = np.all(rows[1:, :2] == rows[:-1, :2], axis=1)  # row i + 1 is in row i's bucket
    shared = np.zeros(rows.shape[0], dtype=np.bool_)
    shared[1:] |= same
    shared[:-1] |= same
    return [entries.texts[i] for i in np.unique(rows[shared, 2]).tolist()]


def near_edges(
    candidates: Sequence[Candidate], sketches: Sequence[Sketch], config: NearDuplicateConfig = NEAR_DUPLICATES
) -> list[Edge]:
    """All near-duplicate edges of a set of articles in one process."""
    return verified_edges(band_entries(candidates, sketches, config), config)


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
