"""Speaker lending (step 4 of :mod:`stancebank.tasks.preannotate.stances`).

A claim still without a stance takes its speaker's: the stances on catalogue (or the article's own)
targets of the nearest claim in the same run of that speaker's claims, at a lower score, unless its
own cues point the other way. Speakers are matched by :func:`speaker_keys` (a surname alone is the
speaker named in full before).
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence

from stancebank.tasks.preannotate.claims import Claim, StanceProposal, is_speakers_act
from stancebank.tasks.preannotate.labels import NEUTRAL
from stancebank.tasks.preannotate.mentions import FoundTargets
from stancebank.tasks.preannotate.polarity import claim_stance, is_rhetorical, rhetorical_stance
from stancebank.tasks.preannotate.resources import StanceCues
from stancebank.tasks.preannotate.target_syntax import SCORE_OBJECT_STANCE


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


SCORE_SPEAKER_STANCE = 0.3
"""A claim with no stance of its own, given the stance its speaker takes in a claim next to it
(step 4): evidence from the speaker's position, not from the claim's words."""


def inherit_from_speaker(text: str, claims: Sequence[Claim], cues: StanceCues, found: FoundTargets) -> None:
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
            if s.stance != NEUTRAL and s.score >= SCORE_OBJECT_STANCE and (s.start, s.end) in mention_spans
        ]
        for c in claims
    ]
    for i, claim in enumerate(claims):
        if claim.stances or keys[i] is None:
            continue
        lender = _nearest_in_run(i, keys, paragraphs, lenders)
        if lender is None:
            continue
        own = claim_stance(
            text[claim.start : claim.end], cues, judges_before=not is_speakers_act(text, claim)
        )
        if own is not None and is_rhetorical(text, claim):
            own = rhetorical_stance(own)
        named = {
            _mention_key(text, m0, m1, name)
            for m0, m1, name in found.mentions
            if claim.start <= m0 < claim.end
        }
        claim.stances.extend(
            StanceProposal(s.start, s.end, s.stance, SCORE_SPEAKER_STANCE, s.target_name)
            for s in lenders[lender]
            if (own is None or own == s.stance)
            and (not named or _mention_key(text, s.start, s.end, s.target_name) in named)
        )


def _mention_key(text: str, start: int, end: int, name: str) -> str:
    """What a catalogue mention names: its canonical name, else (the article's own catalogue) its words."""
    return name or _folded(text[start:end])


MAX_LENDER_STEPS = 3
"""How many claims away a claim of the same speaker may lend its stances (step 4)."""


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
