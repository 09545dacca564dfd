"""Quality of the rule pre-annotator: the dev sets (the pilot, and new topics) and the held-out set,
side by side.

- **dev (pilot)**: data/raw with the adjudicated pilot gold (data/pilot/pilot.yaml). The rules were
  written and tuned on it: its figures are a smoke test, not a result. The French article is built
  without pre-annotation and left out.
- **dev (new topics)**: data/dev/ — twenty-two articles on topics the pilot does not have, with
  their own catalogue (data/dev/README.md): ten written as dev data and the twelve of the first
  held-out set, retired to dev on 2026-12-02 because a rule was widened after a held-out figure was
  read. Rules may be tuned on all of them.
- **held-out**: data/heldout/ — articles on topics the package and the dev sets do not know, gold
  annotated before any pre-annotator output was seen. Never tune a rule on it (data/heldout/README.md).
  While a retired set is being replaced the folder has no articles and the column reads n/a.

Per topic (one article each) and in total, without and with the set's target catalogue: claim
overlap P/R/F1, speaker accuracy, ACTOR exact F1 and, over the stance-bearing gold claims (those
with at least one stance relation), the share whose matched predicted claim takes a stance on one
of their gold targets ("target found": the predicted TARGET overlaps a gold TARGET of the claim or
carries the same ``target_name``) and the share where it is the gold stance ("right stance"). An
unmatched gold claim counts as neither. The other side of "no cue, no stance": over the matched gold
claims that take no stance, the share whose predicted claim is given one ("stance on no-stance", a
wrong suggestion an annotator must delete; no issue target, lower is better). The issue-14 targets
on held-out topics are printed beside.

"With catalogue" passes the set's ``[[targets]]`` (data/stancebank.toml for the pilot, each other
set's own stancebank.toml) to the pre-annotator; "without" builds with none (targets from the
claims' syntax, no ``target_name``). Both pass the set's known actors (``[[actors]]``, if any).

    .venv/bin/python tests/benchmarks/bench_tasks_quality.py [--dev-only] [--errors] [--buckets]
        [--model NAME]

``--buckets`` counts, for the **dev** sets only, why the stance-bearing gold claims miss the right
stance (:func:`miss_bucket`): the claim is not matched; the stance is misread; it is on another
target; or there is none — then where the gold target's catalogue mention is (in the claim,
earlier in its paragraph, earlier in the article, nowhere) or, without a catalogue, whether the
claim's syntax gives a target at all, and whether the claim has a cue (all its cues agree).

``--dev-only`` builds and prints the dev sets only: the held-out set is not read, built or scored
(its column reads "skipped"). Use it while tuning a rule, so that no held-out figure is seen until the
one measurement at the end.

``--errors`` lists the missed and spurious claims, the wrong speakers, the stance-bearing claims
without the right stance (gold and predicted targets) and the no-stance claims given one, of the
**dev** sets only, with the catalogue when the set has one: the held-out set's errors are not
printed, so that nobody tunes on them.
"""

from __future__ import annotations

import argparse
import dataclasses
import logging
import sys
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sbtest.heldout import ARTICLES as HELDOUT_ARTICLES
from sbtest.heldout import CATALOGUE as HELDOUT_CATALOGUE
from sbtest.heldout import (
    DEV_ARTICLES,
    DEV_CATALOGUE,
    TARGET_NAME,
    HeldoutGold,
    heldout_present,
    load_dev_gold,
    load_gold,
)

from stancebank.schema.model import Relation, Span
from stancebank.schema.project import load_project
from stancebank.tasks.build import DEFAULT_MODEL, BuildOptions, build_tasks
from stancebank.tasks.evaluate import (
    ACTOR_NAME,
    CLAIM,
    SOURCE,
    STANCES,
    Counts,
    Scores,
    match_spans,
    overlap,
    score_article,
    spans_from_results,
)
from stancebank.tasks.language import is_english
from stancebank.tasks.pilot import PilotArticle, load_pilot, match_task, resolve_annotation
from stancebank.tasks.preannotate import catalogue_key, load_cues
from stancebank.tasks.preannotate.mentions import Catalogue
from stancebank.tasks.preannotate.polarity import claim_stance
from stancebank.tasks.preannotate.target_syntax import syntax_proposal

