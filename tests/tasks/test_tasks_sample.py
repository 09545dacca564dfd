"""``tasks sample``: a deterministic stratified sample (source × month × catalogue target), the same
whatever the order of the corpus, proportional allocation, claims weighting, the strata report."""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from stancebank.schema.cli import app
from stancebank.schema.project import Target
from stancebank.schema.wire import read_task_list
from stancebank.tasks.sample import NONE, Sampler, allocate, sample_tasks

SOURCES = ["Danube Wire", "Harbour Times", "Capital Post", None]


def _task(i: int, claims: int = 0, text: str = "Some text.") -> dict[str, Any]:
    region = {"type": "labels", "value": {"start": 0, "end": 4, "text": "Some", "labels": ["CLAIM"]}}
    data = {
        "text": text,
        "article_id": f"a{i:04d}",
        "source": SOURCES[i % 4],
        "published": f"2024-0{1 + i % 3}-1{i % 9}" if i % 5 else None,
    }
    return {"data": data, "predictions": [{"result": [region] * claims}]}


def test_allocation_is_proportional_capped_and_complete() -> None:
    assert allocate({("a", "", ""): 50, ("b", "", ""): 30, ("c", "", ""): 20}, 10) == {
        ("a", "", ""): 5,
        ("b", "", ""): 3,
        ("c", "", ""): 2,
    }
    capped = allocate({("a", "", ""): 2, ("b", "", ""): 100}, 50)
    assert capped == {("a", "", ""): 1, ("b", "", ""): 49}
    assert allocate({("a", "", ""): 2, ("b", "", ""): 3}, 10) == {("a", "", ""): 2, ("b", "", ""): 3}
    odd = allocate({(str(i), "", ""): 7 + i for i in range(9)}, 31)
    assert sum(odd.values()) == 31 and all(0 <= k <= 7 + int(s[0]) for s, k in odd.items())


def test_the_sample_is_stratified_and_independent_of_the_corpus_order() -> None:
    tasks = [_task(i) for i in range(400)]
    sampler = Sampler(seed=3)
    chosen, report = sample_tasks(tasks, 40, sampler)
    assert len(chosen) == 40 and sum(s.sampled for s in report) == 40
    assert sum(s.size for s in report) == 400
    ids = [t["data"]["article_id"] for t in chosen]
    assert ids == sorted(ids)  # corpus order
    shuffled = list(tasks)
    random.Random(1).shuffle(shuffled)
    again, report_again = sample_tasks(shuffled, 40, sampler)
    assert {t["data"]["article_id"] for t in again} == set(ids) and report_again == report
    for stratum in report:  # each stratum gives exactly its allocation
        got = [t for t in chosen if sampler.stratum(t) == stratum.stratum]
        assert len(got) == stratum.sampled
    assert (NONE, NONE, "(any)") in {s.stratum for s in report}  # no source, no date
    other, _ = sample_tasks(tasks, 40, Sampler(seed=4))
    assert {t["data"]["article_id"] for t in other} != set(ids)  # the seed matters


def test_claims_weighting_favours_articles_with_more_claims() -> None:
    # in every stratum, half the articles have 8 claims (i // 4 odd), half none
    tasks = [_task(i, claims=(8 if (i // 4) % 2 else 0)) for i in range(600)]
    uniform, _ = sample_tasks(tasks, 60, Sampler(seed=1))
    weighted, _ = sample_tasks(tasks, 60, Sampler(seed=1, weight="claims"))
    rich = lambda sample: sum(1 for t in sample if (int(t["data"]["article_id"][1:]) // 4) % 2)  # noqa: E731
    assert rich(weighted) > rich(uniform) and rich(weighted) >= 45


def test_catalogue_targets_are_a_stratum() -> None:
    catalogue = (Target("ceasefire", aliases=("truce",)), Target("rent cap"))
    sampler = Sampler(catalogue=catalogue)
    assert sampler.stratum(_task(1, text="A truce, then a rent cap."))[2] == "ceasefire"
    assert sampler.stratum(_task(1, text="The Rent Cap and the ceasefire."))[2] == "rent cap"
    assert sampler.stratum(_task(1, text="Rent capping."))[2] == NONE


def test_cli_writes_the_sample_and_the_strata_report(tmp_path: Path, monkeypatch: Any) -> None:
    monkeypatch.chdir(tmp_path)  # no stancebank.toml: no catalogue
    corpus = tmp_path / "corpus.json"
    corpus.write_text(json.dumps([_task(i) for i in range(50)]), encoding="utf-8")
    args = [
        "tasks",
        "sample",
        str(corpus),
        "--n",
        "12",
        "--seed",
        "5",
        "--out",
        "sample",
        "--shard-size",
        "5",
    ]
    result = CliRunner().invoke(app, [*args, "--report", "strata.json"])
    assert result.exit_code == 0, result.output
    sample = read_task_list(tmp_path / "sample")
    report = json.loads((tmp_path / "strata.json").read_text(encoding="utf-8"))
    assert len(sample) == 12 == report["sampled"] == sum(s["sampled"] for s in report["strata"])
    assert sorted(p.name for p in (tmp_path / "sample").iterdir())[-1] == "tasks-00002-of-00003.json"
    bad = CliRunner().invoke(
        app, ["tasks", "sample", str(corpus), "--n", "3", "--out", "x.json", "--weight", "x"]
    )
    assert bad.exit_code == 2 and "uniform, claims" in bad.output


def test_claims_weighting_reads_results_by_the_one_parser() -> None:
    """`--weight claims` counted claims with its own parse of the results: a result that is no
    object, or labels that are null, ended `tasks sample` with a traceback; the wire parser skips
    them (validate reports them)."""
    task = _task(1, claims=2)
    task["predictions"][0]["result"] += [1, {"type": "labels", "value": {"labels": None}}]
    assert Sampler(seed=1, weight="claims").key(task) == Sampler(seed=1, weight="claims").key(
        _task(1, claims=2)
    )
