"""``export build --engine ray``: the build's per-article stage on a Ray cluster; the release is
byte for byte the local engine's.

Ray is an optional extra (``stancebank[ray]``), imported only here and only when this engine is
asked for (:mod:`stancebank.schema.raycluster`). The driver reads the exports, plans the splits
and writes the card, the manifest and the review files as the local engine does
(:func:`stancebank.export.release.build_release`); this engine decides where the articles'
stage runs:

1. **adjudicate, agreement, rows** — the annotated articles are split into ``partitions`` blocks
   (contiguous in id order, or scattered at random for tests); a Ray task per block runs
   :func:`~stancebank.export.stages.article_stage` on each of its articles. It returns the
   articles' results without their rows (and each one's row counts) to the driver, and keeps the
   rows in the object store, one object per config and split.
2. **fold** — the driver folds the results in article-id order into
   :class:`~stancebank.export.stages.Totals`: integer counters, and the agreement table, whose
   per-article integer counts are appended in id order, so α and F1 (and their bootstrap
   intervals) come out bit-identical.
3. **write** — each config's split is cut into shards of ``shard_rows`` rows in id order (N from
   its row count alone); a Ray task per shard fetches the rows of its articles and writes the
   shard through :func:`~stancebank.export.writers.write_shard` (a temporary name, then a rename),
   handing it the rows in the same pieces the local writer gets, hence the same row groups and
   bytes.

Annotator pseudonyms are computed on the driver: workers get each block's identity → pseudonym
table, never the pseudonym key. Ray retries a task whose worker died (``max_retries``); every
task is a pure function of its inputs, so a retried one writes the same bytes.
"""

from __future__ import annotations

import functools
import logging
import random
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from stancebank.export.agreement import AgreementAccumulator
from stancebank.export.errors import ExportError
from stancebank.export.rows import Encoder, Row
from stancebank.export.stages import (
    ArticleEngine,
    ArticleInput,
    ArticleJob,
    ArticleResult,
    StageContext,
    Written,
    article_stage,
)
from stancebank.export.writers import write_shard
from stancebank.schema.errors import ExitCode
from stancebank.schema.features import CONFIGS, dataset_features
from stancebank.schema.layout import shard_count
from stancebank.schema.raycluster import import_ray, start_ray
from stancebank.schema.raycluster import kill_once as kill_marker
from stancebank.schema.spec import SPLITS

log = logging.getLogger(__name__)

# one object per config and split in each block's output, after the results
PARTS = tuple((c, s) for c in CONFIGS for s in SPLITS)
RETRIES = 3  # a task whose worker died is run again this many times


class RayUnavailableError(ExportError):
    """``--engine ray`` without Ray installed."""

    exit_code = ExitCode.USAGE


@dataclass(frozen=True)
class RayOptions:
    """Where the stages run; none of it changes the release."""

    partitions: int | None = None  # blocks of articles (default: 4 per CPU, at most one per article)
    num_cpus: int | None = None  # CPUs of a local cluster started here (default: all)
    address: str | None = None  # an existing cluster (default: RAY_ADDRESS, else a local one)
    scatter_seed: int | None = None  # scatter the articles over the blocks at random (tests)
    # tests of Ray's retries: the first block task that finds no file here creates it and kills
    # its own worker process (SIGKILL); Ray runs the task again on another worker
    kill_once: str | None = None


# -- tasks run on the workers (module level: Ray ships them by reference) ------------------------
BlockOutput = tuple[list[ArticleResult], dict[tuple[str, str], dict[str, list[Row]]]]


def _stage_block(items: Sequence[ArticleInput], ctx: StageContext, kill_once: str | None) -> list[Any]:
    """Stage 1 for one block: the results without their rows, the number of rows of each article
    per config and split, then one rows object per config and split (article id → its rows)."""
    kill_marker(kill_once)
    enc = Encoder(ctx.spec)
    agreement = AgreementAccumulator(ctx.spec)
    results: list[ArticleResult] = []
    parts: dict[tuple[str, str], dict[str, list[Row]]] = {p: {} for p in PARTS}
    for item in items:
        result = article_stage(item, ctx, enc, agreement)
        for config, rows in result.rows.items():
            if rows:
                parts[(config, result.split)][item.article_id] = rows
        results.append(replace(result, rows={c: [] for c in CONFIGS}))
    sizes = [{a: len(rows) for a, rows in parts[p].items()} for p in PARTS]
    return [results, sizes, *(parts[p] for p in PARTS)]


def _write_shard_task(
    root: str,
    config: str,
    split: str,
    shard: int,
    count: int,
    spec: Any,
    pieces: Sequence[tuple[int, str, int, int]],
    *blocks: dict[str, list[Row]],
) -> tuple[int, int]:
    """Stage 3 for one shard: ``pieces`` are (block, article id, first row, end row) in id order."""
    schema = dataset_features(spec)[config].arrow_schema
    parts = (blocks[b][article_id][lo:hi] for b, article_id, lo, hi in pieces)
    return write_shard(Path(root), config, split, shard, count, schema, parts)


