"""Targets and stances of claims, from topic-independent evidence only.

A claim's targets come from the project's **catalogue** (``[[targets]]`` in ``stancebank.toml``:
canonical names with literal aliases and patterns) when it has one, else from the claim's own
syntax: what follows a support / oppose cue ("rejected the new levy" → "the new levy").

1. A catalogue mention inside the claim takes the stance its context shows: the nearest cue before
   it in its clause (a support / oppose verb, noun or preposition, modal or evaluative language),
   turned around by a negator just before the cue ("did not back", "not against"); else a predicate
   after it that evaluates it ("… is a mistake", "… would hurt", "… is not necessary"). Its TARGET
   carries the catalogue's canonical name as ``target_name``. A cue inside the object of another
   takes that one's polarity on top ("opposed a clause allowing X": against X). A definite
   description by the head noun alone ("the ban", "this plan") is a mention of the target named
   earlier in the article or its title with that head ("a ban on private scooters").
2. A claim with no catalogue mention proposes a target from its own syntax, with no
   ``target_name`` (never invent a name: guidelines 4): what it says is needed ("Without X, the
   school closes"), what it names with a judgement ("called X a mistake"), its subject when its
   predicate evaluates it ("the levy hurts shops", "… was painful but unavoidable", "… would do the
   job at a fraction of the cost"), else the object of its first cue ("rejected the new levy" →
   "the new levy"). A quote split by its attribution into a subject and its predicate ("“The new
   levy,” said Tom Gray, “is a mistake.”") is read as one: the first half is the target of both.
3. A claim with neither ("calling it unfair", "they are a mistake") takes what its attribution says
   it is about ("“It is a disaster,” she said of the levy"), else the nearest catalogue mention in
   its own sentence before it or in the two sentences before, when every cue of the claim points
   the same way (and, when its subject is "it" / "this", the TARGET of an earlier claim).
4. A claim still without a stance takes its speaker's: the stances on catalogue (or the article's
   own) targets of the nearest claim in the same run of that speaker's claims ("The levy is a
   mistake," she said. "Families will pay more." → the second opposes the levy too), in the same
   or the next paragraph, at a lower score, unless its own cues point the other way (a surname
   alone, "Okafor", is the speaker named in full before, "Ruth Okafor"). A speaker
   holds a position across a run of quotes; a target proposed from one claim's syntax is that
   claim's, and is not lent.

Without a project catalogue the article makes its own (:func:`article_catalogue`): the head nouns
of the targets step 2 proposes ("levy" from "the new parking levy"), so that a later "the levy ...
would hurt" or "backing the levy" is found like a catalogue mention — after step 2, and without a
``target_name``.

No cue, no stance: a wrong suggestion costs an annotator more than a missing one.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from stancebank.tasks.preannotate.claims import Claim
from stancebank.tasks.preannotate.labels import INDIRECT, NEUTRAL, OPPOSE, SUPPORT
from stancebank.tasks.preannotate.resources import StanceCues
from stancebank.tasks.preannotate.wordforms import noun_plural

SCORE_CATALOGUE_STANCE = 0.6
"""A catalogue mention inside the claim with a cue in its clause."""
SCORE_NEAR_STANCE = 0.45
"""A catalogue mention in the two sentences before the claim, the claim's cues all pointing one way."""
NEAR_SENTENCES = 2
"""How many sentences before a claim's own step 3 searches for a catalogue mention ("Permanent summer
time starts in May. Critics are sceptical. “Who thought that was a good idea?”")."""
SCORE_OBJECT_STANCE = 0.4
"""The object of a cue proposed as the target (no catalogue entry matched)."""

SCORE_SPEAKER_STANCE = 0.3
"""A claim with no stance of its own, given the stance its speaker takes in a claim next to it
(step 4): evidence from the speaker's position, not from the claim's words."""
MAX_LENDER_STEPS = 3
"""How many claims away a claim of the same speaker may lend its stances (step 4)."""

CUE_WINDOW_BEFORE = 60
"""Characters before a target searched for a cue ("rejected any talk of a ceasefire")."""
AFTER_WINDOW = 60
"""Characters after a target searched for an evaluating predicate ("the levy is a mistake")."""
AFTER_GAP_WORDS = 3
"""Words allowed between a target and its evaluating predicate ("tariffs on steel are …")."""
AFTER_PP_WORDS = 6
"""Words allowed between a target and its predicate when they start with a preposition
("tariffs on steel from Asia are …")."""
_PREPOSITIONS = frozenset(
    {"on", "of", "for", "in", "at", "along", "across", "from", "to", "between", "with", "without"}
)
"""The words that start such a prepositional phrase."""
AFTER_RELATIVE_WORDS = 8
"""Words allowed between a target and its predicate when they are a relative clause ("a ceasefire
that freezes the front line is …")."""
_RELATIVES = frozenset({"that", "which", "who", "whose"})
NEGATOR_REACH = 14
"""Characters before a cue where a negator turns it around ("did not back", "not against")."""
MAX_OBJECT_WORDS = 8
"""The longest target proposed from a cue's object."""

