"""A target catalogue proposed from a corpus (``stancebank tasks targets``), for projects that have
none yet.

The articles are pre-annotated without a catalogue, so each stance-bearing claim proposes the
object of its stance cue ("rejected the new parking levy" → "the new parking levy") or the subject
an evaluating predicate judges ("the levy would hurt shops" → "the levy"). The word n-grams of
those targets (up to three words, no function word at either end: "parking levy", "levy") are
counted over the corpus: in how many claims' targets they occur, and in how many articles (titles
included) they occur at all. Phrases that recur come first. The result prints as ``[[targets]]``
tables ready to paste into ``stancebank.toml`` — to review, merge and rename: the names are the
corpus's words, not canonical names anyone chose.
"""

from __future__ import annotations

import dataclasses
import json
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from stancebank.schema.spec import SPEC
from stancebank.schema.wire import LSTask
from stancebank.tasks.build import BuildOptions, BuildResult, build_tasks
from stancebank.tasks.evaluate import spans_from_results
from stancebank.tasks.preannotate import load_cues

DEFAULT_TOP = 20
MIN_RECURRENCE = 2
"""A phrase is proposed when at least this many claims take a stance on it or this many articles
mention it."""
EXAMPLES = 2
MAX_ALIASES = 6
MAX_ALIAS_WORDS = 4
MAX_EXAMPLE_CHARS = 160

_TARGET = SPEC.role_label("target")
_CLAIM = SPEC.role_label("claim")
_STANCES = set(SPEC.stance_names)
MAX_NGRAM = 3
_WORD = re.compile(r"[\w'’-]+")
_FUNCTION_WORDS = frozenset(
    [
        "a",
        "an",
        "the",
        "any",
        "to",
        "from",
        "into",
        "onto",
        "with",
        "without",
        "of",
        "for",
        "by",
        "at",
        "in",
        "on",
        "than",
        "then",
        "that",
        "this",
        "those",
        "these",
        "not",
        "no",
        "never",
        "would",
        "will",
        "could",
        "should",
        "must",
        "can",
        "may",
        "might",
        "do",
        "does",
        "did",
        "has",
        "have",
        "had",
        "both",
        "each",
        "other",
        "keep",
        "make",
        "take",
        "give",
        "get",
        "put",
        "let",
        "about",
        "after",
        "against",
        "among",
        "across",
        "before",
        "between",
        "despite",
        "during",
        "over",
        "since",
        "through",
        "under",
        "until",
        "upon",
        "via",
        "within",
        "first",
        "called",
        "instead",
    ]
)
_LEADING = re.compile(r"^(?:(?:a|an|the|any|this|that|these|those|its|their|our|his|her|such)\s+)+", re.I)


def target_key(phrase: str) -> str:
    """A phrase as counted: case folded, whitespace collapsed, leading determiners and possessives
    dropped ("The parking levy" → "parking levy")."""
    words = " ".join(phrase.split()).strip(" ,.;:'\"“”")
    stripped = _LEADING.sub("", words)
    return (stripped or words).casefold()


def candidate_phrases(target: str, stop: frozenset[str]) -> set[str]:
    """The word n-grams (1 to :data:`MAX_NGRAM` words) of a proposed target that could name an
    issue: no function word at either end, a word of at least four letters, and ending where a noun
    phrase ends — at the target's end or before a function word ("joint fund to finance weapons" →
    "joint fund"; an English noun phrase ends with its head); a single word only as the target's
    last word ("a joint fund" → "fund", never the modifier "joint" or a verb like "concede")."""
    words = [w.casefold() for w in _WORD.findall(target)]
    out: set[str] = set()
    for n in range(1, MAX_NGRAM + 1):
        for i in range(len(words) - n + 1):
            gram = words[i : i + n]
            if gram[0] in stop or gram[-1] in stop:
                continue
            if i + n < len(words) and (n == 1 or words[i + n] not in stop):
                continue  # a modifier ("joint" in "joint fund"), or one word not at the end
            if any(len(w) >= 4 and w.isalpha() for w in gram):
                out.add(" ".join(gram))
    return out


@dataclass
class Proposal:
    """One proposed catalogue entry."""

    name: str
    claims: set[tuple[str, str]] = field(default_factory=set)
    """(article id, claim id) of the claims whose proposed target holds the phrase."""
    articles: set[str] = field(default_factory=set)
    stances: Counter[str] = field(default_factory=Counter)
    aliases: Counter[str] = field(default_factory=Counter)
    examples: list[tuple[str, str]] = field(default_factory=list)
    """(article id, claim text)."""


def _task_proposals(task: LSTask, out: dict[str, Proposal], stop: frozenset[str]) -> None:
    data = task["data"]
    article_id = str(data.get("article_id") or task.get("id") or "")
    for prediction in task.get("predictions") or []:
        spans, relations = spans_from_results(prediction.get("result", []), str(data.get("text", "")))
        by_id = {s.id: s for s in spans}
        for rel in relations:
            claim, target = by_id.get(rel.from_id), by_id.get(rel.to_id)
            if rel.label not in _STANCES or claim is None or target is None:
                continue
            if claim.label != _CLAIM or target.label != _TARGET:
                continue
            for phrase in candidate_phrases(target.text, stop):
                proposal = out.setdefault(phrase, Proposal(phrase))
                if (article_id, claim.id) in proposal.claims:
                    continue
                proposal.claims.add((article_id, claim.id))
                proposal.stances[rel.label] += 1
                proposal.aliases[target_key(target.text)] += 1
                if len(proposal.examples) < EXAMPLES:
                    proposal.examples.append((article_id, claim.text))


