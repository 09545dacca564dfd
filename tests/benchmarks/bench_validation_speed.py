"""Benchmark: validate a release with 1,000,000 gold spans (~50,000 documents).

Target (issue 6): ≤ 15 s and ≤ 2 GB peak RSS for ``validate_release_dir`` (parquet read, every
table check, splits, exact and near-duplicates, personal data, manifest, card, agreement).

The release is news-like: Zipf-distributed vocabulary of ~30,000 words in sentences and
paragraphs (~2,400 characters per article), ~30 % of the articles non-ASCII (curly quotes,
accented names), spans on word boundaries, 20 gold spans and ~13 relations per article; an
``annotations`` config in which 5 % of the articles are annotated by two pseudonymous annotators;
and planted problems so that the checks do real work: 0.5 % of the articles re-appear in another
split as an exact (case-changed) copy, 0.5 % as a near-duplicate (a word changed in the first
1,000 characters, a sentence appended).

The vectorised run is also timed with only the span / relation / attribute checks enabled, for a
like-for-like ratio against baseline (a). Baselines, measured in the same run on the same
release, each in its own child process (so peak RSS is theirs alone): a naive row-by-row Python
check (``pyarrow`` → ``to_pylist`` → dicts) of (a) the span / relation / attribute rules only,
and (b) the same rules as the full vectorised run: (a) plus splits, exact and near-duplicates
(shingle sets + an inverted index), personal data and the manifest hashes.

    .venv/bin/python tests/benchmarks/bench_validation_speed.py [--docs 50000] [--spans-per-doc 20]
        [--keep DIR]  (write the release to DIR, or reuse it when DIR exists)
        [--profile]   (cProfile of the vectorised run, top 40 by cumulative time)

The vectorised runs also print their CPU time (``time.process_time``: every thread of the process,
user + system): on a shared machine wall time varies several-fold between runs, CPU time by a few
per cent — compare two versions by it.
"""

from __future__ import annotations

import argparse
import importlib.util
import itertools
import json
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from stancebank.schema.sentences import split_sentences

HERE = Path(__file__).resolve().parent
FIXTURES = HERE.parent / "fixtures" / "validation" / "make_fixtures.py"
SYLLABLES = [
    "ba",
    "be",
    "bi",
    "bo",
    "bu",
    "da",
    "de",
    "di",
    "do",
    "ka",
    "ke",
    "ki",
    "ko",
    "la",
    "le",
    "li",
    "lo",
    "ma",
    "me",
    "mi",
    "mo",
    "na",
    "ne",
    "ni",
    "no",
    "ra",
    "re",
    "ri",
    "ro",
    "sa",
    "se",
    "si",
    "so",
    "ta",
    "te",
    "ti",
    "to",
    "va",
    "ve",
    "vi",
]
NON_ASCII = ["“", "”", "’", "é", "ü", "ł", "ö", "–"]


def _writer() -> Any:
    spec = importlib.util.spec_from_file_location("make_fixtures", FIXTURES)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class Corpus:
    """News-like text: Zipf vocabulary, sentences, paragraphs, some non-ASCII."""

    def __init__(self, rng: random.Random, vocab: int = 30_000) -> None:
        self.rng = rng
        words = set()
        while len(words) < vocab:
            words.add("".join(rng.choice(SYLLABLES) for _ in range(rng.choice((1, 2, 2, 3, 3, 4)))))
        self.words = sorted(words)
        self.cum_weights = list(itertools.accumulate(1 / (rank + 1) for rank in range(vocab)))

    def sentence(self, non_ascii: bool) -> str:
        n = self.rng.randrange(8, 26)
        words = self.rng.choices(self.words, cum_weights=self.cum_weights, k=n)
        words[0] = words[0].capitalize()
        if non_ascii and self.rng.random() < 0.3:
            i = self.rng.randrange(n)
            words[i] = f"{self.rng.choice(NON_ASCII)}{words[i]}{self.rng.choice(NON_ASCII)}"
        return " ".join(words) + self.rng.choice((".", ".", ".", ",", ";")) if n else ""

    def article(self, non_ascii: bool, words: int = 400) -> str:
        paragraphs, count = [], 0
        while count < words:
            sentences = [self.sentence(non_ascii) for _ in range(self.rng.randrange(2, 5))]
            count += sum(s.count(" ") + 1 for s in sentences)
            paragraphs.append(" ".join(sentences))
        return "\n\n".join(paragraphs)


