"""Speed of `stancebank studio progress` on a project with two annotations per task.

Target (issue 16): progress on a 5,000-task project with 10,000 annotations in ≤ 10 s. Four
annotator users; every task annotated by two of them (with ``lead_time``), every fifth task with
a disagreement (the second annotator left out the target span), so the review count and the
agreement are really computed. Prints the time of each part (a script, not a test).

Run: .venv/bin/python tests/benchmarks/bench_studio_progress.py [N_TASKS] [ROUNDS]
"""

from __future__ import annotations

import logging
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sbtest.studio_fixtures import make_tasks, running_studio

from stancebank.export import Pseudonymizer
from stancebank.tasks.studio.annotations import ensure_annotators
from stancebank.tasks.studio.client import StudioClient
from stancebank.tasks.studio.progress import compute_progress, fetch_progress, task_states
from stancebank.tasks.studio.pull import snapshot
from stancebank.tasks.studio.sync import push
from stancebank.tasks.studio.team import apply_overlap


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 5000
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 2
    logging.basicConfig(level=logging.WARNING)
    pseudonym = Pseudonymizer(b"bench-key")
    with tempfile.TemporaryDirectory(prefix="bench-progress-") as tmp, running_studio(Path(tmp)) as server:
        client = StudioClient(server.url, server.api_key)
        t0 = time.perf_counter()
        pid = push(client, make_tasks(1, text_chars=3000), "progress").project.id  # the project + config
        apply_overlap(client, pid, 2, 100)
        ids, _ = ensure_annotators(client, [f"bench-{i}" for i in range(4)])
        users = sorted(ids.values())
        tasks = make_tasks(n, start=1, text_chars=3000)
        for i, task in enumerate(tasks):
            full = task["predictions"][0]["result"]
            partial = [r for r in full if r.get("type") != "relation" and "TARGET" not in str(r.get("value"))]
            second = partial if i % 5 == 0 else full
            task["annotations"] = [
                {
                    "result": full,
                    "completed_by": users[i % 4],
                    "lead_time": 20 + i % 60,
                    "ground_truth": False,
                },
                {
                    "result": second,
                    "completed_by": users[(i + 1) % 4],
                    "lead_time": 30 + i % 90,
                    "ground_truth": False,
                },
            ]
        for start in range(0, n, 1000):
            client.post_json(f"/api/projects/{pid}/import", tasks[start : start + 1000])
        print(f"set-up: {n} tasks with {2 * n} annotations imported in {time.perf_counter() - t0:.1f} s")
        totals = []
        for r in range(rounds):
            t0 = time.perf_counter()
            progress = fetch_progress(client, "progress", pseudonym)
            totals.append(time.perf_counter() - t0)
            assert progress.project.annotations == 2 * n, progress.project
            print(
                f"round {r}: progress {totals[-1]:.2f} s · done {progress.project.done} · in review "
                f"{progress.project.in_review} · span F1 {progress.project.agreement_span_f1}"
            )
        # where the time goes
        t0 = time.perf_counter()
        states = task_states(client, pid)
        t1 = time.perf_counter()
        import json

        blob = snapshot(client, pid)
        t2 = time.perf_counter()
        exported = json.loads(blob)
        t3 = time.perf_counter()
        compute_progress("progress", pid, exported, states, pseudonym)
        t4 = time.perf_counter()
        client.close()
    print(
        f"\n{n} tasks, {2 * n} annotations: progress median {statistics.median(totals):.2f} s, best "
        f"{min(totals):.2f} s (target ≤ 10 s)\n  task list {t1 - t0:.2f} s · "
        f"export snapshot {t2 - t1:.2f} s · "
        f"JSON parse {t3 - t2:.2f} s · compute {t4 - t3:.2f} s"
    )


if __name__ == "__main__":
    main()
