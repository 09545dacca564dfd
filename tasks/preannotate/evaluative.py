"""The fallback stance cue: a general-purpose evaluative lexicon, predicated of the target.

The curated cues (``stance_cues.yaml``) were grown on the dev articles' wording; claims on other
topics argue with evaluative words they never saw ("would devastate tourism", "is a wonderful
idea"). Where the curated cues give nothing, a word of the evaluative lexicon
(:class:`~stancebank.tasks.preannotate.resources.Evaluative`: VADER's valences, read as
``evaluative.yaml`` says) decides, but only when it is **predicated of the target**: the target is
the subject and the word is its verb ("the cull would devastate …"), what a copula says of it ("…
would be reckless", "… is a wonderful idea"), or the object of a verb that brings it ("… would cause
chaos") or reduces it ("… will reduce crime": the other way). A word merely present in the sentence
("Pollution kills thousands; the zone will …") says nothing about the target: sentiment is not
stance.

Negation turns it around ("… would not harm …"); a passive ("nobody was harmed by …") is what was
done to the subject, no verdict on it; a question, a predicate with a curated cue of its own (the
curated rules decide there) or an object like "nobody" gives nothing. A gerund subject whose
object is the target composes with the verdict on it: "Ending the fee would be reckless" is for the
fee, "Keeping the fee would be wise" too.
"""

from __future__ import annotations

import re

from stancebank.tasks.preannotate.labels import OPPOSE, SUPPORT
from stancebank.tasks.preannotate.polarity import (
    _CLAUSE_BREAK,
    _CONCESSION,
    _INSERTED_ATTRIBUTION,
    _INSERTED_RELATIVE,
    _flip,
    stance_after,
)
from stancebank.tasks.preannotate.resources import StanceCues

_TOKEN = re.compile(r"[A-Za-z][A-Za-z'’-]*")

_AUXILIARIES = frozenset(
    {"would", "will", "could", "can", "should", "must", "might", "may", "shall", "does", "do", "did", "to"}
)
_PERFECT = frozenset({"has", "have", "had"})
"""Auxiliaries only before a participle ("has ruined"); else a verb of possession ("had an
incentive"), which judges nothing."""
_COPULAS = frozenset(
    {"is", "are", "was", "were", "be", "been", "being", "remains", "remain", "remained", "seems", "seem"}
    | {"seemed", "becomes", "become", "became", "looks", "look", "looked", "proved", "proves", "prove"}
)
_NEGATORS = frozenset({"not", "never", "hardly", "scarcely", "no", "nothing"})
_MODIFIERS = frozenset(
    {"a", "an", "the", "such", "so", "too", "very", "quite", "really", "deeply", "utterly", "truly"}
    | {"simply", "more", "most", "rather", "entirely", "completely", "extremely", "hugely", "just"}
    | {"also", "still", "only", "absolutely", "certainly", "clearly", "probably", "already", "both"}
    | {"even", "far", "much", "genuinely", "plainly", "frankly", "obviously", "surely", "again"}
)
"""Determiners and adverbs between a verb and the word that evaluates ("would be a truly …")."""
_OBJECT_STOP = frozenset(
    {"of", "for", "to", "in", "on", "at", "by", "with", "from", "that", "which", "who", "and", "or"}
    | {"but", "than", "as", "if", "when", "because", "while", "into", "over", "about"}
)
"""Where the evaluated phrase after a verb ends ("a disaster for the valley": "disaster")."""
_NONE_OBJECTS = frozenset({"nobody", "nothing", "no", "none", "anyone", "anything", "anybody"})
"""An object that empties the verb ("harmed nobody", "did not hurt anyone"): no verdict."""
_CONTRACTIONS = (("won't", "will not"), ("can't", "can not"), ("cannot", "can not"), ("n't", " not"))

PHRASE_WORDS = 3
"""How many words of a predicate's phrase are read for an evaluating word ("a reckless gamble")."""


def _words(stretch: str) -> list[str]:
    lowered = stretch.lower().replace("’", "'")
    for form, plain in _CONTRACTIONS:
        lowered = lowered.replace(form, plain)
    return [w.strip("'-") for w in _TOKEN.findall(lowered)]


