"""Quality of the rule pre-annotator on the dev gold (the adjudicated pilot annotations).

Builds tasks from data/raw with pre-annotation, resolves data/pilot/pilot.yaml against them and
prints actor P/R/F1 (exact and overlap), claim overlap P/R/F1, speaker accuracy and stance accuracy
over the English articles (the French one is built without pre-annotation). Targets on this kind of
news: claim overlap-F1 >= 0.85, speaker accuracy >= 0.90 (printed as ratios to the target).

    .venv/bin/python tests/benchmarks/bench_tasks_quality.py [--errors] [--model NAME]

``--errors`` lists the missed and spurious claims and the wrong speakers per article.
"""

from __future__ import annotations

import argparse
import logging
import time
from pathlib import Path

from stancebank.schema.model import Relation, Span
from stancebank.tasks.build import DEFAULT_MODEL, BuildOptions, build_tasks
from stancebank.tasks.evaluate import (
    ACTOR_NAME,
    CLAIM,
    SOURCE,
    Scores,
    match_spans,
    score_article,
    spans_from_results,
)
from stancebank.tasks.language import is_english
from stancebank.tasks.pilot import load_pilot, match_task, resolve_annotation

REPO = Path(__file__).resolve().parents[2]
RAW = REPO / "data" / "raw"
PILOT = REPO / "data" / "pilot" / "pilot.yaml"
CLAIM_F1_TARGET = 0.85
SPEAKER_TARGET = 0.90


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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--errors", action="store_true", help="list claim and speaker errors")
    parser.add_argument("--model", default=DEFAULT_MODEL)
    args = parser.parse_args()
    logging.basicConfig(level=logging.ERROR)

    t0 = time.perf_counter()
    result = build_tasks([RAW], BuildOptions(preannotate=True, model=args.model))
    elapsed = time.perf_counter() - t0
    articles = load_pilot(PILOT)
    total = Scores()
    rows: list[tuple[str, Scores]] = []
    skipped = []
    for article in articles:
        task = match_task(article, result.tasks)
        data = task["data"]
        if not is_english(data.get("language")):
            skipped.append(article.key)
            continue
        text = data["text"]
        truth = next(a for a in article.annotations if article.is_ground_truth(a.annotator))
        gold, grels = resolve_annotation(article, truth, text)
        preds = task.get("predictions") or []
        pred, prels = spans_from_results(preds[0]["result"]) if preds else ([], [])
        scores = score_article(pred, prels, gold, grels)
        rows.append((article.key, scores))
        total = total + scores
        if args.errors:
            _errors(article.key, pred, prels, gold, grels)

    print(f"\nDev gold: {len(rows)} English pilot articles (skipped, not English: {', '.join(skipped)})")
    print(f"build with pre-annotation: {elapsed:.1f}s, model {result.model_version}\n")
    print(f"{'article':34} {'claims P/R/F1 (overlap)':>24} {'speaker':>9} {'stance':>9}")
    for key, s in rows:
        c = s.claims_overlap
        print(
            f"{key[:34]:34} {c.precision:7.2f} {c.recall:6.2f} {c.f1:6.2f}   "
            f"{s.speaker.correct:>3}/{s.speaker.total:<3} {s.stance.correct:>3}/{s.stance.total:<3}"
        )
    print("\nmicro-averaged over all articles:")
    print(f"{'':24} {'P':>6} {'R':>6} {'F1':>6}   (matched/pred/gold)")
    for name, c in (
        ("ACTOR exact", total.actors_exact),
        ("ACTOR overlap", total.actors_overlap),
        ("CLAIM exact", total.claims_exact),
        ("CLAIM overlap", total.claims_overlap),
    ):
        print(
            f"{name:24} {c.precision:6.3f} {c.recall:6.3f} {c.f1:6.3f}   ({c.matched}/{c.predicted}/{c.gold})"
        )
    sp, st = total.speaker, total.stance
    print(f"{'speaker accuracy':24} {sp.value:6.3f}   ({sp.correct}/{sp.total} matched gold claims)")
    print(f"{'stance accuracy':24} {st.value:6.3f}   ({st.correct}/{st.total} matched claim-target pairs)")
    print(
        f"\nvs targets: claim overlap-F1 {total.claims_overlap.f1:.3f} / {CLAIM_F1_TARGET} = "
        f"{total.claims_overlap.f1 / CLAIM_F1_TARGET:.2f}x; speaker accuracy {sp.value:.3f} / "
        f"{SPEAKER_TARGET} = {sp.value / SPEAKER_TARGET:.2f}x"
    )


if __name__ == "__main__":
    main()
