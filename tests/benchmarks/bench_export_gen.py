"""Generate a synthetic Label Studio JSON export (streamed to disk) for the export benchmarks.

Each task: a ~1,200-character article of ten template sentences, a prediction, and
``annotators`` annotations of ~30 regions each (per sentence: ACTOR with type/name, CLAIM with
form, TARGET; a source and a stance relation per claim). Annotators disagree as real ones do
(the issue 15 export: 4,053 of 5,000 articles went to review): each annotator, per sentence and
independently, with probability ``noise`` each, shifts the claim's end (boundary), misses the
target (and so its stance), picks another actor type (attribute), or picks another stance — with
the default ``noise`` about 80-90% of two-annotator articles differ somewhere.
Usage: ``python bench_export_gen.py OUT.json N``.
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
SENTENCES = 10
# per sentence and annotator, the probability of each kind of disagreement
NOISE = 0.02


def _article(rng: random.Random, i: int) -> tuple[str, list[tuple[int, int, int, int, int, int]]]:
    parts: list[str] = []
    pos = 0
    triples = []
    for _ in range(SENTENCES):
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
    types = attr[type_attr].choices
    for k, (a0, a1, c0, c1, t0, t1) in enumerate(triples):
        shift, miss, retype, flip = (rng.random() < noise for _ in range(4))
        ids = (f"{tag}a{k}", f"{tag}c{k}", f"{tag}t{k}")
        actor_type = types[k % 3] if not retype else types[(k + 1) % 3]
        spans.append(
            Span(ids[0], actor, a0, a1, text[a0:a1], {type_attr: actor_type, name_attr: text[a0:a1]})
        )
        c_end = c1 - 2 if shift else c1
        spans.append(Span(ids[1], claim, c0, c_end, text[c0:c_end], {form_attr: "indirect"}))
        rels.append(Relation(ids[0], ids[1], SPEC.attribution_labels[0].name))
        if miss:
            continue
        spans.append(Span(ids[2], target, t0, t1, text[t0:t1]))
        # The article's stance for this claim, another stance when this annotator flips it.
        stance = stances[k]
        if flip:
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
            "result": _results(rng, triples, text, f"r{j}", NOISE, stances),
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
