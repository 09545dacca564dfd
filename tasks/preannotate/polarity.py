"""Polarity: which way a claim's words point at a target, from topic-independent cues only.

The stance evidence of :mod:`stancebank.tasks.preannotate.stances` (steps 1-4): the nearest
support / oppose cue before a target in its clause (:func:`stance_at`), turned around by a negator
just before it or by the polarity of a cue that governs it; a predicate after a target that
evaluates it (:func:`stance_after`, :func:`evaluated_predicate`); the one way all of a claim's cues
point (:func:`claim_stance`); and the flip of a rhetorical question. No cue, no stance.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from stancebank.tasks.preannotate.claims import Claim
from stancebank.tasks.preannotate.labels import NEUTRAL, OPPOSE, SUPPORT
from stancebank.tasks.preannotate.resources import StanceCues

_RHETORICAL = re.compile(r"(?:who|why)\b[^?]*\?", re.I | re.S)
"""A question asking who or why, as a claim (guidelines 2.7): it implies the opposite of what it asks."""


def is_rhetorical(text: str, claim: Claim) -> bool:
    """Guidelines 2.7: a rhetorical question ("Who thought that was a good idea?") implies the opposite."""
    return _RHETORICAL.fullmatch(text, claim.start, claim.end) is not None


def rhetorical_stance(stance: str) -> str:
    """The stance a rhetorical question takes: the opposite of its cue's (a neutral one stays)."""
    return stance if stance == NEUTRAL else opposite_stance(stance)


# -- the evidence ---------------------------------------------------------------------------------


NEGATOR_REACH = 14
"""Characters before a cue where a negator turns it around ("did not back", "not against")."""


def _negated(before: str, cue_start: int, cues: StanceCues) -> bool:
    return cues.negators.search(before[max(0, cue_start - NEGATOR_REACH) : cue_start]) is not None


def opposite_stance(stance: str) -> str:
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
        return opposite_stance(stance)
    return stance


CUE_WINDOW_BEFORE = 60
"""Characters before a target searched for a cue ("rejected any talk of a ceasefire")."""

CLAUSE_BREAK = re.compile(
    r"[;:!?]|[.](?=\s)|,\s+(?:but|while|whereas|although|though|because|since)\b|\s(?:but|whereas|although)\s",
    re.I,
)


def _clause_before(body: str, t0: int, since: int = 0) -> str:
    before = body[max(since, t0 - CUE_WINDOW_BEFORE) : t0]
    breaks = list(CLAUSE_BREAK.finditer(before))
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


def scoped_stance(text: str, match: re.Match[str], stance: str, cues: StanceCues) -> str:
    """A cue's stance with its negation scope: a cue governed by another takes the governor's
    polarity on top of its own ("would not rule out backing X": not(oppose(support)) = support;
    "cannot back X": oppose), and the negator before the governor is the governor's; otherwise
    :func:`_cue_stance`."""
    governor = _governor(text, match.start(), cues) if stance != NEUTRAL else None
    if governor is None:
        return _cue_stance(match.group(0), stance, text, match.start(), cues)
    g_match, g_stance = governor
    inner = stance if g_stance == SUPPORT else opposite_stance(stance)
    return opposite_stance(inner) if _negated(text, g_match.start(), cues) else inner


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
    outer_stance = scoped_stance(before, outer[0], outer[1], cues)
    if outer_stance == NEUTRAL:
        return stance
    return stance if outer_stance == SUPPORT else opposite_stance(stance)


AFTER_WINDOW = 60
"""Characters after a target searched for an evaluating predicate ("the levy is a mistake")."""

MANDATIVE = re.compile(r"demand|propos|recommend|urg|insist|ask|suggest|want", re.I)
"""Cues whose object may be a that-clause of what should happen ("demanded that the board resign"):
the clause without its "that" is the target."""

