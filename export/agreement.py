"""Inter-annotator agreement on articles annotated by two or more people.

Only annotators count: a reviewer's verdict (an annotation made on a review task) is left out.
Scores are pooled over every pair of annotations of the same article (micro average):

- **span F1, exact** per label: a span of A matches a span of B with the same label and offsets;
  ``F1 = 2·matched / (|A| + |B|)`` summed over pairs (nervaluate's *strict* scheme, per label);
- **span F1, overlap** per label: a *one-to-one* matching between A's and B's spans of the label
  in which matched spans overlap (a maximum matching: one claim drawn whole against the same claim
  split in two matches once, not twice); ``F1 = 2·matched / (|A| + |B|)`` (nervaluate's
  *ent_type* scheme: right label, any overlap);
- **relation F1 on matched endpoints** per relation label: only relations whose two endpoints
  were drawn exactly by both annotators are compared; ``F1 = 2·common / (|R_A| + |R_B|)``;
- **relation F1, strict** per relation label: every relation, matched when both endpoints (label
  and offsets) and the relation label are the same;
- **stance F1** per stance, on the claim–target pairs both annotators of a pair drew (both spans,
  exact) and at least one of them linked by a stance (the other's value ``none`` when they did
  not): ``F1_c = 2·[both c] / ([A = c] + [B = c])``; **stance macro-F1** is their mean over the
  stances with a defined F1 and **F_avg** the mean of F1(support) and F1(oppose) (SemEval-2016
  task 6);
- **Krippendorff's α** (nominal) for the stance of each claim–target pair whose two spans at least
  two annotators drew (value: the stance label, or ``none`` when that annotator drew both spans but
  no stance relation), and for each attribute on the spans of its label that at least two
  annotators drew exactly: a choice attribute's value is the choice or ``""`` when not set; a
  *text* attribute's "not filled" is no value (the unit counts the annotators who filled it), its
  values compared trimmed and case-folded. The **fill rate** of an attribute is the share of those
  spans' values that are filled.

α is ``None`` when it is undefined (fewer than two values in the data, or no pairable units).

Each figure also gets a 95% bootstrap interval over articles (:mod:`stancebank.export.metrics`),
and the whole report is computed again over the articles that reached gold (``gold``), to state
agreement over all annotated articles and over the gold subset side by side.
"""

from __future__ import annotations

import itertools
from array import array
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from stancebank.export.reader import SpanKey
from stancebank.schema.model import Annotation
from stancebank.schema.spec import SPEC, AnnotationSpec

OVERALL = "overall"
# the two stances F_avg averages (SemEval-2016 task 6: FAVOR and AGAINST)
F_AVG_STANCES = ("support", "oppose")


@dataclass
class AgreementReport:
    articles: int = 0
    pairs: int = 0
    span_f1_exact: dict[str, float | None] = field(default_factory=dict)
    span_f1_overlap: dict[str, float | None] = field(default_factory=dict)
    relation_f1: dict[str, float | None] = field(default_factory=dict)
    relation_f1_strict: dict[str, float | None] = field(default_factory=dict)
    stance_f1: dict[str, float | None] = field(default_factory=dict)
    stance_macro_f1: float | None = None
    stance_f_avg: float | None = None
    alpha: dict[str, float | None] = field(default_factory=dict)
    alpha_units: dict[str, int] = field(default_factory=dict)
    fill_rate: dict[str, float | None] = field(default_factory=dict)
    # figure key (as in :meth:`figures`) → (low, high) of its 95% bootstrap interval over articles
    ci95: dict[str, tuple[float, float] | None] = field(default_factory=dict)
    bootstrap: dict[str, Any] = field(default_factory=dict)
    # the same figures over the articles that reached gold (None when not computed)
    gold: AgreementReport | None = None

    def figures(self) -> dict[str, float | None]:
        """Every figure by a flat key (``span_f1_exact.ACTOR``, ``krippendorff_alpha.stance``,
        ``stance_macro_f1``, …): the keys of :attr:`ci95` and of the card's agreement table."""
        out: dict[str, float | None] = {}
        for name, values in (
            ("span_f1_exact", self.span_f1_exact),
            ("span_f1_overlap", self.span_f1_overlap),
            ("relation_f1", self.relation_f1),
            ("relation_f1_strict", self.relation_f1_strict),
            ("stance_f1", self.stance_f1),
        ):
            out.update({f"{name}.{k}": v for k, v in values.items()})
        out["stance_macro_f1"] = self.stance_macro_f1
        out["stance_f_avg"] = self.stance_f_avg
        out.update({f"krippendorff_alpha.{k}": v for k, v in self.alpha.items()})
        out.update({f"fill_rate.{k}": v for k, v in self.fill_rate.items()})
        return out

    def to_dict(self) -> dict[str, Any]:
        def rnd(values: Mapping[str, float | None]) -> dict[str, float | None]:
            return {k: _round(v) for k, v in values.items()}

        out: dict[str, Any] = {
            "articles": self.articles,
            "pairs": self.pairs,
            "span_f1_exact": rnd(self.span_f1_exact),
            "span_f1_overlap": rnd(self.span_f1_overlap),
            "relation_f1": rnd(self.relation_f1),
            "relation_f1_strict": rnd(self.relation_f1_strict),
            "stance_f1": rnd(self.stance_f1),
            "stance_macro_f1": _round(self.stance_macro_f1),
            "stance_f_avg": _round(self.stance_f_avg),
            "krippendorff_alpha": rnd(self.alpha),
            "krippendorff_alpha_units": dict(self.alpha_units),
            "fill_rate": rnd(self.fill_rate),
        }
        if self.ci95:
            out["ci95"] = {
                k: None if v is None else [round(v[0], 4), round(v[1], 4)] for k, v in self.ci95.items()
            }
            out["bootstrap"] = dict(self.bootstrap)
        if self.gold is not None:
            out["gold"] = self.gold.to_dict()
        return out


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


