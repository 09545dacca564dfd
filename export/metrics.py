"""Agreement figures and their 95% bootstrap intervals from per-article statistics.

:class:`~stancebank.export.agreement.AgreementAccumulator` keeps, per article, the numerator and
denominator of every ratio figure (span, relation and stance F1, fill rates) and the value counts
and observed disagreement of every α variable. Every figure is a function of their sums over the
articles, so a bootstrap replicate is a weighted sum:

- articles are taken in the order added (the release adds them sorted by id);
- replicate ``b`` draws ``rng.integers(0, n, size=n)`` from ``numpy.random.default_rng(seed)``
  (one call per replicate, in order; ``n`` the number of articles of the subset) and weights each
  article by how often it was drawn;
- the interval is the 2.5th and 97.5th percentile (``numpy.percentile``, linear) of the replicates
  where the figure is defined; ``None`` when the figure itself is undefined.

The weighted sums are taken in integers (counts, numerators, denominators) and, for the
disagreement sums, as numpy's elementwise products summed along the articles — never through a
BLAS matrix product, whose threads spin on a busy machine (a build once spent 5 of its 6 seconds
of bootstrap CPU there) and whose rounding depends on the CPU's kernel.

So anyone holding the ``annotations`` config can recompute both the figures and their intervals.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np
import numpy.typing as npt

from stancebank.export.agreement import (
    F_AVG_STANCES,
    OVERALL,
    AgreementReport,
    ArticleTable,
)
from stancebank.schema.spec import AnnotationSpec

REPLICATES = 1000
SEED = 0
BATCH = 50  # replicates per weight matrix at most
# cells (int64) of the largest temporary of a batch — replicates × articles, or replicates × an α
# variable's (article, value) counts — that fix the batch size below BATCH: 32 MB each. Without
# the bound a 100,000-task build's batches of 50 took ~700 MB for the α temporaries alone. The
# intervals do not depend on the batch size: each replicate's weights come from the same random
# stream, and each figure is computed row by row.
BATCH_CELLS = 4_000_000

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
_Alpha = tuple[IntArray, IntArray, IntArray, FloatArray, IntArray]


class _Subset:
    """The statistics of a subset of the table's articles, as arrays."""

    def __init__(self, table: ArticleTable, rows: npt.NDArray[np.intp]) -> None:
        k = len(table.ratio_keys)
        all_ratios = np.frombuffer(table.ratios, dtype=np.int64).reshape(len(table), 2 * k)
        self.n = len(rows)
        self.pairs = int(np.frombuffer(table.pairs, dtype=np.int64)[rows].sum()) if self.n else 0
        self.ratios = all_ratios[rows]
        position = np.full(len(table), -1, dtype=np.int64)
        position[rows] = np.arange(self.n)
        # per α variable: the subset row of each value count, the counts (sorted by value id), where
        # each value's counts start, and per row the disagreement sum and the pairable units
        self.alpha: dict[str, _Alpha] = {}
        for key in table.alpha_keys:
            r = position[np.frombuffer(table.alpha_rows[key], dtype=np.int64)]
            ids = np.frombuffer(table.alpha_ids[key], dtype=np.int64)
            counts = np.frombuffer(table.alpha_counts[key], dtype=np.int64)
            keep = r >= 0
            r, ids, counts = r[keep], ids[keep], counts[keep]
            order = np.argsort(ids, kind="stable")
            r, ids, counts = r[order], ids[order], counts[order]
            starts = np.flatnonzero(np.r_[True, ids[1:] != ids[:-1]]) if len(ids) else np.zeros(0, np.int64)
            disagreement = np.frombuffer(table.alpha_disagreement[key], dtype=np.float64)[rows]
            units = np.frombuffer(table.alpha_units[key], dtype=np.int64)[rows]
            self.alpha[key] = (r, counts, starts, disagreement, units)


