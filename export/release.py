"""Build a release folder in the Hub's layout from Label Studio exports (the build driver).

``build_release`` reads and merges the exports (:mod:`stancebank.export.reader`), then walks the
articles once in id order: adjudicate, add to the agreement, assign the sticky split, and stream
the rows of the four configs into parquet (:mod:`stancebank.export.writers`) and the review task
and report entry of each conflicting article (:mod:`stancebank.export.review`); nothing per
article is kept but counters, the conflicting articles' ids and — with ``previous`` — a digest per
previous article (:mod:`stancebank.export.changes`). It writes the card and the manifest
(:mod:`stancebank.export.manifest`), validates the folder with the validation stage's public API,
puts the review files in place, updates the split registry, and only then renames the release
into place.

Crash safety: the release is built in ``.<out>.partial-<pid>`` and the review files in
``.<review>.partial-<pid>``; each is renamed into place whole (after an fsync), and the release's
rename comes last, so ``out`` exists only when everything is written. A killed run leaves only
those temporary names, which the next run removes (:func:`stancebank.schema.atomic.clean_leftovers`)
before building the same bytes again.

A release that fails validation is kept for inspection in ``<out>.failed/`` with the full report
(``validation-report.json`` and ``validation-report.txt``: every finding with file, row, span and
hint); ``out`` is not written and the registry is not changed.

Determinism: rows are sorted, the card and manifest hold no time or absolute path, and parquet is
written with fixed options, so building twice from the same inputs gives identical bytes.
"""

from __future__ import annotations

import dataclasses
import gc
import json
import logging
import shutil
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import pyarrow as pa
from datasets import Features

from stancebank.export.adjudicate import DEFAULT_POLICY, GoldPolicy
from stancebank.export.agreement import AgreementReport
from stancebank.export.card import (
    CardInputs,
    Changes,
    citation,
    dataset_name,
    dataset_url,
    field_meanings,
    rai_facts,
    render_card,
)
from stancebank.export.changes import ChangeTracker
from stancebank.export.croissant import CROISSANT_FILE, CroissantFacts, build_croissant
from stancebank.export.errors import ExportError, ReleaseExistsError, ReleaseValidationError
from stancebank.export.manifest import check_version, manifest_text, read_manifest, release_manifest
from stancebank.export.metrics import REPLICATES as BOOTSTRAP_REPLICATES
from stancebank.export.pseudonym import Pseudonymizer, load_key
from stancebank.export.reader import ExportData, check_foreign, check_usable, read_exports, write_rejects
from stancebank.export.reporting import Reporter
from stancebank.export.review import ReviewWriter
from stancebank.export.splits import SplitPlan, load_registry, registry_bytes
from stancebank.export.stages import ArticleEngine, ArticleJob, StageContext, Totals, run_local
from stancebank.export.writers import write_empty_split
from stancebank.schema.atomic import (
    atomic_write_bytes,
    atomic_write_text,
    check_outputs,
    clean_leftovers,
    partial_dir,
    replace_dir,
    writing,
)
from stancebank.schema.features import CONFIGS, dataset_features
from stancebank.schema.layout import CARD, MANIFEST, SHARD_ROWS, file_splits, sha256_file
from stancebank.schema.spec import SPEC, AnnotationSpec

if TYPE_CHECKING:
    from stancebank.validation import Report

__all__ = [
    "FAILED_SUFFIX",
    "REPORT_JSON",
    "REPORT_TEXT",
    "BuildResult",
    "Reporter",
    "build_release",
    "check_version",
    "failed_dir",
    "read_manifest",
    "review_dir",
    "validate_release_folder",
]

log = logging.getLogger(__name__)

FAILED_SUFFIX = ".failed"
REVIEW_SUFFIX = ".review"
REPORT_JSON = "validation-report.json"
REPORT_TEXT = "validation-report.txt"
# findings shown in the exception message; the report files hold all of them
SHOWN_FINDINGS = 5


@dataclass
class BuildResult:
    out: Path
    version: str
    counts: dict[str, dict[str, int]]
    agreement: AgreementReport
    methods: dict[str, int]
    # the ids of the articles left for review, in id order (their conflicting items are in the
    # review folder's adjudication.json)
    pending_review: list[str]
    # The read summary (counts, issues, task ids); its articles, annotations and predictions are
    # freed before validation (empty).
    data: ExportData
    changes: Changes | None
    new_registry_entries: int
    provenance: dict[str, int] = field(default_factory=dict)
    # the review files written for the conflicting articles (empty when there is none)
    review_files: list[Path] = field(default_factory=list)