_CLAUSE_BREAK = re.compile(
    r"[;:!?]|[.](?=\s)|,\s+(?:but|while|whereas|although|though|because|since)\b|\s(?:but|whereas|although)\s",
    re.I,
)
_OBJECT_END = re.compile(
    r"[,;:.!?()\[\]\"“”«»]|\s(?:and|but|or|because|which|who|while|whereas|although|if|when|unless|"
    r"until|since|so|than|as|saying|said|says|adding|after|before)\s|\s[-–—]\s",
    re.I,
)
_OBJECT_VERB = re.compile(r"\s(?:is|are|was|were|has|have|had|would|will|could|should|must|might)\s", re.I)
"""The verb of a clause whose subject a noun cue and its object are ("the rejection of the pay offer
had angered nurses"): the stance is the noun's agent's, not the speaker's, so the cue proposes no
object, unless a clause of the object's own comes first (:data:`_OBJECT_CLAUSE`). Only after a cue
that ends in "of" (:data:`_OF_NOUN_CUE`): after a verb cue the object may have a relative clause
without "that" ("welcomed the decision the council had taken"); an object that starts with such a
verb ("nobody should have to …") is none."""
_OF_NOUN_CUE = re.compile(r"\bof$", re.I)
_OBJECT_CLAUSE = re.compile(r"(?<!\w)(?:that|which|who|whose|where)(?!\w)", re.I)
"""A relative or complement clause inside an object: its verb is the object's ("any deal that would
hand over …", "claims that the cost would …")."""
_TIME_WORDS = (
    r"monday|tuesday|wednesday|thursday|friday|saturday|sunday|today|tonight|tomorrow|yesterday|"
    r"week|month|year|weekend|morning|afternoon|evening|night|january|february|march|april|may|june|"
    r"july|august|september|october|november|december"
)
_TIME_END = re.compile(
    rf"\s(?:(?:on|by|last|this|next|in|within|during|at|until|from|earlier|later)\s+(?:the\s+)?(?:{_TIME_WORDS})"
    rf"|(?:today|tonight|tomorrow|yesterday))\b",
    re.I,
)
_QUOTE_MARKS = re.compile(r"[\"“”„«»]|(?<!\w)['‘’]|['‘’](?!\w)")
"""Quotation marks (not apostrophes): "was \u201cthe least painful option\u201d" reads as unquoted."""
_EVENT_TIME = re.compile(
    r"\b(?:on|by|until|since|from|last|next|this) "
    r"(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b"
    r"|\b(?:later|earlier) (?:this|in the|next) (?:week|month)\b",
    re.I,
)
_EMBEDDED = re.compile(r"\s(?:that|which|who|whose|where|because|unless|while|whereas)\s", re.I)
"""Where a clause embedded in an evaluating predicate starts: its negators are not the predicate's."""
_PREDICATE = re.compile(
    r"\s(?:is|are|was|were|would|will|could|can|should|must|remains?|seems?|has been|have been|"
    r"isn't|aren't|wasn't|weren't|won't|wouldn't|can't|cannot|has|have|had)\b",
    re.I,
)
_AUXILIARY = (
    r"is|are|was|were|would|will|could|can|should|must|might|has|have|had|does|did|remains?|seems?|"
    r"isn't|aren't|wasn't|weren't|won't|wouldn't|can't|cannot"
)
_ANAPHORIC_SUBJECT = re.compile(
    # the pronoun is the subject only when a verb follows ("this week was …" is no pointer back):
    # an auxiliary, or after it/this/that a verb in -s or -ed ("it costs", "this meant")
    rf"(?:it|this|that)\s+(?:{_AUXILIARY}|\w+s|\w+ed)\b|(?:they|these|those)\s+(?:{_AUXILIARY}|\w+ed)\b"
    r"|call(?:s|ed|ing)\s+(?:it|this|that|them)\b",
    re.I,
)
"""A claim about what was said before: its subject points back ("It is a tax on the poor", "This
would be a mistake"), or it names it so ("calling it unfair")."""
_MODAL_CONJUNCT = re.compile(r"(?:\S+ ){0,3}?(would|will|could|can) .*? and (\w+ .*)")
"""A modal shared by two coordinated verbs; the second read with it."""
_INSERTED_ATTRIBUTION = re.compile(
    r",\s+(?:[\w'’-]+\s+){1,4}?(?:said|says|added|argued|insisted|warned|believes|believed|thinks|thought)"
    r"(?:\s+\w+)?,\s*",
    re.I,
)
"""An attribution inserted between a target and its predicate (guidelines 6.8): ", she said,"."""
_INSERTED_RELATIVE = re.compile(r"\s*,\s+(?:which|who|whose|where)\b[^,;:.!?]{1,120},\s*", re.I)
"""A non-restrictive relative clause between a target and its predicate: ", which the council
approved last year," (read without it)."""
_HEDGES = frozenset(
    {"only", "simply", "just", "also", "still", "certainly", "probably", "clearly", "absolutely"}
    | {"really", "even", "first"}
)
"""Adverbs an evaluating predicate is read without ("would only prolong" → "would prolong")."""
_PRONOUNS = frozenset(["it", "them", "him", "us", "me"])
_DEMONSTRATIVES = frozenset(["this", "that", "these", "those"])


def _has_pronoun(words: Sequence[re.Match[str]]) -> bool:
    """A personal pronoun anywhere, or a demonstrative standing alone (last, not "this budget")."""
    lowered = [w.group(0).lower() for w in words]
    return any(w in _PRONOUNS for w in lowered) or bool(lowered and lowered[-1] in _DEMONSTRATIVES)


_PERSUADE = re.compile(r"urg|press|push|call|ask", re.I)
"""Cues whose object is a person told to act ("urged the union to accept …"): the action is the target."""
_MANDATIVE = re.compile(r"demand|propos|recommend|urg|insist|ask|suggest|want", re.I)
"""Cues whose object may be a that-clause of what should happen ("demanded that the board resign"):
the clause without its "that" is the target."""
_CALL_ON = re.compile(r"call\w* (?:up)?on\b", re.I)
"""The one persuading cue that is a request only with a "to" after its listener."""
MAX_SUBJECT_WORDS = 10
"""The longest subject proposed as the target of an evaluating predicate ("the new levy is …")."""
_SENTENCE_END = re.compile(r"[.!?…][\"”’')\]]*\s+|\n")
_WORD = re.compile(r"[\w'’-]+")
_CONTRACTIONS = (("won't", "will"), ("can't", "can"), ("cannot", "can"), ("n't", ""))


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


EMPTY_CATALOGUE = Catalogue(None, {})


def add_stances(
    text: str, claims: list[Claim], cues: StanceCues, catalogue: Catalogue = EMPTY_CATALOGUE
) -> None:
    """Append ``(start, end, stance, score, target_name)`` to each claim's ``stances`` (see the
    module docstring for the four steps)."""
    if not claims:
        return
    sentence_starts = _sentence_starts(text)
    paragraph_starts = _paragraph_starts(text)
    syntax_first = catalogue.pattern is None  # the article's own catalogue comes after the syntax
    if syntax_first:
        catalogue = article_catalogue(text, claims, cues)
    mentions: list[tuple[int, int, str]] = []
    by_head: set[tuple[int, int]] = set()
    if catalogue.pattern is not None and syntax_first:
        mentions = catalogue.mentions(text, _claim_windows(claims, sentence_starts, paragraph_starts))
    elif catalogue.pattern is not None:
        # the whole text: a claim's "the ban" may name a target mentioned in the title or the
        # paragraphs before (:func:`anaphoric_mentions`), its attribution one after it ("… she said
        # of the levy": :func:`_from_said_of`)
        earlier = catalogue.mentions(text)
        mentions = anaphoric_mentions(text, claims, earlier, cues)
        by_head = {(m0, m1) for m0, m1, _ in mentions} - {(m0, m1) for m0, m1, _ in earlier}
    found = _Found(mentions, [m[0] for m in mentions], sentence_starts, paragraph_starts, by_head=by_head)
    for i, claim in enumerate(claims):
        _add_claim_stances(text, claim, cues, found, syntax_first)
        if not claim.stances and i and not claims[i - 1].stances:
            _split_quote(text, claims[i - 1], claim, cues)
        if _is_rhetorical(text, claim):
            claim.stances[:] = [
                (t0, t1, _rhetorical(stance), score, name) for t0, t1, stance, score, name in claim.stances
            ]
        found.proposed.extend((t0, t1, name) for t0, t1, _, _, name in claim.stances)
    _inherit_from_speaker(text, claims, cues, found)


_HEAD_END = re.compile(r"\s(?:on|of|for|in|to|at|from|with|against|between|by|over)\s", re.I)
"""Where the head of a catalogue mention ends: before its first preposition ("ban on night flights")."""
_DEFINITE = re.compile(
    r"(?<!\w)(?:the|this|these|those)\s+(?:(?:new|proposed|planned|whole|entire|current|same)\s+)?"
    r"([\w'’-]+)(?!\w)",
    re.I,
)
"""A definite description: a determiner, at most one adjective of novelty or scope, a noun ("that"
left out: more often it starts a clause, "warned that fees would …")."""


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
        words = _WORD.findall(_HEAD_END.split(text[m0:m1], maxsplit=1)[0])
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
class _Found:
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


_SPLIT_ATTRIBUTION = re.compile(r"[,\s\"“”'‘’]*(?:[\w'’.-]+\s+){1,5}?[\w'’.-]+[,\s]*[\"“”'‘’]\s*")
"""What stands between the two halves of a quote split by its attribution: ',” said Tom Gray, “'."""
MAX_SPLIT_GAP = 60
"""The longest attribution between the halves of a split quote."""