_QUANTITY = frozenset({"deal", "many", "much", "more", "less", "fewer"})
"""Words after which a lexicon word measures rather than judges ("a good deal more expensive")."""


def _phrase_polarity(
    words: list[str], cues: StanceCues, *, predicative: bool = False
) -> tuple[str | None, bool]:
    """The polarity of the first evaluating word of a phrase (after determiners and adverbs, up to
    a preposition or clause word), and whether a "no" / "not" came before it. ``predicative``: the
    phrase follows a copula, where an adjective with an infinitive ("easier to read") says what
    doing something is like, not what the subject is worth."""
    negated = False
    content = 0
    for i, word in enumerate(words):
        if word in _NEGATORS:
            negated = True
            continue
        if word in _MODIFIERS:
            continue
        if word in _OBJECT_STOP or content == PHRASE_WORDS:
            break
        content += 1
        polarity = cues.evaluative.polarity(word)
        if polarity is not None:
            following = words[i + 1 : i + 2]
            if (predicative and following == ["to"]) or (following and following[0] in _QUANTITY):
                return None, negated  # "easier to read"; "a good deal more": what doing it is like, how much
            return polarity, negated
    return None, negated


def lexicon_predicate(after: str, cues: StanceCues, *, need_verb: bool = False) -> str | None:
    """The stance an evaluating word of the lexicon takes on the subject just before ``after``
    (the rest of its clause: " would devastate tourism", " is a wonderful idea", " protects jobs"),
    or None. ``need_verb``: the predicate must start with an auxiliary or a copula (the words before
    it may not be the subject)."""
    if not cues.evaluative.valence:
        return None
    inserted = _INSERTED_ATTRIBUTION.match(after)
    if inserted is not None:  # "The cull, she said, would …"
        after = " " + after[inserted.end() :]
    relative = _INSERTED_RELATIVE.match(after)
    if relative is not None:
        after = " " + after[relative.end() :]
    conceded = _CONCESSION.match(after)
    if conceded is not None:  # "… was costly but worthwhile": the verdict after the "but"
        after = f" {conceded.group(1)} {after[conceded.end() :]}"
    breaks = _CLAUSE_BREAK.search(after)
    clause = after[: breaks.start()] if breaks else after
    if breaks is not None and breaks.group(0) == "?":
        return None  # a question asks, it does not judge
    if cues.any_cue(clause) or cues.neutral_after.search(clause):
        return None  # a curated cue is there: the curated rules decide (and gave nothing)
    words = _words(clause)
    negated = False
    auxiliary = copula = False
    i = 0
    while i < len(words):
        word = words[i]
        if word in _COPULAS:
            auxiliary = copula = True
        elif word in _AUXILIARIES:
            auxiliary = True
        elif word in _PERFECT:
            following = words[i + 1] if i + 1 < len(words) else ""
            if not (following == "been" or following.endswith(("ed", "en", "ne", "wn"))):
                return None
            auxiliary = True
        elif word in _NEGATORS - {"no", "nothing"}:
            negated = not negated
        elif not (word in _MODIFIERS or (word.endswith("ly") and len(word) > 4)):
            break
        i += 1
    if i == len(words) or (need_verb and not auxiliary):
        return None
    head, rest = words[i], words[i + 1 :]
    lexicon = cues.evaluative
    if copula and head.endswith("ing"):
        copula = False  # "was using …": a verb in the progressive, read as a verb
    if copula:
        if lexicon.is_base_verb_participle(head) or rest[:1] == ["by"]:
            return None  # "nobody was harmed by …": done to the subject, no verdict on it
        polarity, negated_phrase = _phrase_polarity(words[i:], cues, predicative=True)
        negated ^= negated_phrase
    else:
        finite = (head.endswith("s") and not head.endswith("ss")) or head.endswith("ed")
        if not (auxiliary or finite or head in lexicon.decrease or head in lexicon.bring):
            return None  # no auxiliary: only a verb in -s / -ed ("protects", "wrecked") is one
        if rest and rest[0] in _NONE_OBJECTS | _QUANTITY:
            return None  # "harmed nobody": no verdict; "would attract fewer visitors": it depends
        if head in lexicon.decrease or head in lexicon.bring:
            polarity, negated_phrase = _phrase_polarity(rest, cues)
            if negated_phrase:
                return None  # "would bring no relief": too subtle to read
            if polarity is not None and head in lexicon.decrease:
                polarity = _flip(polarity)  # "would reduce crime" is good
        else:
            polarity = lexicon.polarity(head) or _second_verb(head, rest, cues)
    if polarity is None:
        return None
    if breaks is not None and _contrast_after(after[breaks.start() :], polarity, cues):
        return None  # "would help savers but hurt borrowers": both ways, no verdict
    return _flip(polarity) if negated else polarity


