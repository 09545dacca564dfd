# ruff: noqa: E501
"""Speed of `stancebank tasks build` (a script, not a test; numbers are ratios to baselines measured
in the same run, wall and CPU time — the machine is shared, so CPU time is the steadier one).

- without pre-annotation: articles/s on 3,000-character articles, vs. a bare read+json+NFC+split
  loop over the same file;
- with pre-annotation: words/s of one worker vs. a bare ``nlp.pipe`` (the model as spaCy loads it)
  over the same texts;
- 1 → 2 worker scaling on enough articles that process start-up does not dominate;
- peak RSS of this process and of the largest worker.

The articles are synthetic but varied: headlines, leads, quotes in several styles, reported speech,
speech acts, "according to", background and event sentences, with names, places, organisations,
topics and numbers drawn at random, and the boilerplate scraped news carries (skip links, "Read
more:" lines, comment trailers) in some of them.

Run: .venv/bin/python tests/benchmarks/bench_tasks_speed.py [--articles 3000] [--annotate 300]
     [--scaling 2000] [--no-cli]
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
import unicodedata
from collections.abc import Callable
from pathlib import Path
from typing import Any

from stancebank.tasks.build import DEFAULT_MODEL, BuildOptions, build_tasks

FIRST = ["Ana", "Marta", "Oleh", "Lukas", "Grace", "Henrik", "Iryna", "Pavel", "Sofia", "Tomas", "Natalia", "Radu", "Elena", "Daniel", "Miriam", "Rui", "Selin", "Viktor", "Jonas", "Helena", "Arkady", "Ivo", "Lena", "Karl"]  # fmt: skip
LAST = ["Petrova", "Lindqvist", "Danylenko", "Berger", "Okafor", "Vos", "Kovalchuk", "Gromov", "Reinholt", "Novak", "Rusu", "Pop", "Marin", "Osei", "Kalnins", "Matos", "Aydin", "Orlov", "Eriksen", "Brandt", "Vogt", "Ames", "Quorn", "Brill"]  # fmt: skip
TITLES = [
    "Foreign Minister", "Deputy Prime Minister", "Finance Minister", "Mayor", "Governor",
    "Defence Secretary", "union leader", "chief negotiator", "party spokeswoman", "Senator",
]  # fmt: skip
ROLES = [
    "the mayor", "a senior diplomat", "the finance director", "a spokesman for the ministry",
    "an analyst at a Bucharest consultancy", "the union's general secretary", "a port official",
]  # fmt: skip
ORGS = [
    "the European Commission", "the city council", "the rail union", "the chamber of commerce",
    "the energy regulator", "the transport ministry", "NATO", "the World Bank", "the port authority",
    "the farmers' association", "the central bank", "Danubia Gas", "the steelworkers' federation",
]  # fmt: skip
GROUPS = [
    "Residents",
    "Consumer groups",
    "Opposition councillors",
    "Grain traders",
    "Several parents",
    "Economists",
]
PLACES = ["Geneva", "Brussels", "Kyiv", "Lisbon", "Warsaw", "Vilnius", "Bucharest", "Oslo", "Norhaven", "Istanbul", "Riga", "Tallinn", "Prague", "Vienna", "Zagreb", "Bergen"]  # fmt: skip
TOPICS = [
    "the ceasefire proposal", "the new tariffs", "the budget cuts", "the gas transit deal",
    "security guarantees", "the pension reform", "the rail strike", "grain exports", "the tax rise",
    "the prisoner exchange", "the housing plan", "military aid", "the fishing quotas", "new sanctions",
    "the ferry timetable", "the steel quota", "the monitoring mission", "the wage offer",
    "the bridge project", "the school meals programme", "the night trains", "the water charges",
]  # fmt: skip
JUDGEMENTS = [
    "unacceptable", "long overdue", "reckless", "a step forward", "too expensive", "premature",
    "fair to everyone", "a betrayal of voters", "the only realistic option", "dangerous for exporters",
    "a waste of public money", "the least painful choice", "impossible to enforce",
]  # fmt: skip
SAY = ["said", "argued", "warned", "insisted", "told reporters", "stressed", "added", "noted", "claimed"]
ACTS = ["rejected", "welcomed", "called for a review of", "criticised", "backed", "condemned"]
DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
MONTHS = ["January", "March", "April", "June", "September", "October", "November", "December"]


class Story:
    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.people = [f"{rng.choice(FIRST)} {rng.choice(LAST)}" for _ in range(3)]
        self.topic = rng.choice(TOPICS)
        self.place = rng.choice(PLACES)

    def pick(self, items: list[str]) -> str:
        return self.rng.choice(items)

    def person(self) -> str:
        return self.pick(self.people)

    def n(self) -> int:
        return self.rng.randint(2, 950)

    def quote(self) -> str:
        body = self.pick(
            [
                f"We will not accept {self.pick(TOPICS)} on these terms",
                f"Nobody in {self.pick(PLACES)} wants {self.topic} to fail",
                f"This is {self.pick(JUDGEMENTS)}, and everyone at the table knows it",
                f"We need {self.n()} more days to agree on {self.pick(TOPICS)}",
                f"If {self.topic} goes ahead, {self.n()} families will pay the price",
            ]
        )
        style = self.pick(["“{}”", "“{}”", '"{}"', "«{}»"])
        verb = self.pick(["said", "added", "insisted"])
        return self.pick(
            [
                style.format(body + ",") + f" {verb} {self.pick(TITLES)} {self.person()}.",
                style.format(body + ",")
                + f" {self.person()} {verb} in {self.pick(PLACES)} on {self.pick(DAYS)}.",
                f"{self.person()} put it bluntly: " + style.format(body + "."),
            ]
        )

    def sentence(self) -> str:
        kind = self.rng.random()
        if kind < 0.22:
            return self.quote()
        if kind < 0.45:
            who = self.pick([self.person(), _cap(self.pick(ROLES)), _cap(self.pick(ORGS)), "He", "She"])
            return f"{who} {self.pick(SAY)} that {self.pick(TOPICS)} was {self.pick(JUDGEMENTS)}."
        if kind < 0.55:
            return f"{self.pick(GROUPS)} {self.pick(ACTS)} {self.pick(TOPICS)} on {self.pick(DAYS)}."
        if kind < 0.62:
            return f"According to {self.pick(ORGS)}, {self.topic} would cost about {self.n()} million euros."
        return self.pick(
            [
                f"Talks resumed in {self.pick(PLACES)} on {self.pick(DAYS)} after a pause of {self.n() % 12 + 2} weeks.",
                f"About {self.n()},000 people live in the districts affected by {self.topic}.",
                f"The vote on {self.pick(TOPICS)} is expected before the end of {self.pick(MONTHS)}.",
                f"Officials from {self.pick(ORGS)} met delegates in {self.place} for {self.n() % 9 + 2} hours.",
                f"Prices rose by {self.n() % 40 + 1} percent in {self.pick(MONTHS)}, the steepest increase in years.",
                f"{_cap(self.pick(ORGS))} published its annual report in {self.place} on {self.pick(DAYS)}.",
                f"The plan was first presented in {self.pick(MONTHS)} {self.rng.randint(2015, 2025)}.",
            ]
        )


def _cap(phrase: str) -> str:
    return phrase[:1].upper() + phrase[1:]


def make_article(rng: random.Random, i: int, size: int = 3000) -> str:
    story = Story(rng)
    head = f"{story.pick(GROUPS)} split over {story.topic} as {story.place} talks stall"
    parts = []
    if rng.random() < 0.3:
        parts.append("Skip to content")
    parts += [head, f"{story.place.upper()} — " + story.sentence()]
    while sum(len(p) + 2 for p in parts) < size - 200:
        parts.append(" ".join(story.sentence() for _ in range(rng.randint(1, 3))))
        if rng.random() < 0.05:
            parts.append(f"Read more: {story.pick(GROUPS)} react to {story.pick(TOPICS)}")
    if rng.random() < 0.3:
        parts += ["Comments", "Great article, thanks!"]
    return "\n\n".join(parts)[:size]


def _timed(fn: Callable[[], Any]) -> tuple[Any, float, float]:
    w0, c0 = time.perf_counter(), time.process_time()
    out = fn()
    return out, time.perf_counter() - w0, time.process_time() - c0


def _write(path: Path, texts: list[str]) -> Path:
    path.write_text("".join(json.dumps({"text": t, "language": "en"}) + "\n" for t in texts), "utf-8")
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=3000, help="articles for the --no-preannotate run")
    parser.add_argument("--annotate", type=int, default=300, help="articles for the 1-worker comparison")
    parser.add_argument(
        "--scaling", type=int, default=2000, help="articles for the 1 vs 2 workers run (0: skip)"
    )
    parser.add_argument(
        "--cli",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="also time `stancebank tasks build --no-preannotate` as a subprocess",
    )
    args = parser.parse_args()
    rng = random.Random(7)
    n = args.articles
    texts = [make_article(rng, i) for i in range(n)]
    with tempfile.TemporaryDirectory() as tmp:
        path = _write(Path(tmp) / "articles.jsonl", texts)

        def baseline() -> None:
            for line in path.read_text("utf-8").splitlines():
                unicodedata.normalize("NFC", json.loads(line)["text"]).split("\n")

        _, base_w, base_c = _timed(baseline)
        result, fast_w, fast_c = _timed(lambda: build_tasks([path], BuildOptions(preannotate=False)))
        assert len(result.tasks) == n, (len(result.tasks), result.skipped[:3])
        print(f"--no-preannotate, {n} articles x 3,000 chars:")
        print(f"  {n / fast_w:,.0f} articles/s wall, {n / fast_c:,.0f} articles/s CPU (target 2,000)")
        print(
            f"  baseline read+json+NFC+split: {n / base_w:,.0f}/s wall, {n / base_c:,.0f}/s CPU; "
            f"build/baseline time ratio {fast_w / base_w:.1f}x wall, {fast_c / base_c:.1f}x CPU"
        )
        if args.cli:
            # The whole command as a user runs it: interpreter and imports, build, tasks.json written.
            exe = str(Path(sys.executable).with_name("stancebank"))
            out = Path(tmp) / "tasks.json"
            _, start_w, _ = _timed(lambda: subprocess.run([exe, "--help"], check=True, capture_output=True))
            _, cli_w, _ = _timed(
                lambda: subprocess.run(
                    [exe, "tasks", "build", str(path), "--out", str(out), "--no-preannotate"],
                    check=True,
                    capture_output=True,
                )
            )
            print(
                f"  the command end to end: {n / cli_w:,.0f} articles/s wall ({cli_w:.2f} s, of which start-up "
                f"(`stancebank --help`) {start_w:.2f} s; {n / (cli_w - start_w):,.0f}/s without it)"
            )

        if not args.annotate:
            return
        import spacy

        from stancebank.tasks.preannotate import get_preannotator

        m = min(n, args.annotate)
        sub = _write(Path(tmp) / "sub.jsonl", texts[:m])
        sub_words = sum(len(t.split()) for t in texts[:m])
        bare_nlp = spacy.load(DEFAULT_MODEL)
        list(bare_nlp.pipe(texts[:10]))
        _, bare_w, bare_c = _timed(lambda: [None for _ in bare_nlp.pipe(texts[:m], batch_size=16)])
        annotator = get_preannotator(DEFAULT_MODEL)
        annotator.annotate_many(texts[:10])
        _, ann_w, ann_c = _timed(lambda: build_tasks([sub], BuildOptions(workers=1)))
        _, bare_w2, bare_c2 = _timed(lambda: [None for _ in bare_nlp.pipe(texts[:m], batch_size=16)])
        bare_w, bare_c = min(bare_w, bare_w2), min(bare_c, bare_c2)
        print(
            f"pre-annotation, 1 worker, {m} articles, {sub_words:,} words (pipeline: {annotator.nlp.pipe_names}):"
        )
        print(
            f"  {sub_words / ann_w:,.0f} words/s wall, {sub_words / ann_c:,.0f} words/s CPU (target 4,000 per worker)"
        )
        print(
            f"  bare nlp.pipe (full model): {sub_words / bare_w:,.0f} words/s wall, {sub_words / bare_c:,.0f} CPU; "
            f"speed ratio build/bare {bare_w / ann_w:.2f}x wall, {bare_c / ann_c:.2f}x CPU"
        )
        stats = annotator.stats
        if stats.get("chars"):
            print(f"  text sent through the parser: {stats['parsed_chars'] / stats['chars']:.0%}")

        if args.scaling:
            k = args.scaling
            more = texts[:k] if k <= n else texts + [make_article(rng, i) for i in range(n, k)]
            big = _write(Path(tmp) / "big.jsonl", more)
            big_words = sum(len(t.split()) for t in more)
            timings = {}
            for workers in (1, 2):
                res, wall, _ = _timed(lambda w=workers: build_tasks([big], BuildOptions(workers=w)))
                timings[workers] = wall
                assert sum(1 for t in res.tasks if t.get("predictions")) == len(res.tasks) > 0
            print(f"scaling, {k} articles, {big_words:,} words:")
            print(
                f"  1 worker {big_words / timings[1]:,.0f} words/s, 2 workers {big_words / timings[2]:,.0f} words/s; "
                f"1→2 speed-up {timings[1] / timings[2]:.2f}x (ideal 2.00x; includes spawning and model loading)"
            )
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"peak RSS: main process {own:,.0f} MiB, largest worker {kids:,.0f} MiB")


if __name__ == "__main__":
    main()
