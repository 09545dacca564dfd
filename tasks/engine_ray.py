"""``tasks build --engine ray``: the build's stages (:mod:`stancebank.tasks.build`,
:mod:`stancebank.tasks.dedup`) run on a Ray cluster with Ray Data; the output is byte for byte
the local engine's.

Ray is an optional extra (``stancebank[ray]``), imported only here and only when this engine is
asked for. Where each stage runs:

1. **read, clean, identify, sketch** — the input files, in canonical order (sorted by path, each
   numbered), are cut into ``partitions`` contiguous blocks of about equal size in bytes; a Ray
   task per block runs :func:`~stancebank.tasks.build.read_prepare` and
   :func:`~stancebank.tasks.dedup.sketch_texts`. Its entries stay in the object store (handed to
   Ray Data as one block each, ``from_pandas_refs``); what it reports (rejects, warnings) goes
   to the driver.
2. **the involved articles, found where the buckets meet** — the same task keeps its articles'
   sketches (band keys and shingle set, :class:`~stancebank.tasks.dedup.Sketch`) in the object
   store and splits its bucket entries (:func:`~stancebank.tasks.dedup.bucket_entries`: three
   integers per article and bucket — each band key, its id, its text) into partitions by key. A
   Ray task per partition gathers its part from every block (a plain Ray shuffle: each read task
   returns one array per partition) and returns the canonical numbers of its *involved*
   articles, those sharing one of its buckets with another article
   (:func:`~stancebank.tasks.dedup.sharing_a_bucket`, a sort: no pair is formed or verified
   there). The driver joins them (an article is in up to 10 buckets, so in several partitions)
   and a Ray task per read block returns the involved articles' candidates and sketches.
3. **the keep rule** on the driver: :func:`~stancebank.tasks.dedup.resolve_in_order` over the
   involved articles alone, the local engine's function: each article is compared only with the
   *kept* texts sharing a bucket with it, so thousands of templated near-copies cost one
   comparison each, not one per pair. The decisions are the local engine's: an article that
   shares no bucket, id or text with another is always kept and never decides another's fate, so
   the in-order rule over the involved subset decides as it does over all (and ``resolve_in_order``
   equals :func:`~stancebank.tasks.dedup.resolve` over every verified edge, tested). This is the
   one part that does not scale out: the driver's memory grows with the involved articles'
   candidates and shingle sets (8 bytes per distinct shingle: ~5.7 GB per million involved
   500-word articles, ``bench_ray.py --driver-only``), not the corpus; with
   ``--keep-near-duplicates`` every edge among them counts and ``resolve_in_order`` forms and
   verifies them all, as the local engine does, serially on the driver.
4. **pre-annotation** — an actor pool (``map_batches`` with a class holding one spaCy model per
   actor) annotates the kept English articles, handed out in blocks of a few batches so that no
   actor is left alone with a long last block; :func:`~stancebank.tasks.build.annotated_task`
   checks each prediction and makes the task, encoded as the local writer encodes it.
5. **writing** — the kept articles' canonical numbers give each its shard (``shard_size`` per
   shard, N from the data); a shuffle groups by shard and each group is written sorted, through a
   temporary name and a rename. A ``.json`` output is those shards joined on the driver, streamed.

``RAY_ADDRESS`` (or ``address``) connects to an existing cluster instead of starting a local one;
the inputs and the output must then be on storage every node reads (a shared path).
"""

from __future__ import annotations

import json
import logging
import random
import shutil
import tempfile
import time
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from stancebank.schema.errors import ExitCode
from stancebank.schema.jsonio import (
    encode_item,
    shard_count,
    shard_files,
    shard_name,
    write_encoded_array_atomic,
)
from stancebank.schema.raycluster import import_ray, start_ray
from stancebank.schema.raycluster import kill_once as kill_marker
from stancebank.schema.wire import read_task_list
from stancebank.tasks.build import (
    DEFAULT_SHARD_SIZE,
    ORDER_BITS,
    BuildOptions,
    BuildResult,
    Entry,
    InputFile,
    Prepared,
    annotate_safely,
    annotated_task,
    article_warnings,
    candidate,
    clear_shards,
    input_files,
    is_sharded,
    not_preannotated_reason,
    other_language,
    preannotated_model_version,
    read_prepare,
    skipped_of,
)
from stancebank.tasks.clean import Rules, load_rules
from stancebank.tasks.dedup import (
    Candidate,
    Sketch,
    bucket_entries,
    resolve_in_order,
    sharing_a_bucket,
    sketch_texts,
)
from stancebank.tasks.errors import TasksError
from stancebank.tasks.readers import Reject
from stancebank.tasks.sample import Sampler, Stratum, StratumReport, allocate, choose, strata_report