def _split_quote(text: str, first: Claim, second: Claim, cues: StanceCues) -> None:
    """A quote split by its attribution into a subject and its predicate ("“The new levy,” said Tom
    Gray, “is a mistake.”"): the first half, a noun phrase of at most :data:`MAX_SUBJECT_WORDS`
    words with no verb, is the target of the stance the second half's evaluating predicate takes;
    both halves take it (they are one statement)."""
    gap = text[first.end : second.start]
    if len(gap) > MAX_SPLIT_GAP or not _SPLIT_ATTRIBUTION.fullmatch(gap):
        return
    if first.speaker is None or second.speaker is None or first.speaker.start != second.speaker.start:
        return
    words = list(_WORD.finditer(text, first.start, first.end))
    if (
        not 0 < len(words) <= MAX_SUBJECT_WORDS
        or words[0].group(0).lower() in cues.not_targets
        or _has_pronoun(words)
        or _PREDICATE.search(text, first.start, first.end)
        or _PREDICATE.match(" " + text[second.start : second.end]) is None
    ):
        return
    stance = stance_after(" " + text[second.start : second.end], cues)
    if stance is None:
        return
    target = (words[0].start(), words[-1].end(), stance, SCORE_OBJECT_STANCE, "")
    first.stances.append(target)
    second.stances.append(target)


def _is_rhetorical(text: str, claim: Claim) -> bool:
    """Guidelines 2.7: a rhetorical question ("Who thought that was a good idea?") implies the opposite."""
    return _RHETORICAL.fullmatch(text, claim.start, claim.end) is not None


def _rhetorical(stance: str) -> str:
    """The stance a rhetorical question takes: the opposite of its cue's (a neutral one stays)."""
    return stance if stance == NEUTRAL else _flip(stance)


def _folded(words: str) -> str:
    """Words compared as one key: lower case, single spaces."""
    return " ".join(words.lower().split())


def _speaker_key(text: str, claim: Claim) -> str | None:
    """Who holds a claim, as one key: the speaker's resolved name, else the words of its mention."""
    if claim.speaker is None:
        return None
    return claim.speaker.name or _folded(text[claim.speaker.start : claim.speaker.end])


def speaker_keys(text: str, claims: Sequence[Claim]) -> list[str | None]:
    """Each claim's :func:`_speaker_key`, folded, with a surname standing alone ("Okafor") read as
    the one full name of the article that ends with it ("Ruth Okafor"): a later mention by surname
    is the same speaker. A lower-case word ("farmers") or a surname two names share stays as it is."""
    keys = [_speaker_key(text, c) for c in claims]
    full_names: dict[str, set[str]] = {}
    for key in keys:
        words = _folded(key).split() if key else []
        if len(words) > 1:
            full_names.setdefault(words[-1], set()).add(" ".join(words))
    out: list[str | None] = []
    for claim, key in zip(claims, keys, strict=True):
        folded = _folded(key) if key else None
        if folded is not None and claim.speaker is not None and " " not in folded:
            named = full_names.get(folded, set())
            if len(named) == 1 and text[claim.speaker.start : claim.speaker.end][:1].isupper():
                folded = next(iter(named))
        out.append(folded)
    return out


def _inherit_from_speaker(text: str, claims: Sequence[Claim], cues: StanceCues, found: _Found) -> None:
    """Step 4: a claim with no stance of its own takes the stances its speaker takes on catalogue
    targets (or the article's own) in the nearest claim of a run of that speaker's claims in the
    same or the next paragraph (:func:`_nearest_in_run`), unless its own cues point the other way.
    Only stances whose TARGET is a catalogue mention are lent (never neutral ones, never a target
    proposed from a claim's syntax, which is specific to that claim, unless it is itself no more than
    a mention of the article's own catalogue: "the ban" of "the ban would protect pets"), and a claim
    that mentions a catalogue target of its own borrows only stances on that target."""
    keys = speaker_keys(text, claims)
    paragraphs = [bisect.bisect_right(found.paragraph_starts, c.start) - 1 for c in claims]
    mention_spans = {(m0, m1) for m0, m1, _ in found.mentions}
    lenders = [
        [
            s
            for s in c.stances
            # a syntax-proposed TARGET (SCORE_OBJECT_STANCE) is never a project catalogue mention
            # (step 2 runs only on claims without one): this admits the article's own mentions only
            if s[2] != NEUTRAL and s[3] >= SCORE_OBJECT_STANCE and (s[0], s[1]) in mention_spans
        ]
        for c in claims
    ]
    for i, claim in enumerate(claims):
        if claim.stances or keys[i] is None:
            continue
        lender = _nearest_in_run(i, keys, paragraphs, lenders)
        if lender is None:
            continue
        own = claim_stance(text[claim.start : claim.end], cues)
        if own is not None and _is_rhetorical(text, claim):
            own = _rhetorical(own)
        named = {
            _mention_key(text, m0, m1, name)
            for m0, m1, name in found.mentions
            if claim.start <= m0 < claim.end
        }
        claim.stances.extend(
            (t0, t1, stance, SCORE_SPEAKER_STANCE, name)
            for t0, t1, stance, _, name in lenders[lender]
            if (own is None or own == stance) and (not named or _mention_key(text, t0, t1, name) in named)
        )


def _mention_key(text: str, start: int, end: int, name: str) -> str:
    """What a catalogue mention names: its canonical name, else (the article's own catalogue) its words."""
    return name or _folded(text[start:end])


def _nearest_in_run(
    i: int, keys: Sequence[str | None], paragraphs: Sequence[int], lenders: Sequence[Sequence[object]]
) -> int | None:
    """The index of the nearest claim (before first at equal distance) with stances to lend in the
    run of claims of speaker ``keys[i]`` around claim ``i``: at most :data:`MAX_LENDER_STEPS` claims
    away, in the same or the next paragraph (``paragraphs``: each claim's paragraph index), and no
    other speaker's claim between them."""
    for side in range(1, MAX_LENDER_STEPS + 1):
        for j in (i - side, i + side):
            if not 0 <= j < len(keys) or keys[j] != keys[i] or not lenders[j]:
                continue
            between = range(min(i, j) + 1, max(i, j))
            if all(keys[k] == keys[i] for k in between) and abs(paragraphs[i] - paragraphs[j]) <= 1:
                return j
    return None


_LIGHT_NOUNS = frozenset(
    {"way", "day", "time", "year", "week", "month", "lot", "end", "thing", "part", "kind", "sort"}
    | {"fact", "case", "point", "people", "man", "woman", "others", "side", "sides", "place"}
)
"""Nouns that end a proposed target without naming an issue ("ended the same way")."""


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
        head = _WORD.findall(body[proposal[0] : proposal[1]])[-1].lower()
        if len(head) >= 3 and head.isalpha() and head not in cues.not_targets | _LIGHT_NOUNS:
            heads.update((head, noun_plural(head)) if not head.endswith("s") else (head,))
    return Catalogue.build([("", tuple(sorted(heads)), ())]) if heads else EMPTY_CATALOGUE


