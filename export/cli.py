"""``stancebank export build`` and ``stancebank export publish`` (thin shell over the library)."""

from __future__ import annotations

import enum
import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeElapsedColumn
from rich.table import Table

# Light imports only: the library modules (pyarrow, datasets, huggingface_hub) load inside the
# commands, so that `stancebank --help` and the other stages start fast.
from stancebank.export.errors import ExportError
from stancebank.export.reporting import Reporter
from stancebank.export.splits import registry_location
from stancebank.schema.errors import StancebankError
from stancebank.schema.output import StdoutConsole
from stancebank.schema.spec import SPLITS

if TYPE_CHECKING:
    from stancebank.export.adjudicate import GoldPolicy
    from stancebank.schema.project import Project

app = typer.Typer(help="Build and publish versioned dataset releases.", no_args_is_help=True)
console = Console(stderr=True)


class RichReporter(Reporter):
    def __init__(self, progress: Progress) -> None:
        self.progress = progress
        self.task: TaskID | None = None

    def start(self, stage: str, total: int | None = None) -> None:
        self.finish()
        self.task = self.progress.add_task(stage, total=total)

    def advance(self, n: int = 1) -> None:
        if self.task is not None:
            self.progress.advance(self.task, n)

    def finish(self) -> None:
        if self.task is not None:
            done = next(t.completed for t in self.progress.tasks if t.id == self.task) or 1
            self.progress.update(self.task, total=done, completed=done)


class Engine(enum.StrEnum):
    local = "local"
    ray = "ray"


def read_about(path: Path) -> str:
    """The ``--about`` Markdown, as UTF-8 text."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as err:
        raise ExportError(f"--about {path}: no such file; pass the Markdown notes for the card") from err
    except UnicodeDecodeError as err:
        raise ExportError(f"--about {path}: not UTF-8 text ({err.reason}); save it as UTF-8") from err
    except OSError as err:
        raise ExportError(f"--about {path}: cannot read ({err.strerror})") from err
    if not text.strip():
        raise ExportError(f"--about {path}: the file is empty; write the card notes or drop --about")
    return text


SHOWN_REJECTS = 5


def print_rejects(path: Path) -> None:
    """The first few dropped items of a rejects report and where the rest are (nothing if none)."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError:
        return
    if not lines:
        return
    console.print(
        f"[yellow]{len(lines)} item(s) left out[/] — every one, with its fix, in {escape(str(path))}:",
        highlight=False,
    )
    for line in lines[:SHOWN_REJECTS]:
        item = json.loads(line)
        where = ", ".join(
            f"{key} {item[key]}"
            for key in ("task", "article_id", "annotation", "region")
            if item.get(key) is not None
        )
        console.print(f"  {item['reason']}: {where}: {item['detail']}", markup=False, highlight=False)
    if len(lines) > SHOWN_REJECTS:
        console.print(f"  … {len(lines) - SHOWN_REJECTS} more in {path}", markup=False, highlight=False)


def gold_policy(project: Project | None) -> GoldPolicy:
    """The project file's ``[policy]`` as adjudication applies it. ``single_annotation_gold =
    false`` needs the overlap the team works with: when ``[studio] overlap`` is not in the file
    (an export does not record it), it cannot apply, and the build says so instead of guessing; the
    card then states only what the release did (``min_annotators``)."""
    from stancebank.export.adjudicate import GoldPolicy

    if (
        project is not None
        and not project.policy.single_annotation_gold
        and project.studio.overlap is None
        and project.policy.min_annotators < 2
    ):
        message = (
            f"{project.path}: [policy] single_annotation_gold = false applies only where overlap was "
            "requested, and [studio] overlap is not set in the file: an article with one annotator "
            "can be gold. Set overlap to what the Label Studio project uses (2 or more), or "
            "min_annotators = 2."
        )
        console.print(f"[yellow]note:[/] {escape(message)}")
    return GoldPolicy.of(project)


