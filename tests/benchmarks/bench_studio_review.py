"""Speed of `stancebank studio review` against a bare SDK ``import_tasks`` of the same payload.

Target (issue 16): review of 4,000 conflicting articles ≤ 1.3× a bare
``client.projects.import_tasks`` of the same review tasks (each with two annotators' versions as
predictions, ~3,000-character texts), same server; a re-run adds nothing. Prints the ratios
measured in this run (a script, not a test): wall time, and CPU time (user+sys) of this process
plus the Label Studio server's (from /proc), since the machine is shared and wall time is noisy.

Run: .venv/bin/python tests/benchmarks/bench_studio_review.py [N_ARTICLES] [ROUNDS]
"""

from __future__ import annotations

import json
import logging
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from label_studio_sdk.client import LabelStudio
from sbtest.studio_fixtures import Clock, make_tasks, running_studio

from stancebank.schema.label_config import build_label_config
from stancebank.tasks.studio.client import StudioClient
from stancebank.tasks.studio.review import review_tasks, send_review
from stancebank.tasks.studio.sync import push


def write_folder(folder: Path, n: int) -> None:
    """A review folder as `export build` writes it: two versions per article, one tie each."""
    tasks, report = [], []
    for task in make_tasks(n, text_chars=3000):
        full = task["predictions"][0]["result"]
        partial = [r for r in full if r.get("type") == "labels"][:1]
        tasks.append(
            {
                "data": task["data"],
                "predictions": [
                    {"model_version": "review:annotator-aaaaaaaaaaaa", "result": full},
                    {"model_version": "review:annotator-bbbbbbbbbbbb", "result": partial},
                ],
            }
        )
        report.append(
            {
                "article_id": task["data"]["article_id"],
                "task_id": None,
                "annotators": 2,
                "conflicts": [
                    {
                        "kind": "span_tie",
                        "item": "CLAIM 29:63",
                        "votes": {"annotator-aaaaaaaaaaaa": "drawn", "annotator-bbbbbbbbbbbb": ""},
                    }
                ],
            }
        )
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "review_tasks.json").write_text(json.dumps(tasks))
    (folder / "adjudication.json").write_text(json.dumps(report))


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 4000
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 1
    logging.basicConfig(level=logging.WARNING)
    with tempfile.TemporaryDirectory(prefix="bench-review-") as tmp, running_studio(Path(tmp)) as server:
        folder = Path(tmp) / "v1.review"
        write_folder(folder, n)
        payload = review_tasks(folder)  # the same tasks, disagreement column included
        sdk = LabelStudio(base_url=server.url, api_key=server.api_key, timeout=900)
        client = StudioClient(server.url, server.api_key)
        push(client, make_tasks(1), "bench-main")  # the project under review
        bare: list[Clock] = []
        ours: list[Clock] = []
        rerun: list[Clock] = []
        for r in range(rounds):
            order = ("bare", "ours") if r % 2 == 0 else ("ours", "bare")
            for which in order:
                if which == "bare":
                    project = sdk.projects.create(title=f"bare-{r}", label_config=build_label_config())
                    with Clock(server.pid) as clock:
                        sdk.projects.import_tasks(id=project.id, request=payload)
                    bare.append(clock)
                else:
                    with Clock(server.pid) as clock:
                        result = send_review(client, "bench-main", folder, title=f"bench-review-{r}")
                    ours.append(clock)
                    assert result.report.created == n, result.report
                    with Clock(server.pid) as clock:
                        again = send_review(client, "bench-main", folder, title=f"bench-review-{r}")
                    rerun.append(clock)
                    assert again.report.created == 0 and again.report.unchanged == n, again.report
            print(
                f"round {r}: bare import_tasks {bare[-1].wall:.2f} s wall / {bare[-1].cpu:.2f} s CPU · "
                f"review {ours[-1].wall:.2f} s / {ours[-1].cpu:.2f} s · "
                f"re-run {rerun[-1].wall:.2f} s / {rerun[-1].cpu:.2f} s (0 added)"
            )
        client.close()
    print(f"\n{n} review tasks (two versions each, ~3,000-character texts), {rounds} round(s):")
    for name, agg in (("median", statistics.median), ("best", min)):
        wall = agg(c.wall for c in ours) / agg(c.wall for c in bare)
        cpu = agg(c.cpu for c in ours) / agg(c.cpu for c in bare)
        print(
            f"  {name:6}: review / bare import_tasks = {wall:.2f}× wall, {cpu:.2f}× CPU "
            "(client + server)   (target ≤ 1.3×)"
        )


if __name__ == "__main__":
    main()
