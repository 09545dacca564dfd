"""The README's exit-code table, case by case, where a command once returned another code."""

from __future__ import annotations

import json
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
    assert "cannot write tasks.json (--out): it is a folder, not a file" in flat(result.output)
    assert not list(Path().glob(".*.tmp"))


FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def under_a_file(path: str, option: str = "") -> str:
    named = f"{path} ({option})" if option else path
    fix = f"choose another {option or 'path'}, or move a-file.txt away"
    return f"{named}: a-file.txt is a file, not a folder; {fix}"


IS_A_FOLDER = "it is a folder, not a file; give {option} the path of a file"
IS_A_FILE = "it is a file, not a folder; give {option} the path of a folder"


def _output_refused(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], argv: list[str]
) -> str:
    """Run the console entry point (``stancebank.schema.cli.run``) with ``argv``; assert it ended
    with exit 4 (an output that cannot be written) and no traceback; return its stderr."""
    import sys

    from stancebank.schema import cli

    monkeypatch.setattr(sys, "argv", ["stancebank", *argv])
    with pytest.raises(SystemExit) as exited:
        cli.run()
    err = capsys.readouterr().err
    assert exited.value.code == ExitCode.OUTPUT, err
    assert "Traceback" not in err and "internal error" not in err, err
    return err


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["init", "a-file.txt/project"], under_a_file("a-file.txt/project")),
        (["init", "a-file.txt"], "a-file.txt: it is a file, not a folder; give the path of a folder"),
        (["init", "project"], "project/stancebank.toml: it is a folder, not a file; move it away"),
        (["schema", "export", "--out", "a-file.txt/x"], under_a_file("a-file.txt/x", "--out")),
        (["schema", "export", "--out", "a-file.txt"], "a-file.txt (--out): " + IS_A_FILE),
        (
            ["tasks", "build", "articles", "--out", "a-file.txt/t.json"],
            under_a_file("a-file.txt/t.json", "--out"),
        ),
        (
            ["tasks", "build", "articles", "--out", "a-file.txt/shards"],
            under_a_file("a-file.txt/shards", "--out"),
        ),
        (
            ["tasks", "build", "articles", "--out", "t.json", "--rejects", "a-file.txt/r"],
            under_a_file("a-file.txt/r", "--rejects"),
        ),
        (
            ["tasks", "build", "articles", "--out", "t.json", "--rejects", "a-folder"],
            "a-folder (--rejects): " + IS_A_FOLDER,
        ),
        (
            ["tasks", "sample", "{tasks}", "--n", "1", "--out", "a-file.txt/s.json"],
            under_a_file("a-file.txt/s.json", "--out"),
        ),
        (
            ["tasks", "sample", "{tasks}", "--n", "1", "--out", "s.json", "--report", "a-file.txt/r"],
            under_a_file("a-file.txt/r", "--report"),
        ),
        (
            ["tasks", "sample", "{tasks}", "--n", "1", "--out", "s.json", "--report", "a-folder"],
            "a-folder (--report): " + IS_A_FOLDER,
        ),
        (
            ["tasks", "resolve-annotations", "{pilot}", "--tasks", "{tasks}", "--out", "a-file.txt/i.json"],
            under_a_file("a-file.txt/i.json", "--out"),
        ),
        (
            ["studio", "up", "--data-dir", "a-file.txt/studio"],
            under_a_file("a-file.txt/studio", "--data-dir"),
        ),
        (
            ["studio", "pull", "--project", "p", "--out", "a-file.txt/e"],
            under_a_file("a-file.txt/e", "--out"),
        ),
        (["studio", "pull", "--project", "p", "--out", "a-file.txt"], "a-file.txt (--out): " + IS_A_FILE),
        (
            ["studio", "normalise-export", "{export}", "--project", "p", "--out", "a-file.txt/e"],
            under_a_file("a-file.txt/e", "--out"),
        ),
        (
            ["studio", "progress", "--project", "p", "--format", "json", "--out", "a-file.txt/p.json"],
            under_a_file("a-file.txt/p.json", "--out"),
        ),
        (
            ["studio", "progress", "--project", "p", "--format", "html", "--out", "a-folder"],
            "a-folder (--out): " + IS_A_FOLDER,
        ),
        (
            ["studio", "progress", "--project", "p", "{key file}"],
            "a-file.txt is a file, not a folder; choose another STANCEBANK_PSEUDONYM_KEY_FILE",  # resolved
        ),
    ],
    ids=lambda value: (
        " ".join(a for a in value if a[0] != "{" and a not in ("p", "--project"))
        if isinstance(value, list)
        else ""
    ),
)
def test_an_output_under_a_file_or_of_the_wrong_kind_is_exit_4_naming_it(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    args: list[str],
    says: str,
) -> None:
    """Row 4 ('a file cannot be written'): an output path under a regular file, a folder where a file
    goes or a file where a folder goes. init, schema export and the studio commands (and a pseudonym
    key file under a file) crashed with a traceback and exit 70; tasks build and sample said
    'cannot write a-file.txt: File exists; check the path' after all their work, and sample had
    written --out when --report failed. Now: one line naming the path (and the option), why and the
    fix, exit 4, before any work (no server is asked: none listens here), nothing written."""
    monkeypatch.setenv("LABEL_STUDIO_URL", "http://127.0.0.1:9")
    monkeypatch.setenv("LABEL_STUDIO_API_KEY", "not-a-token")
    monkeypatch.setenv("STANCEBANK_PSEUDONYM_KEY", "test-secret")
    monkeypatch.chdir(tmp_path)  # short paths: the message is checked whole
    Path("a-file.txt").write_text("mine\n", encoding="utf-8")
    Path("a-folder").mkdir()
    Path("project/stancebank.toml").mkdir(parents=True)
    Path("articles").mkdir()
    Path("articles/one.txt").write_text("A headline\n\nThe mayor said the plan was a mistake.\n", "utf-8")
    if "{key file}" in args:
        monkeypatch.delenv("STANCEBANK_PSEUDONYM_KEY")
        monkeypatch.setenv("STANCEBANK_PSEUDONYM_KEY_FILE", "a-file.txt/pseudonym.key")
    before = {str(p): p.read_bytes() if p.is_file() else b"/" for p in sorted(tmp_path.rglob("*"))}
    fill = {
        "tasks": str(FIXTURES / "validation" / "tasks_valid.json"),
        "export": str(FIXTURES / "validation" / "export_valid.json"),
        "pilot": str(Path(__file__).resolve().parents[2] / "data" / "pilot" / "pilot.yaml"),
    }
    argv = [a.format(**fill) for a in args if a != "{key file}"]
    if argv[:2] == ["tasks", "build"]:
        argv.append("--no-preannotate")
    err = _output_refused(monkeypatch, capsys, argv)
    line = next((line for line in err.splitlines() if "cannot write" in line), "")
    option = next((a for a in argv if a.startswith("--") and argv[argv.index(a) + 1].startswith("a-")), "")
    assert line.startswith("error: cannot write ") and says.format(option=option) in line, err
    after = {str(p): p.read_bytes() if p.is_file() else b"/" for p in sorted(tmp_path.rglob("*"))}
    assert after == before  # nothing written, nothing moved


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


