"""Speed of `stancebank studio progress` on a project with two annotations per task.

Target (issue 16): progress on a 5,000-task project with 10,000 annotations in ≤ 10 s. Four
annotator users; every task annotated by two of them (with ``lead_time``), every fifth task with
a disagreement (the second annotator left out the target span), so the review count and the
agreement are really computed. Prints the time of each part (a script, not a test): a run that
takes a whole export snapshot, and a run that updates the snapshot kept from the last run with
the tasks changed since (after CHANGES new annotations), wall and CPU (this process + server).

Run: .venv/bin/python tests/benchmarks/bench_studio_progress.py [N_TASKS] [ROUNDS]
"""

from __future__ import annotations

import json
import logging
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sbtest.studio_fixtures import Clock, make_tasks, running_studio

from stancebank.export import Pseudonymizer
from stancebank.tasks.studio.annotations import ensure_annotators
from stancebank.tasks.studio.client import StudioClient
from stancebank.tasks.studio.progress import compute_progress, fetch_progress, states_from_export
from stancebank.tasks.studio.pull import snapshot
from stancebank.tasks.studio.snapcache import current_tasks
from stancebank.tasks.studio.sync import push
from stancebank.tasks.studio.team import apply_overlap

CHANGES = 50  # new annotations between two looks at the progress


def median_wall(clocks: list[Clock]) -> float:
    return statistics.median(c.wall for c in clocks)


def median_cpu(clocks: list[Clock]) -> float:
    return statistics.median(c.cpu for c in clocks)


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
        task_list = [t for t in client.iter_tasks(pid) if t["data"]["article_id"] != "art-000000"]
        cache = Path(tmp) / "kept-snapshots"
        full: list[Clock] = []
        kept: list[Clock] = []
        changed: list[int] = []
        with Clock(server.pid) as first:  # the first run with reuse: a whole snapshot, kept
            fetch_progress(client, "progress", pseudonym, cache_dir=cache)
        print(f"first run (whole snapshot, kept): {first.wall:.2f} s wall / {first.cpu:.2f} s CPU")
        for r in range(rounds):
            with Clock(server.pid) as clock:
                progress = fetch_progress(client, "progress", pseudonym, reuse=False)
            full.append(clock)
            assert progress.project.annotations == 2 * n, progress.project
            # the work since the last look: CHANGES tasks skipped (cancelled annotations)
            for task in task_list[r * CHANGES : (r + 1) * CHANGES]:
                client.post_json(
                    f"/api/tasks/{task['id']}/annotations/",
                    {"result": [], "completed_by": users[0], "was_cancelled": True, "lead_time": 5},
                )
            with Clock(server.pid) as clock:  # what fetch_progress(reuse=True) does, with the count
                client.require_project("progress")
                fetched = current_tasks(client, pid, cache)
                states = states_from_export(fetched.tasks, 2, False)
                progress = compute_progress("progress", pid, fetched.tasks, states, pseudonym)
            kept.append(clock)
            changed.append(fetched.changed)
            assert not fetched.full and progress.project.skipped == (r + 1) * CHANGES, progress.project
            print(
                f"round {r}: whole snapshot {full[-1].wall:.2f} s wall / {full[-1].cpu:.2f} s CPU · "
                f"kept + changed since ({fetched.changed} tasks re-read) {kept[-1].wall:.2f} s / "
                f"{kept[-1].cpu:.2f} s"
            )
        # where the time of a whole run goes
        t0 = time.perf_counter()
        blob = snapshot(client, pid, predictions=False)
        t1 = time.perf_counter()
        exported = json.loads(blob)
        t2 = time.perf_counter()
        compute_progress("progress", pid, exported, states_from_export(exported, 2, False), pseudonym)
        t3 = time.perf_counter()
        client.close()
    print(
        f"\n{n} tasks, {2 * n} annotations ({rounds} round(s); shared machine: CPU = this process + the "
        f"Label Studio server)\n"
        f"  whole snapshot  : median {statistics.median(c.wall for c in full):.2f} s wall, "
        f"{statistics.median(c.cpu for c in full):.2f} s CPU\n"
        f"  kept + changed  : median {statistics.median(c.wall for c in kept):.2f} s wall, "
        f"{statistics.median(c.cpu for c in kept):.2f} s CPU after {CHANGES} new annotations "
        f"(target ≤ 10 s)\n"
        f"  ratio kept/whole: {median_wall(kept) / median_wall(full):.2f}× wall, "
        f"{median_cpu(kept) / median_cpu(full):.2f}× CPU\n"
        f"  a whole run: export snapshot {t1 - t0:.2f} s · JSON parse {t2 - t1:.2f} s · "
        f"compute {t3 - t2:.2f} s"
    )


if __name__ == "__main__":
    main()
