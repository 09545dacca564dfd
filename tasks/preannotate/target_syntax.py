"""Targets a claim proposes from its own syntax (step 2 of :mod:`stancebank.tasks.preannotate.stances`).

With no catalogue mention, a claim's target is what it says is needed (:func:`necessity_target`),
what it names with a judgement (:func:`called_target`), its subject when its predicate evaluates
it (:func:`subject_target`, :func:`clause_subject_target`), else the object of its first cue
(:func:`first_object`); :func:`syntax_proposal` tries them in that order. A proposal has no
``target_name``: a name is never invented (guidelines 4).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from stancebank.tasks.preannotate.labels import NEUTRAL, OPPOSE, SUPPORT
from stancebank.tasks.preannotate.polarity import (
    CLAUSE_BREAK,
    INSERTED_ATTRIBUTION,
    MANDATIVE,
    NECESSITY,
    OBJECT_END,
    OBJECT_VERB,
    OF_NOUN_CUE,
    PREDICATE,
    UNDONE_CLAUSE,
    modal_evaluation,
    noun_cue_is_subject,
    opposite_stance,
    scoped_stance,
    stance_after,
    subject_verb,
)
from stancebank.tasks.preannotate.resources import StanceCues

SCORE_OBJECT_STANCE = 0.4
"""The object of a cue proposed as the target (no catalogue entry matched)."""

_PRONOUNS = frozenset(["it", "them", "him", "us", "me"])

_DEMONSTRATIVES = frozenset(["this", "that", "these", "those"])


def has_pronoun(words: Sequence[re.Match[str]]) -> bool:
    """A personal pronoun anywhere, or a demonstrative standing alone (last, not "this budget")."""
    lowered = [w.group(0).lower() for w in words]
    return any(w in _PRONOUNS for w in lowered) or bool(lowered and lowered[-1] in _DEMONSTRATIVES)


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


WORD = re.compile(r"[\w'’-]+")


def first_object(body: str, cues: StanceCues) -> tuple[int, int, str] | None:
    """``(start, end, stance)`` of what the first support / oppose cue of the claim is about: the
    words after it up to the clause's end (at most :data:`MAX_OBJECT_WORDS`), not a pronoun or an
    anaphor (guidelines 4.6), else None."""
    found: list[tuple[re.Match[str], str]] = []
    for pattern, stance in ((cues.support, SUPPORT), (cues.oppose, OPPOSE), (cues.neutral, NEUTRAL)):
        found.extend((m, stance) for m in pattern.finditer(body))
    for match, stance in sorted(found, key=lambda f: f[0].start()):
        if noun_cue_is_subject(body, match):
            continue  # "those who champion X are …": their stance, not the speaker's
        span = object_after(body, match.end(), cues, match.group(0))
        if span is None:
            continue
        scoped = scoped_stance(body, match, stance, cues)
        if MANDATIVE.match(match.group(0)) and scoped != NEUTRAL:
            # "demanded that the charge end": the clause's subject, and against it
            undone = next(
                (m for m in UNDONE_CLAUSE.finditer(body, span[0], span[1]) if m.start() > span[0]), None
            )
            if undone is not None and WORD.search(body, span[0], undone.start()):
                return span[0], undone.start(), opposite_stance(scoped)
        return span[0], span[1], scoped
    return None


def necessity_target(body: str) -> tuple[int, int, str] | None:
    """``(start, end, support)`` of X in "Without X, there can be no …" / "… nobody would …": a
    claim that X is needed supports X."""
    m = NECESSITY.match(body)
    return (m.start(1), m.end(1), SUPPORT) if m is not None else None


MAX_OBJECT_WORDS = 8
"""The longest target proposed from a cue's object."""

