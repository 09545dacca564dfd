"""Reported clauses that look like claims but state no position (guidelines 2.2 and 5).

Each function looks at one found claim (reported speech only: a quote is the speaker's own words)
and says whether it is one of these, so that the pipeline drops it:

- a **procedure report**: "it was studying the ruling", "its office was looking into the plans";
- a **bare reaction**: a speech act on something said before, dated as a reaction and saying
  nothing more ("dismissed the idea the same evening", "rejected that view within hours");
- a **vote**: "backed the measures in the final vote", "approved the plan by 30 votes to 12" —
  an action, not a statement.

A procedure report with a stance cue of its own stays a claim; a vote that is called for rather
than reported ("should reject the levy in the final vote") is a position and stays a claim.
"""

from __future__ import annotations

import re

from stancebank.tasks.preannotate.claims import Claim
from stancebank.tasks.preannotate.labels import INDIRECT
from stancebank.tasks.preannotate.resources import StanceCues

_PROCEDURE = re.compile(
    r"(?:\w+\s+){1,3}?(?:is|are|was|were|has been|have been|had been|would be|will be)\s+"
    r"(?:still\s+|now\s+|already\s+|carefully\s+|closely\s+)?"
    r"(?:studying|examining|reviewing|looking into|considering|assessing|investigating|monitoring|"
    r"analy[sz]ing|weighing)\b",
    re.I,
)
"""Someone is studying something: "it was studying the ruling", "its office was looking into …"."""

_SAID_BEFORE = (
    r"idea|view|views|argument|arguments|comparison|claim|claims|suggestion|suggestions|criticism|"
    r"accusation|accusations|allegation|allegations|account|characteri[sz]ation|interpretation|"
    r"assessment|reasoning"
)
_REACTION_TIME = (
    r"within (?:hours|minutes|days|an hour|the hour|a day)"
    r"|the same (?:day|evening|night|morning|afternoon)|immediately|at once|swiftly|quickly|promptly"
    r"|later that day|on (?:mon|tues|wednes|thurs|fri|satur|sun)day"
)
_BARE_REACTION = re.compile(
    rf"[\w-]+\s+(?:the|that|this|these|those|such an?)\s+(?:\w+\s+)?(?:{_SAID_BEFORE})"
    rf"\s+(?:{_REACTION_TIME})",
    re.I,
)
"""A speech act on what was said before, dated as a reaction, and nothing else."""

_VOTE = re.compile(
    r"\b(?:by \w+ votes? to \w+|(?:in|at) (?:a|the) (?:\w+ )?vote|unanimously|in a show of hands)\b", re.I
)
"""A vote: "in the final vote", "by 41 votes to 9", "unanimously"."""
_CALLED_FOR = re.compile(
    r"\b(?:should|must|ought to|would|will|could|needs? to|has to|have to|had to|is to|are to)\b", re.I
)
"""A vote asked for or foreseen ("the council should reject the levy in the final vote")."""


def _reported(text: str, claim: Claim) -> str | None:
    return text[claim.start : claim.end] if claim.form == INDIRECT else None


def is_procedure_report(text: str, claim: Claim, cues: StanceCues) -> bool:
    """Whether a reported claim only says that someone is studying, reviewing or looking into
    something, with not one stance cue."""
    body = _reported(text, claim)
    if body is None or not _PROCEDURE.match(body):
        return False
    patterns = (cues.support, cues.oppose, cues.support_evaluative, cues.oppose_evaluative, cues.neutral)
    return not any(p.search(body) for p in patterns)


def is_bare_reaction(text: str, claim: Claim) -> bool:
    """Whether a reported claim is only a speech act on something said before, with the time of
    the reaction ("dismissed the idea the same evening"). Without the time ("rejects that
    account") it is the speaker's position on that account and stays a claim."""
    body = _reported(text, claim)
    return body is not None and _BARE_REACTION.fullmatch(body) is not None


def is_vote(text: str, claim: Claim) -> bool:
    """Whether a reported claim reports a vote that took place ("backed the measures in the final
    vote"); a vote called for or foreseen ("should reject the levy in the final vote") is not."""
    body = _reported(text, claim)
    return body is not None and _VOTE.search(body) is not None and _CALLED_FOR.search(body) is None
