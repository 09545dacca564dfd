"""Command-line group of this stage (thin shell over the library)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from stancebank.schema.atomic import check_output, writing
from stancebank.schema.output import StdoutConsole

# The client, sync, export and annotations modules (httpx, the Label Studio SDK) load inside the
# commands that use them: `stancebank --help` and the other stages start without them.
from stancebank.tasks.studio import server as ls_server
from stancebank.tasks.studio.errors import ImportRefusedError, ServerError
from stancebank.tasks.studio.settings import DEFAULT_BATCH, KEY_ENV, URL_ENV

if TYPE_CHECKING:
    from collections.abc import Sequence

    from stancebank.tasks.studio.client import StudioClient
    from stancebank.tasks.studio.progress import Progress as ProgressReport
    from stancebank.tasks.studio.pull import PullResult
    from stancebank.tasks.studio.team import Annotator, Roster

app = typer.Typer(help="Run Label Studio, push tasks, pull exports.", no_args_is_help=True)


out = StdoutConsole()  # a closed pipe: output dropped (stancebank.schema.output)
err = Console(stderr=True)

DataDir = Annotated[
    Path | None,
    typer.Option(
        "--data-dir",
        help=f"Studio directory (server data, pid, 0600 credentials). Default: ${ls_server.DIR_ENV} "
        "or ~/.local/share/stancebank/studio.",
    ),
]
ProjectOpt = Annotated[
    str | None,
    typer.Option(
        "--project",
        "-p",
        help=escape("Label Studio project title (default: the project file's [studio] project_title)."),
    ),
]


def _project_title(flag: str | None) -> str | None:
    """The Label Studio project: the flag, else the project file's ``[studio] project_title``
    (which defaults to its ``[project] name``)."""
    from stancebank.schema.project import find_project, pick

    project = find_project()
    return pick(flag, project.studio.project_title if project else None)  # type: ignore[no-any-return]


def _required_title(flag: str | None) -> str:
    title = _project_title(flag)
    if not title:
        raise typer.BadParameter(
            "give --project NAME (or run it where a stancebank.toml is, or pass `stancebank --project "
            "FILE`: its [studio] project_title is the default)",
            param_hint="'--project' / '-p'",
        )
    return title


def _progress() -> Progress:
    return Progress(
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err,
        transient=False,
    )


@app.command("up")
def up(
    port: Annotated[
        int | None,
        typer.Option(
            "--port",
            help=f"Port on 127.0.0.1 (default: the one of the last start, else {ls_server.DEFAULT_PORT}).",
        ),
    ] = None,
    data_dir: DataDir = None,
) -> None:
    """Start a local Label Studio in the background (first start: ~1 min of migrations)."""
    where = "--data-dir" if data_dir is not None else "studio directory"
    check_output(data_dir or ls_server.default_state_dir(), where, folder=True)
    with err.status("Starting Label Studio (waiting for /health)..."):
        running = ls_server.start(data_dir, port)
    out.print(f"Label Studio {running.version} runs at [bold]{running.url}[/] (pid {running.pid}).")
    if port is None and running.port != ls_server.DEFAULT_PORT:
        out.print(f"Port {running.port}: the one this studio directory used last (--port to change it).")
    out.print(
        f"Log in as [bold]{running.admin_email}[/]; password and API token: `stancebank studio credentials`."
    )
    out.print("Stop it with `stancebank studio down`.")


@app.command("down")
def down(data_dir: DataDir = None) -> None:
    """Stop the local Label Studio by its recorded pid."""
    if ls_server.stop(data_dir):
        out.print("Label Studio stopped.")
    else:
        out.print("No local Label Studio was running.")


@app.command("status")
def status(data_dir: DataDir = None) -> None:
    """Is the local Label Studio running, and is it healthy? (exit 1 if not running)"""
    running = ls_server.status(data_dir)
    if running is None:
        out.print(
            f"Not running (studio directory {data_dir or ls_server.default_state_dir()}).", markup=False
        )
        raise typer.Exit(1)
    health = "healthy" if ls_server.health_ok(running.url) else "[red]not answering /health[/]"
    out.print(f"Label Studio {running.version} at {running.url}, pid {running.pid}: {health}.")
    out.print(f"Studio directory: {running.data_dir}", markup=False)


@app.command("credentials")
def credentials(data_dir: DataDir = None) -> None:
    """Show the local server's admin login and API token (kept in a 0600 file)."""
    paths = ls_server.StudioPaths(data_dir or ls_server.default_state_dir())
    creds = ls_server.load_credentials(paths)
    if creds is None:
        raise ServerError(f"No credentials in {paths.root} yet; `stancebank studio up` creates them.")
    record = ls_server.read_record(paths)
    url = record.url if record else f"http://{ls_server.HOST}:{ls_server.chosen_port(paths, None)}"
    out.print(f"file:     {paths.credentials} (mode 0600)", markup=False)
    out.print(f"email:    {creds.admin_email}", markup=False)
    out.print(f"password: {creds.password}", markup=False, highlight=False)
    out.print(f"token:    {creds.api_key}", markup=False, highlight=False)
    out.print(f"\nexport {URL_ENV}={url}\nexport {KEY_ENV}={creds.api_key}", markup=False, highlight=False)