_CONTRAST = re.compile(r"[,;]?\s*but\s", re.I)

CONTRAST_WORDS = 4
"""Words after a "but" read for a verdict the other way."""


def _contrast_after(rest: str, polarity: str, cues: StanceCues) -> bool:
    """Whether ``rest`` (from a clause break on) is "but" and, within :data:`CONTRAST_WORDS` words,
    a word of the lexicon of the other polarity."""
    m = _CONTRAST.match(rest)
    if m is None:
        return False
    return any(
        cues.evaluative.polarity(w) not in (None, polarity) for w in _words(rest[m.end() :])[:CONTRAST_WORDS]
    )


COORDINATED_GAP = 5
"""Words allowed between a verb and the "and" of a second verb that shares its subject."""


def _second_verb(head: str, rest: list[str], cues: StanceCues) -> str | None:
    """The polarity of a second verb coordinated with a first that judges nothing ("would slow
    floods and clean the water": "clean"), in the first's form (after a verb in -s / -ed, one in -s
    / -ed; after a modal, any: "would … and clean"), else None."""
    if "and" not in rest[: COORDINATED_GAP + 1]:
        return None
    i = rest.index("and") + 1
    while i < len(rest) and (rest[i] in _MODIFIERS or (rest[i].endswith("ly") and len(rest[i]) > 4)):
        i += 1
    if i == len(rest) or rest[i] in _OBJECT_STOP or rest[i] in _NONE_OBJECTS:
        return None
    second = rest[i]
    for suffix in ("ed", "s"):
        if head.endswith(suffix) and not second.endswith(suffix):
            return None
    if second in cues.evaluative.decrease or second in cues.evaluative.bring:
        return None  # its object decides: not read here
    return cues.evaluative.polarity(second)


_SUBJECT_LEAD = re.compile(
    r"(?:\s|[\"“”‘’'(]|(?<!\w)(?:that|and|but|so|because|since|now|yet|also|then|indeed|frankly)(?!\w))*",
    re.I,
)
"""What may stand between a clause's start and its subject ("… said that the cull …")."""

_GERUND_LEAD = re.compile(
    r"[\s\"“”‘’'(]*(?:(?:that|and|but|so|because)\s+)?([A-Za-z]+ing)\s+$",
    re.I,
)
"""A gerund that opens a clause and takes the target as its object ("Ending the fee …")."""


def _clause_start(body: str, t0: int) -> int:
    breaks = list(_CLAUSE_BREAK.finditer(body, 0, t0))
    return breaks[-1].end() if breaks else 0


def subject_evaluation(body: str, t0: int, t1: int, cues: StanceCues) -> str | None:
    """The lexicon's stance on the mention at ``body[t0:t1]`` when it is its clause's subject and
    its predicate evaluates it (:func:`lexicon_predicate`), else None."""
    start = _clause_start(body, t0)
    if not _SUBJECT_LEAD.fullmatch(body, start, t0):
        return None
    return lexicon_predicate(body[t1:], cues)


def gerund_subject_stance(body: str, t0: int, t1: int, cues: StanceCues) -> str | None:
    """The stance on the mention at ``body[t0:t1]`` when it is the object of a gerund that opens its
    clause and a predicate judges that gerund phrase ("Ending the fee would be reckless": for the
    fee; "Keeping the fee would be wise": for it), else None. The gerund is an oppose cue (against
    what it names), a support cue or one of ``enact`` (for it); the verdict is a curated predicate
    first, else the lexicon's."""
    start = _clause_start(body, t0)
    lead = _GERUND_LEAD.fullmatch(body, start, t0)
    if lead is None:
        return None
    gerund = lead.group(1)
    if cues.oppose.fullmatch(gerund):
        inner = OPPOSE
    elif cues.support.fullmatch(gerund) or gerund.lower() in cues.evaluative.enact:
        inner = SUPPORT
    else:
        return None
    verdict = stance_after(body[t1 : t1 + 80], cues) or lexicon_predicate(body[t1:], cues, need_verb=True)
    if verdict is None or verdict not in (SUPPORT, OPPOSE):
        return None
    return inner if verdict == SUPPORT else _flip(inner)


