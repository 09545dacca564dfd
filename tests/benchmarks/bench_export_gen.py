"""Generate a synthetic Label Studio JSON export (streamed to disk) for the export benchmarks.

Each task: a ~900-character article of template sentences, a prediction, and ``annotators``
annotations that mostly agree (each sentence: ACTOR with type/name, CLAIM with form, TARGET;
source and stance relations; each claim's stance drawn per article and flipped by an annotator
with a small probability). Usage: ``python bench_export_gen.py OUT.json N``.
"""

from __future__ import annotations

import json
import random
import sys
from pathlib import Path
from typing import Any

from stancebank.schema.model import Relation, Span
from stancebank.schema.spec import SPEC
from stancebank.schema.wire import to_results

NAMES = ["Anna Berg", "The ministry", "Local residents", "Acme Corp", "The mayor", "Union leaders"]
TARGETS = ["the new tariffs", "a ceasefire", "the bridge", "the budget", "wind farms", "the merger"]
VERBS = ["said", "argued", "warned", "claimed"]


def _article(rng: random.Random, i: int) -> tuple[str, list[tuple[int, int, int, int, int, int]]]:
    parts: list[str] = []
    pos = 0
    triples = []
    for _ in range(6):
        actor, target, verb = rng.choice(NAMES), rng.choice(TARGETS), rng.choice(VERBS)
        claim = f"{target} would be a serious mistake for the region"
        sentence = f"{actor} {verb} that {claim}, according to reports from article {i}. "
        a0 = pos
        c0 = pos + len(actor) + len(verb) + 7
        t0 = c0
        triples.append((a0, a0 + len(actor), c0, c0 + len(claim), t0, t0 + len(target)))
        parts.append(sentence)
        pos += len(sentence)
    return "".join(parts), triples


def _results(
    rng: random.Random,
    triples: list[tuple[int, ...]],
    text: str,
    tag: str,
    noise: float,
    stances: list[str],
) -> list[Any]:
    actor, claim, target = (SPEC.role_label(r) for r in ("actor", "claim", "target"))  # type: ignore[arg-type]
    attr = {a.name: a for a in SPEC.attributes}
    type_attr, name_attr = (a.name for a in SPEC.span_label(actor).attributes)
    form_attr = SPEC.span_label(claim).attributes[0].name
    spans: list[Span] = []
    rels: list[Relation] = []
    for k, (a0, a1, c0, c1, t0, t1) in enumerate(triples[:4]):
        drop = rng.random() < noise
        ids = (f"{tag}a{k}", f"{tag}c{k}", f"{tag}t{k}")
        spans.append(
            Span(
                ids[0],
                actor,
                a0,
                a1,
                text[a0:a1],
                {type_attr: attr[type_attr].choices[k % 3], name_attr: text[a0:a1]},
            )
        )
        spans.append(Span(ids[1], claim, c0, c1 - (2 if drop else 0), text[c0:c1], {form_attr: "indirect"}))
        spans.append(Span(ids[2], target, t0, t1, text[t0:t1]))
        rels.append(Relation(ids[0], ids[1], SPEC.attribution_labels[0].name))
        # The article's stance for this claim, flipped to another stance with probability `noise`
        # (so agreement is realistic: Krippendorff's alpha for stance around 0.9 at noise 0.04).
        stance = stances[k]
        if rng.random() < noise:
            stance = rng.choice([s for s in SPEC.stance_names if s != stance])
        rels.append(Relation(ids[1], ids[2], stance))
    return list(to_results(spans, rels))


def task(rng: random.Random, i: int, annotators: int = 2) -> dict[str, Any]:
    text, triples = _article(rng, i)
    stances = [rng.choice(SPEC.stance_names) for _ in triples]
    anns = [
        {
            "id": i * 10 + j,
            "completed_by": {"id": 100 + (i + j) % 7, "email": f"user{j}@example.org"},
            "result": _results(rng, triples, text, f"r{j}", 0.04, stances),
            "was_cancelled": False,
            "ground_truth": False,
            "created_at": "2025-01-01T00:00:00Z",
            "updated_at": "2025-01-01T00:00:00Z",
            "lead_time": 30.0,
        }
        for j in range(annotators)
    ]
    return {
        "id": i,
        "data": {
            "text": text,
            "article_id": f"bench-{i:07d}",
            "title": f"Article {i}",
            "language": "en",
            "url": f"https://news.example/{i}",
            "source": "news.example",
            "published": "2025-01-01",
        },
        "annotations": anns,
        "predictions": [
            {"model_version": "bench", "result": _results(rng, triples, text, "p", 0.3, stances)}
        ],
        "drafts": [],
    }


def generate(path: Path, n: int, annotators: int = 2, seed: int = 0) -> Path:
    rng = random.Random(seed)
    with path.open("w", encoding="utf-8") as fh:
        fh.write("[")
        for i in range(n):
            if i:
                fh.write(",\n")
            fh.write(json.dumps(task(rng, i, annotators), ensure_ascii=False))
        fh.write("]\n")
    return path


if __name__ == "__main__":
    generate(Path(sys.argv[1]), int(sys.argv[2]))