log = logging.getLogger(__name__)

Array = np.ndarray[Any, Any]
Batch = dict[str, Array]  # a Ray Data batch in the "numpy" format

_ANNOTATE_BATCH = 16  # articles per actor call (the local engine's chunk)
_BATCHES_PER_BLOCK = 4  # actor calls per block handed to the pre-annotation pool


class RayUnavailableError(TasksError):
    """``--engine ray`` without Ray installed."""

    exit_code = ExitCode.USAGE


@dataclass(frozen=True)
class RayOptions:
    """Where the stages run; none of it changes the output."""

    partitions: int | None = None  # blocks of input files (default: 4 per CPU, at most one per file)
    actors: int | None = None  # pre-annotation actors (default: the cluster's CPUs)
    num_cpus: int | None = None  # CPUs of a local cluster started here (default: all)
    address: str | None = None  # an existing cluster (default: RAY_ADDRESS, else a local one)
    scatter_seed: int | None = None  # scatter the files over the blocks at random (tests)
    # tests of Ray's retries: the first read block that finds no file here creates it and kills its
    # own worker process (schema/raycluster.kill_once); Ray runs the block again
    kill_once: str | None = None


def _ray() -> Any:
    return import_ray(RayUnavailableError)


def _start(ray: Any, options: RayOptions) -> None:
    start_ray(ray, options.address, options.num_cpus)


# -- stage functions run on the workers (module level: Ray ships them by reference) ---------------
@lru_cache(maxsize=4)
def _rules(boilerplate: tuple[str, ...]) -> Rules | None:
    return load_rules(tuple(Path(p) for p in boilerplate))


def _read_block(
    run: str, boilerplate: tuple[str, ...], kill_once: str | None, groups: int
) -> tuple[Any, ...]:
    """Stage 1 and the map side of stage 2, a Ray task per block of files (``run``: see
    :func:`_file_blocks`): read, clean, identify and sketch. Returns the block's entries (a pandas
    frame: ``order``, ``entry``), what it reports — ``(order, reject or None, warnings)`` in order
    — its articles' candidates and sketches (for :func:`_involved_sketches`) and its bucket
    entries (:func:`~stancebank.tasks.dedup.bucket_entries`) in ``groups`` partitions, by key."""
    import pandas as pd

    kill_marker(kill_once)
    files: list[tuple[int, InputFile]] = [
        (int(i), (Path(p), str(d), str(k))) for i, p, d, k in json.loads(run)
    ]
    entries = read_prepare(sorted(files), _rules(boilerplate))
    ready = [(e.order, e.value) for e in entries if isinstance(e.value, Prepared)]
    cands = [candidate(order, prepared) for order, prepared in ready]
    sketches = sketch_texts([prepared.article.text for _, prepared in ready])
    reported: list[tuple[int, Reject | None, list[str]]] = []
    for e in entries:
        if isinstance(e.value, Reject):
            reported.append((e.order, e.value, []))
        elif e.value.warnings:
            reported.append((e.order, None, article_warnings(e.value)))
    frame = pd.DataFrame(
        {"order": np.array([e.order for e in entries], dtype=np.int64), "entry": _objects(entries)}
    )
    buckets = bucket_entries(cands, sketches)
    part = buckets[:, 1] % np.uint64(groups)  # by key: the same for every block
    parts = [buckets[part == g] for g in range(groups)]
    return (frame, reported, list(zip(cands, sketches, strict=True)), *parts)


