"""Full export build vs label-studio-sdk's own converters on the same 5,000-task export.

The export has realistic disagreement (``bench_export_gen``: two annotators, ~30 regions per
article, ~80% of articles differ somewhere and go to review), so the build writes large review
files as a real one does. Each command runs in its own child process (so each pays its own imports
and its peak RSS is its own ``ru_maxrss``); every one is timed in this run, best of ``--repeat``.
Wall time and CPU time (user + system) are both printed: on a shared machine the CPU-time ratio
is the steadier one (all three commands are single-threaded Python).

Targets (issue 15): our build (parse, adjudicate, agreement, three configs, parquet, card,
validation, review files) ≤ 0.6× the SDK's CONLL2003 conversion and ≤ 1.5× its JSON_MIN; peak RSS
≤ 800 MB.

    .venv/bin/python tests/benchmarks/bench_export_speed.py [--tasks 5000] [--repeat 1]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_export_gen import generate

SDK = """
import logging, resource, sys, time
logging.disable(logging.WARNING)
start = time.perf_counter()
from label_studio_sdk.converter import Converter
from stancebank.schema.label_config import build_label_config
converter = Converter(config=build_label_config(), project_dir=None, download_resources=False)
converter.convert(sys.argv[1], sys.argv[2], sys.argv[3], is_dir=False)
usage = resource.getrusage(resource.RUSAGE_SELF)
print(time.perf_counter() - start, usage.ru_maxrss / 1024, usage.ru_utime + usage.ru_stime)
"""

OURS = """
import logging, resource, sys, time
logging.disable(logging.WARNING)
start = time.perf_counter()
from pathlib import Path
from stancebank.export.release import build_release
result = build_release([Path(sys.argv[1])], "1.0.0", Path(sys.argv[2]), registry_path=Path(sys.argv[3]))
seconds = time.perf_counter() - start
usage = resource.getrusage(resource.RUSAGE_SELF)
print(seconds, usage.ru_maxrss / 1024, usage.ru_utime + usage.ru_stime, len(result.conflicts))
"""


def child(code: str, *args: str) -> list[float]:
    """What the child prints on its last line: wall seconds (imports included), peak RSS in MB,
    CPU seconds (user + system), …"""
    proc = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, check=True)
    return [float(x) for x in proc.stdout.split("\n")[-2].split()]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tasks", type=int, default=5000)
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args()
    os.environ.setdefault("STANCEBANK_PSEUDONYM_KEY", "bench")
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        export = generate(tmp / "export.json", args.tasks)
        print(f"export: {args.tasks} tasks, 2 annotators each, {export.stat().st_size / 1e6:.1f} MB")
        runs: dict[str, list[list[float]]] = {"CONLL2003": [], "JSON_MIN": [], "ours": []}
        for i in range(args.repeat):
            for fmt in ("CONLL2003", "JSON_MIN"):
                runs[fmt].append(child(SDK, str(export), str(tmp / f"{fmt}{i}"), fmt))
            runs["ours"].append(child(OURS, str(export), str(tmp / f"rel{i}"), str(tmp / f"reg{i}.json")))
        best = {name: min(r, key=lambda x: x[0]) for name, r in runs.items()}
        conll, json_min, ours = best["CONLL2003"], best["JSON_MIN"], best["ours"]
        for name, run in (("label-studio-sdk → CONLL2003", conll), ("label-studio-sdk → JSON_MIN", json_min)):
            print(f"{name:<30}{run[0]:7.2f} s wall, {run[2]:7.2f} s CPU, peak RSS {run[1]:5.0f} MB")
        print(
            f"{'stancebank export build':<30}{ours[0]:7.2f} s wall, {ours[2]:7.2f} s CPU, "
            f"peak RSS {ours[1]:5.0f} MB ({int(ours[3])} articles to review)"
        )
        for name, sdk, target in (("CONLL2003", conll, 0.6), ("JSON_MIN", json_min, 1.5)):
            print(
                f"ratio ours / {name}: {ours[0] / sdk[0]:.2f}× wall, {ours[2] / sdk[2]:.2f}× CPU "
                f"(target ≤ {target}×)"
            )
        print(f"peak RSS ours: {ours[1]:.0f} MB (target ≤ 800 MB)")


if __name__ == "__main__":
    main()