@app.command("push")
def push_command(
    tasks_file: Annotated[
        Path,
        typer.Argument(
            exists=True, help="Tasks JSON (or a folder of tasks shards) written by `stancebank tasks build`."
        ),
    ],
    project: ProjectOpt = None,
    update_config: Annotated[
        bool, typer.Option("--update-config", help="Replace a drifted labeling config.")
    ] = False,
    refresh_predictions: Annotated[
        bool, typer.Option("--refresh-predictions", help="Replace predictions that changed.")
    ] = False,
    batch_size: Annotated[
        int,
        typer.Option(
            "--batch-size", min=1, help="New tasks per import request (predictions: 4x as many per request)."
        ),
    ] = DEFAULT_BATCH,
    overlap: Annotated[
        int | None,
        typer.Option(
            "--overlap", min=1, help=escape("Annotators per task in the overlap share ([studio] overlap).")
        ),
    ] = None,
    overlap_percent: Annotated[
        int | None,
        typer.Option(
            "--overlap-percent",
            min=0,
            max=100,
            help=escape("Share of tasks (%) with that overlap ([studio] overlap_percent)."),
        ),
    ] = None,
    data_dir: DataDir = None,
) -> None:
    """Create/check the project and import tasks idempotently (keyed by data.article_id)."""
    from stancebank.tasks.studio.client import StudioClient
    from stancebank.tasks.studio.sync import load_tasks, push
    from stancebank.tasks.studio.team import overlap_settings

    title = _required_title(project)
    tasks = load_tasks(tasks_file)
    with StudioClient.from_env(data_dir) as client, _progress() as bar:
        job = bar.add_task(f"push → {escape(title)}", total=len(tasks))

        def advance(stage: str, n: int) -> None:
            if stage != "predictions":
                bar.advance(job, n)

        report = push(
            client,
            tasks,
            title,
            update_config=update_config,
            refresh_predictions=refresh_predictions,
            batch_size=batch_size,
            progress=advance,
        )
        state = report.project
        overlap_change = overlap_settings(client, state.id, overlap, overlap_percent)
    verb = "created" if state.created else "config updated" if state.config_updated else "config unchanged"
    table = Table(title=escape(f"push {tasks_file.name} → {title!r} (id {state.id}, {verb})"))
    table.add_column("outcome")
    table.add_column("tasks", justify="right")
    for name, value in [
        ("created", report.created),
        ("unchanged", report.unchanged),
        ("updated", report.updated),
        ("refused", len(report.refused)),
        ("predictions refreshed", report.predictions_refreshed),
        ("predictions repaired", report.predictions_repaired),
        ("predictions stale", report.predictions_stale),
        ("duplicates removed", report.duplicates_removed),
    ]:
        table.add_row(name, str(value))
    out.print(table)
    if overlap_change is not None:
        out.print(
            f"overlap: {overlap_change.overlap} annotator(s) per task on "
            f"{overlap_change.overlap_percent}% of the tasks "
            f"({'set now' if overlap_change.changed else 'unchanged'})"
        )
    if report.predictions_stale:
        out.print(
            f"{report.predictions_stale} task(s) have changed predictions: re-run with --refresh-predictions."
        )
    if report.ids_migrated:
        out.print(
            f"{report.ids_migrated} task(s) pushed under their former text-hash article_id now carry "
            "their new id (articles without an id are keyed by their file since issue 13)."
        )
    if report.duplicates_on_server:
        err.print(
            f"{len(report.duplicates_on_server)} article(s) have several annotated tasks, e.g. "
            f"article_id={report.duplicates_on_server[0]}: merge them in Label Studio and delete the extra "
            "copies."
        )
    if report.refused:
        for refusal in report.refused[:20]:
            err.print(
                f"refused article_id={refusal.article_id} (task {refusal.task_id}): {refusal.reason}",
                markup=False,
            )
        raise ImportRefusedError(
            f"{len(report.refused)} task(s) refused: their text changed but they already have annotations "
            "(details above). The other tasks were pushed."
        )


