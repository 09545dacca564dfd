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

The steps live in four modules; this one runs them in order (:func:`add_stances`) and holds the
step 1-3 logic that decides between them:

- :mod:`~stancebank.tasks.preannotate.mentions`: the catalogue, its mentions and the article's
  own catalogue, anaphoric "the ban" (steps 1 and 3);
- :mod:`~stancebank.tasks.preannotate.polarity`: cues, negation and its scope, evaluated
  predicates, the stance at a mention (:func:`stance_at`, :func:`stance_after`,
  :func:`claim_stance`) (steps 1-4);
- :mod:`~stancebank.tasks.preannotate.target_syntax`: targets proposed from a claim's syntax
  (step 2);
- :mod:`~stancebank.tasks.preannotate.lending`: a speaker's stance lent to the claims next to it
  (step 4).
"""

from __future__ import annotations

import bisect
import re

from stancebank.tasks.preannotate.claims import Claim, StanceProposal, is_speakers_act
from stancebank.tasks.preannotate.labels import INDIRECT, SUPPORT
from stancebank.tasks.preannotate.lending import inherit_from_speaker
from stancebank.tasks.preannotate.mentions import (
    EMPTY_CATALOGUE,
    Catalogue,
    FoundTargets,
    anaphoric_mentions,
    article_catalogue,
    claim_windows,
    mention_before,
    paragraph_starts_of,
    sentence_of,
    sentence_starts_of,
    window_start_of,
)
from stancebank.tasks.preannotate.polarity import (
    PREDICATE,
    claim_stance,
    is_rhetorical,
    rhetorical_stance,
    stance_after,
    stance_at,
)
from stancebank.tasks.preannotate.resources import StanceCues
from stancebank.tasks.preannotate.target_syntax import (
    AUXILIARY,
    MAX_SUBJECT_WORDS,
    SCORE_OBJECT_STANCE,
    WORD,
    has_pronoun,
    object_after,
    syntax_proposal,
)


def add_stances(
    text: str, claims: list[Claim], cues: StanceCues, catalogue: Catalogue = EMPTY_CATALOGUE
) -> None:
    """Append a :class:`StanceProposal` to each claim's ``stances`` for each target it takes a
    stance on (see the module docstring for the four steps)."""
    if not claims:
        return
    sentence_starts = sentence_starts_of(text)
    paragraph_starts = paragraph_starts_of(text)
    syntax_first = catalogue.pattern is None  # the article's own catalogue comes after the syntax
    if syntax_first:
        catalogue = article_catalogue(text, claims, cues)
    mentions: list[tuple[int, int, str]] = []
    by_head: set[tuple[int, int]] = set()
    if catalogue.pattern is not None and syntax_first:
        mentions = catalogue.mentions(text, claim_windows(claims, sentence_starts, paragraph_starts))
    elif catalogue.pattern is not None:
        # the whole text: a claim's "the ban" may name a target mentioned in the title or the
        # paragraphs before (:func:`anaphoric_mentions`), its attribution one after it ("… she said
        # of the levy": :func:`_from_said_of`)
        earlier = catalogue.mentions(text)
        mentions = anaphoric_mentions(text, claims, earlier, cues)
        by_head = {(m0, m1) for m0, m1, _ in mentions} - {(m0, m1) for m0, m1, _ in earlier}
    found = FoundTargets(
        mentions, [m[0] for m in mentions], sentence_starts, paragraph_starts, by_head=by_head
    )
    for i, claim in enumerate(claims):
        _add_claim_stances(text, claim, cues, found, syntax_first)
        if not claim.stances and i and not claims[i - 1].stances:
            _split_quote(text, claims[i - 1], claim, cues)
        if is_rhetorical(text, claim):
            claim.stances[:] = [
                StanceProposal(s.start, s.end, rhetorical_stance(s.stance), s.score, s.target_name)
                for s in claim.stances
            ]
        found.proposed.extend((s.start, s.end, s.target_name) for s in claim.stances)
    inherit_from_speaker(text, claims, cues, found)


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
    words = list(WORD.finditer(text, first.start, first.end))
    if (
        not 0 < len(words) <= MAX_SUBJECT_WORDS
        or words[0].group(0).lower() in cues.not_targets
        or has_pronoun(words)
        or PREDICATE.search(text, first.start, first.end)
        or PREDICATE.match(" " + text[second.start : second.end]) is None
    ):
        return
    stance = stance_after(" " + text[second.start : second.end], cues)
    if stance is None:
        return
    target = StanceProposal(words[0].start(), words[-1].end(), stance, SCORE_OBJECT_STANCE, "")
    first.stances.append(target)
    second.stances.append(target)


SCORE_NEAR_STANCE = 0.45
"""A catalogue mention in the two sentences before the claim, the claim's cues all pointing one way."""

