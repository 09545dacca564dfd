"""Peak RSS of a full export build of 100,000 tasks (target ≤ 1.5 GB).

The build runs in a child process (so generation does not count); peak RSS is the child's
``ru_maxrss``. Baseline in the same run: the peak RSS of ``json.load`` of the same export, i.e.
what merely holding the file as Python objects costs (the build streams it with ijson instead).

    .venv/bin/python tests/benchmarks/bench_export_memory.py [--tasks 100000] [--no-baseline]
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
import logging, sys
from pathlib import Path
from stancebank.export.release import build_release
logging.disable(logging.WARNING)
r = build_release([Path(sys.argv[1])], "1.0.0", Path(sys.argv[2]), registry_path=Path(sys.argv[3]))
print(r.counts)
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
    return elapsed, max(peak, before) / 1024, proc.stdout.strip()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tasks", type=int, default=100_000)
    parser.add_argument("--no-baseline", action="store_true")
    args = parser.parse_args()
    os.environ.setdefault("STANCEBANK_PSEUDONYM_KEY", "bench")
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        start = time.perf_counter()
        export = generate(tmp / "export.json", args.tasks)
        size = export.stat().st_size / 1e6
        print(f"export: {args.tasks} tasks, {size:.0f} MB (generated in {time.perf_counter() - start:.0f} s)")
        secs, peak, out = run_child(CHILD_BUILD, str(export), str(tmp / "release"), str(tmp / "reg.json"))
        print(f"stancebank export build: {secs:.0f} s, peak RSS {peak:.0f} MB (target ≤ 1536 MB); rows {out}")
        if not args.no_baseline:
            jsecs, jpeak, _ = run_child(CHILD_JSON, str(export))
            print(f"baseline json.load of the export: {jsecs:.0f} s, peak RSS {jpeak:.0f} MB")
            print(f"ratio build / json.load peak RSS: {peak / jpeak:.2f}×")


if __name__ == "__main__":
    main()
