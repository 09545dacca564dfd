"""Peak RSS of a full export build of 100,000 tasks (target ≤ 1.5 GB).

The build runs in a child process (so generation does not count); peak RSS is the child's
``ru_maxrss``, and the child samples its own RSS every 20 ms to print the peak and duration of each
stage (reading the export; adjudicating + agreement + writing parquet; validating — the validation
hook reads the whole release into tables and is shown separately). Baseline in the same run: the
peak RSS of ``json.load`` of the same export, i.e. what merely holding the file as Python objects
costs (the build streams it with ijson instead).

    .venv/bin/python tests/benchmarks/bench_export_memory.py [--tasks 100000] [--no-baseline]
        [--export EXISTING.json]
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

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


def run_child(code: str, *args: str) -> tuple[float, float, str]:
    """(seconds, peak RSS in MB, stdout) of a child python process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, check=True)
    elapsed = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    # ru_maxrss of RUSAGE_CHILDREN is the max over waited-for children: run the smaller one first.
    return elapsed, max(peak, before) / 1024, proc.stdout.rstrip()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tasks", type=int, default=100_000)
    parser.add_argument("--no-baseline", action="store_true")
    parser.add_argument("--export", type=Path, help="an existing export to build (skips generation)")
    args = parser.parse_args()
    os.environ.setdefault("STANCEBANK_PSEUDONYM_KEY", "bench")
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        start = time.perf_counter()
        export = args.export or generate(tmp / "export.json", args.tasks)
        size = export.stat().st_size / 1e6
        print(f"export: {export.name}, {size:.0f} MB (ready in {time.perf_counter() - start:.0f} s)")
        secs, peak, out = run_child(CHILD_BUILD, str(export), str(tmp / "release"), str(tmp / "reg.json"))
        print(out)
        print(f"stancebank export build: {secs:.0f} s, peak RSS {peak:.0f} MB (target ≤ 1536 MB)")
        if not args.no_baseline:
            jsecs, jpeak, _ = run_child(CHILD_JSON, str(export))
            print(f"baseline json.load of the export: {jsecs:.0f} s, peak RSS {jpeak:.0f} MB")
            print(f"ratio build / json.load peak RSS: {peak / jpeak:.2f}×")


if __name__ == "__main__":
    main()