def _spans(rng: random.Random, text: str, n: int) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    starts = [i + 1 for i, ch in enumerate(text) if ch == " "]
    picks = sorted(rng.sample(starts, n))
    spans = []
    for i, start in enumerate(picks):
        end = start
        for _ in range(rng.randrange(1, 7)):  # 1-6 words
            nxt = text.find(" ", end + 1)
            end = len(text) if nxt < 0 else nxt
        label = i % 3 if i < n - n % 3 else 2  # ACTOR, CLAIM, TARGET
        spans.append(
            {
                "id": f"r{i}",
                "label": label,
                "start": start,
                "end": end,
                "text": text[start:end],
                "attributes": {
                    "actor_type": rng.randrange(5) if label == 0 else None,
                    "actor_name": text[start:end] if label == 0 and rng.random() < 0.5 else None,
                    "claim_form": rng.randrange(3) if label == 1 else None,
                    "target_name": text[start:end].lower() if label == 2 and rng.random() < 0.5 else None,
                },
                "provenance": rng.randrange(3),  # accepted / edited / hand
            }
        )
    relations = []
    for i in range(0, n - n % 3, 3):
        relations.append({"from_id": f"r{i}", "to_id": f"r{i + 1}", "label": 0})  # source
        if i % 2 == 0:
            relations.append({"from_id": f"r{i + 1}", "to_id": f"r{i + 2}", "label": 1 + i % 3})  # stance
    return spans, relations


def make_release(root: Path, n_docs: int, spans_per_doc: int, seed: int = 7) -> dict[str, int]:
    rng = random.Random(seed)
    corpus = Corpus(rng)
    writer = _writer()
    docs: dict[str, list[dict[str, Any]]] = {"train": [], "validation": [], "test": []}
    anns: dict[str, list[dict[str, Any]]] = {"train": [], "validation": [], "test": []}
    order = ("train",) * 8 + ("validation", "test")
    stats = {"documents": 0, "spans": 0, "planted_exact": 0, "planted_near": 0}
    pseudonym = writer.Pseudonymizer(b"bench-key")
    texts: list[tuple[str, str]] = []
    for d in range(n_docs):
        split = order[d % 10]
        if d >= 100 and d % 200 == 0:  # an exact copy (case changed) of an earlier article, other split
            src_split, text = texts[rng.randrange(len(texts))]
            text = text.upper() if rng.random() < 0.5 else text
            split = next(s for s in ("test", "validation", "train") if s != src_split)
            stats["planted_exact"] += 1
        elif d >= 100 and d % 200 == 100:  # a near-duplicate: a word changed, a sentence added
            src_split, text = texts[rng.randrange(len(texts))]
            cut = text.find(" ", rng.randrange(100, 900))
            nxt = text.find(" ", cut + 1)
            text = text[:cut] + " " + rng.choice(corpus.words) + text[nxt:] + " " + corpus.sentence(False)
            split = next(s for s in ("test", "validation", "train") if s != src_split)
            stats["planted_near"] += 1
        else:
            text = corpus.article(non_ascii=rng.random() < 0.3)
        texts.append((split, text))
        spans, relations = _spans(rng, text, spans_per_doc)
        stats["spans"] += len(spans)
        docs[split].append(
            {
                "article_id": f"sb-{d:08x}",
                "title": f"Article {d}",
                "text": text,
                "url": f"https://news.example/{d}",
                "source": "bench",
                "published": "2025-01-02",
                "language": "en",
                "sentences": [{"start": a, "end": b} for a, b in split_sentences(text)],
                "spans": spans,
                "relations": relations,
                "num_annotators": 2 if d % 20 == 0 else 1,
            }
        )
        if d % 20 == 0:  # doubly annotated
            for n, user in enumerate(("17", "23")):
                anns[split].append(
                    {
                        "article_id": f"sb-{d:08x}",
                        "annotation_id": f"{d}-{n}",
                        "annotator": pseudonym(user),
                        "ground_truth": n == 0,
                        "review": False,
                        "status": "gold",
                        "gold_method": "ground_truth",
                        "text": text,
                        "spans": [
                            {**{k: v for k, v in sp.items() if k != "provenance"}, "gold_id": sp["id"]}
                            for sp in spans
                        ],
                        "relations": relations,
                    }
                )
    stats["documents"] = n_docs
    writer.write_release(root, {"documents": docs, "annotations": anns})
    return stats


