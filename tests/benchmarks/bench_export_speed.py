"""Full export build vs label-studio-sdk's own CONLL2003 converter on the same 5,000-task export.

Target (issue 5): our build (parse, adjudicate, agreement, three configs, parquet, card) takes
≤ 1.0× the time the SDK takes for one lossy format. Both are timed in this run, best of ``--repeat``.

    .venv/bin/python tests/benchmarks/bench_export_speed.py [--tasks 5000] [--repeat 2]
"""

from __future__ import annotations

import argparse
import logging
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_export_gen import generate

from stancebank.export.release import build_release
from stancebank.schema.label_config import build_label_config


def sdk_conll(export: Path, out: Path) -> float:
    from label_studio_sdk.converter import Converter

    start = time.perf_counter()
    converter = Converter(config=build_label_config(), project_dir=None, download_resources=False)
    converter.convert(str(export), str(out), "CONLL2003", is_dir=False)
    return time.perf_counter() - start


def ours(export: Path, out: Path, registry: Path) -> float:
    start = time.perf_counter()
    build_release([export], "1.0.0", out, registry_path=registry)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tasks", type=int, default=5000)
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args()
    logging.disable(logging.WARNING)
    os.environ.setdefault("STANCEBANK_PSEUDONYM_KEY", "bench")
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        export = generate(tmp / "export.json", args.tasks)
        print(f"export: {args.tasks} tasks, 2 annotators each, {export.stat().st_size / 1e6:.1f} MB")
        sdk_times, our_times = [], []
        for i in range(args.repeat):
            sdk_times.append(sdk_conll(export, tmp / f"conll{i}"))
            registry = tmp / f"reg{i}.json"
            our_times.append(ours(export, tmp / f"rel{i}", registry))
            shutil.rmtree(tmp / f"rel{i}")
        sdk, own = min(sdk_times), min(our_times)
        print(f"label-studio-sdk → CONLL2003: {sdk:.2f} s (best of {args.repeat}: {sdk_times})")
        print(f"stancebank export build:      {own:.2f} s (best of {args.repeat}: {our_times})")
        print(f"ratio ours / sdk: {own / sdk:.2f}× (target ≤ 1.0×)")


if __name__ == "__main__":
    main()
