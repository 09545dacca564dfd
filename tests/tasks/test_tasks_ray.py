"""``tasks build --engine ray`` on a real local Ray cluster (``ray.init(num_cpus=2)``): its outputs
are byte-identical to the local engine's for 1, 2 and 7 partitions and for files scattered over the
partitions in random order, with and without pre-annotation, and after a worker process is killed
mid-run (Ray runs its block again); ``validate`` passes on both."""

from __future__ import annotations

import json
import random
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sbtest.corpus import FRENCH, article_text, near_copy, write_corpus
from typer.testing import CliRunner

from stancebank.schema.cli import app
from stancebank.tasks.build import BuildOptions, BuildResult, build_tasks, write_tasks
from stancebank.validation import validate_paths


def _report(result: BuildResult) -> list[str]:
    """What the rejects file and the summary say, in order."""
    lines = [json.dumps(r.to_json(), ensure_ascii=False) for r in result.rejects]
    lines += [json.dumps(s.to_json(), ensure_ascii=False) for s in result.skipped]
    lines += [json.dumps(s.to_json(), ensure_ascii=False) for s in result.kept_near_duplicates]
    lines += result.warnings + sorted(f"{k}: {v}" for k, v in result.not_preannotated.items())
    return [*lines, f"model {result.model_version}", f"tasks {result.n_tasks} {result.n_predicted}"]


def _files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


@pytest.fixture(scope="module")
def ray_cluster() -> Iterator[Any]:
    import ray

    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    yield ray
    ray.shutdown()


def test_without_ray_the_engine_is_refused_with_the_fix(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "a.txt").write_text("Title\n\nSome text.\n", encoding="utf-8")
    monkeypatch.setitem(sys.modules, "ray", None)  # import ray raises ImportError
    runner = CliRunner()
    out = runner.invoke(
        app,
        ["tasks", "build", str(tmp_path / "a.txt"), "--no-preannotate", "--engine", "ray", "--out", "x.json"],
    )
    assert out.exit_code == 2
    said = " ".join(out.output.split())  # rich wraps long lines
    assert "pip install 'stancebank[ray]'" in said and "--engine local" in said


@pytest.mark.ray
@pytest.mark.slow
def test_ray_outputs_equal_the_local_ones_byte_for_byte(ray_cluster: Any, tmp_path: Path) -> None:
    from stancebank.tasks.engine_ray import RayOptions, build_tasks_ray

    corpus = tmp_path / "corpus"
    planted = write_corpus(corpus, 60, seed=5, words=120, per_file=9)
    options = BuildOptions(preannotate=False)
    local = build_tasks([corpus], options)
    write_tasks(tmp_path / "local.json", local.tasks)
    write_tasks(tmp_path / "local-shards", local.tasks, shard_size=20)
    assert len(local.tasks) > 60 and local.duplicates and local.near_duplicates and local.rejects
    assert len(_files(tmp_path / "local-shards")) == 4  # N from the data (≈ 70 tasks / 20)
    assert planted.near and planted.exact

    runs = [
        (RayOptions(partitions=1), "ray1.json"),
        (RayOptions(partitions=2), "ray2"),
        (RayOptions(partitions=7, scatter_seed=11), "ray7"),
        (RayOptions(partitions=7, scatter_seed=12), "ray7.json"),
    ]
    for ray_options, name in runs:
        out = tmp_path / name
        result = build_tasks_ray([corpus], out, options, ray_options, shard_size=20)
        assert _report(result) == _report(local), ray_options
        if out.suffix == ".json":
            assert out.read_bytes() == (tmp_path / "local.json").read_bytes(), ray_options
        else:
            assert _files(out) == _files(tmp_path / "local-shards"), ray_options
    for path in (tmp_path / "local.json", tmp_path / "ray7", tmp_path / "local-shards"):
        report = validate_paths([path])
        assert report.ok, (path, report)


@pytest.mark.ray
@pytest.mark.slow
def test_duplicates_straddling_blocks_are_found_as_locally(ray_cluster: Any, tmp_path: Path) -> None:
    """A near-duplicate, an exact copy and a reused id whose originals are in another read block:
    the pair is verified in a bucket task that gathers both blocks' entries."""
    from stancebank.tasks.build import input_files
    from stancebank.tasks.engine_ray import RayOptions, _file_blocks, build_tasks_ray

    rng = random.Random(4)
    x, y, z, w, pad = (article_text(rng, 150) for _ in range(5))
    first = [{"text": x, "id": "x"}, {"text": y, "id": "same"}, {"text": z}, {"text": pad}]
    second = [{"text": near_copy(rng, x)}, {"text": w, "id": "same"}, {"text": z}]
    for name, records in (("a.jsonl", first), ("b.jsonl", second)):
        lines = [json.dumps(r) for r in records]
        (tmp_path / name).write_text("\n".join(lines) + "\n", encoding="utf-8")
    inputs = [tmp_path / "a.jsonl", tmp_path / "b.jsonl"]
    assert len(_file_blocks(list(enumerate(input_files(inputs))), 2)[0]) == 2  # a file per block
    options = BuildOptions(preannotate=False)
    local = build_tasks(inputs, options)
    write_tasks(tmp_path / "local.json", local.tasks)
    assert sorted(s.kind for s in local.skipped) == ["duplicate", "duplicate", "near-duplicate"]
    result = build_tasks_ray(inputs, tmp_path / "ray.json", options, RayOptions(partitions=2))
    assert _report(result) == _report(local)
    assert (tmp_path / "ray.json").read_bytes() == (tmp_path / "local.json").read_bytes()


