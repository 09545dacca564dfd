"""The ``stancebank`` command: one sub-command group per stage.

Library code only logs; this module configures the output (Rich) and maps errors to exit codes.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.logging import RichHandler
from rich.markup import escape
from rich.table import Table

from stancebank.export.cli import app as export_app
from stancebank.schema.errors import StancebankError
from stancebank.schema.project import PROJECT_ENV, PROJECT_FILE, load_project, write_template
from stancebank.schema.spec import SPEC
from stancebank.tasks.cli import app as tasks_app
from stancebank.tasks.pilot_cli import resolve_command
from stancebank.tasks.studio.cli import app as studio_app
from stancebank.validation.cli import validate_command

console = Console(stderr=True)

app = typer.Typer(
    name="stancebank",
    help="Actors, claims and stances in news: Label Studio tasks → gold → a versioned HF dataset.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
schema_app = typer.Typer(
    help="The annotation scheme and the artifacts generated from it.", no_args_is_help=True
)


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
    level = logging.DEBUG if verbose else logging.WARNING if quiet else logging.INFO
    logging.basicConfig(
        level=level,
        format="%(message)s",
        handlers=[RichHandler(console=console, show_path=False, show_time=False)],
        force=True,
    )
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
    out = Console()
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
    from stancebank.schema.export_artifacts import write_artifacts

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
    run_demo(plan, Console())


app.add_typer(schema_app, name="schema")
tasks_app.command("resolve-annotations")(resolve_command)
app.add_typer(tasks_app, name="tasks")
app.add_typer(studio_app, name="studio")
app.add_typer(export_app, name="export")
app.command("validate")(validate_command)


def run() -> None:
    """Console-script entry point: stancebank errors become a message and an exit code."""
    try:
        app()
    except StancebankError as err:
        console.print(f"[bold red]error:[/] {escape(str(err))}")
        raise SystemExit(err.exit_code) from None


if __name__ == "__main__":
    run()
