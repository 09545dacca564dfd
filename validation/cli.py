"""``stancebank validate``: a thin shell over :func:`stancebank.validation.validate_paths`.

Exit codes: 0 clean, 1 on errors (or on warnings with ``--strict``), 2 for usage errors, 70 for an
internal error (the README's table; listed in ``stancebank validate --help``).
"""

from __future__ import annotations

import enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from stancebank.schema.output import StdoutConsole, stdout_to_devnull
from stancebank.validation.config import load_config
from stancebank.validation.errors import ValidationUsageError

if TYPE_CHECKING:
    from stancebank.validation.report import Report


class OutputFormat(enum.StrEnum):
    table = "table"
    json = "json"
    github = "github"


class KindOption(enum.StrEnum):
    tasks = "tasks"
    export = "export"
    release = "release"
    data = "data"


def render_table(report: Report, console: Console, max_rows: int) -> None:
    findings = report.sorted()
    if findings:
        table = Table(title="stancebank validate", show_lines=False, expand=False)
        for col in ("severity", "file", "article / task / annotation", "span", "check", "value", "hint"):
            table.add_column(col, overflow="fold")
        for f in findings[:max_rows]:
            where = f.file or ""
            if f.line is not None:
                where += f":{f.line}"
            ids = " / ".join(x for x in (f.article_id or "", f.task_id or "", f.annotation_id or "") if x)
            style = "red" if f.severity == "error" else "yellow"
            table.add_row(
                f"[{style}]{f.severity}[/]",
                escape(where),
                escape(ids),
                escape(f.span_id or ""),
                escape(f"{f.check}\n{f.message}"),
                escape(f.value or ""),
                escape(f.hint),
            )
        console.print(table)
        if len(findings) > max_rows:
            console.print(f"… {len(findings) - max_rows} more (use --format json for all)")
        by_check = ", ".join(f"{check}: {n}" for check, n in report.counts_by_check().items())
        console.print(f"by check: {by_check}")
    style = "green" if report.ok else "bold red"
    console.print(f"[{style}]{escape(report.summary())}[/]")


def render_lines(report: Report, max_rows: int) -> None:
    """The table's content for output that is no terminal (a CI log, a pipe): one line per finding,
    never folded, then the counts by check and the summary, the last line."""
    findings = report.sorted()
    for f in findings[:max_rows]:
        typer.echo(f.to_text())
    if len(findings) > max_rows:
        typer.echo(f"… {len(findings) - max_rows} more (use --format json for all)")
    if findings:
        typer.echo("by check: " + ", ".join(f"{check}: {n}" for check, n in report.counts_by_check().items()))
    typer.echo(report.summary())


def validate_command(
    paths: Annotated[list[Path], typer.Argument(help="Files or folders to validate.")],
    kind: Annotated[
        KindOption | None,
        typer.Option("--kind", help="What the paths are; detected when not given."),
    ] = None,
    output: Annotated[
        OutputFormat,
        typer.Option(
            "--format",
            help="table (Rich; one line per finding when the output is no terminal), json (stable keys) "
            "or github (annotations).",
        ),
    ] = OutputFormat.table,
    config: Annotated[
        Path | None,
        typer.Option("--config", help="YAML file with severities and thresholds (merged over the defaults)."),
    ] = None,
    previous: Annotated[
        Path | None, typer.Option("--previous", help="The previous release folder: splits must not change.")
    ] = None,
    registry: Annotated[
        Path | None,
        typer.Option(
            "--registry", help="The split registry (default: data/split_registry.json in a data tree)."
        ),
    ] = None,
    strict: Annotated[bool, typer.Option("--strict", help="Fail on warnings too.")] = False,
) -> None:
    """Validate tasks, exports, releases or the data/ tree (span-aware, lazy, CI-friendly).

    \b
    Exit codes (the README's table):
      0   success: no errors (with --strict: no warnings either)
      1   the data has errors: validation findings (warnings too with --strict);
          an unreadable or malformed file is a finding
      2   usage: a bad option or argument (a --kind that does not fit the path,
          --previous not a release folder, --registry not a file), a path that
          does not exist or is neither tasks, an export nor a release (JSON_MIN,
          CSV), a malformed --config file
      70  an internal error: a bug in stancebank, not a problem of the data (the
          traceback is printed; please report it)
    """
    from stancebank.validation.api import validate_paths  # pandas + pandera: loaded only here

    err_console = Console(stderr=True)
    try:
        cfg = load_config(config)
        report = validate_paths(
            paths,
            kind=kind.value if kind is not None else None,
            config=cfg,
            previous=previous,
            registry=registry,
            strict=strict,
        )
    except ValidationUsageError as err:
        err_console.print(f"[bold red]usage error:[/] {escape(str(err))}", soft_wrap=True)
        raise typer.Exit(code=2) from None
    try:
        if output is OutputFormat.json:
            typer.echo(report.to_json())
        elif output is OutputFormat.github:
            typer.echo(report.to_github())
        else:
            console, max_rows = StdoutConsole(), int(cfg.section("report").get("max_rows", 200))
            if console.is_terminal:
                render_table(report, console, max_rows)
            else:
                render_lines(report, max_rows)
    except BrokenPipeError:
        # the reader has gone (`| head`; typer.echo and render_lines write to stdout directly):
        # the findings still decide the exit code; CI under `set -o pipefail` still fails
        stdout_to_devnull()
    raise typer.Exit(code=report.exit_code)
