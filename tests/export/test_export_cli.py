"""`stancebank export build` through the CLI: exit codes, the rejects report, foreign exports."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from stancebank.export.cli import gold_policy
from stancebank.schema.cli import app
from stancebank.schema.errors import ExitCode
from stancebank.schema.project import parse_project

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "export"


def _build(tmp_path: Path, *exports: Path, extra: tuple[str, ...] = ()) -> tuple[int, str, Path]:
    out = tmp_path / "dist" / "stancebank-1.0.0"
    args = ["export", "build", *map(str, exports), "--version", "1.0.0", "--out", str(out)]
    args += ["--registry", str(tmp_path / "registry.json"), *extra]
    result = CliRunner().invoke(app, args)
    code = result.exit_code
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        code = getattr(result.exception, "exit_code", code)
    return code, result.output + str(result.exception or ""), out


def test_foreign_export_is_refused_before_building(tmp_path: Path) -> None:
    code, output, out = _build(tmp_path, FIXTURES / "foreign_ner.json")
    assert code == ExitCode.INPUT
    text = " ".join(output.split())
    assert "'PER'" in text and "'ner'" in text and "ACTOR" in text
    assert not out.exists()


def test_rejects_report_written_and_first_items_printed(tmp_path: Path) -> None:
    code, output, out = _build(tmp_path, FIXTURES / "utf16_offsets.json")
    assert code == 0, output
    rejects = out.with_name(out.name + ".rejects.jsonl")
    rows = [json.loads(line) for line in rejects.read_text(encoding="utf-8").splitlines()]
    assert {r["reason"] for r in rows} == {"annotation_dropped", "dangling_relation", "text_mismatch"}
    assert all(r["task"] == 1 and r["annotation"] == "12" and r["fix"] for r in rows)
    text = " ".join(output.split())
    assert "item(s) left out" in text and "text_mismatch: task 1, article_id utf16-001" in text
    # the realigned spans are the annotator's selections
    rows = [
        row
        for docs in (out / "data" / "documents").glob("*.parquet")
        for row in pq.read_table(docs).to_pylist()
    ]
    spans = {s["text"] for row in rows if row["article_id"] == "utf16-001" for s in row["spans"]}
    assert spans == {"Ana Mu\u0308ller", "the tram \U0001f68b must stop", "the tram"}


def test_the_gold_policy_takes_the_overlap_only_when_the_file_states_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    strict = '[project]\nname = "x"\nlicense = "cc0-1.0"\n[policy]\nsingle_annotation_gold = false\n'
    stated = gold_policy(parse_project(strict + "[studio]\noverlap = 2\n", tmp_path / "stancebank.toml"))
    assert stated.needed == 2 and "at least 2 annotators" in stated.describe()
    assert capsys.readouterr().err == ""
    # `stancebank init` leaves overlap out: the export does not record it, so the rule cannot
    # apply; the build says so and the card claims no minimum the release did not apply
    unstated = gold_policy(parse_project(strict, tmp_path / "stancebank.toml"))
    assert unstated.needed == 1 and "at least" not in unstated.describe()
    note = " ".join(capsys.readouterr().err.split())
    assert "[policy] single_annotation_gold = false applies only where overlap was requested" in note
    assert "[studio] overlap is not set" in note
    assert gold_policy(parse_project(strict + "min_annotators = 2\n", tmp_path / "p.toml")).needed == 2
    assert capsys.readouterr().err == ""  # two annotators are asked for anyway


def test_the_gold_policy_takes_ground_truth_by_from_the_project_file(tmp_path: Path) -> None:
    base = '[project]\nname = "x"\nlicense = "cc0-1.0"\n[policy]\n'
    assert gold_policy(parse_project(base, tmp_path / "a.toml")).ground_truth_by == ("reviewer", "manager")
    reviewers = gold_policy(parse_project(base + 'ground_truth_by = ["reviewer"]\n', tmp_path / "b.toml"))
    assert reviewers.ground_truth_by == ("reviewer",)
    assert "only a reviewer's starred verdict counts" in reviewers.describe()


def test_publish_defaults_to_the_project_files_hub_repo(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("STANCEBANK_PROJECT", raising=False)
    monkeypatch.chdir(tmp_path)
    code, output, out = _build(tmp_path, FIXTURES / "utf16_offsets.json")
    assert code == 0, output
    refused = CliRunner().invoke(app, ["export", "publish", str(out), "--dry-run"])
    assert refused.exit_code == 2, refused.output
    flat = " ".join(refused.output.replace("│", " ").split())
    assert "give --repo ORG/NAME" in flat and "a stancebank.toml with hub_repo" in flat
    (tmp_path / "stancebank.toml").write_text(
        '[project]\nname = "x"\nlicense = "cc0-1.0"\nhub_repo = "civic-lab/ferries"\n', encoding="utf-8"
    )
    planned = CliRunner().invoke(app, ["export", "publish", str(out), "--dry-run"])
    assert planned.exit_code == 0, planned.output
    assert "repo: civic-lab/ferries (dataset" in planned.output
    flag = CliRunner().invoke(app, ["export", "publish", str(out), "--dry-run", "--repo", "a/b"])
    assert "repo: a/b (dataset" in flag.output


def test_publish_warns_when_the_release_names_another_repo(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A release built for civic-lab/ferries (its card's load snippets, links and citation, and
    croissant.json's url) published to another repo: the plan says so and how to fix it; the
    repo the release names gets no warning."""
    monkeypatch.delenv("STANCEBANK_PROJECT", raising=False)
    monkeypatch.chdir(tmp_path)
    code, output, out = _build(
        tmp_path, FIXTURES / "utf16_offsets.json", extra=("--repo", "civic-lab/ferries")
    )
    assert code == 0, output
    assert 'load_dataset("civic-lab/ferries"' in (out / "README.md").read_text(encoding="utf-8")
    same = CliRunner().invoke(
        app, ["export", "publish", str(out), "--dry-run", "--repo", "civic-lab/ferries"]
    )
    assert same.exit_code == 0 and "warning" not in same.output, same.output
    other = CliRunner().invoke(app, ["export", "publish", str(out), "--dry-run", "--repo", "me/ferries"])
    assert other.exit_code == 0, other.output
    flat = " ".join(other.output.split())
    assert (
        "warning: the release's card and croissant.json name civic-lab/ferries (load snippets, links, "
        "citation), not me/ferries" in flat
    )
    assert "--repo me/ferries" in flat