REPO = Path(__file__).resolve().parents[2]
RAW = REPO / "data" / "raw"
PILOT = REPO / "data" / "pilot" / "pilot.yaml"
PILOT_CATALOGUE = REPO / "data" / "stancebank.toml"
"""The demo's project file: its [[targets]] are the sample corpus's themes (the pilot's catalogue)."""

# Issue 14's targets on held-out topics (benchmark figures, never timed or asserted in tests).
CLAIM_F1_TARGET = 0.88
CLAIM_P_TARGET = 0.85
SPEAKER_TARGET = 0.92
FOUND_TARGET = {False: 0.50, True: 0.75}  # keyed by "with catalogue"
RIGHT_TARGET = {False: 0.40, True: 0.65}


# -- stance coverage over stance-bearing gold claims ----------------------------------------------


@dataclass(frozen=True)
class Coverage:
    claims: int = 0
    found: int = 0
    right: int = 0
    # matched gold claims without any stance, and how many of them the prediction gives a stance
    # (a wrong suggestion: "no cue, no stance" made measurable)
    unstanced: int = 0
    false_stance: int = 0

    def __add__(self, other: Coverage) -> Coverage:
        return Coverage(
            self.claims + other.claims,
            self.found + other.found,
            self.right + other.right,
            self.unstanced + other.unstanced,
            self.false_stance + other.false_stance,
        )

    @property
    def found_share(self) -> float:
        return self.found / self.claims if self.claims else 0.0

    @property
    def right_share(self) -> float:
        return self.right / self.claims if self.claims else 0.0

    @property
    def false_stance_share(self) -> float:
        return self.false_stance / self.unstanced if self.unstanced else 0.0


def _stance_pairs(spans: Sequence[Span], relations: Sequence[Relation]) -> dict[str, list[tuple[Span, str]]]:
    by_id = {s.id: s for s in spans}
    out: dict[str, list[tuple[Span, str]]] = {}
    for rel in relations:
        if rel.label in STANCES and rel.from_id in by_id and rel.to_id in by_id:
            out.setdefault(rel.from_id, []).append((by_id[rel.to_id], rel.label))
    return out


def same_target(predicted: Span, gold: Span) -> bool:
    """Overlapping spans, or the same canonical ``target_name`` (a catalogue may name a mention
    elsewhere in the text than the one the annotator marked)."""
    name = gold.attributes.get(TARGET_NAME)
    return overlap(predicted, gold) > 0 or (bool(name) and predicted.attributes.get(TARGET_NAME) == name)


def stance_coverage(
    predicted: Sequence[Span],
    predicted_relations: Sequence[Relation],
    gold: Sequence[Span],
    gold_relations: Sequence[Relation],
) -> Coverage:
    matched = match_spans(
        [s for s in predicted if s.label == CLAIM], [s for s in gold if s.label == CLAIM], exact=False
    )
    gold_to_pred = {g: p for p, g in matched.items()}
    pred_pairs = _stance_pairs(predicted, predicted_relations)
    gold_pairs = _stance_pairs(gold, gold_relations)
    total = Coverage()
    for gid, pairs in gold_pairs.items():
        candidates = pred_pairs.get(gold_to_pred.get(gid, ""), [])
        hits = [(p_label, g_label) for t, p_label in candidates for g, g_label in pairs if same_target(t, g)]
        total = total + Coverage(1, int(bool(hits)), int(any(p == g for p, g in hits)))
    for gid, pid in gold_to_pred.items():
        if gid not in gold_pairs:
            total = total + Coverage(unstanced=1, false_stance=int(pid in pred_pairs))
    return total


# -- the two sets -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class GoldArticle:
    topic: str
    article: PilotArticle
    spans_for: Callable[[str], tuple[list[Span], list[Relation]]]
    """Task text → the adjudicated gold spans and relations resolved against it."""


@dataclass(frozen=True)
class EvalSet:
    name: str
    inputs: tuple[Path, ...]
    articles: tuple[GoldArticle, ...]
    catalogue: Path | None


def _truth(article: PilotArticle) -> Callable[[str], tuple[list[Span], list[Relation]]]:
    annotation = next(a for a in article.annotations if article.is_ground_truth(a.annotator))
    return lambda text: resolve_annotation(article, annotation, text)


def _topic(article: PilotArticle) -> str:
    """One article per topic: the file's stem, with the record id for a batch file."""
    stem = Path(article.file).stem
    return stem if article.record is None else f"{stem}:{article.record}"


