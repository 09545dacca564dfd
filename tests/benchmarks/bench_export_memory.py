"""Peak RSS of a full export build of 100,000 tasks (target ≤ 1.5 GB).

The build runs in a child process (so generation does not count); peak RSS is the child's
``ru_maxrss``, and the child samples its own RSS every 20 ms to print the peak and duration of each
stage (reading the export; adjudicating + agreement + writing parquet; validating — the validation
hook reads the whole release into tables and is shown separately). Baseline in the same run: the
peak RSS of ``json.load`` of the same export, i.e. what merely holding the file as Python objects
costs (the build streams it, one task at a time, instead).

With ``--baseline-ref REF`` (e.g. ``main`` or a commit before a change) the same build also runs
with REF's code on the same export (:mod:`baseline_tree`), and the peaks are printed side by side
with their ratio: before/after in one run on one machine.

    .venv/bin/python tests/benchmarks/bench_export_memory.py [--tasks 100000] [--no-baseline]
        [--export EXISTING.json] [--baseline-ref REF]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from baseline_tree import checkout, describe
from bench_export_gen import generate

CHILD_BUILD = """
import logging, sys, threading, time
from pathlib import Path
import psutil
from stancebank.export.release import Reporter, build_release
logging.disable(logging.WARNING)
proc = psutil.Process()


class StagePeaks(Reporter):
    # Samples RSS every 20 ms; records the peak and the duration of each build stage.

    def __init__(self):
        self.stage, self.peaks, self.seconds, self.order = "setup", {}, {}, ["setup"]
        self.at_start = {"setup": proc.memory_info().rss}
        self.t0, self.running = time.perf_counter(), True
        threading.Thread(target=self._sample, daemon=True).start()

    def _sample(self):
        while self.running:
            rss, stage = proc.memory_info().rss, self.stage
            self.peaks[stage] = max(self.peaks.get(stage, 0), rss)
            time.sleep(0.02)

    def start(self, stage, total=None):
        now = time.perf_counter()
        self.seconds[self.stage] = now - self.t0
        self.peaks[self.stage] = max(self.peaks.get(self.stage, 0), proc.memory_info().rss)
        self.t0, self.stage = now, stage
        self.order.append(stage)
        self.at_start[stage] = proc.memory_info().rss


r = StagePeaks()
result = build_release(
    [Path(sys.argv[1])], "1.0.0", Path(sys.argv[2]), registry_path=Path(sys.argv[3]), reporter=r
)
r.start("done")
r.running = False
for stage in r.order[:-1]:
    start_mb, peak_mb = r.at_start[stage] / 2**20, r.peaks.get(stage, 0) / 2**20
    secs = r.seconds[stage]
    print(f"  stage {stage:<22} RSS at start {start_mb:5.0f} MB, peak {peak_mb:5.0f} MB, {secs:6.1f} s")
print("  rows", result.counts)
"""

CHILD_JSON = """
import json, sys
data = json.load(open(sys.argv[1], encoding="utf-8"))
print(len(data))
"""

# Runs code in a child of its own and prints that child's peak RSS and CPU time last: the
# benchmark's own RUSAGE_CHILDREN is a maximum over every child it waited for, so each measured
# command runs one level down and its peak stays its own, whatever ran before it.
RUN_ISOLATED = """
import resource, subprocess, sys
proc = subprocess.run([sys.executable, "-c", sys.argv[1], *sys.argv[2:]], capture_output=True, text=True)
sys.stderr.write(proc.stderr)
print(proc.stdout.rstrip())
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
print(usage.ru_maxrss / 1024, usage.ru_utime + usage.ru_stime)
sys.exit(proc.returncode)
"""


def run_child(code: str, *args: str, env: dict[str, str] | None = None) -> tuple[float, float, float, str]:
    """(wall seconds, peak RSS in MB, CPU seconds, stdout) of ``code`` in a child python process."""
    start = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-c", RUN_ISOLATED, code, *args], capture_output=True, text=True, env=env
    )
    if proc.returncode:
        sys.exit(f"child failed ({proc.returncode}):\n{proc.stderr[-3000:]}")
    elapsed = time.perf_counter() - start
    out, last = proc.stdout.rstrip().rsplit("\n", 1) if "\n" in proc.stdout.strip() else ("", proc.stdout)
    peak, cpu = (float(x) for x in last.split())
    return elapsed, peak, cpu, out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tasks", type=int, default=100_000)
    parser.add_argument("--no-baseline", action="store_true")
    parser.add_argument("--export", type=Path, help="an existing export to build (skips generation)")
    parser.add_argument("--baseline-ref", help="also build with this git ref's code, side by side")
    args = parser.parse_args()
    os.environ.setdefault("STANCEBANK_PSEUDONYM_KEY", "bench")
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        start = time.perf_counter()
        export = args.export or generate(tmp / "export.json", args.tasks)
        size = export.stat().st_size / 1e6
        print(f"export: {export.name}, {size:.0f} MB (ready in {time.perf_counter() - start:.0f} s)")
        before = None
        if args.baseline_ref:
            env = checkout(args.baseline_ref, tmp / "baseline")
            reg = tmp / "reg-baseline.json"
            before = run_child(CHILD_BUILD, str(export), str(tmp / "release-baseline"), str(reg), env=env)
            print(f"[{args.baseline_ref}: {describe(args.baseline_ref)}]")
            print(before[3])
            print(f"export build: {before[0]:.0f} s wall, {before[2]:.0f} s CPU, peak RSS {before[1]:.0f} MB")
        secs, peak, cpu, out = run_child(
            CHILD_BUILD, str(export), str(tmp / "release"), str(tmp / "reg.json")
        )
        print("[this checkout]")
        print(out)
        print(
            f"stancebank export build: {secs:.0f} s wall, {cpu:.0f} s CPU, peak RSS {peak:.0f} MB "
            "(target ≤ 1536 MB)"
        )
        if before is not None:
            print(
                f"ratio this checkout / {args.baseline_ref}: peak RSS {peak / before[1]:.2f}×, "
                f"CPU time {cpu / before[2]:.2f}×"
            )
        if not args.no_baseline:
            jsecs, jpeak, _, _ = run_child(CHILD_JSON, str(export))
            print(f"baseline json.load of the export: {jsecs:.0f} s, peak RSS {jpeak:.0f} MB")
            print(f"ratio build / json.load peak RSS: {peak / jpeak:.2f}×")


if __name__ == "__main__":
    main()