# The span / relation / attribute rules only (like-for-like with the first naive baseline).
SPAN_RULES_ONLY = {
    "severity": dict.fromkeys(
        (
            "known_split",
            "one_split_per_article",
            "no_cross_split_duplicate",
            "no_cross_split_near_duplicate",
            "registry_agrees",
            "manifest_hashes",
            "card_features",
            "card_counts",
            "personal_data",
            "agreement_threshold",
            "agreement_advisory",
            "agreement_undefined",
        ),
        "off",
    )
}

CHILD_VECTORISED = """
import json, resource, sys, time
from collections import Counter
from stancebank.validation import validate_release_dir
t, cpu = time.perf_counter(), time.process_time()
report = validate_release_dir(sys.argv[1], config=sys.argv[2] if len(sys.argv) > 2 else None)
elapsed, cpu = time.perf_counter() - t, time.process_time() - cpu
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
found = dict(Counter(f.check for f in report.findings))
print(json.dumps({"seconds": elapsed, "cpu_seconds": cpu, "peak_rss_mb": rss, "findings": found,
                  "checked": report.checked}))
"""

CHILD_NAIVE = """
import hashlib, json, re, resource, sys, time
from collections import Counter, defaultdict
from pathlib import Path
import pyarrow.parquet as pq
from stancebank.schema.spec import SPEC
FULL = sys.argv[2] == "full"
root = Path(sys.argv[1])
t = time.perf_counter()
labels = list(SPEC.span_label_names); rels = list(SPEC.relation_label_names)
allowed = {(r.name, a, b) for r in SPEC.relation_labels for a in r.from_labels for b in r.to_labels}
owners = {a.name: {l.name for l in SPEC.span_labels if any(x.name == a.name for x in l.attributes)}
          for a in SPEC.attributes}
choices = {a.name: a.choices for a in SPEC.attributes if a.kind == "choice"}
claim = SPEC.role_label("claim"); source = SPEC.attribution_labels[0].name
errors = Counter(); n = 0
split_of = defaultdict(set); exact = defaultdict(set); shingles = {}
def check_doc(text, spans, relations, gold):
    global n
    ids = {}; seen_pos = set()
    for s in spans:
        n += 1
        label = labels[s["label"]] if 0 <= s["label"] < len(labels) else None
        if label is None: errors["known_label"] += 1
        if not (0 <= s["start"] < s["end"] <= len(text)): errors["span_within_text"] += 1
        elif text[s["start"]:s["end"]] != s["text"]: errors["span_text_matches"] += 1
        if s["id"] in ids: errors["unique_span_id"] += 1
        ids[s["id"]] = label
        key = (s["start"], s["end"], label)
        if key in seen_pos: errors["unique_span_position"] += 1
        seen_pos.add(key)
        for name, v in s["attributes"].items():
            if v is None: continue
            if label not in owners.get(name, ()): errors["known_attribute_value"] += 1
            elif name in choices and not 0 <= v < len(choices[name]): errors["known_attribute_value"] += 1
    sources = set()
    for r in relations:
        rl = rels[r["label"]]
        a, b = ids.get(r["from_id"]), ids.get(r["to_id"])
        if a is None or b is None: errors["relation_endpoints_exist"] += 1
        elif (rl, a, b) not in allowed: errors["relation_endpoint_labels"] += 1
        if r["from_id"] == r["to_id"]: errors["no_self_relation"] += 1
        if rl == source: sources.add(r["to_id"])
    if gold:
        for sid, label in ids.items():
            if label == claim and sid not in sources: errors["claim_has_source"] += 1
docs = {}
for path in sorted((root / "data").glob("*/*.parquet"), key=lambda p: (p.parent.name != "documents", p)):
    config, split = path.parent.name, path.name.split("-")[0]
    for row in pq.read_table(path).to_pylist():  # row by row, as dicts
        if config == "documents":
            docs[row["article_id"]] = row["text"]
            check_doc(row["text"], row["spans"], row["relations"], True)
            if FULL:
                split_of[row["article_id"]].add(split)
                digest = hashlib.blake2b(row["text"].lower().encode(), digest_size=8).digest()
                exact[digest].add((split, row["article_id"]))
                words = re.findall(r"\\w+", row["text"].casefold())  # as stancebank.schema.neardup
                shingles[(split, row["article_id"])] = {
                    hash(tuple(words[i:i + 5])) for i in range(max(len(words) - 4, 1))}
        elif config == "annotations":
            check_doc(docs.get(row["article_id"], ""), row["spans"], row["relations"], False)
            pattern = r"[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}"
            if FULL and ("@" in row["annotator"] or not re.fullmatch(pattern, row["annotator"])):
                errors["personal_data"] += 1
if FULL:
    errors["one_split_per_article"] = sum(len(s) > 1 for s in split_of.values())
    errors["no_cross_split_duplicate"] = sum(len({s for s, _ in v}) > 1 for v in exact.values())
    index = defaultdict(list)
    for key, sh in shingles.items():
        for h in sh: index[h].append(key)
    near = set()
    for key, sh in shingles.items():
        counts = Counter(other for h in sh for other in index[h] if other != key and other[0] != key[0])
        for other, inter in counts.items():
            if inter / (len(sh) + len(shingles[other]) - inter) >= 0.9: near.add(frozenset((key, other)))
    errors["no_cross_split_near_duplicate"] = len(near)
    manifest = json.loads((root / "release.json").read_text())
    for rel, digest in manifest["files"].items():
        if hashlib.sha256((root / rel).read_bytes()).hexdigest() != digest:
            errors["manifest_hashes"] += 1
elapsed = time.perf_counter() - t
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"seconds": elapsed, "peak_rss_mb": rss, "spans": n, "errors": dict(errors)}))
"""


