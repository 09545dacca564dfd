"""Every agreement figure of the card, recomputed from the released ``annotations`` config alone
(read with ``datasets``), by code written apart from :mod:`stancebank.export.agreement`: α by the
``krippendorff`` package, the one-to-one overlap by scipy's assignment solver, the intervals by
the bootstrap recipe the card states (issue 15 items 1 and 3).

Run on the committed pilot export and on a generated two-annotator export with realistic
disagreement (tests/benchmarks/bench_export_gen.py; the 5,000-task run of the same check is
``tests/benchmarks/bench_agreement_reproduce.py``).
"""

from __future__ import annotations

import itertools
import re
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any

import datasets
import krippendorff
import numpy as np
import pytest
from scipy.optimize import linear_sum_assignment

from stancebank.export.release import build_release

REPO = Path(__file__).resolve().parents[2]
PILOT = sorted((REPO / "data" / "exports").glob("stancebank-pilot-*.json"))[0]
sys.path.insert(0, str(REPO / "tests" / "benchmarks"))

REPLICATES, SEED = 1000, 0
F_AVG = ("support", "oppose")


# -- reading the release ---------------------------------------------------------------------------


def released_annotations(folder: Path, cache: Path) -> dict[str, list[dict[str, Any]]]:
    """article id → its annotation rows (names instead of class ids), from the release alone."""
    ds = datasets.load_dataset(str(folder), "annotations", cache_dir=str(cache))
    out: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for split in ds.values():
        span_f = split.features["spans"].feature
        rel_f = split.features["relations"].feature
        label_names = span_f["label"].names
        rel_names = rel_f["label"].names
        attr_f = span_f["attributes"]
        choice = {k: f.names for k, f in attr_f.items() if isinstance(f, datasets.ClassLabel)}
        for row in split:
            spans = []
            for s in row["spans"]:
                attrs = {}
                for k, v in s["attributes"].items():
                    if k in choice:
                        attrs[k] = "" if v is None else choice[k][v]
                    else:
                        attrs[k] = None if v is None else v
                spans.append({**s, "label": label_names[s["label"]], "attributes": attrs})
            rels = [{**r, "label": rel_names[r["label"]]} for r in row["relations"]]
            out[row["article_id"]].append({**row, "spans": spans, "relations": rels, "choice": set(choice)})
    return out


# -- the figures, by hand ------------------------------------------------------------------------


def _one_to_one(a: list[tuple[int, int]], b: list[tuple[int, int]]) -> int:
    if not a or not b:
        return 0
    cost = np.array([[0 if x[0] < y[1] and y[0] < x[1] else 1 for y in b] for x in a])
    rows, cols = linear_sum_assignment(cost)
    return int((cost[rows, cols] == 0).sum())


def _stance_map(rs, both, stances) -> dict:
    out: dict = {}
    for c, t, lab in sorted(rs):
        if lab in stances and c in both and t in both and c[0] == "CLAIM":
            out.setdefault((c, t), lab)
    return out