@pytest.mark.ray
@pytest.mark.slow
@pytest.mark.parametrize("keep_near", [False, True])
def test_templated_input_is_resolved_as_locally(ray_cluster: Any, tmp_path: Path, keep_near: bool) -> None:
    """Hundreds of near-copies of one page among distinct articles, spread over blocks: the driver
    resolves the involved articles in order, as the local engine does, with and without
    --keep-near-duplicates."""
    from stancebank.tasks.engine_ray import RayOptions, build_tasks_ray

    rng = random.Random(8)
    page = article_text(rng, 200)
    for f in range(4):
        records = [{"text": page, "id": f"page-{f}"}]  # kept in the first file, then exact copies
        for n in range(75):
            words = page.split(" ")
            words[rng.randrange(len(words))] = f"copy{f}x{n}"  # each copy distinct, one word apart
            records.append({"text": " ".join(words), "id": f"copy-{f}-{n}"})
            if n % 3 == 0:
                records.append({"text": article_text(rng, 120), "id": f"other-{f}-{n}"})
        lines = [json.dumps(r) for r in records]
        (tmp_path / f"{f}.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    inputs = sorted(tmp_path.glob("*.jsonl"))
    options = BuildOptions(preannotate=False, keep_near_duplicates=keep_near)
    local = build_tasks(inputs, options)
    write_tasks(tmp_path / "local.json", local.tasks)
    assert local.near_duplicates >= 290 and local.duplicates >= 3
    result = build_tasks_ray(inputs, tmp_path / "ray.json", options, RayOptions(partitions=3))
    assert _report(result) == _report(local)
    assert (tmp_path / "ray.json").read_bytes() == (tmp_path / "local.json").read_bytes()


@pytest.mark.ray
@pytest.mark.slow
def test_ray_preannotation_in_an_actor_pool_equals_the_local_one(ray_cluster: Any, tmp_path: Path) -> None:
    from stancebank.tasks.engine_ray import RayOptions, build_tasks_ray

    corpus = tmp_path / "corpus"
    write_corpus(corpus, 14, seed=9, words=90, per_file=4)
    (corpus / "fr.txt").write_text("Cessez-le-feu\n\n" + FRENCH * 3, encoding="utf-8")
    options = BuildOptions(preannotate=True)
    local = build_tasks([corpus], options)
    write_tasks(tmp_path / "local.json", local.tasks)
    assert local.n_predicted > 10 and local.not_preannotated  # English pre-annotated, the French not
    out = tmp_path / "ray.json"
    result = build_tasks_ray([corpus], out, options, RayOptions(partitions=3, actors=2, scatter_seed=1))
    assert _report(result) == _report(local)
    assert out.read_bytes() == (tmp_path / "local.json").read_bytes()
    assert validate_paths([out]).ok


@pytest.mark.ray
@pytest.mark.slow
def test_a_killed_worker_is_retried_and_the_shards_are_unchanged(ray_cluster: Any, tmp_path: Path) -> None:
    from stancebank.tasks.engine_ray import RayOptions, build_tasks_ray

    corpus = tmp_path / "corpus"
    write_corpus(corpus, 40, seed=6, words=100, per_file=7)
    options = BuildOptions(preannotate=False)
    local = build_tasks([corpus], options)
    write_tasks(tmp_path / "local-shards", local.tasks, shard_size=15)
    marker = tmp_path / "killed"
    out = tmp_path / "ray"
    ray_options = RayOptions(partitions=3, scatter_seed=2, kill_once=str(marker))
    result = build_tasks_ray([corpus], out, options, ray_options, shard_size=15)
    assert marker.read_text(encoding="utf-8").startswith("killed worker")  # a read block's worker died
    assert _report(result) == _report(local)
    assert _files(out) == _files(tmp_path / "local-shards")
    assert validate_paths([out]).ok


@pytest.mark.ray
@pytest.mark.slow
def test_ray_sample_equals_the_local_one(ray_cluster: Any, tmp_path: Path) -> None:
    from stancebank.schema.jsonio import encode_item
    from stancebank.schema.project import Target
    from stancebank.tasks.engine_ray import sample_ray
    from stancebank.tasks.sample import Sampler, sample_tasks

    corpus = tmp_path / "corpus"
    write_corpus(corpus, 50, seed=2, words=60, per_file=8)
    built = build_tasks([corpus], BuildOptions(preannotate=False))
    write_tasks(tmp_path / "shards", built.tasks, shard_size=15)
    sampler = Sampler(
        seed=7, catalogue=(Target("steel tariffs"), Target("rent controls", aliases=("rent cap",)))
    )
    chosen, report = sample_tasks(built.tasks, 17, sampler)
    encoded, ray_report = sample_ray(tmp_path / "shards", 17, sampler)
    assert encoded == [encode_item(t) for t in chosen] and len(encoded) == 17
    assert ray_report == report and len(report) > 4
