"""Speed of `stancebank studio pull` against a bare SDK snapshot create + download, same server.

Target (issue 4): pull of 5,000 annotated tasks ≤ 1.2× a bare ``exports.create`` + poll +
``exports.download`` of the same project (same serialization options). Prints ratios measured in
this run (a script, not a test).

Run: .venv/bin/python tests/benchmarks/bench_studio_pull.py [N_TASKS] [ROUNDS]
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

from label_studio_sdk.client import LabelStudio
from sbtest.studio_fixtures import make_tasks, running_studio

from stancebank.schema.label_config import build_label_config
from stancebank.tasks.studio.client import StudioClient
from stancebank.tasks.studio.pull import pull

OPTIONS = {
    "annotations__completed_by": {"only_id": True},
    "drafts": {"only_id": True},
    "predictions": {"only_id": False},
}


def bare_snapshot(sdk: LabelStudio, project_id: int) -> bytes:
    snap = sdk.projects.exports.create(id=project_id, title="bare", serialization_options=OPTIONS)
    while snap.status != "completed":
        if snap.status == "failed":
            raise RuntimeError("snapshot failed")
        time.sleep(0.25)
        snap = sdk.projects.exports.get(id=project_id, export_pk=snap.id)
    return b"".join(sdk.projects.exports.download(id=project_id, export_pk=snap.id, export_type="JSON"))


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 5000
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 2
    logging.basicConfig(level=logging.WARNING)
    tasks = make_tasks(n, text_chars=3000)
    for task in tasks:  # one annotation per task, as an annotator would leave it
        task["annotations"] = [{"result": task["predictions"][0]["result"], "ground_truth": False}]
    with tempfile.TemporaryDirectory(prefix="bench-studio-") as tmp, running_studio(Path(tmp)) as server:
        sdk = LabelStudio(base_url=server.url, api_key=server.api_key, timeout=600)
        project = sdk.projects.create(title="annotated", label_config=build_label_config())
        t0 = time.perf_counter()
        sdk.projects.import_tasks(id=project.id, request=tasks)
        print(f"set-up: imported {n} annotated tasks in {time.perf_counter() - t0:.1f} s")
        client = StudioClient(server.url, server.api_key)
        bare_times, ours_times = [], []
        for r in range(rounds):
            # Alternate which goes first: the machine is shared, so order effects are real.
            order = ("bare", "ours") if r % 2 == 0 else ("ours", "bare")
            for which in order:
                t0 = time.perf_counter()
                if which == "bare":
                    blob = bare_snapshot(sdk, project.id)
                    bare_times.append(time.perf_counter() - t0)
                    assert len(json.loads(blob)) == n
                else:
                    result = pull(client, "annotated", Path(tmp) / "exports")
                    ours_times.append(time.perf_counter() - t0)
                    assert result.counts.tasks == n and result.counts.annotations == n, result.counts
            print(f"round {r}: bare snapshot+download {bare_times[-1]:.2f} s · pull {ours_times[-1]:.2f} s")
        client.close()
    print(f"\n{n} annotated tasks, ~3,000-character texts, {rounds} round(s):")
    for name, agg in (("median", statistics.median), ("best", min)):
        ratio = agg(ours_times) / agg(bare_times)
        print(f"  {name:6}: pull / bare snapshot create+download = {ratio:.2f}×   (target ≤ 1.2×)")


if __name__ == "__main__":
    main()
