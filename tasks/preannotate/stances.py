"""Targets and stances inside claims: a lexicon target with a polarity cue near it. No cue, no
stance: a wrong suggestion costs an annotator more than a missing one."""

from __future__ import annotations

import re

from stancebank.tasks.preannotate.claims import Claim
from stancebank.tasks.preannotate.labels import OPPOSE, SUPPORT
from stancebank.tasks.preannotate.resources import Lexicon

SCORE_STANCE = 0.55
CUE_WINDOW_BEFORE = 60
"""Characters before a target searched for a cue ("rejected any talk of a ceasefire")."""
CUE_WINDOW_AFTER = 30
"""Characters after a target searched for an opposing cue ("a ceasefire is unacceptable")."""
NEGATOR_REACH_SUPPORT = 12
"""Characters before a support cue where a negator turns it into opposition ("did not back")."""
NEGATOR_REACH_OPPOSE = 8
"""Characters before an oppose cue where a negator turns it into support ("not against")."""


def add_stances(text: str, claims: list[Claim], lexicon: Lexicon) -> None:
    """Append ``(start, end, stance, score)`` to each claim's ``stances`` for every lexicon target
    in it that has a cue; overlapping targets keep the first lexicon entry's match."""
    for claim in claims:
        body = text[claim.start : claim.end]
        seen: set[tuple[int, int]] = set()
        for name, pattern in lexicon.targets:
            for match in pattern.finditer(body):
                t0, t1 = match.start(), match.end()
                if any(a < t1 and t0 < b for a, b in seen):
                    continue
                before = body[max(0, t0 - CUE_WINDOW_BEFORE) : t0]
                after = body[t1 : t1 + CUE_WINDOW_AFTER]
                found = polarity(before, after, lexicon)
                if found is None:
                    continue
                seen.add((t0, t1))
                claim.stances.append((claim.start + t0, claim.start + t1, found, SCORE_STANCE, name))


def polarity(before: str, after: str, lexicon: Lexicon) -> str | None:
    """The stance a target's context shows: the nearest cue before it (support on a tie), flipped
    by a negator just before the cue; else an opposing cue right after it; else None."""
    best: tuple[int, str, int] | None = None  # (distance, stance, cue start)
    for pattern, stance in ((lexicon.oppose, OPPOSE), (lexicon.support, SUPPORT)):
        for m in pattern.finditer(before):
            dist = len(before) - m.end()
            if best is None or dist < best[0] or (dist == best[0] and m.end() - m.start() > 0):
                best = (dist, stance, m.start())
    if best is None:
        follows = lexicon.oppose.match(after.lstrip(" ,")) or re.match(
            r"(is|are|was|were|would be) (" + lexicon.oppose.pattern + ")", after.lstrip(), re.I
        )
        return OPPOSE if follows else None
    _, stance, cue_start = best
    if stance == SUPPORT and lexicon.negators.search(
        before[max(0, cue_start - NEGATOR_REACH_SUPPORT) : cue_start]
    ):
        stance = OPPOSE
    elif stance == OPPOSE and lexicon.negators.search(
        before[max(0, cue_start - NEGATOR_REACH_OPPOSE) : cue_start]
    ):
        cue = before[cue_start:]
        if not lexicon.negators.match(cue):
            stance = SUPPORT
    return stance
