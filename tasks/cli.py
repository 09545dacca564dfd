"""Command-line group of this stage (thin shell over the library)."""

from __future__ import annotations

import enum
import json
from pathlib import Path
from typing import Annotated, NoReturn

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from stancebank.schema.atomic import atomic_writer, check_outputs, clean_leftovers, writing
from stancebank.schema.errors import ExitCode, OutputError, StancebankError, WireError
from stancebank.schema.project import find_project
from stancebank.tasks.build import (
    DEFAULT_MODEL,
    DEFAULT_SHARD_SIZE,
    BuildOptions,
    BuildResult,
    build_tasks,
    is_sharded,
    write_encoded_tasks,
    write_tasks,
)
from stancebank.tasks.errors import TasksError
from stancebank.tasks.pilot_cli import resolve_command

app = typer.Typer(help="Build Label Studio tasks from articles.", no_args_is_help=True)

EXIT_OK = 0
EXIT_REJECTS = 1
EXIT_USAGE = 2
EXIT_INVALID_PREDICTION = 3
EXIT_OUTPUT = 4
EXIT_MODEL = 5
EXIT_INTERNAL = int(ExitCode.INTERNAL)  # schema.cli's entry point, on an unexpected exception

BUILD_HELP = f"""Build Label Studio tasks from article files and folders.

INPUT: .txt/.md (first non-empty line is the headline), .html/.htm, .jsonl, .json, .csv (records
with `text` and optional id, title, url, published, source, language), or folders (recursive;
README*, LICENSE* and CHANGELOG* files inside folders are skipped as documentation).

Writes a JSON array of tasks (`data.text` is the cleaned canonical text; pre-annotations are
`predictions`). Rejected inputs and skipped duplicates go to --rejects as JSON lines naming the file,
the line or record, and the reason.

\b
Exit codes (the README's table):
  {EXIT_OK:<3} success: every input became a task (duplicates built once and
      near-duplicates left out are not errors)
  {EXIT_REJECTS:<3} the data has errors: some inputs were rejected (tasks for the rest are
      written); --allow-rejects gives 0
  {EXIT_USAGE:<3} usage: a missing input path, a folder without article files, a bad
      option or a malformed rules file
  {EXIT_INVALID_PREDICTION:<3} an input cannot be used: a pre-annotation failed validation (that task
      is written without it)
  {EXIT_OUTPUT:<3} output refused or not written: --out or --rejects cannot be written
      (under a file, a folder where a file goes or a file where a folder goes:
      refused before the build), or writing failed
  {EXIT_MODEL:<3} a local component cannot be loaded or started: the spaCy model given by
      --model
  {EXIT_INTERNAL:<3} an internal error: a bug in stancebank, not a problem of the data (the
      traceback is printed; please report it)
"""


def _summary(result: BuildResult, out: Path) -> Table:
    table = Table(title=f"stancebank tasks build → {escape(str(out))}", show_header=False)
    table.add_column("what", no_wrap=True)
    table.add_column("count", justify="right", no_wrap=True)
    table.add_row("tasks built", str(result.n_tasks))
    table.add_row("  with pre-annotation", str(result.n_predicted))
    for reason, n in sorted(result.not_preannotated.items()):
        table.add_row(f"  without pre-annotation ({reason})", str(n))
    table.add_row("duplicates (built once)", str(result.duplicates))
    near_label = "near-duplicates (kept)" if result.kept_near_duplicates else "near-duplicates (left out)"
    table.add_row(near_label, str(result.near_duplicates))
    table.add_row("skipped (documentation)", str(len(result.skipped_documentation)))
    table.add_row("rejected", str(len(result.rejects)))
    for reason, n in sorted(result.reject_reasons.items()):
        table.add_row(f"  {reason}", str(n))
    table.add_row("warnings", str(len(result.warnings)))
    return table


class Engine(enum.StrEnum):
    local = "local"
    ray = "ray"


def _fail(console: Console, err: StancebankError) -> NoReturn:
    """Print ``err`` as one line (its paths whole) and end with its exit code."""
    console.print(f"[bold red]error:[/] {escape(str(err))}", soft_wrap=True)
    raise typer.Exit(err.exit_code) from None