def article_stats(rows: list[dict[str, Any]], labels, rel_labels, stances, attrs) -> dict[str, Any]:
    """(numerator, denominator) per ratio figure and the α units of one article."""
    ratio: dict[str, list[int]] = defaultdict(lambda: [0, 0])

    def add(key: str, num: int, den: int) -> None:
        ratio[key][0] += num
        ratio[key][1] += den

    keys = [{(s["label"], s["start"], s["end"]) for s in r["spans"]} for r in rows]
    rels = []
    for r in rows:
        by_id = {s["id"]: (s["label"], s["start"], s["end"]) for s in r["spans"]}
        rels.append({(by_id[x["from_id"]], by_id[x["to_id"]], x["label"]) for x in r["relations"]})
    pairs = 0
    for i, j in itertools.combinations(range(len(rows)), 2):
        pairs += 1
        for lab in labels:
            sa = sorted((k[1], k[2]) for k in keys[i] if k[0] == lab)
            sb = sorted((k[1], k[2]) for k in keys[j] if k[0] == lab)
            for key, num in (
                ("span_f1_exact", 2 * len(set(sa) & set(sb))),
                ("span_f1_overlap", 2 * _one_to_one(sa, sb)),
            ):
                add(f"{key}.{lab}", num, len(sa) + len(sb))
                add(f"{key}.overall", num, len(sa) + len(sb))
        both = keys[i] & keys[j]
        ra = {r for r in rels[i] if r[0] in both and r[1] in both}
        rb = {r for r in rels[j] if r[0] in both and r[1] in both}
        for lab in rel_labels:
            xa, xb = {r for r in ra if r[2] == lab}, {r for r in rb if r[2] == lab}
            add(f"relation_f1.{lab}", 2 * len(xa & xb), len(xa) + len(xb))
            ya, yb = {r for r in rels[i] if r[2] == lab}, {r for r in rels[j] if r[2] == lab}
            add(f"relation_f1_strict.{lab}", 2 * len(ya & yb), len(ya) + len(yb))
        add("relation_f1.overall", 2 * len(ra & rb), len(ra) + len(rb))
        add("relation_f1_strict.overall", 2 * len(rels[i] & rels[j]), len(rels[i]) + len(rels[j]))

        ma, mb = _stance_map(rels[i], both, stances), _stance_map(rels[j], both, stances)
        for pair in set(ma) | set(mb):
            va, vb = ma.get(pair, "none"), mb.get(pair, "none")
            for s in stances:
                add(f"stance_f1.{s}", 2 * (va == vb == s), (va == s) + (vb == s))
    for s in stances:
        ratio.setdefault(f"stance_f1.{s}", [0, 0])

    units: dict[str, list[list[str]]] = defaultdict(list)
    stance_pairs = {(r[0], r[1]) for rs in rels for r in rs if r[2] in stances}
    for c, t in sorted(stance_pairs):
        if c[0] != "CLAIM" or t[0] != "TARGET":
            continue
        unit = []
        for k, rs in zip(keys, rels, strict=True):
            if c in k and t in k:
                found = sorted(r[2] for r in rs if r[0] == c and r[1] == t and r[2] in stances)
                unit.append(found[0] if found else "none")
        units["stance"].append(unit)
    for name, (owner, is_choice) in attrs.items():
        by_key: dict[tuple, list[str]] = defaultdict(list)
        for r in rows:
            for s in r["spans"]:
                if s["label"] == owner:
                    v = s["attributes"][name]
                    by_key[(s["label"], s["start"], s["end"])].append(
                        v if is_choice else ("" if v is None else v.strip().casefold())
                    )
        for values in by_key.values():
            if len(values) < 2:
                continue
            filled = [v for v in values if v]
            add(f"fill_rate.{name}", len(filled), len(values))
            units[name].append(values if is_choice else filled)
    return {"ratio": dict(ratio), "units": dict(units), "pairs": pairs}


def alpha_inputs(stats: list[dict[str, Any]], name: str) -> tuple[np.ndarray, np.ndarray]:
    """The value counts of every pairable unit of ``name`` (units × values) and each unit's article."""
    units = [(a, u) for a, s in enumerate(stats) for u in s["units"].get(name, []) if len(u) >= 2]
    values = sorted({v for _, u in units for v in u})
    counts = np.zeros((len(units), len(values)), dtype=np.int64)
    for k, (_, u) in enumerate(units):
        for v in u:
            counts[k, values.index(v)] += 1
    return counts, np.array([a for a, _ in units], dtype=np.int64)


def _alpha(counts: np.ndarray, unit_weights: np.ndarray) -> float | None:
    """α by the krippendorff package over the units, each repeated by its weight."""
    counts = np.repeat(counts, unit_weights, axis=0)
    if len(counts) == 0 or (counts.sum(axis=0) > 0).sum() < 2:
        return None
    return float(krippendorff.alpha(value_counts=counts, level_of_measurement="nominal"))


def figures(stats, inputs, weights: np.ndarray, stances) -> dict[str, float | None]:
    out: dict[str, float | None] = {}
    nums, dens, ratio_keys = inputs["ratio"]
    num, den = weights @ nums, weights @ dens
    for k, key in enumerate(ratio_keys):
        out[key] = float(num[k] / den[k]) if den[k] else None
    per = [out.get(f"stance_f1.{s}") for s in stances]
    defined = [v for v in per if v is not None]
    out["stance_macro_f1"] = sum(defined) / len(defined) if defined else None
    fa = [out.get(f"stance_f1.{s}") for s in F_AVG]
    out["stance_f_avg"] = None if None in fa else (fa[0] + fa[1]) / 2
    for name, (counts, unit_article) in inputs["alpha"].items():
        unit_weights = weights[unit_article]
        out[f"krippendorff_alpha.{name}"] = _alpha(counts, unit_weights)
        out[f"krippendorff_alpha_units.{name}"] = int(unit_weights.sum())
    return out


