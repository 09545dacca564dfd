"""What the `stancebank` command prints around its work: -v shows stancebank's debug lines, not
those of the libraries it uses."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import typer
from rich.text import Text

from stancebank.schema.cli import app, configure_logging

CLI = [sys.executable, "-m", "stancebank.schema.cli"]
ENV = {**os.environ, "COLUMNS": "80", "NO_COLOR": "1", "TERM": "dumb"}
FIX = Path(__file__).resolve().parents[1] / "fixtures" / "validation"


@pytest.fixture
def restored_logging() -> Iterator[None]:
    names = ("", "stancebank", "httpx", "httpcore", "markdown_it")
    levels = {name: logging.getLogger(name).level for name in names}
    handlers = list(logging.getLogger().handlers)
    yield
    root = logging.getLogger()
    for handler in list(root.handlers):
        root.removeHandler(handler)
    for handler in handlers:
        root.addHandler(handler)
    for name, level in levels.items():
        logging.getLogger(name).setLevel(level)


def test_verbose_is_debug_for_stancebank_only(restored_logging: None) -> None:
    configure_logging(verbose=True)
    assert logging.getLogger("stancebank.tasks.studio.sync").isEnabledFor(logging.DEBUG)
    for library in ("httpcore", "markdown_it", "urllib3"):
        assert not logging.getLogger(library).isEnabledFor(logging.INFO), library
    assert logging.getLogger("httpx").isEnabledFor(logging.INFO)  # one line per request
    assert not logging.getLogger("httpx").isEnabledFor(logging.DEBUG)
    configure_logging()
    assert logging.getLogger("stancebank.export").isEnabledFor(logging.INFO)
    assert not logging.getLogger("stancebank.export").isEnabledFor(logging.DEBUG)
    assert not logging.getLogger("httpx").isEnabledFor(logging.INFO)
    configure_logging(quiet=True)
    assert not logging.getLogger("stancebank.export").isEnabledFor(logging.INFO)


def test_verbose_output_has_no_library_debug_lines(tmp_path: Path) -> None:
    # `schema export` renders the guidelines with markdown-it, which logs every parser step at
    # DEBUG (about 3,800 lines before -v was scoped to stancebank's loggers)
    done = subprocess.run(
        [*CLI, "-v", "schema", "export", "--out", str(tmp_path / "artifacts")],
        capture_output=True,
        text=True,
        env=ENV,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert "entering " not in done.stderr, done.stderr[:2000]
    assert len(done.stderr.splitlines()) < 20, done.stderr[:2000]


def _commands() -> Iterator[tuple[str, Any]]:
    """Every command of the `stancebank` tree (the stages loaded), with its path."""
    root = typer.main.get_command(app)

    def walk(command: Any, path: str, ctx: Any) -> Iterator[tuple[str, Any]]:
        yield path, command
        if hasattr(command, "list_commands"):
            for name in command.list_commands(ctx):
                sub = command.get_command(ctx, name)
                yield from walk(sub, f"{path} {name}", sub.context_class(sub, parent=ctx, info_name=name))

    yield from walk(root, "stancebank", root.context_class(root, info_name="stancebank"))


def test_no_help_text_loses_brackets_to_rich_markup() -> None:
    # Typer renders help as Rich markup: "[[targets]]" or "[studio]" unescaped is a style tag and
    # vanishes ("become [] tables"); written as rich.markup.escape(...) it is shown as written
    lost = []
    for path, command in _commands():
        texts = [("help", command.help or "")]
        texts += [(param.name, getattr(param, "help", None) or "") for param in command.params]
        for what, text in texts:
            shown = Text.from_markup(text).plain.replace("\b", "")
            if shown != text.replace("\\[", "[").replace("\b", ""):
                lost.append(f"{path} ({what}): {text[:80]!r}")
    assert not lost, "\n".join(lost)


def _help(*args: str) -> str:
    done = subprocess.run([*CLI, *args, "--help"], capture_output=True, text=True, env=ENV, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    return " ".join(done.stdout.replace("│", " ").split())


def test_help_shows_the_bracketed_names_as_written() -> None:
    assert "become [[targets]] tables" in _help("tasks", "targets")
    assert "(with a [[targets]] catalogue in stancebank.toml)" in _help("tasks", "sample")
    assert "([studio] overlap)" in _help("studio", "push")


def test_an_error_line_is_not_folded_in_a_ci_log(tmp_path: Path) -> None:
    """At 80 columns without a terminal, an error naming a long path kept it whole (Rich folded
    it over several lines, and a CI log's search for the path found nothing)."""
    folder = tmp_path / ("a-long-folder-name-of-a-ci-runner-" * 3)
    folder.mkdir()
    bad = folder / "stancebank-pilot-20261122T154724Z-16e4cc5efedd.json"
    bad.write_text("[{", encoding="utf-8")
    for args in (
        ["validate", str(folder / "missing.json")],
        [
            "export",
            "build",
            str(bad),
            "--version",
            "0.1.0",
            "--out",
            str(tmp_path / "r"),
            "--registry",
            "r.json",
        ],
        ["tasks", "sample", str(bad), "--n", "1", "--out", str(tmp_path / "s.json")],
    ):
        done = subprocess.run(
            [*CLI, *args], capture_output=True, text=True, env=ENV, cwd=tmp_path, check=False
        )
        assert done.returncode in (2, 3), done.stderr
        assert any(str(folder) in line for line in done.stderr.splitlines()), done.stderr


def test_the_html_extractor_says_nothing_the_reject_does_not(tmp_path: Path) -> None:
    """trafilatura logged 'WARNING discarding data: None' (no file named) above the reject line
    that says what happened to the file; with -v its warnings are shown."""
    (tmp_path / "page.html").write_text("<html><script>var a = 1;</script></html>", encoding="utf-8")
    page, out = str(tmp_path / "page.html"), str(tmp_path / "t.json")
    args = ["tasks", "build", page, "--out", out, "--no-preannotate"]
    done = subprocess.run([*CLI, *args], capture_output=True, text=True, env=ENV, check=False)
    assert done.returncode == 1, done.stderr
    assert "discarding data" not in done.stderr and "rejected:" in done.stderr, done.stderr
    verbose = subprocess.run([*CLI, "-v", *args], capture_output=True, text=True, env=ENV, check=False)
    assert "discarding data" in verbose.stderr, verbose.stderr


def _no_reader(args: list[str], env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """The command with stdout a pipe whose reader has gone (as under `| head -1` once head has its
    line): the read end is closed before the command starts, so its first write fails (EPIPE)."""
    read, write = os.pipe()
    os.close(read)
    try:
        return subprocess.run(
            [*CLI, *args],
            stdout=write,
            stderr=subprocess.PIPE,
            text=True,
            env={**ENV, **(env or {})},
            check=False,
        )
    finally:
        os.close(write)


def _quiet(stderr: str) -> bool:
    return not any(word in stderr for word in ("Traceback", "BrokenPipe", "Exception ignored", "Errno 32"))


def test_output_into_a_closed_pipe_ends_quietly_with_exit_0(tmp_path: Path) -> None:
    """`stancebank schema show | head -1` exited 1 (Rich exits 1 on a BrokenPipeError, and Typer
    turns one into exit 1); a reader that stops early is no failure of a command that succeeds:
    exit 0, nothing on stderr. Output by a Rich console (schema show), by typer.echo (init), and
    validate's."""
    for args in (["schema", "show"], ["init", str(tmp_path)], ["validate", str(FIX / "tasks_valid.json")]):
        done = _no_reader(args)
        assert (done.returncode, done.stderr) == (0, ""), (args, done.stderr)


def test_a_command_that_fails_after_printing_keeps_its_exit_code_into_a_closed_pipe(tmp_path: Path) -> None:
    """A closed pipe ended every command with exit 0 at its first print: `stancebank demo ... |
    head` whose step failed after the demo printed its header (or a `studio push` refused after
    its table) counted as success under `set -o pipefail`. The output is discarded, the command
    goes on, and its exit code is the one it gives with a reader: here the demo's first step fails
    (a data/raw folder without articles), exit 1, its error on stderr."""
    (tmp_path / "data" / "raw").mkdir(parents=True)
    args = ["demo", "--repo", str(tmp_path), "--no-server"]
    full = subprocess.run([*CLI, *args], capture_output=True, text=True, env=ENV, check=False)
    assert full.returncode == 1 and "Build tasks" in full.stdout, full.stderr
    done = _no_reader(args)
    assert done.returncode == full.returncode and _quiet(done.stderr), done.stderr
    assert "demo step 'Build tasks" in done.stderr


def test_a_failed_validation_piped_into_head_still_exits_1(tmp_path: Path) -> None:
    """validate decided its outcome before printing: a closed pipe does not turn its findings into
    success (CI running `set -o pipefail; stancebank validate ... | head` must still fail). A real
    pipe, read for one line and closed: the report is one write per finding (1,000 lines, ~400 kB),
    far more than a pipe holds, so the command is still writing when the reader goes, and its next
    write fails whatever the timing."""
    tasks = json.loads((FIX / "tasks_valid.json").read_text(encoding="utf-8"))
    results = tasks[0]["predictions"][0]["result"]
    region = next(r for r in results if r["type"] == "labels")
    for n in range(1000):
        results.append({**region, "id": f"x{n}", "value": {**region["value"], "start": n + 1000}})
    path = tmp_path / "tasks.json"
    path.write_text(json.dumps(tasks), encoding="utf-8")
    config = tmp_path / "validation.yaml"
    config.write_text("report:\n  max_rows: 5000\n", encoding="utf-8")
    args = [*CLI, "validate", str(path), "--config", str(config)]
    full = subprocess.run(args, capture_output=True, env=ENV, check=False)
    assert full.returncode == 1 and full.stdout.count(b"\n") > 1000 and len(full.stdout) > 1 << 18
    with subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=ENV) as proc:
        assert proc.stdout is not None and proc.stderr is not None
        assert "span_within_text" in proc.stdout.readline()
        proc.stdout.close()
        stderr = proc.stderr.read()
        code = proc.wait()
    assert code == 1 and _quiet(stderr), stderr
    assert _no_reader(args[len(CLI) :]).returncode == 1


def test_export_builds_summary_into_a_closed_pipe_ends_quietly_with_exit_0(tmp_path: Path) -> None:
    """`stancebank export build ... | head -1` exited 1: its summary tables were printed by a plain
    Rich Console, which exits 1 when the reader has gone. The release is built and in place before
    the summary is printed; the command ends with exit 0, no traceback or broken-pipe message."""
    export = Path(__file__).resolve().parents[1] / "fixtures" / "export" / "utf16_offsets.json"
    out = tmp_path / "release"
    args = ["export", "build", str(export), "--version", "1.0.0", "--out", str(out)]
    done = _no_reader(
        [*args, "--registry", str(tmp_path / "registry.json")], env={"STANCEBANK_PSEUDONYM_KEY": "t"}
    )
    assert done.returncode == 0 and _quiet(done.stderr), done.stderr
    assert (out / "release.json").is_file()