def _add_claim_stances(text: str, claim: Claim, cues: StanceCues, found: _Found, syntax_first: bool) -> None:
    """One claim's steps 1-3 (the module docstring); step 2 first for an article's own catalogue."""
    body = text[claim.start : claim.end]
    if syntax_first and _from_syntax(claim, body, cues):
        return
    if _from_mentions(claim, body, cues, found) or (not syntax_first and _from_syntax(claim, body, cues)):
        return
    if _from_said_of(text, claim, body, cues, found):
        return
    # an earlier claim's TARGET only for a claim about "it" / "this" ("It is a tax on the poor"):
    # a claim with a subject of its own is about that subject, not about what was said before
    anaphoric = _ANAPHORIC_SUBJECT.match(body) is not None
    if syntax_first and not anaphoric:
        return  # the article's own catalogue is a guess: only a claim about "it" borrows from it
    earlier = found.proposed if anaphoric else ()
    window_start = _window_start(claim.start, found.sentence_starts, found.paragraph_starts)
    near = _mention_before(claim.start, found.mentions, found.starts, window_start, earlier)
    if near is not None:
        stance = claim_stance(body, cues)
        if stance is not None:
            claim.stances.append((near[0], near[1], stance, SCORE_NEAR_STANCE, near[2]))


_SAID_OF = re.compile(
    r"[\"”’']?,?[\"”’']?\s+(?:[\w'’-]+\s+){1,5}?(?:said|says|told reporters|added|wrote|warned|argued)"
    r"\s+(?:of|about)\s+",
    re.I,
)
"""An attribution after a claim that names what the claim is about: "…," she said of the levy. The
speaker comes before the verb and "of" / "about" right after it: in "…," said the head of the union"
or "…," she told reporters in front of the town hall" the "of" belongs to a noun, not to the verb."""


def _from_said_of(text: str, claim: Claim, body: str, cues: StanceCues, found: _Found) -> bool:
    """Step 3's first try: a claim whose attribution names what it is about ("“It is a disaster,” she
    said of the levy") takes that (a catalogue mention there, with its name; else the noun phrase
    after "of", as step 2 proposes one) when every cue of the claim points the same way."""
    said = _SAID_OF.match(text, claim.end)
    if said is None:
        return False
    stance = claim_stance(body, cues)
    if stance is None:
        return False
    i = bisect.bisect_left(found.starts, said.end())
    if i < len(found.mentions) and found.mentions[i][0] == said.end():
        t0, t1, name = found.mentions[i]
    else:
        span = _object_after(text, said.end(), cues)
        if span is None:
            return False
        (t0, t1), name = span, ""
    claim.stances.append((t0, t1, stance, SCORE_NEAR_STANCE, name))
    return True


def syntax_proposal(body: str, cues: StanceCues) -> tuple[int, int, str] | None:
    """Step 2's target in a claim's text (offsets in ``body``) and its stance: what the claim says
    is needed ("Without X, no …"), what it names with a judgement ("called X a mistake"), its
    evaluated subject or the object of its first cue."""
    return (
        necessity_target(body)
        or called_target(body, cues)
        or subject_target(body, cues)
        or first_object(body, cues)
    )


def _from_syntax(claim: Claim, body: str, cues: StanceCues) -> bool:
    """Step 2 (:func:`syntax_proposal`) on one claim; whether a target was found."""
    proposal = syntax_proposal(body, cues)
    if proposal is not None:
        o0, o1, stance = proposal
        claim.stances.append((claim.start + o0, claim.start + o1, stance, SCORE_OBJECT_STANCE, ""))
    return proposal is not None


def _from_mentions(claim: Claim, body: str, cues: StanceCues, found: _Found) -> bool:
    """Step 1: each catalogue mention inside the claim takes the stance its context shows; whether
    the claim has one (then steps 2 and 3 are not tried)."""
    mentions = found.mentions
    lo = bisect.bisect_left(found.starts, claim.start)
    inside = [m for m in mentions[lo:] if m[0] < claim.end and m[1] <= claim.end]
    previous_end = 0
    for t0, t1, name in inside:
        # a cue before an earlier mention reaches this one only through a bare coordination
        # ("rejected the levy and the ban"), not through a verb of its own ("scrap X and keep Y")
        gap = (previous_end, t0 - claim.start)
        joined = previous_end and _COORDINATION.fullmatch(body, *gap)
        condition = previous_end and _CONDITION.search(body, *gap)
        stance = stance_at(body, t0 - claim.start, t1 - claim.start, cues, 0 if joined else previous_end)
        if condition and stance is None:
            # guidelines 5.3: "would back X only if it came with Y" supports Y, not X
            stance = stance_at(body, t0 - claim.start, t1 - claim.start, cues)
            if stance == SUPPORT and claim.stances and claim.stances[-1][1] - claim.start == previous_end:
                claim.stances.pop()
        previous_end = t1 - claim.start
        if stance is None and len(inside) == 1:
            # one mention, no cue next to it: the cues of its own sentence, when they all agree
            # ("We can still have one public display. We do not need …": not the next one's)
            a, b = _sentence_of(body, t0 - claim.start)
            stance = claim_stance(body[a:b], cues)
        if stance is not None:
            score = SCORE_NEAR_STANCE if (t0, t1) in found.by_head else SCORE_CATALOGUE_STANCE
            claim.stances.append((t0, t1, stance, score, name))
    return bool(inside)


def is_event_report(text: str, claim: Claim, cues: StanceCues) -> bool:
    """Whether a reported claim only reports a dated event ("a second convoy would leave on
    Tuesday", "delegations met in Geneva on Friday"): reported speech without quotation marks, a
    time expression and not one stance cue. Guidelines 2.2: a bare event report is not a claim."""
    if claim.form != INDIRECT:
        return False
    body = text[claim.start : claim.end]
    if not _EVENT_TIME.search(body):
        return False
    patterns = (cues.support, cues.oppose, cues.support_evaluative, cues.oppose_evaluative)
    return not any(p.search(body) for p in patterns) and stance_after(body, cues) is None


# -- the evidence ---------------------------------------------------------------------------------


def _negated(before: str, cue_start: int, cues: StanceCues) -> bool:
    return cues.negators.search(before[max(0, cue_start - NEGATOR_REACH) : cue_start]) is not None


def _flip(stance: str) -> str:
    return OPPOSE if stance == SUPPORT else SUPPORT


def _cue_stance(cue: str, stance: str, before: str, cue_start: int, cues: StanceCues) -> str:
    """A cue's stance, turned around by a negator just before it ("did not back") or right after
    it ("should not extend"); a cue that is itself a negation ("never", "cannot") is not turned
    around by another one, and a refusal to take a side stays neutral."""
    if stance == NEUTRAL or cues.negators.match(cue):
        return stance
    cue_end = cue_start + len(cue)
    if _negated(before, cue_start, cues) or cues.negators.match(
        before[cue_end : cue_end + NEGATOR_REACH].lstrip()
    ):
        return _flip(stance)
    return stance


def _clause_before(body: str, t0: int, since: int = 0) -> str:
    before = body[max(since, t0 - CUE_WINDOW_BEFORE) : t0]
    breaks = list(_CLAUSE_BREAK.finditer(before))
    return before[breaks[-1].end() :] if breaks else before


def _nearest_cue(
    before: str, patterns: Sequence[tuple[re.Pattern[str], str]]
) -> tuple[re.Match[str], str] | None:
    best: tuple[re.Match[str], str] | None = None
    for pattern, stance in patterns:
        for m in pattern.finditer(before):
            if (
                best is None
                or m.end() > best[0].end()
                or (m.end() == best[0].end() and m.start() < best[0].start())
            ):
                best = (m, stance)
    return best