def propose_from_tasks(tasks: Sequence[LSTask], top: int = DEFAULT_TOP) -> list[Proposal]:
    """The ``top`` proposals of pre-annotated tasks: the phrases of the proposed targets that most
    claims share, then that most articles (titles included) mention, longer phrases first on a tie;
    a phrase inside (or around) one already chosen with no more claims is left out, and so is a
    phrase that does not recur (:data:`MIN_RECURRENCE`)."""
    stop = stop_words()
    proposals: dict[str, Proposal] = {}
    for task in tasks:
        _task_proposals(task, proposals, stop)
    if not proposals:
        return []
    pattern = re.compile(
        r"(?<!\w)(?:" + "|".join(re.escape(k) for k in sorted(proposals, key=len, reverse=True)) + r")(?!\w)",
        re.I,
    )
    mentioned: dict[str, set[str]] = defaultdict(set)
    for task in tasks:
        data = task["data"]
        article_id = str(data.get("article_id") or task.get("id") or "")
        text = f"{data.get('title') or ''}\n{data.get('text') or ''}"
        for match in pattern.finditer(text):
            mentioned[match.group(0).casefold()].add(article_id)
    for key, proposal in proposals.items():
        proposal.articles = mentioned.get(key, set()) | {a for a, _ in proposal.claims}
    ranked = sorted(
        proposals.values(), key=lambda p: (-len(p.claims), -len(p.articles), -len(p.name.split()), p.name)
    )
    chosen: list[Proposal] = []
    for p in ranked:
        if len(chosen) >= top:
            break
        if len(p.claims) < MIN_RECURRENCE and len(p.articles) < MIN_RECURRENCE:
            continue  # one claim in one article: not yet a topic of the corpus
        if any(_nested(p.name, c.name) and len(p.claims) <= len(c.claims) for c in chosen):
            continue
        chosen.append(p)
    return chosen


def stop_words() -> frozenset[str]:
    """Words a proposed phrase neither starts nor ends with (and an alias holds none of)."""
    return load_cues().not_targets | _FUNCTION_WORDS


def is_alias(name: str, phrase: str, stop: frozenset[str]) -> bool:
    """Whether a proposed target's text can be an alias of the entry ``name``: it ends with the
    name (its head) and only modifiers come before it ("western guarantees" for "guarantees"; not
    "come with guarantees", "pause without guarantees" or "ceasefire now")."""
    words, head = phrase.split(), name.split()
    if len(words) <= len(head) or words[-len(head) :] != head or len(words) > MAX_ALIAS_WORDS:
        return False
    return not any(w in stop for w in words[: -len(head)])


def _nested(a: str, b: str) -> bool:
    return f" {a} " in f" {b} " or f" {b} " in f" {a} "


def propose_targets(
    inputs: Iterable[Path], options: BuildOptions | None = None, top: int = DEFAULT_TOP
) -> tuple[list[Proposal], BuildResult]:
    """Build (and pre-annotate, without a catalogue) the inputs, then propose targets."""
    base = options if options is not None else BuildOptions()
    result = build_tasks(list(inputs), dataclasses.replace(base, preannotate=True, catalogue=()))
    return propose_from_tasks(result.tasks, top), result


def _toml_string(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)


def render_catalogue(proposals: Sequence[Proposal], articles: int) -> str:
    """The proposals as ``[[targets]]`` tables with their counts and example claims as comments."""
    lines = [
        f"# Target catalogue proposed from {articles} article(s) by `stancebank tasks targets`.",
        "# Review before pasting into stancebank.toml: merge entries that name one issue, rename them",
        "# (`name` is what the release groups stances by), add the aliases your articles use.",
        "# Counts: claims that take a stance on the phrase (by stance) / articles mentioning it.",
    ]
    if not proposals:
        lines.append("# No stance-bearing claim proposed a target: write the catalogue by hand.")
    used: set[str] = set()  # each phrase names one target only (the project file refuses others)
    stop = stop_words()
    for p in proposals:
        if p.name in used:
            continue
        stances = ", ".join(f"{n} {s}" for s, n in sorted(p.stances.items()))
        aliases = [a for a, _ in p.aliases.most_common() if a not in used and is_alias(p.name, a, stop)][
            :MAX_ALIASES
        ]
        used.update([p.name, *aliases])
        lines += ["", "[[targets]]", f"name = {_toml_string(p.name)}"]
        lines.append(f"aliases = [{', '.join(_toml_string(a) for a in [p.name, *aliases])}]")
        about = f"Proposed from {len(p.claims)} claim(s) in {len(p.articles)} article(s)."
        lines.append(f"description = {_toml_string(about)}")
        lines.append(f"# {len(p.claims)} claim(s) ({stances}), mentioned in {len(p.articles)} article(s)")
        for article_id, claim in p.examples:
            shown = claim if len(claim) <= MAX_EXAMPLE_CHARS else claim[: MAX_EXAMPLE_CHARS - 1] + "…"
            lines.append(f"#   e.g. {article_id}: {' '.join(shown.split())}")
    return "\n".join(lines) + "\n"