def _figures(
    sub: _Subset, weights: IntArray, ratio_keys: tuple[str, ...], stances: tuple[str, ...]
) -> dict[str, FloatArray]:
    """Every figure for each row of ``weights`` (replicates × articles); NaN where undefined."""
    out: dict[str, FloatArray] = {}
    sums = np.einsum("bn,nk->bk", weights, sub.ratios).astype(np.float64)  # integers: exact
    num, den = sums[:, 0::2], sums[:, 1::2]
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = np.where(den > 0, num / np.where(den > 0, den, 1), np.nan)
    for i, key in enumerate(ratio_keys):
        out[key] = ratio[:, i]
    stance_cols = np.stack([out[f"stance_f1.{s}"] for s in stances], axis=1)
    defined = ~np.isnan(stance_cols)
    with np.errstate(invalid="ignore"):
        out["stance_macro_f1"] = np.where(
            defined.any(axis=1),
            np.nansum(stance_cols, axis=1) / np.maximum(defined.sum(axis=1), 1),
            np.nan,
        )
    favg = [f"stance_f1.{s}" for s in F_AVG_STANCES if f"stance_f1.{s}" in out]
    out["stance_f_avg"] = (
        (out[favg[0]] + out[favg[1]]) / 2 if len(favg) == 2 else np.full(len(weights), np.nan)
    )
    for key, (rows, counts, starts, disagreement, units) in sub.alpha.items():
        if len(counts):
            contributions = weights[:, rows] * counts
            nc = np.add.reduceat(contributions, starts, axis=1)
        else:
            nc = np.zeros((len(weights), 0), dtype=np.int64)
        n = nc.sum(axis=1).astype(np.float64)
        expected = n * n - (nc * nc).sum(axis=1)
        observed = (weights * disagreement).sum(axis=1)
        pairable = np.einsum("bn,n->b", weights, units)
        ok = (pairable > 0) & (expected > 1e-9) & ((nc > 0).sum(axis=1) >= 2)
        with np.errstate(invalid="ignore", divide="ignore"):
            out[f"krippendorff_alpha.{key}"] = np.where(
                ok, 1 - (n - 1) * observed / np.where(ok, expected, 1), np.nan
            )
    return out


def _replicate_weights(n: int, replicates: int, seed: int, batch: int = BATCH) -> Iterator[IntArray]:
    rng = np.random.default_rng(seed)
    done = 0
    while done < replicates:
        size = min(batch, replicates - done)
        w = np.empty((size, n), dtype=np.int64)
        for b in range(size):
            w[b] = np.bincount(rng.integers(0, n, size=n), minlength=n)
        done += size
        yield w


