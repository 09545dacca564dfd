"""Speed of `stancebank studio push` against a bare SDK ``import_tasks`` on the same server.

Targets (issue 4): push of 5,000 tasks with span+relation predictions ≤ 1.3× a bare
``client.projects.import_tasks`` of the same payload; a re-push of the same unchanged tasks imports
nothing and takes ≤ 10 s. Prints ratios measured in this run (a script, not a test).

Run: .venv/bin/python tests/benchmarks/bench_studio_push.py [N_TASKS] [ROUNDS]
"""

from __future__ import annotations

import logging
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from label_studio_sdk.client import LabelStudio
from sbtest.studio_fixtures import make_tasks, running_studio

from stancebank.schema.label_config import build_label_config
from stancebank.tasks.studio.client import StudioClient
from stancebank.tasks.studio.sync import push


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 5000
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 2
    logging.basicConfig(level=logging.WARNING)
    tasks = make_tasks(n, text_chars=3000)
    config = build_label_config()
    with tempfile.TemporaryDirectory(prefix="bench-studio-") as tmp, running_studio(Path(tmp)) as server:
        sdk = LabelStudio(base_url=server.url, api_key=server.api_key, timeout=600)
        client = StudioClient(server.url, server.api_key)
        bare_times, ours_times, repush_times = [], [], []
        for r in range(rounds):
            # Alternate which goes first: the machine is shared, so order effects are real.
            order = ("bare", "ours") if r % 2 == 0 else ("ours", "bare")
            for which in order:
                if which == "bare":
                    project = sdk.projects.create(title=f"bare-{r}", label_config=config)
                    t0 = time.perf_counter()
                    sdk.projects.import_tasks(id=project.id, request=tasks)
                    bare_times.append(time.perf_counter() - t0)
                else:
                    t0 = time.perf_counter()
                    report = push(client, tasks, f"ours-{r}")
                    ours_times.append(time.perf_counter() - t0)
                    assert report.created == n, report
            t0 = time.perf_counter()
            again = push(client, tasks, f"ours-{r}")
            repush_times.append(time.perf_counter() - t0)
            assert again.created == 0 and again.unchanged == n, again
            print(
                f"round {r}: bare import_tasks {bare_times[-1]:.2f} s ({n / bare_times[-1]:.0f} tasks/s) · "
                f"push {ours_times[-1]:.2f} s ({n / ours_times[-1]:.0f} tasks/s) · "
                f"re-push {repush_times[-1]:.2f} s (0 created)"
            )
        client.close()
    print(f"\n{n} tasks with span+relation predictions, ~3,000-character texts, {rounds} round(s):")
    for name, agg in (("median", statistics.median), ("best", min)):
        ratio = agg(ours_times) / agg(bare_times)
        print(f"  {name:6}: push / bare import_tasks = {ratio:.2f}×   (target ≤ 1.3×)")
    print(f"  re-push of unchanged tasks: worst {max(repush_times):.2f} s, imported 0   (target ≤ 10 s)")


if __name__ == "__main__":
    main()