_ATTITUDE = re.compile(
    r"(?:i|we)\s+((?:(?:do|did|would|will|really|truly|simply|just|still|absolutely|all|not|never)\s+"
    r"|(?:don't|didn't|won't|wouldn't|don’t|didn’t|won’t|wouldn’t)\s+)*)([a-z]+)\s+"
    r"(?:(?:the|this|that|these|those|our|their|its|a|an|any)\s+)?",
    re.I,
)
"""The speaker's own attitude to what follows: "I love the new lane", "we would never trust the
board" (first person only: "the storm destroyed the wall" is no attitude of anyone to the wall)."""

_NEGATED_ATTITUDE = re.compile(r"\b(?:not|never)\b|n[’']t\b", re.I)


def attitude_at(body: str, start: int, cues: StanceCues) -> tuple[int, int, str] | None:
    """``(verb_end, end, stance)`` of "I / we [not] <verb of the lexicon> [the]" at ``body[start:]``
    (the speaker's attitude to what follows the verb; ``end`` after a determiner), else None; a
    curated cue there decides."""
    m = _ATTITUDE.match(body, start)
    if m is None or cues.any_cue(m.group(0)):
        return None
    verb = m.group(2).lower()
    polarity = cues.evaluative.polarity(verb)
    if polarity is None or verb in _COPULAS | _AUXILIARIES | _PERFECT or verb.endswith("ly"):
        return None  # "I would happily pay …": an adverb, the verb after it is no attitude
    return m.end(2), m.end(), _flip(polarity) if _NEGATED_ATTITUDE.search(m.group(1)) else polarity


def speaker_attitude(body: str, t0: int, cues: StanceCues) -> str | None:
    """The stance of the speaker's own attitude verb on the mention at ``body[t0:]`` right after it
    at its clause's start ("I love the new lane": for it), else None."""
    start = _clause_start(body, t0)
    lead = _SUBJECT_LEAD.match(body, start, t0)
    found = attitude_at(body, lead.end() if lead else start, cues)
    if found is None:
        return None
    verb_end, end, stance = found
    return stance if t0 in (end, verb_end + 1) else None


_EXTRAPOSED = re.compile(
    r"(?<!\w)(?:it|this|that)((?:['’]s|\s+(?:is|was|would|will|could|might|seems|seemed|isn['’]t|wasn['’]t"
    r"|wouldn['’]t|won['’]t))(?:\s+(?:not|never|be|been|have|very|so|simply|really|quite|absolutely|utterly"
    r"|truly|deeply|plainly|frankly|a|an|the|most))*)\s+([a-z-]+)\s+to\s+([a-z]+)\s+",
    re.I,
)
"""A verdict on doing something, extraposed: "it would be stupid to scrap …", "it is wonderful to
keep …" (the verdict word, then the verb whose object the target is)."""

_DETERMINER = re.compile(r"(?:the|this|that|these|those|our|their|its|a|an|any)\s+", re.I)


def _verb_polarity(verb: str, cues: StanceCues) -> str | None:
    """Whether doing ``verb`` to something is for it (a support cue, one of ``enact``: "keep",
    "extend") or against it (an oppose cue, one of ``decrease``: "scrap", "cut"), else None."""
    lower = verb.lower()
    if cues.oppose.fullmatch(lower) or lower in cues.evaluative.decrease:
        return OPPOSE
    gerunds = {lower + "ing", lower[:-1] + "ing", lower + lower[-1:] + "ing"}
    if cues.support.fullmatch(lower) or not gerunds.isdisjoint(cues.evaluative.enact):
        return SUPPORT
    return None


