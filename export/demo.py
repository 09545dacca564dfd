"""The main job, end to end, on the embedded default (``make demo`` → ``stancebank demo``).

Each step runs the public ``stancebank`` command a user would type — printed before it runs — so
the demo doubles as a walkthrough: build tasks from ``data/raw`` with pre-annotations, push them
to a local Label Studio project, load the pilot annotations as two pseudonymous annotators, pull
an export snapshot, build release ``v0.1.0``, validate it, and load it back with
``datasets.load_dataset``. Every step is idempotent, so running the demo again creates no
duplicates (pushes skip unchanged tasks; annotations are keyed by annotator and task).
"""

from __future__ import annotations

import json
import logging
import os
import shlex
import shutil
import subprocess
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rich.markup import escape

from stancebank.schema.columns import CLAIM_COLUMNS
from stancebank.schema.errors import StancebankError
from stancebank.schema.features import CONFIGS
from stancebank.schema.project import PROJECT_ENV

logger = logging.getLogger(__name__)

CLI = (sys.executable, "-m", "stancebank.schema.cli")


class DemoError(StancebankError):
    """A demo step failed; the message names the step and the command."""


@dataclass(frozen=True)
class DemoPlan:
    """Where the demo reads and writes. Defaults are relative to the repository root."""

    raw: Path
    pilot: Path
    registry: Path
    workdir: Path
    release: Path
    project: str = "stancebank-pilot"
    project_file: Path | None = None
    """The demo's own project file (``data/stancebank.toml``: the sample corpus's target catalogue),
    passed to every step with ``--project``."""
    version: str = "0.1.0"
    start_server: bool = True

    @classmethod
    def for_repo(cls, repo: Path, **overrides: Any) -> DemoPlan:
        values: dict[str, Any] = {
            "raw": repo / "data" / "raw",
            "pilot": repo / "data" / "pilot" / "pilot.yaml",
            "registry": repo / "data" / "split_registry.json",
            "workdir": repo / "build" / "demo",
            "release": repo / "dist" / "stancebank-0.1.0",
            "project_file": repo / "data" / "stancebank.toml",
        }
        values.update(overrides)
        return cls(**values)

    @property
    def tasks(self) -> Path:
        return self.workdir / "tasks.json"

    @property
    def rejects(self) -> Path:
        return self.workdir / "rejects.jsonl"

    @property
    def annotations(self) -> Path:
        return self.workdir / "pilot-annotations.json"

    @property
    def exports(self) -> Path:
        return self.workdir / "exports"


@dataclass(frozen=True)
class DemoResult:
    release: Path
    export: Path  # the snapshot this run pulled and built from
    rows: dict[str, int]


Printer = Any  # anything with .print(str) — a Rich console in the CLI


def _run(step: str, args: Sequence[str], printer: Printer, env: Mapping[str, str]) -> str:
    shown = "stancebank " + " ".join(shlex.quote(a) for a in args)
    printer.print(f"\n[bold cyan]── {step}[/]\n[dim]$ {escape(shown)}[/]")
    proc = subprocess.run(
        [*CLI, *args],
        env=dict(env),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        check=False,
    )
    printer.print(proc.stdout.rstrip(), markup=False, highlight=False)
    if proc.returncode != 0:
        raise DemoError(f"demo step '{step}' failed (exit {proc.returncode}): {shown}")
    return proc.stdout