def test_build_takes_a_folder_of_exports_and_names_a_bad_path(tmp_path: Path) -> None:
    exports = tmp_path / "data" / "exports"
    exports.mkdir(parents=True)
    (exports / "pilot-20260101T000000Z-aaaa.json").write_bytes((FIXTURES / "utf16_offsets.json").read_bytes())
    (exports / "notes.txt").write_text("not an export", encoding="utf-8")
    code, output, out = _build(tmp_path, exports)
    assert code == 0, output
    assert (out / "release.json").is_file()  # the folder stood for its one .json export
    code, output, _ = _build(tmp_path / "again", tmp_path / "missing")
    assert code == ExitCode.USAGE, output
    assert "missing does not exist" in " ".join(output.replace("│", " ").split())
    (tmp_path / "empty").mkdir()
    code, output, _ = _build(tmp_path / "again", tmp_path / "empty")
    assert code == ExitCode.USAGE, output
    assert "is a folder without .json files" in " ".join(output.replace("│", " ").split())


def test_build_summary_reads_as_english(tmp_path: Path) -> None:
    """utf16_offsets.json: no article annotated twice — the agreement line says so without
    'None' for the undefined figures, and the registry line counts its new articles."""
    code, output, _ = _build(tmp_path, FIXTURES / "utf16_offsets.json")
    assert code == 0, output
    flat = " ".join(output.split())
    assert "agreement on 0 articles: span F1 exact — (undefined), overlap — (undefined)" in flat
    assert "stance α — (undefined)" in flat and "α None" not in flat
    assert "2 new articles — commit it" in flat