def failed_dir(out: Path) -> Path:
    """Where a release that failed validation is kept for inspection: ``<out>.failed``."""
    return out.with_name(out.name + FAILED_SUFFIX)


def review_dir(out: Path) -> Path:
    """The default folder of the review files: ``<out>.review``."""
    return out.with_name(out.name + REVIEW_SUFFIX)


def validate_release_folder(
    folder: Path, spec: AnnotationSpec = SPEC, previous: Path | None = None, registry: Path | None = None
) -> Report:
    """The release validation hook: ``stancebank.validation.validate_release_dir`` (span-aware
    checks, integrity of manifest, card and parquet, splits against the previous release and the
    registry)."""
    from stancebank.validation import validate_release_dir

    return validate_release_dir(folder, previous=previous, registry=registry, spec=spec)


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector (:func:`gc.disable`) for a hot stage of the build —
    reading the exports, the article pass — and restore its state after. Those stages create no
    reference cycles (their objects are freed by reference counting; a test checks it), yet every
    container they keep was walked two or three times by the collector's generations as it aged:
    on a 5,000-task build that walking cost more CPU than adjudication. The collector runs as
    usual everywhere else (validation: pandas, pandera)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _free_memory() -> None:
    """Hand freed memory back before the validation hook, which reads the whole release."""
    gc.collect()
    pa.default_memory_pool().release_unused()


def _keep_failed(tmp: Path, out: Path, version: str, report: Report) -> ReleaseValidationError:
    """Move the failed build to ``<out>.failed`` with the full report; the error to raise."""
    failed = failed_dir(out)
    # the findings name the files where they now are, not the temporary folder
    prefix = str(tmp)

    def moved(path: str | None) -> str | None:
        return str(failed) + path[len(prefix) :] if path is not None and path.startswith(prefix) else path

    report.findings = [dataclasses.replace(f, file=moved(f.file)) for f in report.findings]
    atomic_write_text(tmp / REPORT_JSON, report.to_json() + "\n")
    atomic_write_text(tmp / REPORT_TEXT, report.to_text() + "\n")
    replace_dir(tmp, failed)
    errors = report.errors
    shown = "\n".join(f"  {f.check} at {f.location()}: {f.message}" for f in report.sorted()[:SHOWN_FINDINGS])
    more = len(report.findings) - SHOWN_FINDINGS
    return ReleaseValidationError(
        f"release {version} failed validation: {len(errors)} error(s), {len(report.warnings)} "
        f"warning(s); {out} was not written and the split registry is unchanged.\n{shown}"
        + (f"\n  … and {more} more" if more > 0 else "")
        + f"\nThe full report (every finding with file, row, span and fix): {failed / REPORT_TEXT} "
        f"(JSON: {failed / REPORT_JSON}); the failed release is kept in {failed} for inspection.",
        report=report,
        kept=failed,
    )


def _croissant_facts(
    folder: Path, inp: CardInputs, features: dict[str, Features], spec: AnnotationSpec
) -> CroissantFacts:
    """The Croissant facts of the release in ``folder``: the card's facts plus its parquet files
    and their sha256 (the same hashes the manifest lists)."""
    files = {c: {s: inp.files(c, s) for s in file_splits(inp.counts.get(c, {}))} for c in CONFIGS}
    return CroissantFacts(
        name=dataset_name(inp),
        version=inp.version,
        description=f"{spec.title}. News articles annotated with speakers, their claims and the "
        "stance of each claim towards its targets.",
        license=inp.license_link or inp.license,
        url=dataset_url(inp),
        cite_as=citation(inp, spec),
        date_published=inp.date_published,
        features=features,
        files=files,
        sha256={p: sha256_file(folder / p) for paths in files.values() for ps in paths.values() for p in ps},
        keywords=["stance detection", "quotation attribution", "relation extraction", "news"],
        languages=inp.languages,
        descriptions=field_meanings(spec),
        rai=rai_facts(inp, spec),
    )