def _print_pull(result: PullResult) -> None:
    c = result.counts
    if result.reused:
        out.print(
            f"unchanged: the latest snapshot {result.path} holds the same content; nothing written",
            markup=False,
        )
    else:
        out.print(f"wrote {result.path}", markup=False)
    out.print(
        f"tasks {c.tasks} · annotations {c.annotations} · cancelled {c.cancelled} · "
        f"annotators {c.annotators} · ground truths {c.ground_truths} · predictions {c.predictions}"
    )


@app.command("pull")
def pull_command(
    project: ProjectOpt = None,
    out_dir: Annotated[Path, typer.Option("--out", help="Folder for the export file.")] = Path(
        "data/exports"
    ),
    data_dir: DataDir = None,
) -> None:
    """Export a snapshot (annotator ids only) into an immutable, time+hash-named JSON file."""
    from stancebank.tasks.studio.client import StudioClient
    from stancebank.tasks.studio.pull import pull

    title = _required_title(project)
    check_output(out_dir, "--out", folder=True)  # before the server is asked
    with StudioClient.from_env(data_dir) as client, err.status(escape(f"Exporting {title!r}...")):
        result = pull(client, title, out_dir)
    _print_pull(result)


@app.command("normalise-export")
def normalise_command(
    export_file: Annotated[
        Path, typer.Argument(exists=True, help="A JSON export downloaded from the Label Studio UI.")
    ],
    project: ProjectOpt = None,
    out_dir: Annotated[Path, typer.Option("--out", help="Folder for the export file.")] = Path(
        "data/exports"
    ),
) -> None:
    """Strip annotator e-mails/names from a UI-downloaded export and store it like `pull` does."""
    from stancebank.tasks.studio.pull import load_export, write_immutable

    title = _required_title(project)
    check_output(out_dir, "--out", folder=True)
    export = load_export(export_file)
    with writing(out_dir, "--out", folder=True):
        result = write_immutable(export, out_dir, title)
    _print_pull(result)


@app.command("import-annotations")
def import_annotations_command(
    annotations_file: Annotated[
        Path,
        typer.Argument(
            exists=True, help='JSON list of {"article_id", "annotator", "ground_truth", "result"}.'
        ),
    ],
    project: ProjectOpt = None,
    data_dir: DataDir = None,
) -> None:
    """Create annotations as pseudonymous annotator users (idempotent per task and annotator)."""
    from stancebank.tasks.studio.annotations import import_annotations, load_annotations
    from stancebank.tasks.studio.client import StudioClient

    title = _required_title(project)
    records = load_annotations(annotations_file)
    with StudioClient.from_env(data_dir) as client, _progress() as bar:
        job = bar.add_task(f"annotations → {escape(title)}", total=len(records))
        report = import_annotations(client, title, records, progress=lambda n: bar.advance(job, n))
    out.print(
        f"annotations created {report.created} · already there {report.skipped_existing} · "
        f"annotator users created {report.users_created}"
    )


# --------------------------------------------------------------------------------------- the team

annotators_app = typer.Typer(help="Annotator accounts: add (password shown once), list, remove.")
app.add_typer(annotators_app, name="annotators")


def _roster(client: StudioClient, data_dir: Path | None) -> Roster:
    from stancebank.tasks.studio.team import ROSTER_FILE, Roster

    return Roster((data_dir or ls_server.default_state_dir()) / ROSTER_FILE, client.url)


@annotators_app.command("add")
def annotators_add(
    names: Annotated[
        list[str], typer.Argument(help="Names (login NAME@team.stancebank.invalid) or e-mails.")
    ],
    project: Annotated[
        str | None,
        typer.Option("--project", "-p", help="Project to point them at (default: the project file's)."),
    ] = None,
    data_dir: DataDir = None,
) -> None:
    """Create annotator accounts; each generated password is printed once, here, and kept nowhere."""
    from stancebank.tasks.studio.client import StudioClient
    from stancebank.tasks.studio.team import add_annotators

    title = _project_title(project)
    with StudioClient.from_env(data_dir) as client:
        link = ""
        if title:
            info = client.require_project(title)
            link = f"{client.url}/projects/{info['id']}/data (press “Label All Tasks”)"
        created, skipped = add_annotators(client, names, roster=_roster(client, data_dir))
    for name in skipped:
        err.print(
            f"{name}: a user with this login exists already; not changed (no new password)", markup=False
        )
    if not created:
        return
    table = Table(title="New annotator accounts — the passwords are shown only this once")
    table.add_column("name", overflow="fold")
    table.add_column("login (e-mail)", overflow="fold")
    table.add_column("password", no_wrap=True)  # cut short, it would be useless
    table.add_column("user\nid", justify="right", no_wrap=True)
    for new in created:
        table.add_row(escape(new.name), escape(new.email), escape(new.password), str(new.user_id))
    out.print(table)
    out.print(f"Log in at {client.url}/user/login/" + (f"; then open {link}" if link else "."), markup=False)


