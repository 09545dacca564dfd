"""The release build's per-article stage and what it folds into (engine-independent).

:func:`article_stage` is a pure function of one article, its annotations and its split: it
adjudicates, computes the article's agreement statistics and makes its rows of every config.
:class:`Totals` folds the results, **in article-id order**, into the release's counters, the
agreement table, the baselines and the change tracker. :func:`run_local` is the local engine: one
loop in this process, rows streamed into :class:`~stancebank.export.writers.SplitWriters`. The Ray
engine (:mod:`stancebank.export.engine_ray`) runs the same stage on workers, folds the same
results in the same order on the driver and writes the same shards — so both give the same bytes.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from stancebank.export.adjudicate import Adjudication, GoldPolicy, RefusedStar, adjudicate, is_review
from stancebank.export.agreement import AgreementAccumulator, ArticleStats
from stancebank.export.baselines import BaselineAccumulator
from stancebank.export.card import check_language
from stancebank.export.changes import ChangeTracker
from stancebank.export.reader import PROVENANCES, ExportData
from stancebank.export.review import ReviewWriter
from stancebank.export.rows import Encoder, Row, annotation_row, claim_rows, document_row, stance_rows
from stancebank.export.splits import SplitPlan
from stancebank.export.writers import SplitWriters
from stancebank.schema.features import CONFIGS, dataset_features
from stancebank.schema.model import Annotation, Article
from stancebank.schema.sentences import split_sentences
from stancebank.schema.spec import SPLITS, AnnotationSpec

Counts = dict[str, dict[str, int]]  # config → split → rows (or bytes)


@dataclass(frozen=True)
class ArticleInput:
    """One annotated article as its stage needs it."""

    article_id: str
    split: str
    article: Article
    annotations: tuple[Annotation, ...]


@dataclass(frozen=True)
class ArticleResult:
    """What :func:`article_stage` makes of one article."""

    article_id: str
    split: str
    gold: Adjudication
    annotators: int  # annotations that are not a reviewer's verdict
    stats: ArticleStats | None  # agreement statistics (None with fewer than two annotators)
    rows: dict[str, list[Row]]  # config → its rows (documents, claims, stance: gold articles only)


@dataclass(frozen=True)
class StageContext:
    """What every article's stage needs, the same wherever it runs."""

    spec: AnnotationSpec
    policy: GoldPolicy
    pseudonym: Callable[[str], str]


def article_stage(
    item: ArticleInput, ctx: StageContext, enc: Encoder, agreement: AgreementAccumulator
) -> ArticleResult:
    """Adjudicate one article, compute its agreement statistics and make its rows (a pure
    function: ``agreement`` is only asked for :meth:`~AgreementAccumulator.article_stats`)."""
    anns, article = item.annotations, item.article
    gold = adjudicate(item.article_id, anns, ctx.spec, ctx.policy)
    rows: dict[str, list[Row]] = {c: [] for c in CONFIGS}
    # every annotation of every annotated article, pending ones included
    rows["annotations"] = [annotation_row(a, enc, ctx.pseudonym, gold, article.text) for a in anns]
    if gold.is_gold:
        sentences = split_sentences(article.text)
        rows["documents"] = [document_row(article, gold, enc, sentences)]
        rows["claims"] = claim_rows(article, gold, enc, sentences)
        rows["stance"] = stance_rows(rows["claims"], enc)
    return ArticleResult(
        item.article_id,
        item.split,
        gold,
        sum(1 for a in anns if not is_review(a)),
        agreement.article_stats(anns),
        rows,
    )


def count_target_stances(
    gold: Adjudication, spec: AnnotationSpec, into: dict[str | None, Counter[str]]
) -> None:
    """Add the gold stance relations of one article to ``into`` by their target's ``target_name``
    (None when the TARGET has none: a release built from schema-1.0.0 exports)."""
    name = spec.attribute_for("target_name").name
    stances = set(spec.stance_names)
    by_id = {s.id: s for s in gold.spans}
    for rel in gold.relations:
        target = by_id.get(rel.to_id)
        if rel.label in stances and target is not None:
            value = target.attributes.get(name)
            key = value if isinstance(value, str) and value.strip() else None
            into.setdefault(key, Counter())[rel.label] += 1