_ANAPHORIC_SUBJECT = re.compile(
    # the pronoun is the subject only when a verb follows ("this week was …" is no pointer back):
    # an auxiliary, or after it/this/that a verb in -s or -ed ("it costs", "this meant")
    rf"(?:it|this|that)\s+(?:{AUXILIARY}|\w+s|\w+ed)\b|(?:they|these|those)\s+(?:{AUXILIARY}|\w+ed)\b"
    r"|call(?:s|ed|ing)\s+(?:it|this|that|them)\b",
    re.I,
)
"""A claim about what was said before: its subject points back ("It is a tax on the poor", "This
would be a mistake"), or it names it so ("calling it unfair")."""


def _add_claim_stances(
    text: str, claim: Claim, cues: StanceCues, found: FoundTargets, syntax_first: bool
) -> None:
    """One claim's steps 1-3 (the module docstring); step 2 first for an article's own catalogue."""
    body = text[claim.start : claim.end]
    judges_before = not is_speakers_act(text, claim)
    if syntax_first and _from_syntax(claim, body, cues):
        return
    if _from_mentions(claim, body, cues, found, judges_before) or (
        not syntax_first and _from_syntax(claim, body, cues)
    ):
        return
    if _from_said_of(text, claim, body, cues, found):
        return
    # an earlier claim's TARGET only for a claim about "it" / "this" ("It is a tax on the poor"):
    # a claim with a subject of its own is about that subject, not about what was said before
    anaphoric = _ANAPHORIC_SUBJECT.match(body) is not None
    if syntax_first and not anaphoric:
        return  # the article's own catalogue is a guess: only a claim about "it" borrows from it
    earlier = found.proposed if anaphoric else ()
    window_start = window_start_of(claim.start, found.sentence_starts, found.paragraph_starts)
    near = mention_before(claim.start, found.mentions, found.starts, window_start, earlier)
    if near is not None:
        stance = claim_stance(body, cues, judges_before=judges_before)
        if stance is not None:
            claim.stances.append(StanceProposal(near[0], near[1], stance, SCORE_NEAR_STANCE, near[2]))


_SAID_OF = re.compile(
    r"[\"”’']?,?[\"”’']?\s+(?:[\w'’-]+\s+){1,5}?(?:said|says|told reporters|added|wrote|warned|argued)"
    r"\s+(?:of|about)\s+",
    re.I,
)
"""An attribution after a claim that names what the claim is about: "…," she said of the levy. The
speaker comes before the verb and "of" / "about" right after it: in "…," said the head of the union"
or "…," she told reporters in front of the town hall" the "of" belongs to a noun, not to the verb."""


def _from_said_of(text: str, claim: Claim, body: str, cues: StanceCues, found: FoundTargets) -> bool:
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
        span = object_after(text, said.end(), cues)
        if span is None:
            return False
        (t0, t1), name = span, ""
    claim.stances.append(StanceProposal(t0, t1, stance, SCORE_NEAR_STANCE, name))
    return True


def _from_syntax(claim: Claim, body: str, cues: StanceCues) -> bool:
    """Step 2 (:func:`syntax_proposal`) on one claim; whether a target was found."""
    proposal = syntax_proposal(body, cues)
    if proposal is not None:
        o0, o1, stance = proposal
        claim.stances.append(
            StanceProposal(claim.start + o0, claim.start + o1, stance, SCORE_OBJECT_STANCE, "")
        )
    return proposal is not None


SCORE_CATALOGUE_STANCE = 0.6
"""A catalogue mention inside the claim with a cue in its clause."""

_CONDITION = re.compile(r"\b(?:only if|provided(?: that)?|as long as|so long as|on condition that)\b", re.I)
"""A condition put on what comes before ("would back X only if it came with Y")."""

_COORDINATION = re.compile(
    r"\s*(?:,\s*)?(?:and|or|as well as|nor)?\s*(?:(?:a|an|the|any|its|their)\s+)?", re.I
)
"""What joins two mentions that one cue governs together ("the levy and the ban", "X, Y")."""


def _from_mentions(
    claim: Claim, body: str, cues: StanceCues, found: FoundTargets, judges_before: bool = True
) -> bool:
    """Step 1: each catalogue mention inside the claim takes the stance its context shows; whether
    the claim has one (then steps 2 and 3 are not tried). ``judges_before``: as in
    :func:`claim_stance` (False for a claim that is its speaker's act)."""
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
            if stance == SUPPORT and claim.stances and claim.stances[-1].end - claim.start == previous_end:
                claim.stances.pop()
        previous_end = t1 - claim.start
        if stance is None and len(inside) == 1:
            # one mention, no cue next to it: the cues of its own sentence, when they all agree
            # ("We can still have one public display. We do not need …": not the next one's)
            a, b = sentence_of(body, t0 - claim.start)
            about = (t0 - claim.start - a, t1 - claim.start - a)
            stance = claim_stance(body[a:b], cues, judges_before=judges_before or a > 0, about=about)
        if stance is not None:
            score = SCORE_NEAR_STANCE if (t0, t1) in found.by_head else SCORE_CATALOGUE_STANCE
            claim.stances.append(StanceProposal(t0, t1, stance, score, name))
    return bool(inside)


_EVENT_TIME = re.compile(
    r"\b(?:on|by|until|since|from|last|next|this) "
    r"(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b"
    r"|\b(?:later|earlier) (?:this|in the|next) (?:week|month)\b",
    re.I,
)


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