def extraposed_at(body: str, start: int, cues: StanceCues) -> tuple[int, str] | None:
    """``(verb_end, stance)`` of "it would be <verdict> to <verb> …" searched from
    ``start``: the stance on the verb's object is the verdict composed with the verb ("stupid to
    scrap X": for X; "wonderful to keep X": for X), else None. The verdict is a curated evaluating
    predicate or, failing one, the lexicon's word."""
    m = _EXTRAPOSED.search(body, start)
    if m is None:
        return None
    inner = _verb_polarity(m.group(3), cues)
    if inner is None:
        return None
    verdict = stance_after(" " + body[m.start(1) : m.end(2)], cues)  # " would be a mistake"
    negated = re.search(r"\b(?:not|never)\b|n['’]t\b", m.group(1), re.I) is not None
    if verdict is None:
        word = m.group(2).lower()
        verdict = cues.evaluative.polarity(word)
        if verdict is not None and negated:
            verdict = _flip(verdict)
    if verdict not in (SUPPORT, OPPOSE):
        return None
    return m.end(3), inner if verdict == SUPPORT else _flip(inner)


def extraposed_stance(body: str, t0: int, cues: StanceCues) -> str | None:
    """:func:`extraposed_at` for the mention at ``body[t0:]`` right after the verb (or its
    determiner), in the mention's clause."""
    start = _clause_start(body, t0)
    found = extraposed_at(body, start, cues)
    if found is None:
        return None
    verb_end, stance = found
    det = _DETERMINER.match(body, verb_end + 1)
    return stance if t0 in (verb_end + 1, det.end() if det else -1) else None


_BY_AGENT = re.compile(
    r"(?<![\w'’-])((?:[\w'’-]+\s+){1,8}?)((?:(?:would|will|could|might|can|may|must|should|has|have|had)\s+)?"
    r"(?:(?:not|never)\s+)?(?:be|been|being|is|are|was|were|get|gets|got)\s+)((?:[a-z]+ly\s+)?)"
    r"([a-z]+)\s+by\s+$",
    re.I,
)
"""A passive whose agent follows: "tourism would be devastated by …" (the subject, the auxiliaries,
an adverb, the participle, "by")."""

_NONE_SUBJECTS = frozenset({"nobody", "nothing", "no", "none", "noone", "neither", "few", "little"})


def agent_at(body: str, start: int, end: int, cues: StanceCues) -> str | None:
    """The stance on the agent that follows ``body[start:end]`` when that stretch is a passive
    clause up to "by" whose participle is a word of the lexicon ("tourism would be devastated by"
    → against the agent; "families have been helped by" → for it), else None. A subject of none
    ("nobody was harmed by the old limit") or a negated passive ("was not hurt by") says nothing
    either way."""
    m = _BY_AGENT.search(body[start:end])
    if m is None or cues.any_cue(m.group(0)):
        return None
    subject = _words(m.group(1))
    if not subject or subject[0] in _NONE_SUBJECTS or subject[0] in _NEGATORS:
        return None
    if re.search(r"\b(?:not|never)\b", m.group(2), re.I) or cues.negators.search(m.group(1)):
        return None
    participle = m.group(4).lower()
    if not (participle.endswith(("ed", "en", "wn")) or participle in _IRREGULAR_PARTICIPLES):
        return None
    return cues.evaluative.polarity(participle)


_IRREGULAR_PARTICIPLES = frozenset({"hurt", "hit", "struck", "let", "left", "shut", "put", "cut", "upset"})


def agent_evaluation(body: str, t0: int, cues: StanceCues) -> str | None:
    """:func:`agent_at` for the mention at ``body[t0:]`` (after "by" and a determiner) in its clause."""
    start = _clause_start(body, t0)
    det = re.search(r"(?:(?:the|this|that|these|those|our|their|its|a|an|any)\s+)?$", body[start:t0], re.I)
    end = start + det.start() if det else t0
    return agent_at(body, start, end, cues)


_ANAPHOR = re.compile(r"[\s\"“”‘’'(]*(?:it|this|that|they|these|those)(?=\s)", re.I)


def anaphoric_evaluation(body: str, cues: StanceCues) -> str | None:
    """The lexicon's stance of a claim whose subject points back ("It would be a disaster for the
    valley"), on what it points back to, else None."""
    lead = _ANAPHOR.match(body)
    if lead is None:
        return None
    return lexicon_predicate(body[lead.end() :], cues, need_verb=True)
