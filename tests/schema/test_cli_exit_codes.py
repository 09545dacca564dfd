"""The README's exit-code table, case by case, where a command once returned another code."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from stancebank.schema.cli import app
from stancebank.schema.errors import ExitCode, StancebankError

runner = CliRunner()


def flat(output: str) -> str:
    """The output's words, without Rich's line breaks and box lines."""
    return " ".join(output.replace("│", " ").split())


@pytest.mark.parametrize(
    "args",
    [
        ["studio", "push", "{missing}", "--project", "p"],
        ["studio", "normalise-export", "{missing}", "--project", "p"],
        ["studio", "import-annotations", "{missing}", "--project", "p"],
        ["studio", "review", "--from", "{missing}", "--project", "p"],
        ["export", "publish", "{missing}", "--dry-run", "--repo", "org/name"],
        ["tasks", "sample", "{missing}", "--n", "1", "--out", "{out}"],
        [
            "export",
            "build",
            "{existing}",
            "--version",
            "0.2.0",
            "--out",
            "{out}",
            "--registry",
            "r.json",
            "--previous",
            "{missing}",
        ],
    ],
    ids=lambda args: " ".join(args[:2]) + (" --previous" if "--previous" in args else ""),
)
def test_a_path_that_does_not_exist_is_a_usage_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, args: list[str]
) -> None:
    """Row 2 of the table: checked before any server is asked (none listens here)."""
    monkeypatch.setenv("LABEL_STUDIO_URL", "http://127.0.0.1:9")
    monkeypatch.setenv("LABEL_STUDIO_API_KEY", "not-a-token")
    monkeypatch.chdir(tmp_path)  # a short path: Rich folds long words
    Path("export.json").write_text("[]", encoding="utf-8")
    argv = [a.format(missing="nothing-here.json", out="out", existing="export.json") for a in args]
    result = runner.invoke(app, argv)
    assert result.exit_code == ExitCode.USAGE, result.output
    assert "'nothing-here.json' does not exist" in flat(result.output)


def test_tasks_sample_of_a_malformed_tasks_file_is_an_input_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Row 3: a malformed tasks file (studio push says 3 for the same file)."""
    monkeypatch.chdir(tmp_path)
    Path("tasks.json").write_text('[{"data": {"article_id": "a", "text": "x"}}', encoding="utf-8")
    result = runner.invoke(app, ["tasks", "sample", "tasks.json", "--n", "1", "--out", "s.json"])
    assert result.exit_code == ExitCode.INPUT, result.output
    assert "tasks.json:1: not valid JSON" in flat(result.output)