def run_child(code: str, *args: str) -> dict[str, Any]:
    out = subprocess.run([sys.executable, "-c", code, *args], check=True, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def profile(root: Path) -> None:
    import cProfile
    import pstats

    from stancebank.validation import validate_release_dir

    profiler = cProfile.Profile()
    profiler.runcall(validate_release_dir, root)
    pstats.Stats(profiler).sort_stats("cumulative").print_stats(40)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--docs", type=int, default=50_000)
    parser.add_argument("--spans-per-doc", type=int, default=20)
    parser.add_argument("--keep", type=Path, default=None)
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="bench-validation-"))
    root = args.keep or tmp / "release"
    try:
        if not root.exists():
            t = time.perf_counter()
            stats = make_release(root, args.docs, args.spans_per_doc)
            print(f"generated {stats} in {time.perf_counter() - t:.0f}s")
        if args.profile:
            profile(root)
            return
        span_config = tmp / "span-rules.yaml"
        span_config.write_text(json.dumps(SPAN_RULES_ONLY))  # JSON is YAML
        vec = run_child(CHILD_VECTORISED, str(root))
        vec_spans = run_child(CHILD_VECTORISED, str(root), str(span_config))
        naive = run_child(CHILD_NAIVE, str(root), "spans")
        full = run_child(CHILD_NAIVE, str(root), "full")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print(f"checked: {vec['checked']}")
    print(
        f"vectorised validate_release_dir (all checks): {vec['seconds']:6.2f} s "
        f"(CPU {vec['cpu_seconds']:.2f} s), peak RSS {vec['peak_rss_mb']:5.0f} MB, findings {vec['findings']}"
    )
    print(
        f"vectorised, span/relation/attribute rules only: {vec_spans['seconds']:6.2f} s "
        f"(CPU {vec_spans['cpu_seconds']:.2f} s), peak RSS {vec_spans['peak_rss_mb']:5.0f} MB, "
        f"findings {vec_spans['findings']}"
    )
    print(
        f"naive row-by-row, span/relation/attribute rules: {naive['seconds']:6.2f} s, "
        f"peak RSS {naive['peak_rss_mb']:5.0f} MB, errors {naive['errors']}"
    )
    print(
        f"naive row-by-row, the same rules as vectorised:  {full['seconds']:6.2f} s, "
        f"peak RSS {full['peak_rss_mb']:5.0f} MB, errors {full['errors']}"
    )
    print(
        f"speed-up, like for like: span rules {naive['seconds'] / vec_spans['seconds']:.2f}x, "
        f"all rules {full['seconds'] / vec['seconds']:.2f}x "
        f"(all vectorised checks vs naive span rules only: {naive['seconds'] / vec['seconds']:.2f}x)"
    )
    met = vec["seconds"] <= 15 and vec["peak_rss_mb"] <= 2048
    print(f"targets ≤ 15 s and ≤ 2048 MB peak RSS: {'met' if met else 'NOT met'}")


if __name__ == "__main__":
    main()
