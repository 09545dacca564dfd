"""``tasks build`` on templated input: thousands of near-copies of one page.

Scraped corpora carry templated pages (an error page, a cookie wall, a live blog republished with
one line changed). The input here is ``--copies`` copies of a ``--words``-word text, each with one
word replaced (every copy a near-duplicate of the first), plus as many distinct articles, as JSON
Lines. Each build runs in its own child process (``--no-preannotate``: the duplicate rule is what is
measured, not the pre-annotator); wall time, CPU time and peak RSS are printed, and with
``--baseline-ref REF`` the same build with REF's code (:mod:`baseline_tree`) in the same run, the
tasks compared byte for byte.

    .venv/bin/python tests/benchmarks/bench_tasks_dedup.py [--copies 4000] [--words 400]
        [--baseline-ref REF] [--engine local|ray]
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from baseline_tree import checkout, describe

BUILD = """
import logging, resource, sys, time
logging.disable(logging.WARNING)
start = time.perf_counter()
from stancebank.tasks.cli import app
try:
    app(["build", sys.argv[1], "--out", sys.argv[2], "--no-preannotate", "--engine", sys.argv[3]])
except SystemExit as stop:
    assert not stop.code, stop.code
usage = resource.getrusage(resource.RUSAGE_SELF)
print(time.perf_counter() - start, usage.ru_maxrss / 1024, usage.ru_utime + usage.ru_stime)
"""


def write_input(path: Path, copies: int, words: int, seed: int = 1) -> None:
    """``copies`` one-word-apart copies of one text and ``copies`` distinct texts, interleaved."""
    rng = random.Random(seed)
    vocabulary = [f"w{rng.randrange(10**6)}" for _ in range(5000)]
    template = [rng.choice(vocabulary) for _ in range(words)]
    with path.open("w", encoding="utf-8") as out:
        for n in range(copies):
            copy = list(template)
            copy[rng.randrange(words)] = f"copy{n}"
            other = [rng.choice(vocabulary) for _ in range(words)]
            for kind, text in (("copy", copy), ("other", other)):
                record = {"id": f"{kind}-{n}", "title": f"{kind} {n}", "text": " ".join(text)}
                out.write(json.dumps(record) + "\n")


def run(source: Path, out: Path, engine: str, env: dict[str, str] | None = None) -> list[float]:
    """Wall seconds, peak RSS (MB) and CPU seconds of one build in a child process."""
    proc = subprocess.run(
        [sys.executable, "-c", BUILD, str(source), str(out), engine],
        capture_output=True,
        text=True,
        check=True,
        env=env,
    )
    return [float(x) for x in proc.stdout.split("\n")[-2].split()]


def line(name: str, run: list[float]) -> str:
    return f"{name:<28}{run[0]:8.2f} s wall {run[2]:8.2f} s CPU  peak RSS {run[1]:6.0f} MB"


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--copies", type=int, default=4000)
    parser.add_argument("--words", type=int, default=400)
    parser.add_argument("--engine", default="local", choices=["local", "ray"])
    parser.add_argument("--baseline-ref", help="also build with this git ref's code, side by side")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        source = tmp / "templated.jsonl"
        write_input(source, args.copies, args.words)
        print(f"input: {args.copies} near-copies of a {args.words}-word text, {args.copies} distinct texts")
        ours = run(source, tmp / "ours.json", args.engine)
        print(line("this checkout", ours))
        if args.baseline_ref:
            env = checkout(args.baseline_ref, tmp / "baseline")
            base = run(source, tmp / "base.json", args.engine, env)
            print(f"[{args.baseline_ref}: {describe(args.baseline_ref)}]")
            print(line(args.baseline_ref, base))
            same = (tmp / "ours.json").read_bytes() == (tmp / "base.json").read_bytes()
            print(
                f"ratio this checkout / {args.baseline_ref}: {ours[2] / base[2]:.3f}x CPU, "
                f"{ours[1] / base[1]:.3f}x peak RSS; tasks {'identical' if same else 'DIFFER'}"
            )


if __name__ == "__main__":
    main()
