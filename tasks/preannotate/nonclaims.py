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

The rules above read a found claim's text. Those below read its parse, when the claim is found
(:mod:`~stancebank.tasks.preannotate.claims` records the reason on the claim, and the pipeline
drops it), each with the grammar of the kind rather than the words of an example:

- an **action report**: the reported clause says an action started or stopped ("they had started
  buying fuel oil", "shops have begun to ration bread"), or the speech act "call" convenes
  something ("called a protest for Thursday"; "called for", "called on", "called it a mistake"
  stay claims);
- **no speech act**: a participle "threatening" that means endangering ("strikes hit two
  refineries, threatening fuel reserves");
- **no comment**: the speaker saying that it does not speak ("said it would not comment on the
  case", "could not confirm the figures");
- an **announcement**: a verb that makes a decision or fact public ("announced", "confirmed")
  with no stance cue in what it reports ("the museum will return the masks, its trustees
  announced");
- **speech still to be made**: a speech verb under an obligation or a plan ("researchers will
  have to explain why …", "is expected to announce …", "must say whether …");
- an **indirect question** ("explained how the scheme would work", "reported when the road
  would reopen"): what was asked or explained, not a position; with a verb of doubt
  ("questioned whether the money would be enough") the act and its question are the claim;
- a **timetable**: "talks are scheduled to resume next month", "the meeting will take place in
  Brussels", "the march would start at noon", "buses would run twice a week" (no negation, no
  stance cue);
- a **figure report**: the reported clause's subject is counted ("about 4,000 people remain in
  the towns") and nothing in it is modal or a stance cue.

Each leaves a clause with a stance cue of its own (or a modal of obligation) a claim.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from stancebank.tasks.preannotate.labels import INDIRECT
from stancebank.tasks.preannotate.resources import Resources, StanceCues
from stancebank.tasks.preannotate.wordforms import class_forms, verb_lemma

if TYPE_CHECKING:
    from stancebank.tasks.preannotate.claims import Claim

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
    rf"[\w-]+\s+(?:(?:the|such an?)\s+(?:\w+\s+)?(?:{_SAID_BEFORE})"
    rf"|(?:that|this|these|those)\s+\w+)"
    rf"\s+(?:{_REACTION_TIME})",
    re.I,
)
"""A speech act on what was said before, dated as a reaction, and nothing else: "the" and a noun
for something said ("dismissed the idea the same evening"), or a demonstrative, which points back
to what the article has just reported, with any one noun ("rejected that assurance within hours").
With two words the demonstrative may open a clause, which is then the claim ("demanded that work
stop immediately", "demanded those responsible resign at once"), and the text alone does not tell
that from an adjective and a noun ("dismissed that latest report …"): the claim is kept."""

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
    return not cues.any_cue(body)


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


# -- found claims that are not claims, by their parse ---------------------------------------------

ACTION = "action report"
NOT_SPEECH = "no speech act"
NO_COMMENT = "no comment"
ANNOUNCEMENT = "announcement"
UNSAID = "speech still to be made"
FIGURE = "figure report"
SCHEDULE = "timetable"
QUESTION = "indirect question"
_WH = frozenset(["how", "what", "whether", "when", "where", "who", "which", "why", "if"])
_EXPLAINING = frozenset(["how", "why"])
"""Wh-words whose clause asserts what it explains ("explained why the dam would fail")."""
_ONSET = frozenset(["start", "begin", "began", "begun", "resume"])
"""Aspectual verbs that, in the future, announce a plan ("would begin adding fluoride")."""

_DEONTIC = frozenset(["should", "must", "ought", "shall"])
_FUTURE = frozenset(["will", "would", "'ll", "wo"])
"""Modals that make a clause a demand: such a clause states a position whatever else it reports."""
_SUBJECTS = {"nsubj", "nsubjpass"}
_CLAUSE_DEPS = {"ccomp", "xcomp"}


_SELF_REFERENCE = frozenset(["i", "we", "he", "she", "it", "they", "my", "our", "his", "her", "its", "their"])


def self_subject(verb: Any) -> bool:
    """Whether a clause's subject is a pronoun or a phrase owned by one ("it supported …", "his
    government supported …", "they had started …"), or the clause has none: in reported speech,
    the speaker speaking of itself."""
    subj = next((c for c in verb.children if c.dep_ in _SUBJECTS), None)
    return subj is None or (
        subj.lower_ in _SELF_REFERENCE
        or any(c.dep_ == "poss" and c.lower_ in _SELF_REFERENCE for c in subj.children)
    )


def speaks_of_itself(verb: Any) -> bool:
    """Whether a verb's clause is the speaker's own: a reported clause with a :func:`self_subject`,
    or a clause that is not reported (the sentence's own verb shares the speaker's subject). With
    any other subject ("said the cuts were short-sighted and called for …") a verb coordinated in
    the clause is the speaker's own next statement, which the parser hung on the clause."""
    if verb.dep_ not in _CLAUSE_DEPS and verb.dep_ != "conj":
        return True
    return self_subject(verb)


def has_position_cue(body: str, cues: StanceCues) -> bool:
    """Whether a stretch of reported text has a stance cue (:meth:`StanceCues.any_cue`) or a modal
    of obligation."""
    return cues.any_cue(body) or any(w in _DEONTIC for w in body.lower().split())


def is_action_report(head: Any, rest: str, res: Resources) -> bool:
    """Whether a reported clause headed by ``head`` says the speaker itself has started or stopped
    an action, or will ("they had started buying fuel oil", "it would begin adding fluoride next
    autumn"): an aspectual verb with a verb complement, a subject that is the speaker
    (:func:`self_subject`), no negation ("would not stop pumping" is a refusal), no modal but
    the future's ("should start …", "could stop …"), no condition or reason ("would stop
    delivering milk until prices rose" is a threat) and no stance cue in ``rest``, the clause after
    the aspectual verb ("stop" is a cue of its own). A future stop ("would stop paying the levy")
    is a refusal, a position: only a future start is a plan. Others' actions ("pupils had begun to
    fall behind") are left to be claims."""
    if head.pos_ != "VERB" or head.lower_ not in class_forms(res.verbs.aspectual):
        return False
    if not any(c.dep_ in _CLAUSE_DEPS and c.pos_ == "VERB" for c in head.children):
        return False
    if not self_subject(head) or has_position_cue(rest, res.cues):
        return False
    children = list(head.children)
    if any(c.dep_ in {"neg", "advcl"} or (c.tag_ == "MD" and c.lower_ not in _FUTURE) for c in children):
        return False
    future = any(c.tag_ == "MD" for c in children)
    return not future or head.lower_ in class_forms(_ONSET)


def is_embedded_question(head: Any) -> bool:
    """Whether a reported clause headed by ``head`` is an indirect question ("whether the money
    would be enough", "how the scheme would work"): it opens with a wh-word or "if" that hangs on
    its head itself ("if the plan failed, the town would suffer" opens with a condition on
    another verb)."""
    first = head.left_edge
    return first.lower_ in _WH and first.head.i == head.i and first.i < head.i


def is_open_question(head: Any) -> bool:
    """Whether an indirect question (:func:`is_embedded_question`) leaves its answer open
    ("whether the tax would rise", "what the committee had decided"): not an explanation, whose
    "how" or "why" clause asserts ("explained why the dam would fail")."""
    return is_embedded_question(head) and head.left_edge.lower_ not in _EXPLAINING


def is_no_comment(head: Any, res: Resources) -> bool:
    """Whether a reported clause headed by ``head`` says only that the speaker itself does not
    speak ("it would not comment on the case", "it could not confirm the figures"): a negated
    reporting verb that is no speech act, with a :func:`self_subject` and nothing reported of its
    own (no clause, no "that"). "Took no position on …" (a refusal to take a side) is no speech
    verb and stays a claim."""
    lemma = verb_lemma(head.lower_)
    if lemma not in res.speech_verbs or lemma in res.speech_acts or not self_subject(head):
        return False
    children = list(head.children)
    return any(c.dep_ == "neg" for c in children) and not any(
        c.dep_ in _CLAUSE_DEPS or c.dep_ == "mark" for c in children
    )


def is_convening(verb: Any) -> bool:
    """Whether the speech act "call" convenes something ("called a protest for Thursday", "has
    called a strike"): a direct object and no second object, clause or "for"/"on" ("called the
    plan a disgrace", "called for talks", "called on X to …" are positions; a "for" after the
    object is the time or purpose of what is convened)."""
    if verb_lemma(verb.lower_) != "call":
        return False
    deps = {c.dep_ for c in verb.children}
    if "dobj" not in deps or deps & {"oprd", "xcomp", "ccomp", "attr", "dative"}:
        return False
    after = verb.doc[verb.i + 1] if verb.i + 1 < len(verb.doc) else None
    return after is None or after.lower_ not in {"for", "on", "upon"}


def is_endangering(verb: Any, res: Resources) -> bool:
    """Whether a participle "threatening" means endangering ("strikes hit two refineries,
    threatening fuel reserves"; "wildfires swept the hills, threatening homes"): a participle on a
    verb that is no speech verb or act, with a plain object and neither an infinitive nor "with"
    ("threatening to strike", "threatening them with fines" are threats). A finite "threatened
    the harvest" is left a speech act: "the union threatened a strike" is one."""
    if (
        verb_lemma(verb.lower_) != "threaten"
        or verb.tag_ != "VBG"
        or verb.dep_ not in {"advcl", "conj", "xcomp"}
    ):
        return False
    head = verb.head
    if verb_lemma(head.lower_) in res.speech_verbs | res.speech_acts:
        return False
    children = list(verb.children)
    return (
        any(c.dep_ == "dobj" for c in children)
        and not any(c.dep_ in _CLAUSE_DEPS for c in children)
        and not any(c.lower_ == "with" for c in children)
    )


def is_announcement(verb: Any, body: str, res: Resources) -> bool:
    """Whether an announcing verb ("announced", "confirmed") reports what has no stance cue."""
    return verb.lower_ in class_forms(res.verbs.announcement) and not has_position_cue(body, res.cues)


def is_unsaid(verb: Any, res: Resources) -> bool:
    """Whether a speech verb names speech still to be made: an infinitive under an obligation or
    a plan ("will have to … and explain why", "is due to announce", "plans to say"), or with a
    modal of obligation ("must explain whether …"). A past "had to" is speech that was made."""
    if any(c.dep_ == "aux" and c.lower_ in _DEONTIC for c in verb.children):
        return True
    while verb.dep_ == "conj" and verb.head is not verb:
        verb = verb.head
    if verb.dep_ != "xcomp":
        return False
    head = verb.head
    if head.tag_ == "VBD" and head.lower_ == "had":
        return False
    return head.lower_ in class_forms(res.verbs.obligation)


_CLOCK = frozenset(["noon", "midnight", "dawn", "dusk", "midday", "daybreak"])
_EVERY = frozenset(["every", "each"])
_TIMES = frozenset(["once", "twice", "thrice", "times"])
_PERIODIC = frozenset(["daily", "weekly", "monthly", "hourly", "nightly", "fortnightly"])


def _frequency(head: Any) -> bool:
    """Whether a verb has a frequency adverbial: "every hour", "each morning", "twice a week",
    "three times a day", "daily" (not a rate: "3 million a year" hangs on its number)."""
    for c in head.children:
        if c.dep_ == "npadvmod" and any(
            d.lower_ in _EVERY or (d.dep_ in {"predet", "nummod", "advmod"} and d.lower_ in _TIMES)
            for d in c.subtree
        ):
            return True
        if c.dep_ == "advmod" and c.lower_ in _PERIODIC:
            return True
    return False


def is_schedule(head: Any, body: str, res: Resources) -> bool:
    """Whether a reported clause headed by ``head`` only reports a timetable: a schedule head
    ("talks are scheduled to resume …", "is due to open", "will take place in …", "was postponed",
    "would resume"), an "at" a clock time ("would start at noon", "at 6 a.m.") or a future of a
    service verb with a frequency ("buses would leave every hour"; not "prices would rise every
    year", a forecast), with no negation, no reason or condition (an adverbial clause) and no
    stance cue or modal of obligation (``body``, the clause's text)."""
    words = class_forms(res.verbs.schedule)
    children = list(head.children)
    timetable = (
        head.lower_ in words
        or any(c.dep_ == "acomp" and c.lower_ in words for c in children)  # "is due to open"
        or (
            head.lower_ in {"take", "takes", "took", "taken", "taking"}
            and any(c.dep_ == "dobj" and c.lower_ == "place" for c in children)
        )
        or any(
            c.dep_ == "prep"
            and c.lower_ == "at"
            and any(o.dep_ == "pobj" and (o.lower_ in _CLOCK or o.ent_type_ == "TIME") for o in c.children)
            for c in children
        )
    )
    future = any(c.tag_ == "MD" and c.lower_ in _FUTURE for c in children)
    if future and head.lower_ in class_forms(res.verbs.service) and _frequency(head):
        timetable = True  # "buses would leave every hour"; not "prices would rise every year"
    if not timetable or any(c.dep_ in {"neg", "advcl"} for c in children):
        return False  # "… would open at noon to protect the shops": a reason argues
    return not has_position_cue(body, res.cues)


def is_figure_report(head: Any, body: str, res: Resources) -> bool:
    """Whether a reported clause headed by ``head`` only reports a figure: its subject is counted
    ("about 4,000 people remain …", "three officers were hurt"), the verb is passive or
    intransitive with no clause of its own (:data:`_ARGUING_DEPS`), and the clause has no modal and
    no stance cue (a poll's "62 percent opposed the plan" keeps its cue)."""
    subj = next((c for c in head.children if c.dep_ in _SUBJECTS), None)
    if subj is None or not (subj.like_num or any(c.dep_ == "nummod" for c in subj.children)):
        return False
    if any(c.tag_ == "MD" or c.dep_ in _ARGUING_DEPS for c in head.children):
        return False  # a modal forecasts; a clause ("… since the bypass opened") argues
    return not has_position_cue(body, res.cues)


_ARGUING_DEPS = frozenset(["advcl", "dobj", "xcomp", "ccomp"])
"""What makes a counted clause more than a tally: a reason or time clause, an object ("3,000
members had signed the petition"), an intention or report ("40 percent of nurses plan to leave",
"two thirds said …"). A tally is passive or intransitive: "were injured", "remain closed"."""