class NominalAlpha:
    """Krippendorff's nominal α, accumulated one unit at a time in O(distinct values) memory.

    With ``n_uc`` the number of times value ``c`` was given in unit ``u`` (``m_u`` values, only units
    with ``m_u ≥ 2`` count), ``n_c = Σ_u n_uc`` and ``n = Σ_c n_c``:
    ``α = 1 − (n − 1) · Σ_u (m_u² − Σ_c n_uc²)/(m_u − 1) / (n² − Σ_c n_c²)``, the usual
    coincidence-matrix formula with the matrix summed away. Disagreement is summed exactly (as
    integer numerators per ``m_u − 1``), so the result does not depend on the order of units.
    """

    def __init__(self) -> None:
        self.values: Counter[str] = Counter()
        self.units = 0
        self._disagreement: Counter[int] = Counter()  # m_u - 1 → Σ (m_u² − Σ_c n_uc²)

    def add(self, unit: Sequence[str]) -> None:
        m = len(unit)
        if m < 2:
            return
        self.units += 1
        values = self.values
        if m == 2:  # the common case (two annotators), without building a Counter
            a, b = unit
            values[a] += 1
            values[b] += 1
            if a != b:
                self._disagreement[1] += 2  # m² − Σ n_uc² = 4 − (1 + 1)
            return
        counts: dict[str, int] = {}
        for value in unit:
            counts[value] = counts.get(value, 0) + 1
        for value, c in counts.items():
            values[value] += c
        self._disagreement[m - 1] += m * m - sum(c * c for c in counts.values())

    def disagreement(self) -> float:
        """``Σ_u (m_u² − Σ_c n_uc²)/(m_u − 1)`` (the observed-disagreement sum)."""
        return float(sum(Fraction(num, den) for den, num in sorted(self._disagreement.items())))

    def value(self) -> float | None:
        """α, or ``None`` when undefined (no pairable unit, or a single value everywhere)."""
        if self.units == 0 or len(self.values) < 2:
            return None
        n = sum(self.values.values())
        expected = n * n - sum(c * c for c in self.values.values())
        observed = sum(Fraction(num, den) for den, num in sorted(self._disagreement.items()))
        return float(1 - (n - 1) * observed / expected)


def one_to_one_overlaps(a: Sequence[tuple[int, int]], b: Sequence[tuple[int, int]]) -> int:
    """The size of a maximum one-to-one matching between the intervals ``a`` and ``b`` (start,
    end) in which matched intervals overlap. Exact matches are paired first; augmenting paths
    (Kuhn) then make the matching maximum."""
    adj = [[j for j, y in enumerate(b) if x[0] < y[1] and y[0] < x[1]] for x in a]
    match_b: list[int] = [-1] * len(b)
    match_a: list[int] = [-1] * len(a)
    position = {y: j for j, y in enumerate(b)}
    for i, x in enumerate(a):
        j = position.get(x, -1)
        if j >= 0 and match_b[j] < 0:
            match_a[i], match_b[j] = j, i
    for i in range(len(a)):
        if match_a[i] < 0:
            _augment(i, adj, match_a, match_b, [False] * len(b))
    return sum(1 for j in match_b if j >= 0)