def dev_set() -> EvalSet:
    articles = tuple(GoldArticle(_topic(a), a, _truth(a)) for a in load_pilot(PILOT))
    return EvalSet("dev (pilot)", (RAW,), articles, PILOT_CATALOGUE)


HELDOUT_NAME = "held-out"
HELDOUT_ABSENT = "n/a (data/heldout/ has no articles: the last set was retired to dev)"
HELDOUT_SKIPPED = "skipped (--dev-only)"


def heldout_set() -> EvalSet | None:
    """The held-out set, or None while data/heldout/ holds its README only."""
    if not heldout_present():
        return None
    return _gold_set(HELDOUT_NAME, load_gold(), HELDOUT_ARTICLES, HELDOUT_CATALOGUE)


def dev_new_set() -> EvalSet:
    return _gold_set("dev (new topics)", load_dev_gold(), DEV_ARTICLES, DEV_CATALOGUE)


def _gold_set(name: str, gold: HeldoutGold, folder: Path, catalogue: Path) -> EvalSet:

    def named(article: PilotArticle) -> Callable[[str], tuple[list[Span], list[Relation]]]:
        resolve = _truth(article)

        def spans_for(text: str) -> tuple[list[Span], list[Relation]]:
            spans, relations = resolve(text)
            names = {sid: n for (file, sid), n in gold.target_names.items() if file == article.file}
            spans = [
                dataclasses.replace(s, attributes={**s.attributes, TARGET_NAME: names[s.id]})
                if s.id in names
                else s
                for s in spans
            ]
            return spans, relations

        return spans_for

    articles = tuple(GoldArticle(_topic(a), a, named(a)) for a in gold.articles)
    return EvalSet(name, (folder,), articles, catalogue)


def catalogue_options(options: BuildOptions, catalogue: Path | None) -> tuple[BuildOptions | None, str]:
    """Options that hand the pre-annotator the set's catalogue (the ``[[targets]]`` of its project
    file), or None and the reason why not."""
    if catalogue is None:
        return None, "n/a (no catalogue for this set)"
    targets = load_project(catalogue).targets
    if not targets:
        return None, f"n/a ({catalogue} has no [[targets]])"
    return dataclasses.replace(options, catalogue=targets), ""


@dataclass(frozen=True)
class Row:
    topic: str
    scores: Scores
    coverage: Coverage


@dataclass
class Run:
    rows: list[Row] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    seconds: float = 0.0
    model_version: str | None = None
    buckets: Counter[str] = field(default_factory=Counter)

    @property
    def scores(self) -> Scores:
        return sum((r.scores for r in self.rows), Scores())

    @property
    def coverage(self) -> Coverage:
        return sum((r.coverage for r in self.rows), Coverage())


def miss_bucket(
    text: str,
    claim: Span | None,
    predicted: Sequence[tuple[Span, str]],
    gold: Sequence[tuple[Span, str]],
    catalogue: Catalogue | None,
) -> str:
    """Why one stance-bearing gold claim (its ``gold`` (TARGET, stance) pairs) has the right stance
    or not, given its matched predicted ``claim`` and that claim's ``predicted`` pairs."""
    if claim is None:
        return "claim not matched"
    hits = [p == g for t, p in predicted for gt, g in gold if same_target(t, gt)]
    if any(hits):
        return "right"
    if hits:
        return "target found, stance misread"
    if predicted:
        return "stance on another target"
    body = text[claim.start : claim.end]
    cue = "cue" if claim_stance(body, load_cues()) is not None else "no cue"
    if catalogue is None:
        where = (
            "no target from its syntax" if syntax_proposal(body, load_cues()) is None else "a syntax target"
        )
        return f"no stance: {where}, {cue}"
    mentions = catalogue.mentions(text)
    names = {n for gt, _ in gold if (n := gt.attributes.get(TARGET_NAME))}
    names |= {n for m0, m1, n in mentions for gt, _ in gold if m0 < gt.end and gt.start < m1}
    starts = [m0 for m0, _, n in mentions if n in names]
    paragraph = text.rfind("\n\n", 0, claim.start) + 1
    if any(claim.start <= m < claim.end for m in starts):
        where = "gold target's mention in the claim"
    elif any(paragraph <= m < claim.start for m in starts):
        where = "... earlier in its paragraph"
    elif any(m < claim.start for m in starts):
        where = "... earlier in the article"
    else:
        where = "... not before it, or not in the catalogue"
    return f"no stance: {where}, {cue}"