_NECESSITY = re.compile(
    r"without ((?=(?:the|a|an|any|its|their|his|her|our|my|your|[\w-]+['’]s?)\s"
    r"|(?:[\w-]+ ){0,3}[\w-]+[^s\W]s,)"
    r"(?:(?!\b(?:it|this|that|them)\b)[\w'’ -]){3,60}?),(?:[^,]*,)?\s+"
    r"(?:there (?:can|could|will|would) be no|(?:\w+ ){1,4}?(?:cannot|can't|could not|couldn't|will not|"
    r"won't|would not|wouldn't)|nobody|no one|nothing"
    r"|(?:[\w'’-]+ ){1,4}?(?:(?:would|will|could|might) )?(?:close|closes|die|dies|collapse|collapses|"
    r"fail|fails|go under|goes under|shut down|shuts down|disappear|disappears|be lost|be finished))\b",
    re.I,
)
"""A claim that something is needed: "Without X, [he said,] there can be no …", "… the school
closes", "… the town would die" (X: no pronoun; a determiner or possessive first, "without the
grant", "without Ann's help", or a plural, "without stricter checks": "without doubt", "without
warning" are adverbs, not needs)."""
_CALLED = re.compile(r"(?<![\w-])call(?:s|ed|ing)\s+(?!(?:for|on|upon)\b)", re.I)
"""Naming something with a judgement: "called the plan a mistake" (not "called for")."""
_UNDONE = re.compile(
    r"(?:\s+(?!(?:who|which|that|whose|whom)\b)[\w'’-]+){0,3}?\s+(?:halted|stopped|ended|scrapped|dropped|withdrawn|lifted|removed|abolished|"
    r"cancell?ed|reversed|banned|blocked|shut|closed down|phased out)\b",
    re.I,
)
"""A participle after a target that undoes it: "want to see X halted" is against X."""
_UNDONE_PARTICIPLES = (
    r"halted|stopped|ended|scrapped|dropped|withdrawn|lifted|removed|abolished|cancell?ed|reversed|"
    r"banned|blocked|shut|closed|closed down|phased out|repealed|axed|suspended"
)
_UNDONE_CLAUSE = re.compile(
    rf"\s+(?:(?:should|must)\s+)?(?:(?:end|stop|cease|halt|close|go|be\s+(?:{_UNDONE_PARTICIPLES}))"
    r"(?!\s+(?:ahead|on|up|to|into|for|with)\b)|(?:close|shut)\s+down)\b",
    re.I,
)
"""The verb of a mandative clause that undoes its subject: "demanded that the charge end", "urged
that the toll be scrapped" are against it (:data:`_MANDATIVE`; "… go ahead", "… go on" are not)."""
_RHETORICAL = re.compile(r"(?:who|why)\b[^?]*\?", re.I | re.S)
"""A question asking who or why, as a claim (guidelines 2.7): it implies the opposite of what it asks."""
_CONDITION = re.compile(r"\b(?:only if|provided(?: that)?|as long as|so long as|on condition that)\b", re.I)
"""A condition put on what comes before ("would back X only if it came with Y")."""
_COORDINATION = re.compile(
    r"\s*(?:,\s*)?(?:and|or|as well as|nor)?\s*(?:(?:a|an|the|any|its|their)\s+)?", re.I
)
"""What joins two mentions that one cue governs together ("the levy and the ban", "X, Y")."""
_GOVERNED_GAP = re.compile(r"\s*(?:to\s+)?")
"""What may stand between a governing cue and the cue it governs ("rule out backing", "cannot back",
"refused to back" is one cue already)."""


def _governor(text: str, cue_start: int, cues: StanceCues) -> tuple[re.Match[str], str] | None:
    """The support / oppose cue right before the cue at ``cue_start`` that governs it ("rule out"
    in "would not rule out backing", "cannot" in "cannot back"), or None. A negator ("not",
    "never") is no governor: :func:`_cue_stance` turns a cue around for it."""
    for pattern, stance in ((cues.support, SUPPORT), (cues.oppose, OPPOSE)):
        for m in pattern.finditer(text, max(0, cue_start - 40), cue_start):
            if _GOVERNED_GAP.fullmatch(text, m.end(), cue_start) and not cues.negators.search(m.group(0)):
                return m, stance
    return None


def _scoped_stance(text: str, match: re.Match[str], stance: str, cues: StanceCues) -> str:
    """A cue's stance with its negation scope: a cue governed by another takes the governor's
    polarity on top of its own ("would not rule out backing X": not(oppose(support)) = support;
    "cannot back X": oppose), and the negator before the governor is the governor's; otherwise
    :func:`_cue_stance`."""
    governor = _governor(text, match.start(), cues) if stance != NEUTRAL else None
    if governor is None:
        return _cue_stance(match.group(0), stance, text, match.start(), cues)
    g_match, g_stance = governor
    inner = stance if g_stance == SUPPORT else _flip(stance)
    return _flip(inner) if _negated(text, g_match.start(), cues) else inner


_EMBEDDING_GAP = re.compile(
    r"\s+(?:a|an|the|any|every|this|that|these|those|its|their|his|her|our|such)"
    r"(?:\s+(?!(?:and|or|but|nor|then|while|who|which|that)\b)[\w'’-]+){0,2}\s+",
    re.I,
)
"""What stands between a cue and a cue inside its object: a determiner and at most two words ("opposed
a clause allowing …", "would fight any plan to …"), no conjunction (a second verb of its own)."""


def _embedded_stance(before: str, match: re.Match[str], stance: str, cues: StanceCues) -> str:
    """``stance`` (of the cue ``match``) read inside the object of a support / oppose cue before it
    ("opposed a clause allowing X": against X; "backed a plan ending X": against X; "would fight any
    plan to X": against X); a neutral stance, or a cue with no such cue before it, as it is."""
    if stance == NEUTRAL:
        return stance
    outer = _nearest_cue(before[: match.start()], ((cues.support, SUPPORT), (cues.oppose, OPPOSE)))
    if outer is None or not _EMBEDDING_GAP.fullmatch(before, outer[0].end(), match.start()):
        return stance
    outer_stance = _scoped_stance(before, outer[0], outer[1], cues)
    if outer_stance == NEUTRAL:
        return stance
    return stance if outer_stance == SUPPORT else _flip(stance)


def stance_at(body: str, t0: int, t1: int, cues: StanceCues, since: int = 0) -> str | None:
    """The stance a claim takes on the target at ``body[t0:t1]``, or None without evidence; a cue
    counts only from ``since`` on (the end of an earlier mention the cue belongs to)."""
    necessary = _NECESSITY.match(body)
    if necessary is not None and necessary.start(1) <= t0 and t1 <= necessary.end(1):
        return SUPPORT  # "Without inspections, there could be no agreement"
    before = _clause_before(body, t0, since)
    found = _nearest_cue(
        before,
        (
            (cues.support, SUPPORT),
            (cues.oppose, OPPOSE),
            (cues.neutral, NEUTRAL),
            (cues.support_evaluative, SUPPORT),
            (cues.oppose_evaluative, OPPOSE),
        ),
    )
    if found is not None:
        match, stance = found
        if _noun_cue_is_subject(body, match, t0 - len(before)):
            # "the rejection of X had angered …", "those who champion X are …": the stance of the
            # cue's agent (the claim's verdict on them is :func:`claim_stance`'s)
            return None
        stance = _embedded_stance(before, match, _scoped_stance(before, match, stance, cues), cues)
        if stance != NEUTRAL and (
            _UNDONE.match(body, t1) or (_MANDATIVE.match(match.group(0)) and _UNDONE_CLAUSE.match(body, t1))
        ):
            return _flip(stance)  # "want to see X halted", "demanded that X end": against X
        return stance
    return stance_after(body[t1 : t1 + AFTER_WINDOW], cues)