def _file_blocks(files: Sequence[tuple[int, InputFile]], blocks: int) -> tuple[list[str], int]:
    """``files`` (in the order given) cut into at most ``blocks`` runs of about equal size in
    bytes — read blocks of equal work, however the records are spread over files (a folder of
    one-article files beside files of thousands of records) — each as a JSON list of
    ``[index, path, name, key]``; and the files' total size."""
    sizes = [_size(path) for _, (path, _, _) in files]
    total = max(1, sum(sizes))
    runs: list[list[tuple[int, str, str, str]]] = [[] for _ in range(blocks)]
    before = 0
    for (index, (path, display, key)), size in zip(files, sizes, strict=True):
        runs[min(blocks - 1, before * blocks // total)].append((index, str(path), display, key))
        before += size
    return [json.dumps(run) for run in runs if run], total


_INPUT_PER_PARTITION = 64 << 20
"""Input bytes per bucket partition, at most (the partition count grows with the input): a
partition's merge task holds the bucket entries of its share of the articles (24 bytes per article
and bucket, up to 10 buckets an article) and sorts them — measured with 1 and 4 partitions on
28,023 ~120-word articles (~860 input bytes each): a peak of 0.93-0.98x its share of the input,
~800 bytes per article, whatever the corpus size (more than its input for very short articles)."""


def _size(path: Path) -> int:
    try:
        return max(1, path.stat().st_size)
    except OSError:  # reported by the reader
        return 1


def _objects(values: Sequence[Any]) -> Array:
    out = np.empty(len(values), dtype=object)
    out[:] = list(values)
    return out


def _bucket_merge(*parts: Array) -> Array:
    """Stage 2's reduce side, a Ray task per partition: the canonical numbers of its involved
    articles, those sharing one of its buckets (band, id or text) with another article, from its
    parts of every block's entries. No pair is formed or verified here."""
    return sharing_a_bucket(np.concatenate(parts))


def _involved_sketches(
    block: list[tuple[Candidate, Sketch]], orders: Array
) -> list[tuple[Candidate, Sketch]]:
    """A read block's involved articles (``orders``), with their sketches, for the driver."""
    chosen = np.isin(np.array([c.order for c, _ in block], dtype=np.int64), orders)
    return [pair for pair, wanted in zip(block, chosen.tolist(), strict=True) if wanted]


def _keep_rule(involved: list[tuple[Candidate, Sketch]], keep_near: bool, result: BuildResult) -> set[int]:
    """Stage 3 on the driver: the local engine's rule over the involved articles (in canonical
    order, with their sketches); the decisions go to ``result``. Returns the orders left out."""
    cands = {c.order: c for c, _ in involved}
    decisions = resolve_in_order([c for c, _ in involved], [sk for _, sk in involved], keep_near)
    left_out: set[int] = set()
    for decision in decisions:
        skipped = skipped_of(cands[decision.order], decision)
        if decision.kept:
            result.kept_near_duplicates.append(skipped)
        else:
            result.skipped.append(skipped)
            left_out.add(decision.order)
    return left_out


def _kept(batch: Batch, left_out: set[int]) -> list[Entry]:
    return [e for e in batch["entry"] if isinstance(e.value, Prepared) and e.order not in left_out]


class _Annotator:
    """One pre-annotation model per actor (Ray Data's actor pool): stage 3 for a batch."""

    def __init__(self, options: BuildOptions, model_version: str | None, skipped: Any) -> None:
        import ray

        self.options = options
        self.model_version = model_version
        self.left_out: set[int] = ray.get(skipped)
        self.annotator: Any = None
        if options.preannotate:
            from stancebank.tasks.preannotate import actors_key, catalogue_key, get_preannotator

            self.annotator = get_preannotator(
                options.model, catalogue_key(options.catalogue), actors_key(options.actors)
            )

    def __call__(self, batch: Batch) -> dict[str, Any]:
        return _annotate_batch(batch, self.options, self.model_version, self.left_out, self.annotator)


def _annotate_plain(batch: Batch, options: BuildOptions, skipped: Any) -> dict[str, Any]:
    import ray

    return _annotate_batch(batch, options, None, ray.get(skipped))


def _annotate_batch(
    batch: Batch, options: BuildOptions, model_version: str | None, left_out: set[int], annotator: Any = None
) -> dict[str, Any]:
    """Stage 3 for a batch of stage 1's output: the kept articles (not in ``left_out``) annotated.
    The filter runs here, in the actor, so the actor pool needs no CPU beside its own."""
    entries = _kept(batch, left_out)
    prepared = [e.value for e in entries if isinstance(e.value, Prepared)]
    reasons = [not_preannotated_reason(p, options) for p in prepared]
    english = [p for p, r in zip(prepared, reasons, strict=True) if options.preannotate and r is None]
    annotations = dict(
        zip(
            (p.article.article_id for p in english),
            annotate_safely(annotator, [p.article.text for p in english]) if english else [],
            strict=True,
        )
    )
    done = [annotated_task(p, annotations.get(p.article.article_id), model_version) for p in prepared]
    return {
        "order": np.array([e.order for e in entries], dtype=np.int64),
        "task": _objects([encode_item(d.task) for d in done]),
        "predicted": np.array([bool(d.task.get("predictions")) for d in done], dtype=np.bool_),
        "reject": _objects([d.reject for d in done]),
        "attempted": np.array([p.article.article_id in annotations for p in prepared], dtype=np.bool_),
        "reason": _objects([d.not_preannotated or (r or "") for d, r in zip(done, reasons, strict=True)]),
        "language": _objects([other_language(p, options) or "" for p in prepared]),
    }


def _with_shard(batch: Batch, bounds: Array) -> dict[str, Any]:
    shard = np.searchsorted(bounds, batch["order"], side="right") - 1
    return {"shard": shard.astype(np.int64), "order": batch["order"], "task": batch["task"]}


def _write_shard(group: Batch, folder: str, count: int) -> dict[str, Any]:
    order = np.argsort(group["order"], kind="stable")
    shard = int(group["shard"][0])
    path = Path(folder) / shard_name(shard, count)
    n = write_encoded_array_atomic(path, (str(group["task"][i]) for i in order))
    return {"shard": np.array([shard], dtype=np.int64), "tasks": np.array([n], dtype=np.int64)}


# -- the driver ---------------------------------------------------------------------------------
def _collect(ds: Any, columns: Iterable[str]) -> dict[str, list[Any]]:
    out: dict[str, list[Any]] = {c: [] for c in columns}
    for batch in ds.iter_batches(batch_format="numpy", batch_size=4096):
        for c in out:
            out[c].extend(batch[c].tolist())
    return out


def build_tasks_ray(
    inputs: Iterable[Path],
    out: Path,
    options: BuildOptions | None = None,
    ray_options: RayOptions | None = None,
    shard_size: int = DEFAULT_SHARD_SIZE,
) -> BuildResult:
    """Build tasks on Ray and write them to ``out`` (a ``.json`` file or a folder of shards).

    The returned result holds the rejects, duplicates, warnings and counts; its ``tasks`` stay
    empty (they are written by the workers): see ``task_count`` / ``predicted_count``."""
    options = options or BuildOptions()
    ray_options = ray_options or RayOptions()
    ray = _ray()
    _start(ray, ray_options)
    result = BuildResult()
    files = list(enumerate(input_files(inputs, result.skipped_documentation)))
    if ray_options.scatter_seed is not None:
        random.Random(ray_options.scatter_seed).shuffle(files)
    cpus = int(ray.cluster_resources().get("CPU", 1))
    runs, size = _file_blocks(files, max(1, min(len(files), ray_options.partitions or 4 * cpus)))
    blocks = len(runs)
    boilerplate = tuple(str(p) for p in options.boilerplate)
    log.info("ray: %d files in %d blocks on %d CPUs", len(files), blocks, cpus)

    # 1. read, clean, identify, sketch; 2. the involved articles: Ray tasks (a block's bucket
    # entries go straight from its read task to the partitions' merge tasks)
    clock = time.perf_counter()
    if not files:
        return _write_empty(out, result)
    groups = max(1, min(blocks, 2 * cpus), -(-size // _INPUT_PER_PARTITION))
    read = ray.remote(_read_block).options(num_returns=3 + groups)
    merge = ray.remote(_bucket_merge)
    pick = ray.remote(_involved_sketches)
    log.info("ray: %d MB of input, %d bucket partitions", size >> 20, groups)
    outs = [read.remote(run, boilerplate, ray_options.kill_once, groups) for run in runs]
    merges = [merge.remote(*(out[3 + g] for out in outs)) for g in range(groups)]
    # the entries stay in the object store, a Ray Data block per read block, for stages 4 and 5
    # (from_pandas_refs is a Ray DeveloperAPI: public, documented, may change between minor releases)
    prepared = ray.data.from_pandas_refs([out[0] for out in outs])
    reported = sorted((r for part in ray.get([out[1] for out in outs]) for r in part), key=lambda r: r[0])
    result.rejects.extend(r for _, r, _ in reported if r is not None)
    result.warnings.extend(w for _, _, ws in reported for w in ws)
    # an article is in several partitions (a bucket per band, an id and a text): each once
    orders = ray.put(np.unique(np.concatenate(ray.get(merges))))
    involved = sorted(
        (pair for part in ray.get([pick.remote(out[2], orders) for out in outs]) for pair in part),
        key=lambda pair: pair[0].order,
    )
    # the bucket entries and the sketches are done with: let Ray free them now, not when the build
    # returns
    del outs, merges, orders
    clock = _lap("read, clean, sketch, buckets", clock)

    # 3. the keep rule, on the driver, over the involved articles only
    skipped_orders = _keep_rule(involved, options.keep_near_duplicates, result)
    log.info("ray: %d involved articles, %d left out", len(involved), len(skipped_orders))
    del involved
    clock = _lap("keep rule", clock)

    # 4. pre-annotation in an actor pool (or a plain map without the model)
    skipped_ref = ray.put(skipped_orders)
    model_version = preannotated_model_version(options)
    if options.preannotate:
        # The pool hands an actor a block at a time: blocks of a few batches keep every actor busy
        # to the end (with 4 blocks per CPU, the last block ran on one actor while the others idled).
        small = max(blocks, -(-prepared.count() // (_ANNOTATE_BATCH * _BATCHES_PER_BLOCK)))
        # (materialised first: the pool's actors hold the CPUs, so nothing may still be computing
        # upstream of it)
        annotated = (
            prepared.repartition(small)
            .materialize()
            .map_batches(
                _Annotator,
                batch_size=_ANNOTATE_BATCH,
                batch_format="numpy",
                concurrency=ray_options.actors or cpus,
                fn_constructor_kwargs={
                    "options": options,
                    "model_version": model_version,
                    "skipped": skipped_ref,
                },
                max_restarts=-1,
                max_task_retries=-1,
            )
        )
    else:
        annotated = prepared.map_batches(
            _annotate_plain, batch_format="numpy", fn_kwargs={"options": options, "skipped": skipped_ref}
        )
    annotated = annotated.materialize()
    columns = ("order", "predicted", "attempted", "reject", "reason", "language")
    summary = _collect(annotated.select_columns(list(columns)), columns)
    task_orders = np.sort(np.array(summary["order"], dtype=np.int64))
    result.task_count = int(task_orders.size)
    result.predicted_count = int(sum(summary["predicted"]))
    result.not_preannotated.update(Counter(r for r in summary["reason"] if isinstance(r, str) and r))
    result.other_languages.update(Counter(x for x in summary["language"] if isinstance(x, str) and x))
    late = sorted(
        (o, r) for o, r in zip(summary["order"], summary["reject"], strict=True) if isinstance(r, Reject)
    )
    result.rejects.extend(r for _, r in late)
    result.model_version = model_version if any(summary["attempted"]) else None

    clock = _lap("tasks", clock)

    # 5. writing: shards by canonical rank
    count = shard_count(result.task_count, shard_size)
    bounds = task_orders[::shard_size] if task_orders.size else np.zeros(1, dtype=np.int64)
    target = out if is_sharded(out) else Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    try:
        if is_sharded(out):
            out.mkdir(parents=True, exist_ok=True)
            clear_shards(out)
        if task_orders.size:
            (
                annotated.map_batches(_with_shard, batch_format="numpy", fn_kwargs={"bounds": bounds})
                .groupby("shard", num_partitions=max(1, min(count, 64)))
                .map_groups(
                    _write_shard, batch_format="numpy", fn_kwargs={"folder": str(target), "count": count}
                )
                .materialize()
            )
        else:
            write_encoded_array_atomic(target / shard_name(0, 1), [])
        if not is_sharded(out):
            write_encoded_array_atomic(
                out, _shard_lines([target / shard_name(k, count) for k in range(count)])
            )
    finally:
        if not is_sharded(out):
            shutil.rmtree(target, ignore_errors=True)
    _lap("writing", clock)
    return result


def _lap(stage: str, since: float) -> float:
    now = time.perf_counter()
    log.info("ray: %s took %.1f s", stage, now - since)
    return now


def _write_empty(out: Path, result: BuildResult) -> BuildResult:
    result.task_count = result.predicted_count = 0
    if is_sharded(out):
        clear_shards(out)
        write_encoded_array_atomic(out / shard_name(0, 1), [])
    else:
        write_encoded_array_atomic(out, [])
    return result


def _shard_lines(paths: Sequence[Path]) -> Iterable[str]:
    """The encoded items of shards written by :func:`write_encoded_array_atomic`, in order."""
    for path in paths:
        with path.open(encoding="utf-8", newline="\n") as handle:
            for line in handle:
                line = line.rstrip("\n")
                if line in ("[", "]"):
                    continue
                yield line.removesuffix(",")


# -- tasks sample ---------------------------------------------------------------------------------
def _sample_block(batch: Batch, sampler: Sampler) -> dict[str, Any]:
    strata: list[str] = []
    keys: list[float] = []
    ids: list[str] = []
    positions: list[int] = []
    tasks: list[str] = []
    for shard, path in zip(batch["shard"], batch["path"], strict=True):
        for line, task in enumerate(read_task_list(Path(str(path)))):
            strata.append(json.dumps(sampler.stratum(task)))
            keys.append(sampler.key(task))
            ids.append(task["data"]["article_id"])
            positions.append(int(shard) << ORDER_BITS | line)
            tasks.append(encode_item(task))
    return {
        "stratum": _objects(strata),
        "key": np.array(keys, dtype=np.float64),
        "id": _objects(ids),
        "position": np.array(positions, dtype=np.int64),
        "task": _objects(tasks),
    }


def _choose_group(group: Batch, allocation: dict[str, int]) -> dict[str, Any]:
    k = allocation.get(str(group["stratum"][0]), 0)
    index = {str(aid): i for i, aid in enumerate(group["id"])}
    keyed = zip(group["key"].tolist(), (str(a) for a in group["id"]), strict=True)
    chosen = [index[aid] for _, aid in choose(keyed, k)]
    return {"position": group["position"][chosen], "task": group["task"][chosen]}


def sample_ray(
    corpus: Path, n: int, sampler: Sampler, ray_options: RayOptions | None = None
) -> tuple[list[str], list[StratumReport]]:
    """``tasks sample`` on Ray: one block per shard of ``corpus`` (a tasks file or a shard folder);
    strata counted by a groupby, allocated on the driver (:func:`~stancebank.tasks.sample.allocate`),
    each stratum's smallest keys chosen by a groupby. Returns the sampled tasks encoded, in corpus
    order, and the strata report."""
    ray = _ray()
    _start(ray, ray_options or RayOptions())
    shards = shard_files(corpus) if corpus.is_dir() else [corpus]
    rows = [{"shard": i, "path": str(p)} for i, p in enumerate(shards)]
    keyed = (
        ray.data.from_items(rows, override_num_blocks=len(rows))
        .map_batches(_sample_block, batch_size=1, batch_format="numpy", fn_kwargs={"sampler": sampler})
        .materialize()
    )
    counts = _collect(keyed.groupby("stratum").count(), ("stratum", "count()"))
    sizes: dict[Stratum, int] = {
        tuple(json.loads(s)): int(c) for s, c in zip(counts["stratum"], counts["count()"], strict=True)
    }
    allocation = allocate(sizes, n)
    wanted = {json.dumps(list(s)): k for s, k in allocation.items() if k}
    chosen = _collect(
        keyed.groupby("stratum", num_partitions=max(1, min(len(wanted), 16))).map_groups(
            _choose_group, batch_format="numpy", fn_kwargs={"allocation": wanted}
        ),
        ("position", "task"),
    )
    ordered = [t for _, t in sorted(zip(chosen["position"], chosen["task"], strict=True))]
    return ordered, strata_report(sizes, allocation)
