"""Benchmark: validate a release with 1,000,000 spans (~50,000 documents).

Target (issue 6): ≤ 15 s and ≤ 2 GB peak RSS for ``validate_release_dir`` (parquet read, every
table check, splits, near-duplicates, manifest and card). Baseline, measured in the same run on the
same spans: a naive row-by-row Python check of the span/relation/attribute rules. Both run in
their own child process so that peak RSS is theirs alone.

    .venv/bin/python tests/benchmarks/bench_validation_speed.py [--docs 50000] [--spans-per-doc 20]
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
FIXTURES = HERE.parent / "fixtures" / "validation" / "make_fixtures.py"

WORDS = ["the", "council", "said", "minister", "union", "plan", "taxes", "will", "fall", "rise", "new", "tram", "line", "river", "crossing", "farmers", "water", "rules", "unfair", "residents", "welcomed", "opposed", "budget", "election", "ceasefire", "talks", "border", "security", "energy", "prices", "reform", "school", "hospital", "court", "ruling", "protest", "police", "mayor", "president", "government", "party", "vote"]


def _writer() -> Any:
    spec = importlib.util.spec_from_file_location("make_fixtures", FIXTURES)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def make_release(root: Path, n_docs: int, spans_per_doc: int, seed: int = 7) -> int:
    rng = random.Random(seed)
    splits: dict[str, list[dict[str, Any]]] = {"train": [], "validation": [], "test": []}
    n_spans = 0
    for d in range(n_docs):
        words = [rng.choice(WORDS) for _ in range(300)]
        words[:4] = [f"doc{d}", f"w{rng.randrange(10**9)}", f"x{rng.randrange(10**9)}", f"y{d * 7}"]
        text = " ".join(words)
        starts = sorted(rng.sample(range(len(text) - 40), spans_per_doc))
        spans = []
        for i, start in enumerate(starts):
            end = start + rng.randrange(3, 40)
            label = i % 3 if i < spans_per_doc - spans_per_doc % 3 else 2  # ACTOR, CLAIM, TARGET
            spans.append(
                {
                    "id": f"s{i}",
                    "label": label,
                    "start": start,
                    "end": end,
                    "text": text[start:end],
                    "attributes": {
                        "actor_type": rng.randrange(5) if label == 0 else None,
                        "actor_name": None,
                        "claim_form": rng.randrange(3) if label == 1 else None,
                    },
                }
            )
        relations = []
        for i in range(0, spans_per_doc - spans_per_doc % 3, 3):
            relations.append({"from_id": f"s{i}", "to_id": f"s{i + 1}", "label": 0})  # source
            relations.append({"from_id": f"s{i + 1}", "to_id": f"s{i + 2}", "label": 1 + i % 3})  # a stance
        n_spans += len(spans)
        split = ("train",) * 8 + ("validation", "test")
        splits[split[d % 10]].append(
            {
                "id": f"doc-{d}",
                "title": "t",
                "text": text,
                "url": None,
                "source": "bench",
                "published": "2025-01-01",
                "language": "en",
                "spans": spans,
                "relations": relations,
                "num_annotators": 1,
            }
        )
    _writer().write_release(root, {"documents": splits})
    return n_spans


CHILD_VECTORISED = """
import json, resource, sys, time
from stancebank.validation import validate_release_dir
t = time.perf_counter()
report = validate_release_dir(sys.argv[1])
elapsed = time.perf_counter() - t
print(json.dumps({"seconds": elapsed, "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  "findings": len(report.findings), "checked": report.checked,
                  "first": [f.check + ": " + f.message for f in report.findings[:5]]}))
"""

CHILD_NAIVE = """
import json, resource, sys, time
import pyarrow.parquet as pq
from pathlib import Path
from stancebank.schema.spec import SPEC
t = time.perf_counter()
labels = list(SPEC.span_label_names); rels = list(SPEC.relation_label_names)
allowed = {(r.name, a, b) for r in SPEC.relation_labels for a in r.from_labels for b in r.to_labels}
choices = {(l.name, a.name): set(a.choices) for l in SPEC.span_labels for a in l.attributes if a.kind == "choice"}
attr_names = [a.name for a in SPEC.attributes]
errors = 0; n = 0
for path in sorted(Path(sys.argv[1], "data", "documents").glob("*.parquet")):
    for doc in pq.read_table(path).to_pylist():  # row by row, as dicts
        text = doc["text"]; ids = {}; seen_pos = set()
        for s in doc["spans"]:
            n += 1
            label = labels[s["label"]] if 0 <= s["label"] < len(labels) else None
            if label is None: errors += 1
            if not (0 <= s["start"] < s["end"] <= len(text)): errors += 1
            elif text[s["start"]:s["end"]] != s["text"]: errors += 1
            if s["id"] in ids: errors += 1
            ids[s["id"]] = label
            key = (s["start"], s["end"], label)
            if key in seen_pos: errors += 1
            seen_pos.add(key)
            for name in attr_names:
                v = s["attributes"].get(name)
                if v is None: continue
                allowed_values = choices.get((label, name))
                if allowed_values is None and name != "actor_name": errors += 1
        sources = set()
        for r in doc["relations"]:
            rl = rels[r["label"]]
            a, b = ids.get(r["from_id"]), ids.get(r["to_id"])
            if a is None or b is None: errors += 1
            elif (rl, a, b) not in allowed: errors += 1
            if r["from_id"] == r["to_id"]: errors += 1
            if rl == "source": sources.add(r["to_id"])
        for sid, label in ids.items():
            if label == SPEC.role_label("claim") and sid not in sources: errors += 1
elapsed = time.perf_counter() - t
print(json.dumps({"seconds": elapsed, "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  "spans": n, "errors": errors}))
"""


def run_child(code: str, root: Path) -> dict[str, Any]:
    out = subprocess.run([sys.executable, "-c", code, str(root)], check=True, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def profile(n_docs: int) -> None:
    import cProfile
    import pstats

    from stancebank.validation import validate_release_dir

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "release"
        make_release(root, n_docs, 20)
        cProfile.runctx(
            "validate_release_dir(root)",
            globals(),
            {"validate_release_dir": validate_release_dir, "root": root},
            "/tmp/bench.prof",
        )
    pstats.Stats("/tmp/bench.prof").sort_stats("cumulative").print_stats(40)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--docs", type=int, default=50_000)
    parser.add_argument("--spans-per-doc", type=int, default=20)
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    if args.profile:
        profile(args.docs)
        return
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "release"
        t = time.perf_counter()
        n_spans = make_release(root, args.docs, args.spans_per_doc)
        print(f"generated {args.docs} documents, {n_spans} spans in {time.perf_counter() - t:.1f}s")
        vec = run_child(CHILD_VECTORISED, root)
        naive = run_child(CHILD_NAIVE, root)
    print(
        f"vectorised (validate_release_dir, all checks): {vec['seconds']:.2f}s, peak RSS {vec['peak_rss_mb']:.0f} MB, "
        f"findings {vec['findings']} {vec['first']}"
    )
    print(
        f"naive row-by-row Python (span/relation rules only): {naive['seconds']:.2f}s, "
        f"peak RSS {naive['peak_rss_mb']:.0f} MB, errors {naive['errors']}"
    )
    print(
        f"ratio vectorised / naive: {vec['seconds'] / naive['seconds']:.2f}x "
        f"(targets: ≤15 s, ≤2048 MB; {'met' if vec['seconds'] <= 15 and vec['peak_rss_mb'] <= 2048 else 'NOT met'})"
    )


if __name__ == "__main__":
    main()