def export_files(paths: list[Path]) -> list[Path]:
    """The export files the arguments name: a file as given, a folder as its ``*.json`` files
    sorted by name (every snapshot in it, whatever project it comes from; the reader keeps each
    task's and annotation's newest version by its own timestamp; the file order decides only
    between equal timestamps). A path that does not exist, or a folder without one, is a usage
    error (exit 2)."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            found = sorted(p for p in path.glob("*.json") if p.is_file())
            if not found:
                raise typer.BadParameter(
                    f"{path} is a folder without .json files; pass the folder `stancebank studio pull` "
                    "wrote, or export files",
                    param_hint="'EXPORTS...'",
                )
            files.extend(found)
        elif not path.exists():
            raise typer.BadParameter(
                f"{path} does not exist; pass Label Studio JSON exports (files, or folders of them)",
                param_hint="'EXPORTS...'",
            )
        else:
            files.append(path)
    return files


@app.command("build")
def build_command(
    exports: Annotated[
        list[Path],
        typer.Argument(
            help="Label Studio JSON exports (snapshots), oldest first; a folder stands for its *.json "
            "files, by name (`studio pull` names them by time).",
        ),
    ],
    version: Annotated[str, typer.Option("--version", help="Release version X.Y.Z (semver).")],
    out: Annotated[Path, typer.Option("--out", help="Release folder to create, e.g. dist/stancebank-1.0.0.")],
    previous: Annotated[
        Path | None,
        typer.Option("--previous", exists=True, help="The previous release folder (versions, changes)."),
    ] = None,
    registry: Annotated[
        Path | None,
        typer.Option(
            "--registry",
            help="The split registry (article_id → split, sticky; commit it). Default: `registry` in "
            "stancebank.toml; there is no other default.",
        ),
    ] = None,
    review_out: Annotated[
        Path | None,
        typer.Option("--review-out", help="Where to write the adjudication list (default: <out>.review)."),
    ] = None,
    license_id: Annotated[
        str | None,
        typer.Option(
            "--license", help="Hub license id for the card (default: the project file's, else other)."
        ),
    ] = None,
    repo_id: Annotated[
        str | None,
        typer.Option(
            "--repo",
            help="ORG/NAME named by the card's load snippets and links (default: hub_repo in "
            "stancebank.toml, else a placeholder).",
        ),
    ] = None,
    language_creators: Annotated[
        str,
        typer.Option(
            "--language-creators",
            help="Who wrote the articles, for the card (Hub values, comma-separated): found (published "
            "text collected), expert-generated (written for the project), crowdsourced, "
            "machine-generated, other.",
        ),
    ] = "found",
    about: Annotated[
        Path | None,
        typer.Option(
            "--about",
            exists=True,
            dir_okay=False,
            help="Markdown file inserted verbatim into the card's Description: where the articles "
            "come from, their license, who annotated.",
        ),
    ] = None,
    rejects: Annotated[
        Path | None,
        typer.Option(
            "--rejects",
            help="Where to write every dropped item as JSON lines (task, annotation, region, reason, "
            "fix); default <out>.rejects.jsonl.",
        ),
    ] = None,
    allow_foreign: Annotated[
        bool,
        typer.Option(
            "--allow-foreign",
            help="Build an export that is partly of another labeling config, leaving out (and "
            "reporting) the labels, from_names and relation labels the spec does not have.",
        ),
    ] = False,
    engine: Annotated[
        Engine,
        typer.Option(
            "--engine",
            help="Where each article is adjudicated and its rows written: local (this process) or "
            "ray (a Ray cluster: RAY_ADDRESS, else a local one). The release is the same bytes.",
        ),
    ] = Engine.local,
    partitions: Annotated[
        int | None,
        typer.Option("--partitions", min=1, help="Ray: blocks of articles (default 4 per CPU)."),
    ] = None,
) -> None:
    """Build a release folder (four configs as parquet, card, manifest) from Label Studio exports.

    Every item left out is written to --rejects (default <out>.rejects.jsonl).

    \b
    Exit codes (the README's table):
      0   success: the release is built
      1   the data has errors: the release failed validation (kept in <out>.failed
          with validation-report.txt/.json), or a new article is a near-duplicate
          of released articles in different splits
      2   usage: a bad option or argument (--version not X.Y.Z, no split registry:
          --registry or `registry` in stancebank.toml; --engine ray without Ray
          installed), an export or --previous path that does not exist, a folder
          without .json files, a malformed stancebank.toml
      3   an input cannot be used: an unreadable or malformed export, registry or
          --previous release, an export of another labeling config (see
          --allow-foreign), an export none of whose tasks can be built (JSON_MIN,
          CSV), an unreadable or empty --about file
      4   output refused or not written: --out already holds files, the version
          rules against --previous, an --out, --registry, --review-out or
          --rejects path that cannot be written (under a file; a folder where a
          file goes, or a file where a folder goes)
      70  an internal error: a bug in stancebank, not a problem of the data (the
          traceback is printed; please report it)
    """
    from stancebank.export.card import check_language_creators
    from stancebank.export.release import build_release
    from stancebank.schema.project import find_project, pick

    exports = export_files(exports)
    project = find_project()
    policy = gold_policy(project)
    # The one place the registry's location is decided: the flag, else the project file.
    registry = registry_location(registry, project)

    about_text = read_about(about) if about is not None else None
    progress = Progress(
        TextColumn("{task.description:<18}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
    )
    reporter = RichReporter(progress)
    rejects_path = rejects if rejects is not None else out.with_name(out.name + ".rejects.jsonl")
    article_engine = None
    if engine is Engine.ray:
        from stancebank.export.engine_ray import RayOptions, ray_engine

        article_engine = ray_engine(RayOptions(partitions=partitions))
    try:
        with progress:
            result = build_release(
                exports,
                version,
                out,
                previous=previous,
                registry_path=registry,
                license_id=pick(license_id, project.license if project is not None else None, "other"),
                license_name=project.license_name if project is not None else None,
                license_link=project.license_link if project is not None else None,
                repo_id=pick(repo_id, project.hub_repo if project is not None else None),
                name=project.name if project is not None else None,
                about=about_text,
                language_creators=check_language_creators(language_creators),
                reporter=reporter,
                review_out=review_out,
                policy=policy,
                allow_foreign=allow_foreign,
                rejects_path=rejects_path,
                engine=article_engine,
            )
            reporter.finish()
    except StancebankError:
        print_rejects(rejects_path)
        raise

    data = result.data
    print_rejects(rejects_path)
    table = Table(title=escape(f"stancebank {result.version} → {result.out}"))
    table.add_column("config")
    for split in SPLITS:
        table.add_column(split, justify="right")
    for config, splits in result.counts.items():
        table.add_row(config, *(str(splits.get(s, 0)) for s in SPLITS))
    out_console = StdoutConsole()  # a closed pipe (`| head -1`): output dropped (stancebank.schema.output)
    out_console.print(table)

    adjudication = result.methods
    kept = Table(title="read and adjudicated")
    kept.add_column("item")
    kept.add_column("count", justify="right")
    for name in (
        "tasks_read",
        "articles",
        "annotations_read",
        "annotations_kept",
        "annotations_cancelled",
        "annotation_versions_superseded",
        "drafts_ignored",
        "spans_trimmed",
        "relations_swapped",
    ):
        kept.add_row(name, str(data.counts.get(name, 0)))
    for method in ("ground_truth", "reviewer", "single", "majority", "conflict"):
        kept.add_row(f"articles: {method}", str(adjudication.get(method, 0)))
    if adjudication.get("reviewer"):
        kept.add_row("articles: adjudicated by a reviewer", str(adjudication["reviewer"]))
    if adjudication.get("insufficient"):
        kept.add_row(
            f"articles: fewer than {policy.needed} annotators (not gold yet)",
            str(adjudication["insufficient"]),
        )
    no_annotation = data.counts.get("articles_without_annotations", 0)
    kept.add_row("articles: no annotation (skipped)", str(no_annotation))
    for kind, n in sorted(data.issue_counts().items()):
        kept.add_row(f"rejected: {kind}", str(n))
    out_console.print(kept)
    ag = result.agreement.to_dict()

    def articles(n: int, what: str = "") -> str:
        return f"{n} {what}article{'' if n == 1 else 's'}"

    def figure(value: object) -> str:
        return "— (undefined)" if value is None else str(value)

    exact, overlap = ag["span_f1_exact"].get("overall"), ag["span_f1_overlap"].get("overall")
    relation, alpha = ag["relation_f1"].get("overall"), ag["krippendorff_alpha"].get("stance")
    out_console.print(
        f"agreement on {articles(ag['articles'])}: span F1 exact {figure(exact)}, overlap {figure(overlap)}, "
        f"relation F1 {figure(relation)}, stance α {figure(alpha)}"
    )
    if result.new_registry_entries:
        out_console.print(
            f"split registry {registry}: {articles(result.new_registry_entries, 'new ')} — commit it",
            markup=False,
        )
    if result.pending_review:
        need = "needs" if len(result.pending_review) == 1 else "need"
        out_console.print(
            f"{articles(len(result.pending_review))} {need} adjudication (kept out of gold): "
            + ", ".join(str(p) for p in result.review_files),
            markup=False,
        )


@app.command("publish")
def publish_command(
    folder: Annotated[
        Path, typer.Argument(exists=True, help="A release folder made by `stancebank export build`.")
    ],
    repo_flag: Annotated[
        str | None,
        typer.Option("--repo", help="Dataset repo ORG/NAME (default: the project file's hub_repo)."),
    ] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Print the plan; send nothing.")] = False,
) -> None:
    """Upload a release as one commit and tag it vX.Y.Z (token from HF_TOKEN).

    \b
    Exit codes (the README's table):
      0   success: published and tagged (with --dry-run: the plan printed)
      2   usage: no --repo (nor hub_repo in stancebank.toml) or not ORG/NAME, no
          HF_TOKEN, a folder that does not exist, a malformed stancebank.toml
      3   an input cannot be used: the folder's release.json is missing or
          unreadable (not a release)
      4   output refused or not written: the folder does not match its manifest
          (rebuild), the tag exists (releases are immutable), the commit was
          uploaded but tagging failed (re-run)
      6   a remote service failed: the Hub refused the request or did not answer
          (401/403: the token; 404: the repo id or endpoint; 5xx or no answer: the
          server side, retry)
      70  an internal error: a bug in stancebank, not a problem of the data (the
          traceback is printed; please report it)
    """
    from stancebank.export.publish import plan_publish, publish
    from stancebank.schema.project import find_project

    project = find_project()
    repo = repo_flag or (project.hub_repo if project is not None else None)
    if repo is None:
        where = f"hub_repo in {project.path}" if project is not None else "a stancebank.toml with hub_repo"
        raise typer.BadParameter(
            f"give --repo ORG/NAME: the dataset repository to publish to (or set {where}, e.g. "
            'hub_repo = "my-org/my-dataset" under [project])',
            param_hint="'--repo'",
        )
    plan = plan_publish(folder, repo)
    if dry_run:
        typer.echo(plan.describe())
        return
    result = publish(folder, repo)
    deleted = f", deleted {len(result.deleted)} stale files" if result.deleted else ""
    typer.echo(
        f"published {result.files} files to {result.repo_id} at {result.commit[:12]}{deleted}; "
        f"tagged {result.tag}"
    )