def bootstrap(
    table: ArticleTable,
    spec: AnnotationSpec,
    *,
    replicates: int = REPLICATES,
    seed: int = SEED,
    gold_only: bool = False,
) -> tuple[dict[str, float | None], dict[str, tuple[float, float] | None], _Subset]:
    """Every figure of the (gold) subset and, with ``replicates`` > 0, its 95% interval."""
    rows = np.flatnonzero(np.asarray(table.gold, dtype=bool)) if gold_only else np.arange(len(table))
    sub = _Subset(table, rows)
    stances = tuple(spec.stance_names)
    point = _figures(sub, np.ones((1, sub.n), dtype=np.int64), table.ratio_keys, stances)
    figures = {k: (None if np.isnan(v[0]) else float(v[0])) for k, v in point.items()}
    ci: dict[str, tuple[float, float] | None] = {}
    if replicates > 0 and sub.n > 0:
        parts: dict[str, list[FloatArray]] = {k: [] for k in point}
        widest = max([sub.n, *(len(alpha[1]) for alpha in sub.alpha.values())])
        batch = max(1, min(BATCH, BATCH_CELLS // widest))
        for weights in _replicate_weights(sub.n, replicates, seed, batch):
            for key, values in _figures(sub, weights, table.ratio_keys, stances).items():
                parts[key].append(values)
        for key, chunks in parts.items():
            values = np.concatenate(chunks)
            values = values[~np.isnan(values)]
            if figures[key] is None or not len(values):
                ci[key] = None
            else:
                lo, hi = np.percentile(values, [2.5, 97.5])
                ci[key] = (float(lo), float(hi))
    return figures, ci, sub


def report_from_table(
    table: ArticleTable,
    spec: AnnotationSpec,
    *,
    replicates: int = 0,
    seed: int = SEED,
    gold_only: bool = False,
) -> AgreementReport:
    figures, ci, sub = bootstrap(table, spec, replicates=replicates, seed=seed, gold_only=gold_only)

    def group(name: str, keys: tuple[str, ...]) -> dict[str, float | None]:
        return {k: figures[f"{name}.{k}"] for k in keys}

    labels = (*spec.span_label_names, OVERALL)
    relations = (*spec.relation_label_names, OVERALL)
    report = AgreementReport(
        articles=sub.n,
        pairs=sub.pairs,
        span_f1_exact=group("span_f1_exact", labels),
        span_f1_overlap=group("span_f1_overlap", labels),
        relation_f1=group("relation_f1", relations),
        relation_f1_strict=group("relation_f1_strict", relations),
        stance_f1=group("stance_f1", tuple(spec.stance_names)),
        stance_macro_f1=figures["stance_macro_f1"],
        stance_f_avg=figures["stance_f_avg"],
        alpha=group("krippendorff_alpha", table.alpha_keys),
        alpha_units={k: int(v[4].sum()) for k, v in sub.alpha.items()},
        fill_rate=group("fill_rate", tuple(a.name for a in spec.attributes)),
        ci95=ci,
    )
    if replicates > 0:
        report.bootstrap = _bootstrap_facts(replicates, seed)
    return report


def _bootstrap_facts(replicates: int, seed: int) -> dict[str, Any]:
    return {
        "unit": "article",
        "replicates": replicates,
        "seed": seed,
        "generator": "numpy.random.default_rng(seed); per replicate integers(0, n, size=n)",
        "interval": "percentile 2.5-97.5 (numpy.percentile, linear) of the defined replicates",
    }


DEFINITIONS = (
    "Definitions (pooled over every pair of annotators of an article): `span_f1_exact` — same label "
    "and offsets (nervaluate's strict scheme); `span_f1_overlap` — same label and overlapping, matched "
    "one-to-one (a maximum matching; nervaluate's ent_type scheme), F1 = 2·matched / (spans of A + "
    "spans of B); `relation_f1` — relations whose two endpoints both annotators drew exactly; "
    "`relation_f1_strict` — every relation, endpoints and label exact; `stance_f1` — per stance, on the "
    "claim–target pairs both annotators drew, `none` where one drew no stance; `stance_macro_f1` — "
    "their mean; `stance_f_avg` — the mean of F1(support) and F1(oppose); `krippendorff_alpha` — "
    "Krippendorff's nominal α per variable over the units at least two annotators coded (a text "
    "attribute left empty is not a value: its `fill_rate` is the share of filled values; a choice "
    'attribute not set is the value `""`). 95% intervals: percentile bootstrap over articles.'
)


def _n(count: int, noun: str) -> str:
    """``count`` and ``noun``, in the plural unless one: "1 article", "5 articles"."""
    return f"{count} {noun}{'' if count == 1 else 's'}"


def _cell(value: float | int | None) -> str:
    if value is None:
        return "—"
    if isinstance(value, int):
        return str(value)
    return f"{value:.3f}"


def _ci(ci: tuple[float, float] | None) -> str:
    return "—" if ci is None else f"[{ci[0]:.3f}, {ci[1]:.3f}]"


def render_agreement(report: AgreementReport) -> str:
    """The card's agreement text and table: every figure over all annotated articles and over
    the gold subset, side by side, each with its 95% bootstrap interval."""
    gold = report.gold if report.gold is not None else AgreementReport()
    boot = report.bootstrap
    header = [
        "figure",
        f"all annotated ({_n(report.articles, 'article')})",
        "95% CI",
        f"in gold ({_n(gold.articles, 'article')})",
        "95% CI",
    ]
    rows = [
        ["articles", str(report.articles), "—", str(gold.articles), "—"],
        ["pairs", str(report.pairs), "—", str(gold.pairs), "—"],
    ]
    gold_figures = gold.figures()
    for key, value in report.figures().items():
        rows.append(
            [
                f"`{key}`",
                _cell(value),
                _ci(report.ci95.get(key)),
                _cell(gold_figures.get(key)),
                _ci(gold.ci95.get(key)),
            ]
        )
    for key, units in report.alpha_units.items():
        rows.append(
            [f"`krippendorff_alpha_units.{key}`", str(units), "—", str(gold.alpha_units.get(key, 0)), "—"]
        )
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    table = "\n".join(lines + ["| " + " | ".join(r) + " |" for r in rows])
    return (
        f"Agreement over the {_n(report.articles, 'article')} annotated by two or more people "
        f"({_n(report.pairs, 'annotation pair')}), computed from the `annotations` config alone (rows with "
        "`review` = false: a reviewer's verdict is not an annotator), next to the same figures over "
        f"the {gold.articles} of them that reached gold (`status` = `gold`, the articles in "
        "`documents`, `claims` and `stance`). The gold subset is selected by agreement (an article with a "
        "conflicting item waits for review), so it agrees more than the whole. "
        + (
            f"Intervals: {boot.get('replicates')} bootstrap replicates over articles, seed "
            f"{boot.get('seed')} ({boot.get('generator')}; {boot.get('interval')}). "
            if boot
            else ""
        )
        + DEFINITIONS
        + " — = undefined: an F1 with nothing to compare, or an α with no unit two annotators coded, or "
        "whose coded values are all the same one (no disagreement is expected, so α has no scale).\n\n"
        + table
        + "\n"
    )
