"""``export build --engine ray`` on a real local Ray cluster (``ray.init(num_cpus=2)``): the release
folder (parquet shards, card, croissant, manifest) and the review files are byte-identical to the
local engine's for 1, 2 and 7 partitions, for articles scattered over the partitions at random, and
after a worker is killed mid-run (Ray runs its task again); ``validate`` passes on both, and the
sharded configs load with ``datasets.load_dataset``."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import datasets
import pytest

from stancebank.export.release import build_release
from stancebank.schema.errors import ExitCode
from stancebank.schema.layout import parquet_relpaths
from stancebank.validation import validate_paths

REPO = Path(__file__).resolve().parents[2]
PILOT = sorted((REPO / "data" / "exports").glob("stancebank-pilot-*.json"))[0]
sys.path.insert(0, str(REPO / "tests" / "benchmarks"))

SHARD_ROWS = 40  # small, so that the configs' splits have several shards


def _tree(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()
    }


def _build(exports: list[Path], root: Path, name: str, engine: Any = None) -> Path:
    out = root / name / "release"
    build_release(
        exports,
        "1.0.0",
        out,
        registry_path=root / name / "registry.json",
        engine=engine,
        shard_rows=SHARD_ROWS,
    )
    return out


@pytest.fixture(scope="module")
def ray_cluster() -> Iterator[Any]:
    import ray

    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    yield ray
    ray.shutdown()


@pytest.fixture(scope="module", autouse=True)
def _module_pseudonym_key() -> Iterator[None]:
    with pytest.MonkeyPatch.context() as mp:  # the module-scoped builds need it too
        mp.setenv("STANCEBANK_PSEUDONYM_KEY", "test-secret-not-in-any-release")
        yield


@pytest.fixture(scope="module")
def exports(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    from bench_export_gen import generate

    # generated two-annotator articles with realistic disagreement (conflicts go to review), and
    # the pilot export (single and double annotations, attributes, stances)
    folder = tmp_path_factory.mktemp("exports")
    return [PILOT, generate(folder / "generated.json", 70, annotators=2, seed=4)]


@pytest.fixture(scope="module")
def local(exports: list[Path], tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _build(exports, tmp_path_factory.mktemp("local"), "local")


def test_the_local_release_is_sharded_by_rows_and_loads(local: Path, tmp_path: Path) -> None:
    claims = sorted(p.relative_to(local).as_posix() for p in (local / "data" / "claims").iterdir())
    table = datasets.load_dataset(str(local), "claims", cache_dir=str(tmp_path / "cache"))
    assert table["train"].num_rows > 2 * SHARD_ROWS  # several shards
    expected = [
        p for split, ds in table.items() for p in parquet_relpaths("claims", split, ds.num_rows, SHARD_ROWS)
    ]
    assert claims == sorted(expected)
    ids = [row["article_id"] for row in table["train"]]
    assert ids == sorted(ids)  # shards in order, rows sorted by id inside each
    card = (local / "README.md").read_text(encoding="utf-8")
    assert "claims/train-00001-of-" in card  # the card lists every shard
    assert validate_paths([local]).ok


def test_without_ray_the_engine_is_refused_with_the_fix(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from typer.testing import CliRunner

    from stancebank.schema.cli import app

    monkeypatch.setitem(sys.modules, "ray", None)  # import ray raises ImportError
    out = tmp_path / "release"
    args = ["export", "build", str(PILOT), "--version", "1.0.0", "--out", str(out)]
    result = CliRunner().invoke(
        app, [*args, "--registry", str(tmp_path / "registry.json"), "--engine", "ray"]
    )
    # the root CLI (schema.cli.run) turns a stancebank error into its exit code and message
    assert getattr(result.exception, "exit_code", None) == ExitCode.USAGE
    said = " ".join(str(result.exception).split())
    assert "pip install 'stancebank[ray]'" in said and "--engine local" in said
    assert not out.exists() and not (tmp_path / "registry.json").exists()


@pytest.mark.ray
@pytest.mark.slow
@pytest.mark.parametrize(
    ("partitions", "scatter_seed"), [(1, None), (2, None), (7, 11), (7, 12)], ids=["1", "2", "7", "7-other"]
)
def test_ray_release_equals_the_local_one_byte_for_byte(
    ray_cluster: Any,
    exports: list[Path],
    local: Path,
    tmp_path: Path,
    partitions: int,
    scatter_seed: int | None,
) -> None:
    from stancebank.export.engine_ray import RayOptions, ray_engine

    engine = ray_engine(RayOptions(partitions=partitions, scatter_seed=scatter_seed))
    out = _build(exports, tmp_path, "ray", engine)
    assert _tree(out) == _tree(local)
    review = out.with_name("release.review")
    assert _tree(review) == _tree(local.with_name("release.review")) and _tree(review)
    assert validate_paths([out]).ok


@pytest.mark.ray
@pytest.mark.slow
def test_a_killed_worker_is_retried_and_the_release_is_unchanged(
    ray_cluster: Any, exports: list[Path], local: Path, tmp_path: Path
) -> None:
    from stancebank.export.engine_ray import RayOptions, ray_engine

    marker = tmp_path / "killed"
    engine = ray_engine(RayOptions(partitions=3, scatter_seed=5, kill_once=str(marker)))
    out = _build(exports, tmp_path, "ray", engine)
    assert marker.read_text(encoding="utf-8").startswith("killed worker")  # a worker did die
    assert _tree(out) == _tree(local)
    assert validate_paths([out]).ok
