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

import numpy as np
import pytest
from sbtest.corpus import FRENCH, article_text, near_copy, write_corpus
from sbtest.dedup import involved_by_brute_force
from typer.testing import CliRunner

from stancebank.schema.cli import app
from stancebank.tasks.build import BuildOptions, BuildResult, build_tasks, input_files, write_tasks
from stancebank.validation import validate_paths


def _report(result: BuildResult) -> list[str]:
    """What the rejects file and the summary say, in order."""
    lines = [json.dumps(r.to_json(), ensure_ascii=False) for r in result.rejects]
    lines += [json.dumps(s.to_json(), ensure_ascii=False) for s in result.skipped]
    lines += [json.dumps(s.to_json(), ensure_ascii=False) for s in result.kept_near_duplicates]
    lines += result.warnings + sorted(f"{k}: {v}" for k, v in result.not_preannotated.items())
    lines += sorted(f"language {k}: {v}" for k, v in result.other_languages.items())
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


def _crowded_corpus(rng: random.Random, root: Path) -> list[Path]:
    """A small random corpus in 1 to 7 files: one-word-apart copies of a template, repeated and
    near-copied texts (chains included), short and blank texts, French, ids reused at random — and
    three articles that share nothing."""
    pool = [article_text(rng, rng.choice([30, 80, 150])) for _ in range(6)]
    template = article_text(rng, 120).split(" ")
    records: list[dict[str, str]] = [{"text": article_text(rng, 60)} for _ in range(3)]
    for n in range(rng.randrange(20, 60)):
        r = rng.random()
        if r < 0.25:
            words = list(template)
            words[rng.randrange(len(words))] = f"t{n}"
            text = " ".join(words)
        elif r < 0.35:
            text = rng.choice(pool)
        elif r < 0.45:
            text = near_copy(rng, rng.choice(pool))
        elif r < 0.5:
            text = rng.choice(["ok", "Ok.", "a", "yes no", "   ", "x y z"])
        elif r < 0.55:
            text = FRENCH * rng.choice([1, 2])
        elif r < 0.6:
            text = near_copy(rng, rng.choice(records)["text"])
        else:
            text = article_text(rng, rng.choice([20, 60, 120]))
        reused = rng.random() < 0.5
        records.append({"text": text, "id": f"id{rng.randrange(25)}"} if reused else {"text": text})
    files = rng.randrange(1, 8)
    for f in range(files):
        lines = [json.dumps(r) for r in records[f::files]]
        (root / f"{f:02d}.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return sorted(root.glob("*.jsonl"))


@pytest.mark.parametrize("seed", range(16))
def test_the_engines_dedup_stages_find_the_involved_articles_and_decide_as_locally(
    tmp_path: Path, seed: int
) -> None:
    """Stages 1 to 3 of the Ray engine in this process (its functions are pure; no cluster), on a
    random small corpus, the files scattered over random read blocks and bucket partitions: the
    partitions' involved articles are exactly those sharing a bucket, an id or a text with another
    (none dropped, and not the whole corpus), and the driver's rule over them decides as the local
    engine, with and without --keep-near-duplicates."""
    from stancebank.tasks.engine_ray import (
        _bucket_merge,
        _file_blocks,
        _involved_sketches,
        _keep_rule,
        _read_block,
    )

    rng = random.Random(seed)
    inputs = _crowded_corpus(rng, tmp_path)
    options = BuildOptions(preannotate=False, keep_near_duplicates=seed % 2 == 1)
    local = build_tasks(inputs, options)
    assert local.skipped or local.kept_near_duplicates
    files = list(enumerate(input_files(inputs)))
    rng.shuffle(files)
    groups = rng.randrange(1, 8)
    runs, _ = _file_blocks(files, rng.randrange(1, len(files) + 2))
    outs = [_read_block(run, (), None, groups) for run in runs]
    orders = np.unique(np.concatenate([_bucket_merge(*(out[3 + g] for out in outs)) for g in range(groups)]))
    articles = [pair for out in outs for pair in out[2]]
    assert set(orders.tolist()) == involved_by_brute_force([c for c, _ in articles], [s for _, s in articles])
    assert orders.size < len(articles)
    involved = sorted(
        (pair for out in outs for pair in _involved_sketches(out[2], orders)), key=lambda pair: pair[0].order
    )
    assert [c.order for c, _ in involved] == orders.tolist()
    result = BuildResult()
    left_out = _keep_rule(involved, options.keep_near_duplicates, result)
    assert result.skipped == local.skipped and result.kept_near_duplicates == local.kept_near_duplicates
    assert len(left_out) == len(local.skipped)


@pytest.mark.ray
@pytest.mark.slow
def test_ray_outputs_equal_the_local_ones_byte_for_byte(ray_cluster: Any, tmp_path: Path) -> None:
    from stancebank.tasks.engine_ray import RayOptions, build_tasks_ray

    corpus = tmp_path / "corpus"
    planted = write_corpus(corpus, 60, seed=5, words=120, per_file=9)
    # a project of French articles: every English one is counted (on either engine)
    options = BuildOptions(preannotate=False, languages=("fr",))
    local = build_tasks([corpus], options)
    assert sum(local.other_languages.values()) > 60
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
    found in a bucket task that gathers both blocks' entries, decided on the driver."""
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