def _check_outputs(console: Console, *outputs: tuple[Path | None, str, bool]) -> None:
    """Refuse outputs that cannot be written (``(path, option, is a folder)``) before any work."""
    try:
        check_outputs(*outputs)
    except OutputError as err:
        _fail(console, err)


def _build_local(inputs: list[Path], options: BuildOptions, console: Console) -> BuildResult:
    progress = Progress(
        TextColumn("[bold]building tasks"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    )
    with progress:
        bar = progress.add_task("build", total=None)
        return build_tasks(
            inputs,
            options,
            on_total=lambda n: progress.update(bar, total=n),
            progress=lambda n: progress.advance(bar, n),
        )


@app.command("build", help=BUILD_HELP)
def build_command(
    inputs: Annotated[list[Path], typer.Argument(metavar="INPUT...", help="Article files or folders.")],
    out: Annotated[
        Path,
        typer.Option(
            "--out",
            "-o",
            help="A .json file (one JSON array of tasks), or a folder of shards tasks-0000k-of-0000N.json.",
        ),
    ],
    rejects: Annotated[
        Path | None,
        typer.Option("--rejects", help="Write rejected inputs and skipped duplicates here (JSONL)."),
    ] = None,
    no_preannotate: Annotated[
        bool, typer.Option("--no-preannotate", help="Build tasks without predictions (fast; no model).")
    ] = False,
    workers: Annotated[int, typer.Option("--workers", "-j", min=1, help="Pre-annotation processes.")] = 1,
    allow_rejects: Annotated[
        bool, typer.Option("--allow-rejects", help="Exit 0 even when some inputs were rejected.")
    ] = False,
    keep_near_duplicates: Annotated[
        bool, typer.Option("--keep-near-duplicates", help="Build near-duplicates too (they are reported).")
    ] = False,
    model: Annotated[
        str, typer.Option("--model", help="spaCy pipeline for pre-annotation (a package name or a path).")
    ] = DEFAULT_MODEL,
    boilerplate: Annotated[
        list[Path] | None,
        typer.Option(
            "--boilerplate", help="Extra boilerplate rules file (YAML, same format as the packaged one)."
        ),
    ] = None,
    engine: Annotated[
        Engine,
        typer.Option(
            "--engine",
            help="local: this process (and --workers); ray: a Ray cluster (RAY_ADDRESS, else a local one). "
            "Same output byte for byte.",
        ),
    ] = Engine.local,
    shard_size: Annotated[
        int, typer.Option("--shard-size", min=1, help="Tasks per shard when --out is a folder.")
    ] = DEFAULT_SHARD_SIZE,
    partitions: Annotated[
        int | None,
        typer.Option("--partitions", min=1, help="Ray: blocks of input files (default 4 per CPU)."),
    ] = None,
) -> None:
    console = Console(stderr=True)
    project = find_project()
    options = BuildOptions(
        preannotate=not no_preannotate,
        workers=workers,
        keep_near_duplicates=keep_near_duplicates,
        model=model,
        boilerplate=tuple(boilerplate or ()),
        catalogue=project.targets if project is not None else (),
        actors=project.actors if project is not None else (),
        languages=project.languages if project is not None else (),
    )
    if project is not None and not no_preannotate:
        console.print(
            f"target catalogue: {len(project.targets)} target(s) from {project.path}"
            if project.targets
            else f"no [[targets]] in {project.path}: targets are proposed from the claims' syntax, "
            "without target_name (`stancebank tasks targets` proposes a catalogue)",
            markup=False,
        )
        if project.actors:
            console.print(f"known actors: {len(project.actors)} from {project.path}", markup=False)
    sharded = is_sharded(out)
    _check_outputs(console, (out, "--out", sharded), (rejects, "--rejects", False))
    try:
        if engine is Engine.ray:
            from stancebank.tasks.engine_ray import RayOptions, build_tasks_ray

            ray_options = RayOptions(partitions=partitions, actors=workers if workers > 1 else None)
            result = build_tasks_ray(inputs, out, options, ray_options, shard_size)
        else:
            result = _build_local(inputs, options, console)
    except (TasksError, OutputError) as err:
        _fail(console, err)
    except OSError as err:
        console.print(
            f"[bold red]error:[/] cannot write {escape(str(err.filename))}: {err.strerror}; check the path",
            soft_wrap=True,
        )
        raise typer.Exit(EXIT_OUTPUT) from None
    try:
        if engine is Engine.local:
            with writing(out, "--out", folder=sharded):
                write_tasks(out, result.tasks, shard_size)
        if rejects is not None:
            with writing(rejects, "--rejects"):
                clean_leftovers(rejects)
                # backslashreplace: a reject may quote a lone surrogate (a file name, a broken escape)
                with atomic_writer(rejects, errors="backslashreplace") as handle:
                    for reject in result.rejects:
                        handle.write(json.dumps(reject.to_json(), ensure_ascii=False) + "\n")
                    for skipped in result.skipped:
                        handle.write(json.dumps(skipped.to_json(), ensure_ascii=False) + "\n")
    except OutputError as err:
        _fail(console, err)
    for reject in result.rejects:
        console.print(
            f"[red]rejected:[/] {escape(f'{reject.origin.describe()}: {reject.reason}: {reject.detail}')}",
            soft_wrap=True,  # one line per reject, its path whole
        )
    console.print(_summary(result, out))
    if result.model_version:  # a line of its own: as a table row, the long version was cut at 80 columns
        console.print(f"pre-annotation model: {result.model_version}", markup=False, highlight=False)
    if project is not None and result.other_languages:
        found = ", ".join(f"{language} {n}" for language, n in sorted(result.other_languages.items()))
        message = (
            f"{result.other_languages.total()} article(s) in a language that [project] languages of "
            f"{project.path} does not list ({', '.join(project.languages)}): {found}. Check the input, "
            "or add the language to the file (pre-annotation covers English only)."
        )
        console.print(f"[yellow]warning:[/] {escape(message)}")
    if any(r.reason == "invalid-prediction" for r in result.rejects):
        raise typer.Exit(EXIT_INVALID_PREDICTION)
    if result.rejects and not allow_rejects:
        raise typer.Exit(EXIT_REJECTS)


TARGETS_HELP = escape("""Propose a target catalogue from articles, ready to paste into stancebank.toml.

The articles are read and pre-annotated as `tasks build` does (nothing is written), without a
catalogue: each claim with a stance cue proposes what the cue is about ("rejected the new parking
levy" -> "new parking levy"). The phrases that recur most become [[targets]] tables, printed with
their counts (claims that take a stance on them, articles that mention them) and example claims.
Review them: merge entries that name one issue, rename, add aliases.
""")


@app.command("targets", help=TARGETS_HELP)
def targets_command(
    inputs: Annotated[list[Path], typer.Argument(metavar="INPUT...", help="Article files or folders.")],
    top: Annotated[int, typer.Option("--top", "-n", min=1, help="How many targets to propose.")] = 20,
    workers: Annotated[int, typer.Option("--workers", "-j", min=1, help="Pre-annotation processes.")] = 1,
    model: Annotated[
        str, typer.Option("--model", help="spaCy pipeline for pre-annotation (a package name or a path).")
    ] = DEFAULT_MODEL,
) -> None:
    from stancebank.tasks.targets import propose_targets, render_catalogue

    console = Console(stderr=True)
    try:
        proposals, result = propose_targets(inputs, BuildOptions(workers=workers, model=model), top)
    except TasksError as err:
        console.print(f"[bold red]error:[/] {escape(str(err))}", soft_wrap=True)
        raise typer.Exit(err.exit_code) from None
    for reject in result.rejects:
        console.print(
            f"[red]rejected:[/] {escape(f'{reject.origin.describe()}: {reject.reason}: {reject.detail}')}",
            soft_wrap=True,  # one line per reject, its path whole
        )
    typer.echo(render_catalogue(proposals, len(result.tasks)), nl=False)


SAMPLE_HELP = escape("""Draw a deterministic, stratified sample of N articles from a built corpus (a tasks
file or a folder of shards) for annotation.

Strata: source × publication month × (with a [[targets]] catalogue in stancebank.toml) the first
catalogue target the text mentions. N is spread over the strata in proportion to their sizes; in
each stratum the articles with the smallest keys are taken, a key being drawn from the sha256 of
--seed and the article_id (--weight claims favours articles with more pre-annotated claims). The
same corpus, N and seed give the same sample on either engine, whatever the partitioning. The
sample is written in corpus order; --report writes the strata (articles, sampled) as JSON.
""")


@app.command("sample", help=SAMPLE_HELP)
def sample_command(
    corpus: Annotated[
        Path, typer.Argument(exists=True, help="A tasks file or a folder of shards (tasks build).")
    ],
    n: Annotated[int, typer.Option("--n", "-n", min=1, help="How many articles to sample.")],
    out: Annotated[Path, typer.Option("--out", "-o", help="A .json file, or a folder of shards.")],
    seed: Annotated[int, typer.Option("--seed", help="The sample's seed.")] = 0,
    weight: Annotated[
        str, typer.Option("--weight", help="uniform, or claims (more pre-annotated claims, more likely).")
    ] = "uniform",
    report: Annotated[
        Path | None, typer.Option("--report", help="Write the strata report here (JSON).")
    ] = None,
    engine: Annotated[Engine, typer.Option("--engine", help="local or ray (same sample).")] = Engine.local,
    shard_size: Annotated[
        int, typer.Option("--shard-size", min=1, help="Tasks per shard when --out is a folder.")
    ] = DEFAULT_SHARD_SIZE,
) -> None:
    from stancebank.schema.jsonio import encode_item
    from stancebank.schema.wire import read_task_list
    from stancebank.tasks.sample import WEIGHTS, Sampler, sample_tasks

    console = Console(stderr=True)
    if weight not in WEIGHTS:
        console.print(f"[bold red]error:[/] --weight {escape(repr(weight))}: use one of {', '.join(WEIGHTS)}")
        raise typer.Exit(EXIT_USAGE)
    _check_outputs(console, (out, "--out", is_sharded(out)), (report, "--report", False))
    project = find_project()
    sampler = Sampler(seed, weight, project.targets if project is not None else ())
    try:
        if engine is Engine.ray:
            from stancebank.tasks.engine_ray import sample_ray

            encoded, strata = sample_ray(corpus, n, sampler)
        else:
            chosen, strata = sample_tasks(read_task_list(corpus), n, sampler)
            encoded = [encode_item(t) for t in chosen]
    except (TasksError, WireError) as err:  # a malformed tasks file: 3, as studio push says
        console.print(f"[bold red]error:[/] {escape(str(err))}", soft_wrap=True)
        raise typer.Exit(err.exit_code) from None
    try:
        with writing(out, "--out", folder=is_sharded(out)):
            write_encoded_tasks(out, encoded, shard_size)
        if report is not None:
            facts = {"n": n, "seed": seed, "weight": weight, "sampled": len(encoded)}
            with writing(report, "--report"):  # written through a link or to /dev/stdout, not replaced
                report.write_text(
                    json.dumps({**facts, "strata": [s.to_json() for s in strata]}, indent=1) + "\n",
                    encoding="utf-8",
                )
    except OutputError as err:
        _fail(console, err)
    total = sum(s.size for s in strata)
    table = Table(title=f"stancebank tasks sample → {escape(str(out))} ({len(encoded)} of {total})")
    for column in ("source", "month", "target", "articles", "sampled"):
        table.add_column(column, justify="right" if column in ("articles", "sampled") else "left")
    for s in strata:
        table.add_row(*(escape(part) for part in s.stratum), str(s.size), str(s.sampled))
    console.print(table)


# the pilot's resolver belongs to this group (defined with the pilot loader it serves)
app.command("resolve-annotations")(resolve_command)
