"""Inter-annotator agreement on articles annotated by two or more people.

All scores are pooled over every pair of annotations of the same article (micro average):

- **span F1, exact** per label: a span of A matches a span of B with the same label and offsets;
  ``F1 = 2·matched / (|A| + |B|)`` summed over pairs;
- **span F1, overlap** per label: a span counts as matched when the other annotation has a span
  of the same label overlapping it; ``F1 = (matched_A + matched_B) / (|A| + |B|)``;
- **relation F1 on matched endpoints** per relation label: only relations whose two endpoints
  were drawn exactly by both annotators are compared; ``F1 = 2·common / (|R_A| + |R_B|)``;
- **Krippendorff's α** (nominal) for the stance of each claim–target pair whose two spans at least
  two annotators drew (value: the stance label, or ``none`` when that annotator drew both spans but
  no stance relation), and for each attribute on the spans of its label that at least two
  annotators drew exactly (value: the attribute, ``""`` when not set).

α is ``None`` when it is undefined (fewer than two values in the data, or no pairable units).
"""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from stancebank.export.reader import SpanKey, span_key
from stancebank.schema.model import Annotation
from stancebank.schema.spec import SPEC, AnnotationSpec


@dataclass
class _F1:
    matched: float = 0.0
    total: float = 0.0

    def add(self, matched: float, total: float) -> None:
        self.matched += matched
        self.total += total

    def value(self) -> float | None:
        return None if self.total == 0 else self.matched / self.total


@dataclass
class AgreementReport:
    articles: int = 0
    pairs: int = 0
    span_f1_exact: dict[str, float | None] = field(default_factory=dict)
    span_f1_overlap: dict[str, float | None] = field(default_factory=dict)
    relation_f1: dict[str, float | None] = field(default_factory=dict)
    alpha: dict[str, float | None] = field(default_factory=dict)
    alpha_units: dict[str, int] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        def rnd(values: Mapping[str, float | None]) -> dict[str, float | None]:
            return {k: (None if v is None else round(v, 4)) for k, v in values.items()}

        return {
            "articles": self.articles,
            "pairs": self.pairs,
            "span_f1_exact": rnd(self.span_f1_exact),
            "span_f1_overlap": rnd(self.span_f1_overlap),
            "relation_f1": rnd(self.relation_f1),
            "krippendorff_alpha": rnd(self.alpha),
            "krippendorff_alpha_units": dict(self.alpha_units),
        }


OVERALL = "overall"


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

    def value(self) -> float | None:
        """α, or ``None`` when undefined (no pairable unit, or a single value everywhere)."""
        if self.units == 0 or len(self.values) < 2:
            return None
        n = sum(self.values.values())
        expected = n * n - sum(c * c for c in self.values.values())
        observed = sum(Fraction(num, den) for den, num in sorted(self._disagreement.items()))
        return float(1 - (n - 1) * observed / expected)