@dataclass
class Totals:
    """The release's counters, agreement, baselines and changes, fed one :class:`ArticleResult`
    at a time in article-id order (:meth:`add`)."""

    spec: AnnotationSpec
    tracker: ChangeTracker | None = None
    # where the review tasks of the conflicting articles go, as they come (None: not written)
    review: ReviewWriter | None = None
    label_counts: Counter[str] = field(default_factory=Counter)
    relation_counts: Counter[str] = field(default_factory=Counter)
    provenance: Counter[str] = field(default_factory=Counter)
    target_stances: dict[str | None, Counter[str]] = field(default_factory=dict)
    methods: Counter[str] = field(default_factory=Counter)
    items: Counter[str] = field(default_factory=Counter)
    # the ids of the articles left for review, in id order (their conflicting items went to the
    # review writer as they came)
    pending_review: list[str] = field(default_factory=list)
    # (article id, star) of every ground-truth star that did not count, in article-id order
    refused_stars: list[tuple[str, RefusedStar]] = field(default_factory=list)
    language_set: set[str] = field(default_factory=set)
    annotators_per_article: Counter[int] = field(default_factory=Counter)
    # annotated articles per split, gold or not (their rows in ``annotations``)
    annotated_per_split: Counter[str] = field(default_factory=Counter)
    agreement: AgreementAccumulator = field(init=False)
    baselines: BaselineAccumulator = field(init=False)

    def __post_init__(self) -> None:
        spec = self.spec
        self.label_counts.update(dict.fromkeys(spec.span_label_names, 0))
        self.relation_counts.update(dict.fromkeys(spec.relation_label_names, 0))
        self.provenance.update(dict.fromkeys(PROVENANCES, 0))
        self.methods.update({"ground_truth": 0, "reviewer": 0, "single": 0, "majority": 0, "conflict": 0})
        self.items.update({"agreed": 0, "minority": 0, "conflict": 0})
        self.agreement = AgreementAccumulator(spec)
        self.baselines = BaselineAccumulator(spec)

    def add(
        self, result: ArticleResult, data: ExportData, annotations: list[Annotation] | None = None
    ) -> None:
        """Fold one article's result (``annotations``: its annotations, looked up in ``data`` when
        not given)."""
        article_id, gold = result.article_id, result.gold
        self.annotators_per_article[result.annotators] += 1
        self.annotated_per_split[result.split] += 1
        self.agreement.append(result.stats, article_id=article_id, gold=gold.is_gold)
        self.methods[gold.method] += 1
        self.items.update(gold.items)
        self.refused_stars.extend((article_id, star) for star in gold.refused_stars)
        anns = annotations
        if not gold.is_gold:
            if gold.method == "conflict":
                if self.review is not None:
                    # its review task and report entry, from the annotations at hand (not built
                    # again after the pass)
                    anns = anns if anns is not None else data.annotations[article_id]
                    self.review.add(gold, data.articles[article_id], anns, data.task_ids.get(article_id))
                self.pending_review.append(article_id)
            return
        anns = anns if anns is not None else data.annotations[article_id]
        self.baselines.add(result.split, gold, anns, data.predictions.get(article_id))
        self.label_counts.update(s.label for s in gold.spans)
        self.relation_counts.update(r.label for r in gold.relations)
        self.provenance.update(gold.provenance.values())
        count_target_stances(gold, self.spec, self.target_stances)
        article = data.articles[article_id]
        if article.language and article.language not in self.language_set:
            check_language(article.language, f"article {article_id!r} (data.language)")
            self.language_set.add(article.language)
        if self.tracker is not None:
            self.tracker.add(article_id, article.text, gold)


@dataclass
class ArticleJob:
    """The per-article pass of a build: the articles, where their rows go, what they fold into."""

    root: Path  # the release folder being built
    data: ExportData
    plan: SplitPlan
    ctx: StageContext
    totals: Totals
    shard_rows: int
    on_article: Callable[[], None] = lambda: None

    def inputs(self) -> Iterator[tuple[ArticleInput, list[Annotation]]]:
        """Every annotated article, in id order."""
        for article_id in sorted(self.data.annotations):
            anns = self.data.annotations[article_id]
            article = self.data.articles[article_id]
            yield ArticleInput(article_id, self.plan.split_for(article_id), article, tuple(anns)), anns


@dataclass(frozen=True)
class Written:
    """Rows and in-memory bytes per config and split (splits without rows left out)."""

    counts: Counts
    num_bytes: Counts


def run_local(job: ArticleJob) -> Written:
    """The local engine: one article at a time in id order, its rows streamed into the writers."""
    spec = job.ctx.spec
    enc = Encoder(spec)
    features = dataset_features(spec)
    writers = {c: SplitWriters(job.root, c, features[c], job.shard_rows) for c in CONFIGS}
    for item, anns in job.inputs():
        result = article_stage(item, job.ctx, enc, job.totals.agreement)
        for config, rows in result.rows.items():
            writers[config].add(result.split, rows)
        job.totals.add(result, job.data, anns)
        job.on_article()
    for w in writers.values():
        w.close()
    return Written(
        {c: {s: writers[c].counts[s] for s in SPLITS if writers[c].counts[s]} for c in CONFIGS},
        {c: dict(writers[c].num_bytes) for c in CONFIGS},
    )


ArticleEngine = Callable[[ArticleJob], Written]
__all__ = [
    "ArticleEngine",
    "ArticleInput",
    "ArticleJob",
    "ArticleResult",
    "StageContext",
    "Totals",
    "Written",
    "article_stage",
    "count_target_stances",
    "run_local",
]
