"""A generated article corpus with planted exact duplicates, near-duplicates (chains of them too),
repeated ids, non-English articles and broken records, spread over .txt, .jsonl and .csv files so
that duplicates straddle files (and hence shards). Deterministic for a seed.

Used by the engine determinism tests and the scaling benchmark: the texts are plain sentences built
from word lists (real English for the language detector and the pre-annotator: speakers, quotes,
reported speech), so every stage does its real work.
"""

from __future__ import annotations

import csv
import io
import json
import random
from dataclasses import dataclass
from pathlib import Path

SPEAKERS = [
    "Maria Petrova", "Lukas Berger", "Grace Okafor", "Henrik Vos", "Iryna Danylenko", "Tomas Novak"
]  # fmt: skip
ROLES = ["the foreign minister", "the mayor", "a union leader", "the finance director", "a senior diplomat"]
ORGS = ["the city council", "the European Commission", "NATO", "the energy regulator", "the port authority"]
TOPICS = ["a ceasefire", "the new budget", "steel tariffs", "the gas transit deal", "rent controls"]
PLACES = ["Geneva", "Brussels", "Kyiv", "Bucharest", "Vienna", "Oslo", "Tallinn"]
VERBS = ["said", "told reporters", "argued", "warned", "insisted", "added"]
MONTHS = ["2024-01", "2024-02", "2024-03", "2025-06"]
OUTLETS = ["Danube Wire", "Harbour Times", "Capital Post"]
FRENCH = (
    "Le ministre a déclaré mardi que le cessez-le-feu devait être respecté par toutes les parties. "
    "Les négociations reprendront la semaine prochaine à Genève, selon plusieurs diplomates. "
)


def _sentence(rng: random.Random, i: int) -> str:
    who, role, org = rng.choice(SPEAKERS), rng.choice(ROLES), rng.choice(ORGS)
    topic, place, verb = rng.choice(TOPICS), rng.choice(PLACES), rng.choice(VERBS)
    n = rng.randrange(2, 900)
    forms = [
        f'"We will not accept {topic} on these terms," {who} {verb} in {place} on day {n}.',
        f"{who}, {role}, {verb} that {org} would oppose {topic} unless {n} conditions were met.",
        f"According to {org}, talks on {topic} in {place} had stalled for {n} days.",
        f"{org.capitalize()} supports {topic}, {role} {verb}, citing {n} letters from residents.",
        f"Officials met in {place} for the {n}th round, and {topic} remained on the agenda.",
    ]
    return forms[(i + n) % len(forms)]


def article_text(rng: random.Random, words: int = 250) -> str:
    """A headline line and paragraphs of about ``words`` words."""
    sentences: list[str] = []
    count = 0
    while count < words:
        s = _sentence(rng, len(sentences))
        sentences.append(s)
        count += len(s.split())
    paragraphs = [" ".join(sentences[i : i + 3]) for i in range(0, len(sentences), 3)]
    title = f"{rng.choice(ORGS).capitalize()} and {rng.choice(TOPICS)}: talks in {rng.choice(PLACES)}"
    return title + "\n\n" + "\n\n".join(paragraphs) + "\n"


def near_copy(rng: random.Random, text: str) -> str:
    """The text with one word of a late paragraph changed (Jaccard well above 0.9 for 250 words)."""
    words = text.split(" ")
    k = len(words) - 1 - rng.randrange(1, max(2, len(words) // 4))
    words[k] = words[k] + "s"
    return " ".join(words)


@dataclass(frozen=True)
class Planted:
    articles: int
    exact: int
    near: int
    same_id: int


def write_corpus(
    root: Path, articles: int, *, seed: int = 7, words: int = 250, per_file: int = 25
) -> Planted:
    """Write ``articles`` unique articles (plus planted copies) under ``root``: every 4th file is a
    folder of .txt files, the others .jsonl or .csv files of ``per_file`` records."""
    rng = random.Random(seed)
    texts = [article_text(rng, words) for _ in range(articles)]
    records: list[dict[str, str]] = []
    exact = near = same_id = 0
    for i, text in enumerate(texts):
        published = f"{MONTHS[i % len(MONTHS)]}-1{i % 10}"
        record = {"text": text, "source": OUTLETS[i % len(OUTLETS)], "published": published}
        if i % 11 == 5:
            record["id"] = f"wire-{i}"
        records.append(record)
        if i % 9 == 3 and i > 0:  # an exact copy of an earlier article, later in the corpus
            records.append({"text": texts[rng.randrange(i)], "source": OUTLETS[0]})
            exact += 1
        if i % 7 == 2:  # a near-duplicate, and sometimes a near-duplicate of that (a chain)
            copy = near_copy(rng, text)
            records.append({"text": copy, "source": OUTLETS[1]})
            near += 1
            if i % 14 == 2:
                records.append({"text": near_copy(rng, copy), "source": OUTLETS[2]})
                near += 1
        if i % 23 == 5:  # a different text under an id already used
            records.append({"text": article_text(rng, words), "id": f"wire-{i}"})
            same_id += 1
        if i % 31 == 30:
            records.append({"text": FRENCH * 3, "language": "fr"})
    rng.shuffle(records)  # duplicates land before or after their originals, in other files
    root.mkdir(parents=True, exist_ok=True)
    for f, lo in enumerate(range(0, len(records), per_file)):
        chunk = records[lo : lo + per_file]
        if f % 4 == 3:
            folder = root / f"batch-{f:04d}"
            folder.mkdir()
            for k, r in enumerate(chunk):
                (folder / f"a{k:03d}.txt").write_text(r["text"], encoding="utf-8")
        elif f % 4 == 1:
            buf = io.StringIO(newline="")
            writer = csv.DictWriter(buf, fieldnames=["id", "text", "source", "published", "language"])
            writer.writeheader()
            writer.writerows(chunk)
            (root / f"feed-{f:04d}.csv").write_text(buf.getvalue(), encoding="utf-8")
        else:
            lines = [json.dumps(r, ensure_ascii=False) for r in chunk]
            if f % 8 == 0:
                lines.insert(1, '{"text": "a broken record')  # rejected, reported with its line
            (root / f"feed-{f:04d}.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (root / "empty.txt").write_text("\n\n", encoding="utf-8")
    return Planted(articles, exact, near, same_id)