NECESSITY = re.compile(
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

UNDONE_CLAUSE = re.compile(
    rf"\s+(?:(?:should|must)\s+)?(?:(?:end|stop|cease|halt|close|go|be\s+(?:{_UNDONE_PARTICIPLES}))"
    r"(?!\s+(?:ahead|on|up|to|into|for|with)\b)|(?:close|shut)\s+down)\b",
    re.I,
)
"""The verb of a mandative clause that undoes its subject: "demanded that the charge end", "urged
that the toll be scrapped" are against it (:data:`MANDATIVE`; "… go ahead", "… go on" are not)."""


def stance_at(body: str, t0: int, t1: int, cues: StanceCues, since: int = 0) -> str | None:
    """The stance a claim takes on the target at ``body[t0:t1]``, or None without evidence; a cue
    counts only from ``since`` on (the end of an earlier mention the cue belongs to)."""
    necessary = NECESSITY.match(body)
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
        if noun_cue_is_subject(body, match, t0 - len(before)):
            # "the rejection of X had angered …", "those who champion X are …": the stance of the
            # cue's agent (the claim's verdict on them is :func:`claim_stance`'s)
            return None
        stance = _embedded_stance(before, match, scoped_stance(before, match, stance, cues), cues)
        if stance != NEUTRAL and (
            _UNDONE.match(body, t1) or (MANDATIVE.match(match.group(0)) and UNDONE_CLAUSE.match(body, t1))
        ):
            return opposite_stance(stance)  # "want to see X halted", "demanded that X end": against X
        return stance
    return stance_after(body[t1 : t1 + AFTER_WINDOW], cues)


_QUOTE_MARKS = re.compile(r"[\"“”„«»]|(?<!\w)['‘’]|['‘’](?!\w)")
"""Quotation marks (not apostrophes): "was \u201cthe least painful option\u201d" reads as unquoted."""

_EMBEDDED = re.compile(r"\s(?:that|which|who|whose|where|because|unless|while|whereas)\s", re.I)
"""Where a clause embedded in an evaluating predicate starts: its negators are not the predicate's."""

PREDICATE = re.compile(
    r"\s(?:is|are|was|were|would|will|could|can|should|must|remains?|seems?|has been|have been|"
    r"isn't|aren't|wasn't|weren't|won't|wouldn't|can't|cannot|has|have|had)\b",
    re.I,
)

_MODAL_CONJUNCT = re.compile(r"(?:\S+ ){0,3}?(would|will|could|can) .*? and (\w+ .*)")
"""A modal shared by two coordinated verbs; the second read with it."""

INSERTED_ATTRIBUTION = re.compile(
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

_CONTRACTIONS = (("won't", "will"), ("can't", "can"), ("cannot", "can"), ("n't", ""))

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
    inserted = INSERTED_ATTRIBUTION.match(after)
    if inserted is not None:
        after = " " + after[inserted.end() :]  # "The levy, she said, would hurt …"
    relative = _INSERTED_RELATIVE.match(after)
    if relative is not None:  # "The levy, which the council approved in May, is a mistake"
        after = " " + after[relative.end() :]
    conceded = _CONCESSION.match(after)
    if conceded is not None:  # "… was painful but unavoidable": the verdict is after the "but"
        after = f" {conceded.group(1)} {after[conceded.end() :]}"
    breaks = CLAUSE_BREAK.search(after)
    clause = after[: breaks.start()] if breaks else after
    verb = PREDICATE.search(clause)
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
            return opposite_stance(stance) if negated else stance
        m = cues.neutral_after.search(words)
        if m is not None and _close_enough(words[: m.start()]):
            return NEUTRAL  # a forecast, negated or not, judges nothing ("was not likely")
    return None


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


def claim_stance(
    body: str, cues: StanceCues, *, judges_before: bool = True, about: tuple[int, int] | None = None
) -> str | None:
    """The claim's stance when every cue in it points the same way (after negation), else None. An
    "... of" noun cue that is a clause's subject (:func:`noun_cue_is_subject`) is its agent's stance:
    the claim judges it ("the rejection of X was welcome": against X), or says nothing on X. A
    predicate at the claim's start judges what comes before it ("[the levy] would hurt traders"),
    unless ``judges_before`` is False: after the speaker's own name the predicate is its act
    ("[the chamber] threatens legal action" judges no chamber, and no legal action either). A cue
    inside ``about`` (``body`` offsets of the mention the stance is for) is part of its name, not a
    verdict on it ("would challenge the closure" with "challenge the closure" a target's alias); a
    cue around it still is ("is not up for negotiation")."""
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
            if about is not None and about[0] <= m.start() and m.end() <= about[1]:
                continue
            if noun_cue_is_subject(body, m):
                agents.add(stance)
                continue
            seen.add(scoped_stance(body, m, stance, cues))
    after = stance_after(body, cues) if judges_before else None
    if after is not None:
        seen.add(after)
    if len(seen) != 1:
        return None
    verdict = seen.pop()
    if not agents:
        return verdict
    if len(agents) != 1 or NEUTRAL in agents or verdict == NEUTRAL:
        return None
    return verdict if agents == {SUPPORT} else opposite_stance(verdict)


_MODAL = re.compile(r"\s*(?:would|will|could|can|should|must|might)\b", re.I)


def modal_evaluation(predicate: str, cues: StanceCues) -> str | None:
    """:func:`evaluated_predicate` of a predicate that starts with a modal: what a proposal would do
    ("… would make the crossing dangerous"), not how things are ("the roads had become more
    dangerous" reports, it takes no side)."""
    return evaluated_predicate(predicate, cues) if _MODAL.match(predicate) else None


def evaluated_predicate(predicate: str, cues: StanceCues) -> str | None:
    """The stance of a predicate that judges its subject with evaluative words further on in its
    clause ("… would do the same job at a fraction of the risk", "… made the crossing dangerous"),
    when they all point one way (a negator just before one turns it around), else None. Only the
    predicate's own clause counts: not a clause embedded in it ("… a road that is dangerous")."""
    breaks = CLAUSE_BREAK.search(predicate)
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


OBJECT_VERB = re.compile(r"\s(?:is|are|was|were|has|have|had|would|will|could|should|must|might)\s", re.I)
"""The verb of a clause whose subject a noun cue and its object are ("the rejection of the pay offer
had angered nurses"): the stance is the noun's agent's, not the speaker's, so the cue proposes no
object, unless a clause of the object's own comes first (:data:`_OBJECT_CLAUSE`). Only after a cue
that ends in "of" (:data:`OF_NOUN_CUE`): after a verb cue the object may have a relative clause
without "that" ("welcomed the decision the council had taken"); an object that starts with such a
verb ("nobody should have to …") is none."""

_OBJECT_CLAUSE = re.compile(r"(?<!\w)(?:that|which|who|whose|where)(?!\w)", re.I)
"""A relative or complement clause inside an object: its verb is the object's ("any deal that would
hand over …", "claims that the cost would …")."""


def subject_verb(stretch: str) -> re.Match[str] | None:
    """The verb (:data:`OBJECT_VERB`) of the clause whose subject ``stretch`` (the words after a
    cue, up to :data:`OBJECT_END`) starts, after at least one word and no clause of its own."""
    verb = OBJECT_VERB.search(stretch)
    if verb is None or verb.start() == 0 or _OBJECT_CLAUSE.search(stretch, 0, verb.start()):
        return None
    return verb


OBJECT_END = re.compile(
    r"[,;:.!?()\[\]\"“”«»]|\s(?:and|but|or|because|which|who|while|whereas|although|if|when|unless|"
    r"until|since|so|than|as|saying|said|says|adding|after|before)\s|\s[-–—]\s",
    re.I,
)

OF_NOUN_CUE = re.compile(r"\bof$", re.I)

_WHO_BEFORE = re.compile(r"(?<!\w)who\s+$", re.I)
"""A cue right after "who": the verb of a relative clause, the stance of whom it describes."""


def noun_cue_is_subject(body: str, cue: re.Match[str], offset: int = 0) -> bool:
    """Whether ``cue`` (a match in a stretch of ``body`` that starts at ``offset``) is an "... of"
    noun cue, or the verb of a "who" clause, that is with its object part of a clause's subject ("the
    rejection of the pay offer had angered nurses", "those who champion X are …"): the stance is its
    agent's."""
    if not OF_NOUN_CUE.search(cue.group(0)) and not _WHO_BEFORE.search(body, 0, offset + cue.start()):
        return False
    rest = body[offset + cue.end() :]
    end = OBJECT_END.search(rest)
    return subject_verb(rest[: end.start()] if end else rest) is not None