def evaluate(eval_set: EvalSet, options: BuildOptions, errors: bool = False, buckets: bool = False) -> Run:
    t0 = time.perf_counter()
    result = build_tasks(list(eval_set.inputs), options)
    run = Run(seconds=time.perf_counter() - t0, model_version=result.model_version)
    for gold_article in eval_set.articles:
        task = match_task(gold_article.article, result.tasks)
        data = task["data"]
        if not is_english(data.get("language")):
            run.skipped.append(gold_article.topic)
            continue
        gold, grels = gold_article.spans_for(data["text"])
        preds = task.get("predictions") or []
        pred, prels = spans_from_results(preds[0]["result"], data["text"]) if preds else ([], [])
        run.rows.append(
            Row(
                gold_article.topic,
                score_article(pred, prels, gold, grels),
                stance_coverage(pred, prels, gold, grels),
            )
        )
        if errors:
            _errors(gold_article.topic, pred, prels, gold, grels)
        if buckets:
            run.buckets.update(_buckets(data["text"], pred, prels, gold, grels, options))
    return run


def _buckets(
    text: str,
    pred: list[Span],
    prels: list[Relation],
    gold: list[Span],
    grels: list[Relation],
    options: BuildOptions,
) -> Counter[str]:
    matched = match_spans(
        [s for s in pred if s.label == CLAIM], [s for s in gold if s.label == CLAIM], exact=False
    )
    gold_to_pred = {g: p for p, g in matched.items()}
    by_id = {s.id: s for s in pred}
    pred_pairs = _stance_pairs(pred, prels)
    catalogue = Catalogue.build(catalogue_key(options.catalogue)) if options.catalogue else None
    out: Counter[str] = Counter()
    for gid, pairs in _stance_pairs(gold, grels).items():
        pid = gold_to_pred.get(gid)
        claim = by_id.get(pid) if pid else None
        out[miss_bucket(text, claim, pred_pairs.get(pid or "", []), pairs, catalogue)] += 1
    return out


# -- printing -------------------------------------------------------------------------------------


def _speaker_of(claim_id: str, spans: dict[str, Span], relations: list[Relation]) -> str:
    for rel in relations:
        if rel.label == SOURCE and rel.to_id == claim_id and rel.from_id in spans:
            actor = spans[rel.from_id]
            return f"{actor.text!r}→{actor.attributes.get(ACTOR_NAME)}"
    return "(none)"


def _errors(
    key: str, pred: list[Span], prels: list[Relation], gold: list[Span], grels: list[Relation]
) -> None:
    pc = [s for s in pred if s.label == CLAIM]
    gc = [s for s in gold if s.label == CLAIM]
    matched = match_spans(pc, gc, exact=False)
    pby, gby = {s.id: s for s in pred}, {s.id: s for s in gold}
    g2p = {g: p for p, g in matched.items()}
    print(f"--- {key}")
    for g in gc:
        if g.id not in g2p:
            print(f"  MISSED  {g.text[:90]!r}  [{_speaker_of(g.id, gby, grels)}]")
    for p in pc:
        if p.id not in matched:
            print(f"  SPURIOUS {p.text[:90]!r}  [{_speaker_of(p.id, pby, prels)}]")
    pairs = _stance_pairs(pred, prels)
    for gid, gold_pairs in _stance_pairs(gold, grels).items():
        predicted = pairs.get(g2p.get(gid, ""), [])
        hit = any(p == g for t, p in predicted for gt, g in gold_pairs if same_target(t, gt))
        if g2p.get(gid) and not hit:
            wanted = ", ".join(f"{g}:{t.text[:40]!r}" for t, g in gold_pairs)
            got = ", ".join(f"{p}:{t.text[:40]!r}" for t, p in predicted) or "(none)"
            print(f"  STANCE  {gby[gid].text[:70]!r}: gold {wanted}; pred {got}")
    gold_stanced = _stance_pairs(gold, grels)
    for gid, pid in g2p.items():
        if gid not in gold_stanced and pid in pairs:
            got = ", ".join(f"{p}:{t.text[:40]!r}" for t, p in pairs[pid])
            print(f"  NO-STANCE {gby[gid].text[:70]!r}: gold none; pred {got}")
    for pid, gid in matched.items():
        ps = score_article(
            [pby[pid], *[s for s in pred if s.label != CLAIM]],
            prels,
            [gby[gid], *[s for s in gold if s.label != CLAIM]],
            grels,
        ).speaker
        if ps.total and not ps.correct:
            print(
                f"  SPEAKER {gby[gid].text[:60]!r}: gold {_speaker_of(gid, gby, grels)} "
                f"pred {_speaker_of(pid, pby, prels)}"
            )