_CALLED = re.compile(r"(?<![\w-])call(?:s|ed|ing)\s+(?!(?:for|on|upon)\b)", re.I)
"""Naming something with a judgement: "called the plan a mistake" (not "called for")."""


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
    words = list(WORD.finditer(body, called.end(), judgement.start()))
    if len(words) > 1 and words[-1].group(0).lower() in {"a", "an", "the"}:
        words = words[:-1]  # "called the cap an attack on": the article belongs to the judgement
    if (
        not 0 < len(words) <= MAX_OBJECT_WORDS
        or has_pronoun(words)
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


MAX_SUBJECT_WORDS = 10
"""The longest subject proposed as the target of an evaluating predicate ("the new levy is …")."""


def _auxiliary_subject_target(body: str, cues: StanceCues) -> tuple[int, int, str] | None:
    verb = PREDICATE.search(body)
    if verb is None:
        return None
    subject_end = verb.start()
    inserted = INSERTED_ATTRIBUTION.search(body, 0, verb.start())
    if inserted is not None:  # "the new levy, she said, would hurt …": the subject ends at the comma
        subject_end = inserted.start()
        verb = PREDICATE.search(body, inserted.end() - 1)
        if verb is None:
            return None
    if CLAUSE_BREAK.search(body, 0, subject_end):
        return None
    words = list(WORD.finditer(body, 0, subject_end))
    if not 0 < len(words) <= MAX_SUBJECT_WORDS or words[0].group(0).lower() in cues.not_targets:
        return None
    if words[-1].group(0).lower() in {"and", "or", "but"}:
        return None  # "a hotline costs nothing and could …": the predicate is a second verb's
    stance = stance_after(body[verb.start() :], cues) or modal_evaluation(body[verb.start() :], cues)
    if stance is None:
        return None
    return words[0].start(), words[-1].end(), stance


AUXILIARY = (
    r"is|are|was|were|would|will|could|can|should|must|might|has|have|had|does|did|remains?|seems?|"
    r"isn't|aren't|wasn't|weren't|won't|wouldn't|can't|cannot"
)

_SUBJECT_START = re.compile(
    r"[,;:()\"“”]|\s[-–—]\s|(?<!\w)(?:that|because|since|while|whereas|although|though|if|when|"
    r"unless|so|as|than|saying|adding|arguing|insisting|warning|noting|claiming|stressing)(?!\w)",
    re.I,
)
"""Where the subject of a clause can start at the latest: after a comma, a subordinating conjunction,
a complementiser or a participle of saying ("Teachers are tired, and a shorter week gives them
time …", "…, saying the equipment would …"); not after a bare "and" ("the change back and forth
cost lives": one subject)."""

_NOT_IN_SUBJECT = re.compile(rf"(?<!\w)(?:{AUXILIARY}|do|does|did|not|never|no|to)(?!\w)", re.I)
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
    words = list(WORD.finditer(body))[:MAX_CLAUSE_WORDS]
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
        subject = list(WORD.finditer(body, start, pos))
        if subject and subject[0].group(0).lower() in {"and", "but", "or"}:
            subject = subject[1:]  # ", and a shorter week gives …"
        if (
            not 0 < len(subject) <= MAX_SUBJECT_WORDS
            or subject[0].group(0).lower() in cues.not_targets
            or has_pronoun(subject)
            or subject[-1].group(0).lower() in {"and", "or", "but"}  # a first verb's ("… a day and could …")
            or _NOT_IN_SUBJECT.search(body, subject[0].start(), subject[-1].end())
            or cues.negators.search(body, subject[0].start(), subject[-1].end())
        ):
            continue
        return subject[0].start(), subject[-1].end(), stance
    return None


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

_PERSUADE = re.compile(r"urg|press|push|call|ask", re.I)
"""Cues whose object is a person told to act ("urged the union to accept …"): the action is the target."""

_CALL_ON = re.compile(r"call\w* (?:up)?on\b", re.I)
"""The one persuading cue that is a request only with a "to" after its listener."""


def object_after(body: str, pos: int, cues: StanceCues, cue: str = "") -> tuple[int, int] | None:
    rest = body[pos:]
    end = OBJECT_END.search(rest)
    stretch = rest[: end.start()] if end else rest
    if OF_NOUN_CUE.search(cue) and subject_verb(stretch) is not None:
        # "the rejection of the pay offer had angered nurses": a noun cue with its object is the
        # clause's subject, the stance its agent's, not the speaker's
        return None
    verb = OBJECT_VERB.match(stretch)
    if verb is not None:
        return None  # "nobody should have to …": a verb, no object
    # after a verb cue the object may have a relative clause without "that" ("welcomed the decision
    # the council had taken"): no cut
    time = _TIME_END.search(stretch)
    if time is not None and not WORD.search(stretch, time.end()):
        stretch = stretch[: time.start()]  # "rejected the levy on Monday" → "the levy"
    words = list(WORD.finditer(stretch))
    if has_pronoun(words):
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
    if len(words) > 2 and words[0].group(0).lower() == "that" and MANDATIVE.match(cue):
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


_IRREGULAR_PARTICIPLES = frozenset(
    {"made", "put", "kept", "held", "told", "left", "sent", "paid", "set", "cut", "shut", "hit", "let"}
    | {"sold", "bought", "brought", "caught", "taught", "thought", "led", "fed", "met", "run", "hung"}
)
"""Past participles that end in neither -ed nor -en ("against being made to pay")."""


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