def test_an_output_whose_folder_cannot_be_searched_is_exit_4_not_a_crash(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The check before any work asked `Path.is_dir()` of the output's folders, which raises where
    one cannot be searched (PermissionError for another user's folder; tested here with a name too
    long for the file system, which raises the same way and needs no second user): `tasks sample`
    ended with a traceback and exit 70 where it said 'cannot write …' with exit 4 before. Now the
    system's refusal is reported when written: one line, the path, the option, exit 4."""
    monkeypatch.chdir(tmp_path)
    out = f"{'a' * 300}/sample.json"
    argv = ["tasks", "sample", str(FIXTURES / "validation" / "tasks_valid.json"), "--n", "1", "--out", out]
    err = _output_refused(monkeypatch, capsys, argv)
    assert f"error: cannot write {out} (--out): file name too long" in flat(err), err


def test_an_atomic_write_the_system_refuses_midway_names_the_path(tmp_path: Path) -> None:
    """A write refused after the temporary file was opened (a full disk, a file-size limit) was a
    raw OSError naming nothing we chose (exit 70); it is the OutputError of the path (exit 4), and
    no temporary file is left. The refusal is played by a file-size limit in a child process."""
    import subprocess
    import sys

    target = tmp_path / "big.json"
    code = (
        "import resource, signal, sys\n"
        "from pathlib import Path\n"
        "from stancebank.schema.atomic import atomic_write_text\n"
        "from stancebank.schema.errors import OutputError\n"
        "signal.signal(signal.SIGXFSZ, signal.SIG_IGN)\n"
        "resource.setrlimit(resource.RLIMIT_FSIZE, (4096, 4096))\n"
        "try:\n"
        "    atomic_write_text(Path(sys.argv[1]), 'x' * 100_000)\n"
        "except OutputError as err:\n"
        "    print(err.exit_code, err)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, str(target)], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(f"4 cannot write {target}: file too large"), done.stdout
    assert list(tmp_path.iterdir()) == []


def test_a_report_given_as_a_link_is_written_through_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`tasks sample --report` wrote through a symbolic link (and to /dev/stdout) with write_text;
    made atomic, it replaced the link with a file and left the target as it was. A report is written
    where the link points again."""
    monkeypatch.chdir(tmp_path)
    Path("target.json").write_text('{"old": 1}\n', encoding="utf-8")
    Path("link.json").symlink_to("target.json")
    args = ["tasks", "sample", str(FIXTURES / "validation" / "tasks_valid.json"), "--n", "1"]
    result = runner.invoke(app, [*args, "--out", "s.json", "--report", "link.json"])
    assert result.exit_code == 0, result.output
    assert Path("link.json").is_symlink()
    assert json.loads(Path("target.json").read_text(encoding="utf-8"))["sampled"] == 1