def test_tasks_build_out_that_is_a_folder_names_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Row 4, with the path given (it named the temporary file `.tasks.json.<pid>.tmp`)."""
    monkeypatch.chdir(tmp_path)
    Path("articles").mkdir()
    Path("articles/one.txt").write_text("A headline\n\nThe mayor said the plan was a mistake.\n", "utf-8")
    Path("tasks.json").mkdir()
    result = runner.invoke(app, ["tasks", "build", "articles", "--out", "tasks.json", "--no-preannotate"])
    assert result.exit_code == ExitCode.OUTPUT, result.output
    assert "cannot write tasks.json: Is a directory" in flat(result.output)
    assert not list(Path().glob(".*.tmp"))


def test_tasks_build_of_a_folder_without_articles_is_a_usage_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Row 2: a wrong folder (no article file, only documentation or other types) built an empty
    tasks file and exited 0, which a CI job took for success."""
    monkeypatch.chdir(tmp_path)
    Path("scans").mkdir()
    Path("scans/README.md").write_text("# scans\n", "utf-8")
    Path("scans/one.pdf").write_bytes(b"%PDF-1.4")
    result = runner.invoke(app, ["tasks", "build", "scans", "--out", "tasks.json", "--no-preannotate"])
    assert result.exit_code == ExitCode.USAGE, result.output
    text = flat(result.output)
    assert "scans: no article file in this folder" in text and ".txt" in text and "one.pdf" in text
    assert not Path("tasks.json").exists()


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["export", "publish", "{release}", "--repo", "bad repo name"], "must be ORG/NAME"),
        (["export", "publish", "{release}", "--repo", "org/name"], "no Hub token"),
        (
            ["export", "build", "{export}", "--version", "0.1.x", "--out", "rel", "--registry", "r.json"],
            "semver",
        ),
        (
            [
                "export",
                "build",
                "{export}",
                "--version",
                "0.1.0",
                "--out",
                "rel",
                "--registry",
                "r.json",
                "--language-creators",
                "found,bogus",
            ],
            "bogus is not a Hub value",
        ),
    ],
    ids=["publish --repo", "publish without HF_TOKEN", "build --version", "build --language-creators"],
)
def test_a_bad_option_is_a_usage_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, args: list[str], says: str
) -> None:
    """Row 2 ('a bad option or argument'); these ended 4, the code of output refused (and
    --language-creators 3, the code of an input that cannot be used)."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("HF_TOKEN", raising=False)
    monkeypatch.setenv("HF_ENDPOINT", "http://127.0.0.1:9")
    fixtures = Path(__file__).resolve().parents[1] / "fixtures" / "validation"
    argv = [a.format(release=fixtures / "release_valid", export=fixtures / "export_valid.json") for a in args]
    result = runner.invoke(app, argv)
    error = result.exception
    code = error.exit_code if isinstance(error, StancebankError) else result.exit_code
    assert code == ExitCode.USAGE, result.output
    assert says in str(error)


def test_an_unexpected_exception_is_exit_70_with_its_traceback_not_1(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A crash must not look like "the data has errors" (1) to CI: the console script prints the
    traceback and exits 70; an error raised on purpose keeps its own code."""
    import sys

    import stancebank.schema.cli as cli

    def crash(*args: object, **kwargs: object) -> Path:
        raise RuntimeError("boom in write_template")

    monkeypatch.setattr(cli, "write_template", crash)
    monkeypatch.setattr(sys, "argv", ["stancebank", "init", str(tmp_path)])
    with pytest.raises(SystemExit) as exited:
        cli.run()
    assert exited.value.code == ExitCode.INTERNAL == 70
    err = capsys.readouterr().err
    assert "RuntimeError: boom in write_template" in err and "Traceback" in err
    assert "internal error" in err and "bug in stancebank" in err

    class RefusedError(StancebankError):
        exit_code = ExitCode.OUTPUT

    def refuse(*args: object, **kwargs: object) -> Path:
        raise RefusedError("refused on purpose")

    monkeypatch.setattr(cli, "write_template", refuse)
    with pytest.raises(SystemExit) as exited:
        cli.run()
    assert exited.value.code == ExitCode.OUTPUT
    assert "Traceback" not in capsys.readouterr().err


README = Path(__file__).resolve().parents[2] / "README.md"


def readme_exit_codes() -> dict[int, str]:
    """The README's exit-code table: each code and the first words of its meaning (to the colon)."""
    text = README.read_text(encoding="utf-8").split("### Exit codes (every command)", 1)[1]
    table = text.strip().split("\n\n", 1)[0]
    rows = re.findall(r"^\| `(\d+)` \| ([^|]+?) \|$", table, flags=re.MULTILINE)
    return {int(code): meaning.split(":", 1)[0].strip() for code, meaning in rows}


@pytest.mark.parametrize(
    ("command", "codes"),
    [
        (["export", "build"], {0, 1, 2, 3, 4, 70}),
        (["export", "publish"], {0, 2, 3, 4, 6, 70}),
        (["tasks", "build"], {0, 1, 2, 3, 4, 5, 70}),
        (["validate"], {0, 1, 2, 70}),
    ],
    ids=["export build", "export publish", "tasks build", "validate"],
)
def test_help_lists_every_exit_code_the_command_returns_in_the_readmes_words(
    command: list[str], codes: set[int]
) -> None:
    """`export build --help` listed 0, 1, 3 and 4 as "the README's table" but not 2 (no registry, a
    bad --version, a missing export) nor 70; `tasks build --help` left out 70; `validate` and
    `export publish` listed none. Each code a command can return is listed with the README's
    meaning; no other code is."""
    meanings = readme_exit_codes()
    assert set(meanings) == {0, 1, 2, 3, 4, 5, 6, 70}  # the table was read
    result = runner.invoke(app, [*command, "--help"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    text = flat(result.output)
    assert "Exit codes" in text
    alternatives = "|".join(re.escape(m) for m in meanings.values())
    listed = {int(code) for code, _ in re.findall(rf"(?<!\S)(\d+) ({alternatives})\b", text)}
    assert listed == codes, text
    for code in codes:
        assert f"{code} {meanings[code]}" in text, (code, text)