_CONCESSION = re.compile(
    r"\s+(is|are|was|were|would be|will be|remains?|seems?)\s+(?:[\w'’-]+\s+){1,2}?"
    r"(?<!\banything\s)(?<!\ball\s)but\s+(?:also\s+)?",
    re.I,
)
"""A predicate that concedes a point and then judges: "… was painful but unavoidable" (the "but"
part is the verdict, read with the verb); "anything but fair", "all but dead" concede nothing."""


def stance_after(after: str, cues: StanceCues) -> str | None:
    """The stance of a predicate that evaluates the target just before ``after`` ("… would hurt",
    "… is not necessary"), or None."""
    inserted = _INSERTED_ATTRIBUTION.match(after)
    if inserted is not None:
        after = " " + after[inserted.end() :]  # "The levy, she said, would hurt …"
    relative = _INSERTED_RELATIVE.match(after)
    if relative is not None:  # "The levy, which the council approved in May, is a mistake"
        after = " " + after[relative.end() :]
    conceded = _CONCESSION.match(after)
    if conceded is not None:  # "… was painful but unavoidable": the verdict is after the "but"
        after = f" {conceded.group(1)} {after[conceded.end() :]}"
    breaks = _CLAUSE_BREAK.search(after)
    clause = after[: breaks.start()] if breaks else after
    verb = _PREDICATE.search(clause)
    embedded = _EMBEDDED.search(clause, verb.end()) if verb is not None else None
    if embedded is not None:
        clause = clause[: embedded.start()]  # "too expensive for a city that cannot …": not negated
    lowered = " " + _QUOTE_MARKS.sub("", clause.lower()).replace("’", "'")
    negated = False
    for form, plain in _CONTRACTIONS:
        if form in lowered:
            lowered, negated = lowered.replace(form, plain), True
    stripped = cues.negators.sub("", lowered)
    negated = negated or stripped != lowered
    plain = " ".join(stripped.split())
    unhedged = " ".join(w for w in plain.split() if w not in _HEDGES)
    readings = [plain, unhedged]  # "the only way" as written; "would only prolong" without
    modal = _MODAL_CONJUNCT.match(unhedged)
    if modal is not None:  # "would supply enough lithium … and create 400 jobs": "would create …"
        readings.append(f"{modal.group(1)} {modal.group(2)}")
    for words in dict.fromkeys(readings):
        found = [
            (m, stance)
            for pattern, stance in ((cues.support_after, SUPPORT), (cues.oppose_after, OPPOSE))
            if (m := pattern.search(words)) is not None and _close_enough(words[: m.start()])
        ]
        if found:
            # the longer reading wins: "would give Moscow time to regroup" over "would give Moscow time"
            _, stance = max(found, key=lambda f: (f[0].end() - f[0].start(), -f[0].start()))
            return _flip(stance) if negated else stance
        m = cues.neutral_after.search(words)
        if m is not None and _close_enough(words[: m.start()]):
            return NEUTRAL  # a forecast, negated or not, judges nothing ("was not likely")
    return None


def _close_enough(gap: str) -> bool:
    """Whether the words between a target and its predicate still belong to the target: at most
    :data:`AFTER_GAP_WORDS`, or a prepositional phrase of at most :data:`AFTER_PP_WORDS`
    ("a ceasefire along the current line should not be ruled out")."""
    words = gap.split()
    return (
        len(words) <= AFTER_GAP_WORDS
        or (len(words) <= AFTER_PP_WORDS and words[0] in _PREPOSITIONS)
        or (len(words) <= AFTER_RELATIVE_WORDS and words[0] in _RELATIVES)
    )


def claim_stance(body: str, cues: StanceCues) -> str | None:
    """The claim's stance when every cue in it points the same way (after negation), else None. An
    "... of" noun cue that is a clause's subject (:func:`_noun_cue_is_subject`) is its agent's stance:
    the claim judges it ("the rejection of X was welcome": against X), or says nothing on X."""
    seen: set[str] = set()
    agents: set[str] = set()
    for pattern, stance in (
        (cues.support, SUPPORT),
        (cues.oppose, OPPOSE),
        (cues.neutral, NEUTRAL),
        (cues.support_evaluative, SUPPORT),
        (cues.oppose_evaluative, OPPOSE),
    ):
        for m in pattern.finditer(body):
            if _noun_cue_is_subject(body, m):
                agents.add(stance)
                continue
            seen.add(_scoped_stance(body, m, stance, cues))
    after = stance_after(body, cues)
    if after is not None:
        seen.add(after)
    if len(seen) != 1:
        return None
    verdict = seen.pop()
    if not agents:
        return verdict
    if len(agents) != 1 or NEUTRAL in agents or verdict == NEUTRAL:
        return None
    return verdict if agents == {SUPPORT} else _flip(verdict)


def first_object(body: str, cues: StanceCues) -> tuple[int, int, str] | None:
    """``(start, end, stance)`` of what the first support / oppose cue of the claim is about: the
    words after it up to the clause's end (at most :data:`MAX_OBJECT_WORDS`), not a pronoun or an
    anaphor (guidelines 4.6), else None."""
    found: list[tuple[re.Match[str], str]] = []
    for pattern, stance in ((cues.support, SUPPORT), (cues.oppose, OPPOSE), (cues.neutral, NEUTRAL)):
        found.extend((m, stance) for m in pattern.finditer(body))
    for match, stance in sorted(found, key=lambda f: f[0].start()):
        if _noun_cue_is_subject(body, match):
            continue  # "those who champion X are …": their stance, not the speaker's
        span = _object_after(body, match.end(), cues, match.group(0))
        if span is None:
            continue
        scoped = _scoped_stance(body, match, stance, cues)
        if _MANDATIVE.match(match.group(0)) and scoped != NEUTRAL:
            # "demanded that the charge end": the clause's subject, and against it
            undone = next(
                (m for m in _UNDONE_CLAUSE.finditer(body, span[0], span[1]) if m.start() > span[0]), None
            )
            if undone is not None and _WORD.search(body, span[0], undone.start()):
                return span[0], undone.start(), _flip(scoped)
        return span[0], span[1], scoped
    return None


def necessity_target(body: str) -> tuple[int, int, str] | None:
    """``(start, end, support)`` of X in "Without X, there can be no …" / "… nobody would …": a
    claim that X is needed supports X."""
    m = _NECESSITY.match(body)
    return (m.start(1), m.end(1), SUPPORT) if m is not None else None


def called_target(body: str, cues: StanceCues) -> tuple[int, int, str] | None:
    """``(start, end, stance)`` of X in "called X a mistake" / "calling X “an attack on …”": what
    is named, judged by the evaluative phrase after it (X: at most :data:`MAX_OBJECT_WORDS`, no
    pronoun), else None."""
    called = _CALLED.search(body)
    if called is None:
        return None
    judgements = [
        (m, stance)
        for pattern, stance in ((cues.support_evaluative, SUPPORT), (cues.oppose_evaluative, OPPOSE))
        for m in pattern.finditer(body, called.end())
    ]
    if not judgements:
        return None
    judgement, stance = min(judgements, key=lambda j: j[0].start())
    words = list(_WORD.finditer(body, called.end(), judgement.start()))
    if len(words) > 1 and words[-1].group(0).lower() in {"a", "an", "the"}:
        words = words[:-1]  # "called the cap an attack on": the article belongs to the judgement
    if (
        not 0 < len(words) <= MAX_OBJECT_WORDS
        or _has_pronoun(words)
        or words[0].group(0).lower() in cues.not_targets
    ):
        return None
    return words[0].start(), words[-1].end(), stance


