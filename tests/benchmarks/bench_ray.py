# ruff: noqa: E501
"""Scaling of `tasks build`: local per-stage throughput per core, and the Ray engine on a 2-CPU
local cluster against one local process on the same articles (a script, not a test).

Prints, for a generated corpus with planted duplicates (tests/sbtest/corpus.py):

- per stage of the local engine (read+clean+identify, duplicates, pre-annotation with the model
  load, writing): CPU seconds and articles/s per core;
- one local process with pre-annotation (model load included) vs `--engine ray` on
  `ray.init(num_cpus=2)` (cluster start, worker start and one model per actor included): wall
  and CPU seconds of each (Ray's CPU summed over the driver and every process of the cluster), the
  efficiency T1 / (2 · T2) on wall time and the CPU-time ratio, and each Ray process's peak RSS;
- the driver's part that does not scale out — the keep rule over the involved articles and their
  sketches — its time and memory (tracemalloc: the candidates and sketches held, plus the rule's
  peak beside them) for M involved articles, per million.

The machine is shared: wall times depend on what else runs; CPU times are the steadier figure.
Ray starts its workers at niceness 15 (``RAY_worker_niceness``), which on a machine shared with
other users' processes starves them against the local engine's niceness 0; the benchmark sets
``RAY_worker_niceness=0`` (unless already set) so both engines compete for the cores alike.
- with ``--corpus N``: the dedup + sample path (``tasks build --no-preannotate --out DIR`` then
  ``tasks sample``) on N generated articles, each engine in a process of its own (so that the
  driver's peak RSS is its own): wall and CPU seconds, the driver's peak RSS, and whether the
  shards and the sample are byte-identical.

- with ``--export N``: ``export build`` of a generated two-annotator export of N tasks
  (bench_export_gen.py) on each engine, each in a process of its own: wall and CPU seconds, the
  driver's peak RSS, and whether the release folders are byte-identical.

Run: .venv/bin/python tests/benchmarks/bench_ray.py [--articles 400] [--driver 200000] [--skip-stages] [--driver-only]
     .venv/bin/python tests/benchmarks/bench_ray.py --corpus 200000 [--scratch /tmp/ray-bench]
     .venv/bin/python tests/benchmarks/bench_ray.py --export 5000 [--scratch /tmp/ray-bench]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import tracemalloc
from pathlib import Path

import psutil

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import contextlib

from sbtest.corpus import write_corpus

from stancebank.tasks.build import (
    BuildOptions,
    Prepared,
    annotate_all,
    annotated_task,
    deduplicate,
    input_files,
    preannotated_model_version,
    read_prepare,
    write_tasks,
)
from stancebank.tasks.build import BuildResult as _Result
from stancebank.tasks.dedup import Candidate, Sketch, resolve_in_order, sketch_texts


def cpu() -> float:
    t = os.times()
    return t.user + t.system


class TreeSampler:
    """CPU seconds of a process and all its descendants, the exited ones included: a thread polls
    every process of the tree (``interval`` seconds apart) and keeps each one's last reading, so a
    process that exits counts up to its last poll (Ray's workers and actors, reaped or not).
    Processes alive at the start count from their reading then."""

    def __init__(self, proc: psutil.Process, interval: float = 0.25) -> None:
        self.proc, self.interval = proc, interval
        self.base: dict[tuple[int, float], float] = {}
        self.last: dict[tuple[int, float], float] = {}
        self.done = threading.Event()
        self.base = self._readings()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _readings(self) -> dict[tuple[int, float], float]:
        out = {}
        for p in [self.proc, *self.proc.children(recursive=True)]:
            with contextlib.suppress(psutil.Error):
                c = p.cpu_times()
                out[(p.pid, p.create_time())] = c.user + c.system
        return out

    def _run(self) -> None:
        while not self.done.wait(self.interval):
            self.last.update(self._readings())

    def stop(self) -> float:
        self.done.set()
        self.thread.join()
        self.last.update(self._readings())
        return sum(v - self.base.get(k, 0.0) for k, v in self.last.items())


def peak_rss_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def local_stages(corpus: Path, out: Path) -> float:
    options = BuildOptions()
    result = _Result()
    t0, c0 = time.perf_counter(), cpu()
    entries = read_prepare(enumerate(input_files([corpus])), None)
    ready = [(e.order, e.value) for e in entries if isinstance(e.value, Prepared)]
    c1 = cpu()
    kept = [p for _, p in deduplicate(ready, options, result)]
    c2 = cpu()
    words = sum(len(p.article.text.split()) for p in kept)
    version = preannotated_model_version(options)
    annotations = {p.article.article_id: a for p, a in annotate_all(kept, options.model, 1)}
    tasks = [annotated_task(p, annotations[p.article.article_id], version).task for p in kept]
    c3 = cpu()
    write_tasks(out, tasks)
    c4 = cpu()
    wall = time.perf_counter() - t0
    print(
        f"local stages on {len(entries)} items ({len(kept)} kept, {words} words annotated); CPU s, per core:"
    )
    for name, secs, n in [
        ("read+clean+identify", c1 - c0, len(entries)),
        ("duplicates", c2 - c1, len(ready)),
        ("pre-annotation (model load incl.)", c3 - c2, len(kept)),
        ("writing", c4 - c3, len(tasks)),
    ]:
        print(f"  {name:34s} {secs:7.2f} s  {n / max(secs, 1e-9):9.1f} articles/s/core")
    print(f"  pre-annotation: {words / max(c3 - c2, 1e-9):,.0f} words/s/core; wall total {wall:.1f} s")
    return c4 - c0


def ray_vs_local(corpus: Path, tmp: Path) -> None:
    options = BuildOptions()
    load0 = os.getloadavg()
    t0, c0 = time.perf_counter(), cpu()
    from stancebank.tasks.build import build_tasks

    local = build_tasks([corpus], options)
    write_tasks(tmp / "local.json", local.tasks)
    t1, c1 = time.perf_counter() - t0, cpu() - c0

    import ray

    from stancebank.tasks.engine_ray import RayOptions, build_tasks_ray

    me = psutil.Process()
    cpu_meter = TreeSampler(me)
    load1 = os.getloadavg()
    s0 = time.perf_counter()
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    build_tasks_ray([corpus], tmp / "ray.json", options, RayOptions())
    t2 = time.perf_counter() - s0
    c2 = cpu_meter.stop()
    peaks: list[tuple[float, str]] = []
    for p in me.children(recursive=True):
        with contextlib.suppress(psutil.Error):
            peaks.append((peak_rss_mb(p.pid), " ".join(p.cmdline()[:2])[-48:]))
    peaks.sort(reverse=True)
    ray.shutdown()
    same = (tmp / "local.json").read_bytes() == (tmp / "ray.json").read_bytes()
    print(
        f"\none local process vs Ray on 2 CPUs, {local.n_tasks} tasks with pre-annotation (outputs equal: {same})"
    )
    print(f"  local: wall {t1:7.1f} s  CPU {c1:7.1f} s  (load average before: {load0})")
    print(
        f"  ray:   wall {t2:7.1f} s  CPU {c2:7.1f} s (driver + every cluster process, polled; start included; load average before: {load1}, after: {os.getloadavg()})"
    )
    print(
        f"  speed-up T1/T2 on wall time: {t1 / t2:.2f}, efficiency T1/(2*T2): {t1 / (2 * t2):.2f}; "
        f"CPU ratio ray/local: {c2 / c1:.2f}; Ray's CPU share of its wall time: {c2 / t2:.2f} of 2 cores"
    )
    print(
        f"  driver peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB; largest Ray processes:"
    )
    for mb, name in peaks[:5]:
        print(f"    {mb:7.0f} MB  {name}")


def driver_rule(m: int) -> None:
    """The keep rule over ``m`` involved articles as the Ray driver runs it
    (:func:`~stancebank.tasks.dedup.resolve_in_order` over their candidates and sketches): pairs of
    one-word-apart 500-word texts. Memory by tracemalloc: what the candidates and sketches hold as
    Python objects (what the driver holds after ``ray.get``), then the rule's own peak beside them."""
    tracemalloc.start()
    cands, sketches = _involved_articles(m)
    held = tracemalloc.get_traced_memory()[0]
    tracemalloc.reset_peak()
    c0 = cpu()
    decisions = resolve_in_order(cands, sketches, False)
    secs = cpu() - c0
    peak = tracemalloc.get_traced_memory()[1] - held
    tracemalloc.stop()
    total = (held + peak) / 2**20
    print(f"\ndriver keep rule: {m} involved 500-word articles → {len(decisions)} left out")
    print(
        f"  CPU {secs:.2f} s; candidates and sketches {held / 2**20:.0f} MB (tracemalloc) + the rule's "
        f"peak {peak / 2**20:.0f} MB (≈ {total / m * 1e6:.0f} MB per million involved); process peak RSS "
        f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB"
    )


def _involved_articles(m: int) -> tuple[list[Candidate], list[Sketch]]:
    rng = random.Random(1)
    vocabulary = [f"w{rng.randrange(10**6)}" for _ in range(20_000)]
    sketches: list[Sketch] = []
    for start in range(0, m, 2_000):
        texts: list[str] = []
        for _ in range(start, min(m, start + 2_000), 2):
            words = [rng.choice(vocabulary) for _ in range(500)]
            texts.append(" ".join(words))
            words[rng.randrange(500)] = "changed"
            texts.append(" ".join(words))
        sketches.extend(sketch_texts(texts)[: m - len(sketches)])
    cands = [
        Candidate(i, f"sb-{i:016x}", f"{i:064x}", f"feed-{i // 50:05d}.jsonl:{i % 50} record {i % 50}")
        for i in range(m)
    ]
    return cands, sketches


SAMPLE_N = 2_000
NICENESS = "RAY_worker_niceness"  # Ray's name (its raylet reads it)


def run_dedup_sample(engine: str, corpus: Path, out: Path) -> None:
    """One engine's dedup + sample path in this process; prints one JSON line of figures."""
    from stancebank.schema.jsonio import encode_item, write_encoded_array_atomic
    from stancebank.schema.wire import read_task_list
    from stancebank.tasks.build import build_tasks
    from stancebank.tasks.sample import Sampler, sample_tasks

    options = BuildOptions(preannotate=False)
    sampler = Sampler(seed=3)
    me = psutil.Process()
    t0, cpu_meter = time.perf_counter(), TreeSampler(me)
    if engine == "ray":
        import ray

        from stancebank.tasks.engine_ray import RayOptions, build_tasks_ray, sample_ray

        ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
        result = build_tasks_ray([corpus], out / "shards", options, RayOptions())
        t1 = time.perf_counter()
        encoded, _ = sample_ray(out / "shards", SAMPLE_N, sampler)
        write_encoded_array_atomic(out / "sample.json", encoded)
        c2 = cpu_meter.stop()
        ray.shutdown()
        tasks = result.task_count
    else:
        result = build_tasks([corpus], options)
        write_tasks(out / "shards", result.tasks)
        t1 = time.perf_counter()
        chosen, _ = sample_tasks(read_task_list(out / "shards"), SAMPLE_N, sampler)
        write_encoded_array_atomic(out / "sample.json", [encode_item(t) for t in chosen])
        c2 = cpu_meter.stop()
        tasks = len(result.tasks)
    t2 = time.perf_counter()
    print(
        json.dumps(
            {
                "engine": engine,
                "tasks": tasks,
                "left_out": len(result.skipped),
                "build_wall": t1 - t0,
                "wall": t2 - t0,
                "cpu": c2,
                "driver_peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                "load": os.getloadavg(),
            }
        )
    )


def dedup_sample(n: int, scratch: Path) -> None:
    """The dedup + sample path on ``n`` generated articles, local then Ray, each in its own process."""
    if scratch.exists():
        shutil.rmtree(scratch)
    t0 = time.perf_counter()
    planted = write_corpus(scratch / "corpus", n, seed=2, words=120, per_file=1000)
    print(
        f"corpus: {n} articles + {planted.exact} exact and {planted.near} near copies, "
        f"{planted.same_id} reused ids, 1000 records a file (copies in other files), "
        f"written in {time.perf_counter() - t0:.0f} s"
    )
    figures = {}
    for engine in ("local", "ray"):
        out = scratch / engine
        out.mkdir()
        proc = subprocess.run(
            [sys.executable, __file__, "--run", engine, str(scratch / "corpus"), str(out)],
            check=True,
            stdout=subprocess.PIPE,  # the figures; Ray's log goes to stderr as it runs
            text=True,
        )
        figures[engine] = json.loads(proc.stdout.strip().splitlines()[-1])
        f = figures[engine]
        print(
            f"  {engine:5s}: {f['tasks']} tasks ({f['left_out']} duplicates left out); build {f['build_wall']:.0f} s, "
            f"build + sample {f['wall']:.0f} s wall, {f['cpu']:.0f} s CPU; driver peak RSS {f['driver_peak_mb']:.0f} MB; "
            f"load average after {f['load']}"
        )
    shards = {e: sorted((scratch / e / "shards").iterdir()) for e in figures}
    same = [p.name for p in shards["local"]] == [p.name for p in shards["ray"]] and all(
        a.read_bytes() == b.read_bytes() for a, b in zip(shards["local"], shards["ray"], strict=True)
    )
    sample_same = (scratch / "local" / "sample.json").read_bytes() == (
        scratch / "ray" / "sample.json"
    ).read_bytes()
    print(f"  shards identical: {same} ({len(shards['ray'])} shards); sample identical: {sample_same}")
    print(
        f"  ray/local wall {figures['ray']['wall'] / figures['local']['wall']:.2f}, CPU {figures['ray']['cpu'] / figures['local']['cpu']:.2f}"
    )


def run_export(engine: str, export: Path, out: Path) -> None:
    """One engine's ``export build`` in this process; prints one JSON line of figures."""
    from stancebank.export.release import build_release

    os.environ.setdefault("STANCEBANK_PSEUDONYM_KEY", "bench-secret")
    me = psutil.Process()
    t0, cpu_meter = time.perf_counter(), TreeSampler(me)
    engine_fn = None
    if engine == "ray":
        import ray

        from stancebank.export.engine_ray import RayOptions, ray_engine

        ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
        engine_fn = ray_engine(RayOptions())
    build_release([export], "1.0.0", out / "release", registry_path=out / "registry.json", engine=engine_fn)
    c1 = cpu_meter.stop()
    if engine == "ray":
        ray.shutdown()
    print(
        json.dumps(
            {
                "engine": engine,
                "wall": time.perf_counter() - t0,
                "cpu": c1,
                "driver_peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                "load": os.getloadavg(),
            }
        )
    )


def export_build(n: int, scratch: Path) -> None:
    """``export build`` of a generated export of ``n`` tasks, local then Ray, each in its own process."""
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from bench_export_gen import generate

    if scratch.exists():
        shutil.rmtree(scratch)
    scratch.mkdir(parents=True)
    export = generate(scratch / "export.json", n, annotators=2, seed=1)
    print(f"export: {n} tasks, two annotators each, {export.stat().st_size / 2**20:.0f} MB")
    figures = {}
    for engine in ("local", "ray"):
        out = scratch / engine
        out.mkdir()
        proc = subprocess.run(
            [sys.executable, __file__, "--run-export", engine, str(export), str(out)],
            check=True,
            stdout=subprocess.PIPE,  # the figures; Ray's log goes to stderr as it runs
            text=True,
        )
        f = figures[engine] = json.loads(proc.stdout.strip().splitlines()[-1])
        print(
            f"  {engine:5s}: {f['wall']:.0f} s wall, {f['cpu']:.0f} s CPU; driver peak RSS {f['driver_peak_mb']:.0f} MB; "
            f"load average after {f['load']}"
        )
    trees = {
        e: {
            p.relative_to(scratch / e / "release"): p.read_bytes()
            for p in sorted((scratch / e / "release").rglob("*"))
            if p.is_file()
        }
        for e in figures
    }
    print(f"  release folders identical: {trees['local'] == trees['ray']} ({len(trees['ray'])} files)")
    print(
        f"  efficiency T1/(2*T2) on wall time: {figures['local']['wall'] / (2 * figures['ray']['wall']):.2f}; CPU ray/local {figures['ray']['cpu'] / figures['local']['cpu']:.2f}"
    )


def main() -> None:
    os.environ.setdefault(NICENESS, "0")
    parser = argparse.ArgumentParser()
    parser.add_argument("--articles", type=int, default=400)
    parser.add_argument("--driver", type=int, default=200_000)
    parser.add_argument("--skip-stages", action="store_true", help="no per-stage local figures")
    parser.add_argument("--driver-only", action="store_true", help="only the driver's keep rule")
    parser.add_argument("--corpus", type=int, default=0, help="the dedup + sample path on N articles")
    parser.add_argument("--scratch", type=Path, default=Path(tempfile.gettempdir()) / "stancebank-bench-ray")
    parser.add_argument("--export", type=int, default=0, help="export build of a generated export of N tasks")
    parser.add_argument("--run-export", nargs=3, metavar=("ENGINE", "EXPORT", "OUT"), help=argparse.SUPPRESS)
    parser.add_argument("--run", nargs=3, metavar=("ENGINE", "CORPUS", "OUT"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.run:
        run_dedup_sample(args.run[0], Path(args.run[1]), Path(args.run[2]))
        return
    if args.run_export:
        run_export(args.run_export[0], Path(args.run_export[1]), Path(args.run_export[2]))
        return
    print(f"cores: {os.cpu_count()}, load average: {os.getloadavg()}, {NICENESS}={os.environ[NICENESS]}")
    if args.driver_only:
        driver_rule(args.driver)
        return
    if args.corpus:
        dedup_sample(args.corpus, args.scratch)
        return
    if args.export:
        export_build(args.export, args.scratch)
        return
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        write_corpus(tmp / "corpus", args.articles, seed=1, words=500, per_file=50)
        if not args.skip_stages:
            local_stages(tmp / "corpus", tmp / "stages.json")
        ray_vs_local(tmp / "corpus", tmp)
    print(f"load average at the end: {os.getloadavg()}")
    driver_rule(args.driver)


if __name__ == "__main__":
    main()
