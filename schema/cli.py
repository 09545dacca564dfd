"""The ``stancebank`` command: one sub-command group per stage.

Library code only logs; this module configures the output (Rich) and maps errors to exit codes.
"""

from __future__ import annotations

import logging
import os
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.logging import RichHandler
from rich.markup import escape
from rich.table import Table
from typer.core import TyperGroup

from stancebank.schema.errors import ExitCode, StancebankError
from stancebank.schema.output import StdoutConsole, stdout_to_devnull
from stancebank.schema.project import PROJECT_ENV, PROJECT_FILE, load_project, write_template
from stancebank.schema.spec import SPEC

console = Console(stderr=True)


def _tasks_group() -> Any:
    from stancebank.tasks.cli import app as tasks_app

    return typer.main.get_group(tasks_app)


def _studio_group() -> Any:
    from stancebank.tasks.studio.cli import app as studio_app

    return typer.main.get_group(studio_app)


def _export_group() -> Any:
    from stancebank.export.cli import app as export_app

    return typer.main.get_group(export_app)


def _validate_command() -> Any:
    from stancebank.validation.cli import validate_command

    single = typer.Typer(add_completion=False)
    single.command("validate")(validate_command)
    return typer.main.get_command(single)


STAGES: dict[str, Callable[[], Any]] = {
    "tasks": _tasks_group,
    "studio": _studio_group,
    "export": _export_group,
    "validate": _validate_command,
}
"""The stages' commands, each loaded when one of its commands runs (``--help`` loads them all):
``stancebank studio progress`` does not import the task builder, the release writer or numpy
(about 0.25 s of CPU at every start)."""


class _Stages(TyperGroup):
    """The root group: its own commands, and each stage's loaded on first use (Click's
    "lazily loading subcommands" pattern)."""

    def list_commands(self, ctx: Any) -> list[str]:
        return [*super().list_commands(ctx), *(name for name in STAGES if name not in self.commands)]

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        if cmd_name in STAGES and cmd_name not in self.commands:
            command = STAGES[cmd_name]()
            command.name = cmd_name
            self.commands[cmd_name] = command
        return super().get_command(ctx, cmd_name)

    def invoke(self, ctx: Any) -> Any:
        """Every command. Output into a pipe whose reader has gone (``| head -1``): a
        :class:`~stancebank.schema.output.StdoutConsole` discards it and the command ends with its
        own exit code; a plain ``typer.echo`` of the final result that fails ends the command here,
        quietly, with exit 0 (Typer would exit 1; :mod:`stancebank.schema.output`)."""
        try:
            return super().invoke(ctx)
        except BrokenPipeError:
            stdout_to_devnull()
            raise typer.Exit(ExitCode.OK) from None


app = typer.Typer(
    cls=_Stages,
    name="stancebank",
    help="Actors, claims and stances in news: Label Studio tasks → gold → a versioned HF dataset.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
schema_app = typer.Typer(
    help="The annotation scheme and the artifacts generated from it.", no_args_is_help=True
)


REQUEST_LOGGERS = ("httpx",)
"""Libraries whose INFO lines -v shows: httpx's one line per request (method, URL, status; never
headers or cookies, and the invite token of a signup is filtered out by the team module)."""


QUIET_LOGGERS = ("trafilatura",)
"""Libraries whose warnings only -v shows: trafilatura's ('discarding data: None') name no file, and
what they mean for an input is said by its reject line ('no main content found in the HTML')."""


def configure_logging(*, verbose: bool = False, quiet: bool = False) -> None:
    """The level applies to stancebank's own loggers; every other library logs warnings and errors
    only, also with -v (httpcore's DEBUG lines hold response headers with session cookies, and
    markdown-it's are thousands of parser steps), except for the request lines of
    :data:`REQUEST_LOGGERS` under -v, and :data:`QUIET_LOGGERS`, which log errors only without -v."""
    level = logging.DEBUG if verbose else logging.WARNING if quiet else logging.INFO
    logging.basicConfig(
        level=logging.WARNING,
        format="%(message)s",
        handlers=[RichHandler(console=console, show_path=False, show_time=False)],
        force=True,
    )
    logging.getLogger("stancebank").setLevel(level)
    for name in REQUEST_LOGGERS:
        logging.getLogger(name).setLevel(logging.INFO if verbose else logging.WARNING)
    for name in QUIET_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING if verbose else logging.ERROR)


