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
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import krippendorff
import numpy as np

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


def _nominal_alpha(units: list[tuple[str, ...]]) -> float | None:
    """Nominal α from each unit's values (α depends only on the values per unit, not on who gave
    them, so units are kept as small tuples: 100,000 articles fit in little memory)."""
    pairable = [u for u in units if len(u) >= 2]
    if not pairable:
        return None
    values = sorted({v for u in pairable for v in u})
    if len(values) < 2:
        # Every annotator gave the same value everywhere: α is 0/0; perfect observed agreement.
        return None
    index = {v: i for i, v in enumerate(values)}
    counts = np.zeros((len(pairable), len(values)), dtype=np.int64)
    for j, unit in enumerate(pairable):
        for value in unit:
            counts[j, index[value]] += 1
    result = float(krippendorff.alpha(value_counts=counts, level_of_measurement="nominal"))
    return None if math.isnan(result) else result


def compute_agreement(
    annotations_by_article: Mapping[str, Sequence[Annotation]], spec: AnnotationSpec = SPEC
) -> AgreementReport:
    report = AgreementReport()
    labels = spec.span_label_names
    rel_labels = spec.relation_label_names
    stance_names = set(spec.stance_names)
    claim_label, target_label = spec.role_label("claim"), spec.role_label("target")
    exact = {lab: _F1() for lab in (*labels, OVERALL)}
    overlap = {lab: _F1() for lab in (*labels, OVERALL)}
    rel = {lab: _F1() for lab in (*rel_labels, OVERALL)}
    stance_units: list[tuple[str, ...]] = []
    attr_units: dict[str, list[tuple[str, ...]]] = {a.name: [] for a in spec.attributes}

    for article_id in sorted(annotations_by_article):
        anns = list(annotations_by_article[article_id])
        if len(anns) < 2:
            continue
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
            if claim[0] != claim_label or target[0] != target_label:
                continue
            unit: dict[str, str] = {}
            for ann, keys, rs in zip(anns, keysets, relsets, strict=True):
                if claim in keys and target in keys:
                    found = sorted(
                        r[2] for r in rs if r[0] == claim and r[1] == target and r[2] in stance_names
                    )
                    unit[ann.annotator] = found[0] if found else "none"
            stance_units.append(tuple(unit.values()))

        for attr in spec.attributes:
            owner = spec.attribute_owner(attr.name).name
            spans_by_key: dict[SpanKey, dict[str, str]] = {}
            for ann in anns:
                for span in ann.spans:
                    if span.label == owner:
                        spans_by_key.setdefault(span_key(span), {})[ann.annotator] = (
                            span.attributes.get(attr.name, "").strip().casefold()
                            if attr.kind == "text"
                            else span.attributes.get(attr.name, "")
                        )
            attr_units[attr.name].extend(tuple(spans_by_key[k].values()) for k in sorted(spans_by_key))

    report.span_f1_exact = {k: v.value() for k, v in exact.items()}
    report.span_f1_overlap = {k: v.value() for k, v in overlap.items()}
    report.relation_f1 = {k: v.value() for k, v in rel.items()}
    report.alpha["stance"] = _nominal_alpha(stance_units)
    report.alpha_units["stance"] = sum(1 for u in stance_units if len(u) >= 2)
    for name, units in attr_units.items():
        report.alpha[name] = _nominal_alpha(units)
        report.alpha_units[name] = sum(1 for u in units if len(u) >= 2)
    return report