def _frac(n: int, d: int) -> str:
    return f"{n:>3}/{d:<3}"


def print_topics(title: str, run: Run) -> None:
    print(f"\n{title}: {len(run.rows)} topics, build with pre-annotation {run.seconds:.1f}s")
    if run.skipped:
        print(f"  (not English, built without pre-annotation and left out: {', '.join(run.skipped)})")
    print(
        f"  {'topic':28} {'claims P':>8} {'R':>5} {'F1':>5}  {'speaker':>7}  {'ACTOR ex F1':>11}"
        f"  {'target found':>12}  {'right stance':>12}  {'no-stance given one':>19}"
    )
    for row in [*run.rows, Row("total (micro)", run.scores, run.coverage)]:
        c, s, cov = row.scores.claims_overlap, row.scores, row.coverage
        print(
            f"  {row.topic[:28]:28} {c.precision:8.2f} {c.recall:5.2f} {c.f1:5.2f}  "
            f"{_frac(s.speaker.correct, s.speaker.total)}  {s.actors_exact.f1:11.2f}  "
            f"{_frac(cov.found, cov.claims):>12}  {_frac(cov.right, cov.claims):>12}  "
            f"{_frac(cov.false_stance, cov.unstanced):>19}"
        )


def print_buckets(run: Run) -> None:
    """The counts of :func:`miss_bucket` (``--buckets``), most frequent first."""
    if run.buckets:
        print("  why stance-bearing gold claims miss the right stance:")
        for bucket, n in sorted(run.buckets.items(), key=lambda kv: (-kv[1], kv[0])):
            print(f"    {n:4}  {bucket}")


def _counts(c: Counts) -> str:
    return f"({c.matched}/{c.predicted}/{c.gold})"


def summary_lines(run: Run) -> dict[str, str]:
    s, cov = run.scores, run.coverage
    co = s.claims_overlap
    return {
        "claim overlap P": f"{co.precision:.3f}",
        "claim overlap R": f"{co.recall:.3f}",
        "claim overlap F1": f"{co.f1:.3f} {_counts(co)}",
        "speaker accuracy": f"{s.speaker.value:.3f} ({s.speaker.correct}/{s.speaker.total})",
        "ACTOR exact F1": f"{s.actors_exact.f1:.3f} {_counts(s.actors_exact)}",
        "ACTOR overlap F1": f"{s.actors_overlap.f1:.3f} {_counts(s.actors_overlap)}",
        "CLAIM exact F1": f"{s.claims_exact.f1:.3f} {_counts(s.claims_exact)}",
        "target found": f"{cov.found_share:.3f} ({cov.found}/{cov.claims})",
        "right stance": f"{cov.right_share:.3f} ({cov.right}/{cov.claims})",
        "stance acc. (pairs)": f"{s.stance.value:.3f} ({s.stance.correct}/{s.stance.total})",
        "stance on no-stance": f"{cov.false_stance_share:.3f} ({cov.false_stance}/{cov.unstanced})",
    }


TARGET_TEXT = {
    "claim overlap P": f">= {CLAIM_P_TARGET}",
    "claim overlap F1": f">= {CLAIM_F1_TARGET}",
    "speaker accuracy": f">= {SPEAKER_TARGET}",
    "target found": f">= {FOUND_TARGET[False]} / {FOUND_TARGET[True]}",
    "right stance": f">= {RIGHT_TARGET[False]} / {RIGHT_TARGET[True]}",
}