# -- the driver ---------------------------------------------------------------------------------
def _blocks(ids: list[str], count: int, seed: int | None) -> list[list[str]]:
    """``ids`` (sorted) in ``count`` blocks: contiguous runs, or scattered at random by ``seed``;
    each block in id order."""
    order = list(ids)
    if seed is not None:
        random.Random(seed).shuffle(order)
    size = -(-len(order) // count) if order else 1
    return [sorted(order[i : i + size]) for i in range(0, len(order), size)]


def run_ray(job: ArticleJob, options: RayOptions | None = None) -> Written:
    """The per-article pass of ``job`` on Ray (see the module docstring)."""
    options = options or RayOptions()
    ray = import_ray(RayUnavailableError)
    start_ray(ray, options.address, options.num_cpus)
    stage = ray.remote(num_returns=2 + len(PARTS), max_retries=RETRIES)(_stage_block)
    writer = ray.remote(max_retries=RETRIES)(_write_shard_task)
    data, spec = job.data, job.ctx.spec
    ids = sorted(data.annotations)
    cpus = int(ray.cluster_resources().get("CPU", 1))
    count = max(1, min(len(ids), options.partitions or 4 * cpus))
    blocks = _blocks(ids, count, options.scatter_seed)
    log.info("ray: %d annotated articles in %d blocks on %d CPUs", len(ids), len(blocks), cpus)

    # 1. adjudicate, agreement statistics and rows, a block per task
    outputs: list[list[Any]] = []
    for block in blocks:
        items = []
        names: dict[str, str] = {}
        for article_id in block:
            anns = tuple(data.annotations[article_id])
            for a in anns:
                if a.annotator not in names:
                    names[a.annotator] = job.ctx.pseudonym(a.annotator)
            items.append(
                ArticleInput(article_id, job.plan.split_for(article_id), data.articles[article_id], anns)
            )
        ctx = StageContext(spec, job.ctx.policy, names.__getitem__)
        outputs.append(stage.remote(items, ctx, options.kill_once))
    where: dict[str, int] = {}
    results: dict[str, ArticleResult] = {}
    sizes: list[dict[tuple[str, str], dict[str, int]]] = []
    for b, out in enumerate(outputs):
        got, block_sizes = ray.get(out[:2])
        for result in got:
            results[result.article_id] = result
            where[result.article_id] = b
        sizes.append(dict(zip(PARTS, block_sizes, strict=True)))

    # 2. fold in article-id order on the driver; the rows stay in the object store
    row_counts: dict[tuple[str, str], list[tuple[str, int]]] = {p: [] for p in PARTS}
    part_index = {p: i for i, p in enumerate(PARTS)}
    for article_id in ids:
        result = results.pop(article_id)
        job.totals.add(result, data)
        for config in CONFIGS:
            n = sizes[where[article_id]][(config, result.split)].get(article_id, 0)
            if n:
                row_counts[(config, result.split)].append((article_id, n))
        job.on_article()

    # 3. one task per shard: rows cut in id order, shard_rows a shard
    pending = []
    for (config, split), counted in row_counts.items():
        total = sum(n for _, n in counted)
        if not total:
            continue
        n_shards = shard_count(total, job.shard_rows)
        plan: list[list[tuple[int, str, int, int]]] = [[] for _ in range(n_shards)]
        offset = 0
        for article_id, n in counted:
            lo = 0
            while lo < n:
                k = (offset + lo) // job.shard_rows
                hi = min(n, (k + 1) * job.shard_rows - offset)
                plan[k].append((where[article_id], article_id, lo, hi))
                lo = hi
            offset += n
        for k, pieces in enumerate(plan):
            used = sorted({b for b, *_ in pieces})
            local = {b: i for i, b in enumerate(used)}
            refs = [outputs[b][2 + part_index[(config, split)]] for b in used]
            renumbered = [(local[b], a, lo, hi) for b, a, lo, hi in pieces]
            pending.append(
                (
                    (config, split),
                    writer.remote(str(job.root), config, split, k, n_shards, spec, renumbered, *refs),
                )
            )
    counts = {c: dict.fromkeys(SPLITS, 0) for c in CONFIGS}
    num_bytes = {c: dict.fromkeys(SPLITS, 0) for c in CONFIGS}
    for (config, split), ref in pending:
        rows, nbytes = ray.get(ref)
        counts[config][split] += rows
        num_bytes[config][split] += nbytes
    return Written({c: {s: n for s, n in counts[c].items() if n} for c in CONFIGS}, num_bytes)


def ray_engine(options: RayOptions | None = None) -> ArticleEngine:
    """The engine to hand :func:`~stancebank.export.release.build_release`."""
    return functools.partial(run_ray, options=options)