def run_demo(plan: DemoPlan, printer: Printer, env: Mapping[str, str] | None = None) -> DemoResult:
    """Run every step of the main job; raises :class:`DemoError` naming the failing step."""
    environ = dict(os.environ if env is None else env)
    environ.setdefault("PYTHONUNBUFFERED", "1")
    if plan.project_file is not None:
        # every step reads the demo's project file (its target catalogue), whatever the cwd
        environ[PROJECT_ENV] = str(plan.project_file.resolve())
        printer.print(f"[dim]project file: {escape(str(plan.project_file))} (every step below reads it)[/]")
    plan.workdir.mkdir(parents=True, exist_ok=True)
    plan.exports.mkdir(parents=True, exist_ok=True)

    if plan.start_server:
        _run("Start Label Studio (SQLite, 127.0.0.1)", ["studio", "up"], printer, environ)
    _run(
        "Build tasks with pre-annotations from data/raw",
        ["tasks", "build", str(plan.raw), "--out", str(plan.tasks), "--rejects", str(plan.rejects)],
        printer,
        environ,
    )
    _run("Validate the tasks file", ["validate", str(plan.tasks), "--kind", "tasks"], printer, environ)
    _run(
        "Push the tasks to a Label Studio project (idempotent)",
        ["studio", "push", str(plan.tasks), "--project", plan.project],
        printer,
        environ,
    )
    _run(
        "Resolve the pilot annotations against the task texts",
        [
            "tasks",
            "resolve-annotations",
            str(plan.pilot),
            "--tasks",
            str(plan.tasks),
            "--out",
            str(plan.annotations),
        ],
        printer,
        environ,
    )
    _run(
        "Load the pilot annotations as two pseudonymous annotators (idempotent)",
        ["studio", "import-annotations", str(plan.annotations), "--project", plan.project],
        printer,
        environ,
    )
    _run(
        "Pull an export snapshot (annotator ids only, immutable file)",
        ["studio", "pull", "--project", plan.project, "--out", str(plan.exports)],
        printer,
        environ,
    )
    # A snapshot holds the whole project, so the newest one is all the release needs; older ones
    # (earlier demo runs, perhaps another server whose user ids differ) stay out of it.
    snapshots = sorted(plan.exports.glob("*.json"), key=lambda p: p.stat().st_mtime_ns)
    if not snapshots:
        raise DemoError(f"no export snapshot was written to {plan.exports}")
    export = snapshots[-1]
    # Rebuilding the same version is the demo's own business: start from an empty folder.
    for stale in (plan.release, plan.release.with_name(plan.release.name + ".review")):
        if stale.exists():
            shutil.rmtree(stale)
    _run(
        f"Build release v{plan.version} (adjudicate, agreement, four configs, card)",
        [
            "export",
            "build",
            str(export),
            "--version",
            plan.version,
            "--out",
            str(plan.release),
            "--registry",
            str(plan.registry),
            "--license",
            "cc0-1.0",
            "--about",
            str(plan.pilot.parent / "ABOUT.md"),
            # the sample articles were written by the maintainers for the project (data/raw/README.md)
            "--language-creators",
            "expert-generated",
        ],
        printer,
        environ,
    )
    _run("Validate the release", ["validate", str(plan.release), "--kind", "release"], printer, environ)
    rows = show_release(plan.release, printer)
    if plan.start_server:
        _run("Label Studio stays up", ["studio", "status"], printer, environ)
        printer.print(
            "\n[bold green]Done.[/] Open the URL above and log in with the e-mail and password that "
            "[bold]stancebank studio credentials[/] prints. Stop the server with "
            "[bold]stancebank studio down[/] (or `make studio-down`)."
        )
    return DemoResult(release=plan.release, export=export, rows=rows)


def show_release(release: Path, printer: Printer, n_claims: int = 5) -> dict[str, int]:
    """Load every config back with ``datasets.load_dataset`` and print claims and agreement."""
    from datasets import load_dataset
    from rich.table import Table

    rows: dict[str, int] = {}
    claims_rows: list[dict[str, Any]] = []
    claim_features: Any = None
    for config in CONFIGS:
        dsd = load_dataset(str(release), config)
        rows[config] = sum(len(split) for split in dsd.values())
        if config == "claims":
            split = max(dsd.values(), key=len)
            claim_features = split.features
            claims_rows = [split[i] for i in range(min(n_claims, len(split)))]
    printer.print(f"\n[bold]load_dataset({escape(repr(str(release)))}, config)[/] rows: {rows}")

    table = Table(title="a few claims rows")
    c = CLAIM_COLUMNS
    for col in (c.actor_text, c.claim_text, c.target_text, c.stance):
        table.add_column(col, overflow="fold")
    stance = claim_features[c.stance] if claim_features is not None else None
    for row in claims_rows:
        label = row.get(c.stance)
        shown = stance.int2str(label) if stance is not None and label is not None else "—"
        table.add_row(
            # article text: a quote's editorial "[the minister]" is not Rich markup
            escape(str(row.get(c.actor_text) or "—")),
            escape(str(row.get(c.claim_text))[:160]),
            escape(str(row.get(c.target_text) or "—")),
            shown,
        )
    printer.print(table)

    manifest = json.loads((release / "release.json").read_text(encoding="utf-8"))
    agreement = manifest.get("agreement") or {}
    printer.print(_agreement_table(agreement))
    return rows


def _agreement_table(agreement: Mapping[str, Any]) -> Any:
    from rich.table import Table

    table = Table(title="inter-annotator agreement (release.json)")
    table.add_column("measure")
    table.add_column("value", justify="right")
    for key, value in _flatten(agreement):
        table.add_row(key, f"{value:.3f}" if isinstance(value, float) else str(value))
    return table


def _flatten(data: Any, prefix: str = "") -> list[tuple[str, Any]]:
    if isinstance(data, Mapping):
        out: list[tuple[str, Any]] = []
        for key in sorted(data):
            out.extend(_flatten(data[key], f"{prefix}.{key}" if prefix else str(key)))
        return out
    return [(prefix, data)]
