"""Peak RSS and time of ``validate_release_dir`` on an existing release folder (issue 5: a
100,000-task build must peak ≤ 1.5 GB, validation included).

Each measurement runs in its own child process (peak = the child's ``ru_maxrss``). Baseline in
the same run: reading every parquet file of the release with pyarrow (``pq.read_table``, all
held at once). ``--whole`` also measures the former way of validating a release — every config
read into one set of tables, then checked — for comparison with the batch-by-batch validation.

Make a release first, e.g. with the export memory benchmark's generator and
``stancebank export build EXPORT --version 1.0.0 --out DIR``, then:

    .venv/bin/python tests/benchmarks/bench_validation_release_memory.py DIR [--whole]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

CHILD = """
import json, resource, sys, time
from pathlib import Path
mode, root = sys.argv[1], Path(sys.argv[2])
import pyarrow.parquet as pq
from stancebank.validation import validate_release_dir
from stancebank.validation.config import load_config
from stancebank.validation.runner import validate_tables
from stancebank.validation.release_data import read_release
from stancebank.validation.release_files import check_integrity
start = time.perf_counter()
if mode == "read":
    tables = [pq.read_table(p) for p in sorted((root / "data").glob("*/*.parquet"))]
    n = sum(t.num_rows for t in tables)
elif mode == "whole":
    cfg = load_config(None)
    contents = read_release(root, cfg)
    findings = validate_tables(contents.tables, cfg) + check_integrity(root, contents, cfg)
    n = len(findings)
else:
    n = len(validate_release_dir(root).findings)
elapsed = time.perf_counter() - start
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"seconds": elapsed, "peak_mb": peak, "n": n}))
"""


def run(mode: str, root: Path) -> dict[str, Any]:
    out = subprocess.run(
        [sys.executable, "-c", CHILD, mode, str(root)], capture_output=True, text=True, check=True
    )
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("release", type=Path)
    parser.add_argument("--whole", action="store_true", help="also measure whole-table validation")
    args = parser.parse_args()
    size = sum(p.stat().st_size for p in (args.release / "data").glob("*/*.parquet")) / 1e6
    print(f"release {args.release}: {size:.0f} MB of parquet")
    base = run("read", args.release)
    print(f"baseline pq.read_table of every file: {base['seconds']:.1f} s, peak RSS {base['peak_mb']:.0f} MB")
    new = run("chunked", args.release)
    print(
        f"validate_release_dir: {new['seconds']:.1f} s, peak RSS {new['peak_mb']:.0f} MB "
        f"({new['n']} findings); ratio to baseline peak {new['peak_mb'] / base['peak_mb']:.2f}×"
    )
    if args.whole:
        old = run("whole", args.release)
        print(
            f"whole tables (former way): {old['seconds']:.1f} s, peak RSS {old['peak_mb']:.0f} MB "
            f"({old['n']} findings); ratio to baseline peak {old['peak_mb'] / base['peak_mb']:.2f}×"
        )


if __name__ == "__main__":
    main()