def recompute(articles: dict[str, list[dict[str, Any]]], gold_only: bool, spec_names) -> dict[str, Any]:
    labels, rel_labels, stances, attrs = spec_names
    ids = sorted(
        a
        for a, rows in articles.items()
        if sum(1 for r in rows if not r["review"]) >= 2 and (not gold_only or rows[0]["status"] == "gold")
    )
    stats = [
        article_stats([r for r in articles[a] if not r["review"]], labels, rel_labels, stances, attrs)
        for a in ids
    ]
    n = len(ids)
    ratio_keys = sorted({k for s in stats for k in s["ratio"]})
    inputs = {
        "ratio": (
            np.array([[s["ratio"].get(k, [0, 0])[0] for k in ratio_keys] for s in stats]).reshape(n, -1),
            np.array([[s["ratio"].get(k, [0, 0])[1] for k in ratio_keys] for s in stats]).reshape(n, -1),
            ratio_keys,
        ),
        "alpha": {name: alpha_inputs(stats, name) for name in ["stance", *attrs]},
    }
    point = figures(stats, inputs, np.ones(n, dtype=np.int64), stances)
    point["articles"], point["pairs"] = n, sum(s["pairs"] for s in stats)
    replicates: dict[str, list[float]] = defaultdict(list)
    rng = np.random.default_rng(SEED)
    for _ in range(REPLICATES if n else 0):
        w = np.bincount(rng.integers(0, n, size=n), minlength=n)
        for key, value in figures(stats, inputs, w, stances).items():
            if value is not None and not key.startswith("krippendorff_alpha_units"):
                replicates[key].append(value)
    ci = {}
    for key, value in point.items():
        vals = replicates.get(key, [])
        ci[key] = None if value is None or not vals else tuple(np.percentile(vals, [2.5, 97.5]))
    return {"point": point, "ci": ci}


# -- reading the card ------------------------------------------------------------------------------


def card_table(card: str) -> dict[str, list[str]]:
    section = card.split("## Annotation and agreement", 1)[1].split("\n## ", 1)[0]
    rows = {}
    for line in section.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 5 and cells[0] not in ("figure", "---"):
            rows[cells[0].strip("`")] = cells[1:]
    return rows


def _num(cell: str) -> float | None:
    return None if cell == "—" else float(cell)


def _ci(cell: str) -> tuple[float, float] | None:
    if cell == "—":
        return None
    lo, hi = re.fullmatch(r"\[(\S+), (\S+)\]", cell).groups()
    return float(lo), float(hi)


def check_card_against_release(out: Path, cache: Path) -> dict[str, Any]:
    from stancebank.schema.spec import SPEC

    spec_names = (
        SPEC.span_label_names,
        SPEC.relation_label_names,
        tuple(SPEC.stance_names),
        {a.name: (SPEC.attribute_owner(a.name).name, a.kind == "choice") for a in SPEC.attributes},
    )
    articles = released_annotations(out, cache)
    table = card_table((out / "README.md").read_text(encoding="utf-8"))
    got = {"all": recompute(articles, False, spec_names), "gold": recompute(articles, True, spec_names)}
    assert table, "no agreement table in the card"
    checked = 0
    for key, (all_v, all_ci, gold_v, gold_ci) in table.items():
        for which, value, ci in (("all", all_v, all_ci), ("gold", gold_v, gold_ci)):
            expected = got[which]["point"].get(key)
            assert key in got[which]["point"], f"card figure {key} not recomputed"
            if expected is None:
                assert value == "—", (which, key, value)
            elif isinstance(expected, int):
                assert int(value) == expected, (which, key, value, expected)
            else:
                assert _num(value) == pytest.approx(expected, abs=6e-4), (which, key, value, expected)
            expected_ci = got[which]["ci"].get(key)
            if expected_ci is None:
                assert ci == "—", (which, key, ci)
            else:
                assert _ci(ci) == pytest.approx(expected_ci, abs=6e-4), (which, key, ci, expected_ci)
            checked += 1
    return {"figures_checked": checked, "all": got["all"]["point"], "gold": got["gold"]["point"]}


def test_pilot_release_agreement_is_reproducible_from_its_annotations(tmp_path):
    out = tmp_path / "pilot"
    build_release([PILOT], "0.1.0", out, registry_path=tmp_path / "registry.json")
    result = check_card_against_release(out, tmp_path / "cache")
    # the pilot: user 2 annotated 11 articles, user 3 five of them → five doubly annotated
    assert result["all"]["articles"] == 5 and result["figures_checked"] >= 70


def test_generated_two_annotator_release_agreement_is_reproducible(tmp_path):
    from bench_export_gen import generate

    export = generate(tmp_path / "gen.json", 120)
    out = tmp_path / "gen"
    report = build_release([export], "1.0.0", out, registry_path=tmp_path / "registry.json")
    result = check_card_against_release(out, tmp_path / "cache")
    assert result["all"]["articles"] == 120
    # realistic disagreement: most articles wait for review, yet all are in the agreement
    assert report.methods["conflict"] > 60 and 0 < result["gold"]["articles"] < 120
    # the gold subset is selected by agreement: it agrees more than the whole
    assert result["gold"]["span_f1_exact.overall"] > result["all"]["span_f1_exact.overall"]