def build_release(
    exports: Sequence[Path],
    version: str,
    out: Path,
    *,
    previous: Path | None = None,
    registry_path: Path,
    key_file: Path | None = None,
    license_id: str = "other",
    license_name: str | None = None,
    license_link: str | None = None,
    repo_id: str | None = None,
    name: str | None = None,
    about: str | None = None,
    language_creators: Sequence[str] = ("found",),
    spec: AnnotationSpec = SPEC,
    reporter: Reporter | None = None,
    validator: Callable[[Path], Report] | None = None,
    review_out: Path | None = None,
    policy: GoldPolicy = DEFAULT_POLICY,
    allow_foreign: bool = False,
    rejects_path: Path | None = None,
    engine: ArticleEngine | None = None,
    shard_rows: int = SHARD_ROWS,
) -> BuildResult:
    """Build release ``version`` into ``out`` (see the module docstring); the review files of the
    conflicting articles go to ``review_out`` (default ``<out>.review``). ``name`` and ``repo_id``:
    the project's name and Hub repository (``[project] name`` and ``hub_repo``), for the card's
    title, load snippets and links and croissant.json (None: stancebank's, a placeholder repository).
    ``allow_foreign``: build
    an export that is partly of another labeling config (what is left out is reported);
    ``rejects_path``: where to write every dropped item (JSON lines), before anything is built.
    ``engine``: where the per-article stage runs (:func:`stancebank.export.stages.run_local`, or
    :func:`stancebank.export.engine_ray.ray_engine`): the release's bytes are the same;
    ``shard_rows``: rows per parquet shard (:data:`stancebank.schema.layout.SHARD_ROWS`)."""
    reporter = reporter or Reporter()
    out = Path(out)
    review = Path(review_out) if review_out is not None else review_dir(out)
    # Before any work: an output under a file, or a file where a folder goes (and the other way
    # round), would otherwise fail after the whole build, or leave the files written before it.
    check_outputs(
        (out, "--out", True),
        (review, "--review-out", True),
        (rejects_path, "--rejects", False),
        (registry_path, "--registry", False),
    )
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise ReleaseExistsError(f"{out} exists and is not empty; choose a new --out for version {version}")
    prev_manifest = read_manifest(previous) if previous is not None else None
    check_version(version, prev_manifest, spec)
    for path in exports:
        if Path(path).is_dir():
            raise ExportError(f"export {path} is a folder; pass the Label Studio JSON export files in it")
        if not Path(path).is_file():
            raise ExportError(f"export {path} does not exist; pass Label Studio JSON export files")
    if license_id == "other" and not (license_name and license_link):
        # what a project file refuses (schema/project.py); the card then says "a custom license
        # (no license_name given)" and the Hub shows no license
        log.warning(
            "the release's license is 'other' without license_name and license_link: its card names no "
            "license a researcher can check; pass --license with a Hub license id (e.g. cc-by-4.0), or set "
            "license, license_name and license_link in stancebank.toml"
        )
    key = load_key(key_file, forbidden_roots=(out, registry_path.parent))
    pseudonym = Pseudonymizer(key)
    for leftover in (out, review, failed_dir(out), registry_path):
        clean_leftovers(leftover)

    reporter.start("reading exports")
    with _collector_paused():
        data = read_exports([Path(p) for p in exports], spec, on_task=reporter.advance)
    if rejects_path is not None:
        write_rejects(rejects_path, data.issues)
    check_foreign(data, spec, allow_foreign=allow_foreign)
    check_usable(data)

    registry = load_registry(registry_path)
    # Near-duplicate clusters over every article of the exports share one split (export/splits.py).
    reporter.start("near-duplicates")
    plan = SplitPlan.for_articles(data.articles, registry)
    new_registry = plan.registry
    tracker = (
        ChangeTracker(Path(previous), str(prev_manifest["version"]), spec)
        if previous is not None and prev_manifest is not None
        else None
    )

    tmp = partial_dir(out)
    review_tmp = partial_dir(review)
    with writing(out, "--out", folder=True):
        tmp.mkdir(parents=True)
    # The review tasks of the conflicting articles are written as the pass meets them, from the
    # annotations it has built for adjudication (into review_tmp, renamed after validation).
    review_writer = ReviewWriter(review_tmp, pseudonym)
    try:
        # One pass over the articles in id order: adjudicate, add to the agreement, and write the
        # rows (export/stages.py; the engine decides where each article's stage runs).
        features = dataset_features(spec)
        totals = Totals(spec, tracker, review_writer)
        reporter.start("adjudicating, writing", len(data.annotations))
        job = ArticleJob(
            tmp, data, plan, StageContext(spec, policy, pseudonym), totals, shard_rows, reporter.advance
        )
        if engine is None:  # the local pass is the one tested free of cycles; an engine (Ray) runs as it is
            with _collector_paused():
                written = run_local(job)
        else:
            written = engine(job)
        for article_id, star in totals.refused_stars:  # an annotator's own star is no ground truth
            log.warning("%s", star.describe(article_id, pseudonym))
        reporter.start("closing parquet files")
        agreement = totals.agreement.finish(replicates=BOOTSTRAP_REPLICATES)
        # A config without any row (no article has reached gold yet) still gets its one file, an
        # empty split with the exact schema, so that every config exists (schema/layout.py).
        counts = {
            c: dict(written.counts.get(c, {})) or {write_empty_split(tmp, c, features[c].arrow_schema): 0}
            for c in CONFIGS
        }
        pending_review, methods, items, provenance = (
            totals.pending_review,
            totals.methods,
            totals.items,
            totals.provenance,
        )
        annotators_per_article, target_stances = totals.annotators_per_article, totals.target_stances

        changes = tracker.finish() if tracker is not None else None
        languages = sorted(totals.language_set)  # none when no article states one (the card says so)
        reporter.start("writing card, manifest")
        card_inputs = CardInputs(
            version=version,
            counts=counts,
            num_bytes=written.num_bytes,
            languages=[str(x) for x in languages],
            license=license_id,
            repo_id=repo_id,
            label_counts=dict(totals.label_counts),
            relation_counts=dict(totals.relation_counts),
            provenance_counts=dict(provenance),
            adjudication=dict(methods),
            adjudication_items=dict(items),
            agreement=agreement,
            changes=changes,
            about=about,
            policy_note=policy.describe(),
            license_name=license_name,
            license_link=license_link,
            annotators_per_article=dict(sorted(annotators_per_article.items())),
            annotated_per_split=dict(totals.annotated_per_split),
            model_versions=tuple(sorted(data.model_versions)),
            target_stances={t: dict(c) for t, c in target_stances.items()},
            baselines=totals.baselines.finish(),
            language_creators=tuple(language_creators),
            shard_rows=shard_rows,
            date_published=data.newest_annotation_date,
            name=name,
        )
        (tmp / CARD).write_text(render_card(card_inputs, spec), encoding="utf-8")
        # croissant.json before the manifest, so that the manifest lists and hashes it
        (tmp / CROISSANT_FILE).write_text(
            json.dumps(
                build_croissant(_croissant_facts(tmp, card_inputs, features, spec)),
                indent=1,
                ensure_ascii=False,
            )
            + "\n",
            encoding="utf-8",
        )
        manifest = release_manifest(
            tmp,
            version=version,
            spec=spec,
            previous=prev_manifest,
            exports=exports,
            counts=counts,
            agreement=agreement,
            adjudication=methods,
            provenance=provenance,
            changes=changes,
            items=items,
        )
        (tmp / MANIFEST).write_text(manifest_text(manifest), encoding="utf-8")

        # Free the build's state before the validator reads the release. No article is kept: the
        # review tasks were written during the pass, and the adjudication report needs only the
        # task ids.
        data.retain(())
        del totals, job, tracker
        _free_memory()
        reporter.start("validating")
        reg_arg = registry_path if registry_path.exists() else None
        report = (validator or (lambda p: validate_release_folder(p, spec, previous, reg_arg)))(tmp)
        if not report.ok:
            raise _keep_failed(tmp, out, version, report)
        # An earlier failed build of this version is superseded.
        shutil.rmtree(failed_dir(out), ignore_errors=True)

        review_files: list[Path] = []
        if pending_review:
            reporter.start("writing review", len(pending_review))
            names = [p.name for p in review_writer.finish()]
            reporter.advance(len(pending_review))
            with writing(review, "--review-out", folder=True):
                replace_dir(review_tmp, review)
            review_files = [review / name for name in names]
        elif review.is_dir() and review_out is None:
            shutil.rmtree(review)  # a stale review of an interrupted earlier build of this --out

        reporter.start("saving registry")
        new_entries = len(new_registry) - len(registry)
        if new_entries:
            atomic_write_bytes(registry_path, registry_bytes(new_registry))
        del registry, new_registry
        reporter.start("renaming into place")
        if out.exists():
            out.rmdir()
        with writing(out, "--out", folder=True):
            replace_dir(tmp, out)  # the commit point: out appears whole, last
    except BaseException as err:
        review_writer.abort(err)
        shutil.rmtree(tmp, ignore_errors=True)
        shutil.rmtree(review_tmp, ignore_errors=True)
        raise
    return BuildResult(
        out=out,
        version=version,
        counts=counts,
        agreement=agreement,
        methods=dict(methods),
        pending_review=pending_review,
        data=data,
        changes=changes,
        new_registry_entries=new_entries,
        provenance=dict(provenance),
        review_files=review_files,
    )