def _run(
    argv: list[str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> tuple[int, str]:
    """The console script (`stancebank ...`) in this process: its exit code and its stderr."""
    import sys

    from stancebank.schema import cli

    monkeypatch.setattr(sys, "argv", ["stancebank", *argv])
    with pytest.raises(SystemExit) as exited:
        cli.run()
    code = exited.value.code
    return code if isinstance(code, int) else 1, capsys.readouterr().err


def _tree(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): p.read_text(encoding="utf-8") if p.is_file() else "/"
        for p in sorted(folder.rglob("*"))
    }


UNDER_A_FILE = "a file, not a folder; choose another {option}, or move a-file.txt away"


@pytest.mark.parametrize(
    ("option", "path", "says"),
    [
        (
            "--out",
            "a-file.txt/release",
            "cannot write a-file.txt/release (--out): a-file.txt is " + UNDER_A_FILE,
        ),
        ("--registry", "a-file.txt/registry.json", "(--registry): a-file.txt is " + UNDER_A_FILE),
        ("--review-out", "a-file.txt/review", "(--review-out): a-file.txt is " + UNDER_A_FILE),
        ("--rejects", "a-file.txt/rejects.jsonl", "(--rejects): a-file.txt is " + UNDER_A_FILE),
        (
            "--out",
            "a-file.txt",
            "cannot write a-file.txt (--out): it is a file, not a folder; give --out the path of a folder",
        ),
        (
            "--review-out",
            "a-file.txt",
            "(--review-out): it is a file, not a folder; give --review-out the path of a folder",
        ),
        (
            "--registry",
            "a-folder",
            "cannot write a-folder (--registry): it is a folder, not a file; give --registry the path of a "
            "file",
        ),
        (
            "--rejects",
            "a-folder",
            "(--rejects): it is a folder, not a file; give --rejects the path of a file",
        ),
    ],
    ids=lambda value: value if value.startswith("--") else "",
)
def test_an_output_that_cannot_be_written_is_exit_4_naming_it_and_nothing_is_written(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    option: str,
    path: str,
    says: str,
) -> None:
    """An output under a regular file crashed with a traceback and exit 70 (atomic.py's mkdir of
    the rejects or the registry, the review writer's), after writing what came before; a registry
    that is a folder was exit 3, a --rejects folder 70, and a --review-out file was renamed aside
    for the review folder. Each is one line naming the path and the fix, exit 4, before any work:
    nothing is written. snapshot_1/2: art-003 conflicts, so the review files are written."""
    monkeypatch.delenv("STANCEBANK_PROJECT", raising=False)
    monkeypatch.chdir(tmp_path)
    Path("a-file.txt").write_text("mine\n", encoding="utf-8")
    Path("a-folder").mkdir()
    before = _tree(tmp_path)
    options = {"--version": "1.0.0", "--out": "release", "--registry": "registry.json", option: path}
    argv = ["export", "build", str(FIXTURES / "snapshot_1.json"), str(FIXTURES / "snapshot_2.json")]
    code, err = _run([*argv, *(part for item in options.items() for part in item)], monkeypatch, capsys)
    assert code == ExitCode.OUTPUT, err
    assert "Traceback" not in err and "internal error" not in err, err
    line = next((line for line in err.splitlines() if "cannot write" in line), "")
    assert line.startswith("error: cannot write") and says.format(option=option) in line, err
    assert _tree(tmp_path) == before  # no rejects, registry, review or .partial folder


def test_an_output_that_can_be_written_after_the_check_names_it_too(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What the system refuses at the end (here the registry's folder became a file while the
    release was validated) is the same exit 4 naming the path, not a traceback; the release is not
    put in place and its partial folder is removed."""
    from stancebank.export.release import build_release, validate_release_folder
    from stancebank.schema.errors import StancebankError
    from stancebank.validation.report import Report

    monkeypatch.delenv("STANCEBANK_PROJECT", raising=False)
    state = tmp_path / "state"

    def validate_then_block(folder: Path) -> Report:
        state.write_text("not a folder\n", encoding="utf-8")
        return validate_release_folder(folder)

    out = tmp_path / "dist" / "release"
    with pytest.raises(StancebankError) as raised:
        build_release(
            [FIXTURES / "utf16_offsets.json"],
            "1.0.0",
            out,
            registry_path=state / "registry.json",
            validator=validate_then_block,
        )
    assert raised.value.exit_code == ExitCode.OUTPUT
    assert f"cannot write {state / 'registry.json'}: {state} is a file, not a folder" in str(raised.value)
    assert sorted(p.name for p in (tmp_path / "dist").iterdir()) == []
