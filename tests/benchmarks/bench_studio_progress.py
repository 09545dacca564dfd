"""Speed of `stancebank studio progress` on a project with two annotations per task.

Target (issue 16): progress on a 5,000-task project with 10,000 annotations in ≤ 10 s, measured as
the wall time of the whole command (`stancebank studio progress --fresh --format json`, a new
process: start-up, reading every task, computing, printing) on a cold run (nothing kept from an
earlier run). Four annotator users; every task annotated by two of them (with ``lead_time``),
every fifth task with a disagreement (the second annotator left out the target span), so the
review count and the agreement are really computed.

Printed (a script, not a test), each as wall and CPU (the command's or this process's + the Label
Studio server's; the machine is shared, so CPU is the comparable figure):

- cold: the command with ``--fresh`` (every task read from the task list, pages read ahead);
- baseline, same run: what ``progress`` did before (an export snapshot of the project, then the
  same computation), and the task list read alone;
- warm: the command after CHANGES new (skipped) annotations, updating the tasks kept by the cold
  run. All the bench's tasks were created moments ago, inside the two minutes the kept copy reads
  again, so the warm run here is measured in-process with no margin (what ``fetch_progress`` does
  otherwise), and checked against a cold read.

With ``--candidates``, each round also reads the project through the other public ways of getting
every task with its annotations, side by side (wall, the server's CPU, bytes): the task list as
progress asks for it, the same without ``review=true``, the task list with task ids only (the
server's floor: it loads every task with its annotations and predictions whatever it returns),
``GET /api/projects/{id}/export?exportType=JSON&download_all_tasks=true`` (the synchronous
export) and ``GET /api/projects/{id}/tasks/`` (the older per-project list).

Run: .venv/bin/python tests/benchmarks/bench_studio_progress.py [N_TASKS] [ROUNDS] [--candidates]
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sbtest.studio_fixtures import Clock, make_tasks, running_studio, server_cpu

from stancebank.export import Pseudonymizer
from stancebank.tasks.studio.annotations import ensure_annotators
from stancebank.tasks.studio.client import StudioClient
from stancebank.tasks.studio.progress import ProgressTally, compute_progress, states_from_export
from stancebank.tasks.studio.pull import snapshot
from stancebank.tasks.studio.snapcache import (
    ANNOTATION_FIELDS,
    PAGE_SIZE,
    SNAPSHOT_ENV,
    TASK_FIELDS,
    current_tasks,
    task_pages,
)
from stancebank.tasks.studio.sync import push
from stancebank.tasks.studio.team import apply_overlap

CHANGES = 50  # new annotations between two looks at the progress
KEY = "bench-key"


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_command(
    server_pid: int, env: dict[str, str], *args: str
) -> tuple[float, float, float, dict[str, object]]:
    """Wall, the command's CPU and the server's CPU of one `stancebank studio progress` run, and
    its JSON."""
    stancebank = Path(sys.executable).with_name("stancebank")
    wall, mine, theirs = time.perf_counter(), children_cpu(), server_cpu(server_pid)
    done = subprocess.run(
        [str(stancebank), "studio", "progress", "--project", "progress", "--format", "json", *args],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    wall, mine, theirs = (
        time.perf_counter() - wall,
        children_cpu() - mine,
        server_cpu(server_pid) - theirs,
    )
    return wall, mine, theirs, json.loads(done.stdout)


def read_pages(client: StudioClient, path: str, params: dict[str, object], page_size: int) -> tuple[int, int]:
    """Tasks and bytes of a paginated task list read to its end."""
    tasks = size = page = 0
    while True:
        page += 1
        resp = client.request(
            "GET", path, params={**params, "page": page, "page_size": page_size}, expect=(200, 404)
        )
        if resp.status_code == 404:
            break
        size += len(resp.content)
        body = resp.json()
        got = body["tasks"] if isinstance(body, dict) else body
        tasks += len(got)
        total = body["total"] if isinstance(body, dict) else None
        if not got or (total is not None and tasks >= total) or (total is None and len(got) < page_size):
            break
    return tasks, size


def candidates(client: StudioClient, pid: int) -> dict[str, Callable[[], tuple[int, int]]]:
    """The public ways of reading every task with its annotations (see the module docstring)."""
    include = ",".join((*TASK_FIELDS, "annotations", *(f"annotations.{f}" for f in ANNOTATION_FIELDS)))
    listed = {
        "project": pid,
        "fields": "all",
        "include": include,
        "expand": "annotations",
        "resolve_uri": "false",
    }

    def export() -> tuple[int, int]:
        resp = client.request(
            "GET", f"/api/projects/{pid}/export", params={"exportType": "JSON", "download_all_tasks": "true"}
        )
        return len(resp.json()), len(resp.content)

    return {
        "task list, as progress reads it (review=true)": lambda: read_pages(
            client, "/api/tasks/", {**listed, "review": "true"}, PAGE_SIZE
        ),
        "task list without review=true": lambda: read_pages(client, "/api/tasks/", listed, PAGE_SIZE),
        "task list, task ids only (server floor)": lambda: read_pages(
            client, "/api/tasks/", {"project": pid, "include": "id", "review": "true"}, PAGE_SIZE
        ),
        "GET /api/projects/{id}/export (sync JSON)": export,
        "GET /api/projects/{id}/tasks/": lambda: read_pages(
            client, f"/api/projects/{pid}/tasks/", {}, PAGE_SIZE
        ),
    }


def fmt(wall: float, cpu: float) -> str:
    return f"{wall:6.2f} s wall / {cpu:6.2f} s CPU"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("n_tasks", nargs="?", type=int, default=5000)
    parser.add_argument("rounds", nargs="?", type=int, default=2)
    parser.add_argument("--candidates", action="store_true", help="also read through the other public ways")
    options = parser.parse_args()
    n, rounds, compare = options.n_tasks, options.rounds, options.candidates
    logging.basicConfig(level=logging.WARNING)
    pseudonym = Pseudonymizer(KEY.encode())
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
        cache = Path(tmp) / "kept"
        env = {
            **os.environ,
            "LABEL_STUDIO_URL": server.url,
            "LABEL_STUDIO_API_KEY": server.api_key,
            "STANCEBANK_PSEUDONYM_KEY": KEY,
            SNAPSHOT_ENV: str(cache),
        }
        cold: list[tuple[float, float]] = []
        split: list[tuple[float, float]] = []  # the cold command's CPU: (the command's, the server's)
        ways: dict[str, list[tuple[float, float, int]]] = {}
        snap: list[tuple[float, float]] = []
        listed: list[tuple[float, float]] = []
        warm: list[tuple[float, float]] = []
        for r in range(rounds):
            wall, mine, theirs, body = run_command(server.pid, env, "--fresh")
            cold.append((wall, mine + theirs))
            split.append((mine, theirs))
            assert body["project"]["annotations"] == 2 * n, body["project"]  # type: ignore[index]

            with Clock(server.pid) as clock:  # the baseline: an export snapshot, then the same computation
                exported = json.loads(snapshot(client, pid, predictions=False))
                before = compute_progress(
                    "progress", pid, exported, states_from_export(exported, 2, False), pseudonym
                )
            snap.append((clock.wall, clock.cpu))
            with Clock(server.pid) as clock:  # the task list alone (what the cold run reads)
                read = sum(len(page) for page in task_pages(client, pid))
            listed.append((clock.wall, clock.cpu))
            assert read == n + 1
            if compare:
                for name, how in candidates(client, pid).items():
                    w, c = time.perf_counter(), server_cpu(server.pid)
                    got, size = how()
                    assert got == n + 1, (name, got)
                    ways.setdefault(name, []).append(
                        (time.perf_counter() - w, server_cpu(server.pid) - c, size)
                    )

            # the work since the last look: CHANGES tasks skipped (cancelled annotations)
            for task in task_list[r * CHANGES : (r + 1) * CHANGES]:
                client.post_json(
                    f"/api/tasks/{task['id']}/annotations/",
                    {"result": [], "completed_by": users[0], "was_cancelled": True, "lead_time": 5},
                )
            # the kept copy was dated by the cold run; read what changed since (no margin, see above)
            with Clock(server.pid) as clock:  # what fetch_progress(reuse=True) does
                client.require_project("progress")
                tally = ProgressTally()
                fetched = current_tasks(client, pid, cache, margin=timedelta(0), consume=tally.add)
                states = states_from_export(fetched.tasks, 2, False)
                progress = tally.finish("progress", pid, states, pseudonym)
            warm.append((clock.wall, clock.cpu))
            assert not fetched.full and progress.project.skipped == (r + 1) * CHANGES, progress.project
            whole = json.loads(snapshot(client, pid, predictions=False))
            again = compute_progress("progress", pid, whole, states_from_export(whole, 2, False), pseudonym)
            assert (progress.project.annotations, progress.project.agreement_span_f1) == (
                again.project.annotations,
                again.project.agreement_span_f1,
            )
            assert before.project.annotations == 2 * n
            print(
                f"round {r}: cold command {fmt(*cold[-1])} · baseline export snapshot + compute "
                f"{fmt(*snap[-1])} · task list alone {fmt(*listed[-1])} · warm ({fetched.changed} tasks "
                f"re-read) {fmt(*warm[-1])}",
                flush=True,
            )
        # where the time of a cold run goes
        t0 = time.process_time()
        pages = list(task_pages(client, pid))
        t1 = time.process_time()
        tally = ProgressTally()
        for page in pages:
            tally.add(page)
        flat = [t for page in pages for t in page]
        tally.finish("progress", pid, states_from_export(flat, 2, False), pseudonym)
        t2 = time.process_time()
        client.close()

    def med(values: list[tuple[float, float]]) -> tuple[float, float]:
        return statistics.median(w for w, _ in values), statistics.median(c for _, c in values)

    cw, cc = med(cold)
    sw, sc = med(snap)
    print(
        f"\n{n} tasks, {2 * n} annotations ({rounds} round(s); shared machine: CPU = the command or this "
        f"process + the Label Studio server)\n"
        f"  cold command (--fresh) : median {fmt(cw, cc)}  (target: ≤ 10 s wall)\n"
        f"     of which CPU        : the command {statistics.median(m for m, _ in split):.2f} s · the server "
        f"{statistics.median(t for _, t in split):.2f} s\n"
        f"  baseline, same run     : median {fmt(sw, sc)}  export snapshot + the same computation\n"
        f"  ratio cold/baseline    : {cw / sw:.2f}× wall, {cc / sc:.2f}× CPU\n"
        f"  task list read alone   : median {fmt(*med(listed))}\n"
        f"  warm (+{CHANGES} annotations)  : median {fmt(*med(warm))}\n"
        f"  this process's CPU for a cold read: reading the pages {t1 - t0:.2f} s · computing {t2 - t1:.2f} s"
    )
    if ways:
        print(
            "  every task with its annotations, read side by side (median; wall / the server's CPU / bytes):"
        )
        for name, measured in ways.items():
            print(
                f"    {name:46s} {statistics.median(w for w, _, _ in measured):6.2f} s wall / "
                f"{statistics.median(c for _, c, _ in measured):6.2f} s server CPU / "
                f"{measured[0][2] / 1e6:5.1f} MB"
            )


if __name__ == "__main__":
    main()
