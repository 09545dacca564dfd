"""Catalogue mentions in an article (steps 1 and 3 of :mod:`stancebank.tasks.preannotate.stances`).

The project's catalogue compiled into one pattern (:class:`Catalogue`), the article's own catalogue
when the project has none (:func:`article_catalogue`), definite descriptions that name a target
mentioned earlier by its head noun (:func:`anaphoric_mentions`), and the sentence and paragraph
windows in which a claim looks for them.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from stancebank.tasks.preannotate.claims import Claim
from stancebank.tasks.preannotate.resources import StanceCues
from stancebank.tasks.preannotate.target_syntax import WORD, syntax_proposal
from stancebank.tasks.preannotate.wordforms import noun_plural

_DETERMINER = r"(?:(?:a|an|the|any|this|its|their|our|such) (?=\w))?"
"""A determiner in front of a mention belongs to the TARGET (guidelines 4.2: "a ceasefire")."""


@dataclass(frozen=True)
class Catalogue:
    """The project's target catalogue compiled into one pattern: each alternative (an alias as a
    literal, or a pattern) is a named group mapped to its target's canonical name; literals longest
    first, so the longest mention at a place wins; a determiner in front of a mention is part of it."""

    pattern: re.Pattern[str] | None
    names: dict[str, str]

    @classmethod
    def build(cls, targets: Sequence[tuple[str, Sequence[str], Sequence[str]]]) -> Catalogue:
        """From ``(name, phrases, patterns)`` per target (phrases are literal, case-insensitive)."""
        alternatives: list[tuple[int, str, str]] = []  # (sort key, regex, name)
        for name, phrases, patterns in targets:
            for phrase in phrases:
                alternatives.append((-len(phrase), re.escape(phrase), name))
            for pat in patterns:
                alternatives.append((1, f"(?:{pat})", name))
        alternatives.sort(key=lambda a: a[0])
        names = {f"t{i}": name for i, (_, _, name) in enumerate(alternatives)}
        if not alternatives:
            return cls(None, {})
        # one determiner group and one pair of word boundaries around the alternation (not one per
        # alternative): the pattern is tried at every position of a claim, so this is what it costs
        joined = "|".join(f"(?P<t{i}>{rx})(?!\\w)" for i, (_, rx, _) in enumerate(alternatives))
        return cls(re.compile(rf"(?<!\w){_DETERMINER}(?:{joined})", re.IGNORECASE), names)

    def mentions(
        self, text: str, windows: Sequence[tuple[int, int]] | None = None
    ) -> list[tuple[int, int, str]]:
        """``(start, end, canonical name)`` of every mention in ``text`` (or in the sorted,
        non-overlapping ``windows`` of it: the pattern is long, so only what can matter is
        searched), in text order."""
        if self.pattern is None:
            return []
        out: list[tuple[int, int, str]] = []
        for a, b in windows if windows is not None else [(0, len(text))]:
            out.extend(
                (m.start(), m.end(), self.names[m.lastgroup or ""])
                for m in self.pattern.finditer(text, a, b)
                if m.end() > m.start()
            )
        return out


_HEAD_END = re.compile(r"\s(?:on|of|for|in|to|at|from|with|against|between|by|over)\s", re.I)
"""Where the head of a catalogue mention ends: before its first preposition ("ban on night flights")."""

_DEFINITE = re.compile(
    r"(?<!\w)(?:the|this|these|those)\s+(?:(?:new|proposed|planned|whole|entire|current|same)\s+)?"
    r"([\w'’-]+)(?!\w)",
    re.I,
)
"""A definite description: a determiner, at most one adjective of novelty or scope, a noun ("that"
left out: more often it starts a clause, "warned that fees would …")."""

_LIGHT_NOUNS = frozenset(
    {"way", "day", "time", "year", "week", "month", "lot", "end", "thing", "part", "kind", "sort"}
    | {"fact", "case", "point", "people", "man", "woman", "others", "side", "sides", "place"}
)
"""Nouns that end a proposed target without naming an issue ("ended the same way")."""


def anaphoric_mentions(
    text: str, claims: Sequence[Claim], mentions: Sequence[tuple[int, int, str]], cues: StanceCues
) -> list[tuple[int, int, str]]:
    """``mentions`` and, inside the claims, the definite descriptions that name a catalogue target
    by its head noun alone ("the ban", "this plan") after a mention of it earlier in the article or
    its title ("a ban on private fireworks" … "the ban would protect pets"), with that target's
    name; of two targets with that head, the nearer mention's. In text order. The description has
    the head's grammatical number ("the charges" names no "congestion charge") and no prepositional
    phrase of its own ("the charges against his client", "the ban on smoking" name something else)."""
    heads: list[tuple[int, str, str]] = []  # (end, head noun, name) of each mention
    for m0, m1, name in mentions:
        words = WORD.findall(_HEAD_END.split(text[m0:m1], maxsplit=1)[0])
        head = words[-1].lower() if words else ""
        if len(head) >= 3 and head.isalpha() and head not in cues.not_targets | _LIGHT_NOUNS:
            heads.append((m1, head, name))
    out = list(mentions)
    for claim in claims:
        for m in _DEFINITE.finditer(text, claim.start, claim.end):
            word = m.group(1).lower()
            if _HEAD_END.match(text, m.end()):
                continue
            earlier = [(end, name) for end, head, name in heads if end <= m.start() and word == head]
            if earlier and not any(a < m.end() and m.start() < b for a, b, _ in out):
                out.append((m.start(), m.end(), max(earlier)[1]))
    return sorted(out)


@dataclass
class FoundTargets:
    """What the claims of one article can take as targets."""

    mentions: list[tuple[int, int, str]]
    """Catalogue mentions ``(start, end, name)`` near the claims, in text order."""
    starts: list[int]
    sentence_starts: list[int]
    paragraph_starts: list[int]
    proposed: list[tuple[int, int, str]] = field(default_factory=list)
    """The TARGETs of the claims before, in claim order."""
    by_head: set[tuple[int, int]] = field(default_factory=set)
    """The mentions that name a target by its head noun alone (:func:`anaphoric_mentions`): weaker
    evidence than the target's own words, scored :data:`SCORE_NEAR_STANCE`."""