@annotators_app.command("list")
def annotators_list(
    as_json: Annotated[
        bool, typer.Option("--json", help="JSON instead of a table (still local only).")
    ] = False,
    data_dir: DataDir = None,
) -> None:
    """Members with name and e-mail (local only), pseudonym, active flag and annotation count."""
    import dataclasses
    import json

    from stancebank.export import Pseudonymizer, load_key
    from stancebank.tasks.studio.client import StudioClient
    from stancebank.tasks.studio.team import list_annotators

    pseudonym = Pseudonymizer(load_key())
    with StudioClient.from_env(data_dir) as client:
        rows = list_annotators(client, pseudonym, roster=_roster(client, data_dir))
    if as_json:
        out.print_json(json.dumps([dataclasses.asdict(r) for r in rows]))
        return
    out.print(annotators_table(rows, client.url))


@annotators_app.command("remove")
def annotators_remove(
    who: Annotated[str, typer.Argument(help="Name, e-mail or user id of the member.")],
    data_dir: DataDir = None,
) -> None:
    """Deactivate a member: no more access to the projects; their annotations stay."""
    from stancebank.tasks.studio.client import StudioClient
    from stancebank.tasks.studio.team import remove_annotator

    with StudioClient.from_env(data_dir) as client:
        uid = remove_annotator(client, who, roster=_roster(client, data_dir))
    out.print(
        f"removed {who} (user id {uid}): no more access; their annotations stay in the projects.",
        markup=False,
    )


@app.command("progress")
def progress_command(
    project: Annotated[
        str | None,
        typer.Option("--project", "-p", help="Label Studio project title (default: the project file's)."),
    ] = None,
    fmt: Annotated[str, typer.Option("--format", help="table, json or html.")] = "table",
    output: Annotated[
        Path | None, typer.Option("--out", help="Write to this file instead of stdout.")
    ] = None,
    fresh: Annotated[
        bool,
        typer.Option(
            "--fresh",
            help="Read every task again instead of updating the ones kept from the last run with "
            "the tasks changed since.",
        ),
    ] = False,
    review_project: Annotated[
        str | None,
        typer.Option(
            "--review-project",
            help="The review project whose verdicts settle conflicts (default: '<project> review', if any).",
        ),
    ] = None,
    data_dir: DataDir = None,
) -> None:
    """Per annotator (pseudonyms) and per project: done, skipped, time per task, agreement, review, ETA."""
    import json

    from stancebank.export import GoldPolicy, Pseudonymizer, load_key
    from stancebank.schema.project import find_project
    from stancebank.tasks.studio.client import StudioClient
    from stancebank.tasks.studio.progress import fetch_progress, render_html

    if fmt not in {"table", "json", "html"}:
        raise typer.BadParameter(f"--format must be table, json or html, not {fmt!r}")
    if output is not None:
        if fmt == "table":
            raise typer.BadParameter("--out needs --format json or html")
        check_output(output, "--out")  # before the server is asked
    title = _required_title(project)
    pseudonym = Pseudonymizer(load_key())
    with (
        StudioClient.from_env(data_dir) as client,
        err.status(escape(f"Reading the progress of {title!r}...")),
    ):
        progress = fetch_progress(
            client,
            title,
            pseudonym,
            reuse=not fresh,
            review_project=review_project,
            policy=GoldPolicy.of(find_project()),
        )
    if fmt == "json":
        text = json.dumps(progress.to_dict(), indent=2, ensure_ascii=False) + "\n"
    elif fmt == "html":
        text = render_html(progress)
    else:
        text = ""
    if output is not None:
        with writing(output, "--out"):  # written through a link or to /dev/stdout, not replaced
            output.write_text(text, encoding="utf-8")
        out.print(f"wrote {output}", markup=False)
        return
    if text:
        typer.echo(text, nl=False)
        return
    p = progress.project
    out.print(
        f"[bold]{escape(p.title)}[/] (project {p.project_id}): {p.tasks} tasks · done {p.done} "
        f"({p.reviewed} by a reviewer) · in review "
        f"{p.in_review} · remaining {p.remaining} · annotations {p.annotations} (+{p.skipped} skipped) · "
        f"still needed {p.annotations_needed}"
    )
    pace = "–" if p.pace_per_hour is None else f"{p.pace_per_hour:g}/h"
    if p.agreement_span_f1 is None and p.agreement_relation_f1 is None:
        agreement = "agreement: not enough overlap yet"
    else:
        span, relation = _number(p.agreement_span_f1), _number(p.agreement_relation_f1)
        agreement = f"agreement span F1 {span} · relation F1 {relation}"
    out.print(f"pace {pace} · estimated finish {p.eta or '–'} · {agreement}")
    out.print(progress_table(progress))