def _augment(i: int, adj: list[list[int]], match_a: list[int], match_b: list[int], seen: list[bool]) -> bool:
    """Kuhn's augmenting path from ``a[i]`` (a module function, not a closure: a recursive closure
    is a reference cycle, and one per article pair left the cyclic collector ~280,000 objects to
    find on a 5,000-task build)."""
    for j in adj[i]:
        if seen[j]:
            continue
        seen[j] = True
        if match_b[j] < 0 or _augment(match_b[j], adj, match_a, match_b, seen):
            match_a[i], match_b[j] = j, i
            return True
    return False


@dataclass
class ArticleTable:
    """Per-article sufficient statistics, one row per article (in the order added), from which
    every figure and its bootstrap interval is computed (:mod:`stancebank.export.metrics`).

    ``ratios`` holds, per ratio figure (``ratio_keys``), a numerator and a denominator per article
    (flattened, ``2·len(ratio_keys)`` integers per row); for each α variable (``alpha_keys``) the
    per-article value counts are kept sparse (``alpha_values``: (row, value id, count) triples, the
    value ids in ``alpha_vocab``) with the per-article disagreement sum (``alpha_disagreement``)
    and pairable units (``alpha_units``)."""

    ratio_keys: tuple[str, ...]
    alpha_keys: tuple[str, ...]
    article_ids: list[str] = field(default_factory=list)
    gold: list[bool] = field(default_factory=list)
    pairs: array[int] = field(default_factory=lambda: array("q"))
    ratios: array[int] = field(default_factory=lambda: array("q"))
    alpha_rows: dict[str, array[int]] = field(default_factory=dict)
    alpha_ids: dict[str, array[int]] = field(default_factory=dict)
    alpha_counts: dict[str, array[int]] = field(default_factory=dict)
    alpha_vocab: dict[str, dict[str, int]] = field(default_factory=dict)
    alpha_disagreement: dict[str, array[float]] = field(default_factory=dict)
    alpha_units: dict[str, array[int]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for key in self.alpha_keys:
            self.alpha_rows[key] = array("q")
            self.alpha_ids[key] = array("q")
            self.alpha_counts[key] = array("q")
            self.alpha_vocab[key] = {}
            self.alpha_disagreement[key] = array("d")
            self.alpha_units[key] = array("q")

    def __len__(self) -> int:
        return len(self.article_ids)


@dataclass(frozen=True, slots=True)
class ArticleStats:
    """One article's row of the :class:`ArticleTable`: integer numerators and denominators per
    ratio figure, and per α variable its value counts (sorted by value), observed disagreement and
    pairable units."""

    pairs: int
    ratios: tuple[int, ...]
    alpha: dict[str, tuple[tuple[tuple[str, int], ...], float, int]]


class AgreementAccumulator:
    """Agreement scores accumulated one article at a time (see the module docstring)."""

    def __init__(self, spec: AnnotationSpec = SPEC) -> None:
        self.spec = spec
        self.report = AgreementReport()
        self._labels = spec.span_label_names
        self._rel_labels = spec.relation_label_names
        self._stance_names = set(spec.stance_names)
        self._stances = tuple(spec.stance_names)
        self._claim, self._target = spec.role_label("claim"), spec.role_label("target")
        self._owners = {a.name: spec.attribute_owner(a.name).name for a in spec.attributes}
        self._text_attrs = {a.name for a in spec.attributes if a.kind == "text"}
        groups: list[str] = []
        for name, keys in (
            ("span_f1_exact", (*self._labels, OVERALL)),
            ("span_f1_overlap", (*self._labels, OVERALL)),
            ("relation_f1", (*self._rel_labels, OVERALL)),
            ("relation_f1_strict", (*self._rel_labels, OVERALL)),
            ("stance_f1", self._stances),
            ("fill_rate", tuple(a.name for a in spec.attributes)),
        ):
            groups.extend(f"{name}.{k}" for k in keys)
        self._col = {k: 2 * i for i, k in enumerate(groups)}  # a figure → its numerator's column
        self.table = ArticleTable(tuple(groups), ("stance", *(a.name for a in spec.attributes)))

    def add(self, annotations: Sequence[Annotation], *, article_id: str = "", gold: bool = False) -> None:
        """One article's annotations (articles with fewer than two annotators are skipped); a
        reviewer's verdict (an annotation made on a review task) is not an annotator's and is left
        out. ``gold``: the article reached gold (it counts in the gold subset too)."""
        self.append(self.article_stats(annotations), article_id=article_id, gold=gold)

    def article_stats(self, annotations: Sequence[Annotation]) -> ArticleStats | None:
        """One article's statistics (None with fewer than two annotators): a pure function of its
        annotations, so it may be computed anywhere and :meth:`append` ed later, in article order."""
        anns = [a for a in annotations if not a.extra.get("review")]
        if len(anns) < 2:
            return None
        table = self.table
        row = [0] * (2 * len(table.ratio_keys))
        col = self._col
        stance_names, claim_label = self._stance_names, self._claim

        def add(key: str, num: int, den: int) -> None:
            i = col[key]
            row[i] += num
            row[i + 1] += den

        # Each annotation once: its span keys, their offsets by label (sorted), its relations as
        # keys, the first stance label (in sorted order) of each claim–target pair it linked, and
        # its spans by label (for the attributes).
        keysets: list[set[SpanKey]] = []
        offsets: list[dict[str, list[tuple[int, int]]]] = []
        relsets: list[set[tuple[SpanKey, SpanKey, str]]] = []
        first_stance: list[dict[tuple[SpanKey, SpanKey], str]] = []
        spans_of_label: dict[str, list[tuple[SpanKey, dict[str, str]]]] = {}
        for ann in anns:
            by_id: dict[str, SpanKey] = {}
            keys: set[SpanKey] = set()
            for s in ann.spans:
                key = (s.label, s.start, s.end)
                by_id[s.id] = key
                keys.add(key)
                spans_of_label.setdefault(s.label, []).append((key, s.attributes))
            keysets.append(keys)
            per_label: dict[str, list[tuple[int, int]]] = {}
            for k in keys:
                per_label.setdefault(k[0], []).append((k[1], k[2]))
            for spans in per_label.values():
                spans.sort()
            offsets.append(per_label)
            rels = {(by_id[r.from_id], by_id[r.to_id], r.label) for r in ann.relations}
            relsets.append(rels)
            firsts: dict[tuple[SpanKey, SpanKey], str] = {}
            for c, t, lab in sorted(r for r in rels if r[2] in stance_names):
                firsts.setdefault((c, t), lab)
            first_stance.append(firsts)

        none: list[tuple[int, int]] = []
        pairs = 0
        for i, j in itertools.combinations(range(len(anns)), 2):
            pairs += 1
            for lab in self._labels:
                sa, sb = offsets[i].get(lab, none), offsets[j].get(lab, none)
                total = len(sa) + len(sb)
                common = len(set(sa) & set(sb))
                matched = one_to_one_overlaps(sa, sb) if sa and sb else 0
                for name, num in (("span_f1_exact", 2 * common), ("span_f1_overlap", 2 * matched)):
                    add(f"{name}.{lab}", num, total)
                    add(f"{name}.{OVERALL}", num, total)
            both = keysets[i] & keysets[j]
            # per relation label: relations (all / both endpoints drawn by both) of each side, and
            # those the two have in common
            counts: dict[str, list[int]] = {}
            for side, rels in enumerate((relsets[i], relsets[j])):
                for r in rels:
                    tally = counts.setdefault(r[2], [0, 0, 0, 0, 0, 0])
                    tally[side] += 1
                    if r[0] in both and r[1] in both:
                        tally[2 + side] += 1
            for r in relsets[i] & relsets[j]:
                tally = counts[r[2]]
                tally[4] += 1
                if r[0] in both and r[1] in both:
                    tally[5] += 1
            zero = [0, 0, 0, 0, 0, 0]
            for lab in self._rel_labels:
                tally = counts.get(lab, zero)
                add(f"relation_f1.{lab}", 2 * tally[5], tally[2] + tally[3])
                add(f"relation_f1_strict.{lab}", 2 * tally[4], tally[0] + tally[1])
            sums = [sum(t[k] for t in counts.values()) for k in range(6)]
            add(f"relation_f1.{OVERALL}", 2 * sums[5], sums[2] + sums[3])
            add(f"relation_f1_strict.{OVERALL}", 2 * sums[4], sums[0] + sums[1])
            # stance F1 on the claim–target pairs both drew (both spans), one of them with a stance
            sta, stb = (
                {
                    pair: lab
                    for pair, lab in firsts.items()
                    if pair[0] in both and pair[1] in both and pair[0][0] == claim_label
                }
                for firsts in (first_stance[i], first_stance[j])
            )
            for pair in sta.keys() | stb.keys():
                va, vb = sta.get(pair, "none"), stb.get(pair, "none")
                if va == vb:
                    add(f"stance_f1.{va}", 2, 2)
                else:
                    for value in (va, vb):
                        if value in stance_names:
                            add(f"stance_f1.{value}", 0, 1)

        # α units: stance of claim–target pairs drawn (both spans) by at least two annotators
        units: dict[str, list[tuple[str, ...]]] = {key: [] for key in table.alpha_keys}
        stance_pairs: set[tuple[SpanKey, SpanKey]] = set()
        for firsts in first_stance:
            stance_pairs.update(firsts)
        for claim, target in sorted(stance_pairs):
            if claim[0] != claim_label or target[0] != self._target:
                continue
            units["stance"].append(
                tuple(
                    firsts.get((claim, target), "none")
                    for keys, firsts in zip(keysets, first_stance, strict=True)
                    if claim in keys and target in keys
                )
            )

        for attr in self.spec.attributes:
            text = attr.name in self._text_attrs
            values_by_key: dict[SpanKey, list[str]] = {}
            for key, attrs in spans_of_label.get(self._owners[attr.name], ()):
                value = attrs.get(attr.name, "")
                values_by_key.setdefault(key, []).append(value.strip().casefold() if text else value)
            for key in sorted(values_by_key):
                values = values_by_key[key]
                if len(values) < 2:
                    continue
                filled = [v for v in values if v]
                add(f"fill_rate.{attr.name}", len(filled), len(values))
                units[attr.name].append(tuple(filled) if text else tuple(values))

        alpha: dict[str, tuple[tuple[tuple[str, int], ...], float, int]] = {}
        for var, unit_list in units.items():
            acc = NominalAlpha()
            for u in unit_list:
                acc.add(u)
            alpha[var] = (tuple(sorted(acc.values.items())), acc.disagreement(), acc.units)
        return ArticleStats(pairs, tuple(row), alpha)

    def append(self, stats: ArticleStats | None, *, article_id: str = "", gold: bool = False) -> None:
        """Add one article's :meth:`article_stats` to the table (nothing for None). Articles are
        appended in the order given (the release: by id), so the same articles in the same order
        give the same table — and the same figures, bit for bit — wherever their statistics were
        computed."""
        if stats is None:
            return
        table = self.table
        r = len(table)
        table.article_ids.append(article_id)
        table.gold.append(gold)
        table.pairs.append(stats.pairs)
        table.ratios.extend(stats.ratios)
        for var, (values, disagreement, units) in stats.alpha.items():
            vocab = table.alpha_vocab[var]
            for value, count in values:
                table.alpha_rows[var].append(r)
                table.alpha_ids[var].append(vocab.setdefault(value, len(vocab)))
                table.alpha_counts[var].append(count)
            table.alpha_disagreement[var].append(disagreement)
            table.alpha_units[var].append(units)
        self.report.articles += 1
        self.report.pairs += stats.pairs

    def finish(self, *, replicates: int = 0, seed: int = 0) -> AgreementReport:
        """The report over every article added (and, when some were added as ``gold``, the same
        figures over those in :attr:`AgreementReport.gold`); with ``replicates`` > 0 each figure
        gets its 95% bootstrap interval over articles (seeded: the same input gives the same
        intervals)."""
        from stancebank.export.metrics import report_from_table

        report = report_from_table(self.table, self.spec, replicates=replicates, seed=seed)
        if any(self.table.gold):
            report.gold = report_from_table(
                self.table, self.spec, replicates=replicates, seed=seed, gold_only=True
            )
        self.report = report
        return report


def compute_agreement(
    annotations_by_article: Mapping[str, Sequence[Annotation]], spec: AnnotationSpec = SPEC
) -> AgreementReport:
    acc = AgreementAccumulator(spec)
    for article_id in sorted(annotations_by_article):
        acc.add(annotations_by_article[article_id], article_id=article_id)
    return acc.finish()