def subject_target(body: str, cues: StanceCues) -> tuple[int, int, str] | None:
    """``(start, end, stance)`` of a claim's subject when a predicate evaluates it ("the new levy
    is a mistake", "the plan would hurt small firms"), else None: the subject before the first
    auxiliary, else the subject of a clause whose verb is itself an evaluating predicate
    (:func:`clause_subject_target`: "the levy hurts shops", "…, and the levy would hurt shops")."""
    return _auxiliary_subject_target(body, cues) or clause_subject_target(body, cues)


def _auxiliary_subject_target(body: str, cues: StanceCues) -> tuple[int, int, str] | None:
    verb = _PREDICATE.search(body)
    if verb is None:
        return None
    subject_end = verb.start()
    inserted = _INSERTED_ATTRIBUTION.search(body, 0, verb.start())
    if inserted is not None:  # "the new levy, she said, would hurt …": the subject ends at the comma
        subject_end = inserted.start()
        verb = _PREDICATE.search(body, inserted.end() - 1)
        if verb is None:
            return None
    if _CLAUSE_BREAK.search(body, 0, subject_end):
        return None
    words = list(_WORD.finditer(body, 0, subject_end))
    if not 0 < len(words) <= MAX_SUBJECT_WORDS or words[0].group(0).lower() in cues.not_targets:
        return None
    if words[-1].group(0).lower() in {"and", "or", "but"}:
        return None  # "a hotline costs nothing and could …": the predicate is a second verb's
    stance = stance_after(body[verb.start() :], cues) or _modal_evaluation(body[verb.start() :], cues)
    if stance is None:
        return None
    return words[0].start(), words[-1].end(), stance


_MODAL = re.compile(r"\s*(?:would|will|could|can|should|must|might)\b", re.I)


def _modal_evaluation(predicate: str, cues: StanceCues) -> str | None:
    """:func:`evaluated_predicate` of a predicate that starts with a modal: what a proposal would do
    ("… would make the crossing dangerous"), not how things are ("the roads had become more
    dangerous" reports, it takes no side)."""
    return evaluated_predicate(predicate, cues) if _MODAL.match(predicate) else None


def evaluated_predicate(predicate: str, cues: StanceCues) -> str | None:
    """The stance of a predicate that judges its subject with evaluative words further on in its
    clause ("… would do the same job at a fraction of the risk", "… made the crossing dangerous"),
    when they all point one way (a negator just before one turns it around), else None. Only the
    predicate's own clause counts: not a clause embedded in it ("… a road that is dangerous")."""
    breaks = _CLAUSE_BREAK.search(predicate)
    clause = predicate[: breaks.start()] if breaks else predicate
    embedded = _EMBEDDED.search(clause)
    if embedded is not None:
        clause = clause[: embedded.start()]
    seen = {
        _cue_stance(m.group(0), stance, clause, m.start(), cues)
        for pattern, stance in ((cues.support_evaluative, SUPPORT), (cues.oppose_evaluative, OPPOSE))
        for m in pattern.finditer(clause)
    }
    return seen.pop() if len(seen) == 1 else None


_SUBJECT_START = re.compile(
    r"[,;:()\"“”]|\s[-–—]\s|(?<!\w)(?:that|because|since|while|whereas|although|though|if|when|"
    r"unless|so|as|than|saying|adding|arguing|insisting|warning|noting|claiming|stressing)(?!\w)",
    re.I,
)
"""Where the subject of a clause can start at the latest: after a comma, a subordinating conjunction,
a complementiser or a participle of saying ("Teachers are tired, and a shorter week gives them
time …", "…, saying the equipment would …"); not after a bare "and" ("the change back and forth
cost lives": one subject)."""
_NOT_IN_SUBJECT = re.compile(rf"(?<!\w)(?:{_AUXILIARY}|do|does|did|not|never|no|to)(?!\w)", re.I)
"""Words that make the stretch before a predicate more than a noun phrase (a verb of its own, a
negation)."""
MAX_CLAUSE_WORDS = 30
"""How many words into a claim :func:`clause_subject_target` looks for an evaluating predicate."""


def clause_subject_target(body: str, cues: StanceCues) -> tuple[int, int, str] | None:
    """``(start, end, stance)`` of the subject of the first clause whose verb phrase is itself an
    evaluating predicate (``support_after`` / ``oppose_after`` matched right after the subject: "the
    levy hurts shops", "the return set a precedent", "…, and a shorter week gives them time"), else
    None. The subject is the words between the clause's start (:data:`_SUBJECT_START`) and the
    predicate: at most :data:`MAX_SUBJECT_WORDS`, no pronoun, no verb or negation of its own."""
    words = list(_WORD.finditer(body))[:MAX_CLAUSE_WORDS]
    for w in words[1:]:
        pos = w.start()
        found = [
            (m.end(), stance)
            for pattern, stance in ((cues.support_after, SUPPORT), (cues.oppose_after, OPPOSE))
            if (m := pattern.match(body, pos)) is not None
        ]
        if not found:
            continue
        # the longer predicate wins: "would cost less" over "would cost"
        stance = max(found)[1]
        starts = [m.end() for m in _SUBJECT_START.finditer(body, 0, pos)]
        start = starts[-1] if starts else 0
        subject = list(_WORD.finditer(body, start, pos))
        if subject and subject[0].group(0).lower() in {"and", "but", "or"}:
            subject = subject[1:]  # ", and a shorter week gives …"
        if (
            not 0 < len(subject) <= MAX_SUBJECT_WORDS
            or subject[0].group(0).lower() in cues.not_targets
            or _has_pronoun(subject)
            or subject[-1].group(0).lower() in {"and", "or", "but"}  # a first verb's ("… a day and could …")
            or _NOT_IN_SUBJECT.search(body, subject[0].start(), subject[-1].end())
            or cues.negators.search(body, subject[0].start(), subject[-1].end())
        ):
            continue
        return subject[0].start(), subject[-1].end(), stance
    return None