class AgreementAccumulator:
    """Agreement scores accumulated one article at a time (see the module docstring)."""

    def __init__(self, spec: AnnotationSpec = SPEC) -> None:
        self.spec = spec
        self.report = AgreementReport()
        self._labels = spec.span_label_names
        self._rel_labels = spec.relation_label_names
        self._stance_names = set(spec.stance_names)
        self._claim, self._target = spec.role_label("claim"), spec.role_label("target")
        self._owners = {a.name: spec.attribute_owner(a.name).name for a in spec.attributes}
        self._exact = {lab: _F1() for lab in (*self._labels, OVERALL)}
        self._overlap = {lab: _F1() for lab in (*self._labels, OVERALL)}
        self._rel = {lab: _F1() for lab in (*self._rel_labels, OVERALL)}
        self._stance = NominalAlpha()
        self._attrs = {a.name: NominalAlpha() for a in spec.attributes}

    def add(self, annotations: Sequence[Annotation]) -> None:
        """One article's annotations (articles with fewer than two are skipped)."""
        anns = list(annotations)
        if len(anns) < 2:
            return
        report = self.report
        labels, rel_labels, stance_names = self._labels, self._rel_labels, self._stance_names
        exact, overlap, rel = self._exact, self._overlap, self._rel
        report.articles += 1
        keysets = [{span_key(s) for s in a.spans} for a in anns]
        relsets = []
        for ann in anns:
            by_id = {s.id: span_key(s) for s in ann.spans}
            relsets.append({(by_id[r.from_id], by_id[r.to_id], r.label) for r in ann.relations})

        for i, j in itertools.combinations(range(len(anns)), 2):
            report.pairs += 1
            a, b = keysets[i], keysets[j]
            for lab in labels:
                sa = {k for k in a if k[0] == lab}
                sb = {k for k in b if k[0] == lab}
                common = len(sa & sb)
                exact[lab].add(2 * common, len(sa) + len(sb))
                exact[OVERALL].add(2 * common, len(sa) + len(sb))
                ma = sum(1 for x in sa if any(x[1] < y[2] and y[1] < x[2] for y in sb))
                mb = sum(1 for y in sb if any(x[1] < y[2] and y[1] < x[2] for x in sa))
                overlap[lab].add(ma + mb, len(sa) + len(sb))
                overlap[OVERALL].add(ma + mb, len(sa) + len(sb))
            both = a & b
            ra = {r for r in relsets[i] if r[0] in both and r[1] in both}
            rb = {r for r in relsets[j] if r[0] in both and r[1] in both}
            for lab in rel_labels:
                xa = {r for r in ra if r[2] == lab}
                xb = {r for r in rb if r[2] == lab}
                rel[lab].add(2 * len(xa & xb), len(xa) + len(xb))
            rel[OVERALL].add(2 * len(ra & rb), len(ra) + len(rb))

        # Stance: claim–target pairs drawn (both spans) by at least two annotators.
        pairs: set[tuple[SpanKey, SpanKey]] = set()
        for rs in relsets:
            pairs.update((r[0], r[1]) for r in rs if r[2] in stance_names)
        for claim, target in sorted(pairs):
            if claim[0] != self._claim or target[0] != self._target:
                continue
            unit: dict[str, str] = {}
            for ann, keys, rs in zip(anns, keysets, relsets, strict=True):
                if claim in keys and target in keys:
                    found = sorted(
                        r[2] for r in rs if r[0] == claim and r[1] == target and r[2] in stance_names
                    )
                    unit[ann.annotator] = found[0] if found else "none"
            self._stance.add(tuple(unit.values()))

        for attr in self.spec.attributes:
            owner = self._owners[attr.name]
            spans_by_key: dict[SpanKey, dict[str, str]] = {}
            for ann in anns:
                for span in ann.spans:
                    if span.label == owner:
                        spans_by_key.setdefault(span_key(span), {})[ann.annotator] = (
                            span.attributes.get(attr.name, "").strip().casefold()
                            if attr.kind == "text"
                            else span.attributes.get(attr.name, "")
                        )
            for key in sorted(spans_by_key):
                self._attrs[attr.name].add(tuple(spans_by_key[key].values()))

    def finish(self) -> AgreementReport:
        report = self.report
        report.span_f1_exact = {k: v.value() for k, v in self._exact.items()}
        report.span_f1_overlap = {k: v.value() for k, v in self._overlap.items()}
        report.relation_f1 = {k: v.value() for k, v in self._rel.items()}
        report.alpha["stance"] = self._stance.value()
        report.alpha_units["stance"] = self._stance.units
        for name, acc in self._attrs.items():
            report.alpha[name] = acc.value()
            report.alpha_units[name] = acc.units
        return report


def compute_agreement(
    annotations_by_article: Mapping[str, Sequence[Annotation]], spec: AnnotationSpec = SPEC
) -> AgreementReport:
    acc = AgreementAccumulator(spec)
    for article_id in sorted(annotations_by_article):
        acc.add(annotations_by_article[article_id])
    return acc.finish()
