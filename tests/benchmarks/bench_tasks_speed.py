"""Speed of `stancebank tasks build` (a script, not a test; numbers are ratios to baselines measured
in the same run).

- without pre-annotation: articles/s on 3,000-character articles, vs. a bare read+NFC+split loop;
- with pre-annotation: words/s per worker, vs. a bare ``nlp.pipe`` over the same texts;
- 1 → 2 worker scaling; peak RSS of this process and its children.

Run: .venv/bin/python tests/benchmarks/bench_tasks_speed.py [N_ARTICLES]
"""

from __future__ import annotations

import json
import random
import resource
import sys
import tempfile
import time
import unicodedata
from pathlib import Path

from stancebank.tasks.build import DEFAULT_MODEL, BuildOptions, build_tasks
from stancebank.tasks.preannotate import load_model

SENTENCES = [
    "“We are not ready to accept a ceasefire on these terms,” said Minister Ana Ruiz.",
    "She said that the new tariffs would hurt exporters across the region.",
    "According to the council, the ferry timetable will change next spring.",
    "The talks in Geneva ended without an agreement late on Tuesday evening.",
    "Opposition members warned that the plan would cost more than promised.",
    "“This is a question of trust,” he added, urging both sides to return to the table.",
    "Residents of the harbour district gathered outside the town hall in the rain.",
]


def make_article(rng: random.Random, i: int) -> str:
    parts = [f"Story {i}: council debates the plan number {rng.randint(0, 10**9)}"]
    while sum(len(p) for p in parts) < 3000:
        parts.append(" ".join(rng.choice(SENTENCES) for _ in range(3)) + f" Ref {rng.randint(0, 10**9)}.")
    return "\n\n".join(parts)[:3000]


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 3000
    rng = random.Random(7)
    texts = [make_article(rng, i) for i in range(n)]
    words = sum(len(t.split()) for t in texts)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "articles.jsonl"
        path.write_text("".join(json.dumps({"text": t, "language": "en"}) + "\n" for t in texts), "utf-8")

        t0 = time.perf_counter()
        for line in path.read_text("utf-8").splitlines():
            unicodedata.normalize("NFC", json.loads(line)["text"]).split("\n")
        base = time.perf_counter() - t0
        t0 = time.perf_counter()
        result = build_tasks([path], BuildOptions(preannotate=False))
        fast = time.perf_counter() - t0
        assert len(result.tasks) == n, (len(result.tasks), result.skipped[:3])
        print(
            f"--no-preannotate: {n / fast:,.0f} articles/s ({n} x 3,000 chars); "
            f"baseline read+NFC+split {n / base:,.0f}/s; ratio {base / fast:.2f} of baseline speed"
        )

        m = min(n, 300)
        sub = Path(tmp) / "sub.jsonl"
        sub.write_text("".join(json.dumps({"text": t, "language": "en"}) + "\n" for t in texts[:m]), "utf-8")
        sub_words = sum(len(t.split()) for t in texts[:m])
        nlp = load_model(DEFAULT_MODEL)
        list(nlp.pipe(texts[:20]))
        t0 = time.perf_counter()
        for _ in nlp.pipe(texts[:m], batch_size=16):
            pass
        bare = time.perf_counter() - t0
        timings = {}
        for workers in (1, 2):
            t0 = time.perf_counter()
            res = build_tasks([sub], BuildOptions(workers=workers))
            timings[workers] = time.perf_counter() - t0
            assert sum(1 for t in res.tasks if t.get("predictions")) == m
        print(
            f"pre-annotation, 1 worker: {sub_words / timings[1]:,.0f} words/s "
            f"(bare nlp.pipe {sub_words / bare:,.0f} words/s; ratio {bare / timings[1]:.2f})"
        )
        print(
            f"pre-annotation, 2 workers: {sub_words / timings[2]:,.0f} words/s total, "
            f"{sub_words / timings[2] / 2:,.0f} per worker; scaling 1→2 = {timings[1] / timings[2]:.2f}x "
            "(includes spawning and loading the model in each worker)"
        )
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"peak RSS: main {own:,.0f} MiB, largest worker {kids:,.0f} MiB; corpus {words:,} words")


if __name__ == "__main__":
    main()