def print_summary(columns: list[tuple[str, Run | str]]) -> None:
    print("\nmicro-averaged, side by side (matched/predicted/gold; target found and right stance over")
    print("stance-bearing gold claims; stance on no-stance: matched gold claims without a stance that")
    print("the prediction gives one, a wrong suggestion):")
    width = max(24, *(len(name) + 2 for name, _ in columns))
    header = f"{'':22}" + "".join(f"{name:>{width}}" for name, _ in columns) + f"{'held-out target':>22}"
    print(header)
    print(f"{'':22}" + "".join(f"{'':>{width}}" for _ in columns) + f"{'(no cat. / cat.)':>22}")
    lines = {name: summary_lines(run) if isinstance(run, Run) else None for name, run in columns}
    for key in summary_lines(Run()):
        cells = [f"{(value[key] if (value := lines[name]) else 'n/a'):>{width}}" for name, _ in columns]
        print(f"{key:22}" + "".join(cells) + f"{TARGET_TEXT.get(key, ''):>22}")
    for name, run in columns:
        if isinstance(run, str):
            print(f"  {name}: {run}")


def print_vs_targets(run: Run, with_catalogue: bool) -> None:
    s, cov = run.scores, run.coverage
    checks = [
        ("claim overlap F1", s.claims_overlap.f1, CLAIM_F1_TARGET),
        ("claim overlap P", s.claims_overlap.precision, CLAIM_P_TARGET),
        ("speaker accuracy", s.speaker.value, SPEAKER_TARGET),
        ("target found", cov.found_share, FOUND_TARGET[with_catalogue]),
        ("right stance", cov.right_share, RIGHT_TARGET[with_catalogue]),
    ]
    label = "with" if with_catalogue else "without"
    print(f"\nheld-out vs issue-14 targets ({label} catalogue):")
    for name, value, target in checks:
        verdict = "met" if value >= target else "NOT met"
        print(f"  {name:18} {value:.3f} / {target:.2f} = {value / target:.2f}x  {verdict}")


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--errors", action="store_true", help="list claim and speaker errors (dev set only)")
    parser.add_argument(
        "--dev-only", action="store_true", help="skip the held-out set entirely (use while tuning)"
    )
    parser.add_argument(
        "--buckets", action="store_true", help="count why stance-bearing claims miss (dev sets only)"
    )
    parser.add_argument("--model", default=DEFAULT_MODEL)
    args = parser.parse_args()
    logging.basicConfig(level=logging.ERROR)

    columns: list[tuple[str, Run | str]] = []
    heldout = None if args.dev_only else heldout_set()
    for eval_set in (dev_set(), dev_new_set(), heldout):
        if eval_set is None and args.dev_only:
            columns += [
                (f"{HELDOUT_NAME}, no cat.", HELDOUT_SKIPPED),
                (f"{HELDOUT_NAME}, catalogue", HELDOUT_SKIPPED),
            ]
            continue
        if eval_set is None:
            print(f"\n{HELDOUT_NAME}: {HELDOUT_ABSENT}")
            columns += [
                (f"{HELDOUT_NAME}, no cat.", HELDOUT_ABSENT),
                (f"{HELDOUT_NAME}, catalogue", HELDOUT_ABSENT),
            ]
            continue
        # the set's known actors ([[actors]] of its project file) in both columns: "without
        # catalogue" leaves out the [[targets]] only
        actors = load_project(eval_set.catalogue).actors if eval_set.catalogue else ()
        base = BuildOptions(preannotate=True, model=args.model, actors=actors)
        errors = args.errors and eval_set.name.startswith("dev")
        buckets = args.buckets and eval_set.name.startswith("dev")
        plain = evaluate(eval_set, base, errors=errors and eval_set.catalogue is None, buckets=buckets)
        print_topics(f"{eval_set.name}, without catalogue", plain)
        print_buckets(plain)
        columns.append((f"{eval_set.name}, no cat.", plain))
        options, why_not = catalogue_options(base, eval_set.catalogue)
        if options is None:
            print(f"{eval_set.name}, with catalogue: {why_not}")
            columns.append((f"{eval_set.name}, catalogue", why_not))
        else:
            with_cat = evaluate(eval_set, options, errors=errors, buckets=buckets)
            print_topics(f"{eval_set.name}, with catalogue {eval_set.catalogue}", with_cat)
            print_buckets(with_cat)
            columns.append((f"{eval_set.name}, catalogue", with_cat))
        if plain.model_version:
            print(f"model {plain.model_version}")
    print_summary(columns)
    heldout_runs = [run for name, run in columns if name.startswith(HELDOUT_NAME) and isinstance(run, Run)]
    for run, with_catalogue in zip(heldout_runs, (False, True), strict=False):
        print_vs_targets(run, with_catalogue)


if __name__ == "__main__":
    main()