@app.callback()
def main(
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Log debug messages.")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Only log warnings and errors.")] = False,
    project: Annotated[
        Path | None,
        typer.Option(
            "--project",
            envvar=PROJECT_ENV,
            help=f"The project file (default: ./{PROJECT_FILE} when it exists). Flags override it.",
        ),
    ] = None,
) -> None:
    """Configure logging for every sub-command; check the project file named by --project."""
    configure_logging(verbose=verbose, quiet=quiet)
    if project is not None:
        # Checked once here so that a bad file fails before any work; commands (and the demo's
        # sub-processes) find it again through the environment.
        load_project(project)
        os.environ[PROJECT_ENV] = str(project.resolve())


@app.command("init")
def init_command(
    folder: Annotated[Path, typer.Argument(help="Folder of the new project.")] = Path(),
    name: Annotated[str | None, typer.Option(help="Project name (default: the folder's name).")] = None,
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing project file.")] = False,
) -> None:
    """Write a commented stancebank.toml (project, Label Studio, policy, target catalogue)."""
    path = write_template(folder, name, force=force)
    project = load_project(path)
    typer.echo(f"wrote {path} (project {project.name!r}); add your targets under [[targets]]")


@schema_app.command("show")
def schema_show() -> None:
    """Print the labels, attributes and relations of the current schema."""
    out = StdoutConsole()
    table = Table(title=f"stancebank schema {SPEC.version} — span labels")
    for col in ("label", "hotkey", "attributes", "description"):
        table.add_column(col)
    for label in SPEC.span_labels:
        attrs = "\n".join(
            f"{a.name}: {' | '.join(a.choices) if a.kind == 'choice' else 'text'}" for a in label.attributes
        )
        table.add_row(label.name, label.hotkey, attrs or "—", label.description)
    out.print(table)
    rels = Table(title="relations")
    for col in ("relation", "from → to", "description"):
        rels.add_column(col)
    for rel in SPEC.relation_labels:
        rels.add_row(rel.name, f"{'/'.join(rel.from_labels)} → {'/'.join(rel.to_labels)}", rel.description)
    out.print(rels)


@schema_app.command("export")
def schema_export(
    out: Annotated[Path, typer.Option("--out", help="Folder to write the artifacts into.")],
) -> None:
    """Write the Label Studio XML, the instructions HTML, and the Features/table schemas as JSON."""
    from stancebank.schema.atomic import check_output
    from stancebank.schema.export_artifacts import write_artifacts

    check_output(out, "--out", folder=True)
    for path in write_artifacts(out):
        typer.echo(str(path))


@app.command("demo")
def demo_command(
    repo: Annotated[Path, typer.Option(help="Repository root holding data/raw and data/pilot.")] = Path(),
    project: Annotated[str, typer.Option(help="Label Studio project title.")] = "stancebank-pilot",
    no_server: Annotated[
        bool,
        typer.Option("--no-server", help="Use LABEL_STUDIO_URL/LABEL_STUDIO_API_KEY instead of `studio up`."),
    ] = False,
) -> None:
    """The main job end to end: tasks → Label Studio → pilot annotations → export → release v0.1.0."""
    from stancebank.export.demo import DemoPlan, run_demo

    root = repo.resolve()
    if not (root / "data" / "raw").is_dir():
        raise typer.BadParameter(
            f"{root} has no data/raw folder: run it from the repository root or pass --repo"
        )
    plan = DemoPlan.for_repo(root, project=project, start_server=not no_server)
    run_demo(plan, StdoutConsole())


app.add_typer(schema_app, name="schema")


def run() -> None:
    """Console-script entry point: stancebank errors become a message and an exit code; any other
    exception is a bug: its traceback (no local variables: they may hold tokens) and exit code 70,
    so that CI tells a crash from data with errors (1). Output into a pipe whose reader has gone
    never gets here: a StdoutConsole drops it, and a plain echo that fails is ended by the root group
    (``_Stages.invoke``), since Typer catches the error inside ``app()``."""
    try:
        app()
    except StancebankError as err:
        console.print(f"[bold red]error:[/] {escape(str(err))}", soft_wrap=True)  # a path stays whole
        raise SystemExit(err.exit_code) from None
    except Exception:  # noqa: BLE001 (the entry point: anything else is a bug, exit 70)
        traceback.print_exc()
        console.print(
            f"[bold red]internal error:[/] this is a bug in stancebank, not a problem of your data; please "
            f"report it with the traceback above (exit {int(ExitCode.INTERNAL)})",
            soft_wrap=True,
        )
        raise SystemExit(ExitCode.INTERNAL) from None


if __name__ == "__main__":
    run()
