"""Full export build vs label-studio-sdk's own converters on the same 5,000-task export.

The export has realistic disagreement (``bench_export_gen``: two annotators, ~30 regions per
article, ~80% of articles differ somewhere and go to review), so the build writes large review
files as a real one does. Each command runs in its own child process (so each pays its own imports
and its peak RSS is its own ``ru_maxrss``); every one is timed in this run, best of ``--repeat``.
Wall time and CPU time (user + system) are both printed: on a shared machine the CPU-time ratio
is the steadier one (all three commands are single-threaded Python).

Targets (issue 15): our build (parse, adjudicate, agreement, four configs, parquet, card,
validation, review files) ≤ 0.6× the SDK's CONLL2003 conversion and ≤ 1.5× its JSON_MIN; peak RSS
≤ 800 MB.

``--baseline-ref REF`` also runs our build with REF's code (:mod:`baseline_tree`) in the same run
and prints this checkout's CPU time and peak RSS as ratios to it; ``--no-sdk`` skips the SDK runs.

    .venv/bin/python tests/benchmarks/bench_export_speed.py [--tasks 5000] [--repeat 1]
        [--export EXISTING.json] [--baseline-ref REF] [--no-sdk]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from baseline_tree import checkout, describe
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
print(seconds, usage.ru_maxrss / 1024, usage.ru_utime + usage.ru_stime, len(result.pending_review))
"""


def child(code: str, *args: str, env: dict[str, str] | None = None) -> list[float]:
    """What the child prints on its last line: wall seconds (imports included), peak RSS in MB,
    CPU seconds (user + system), …"""
    proc = subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, text=True, check=True, env=env
    )
    return [float(x) for x in proc.stdout.split("\n")[-2].split()]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tasks", type=int, default=5000)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--export", type=Path, help="an existing export to build (skips generation)")
    parser.add_argument("--baseline-ref", help="also build with this git ref's code, side by side")
    parser.add_argument("--no-sdk", action="store_true", help="skip the label-studio-sdk conversions")
    args = parser.parse_args()
    os.environ.setdefault("STANCEBANK_PSEUDONYM_KEY", "bench")
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        export = args.export or generate(tmp / "export.json", args.tasks)
        print(f"export: {export.name}, 2 annotators each, {export.stat().st_size / 1e6:.1f} MB")
        env = checkout(args.baseline_ref, tmp / "baseline") if args.baseline_ref else None
        formats = () if args.no_sdk else ("CONLL2003", "JSON_MIN")
        runs: dict[str, list[list[float]]] = {name: [] for name in (*formats, "ours", "baseline")}
        for i in range(args.repeat):
            for fmt in formats:
                runs[fmt].append(child(SDK, str(export), str(tmp / f"{fmt}{i}"), fmt))
            if env is not None:  # alternating, so that a busy spell of the machine hits both
                base_args = (str(export), str(tmp / f"base{i}"), str(tmp / f"base-reg{i}.json"))
                runs["baseline"].append(child(OURS, *base_args, env=env))
            runs["ours"].append(child(OURS, str(export), str(tmp / f"rel{i}"), str(tmp / f"reg{i}.json")))
        # best of the repeats by CPU time (the steadier measure on a shared machine)
        best = {name: min(r, key=lambda x: x[2]) for name, r in runs.items() if r}
        ours = best["ours"]
        for fmt in formats:
            run = best[fmt]
            name = f"label-studio-sdk → {fmt}"
            print(f"{name:<30}{run[0]:7.2f} s wall, {run[2]:7.2f} s CPU, peak RSS {run[1]:5.0f} MB")
        if "baseline" in best:
            base = best["baseline"]
            print(f"[{args.baseline_ref}: {describe(args.baseline_ref)}]")
            print(
                f"{'export build at ' + args.baseline_ref:<30}{base[0]:7.2f} s wall, {base[2]:7.2f} s CPU, "
                f"peak RSS {base[1]:5.0f} MB"
            )
        print(
            f"{'stancebank export build':<30}{ours[0]:7.2f} s wall, {ours[2]:7.2f} s CPU, "
            f"peak RSS {ours[1]:5.0f} MB ({int(ours[3])} articles to review)"
        )
        if "baseline" in best:
            base = best["baseline"]
            print(
                f"ratio this checkout / {args.baseline_ref}: {ours[2] / base[2]:.2f}× CPU, "
                f"{ours[0] / base[0]:.2f}× wall, {ours[1] / base[1]:.2f}× peak RSS"
            )
        for name, target in (("CONLL2003", 0.6), ("JSON_MIN", 1.5)):
            if name in best:
                sdk = best[name]
                print(
                    f"ratio ours / {name}: {ours[0] / sdk[0]:.2f}× wall, {ours[2] / sdk[2]:.2f}× CPU "
                    f"(target ≤ {target}×)"
                )
        print(f"peak RSS ours: {ours[1]:.0f} MB (target ≤ 800 MB)")


if __name__ == "__main__":
    main()