EMPTY_CATALOGUE = Catalogue(None, {})


def article_catalogue(text: str, claims: Sequence[Claim], cues: StanceCues) -> Catalogue:
    """An article's own catalogue when the project has none: the head nouns (last words, plural
    too; three letters at least, "ban", "fee") of the targets the claims' syntax proposes (step 2),
    without names; not a word that names no issue (:data:`_LIGHT_NOUNS`: "the same way")."""
    heads: set[str] = set()
    for claim in claims:
        body = text[claim.start : claim.end]
        proposal = syntax_proposal(body, cues)
        if proposal is None:
            continue
        head = WORD.findall(body[proposal[0] : proposal[1]])[-1].lower()
        if len(head) >= 3 and head.isalpha() and head not in cues.not_targets | _LIGHT_NOUNS:
            heads.update((head, noun_plural(head)) if not head.endswith("s") else (head,))
    return Catalogue.build([("", tuple(sorted(heads)), ())]) if heads else EMPTY_CATALOGUE


NEAR_SENTENCES = 2
"""How many sentences before a claim's own step 3 searches for a catalogue mention ("Permanent summer
time starts in May. Critics are sceptical. “Who thought that was a good idea?”")."""


def window_start_of(pos: int, sentence_starts: list[int], paragraph_starts: list[int]) -> int:
    """Where step 3 looks back from ``pos``: the sentence before ``pos``'s sentence (in the previous
    paragraph too), and up to :data:`NEAR_SENTENCES` sentences back within that sentence's paragraph."""
    i = bisect.bisect_right(sentence_starts, pos) - 1
    one_back = sentence_starts[max(0, i - 1)]
    paragraph = paragraph_starts[bisect.bisect_right(paragraph_starts, one_back) - 1]
    return max(sentence_starts[max(0, i - NEAR_SENTENCES)], min(paragraph, one_back))


def paragraph_starts_of(text: str) -> list[int]:
    """Where each paragraph starts (paragraphs are separated by a blank line)."""
    return [0, *(m.end() for m in re.finditer(r"\n\s*\n", text))]


def claim_windows(
    claims: Sequence[Claim], sentence_starts: list[int], paragraph_starts: list[int]
) -> list[tuple[int, int]]:
    """Where catalogue mentions can matter: each claim and the sentences before it that step 3
    reads (:func:`window_start_of`), merged."""
    windows: list[tuple[int, int]] = []
    for claim in sorted(claims, key=lambda c: c.start):
        start = window_start_of(claim.start, sentence_starts, paragraph_starts)
        if windows and start <= windows[-1][1]:
            windows[-1] = (windows[-1][0], max(windows[-1][1], claim.end))
        else:
            windows.append((start, claim.end))
    return windows


_SENTENCE_END = re.compile(r"[.!?…][\"”’')\]]*\s+|\n")


def sentence_of(body: str, pos: int) -> tuple[int, int]:
    """``(start, end)`` of the sentence of ``body`` that holds ``pos``."""
    start, end = 0, len(body)
    for m in _SENTENCE_END.finditer(body):
        if m.end() <= pos:
            start = m.end()
        else:
            end = m.start() + 1
            break
    return start, end


def sentence_starts_of(text: str) -> list[int]:
    return [0] + [m.end() for m in _SENTENCE_END.finditer(text)]


def mention_before(
    claim_start: int,
    mentions: list[tuple[int, int, str]],
    starts: list[int],
    window_start: int,
    proposed: Sequence[tuple[int, int, str]] = (),
) -> tuple[int, int, str] | None:
    """The nearest catalogue mention or TARGET of an earlier claim (``proposed``) before the claim,
    from ``window_start`` on (:func:`window_start_of`; guidelines 4.1: link to the nearest earlier
    mention; reuse it when it is a TARGET already)."""
    j = bisect.bisect_left(starts, claim_start) - 1
    while j >= 0 and mentions[j][1] > claim_start:
        j -= 1
    candidates = [mentions[j]] if j >= 0 else []
    candidates += [t for t in proposed if t[1] <= claim_start]
    in_window = [t for t in candidates if t[0] >= window_start]
    # the nearest end; of two that end together the longer (a TARGET holding the mention: reused)
    return max(in_window, key=lambda t: (t[1], -t[0])) if in_window else None
