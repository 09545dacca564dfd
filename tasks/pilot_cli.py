"""``stancebank tasks resolve-annotations``: pilot YAML + built tasks → annotations-import JSON."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from stancebank.schema.atomic import check_output, writing
from stancebank.schema.errors import OutputError, WireError
from stancebank.schema.jsonio import write_json_array_atomic
from stancebank.schema.wire import read_task_list
from stancebank.tasks.pilot import PilotError, load_pilot, resolve_pilot


def _read_tasks(path: Path) -> list[Any]:
    """The tasks file, read and checked by the one reader (:func:`stancebank.schema.wire.read_task_list`)."""
    try:
        return read_task_list(path)
    except WireError as err:
        raise PilotError(f"{err}; pass the JSON `stancebank tasks build` wrote") from err


def resolve_command(
    pilot: Annotated[
        Path, typer.Argument(help="Pilot annotations in the authoring format (data/pilot/pilot.yaml).")
    ],
    tasks: Annotated[Path, typer.Option("--tasks", help="Tasks JSON written by `stancebank tasks build`.")],
    out: Annotated[Path, typer.Option("--out", "-o", help="Where to write the annotations-import JSON.")],
) -> None:
    """Resolve pilot annotations (span texts) to offsets in the task texts.

    Writes a JSON array of {article_id, annotator, ground_truth, result}, where result is a Label
    Studio result list. Exit code 2 when the pilot is malformed or a span does not resolve.
    """
    console = Console(stderr=True)
    try:
        check_output(out, "--out")  # before the work
        articles = load_pilot(pilot)
        imports = resolve_pilot(articles, _read_tasks(tasks))
        with writing(out, "--out"):
            write_json_array_atomic(out, imports)
    except (PilotError, OutputError) as err:
        console.print(f"[red]error:[/red] {escape(str(err))}", highlight=False, soft_wrap=True)
        raise typer.Exit(err.exit_code) from err
    per_annotator = Counter(item["annotator"] for item in imports)
    regions: Counter[str] = Counter()
    for item in imports:
        regions[item["annotator"]] += len({r["id"] for r in item["result"] if r.get("type") == "labels"})
    table = Table(title=f"resolve-annotations → {escape(str(out))}")
    table.add_column("annotator")
    table.add_column("articles", justify="right")
    table.add_column("spans", justify="right")
    table.add_column("ground truth", justify="right")
    for name in sorted(per_annotator):
        gt = sum(1 for item in imports if item["annotator"] == name and item["ground_truth"])
        table.add_row(escape(name), str(per_annotator[name]), str(regions[name]), str(gt))
    console.print(table)