def _number(value: float | None, digits: int = 3) -> str:
    """A figure for a table: "—" when there is none (not enough data yet)."""
    return "—" if value is None else f"{value:.{digits}f}"


def annotators_table(rows: Sequence[Annotator], url: str) -> Table:
    """`studio annotators list`: the pseudonym is never cut (it is what the releases and the
    progress page show); names and e-mails fold onto more lines in a narrow terminal."""
    table = Table(title=f"Annotators on {url} (names and e-mails: this machine only)")
    table.add_column("name", overflow="fold")
    table.add_column("e-mail", overflow="fold")
    table.add_column("pseudonym", no_wrap=True)
    table.add_column("active", no_wrap=True)
    table.add_column("anno-\ntations", justify="right", no_wrap=True)
    table.add_column("user\nid", justify="right", no_wrap=True)
    for row in rows:
        active = "yes" if row.active else "[red]removed[/]"
        table.add_row(
            escape(row.name), escape(row.email), row.pseudonym, active, str(row.annotations), str(row.user_id)
        )
    return table


def progress_table(progress: ProgressReport) -> Table:
    """`studio progress`'s table, readable at 80 columns: no box lines, headers on two lines, the
    pseudonym never cut, figures folded (not cut) when a terminal is narrower still."""
    table = Table(title="Annotators (pseudonyms)", box=None, pad_edge=False, header_style="bold")
    table.add_column("annotator", no_wrap=True)
    for header in (
        "anno-\ntated",
        "skip-\nped",
        "median\ns",
        "p90\ns",
        "shared\ntasks",
        "span\nF1",
        "rel.\nF1",
        "to\nreview",
    ):
        table.add_column(header, justify="right", overflow="fold")
    for a in progress.annotators:
        table.add_row(
            a.pseudonym,
            str(a.annotated),
            str(a.skipped),
            _number(a.lead_time_median, 0),
            _number(a.lead_time_p90, 0),
            str(a.shared_tasks),
            _number(a.agreement_span_f1),
            _number(a.agreement_relation_f1),
            str(a.waiting_review),
        )
    return table


@app.command("review")
def review_command(
    review_folder: Annotated[
        Path,
        typer.Option(
            "--from", exists=True, help="The review folder `export build` wrote (<release>.review/)."
        ),
    ],
    project: Annotated[
        str | None,
        typer.Option("--project", "-p", help="The annotated project (default: the project file's)."),
    ] = None,
    review_project: Annotated[
        str | None,
        typer.Option("--review-project", help="Title of the review project (default: '<project> review')."),
    ] = None,
    data_dir: DataDir = None,
) -> None:
    """Put every article that needs adjudication in front of a reviewer (idempotent)."""
    from stancebank.tasks.studio.client import StudioClient
    from stancebank.tasks.studio.review import send_review

    title = _required_title(project)
    with StudioClient.from_env(data_dir) as client, err.status("Sending the articles to review..."):
        result = send_review(client, title, review_folder, title=review_project)
    r = result.report
    out.print(
        f"review project {result.title!r} (id {r.project.id}): {result.articles} article(s) to adjudicate · "
        f"new {r.created} · already there {r.unchanged} · updated {r.updated}",
        markup=False,
    )
    out.print(
        f"Reviewers: open {client.url}/projects/{r.project.id}/data, click a task, pick a version (the "
        "prediction tabs are the annotators', in the order its stancebank_review column names them; "
        "Label All Tasks pre-fills only the first), fix it and submit. "
        "Then `stancebank studio pull` both projects and pass both exports to `stancebank export build`: "
        "the reviewer's annotation decides each article's conflicting items, and the items the "
        "annotators agreed on stay gold (a reviewer who did not annotate the article and stars the "
        "annotation as ground truth makes it the article's gold whole, when [policy] ground_truth_by "
        "includes reviewer)."
    )