def _object_after(body: str, pos: int, cues: StanceCues, cue: str = "") -> tuple[int, int] | None:
    rest = body[pos:]
    end = _OBJECT_END.search(rest)
    stretch = rest[: end.start()] if end else rest
    if _OF_NOUN_CUE.search(cue) and _subject_verb(stretch) is not None:
        # "the rejection of the pay offer had angered nurses": a noun cue with its object is the
        # clause's subject, the stance its agent's, not the speaker's
        return None
    verb = _OBJECT_VERB.match(stretch)
    if verb is not None:
        return None  # "nobody should have to …": a verb, no object
    # after a verb cue the object may have a relative clause without "that" ("welcomed the decision
    # the council had taken"): no cut
    time = _TIME_END.search(stretch)
    if time is not None and not _WORD.search(stretch, time.end()):
        stretch = stretch[: time.start()]  # "rejected the levy on Monday" → "the levy"
    words = list(_WORD.finditer(stretch))
    if _has_pronoun(words):
        return None  # "carry it out", "backed them": the target is elsewhere (guidelines 4.6)
    if words and all(_is_adverb(w.group(0)) for w in words):
        return None  # "these cuts end immediately": how, not what
    if _PERSUADE.match(cue):
        to = next((i for i, w in enumerate(words[:5]) if w.group(0).lower() == "to"), None)
        passive = to is not None and _passive_gerund(words[to + 1 : to + 3], "be")
        if passive:
            # "asked for the cut to be phased in": what is to be done to it, with it
            words = words[1:] if words[0].group(0).lower() == "for" else words
        elif to is not None:
            words = words[to:]  # "urged the union to accept mediation" → "accept mediation"
        elif _CALL_ON.match(cue):
            return None  # "called on the families at the hospital": a visit, not a request
    if len(words) > 2 and words[0].group(0).lower() == "that" and _MANDATIVE.match(cue):
        words = words[1:]  # "demanded that the board resign" → "the board resign"
    while len(words) > 1 and (
        words[0].group(0).lower() == "to" or cues.negators.fullmatch(words[0].group(0))
    ):
        words = words[1:]  # "should not extend …", "ready to sign …": the action is the target
    if not words or (words[0].group(0).lower() in cues.not_targets and not _passive_gerund(words)):
        return None
    if cues.negators.fullmatch(words[0].group(0)) or cues.support.fullmatch(words[0].group(0)):
        return None
    words = words[:MAX_OBJECT_WORDS]
    while words and words[-1].group(0).lower() in cues.not_targets | {"the", "a", "an", "to"}:
        words = words[:-1]
    if not words or not any(len(w.group(0)) >= 3 and w.group(0).isalpha() for w in words):
        return None
    return pos + words[0].start(), pos + words[-1].end()


_ADVERBS = frozenset({"outright", "altogether", "forever", "soon", "anyway", "instead", "again", "once"})
_LY_NOUNS = frozenset(
    {"family", "supply", "rally", "assembly", "ally", "italy", "july", "monopoly", "anomaly"}
)


def _is_adverb(word: str) -> bool:
    """A word that says how or when, not what ("immediately", "outright"): no cue's object."""
    lowered = word.lower()
    return lowered in _ADVERBS or (len(lowered) > 4 and lowered.endswith("ly") and lowered not in _LY_NOUNS)


def _subject_verb(stretch: str) -> re.Match[str] | None:
    """The verb (:data:`_OBJECT_VERB`) of the clause whose subject ``stretch`` (the words after a
    cue, up to :data:`_OBJECT_END`) starts, after at least one word and no clause of its own."""
    verb = _OBJECT_VERB.search(stretch)
    if verb is None or verb.start() == 0 or _OBJECT_CLAUSE.search(stretch, 0, verb.start()):
        return None
    return verb


_WHO_BEFORE = re.compile(r"(?<!\w)who\s+$", re.I)
"""A cue right after "who": the verb of a relative clause, the stance of whom it describes."""


def _noun_cue_is_subject(body: str, cue: re.Match[str], offset: int = 0) -> bool:
    """Whether ``cue`` (a match in a stretch of ``body`` that starts at ``offset``) is an "... of"
    noun cue, or the verb of a "who" clause, that is with its object part of a clause's subject ("the
    rejection of the pay offer had angered nurses", "those who champion X are …"): the stance is its
    agent's."""
    if not _OF_NOUN_CUE.search(cue.group(0)) and not _WHO_BEFORE.search(body, 0, offset + cue.start()):
        return False
    rest = body[offset + cue.end() :]
    end = _OBJECT_END.search(rest)
    return _subject_verb(rest[: end.start()] if end else rest) is not None


def _passive_gerund(words: Sequence[re.Match[str]], auxiliary: str = "being") -> bool:
    """An action suffered as the target: "being" (or ``auxiliary``) and a participle ("against being
    forced to pay", "asked for the cut to be phased in")."""
    return (
        len(words) > 1
        and words[0].group(0).lower() == auxiliary
        and (
            words[1].group(0).lower().endswith(("ed", "en", "wn"))
            or words[1].group(0).lower() in _IRREGULAR_PARTICIPLES
        )
    )


_IRREGULAR_PARTICIPLES = frozenset(
    {"made", "put", "kept", "held", "told", "left", "sent", "paid", "set", "cut", "shut", "hit", "let"}
    | {"sold", "bought", "brought", "caught", "taught", "thought", "led", "fed", "met", "run", "hung"}
)
"""Past participles that end in neither -ed nor -en ("against being made to pay")."""


def _window_start(pos: int, sentence_starts: list[int], paragraph_starts: list[int]) -> int:
    """Where step 3 looks back from ``pos``: the sentence before ``pos``'s sentence (in the previous
    paragraph too), and up to :data:`NEAR_SENTENCES` sentences back within that sentence's paragraph."""
    i = bisect.bisect_right(sentence_starts, pos) - 1
    one_back = sentence_starts[max(0, i - 1)]
    paragraph = paragraph_starts[bisect.bisect_right(paragraph_starts, one_back) - 1]
    return max(sentence_starts[max(0, i - NEAR_SENTENCES)], min(paragraph, one_back))


def _paragraph_starts(text: str) -> list[int]:
    """Where each paragraph starts (paragraphs are separated by a blank line)."""
    return [0, *(m.end() for m in re.finditer(r"\n\s*\n", text))]


def _claim_windows(
    claims: Sequence[Claim], sentence_starts: list[int], paragraph_starts: list[int]
) -> list[tuple[int, int]]:
    """Where catalogue mentions can matter: each claim and the sentences before it that step 3
    reads (:func:`_window_start`), merged."""
    windows: list[tuple[int, int]] = []
    for claim in sorted(claims, key=lambda c: c.start):
        start = _window_start(claim.start, sentence_starts, paragraph_starts)
        if windows and start <= windows[-1][1]:
            windows[-1] = (windows[-1][0], max(windows[-1][1], claim.end))
        else:
            windows.append((start, claim.end))
    return windows


def _sentence_of(body: str, pos: int) -> tuple[int, int]:
    """``(start, end)`` of the sentence of ``body`` that holds ``pos``."""
    start, end = 0, len(body)
    for m in _SENTENCE_END.finditer(body):
        if m.end() <= pos:
            start = m.end()
        else:
            end = m.start() + 1
            break
    return start, end


def _sentence_starts(text: str) -> list[int]:
    return [0] + [m.end() for m in _SENTENCE_END.finditer(text)]


def _mention_before(
    claim_start: int,
    mentions: list[tuple[int, int, str]],
    starts: list[int],
    window_start: int,
    proposed: Sequence[tuple[int, int, str]] = (),
) -> tuple[int, int, str] | None:
    """The nearest catalogue mention or TARGET of an earlier claim (``proposed``) before the claim,
    from ``window_start`` on (:func:`_window_start`; guidelines 4.1: link to the nearest earlier
    mention; reuse it when it is a TARGET already)."""
    j = bisect.bisect_left(starts, claim_start) - 1
    while j >= 0 and mentions[j][1] > claim_start:
        j -= 1
    candidates = [mentions[j]] if j >= 0 else []
    candidates += [t for t in proposed if t[1] <= claim_start]
    in_window = [t for t in candidates if t[0] >= window_start]
    # the nearest end; of two that end together the longer (a TARGET holding the mention: reused)
    return max(in_window, key=lambda t: (t[1], -t[0])) if in_window else None
