"""Actors: named mentions (NER widened over titles, plus the project's known actors) and the speaker
a subject token stands for (names, pronouns resolved to the last named person, descriptions)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from stancebank.tasks.preannotate.labels import GROUP, OTHER, PERSON
from stancebank.tasks.preannotate.quotes import strip_span
from stancebank.tasks.preannotate.resources import Resources
from stancebank.tasks.preannotate.wordforms import is_attribution_verb, noun_lemma

# Scores: how sure each way of finding an actor is.
SCORE_GAZETTEER_ENTITY = 0.85
"""An entity the project's known actors (``[[actors]]``) name."""
SCORE_ENTITY = 0.7
"""An entity of the NER alone."""
SCORE_GAZETTEER_ALIAS = 0.8
"""An alias of a known actor the NER missed."""
SCORE_RESOLVED_PRONOUN = 0.6
SCORE_PRONOUN = 0.4
"""A pronoun speaker no named person could be found for."""
SCORE_DESCRIPTION = 0.55
"""A description or an unrecognised name as speaker ("the ministry", "residents")."""

_AGENT_DEPS = {"nsubj", "nsubjpass", "agent", "appos"}
_IDENTIFYING_DEPS = {"det", "poss", "compound", "amod", "nummod", "prep", "acl", "relcl"}
"""What makes a plural finding ("two reports", "the ministry's reports", "reports by the UN")
a source: without any of these, "reports" are hearsay, not an actor."""
_SPEAKER_PHRASE_DROPS = {"relcl", "appos", "punct", "acl"}
"""What a description speaker's phrase leaves out: relative clauses, appositives, participles."""


@dataclass
class Mention:
    start: int
    end: int
    type: str
    name: str | None
    score: float
    person_like: bool = False
    id: str = ""
    subject: bool = False
    gender: str | None = None
    """What named evidence says of the person: a title ("Mrs", "Sir") or "X said she …" of a
    name the NER took for a person; never a pronoun resolved to it (that may be a wrong guess)."""


def main_subject(root: Any) -> bool:
    """A subject of a main clause (or its apposition), the usual antecedent of a later "he"/"she"."""
    if root.dep_ == "appos":
        root = root.head
    while root.dep_ in {"compound", "conj"}:
        root = root.head
    return bool(root.dep_.startswith("nsubj") and root.head.dep_ in {"ROOT", "conj"})


PRONOUN_GENDERS = {"he": "male", "she": "female"}
"""The pronouns that tell who they stand for apart: "she" is no one named evidence calls a man."""


def last_person(mentions: list[Mention], before: int, gender: str | None = None) -> Mention | None:
    """The named person a pronoun (of ``gender``, if it has one) refers to: the nearest earlier
    subject, else the nearest earlier one. Not a person named evidence gives the other gender
    ("Mr Tom Asher said … she said" is not Tom Asher; :attr:`Mention.gender`): when that rules
    out the subject, the nearest earlier person left, subject or not ("…, according to Ada Moss.
    She urged …")."""
    named = [m for m in mentions if m.person_like and m.name and m.start < before]
    subjects = [m for m in named if m.subject]
    pool = subjects or named
    if not pool:
        return None
    chosen = max(pool, key=lambda m: m.start)
    if gender is not None:
        other = {m.name for m in named if m.gender is not None and m.gender != gender}
        if chosen.name in other:
            left = [m for m in named if m.name not in other]
            return max(left, key=lambda m: m.start) if left else None
    return chosen


def acts(root: Any) -> bool:
    """Places and organisations are actors when they act: a subject, an agent, or a speaker's title."""
    if root.dep_ in _AGENT_DEPS:
        return True
    if root.dep_ == "pobj" and root.head.lower_ in {"by", "to"} and root.head.head.lower_ == "according":
        return True
    if root.dep_ == "pobj" and root.head.lower_ == "by":
        return True
    return root.dep_ == "conj" and root.head.dep_ in {"nsubj", "nsubjpass"}


class _Taken:
    """Mentions that do not overlap: the first one found for a stretch of text wins."""

    def __init__(self, size: int) -> None:
        self.taken = [False] * (size + 1)
        self.mentions: list[Mention] = []

    def overlaps(self, start: int, end: int) -> bool:
        return any(self.taken[start:end])

    def add(self, m: Mention) -> None:
        if self.overlaps(m.start, m.end):
            return
        for k in range(m.start, m.end):
            self.taken[k] = True
        self.mentions.append(m)


def _title_start(doc: Any, ent: Any, res: Resources) -> int:
    """The first token of an entity widened over a preceding title ("Prime Minister …") and the
    nationality/organisation word in front of that title ("Hungarian Prime Minister …")."""
    titles = res.speakers.titles
    start_tok = ent.start
    while start_tok > 0 and doc[start_tok - 1].lower_.rstrip(".") in titles:
        start_tok -= 1
    if start_tok < ent.start and start_tok > 0 and doc[start_tok - 1].ent_type_ in {"NORP", "GPE", "ORG"}:
        start_tok -= 1
        while start_tok > 0 and doc[start_tok - 1].ent_type_ == doc[start_tok].ent_type_:
            start_tok -= 1
    return int(start_tok)


def _with_given_names(doc: Any, ent: Any) -> Any:
    """An entity widened over the names in front of it that the NER left out but the parser
    hangs on it ("Ana" of "Ana Petrova" when only "Petrova" is an entity)."""
    start = ent.start
    while (
        start > 0
        and doc[start - 1].pos_ == "PROPN"
        and doc[start - 1].dep_ == "compound"
        and ent.start <= doc[start - 1].head.i < ent.end
        and not doc[start - 1].ent_type_
    ):
        start -= 1
    return doc[start : ent.end]


def _person_name(ent: Any, res: Resources) -> str:
    """A name without the title words the NER took into it ("Organiser Ada Moss" → "Ada Moss"),
    but with an honorific that is part of it ("Lady Gaga", "Lady Bird Johnson", "Pope Francis")."""
    words = [t for t in ent if not t.is_punct]
    honorifics = res.speakers.honorifics
    while (
        len(words) > 1
        and words[0].lower_.rstrip(".") in res.speakers.titles
        and words[0].lower_ not in honorifics
    ):
        words.pop(0)
    return str(ent.doc[words[0].i : ent.end].text) if words else str(ent.text)


def _full_name(surname: str, mentions: list[Mention], before: int) -> str | None:
    """The nearest person's name before character ``before`` that ends with ``surname``
    ("Haugland" → "Marit Haugland"; guidelines: ``actor_name`` is the name as the article gives
    it in full). Never a name given only later: "Cole said …. Mark Cole was not there" does not
    make the first Cole Mark Cole."""
    earlier = sorted((m for m in mentions if m.start < before), key=lambda m: m.start)
    for m in reversed(earlier):
        if m.person_like and m.name and m.name != surname and m.name.endswith(" " + surname):
            return m.name
    return None


def _after_a_title(doc: Any, ent: Any, res: Resources) -> bool:
    """An organisation (or place) of the NER that a person's title introduces ("Harbour mayor Ana
    Lind") or stands in apposition with ("Its spokeswoman, Ada Moss, said", "Ada Moss, the
    spokeswoman, said") is that titled person; not a title that also heads organisations ("group
    Open Ledger", "the party, Fidesz"), nor one that is an adjective alone ("the national
    Bundesbank", "state Gazprom")."""
    if ent.label_ not in {"ORG", "GPE"}:
        return False
    words = res.speakers
    titles = words.titles - words.heads.keys() - words.title_modifiers
    before = doc[ent.start - 1] if ent.start > 0 else None
    if before is not None and before.pos_ in {"NOUN", "PROPN"} and before.lower_.rstrip(".") in titles:
        return True
    root = ent.root
    appositions = [root.head] if root.dep_ == "appos" else []
    appositions += [c for c in root.children if c.dep_ == "appos"]
    return any(a.pos_ == "NOUN" and a.lower_ in titles for a in appositions)


def _reported_pronoun(root: Any, res: Resources) -> str | None:
    """The pronoun that is the subject of what a name says, when the name is the subject of a
    speech verb ("Kim Berg said she would stay" → "she"; "Ford said it would close" → "it";
    "Ford said its plant would close" → "its"), lower case."""
    verb = root.head
    if not root.dep_.startswith("nsubj") or not is_attribution_verb(verb, res):
        return None
    for comp in verb.children:
        if comp.dep_ != "ccomp" or comp.i < verb.i:
            continue
        for sub in comp.children:
            if not sub.dep_.startswith("nsubj"):
                continue
            if sub.pos_ == "PRON":
                return str(sub.lower_)
            owner = next((c for c in sub.children if c.dep_ == "poss" and c.lower_ == "its"), None)
            if owner is not None:
                return "its"
    return None


def _named_like_a_person(doc: Any, ent: Any) -> bool:
    """Whether a name that says "she"/"he" of itself reads as a person's: two or more proper nouns
    with no article in or before them ("Nadia Bell", not "the Guardian", "Oxfam" or "Save the
    Children", which British English also describes with "who"), described by a "who" clause."""
    before = doc[ent.start - 1] if ent.start > 0 else None
    return (
        len(ent) >= 2
        and all(t.pos_ == "PROPN" for t in ent)
        and (before is None or before.pos_ != "DET")
        and _described_by_who(ent.root)
    )


def _described_by_who(root: Any) -> bool:
    """Whether a name, or a noun in apposition with it, has a relative clause on "who" ("Nadia
    Bell, a nurse who rents a room, said …"): the article speaks of it as of a person."""
    nodes = [root, *(c for c in root.children if c.dep_ == "appos")]
    return any(
        rel.dep_ == "relcl" and any(w.lower_ in {"who", "whom"} for w in rel.children)
        for node in nodes
        for rel in node.children
    )


def _title_gender(doc: Any, start: int, ent: Any, res: Resources) -> str | None:
    """The gender a title in front of (or in) a person's name says ("Mrs Ann Cole")."""
    genders = res.speakers.title_genders
    for tok in doc[start : ent.end]:
        gender = genders.get(tok.lower_.rstrip("."))
        if gender is not None:
            return gender
    return None


def _entity_mentions(doc: Any, found: _Taken, res: Resources) -> None:
    by_alias = res.gazetteer.by_alias
    for ent in sorted(doc.ents, key=lambda e: (e.start_char, -e.end_char)):
        kind = res.speakers.ner_types.get(ent.label_)
        if kind is None:
            continue
        gaz = by_alias.get(ent.text) or by_alias.get(ent.text.removeprefix("the ").strip())
        if ent.label_ == "NORP" and (ent.root.dep_ in {"amod", "compound"} or ent.root.pos_ == "ADJ"):
            continue  # "Ukrainian officials": an adjective, not a group
        if ent.label_ in {"GPE", "ORG"} and not acts(ent.root):
            continue
        person = ent.label_ == "PERSON"
        name = gaz.name if gaz else (_person_name(ent, res) if person else None)
        typ = gaz.type if gaz else kind
        said = _reported_pronoun(ent.root, res)
        if gaz is None and (person or all(t.pos_ == "PROPN" for t in ent)):
            # a surname alone → the earlier full name ending with it, whatever the NER took it
            # for ("Haugland" as an organisation), unless an organisation or place says "it" of
            # itself and so is one ("Ford said it would close the plant"), or is no speaker; a
            # name that a person's title introduces is a person too, and so is one that says
            # "she"/"he" of itself when a "who" clause describes it ("Reuters said he had
            # resigned" is about someone else)
            stripped = _person_name(ent, res)
            surname_of = person or (said not in {"it", "its"} and is_attribution_verb(ent.root.head, res))
            full = _full_name(stripped, found.mentions, ent.start_char) if surname_of else None
            says_self = not person and said in PRONOUN_GENDERS and _named_like_a_person(doc, ent)
            if full is not None or says_self or _after_a_title(doc, ent, res):
                widened = ent if person else _with_given_names(doc, ent)
                if len(widened) > len(ent):  # the name in full, right here
                    ent, full, stripped = widened, None, _person_name(widened, res)
                person, typ, name = True, PERSON, full or stripped
        title_start = _title_start(doc, ent, res) if person else ent.start
        gender = None
        if typ == PERSON:
            gender = _title_gender(doc, title_start, ent, res) or PRONOUN_GENDERS.get(said or "")
        start = doc[title_start].idx if person else ent.start_char
        score = SCORE_GAZETTEER_ENTITY if gaz else SCORE_ENTITY
        found.add(
            Mention(
                start,
                ent.end_char,
                typ,
                name,
                score,
                person_like=typ == PERSON,
                subject=main_subject(ent.root),
                gender=gender,
            )
        )


def _gazetteer_mentions(doc: Any, text: str, found: _Taken, res: Resources) -> None:
    pattern, by_alias = res.gazetteer.pattern, res.gazetteer.by_alias
    if pattern is None:
        return
    for match in pattern.finditer(text):
        entry = by_alias[match.group(0)]
        if entry.type != PERSON:
            tok = doc.char_span(match.start(), match.end(), alignment_mode="expand")
            if tok is None or not acts(tok.root):
                continue
        if found.overlaps(match.start(), match.end()):
            # inside an entity found already: the gazetteer names it when the NER could not
            for m in found.mentions:
                if m.start <= match.start() and match.end() <= m.end and m.name is None:
                    m.name, m.type = entry.name, entry.type
            continue
        span = doc.char_span(match.start(), match.end(), alignment_mode="expand")
        is_subject = span is not None and main_subject(span.root)
        found.add(
            Mention(
                match.start(),
                match.end(),
                entry.type,
                entry.name,
                SCORE_GAZETTEER_ALIAS,
                person_like=entry.type == PERSON,
                subject=is_subject,
            )
        )


def find_actors(doc: Any, res: Resources) -> list[Mention]:
    """Named actors of a parsed text, in text order: NER entities, then the project's known actors'
    aliases."""
    text = doc.text
    found = _Taken(len(text))
    _entity_mentions(doc, found, res)
    _gazetteer_mentions(doc, text, found, res)
    return sorted(found.mentions, key=lambda m: m.start)


# -- speakers -------------------------------------------------------------------------------------
def _pronoun_speaker(tok: Any, typ: str, actors: list[Mention], extra: list[Mention]) -> Mention:
    """A pronoun speaker resolved to the last named person of its gender. The resolution is a
    guess, so it gives the name no gender: in "Mayor Ana Ruiz met a trader. “…,” he said. “…,”
    she said" the "he" is the unnamed trader, and "she" is still Ana Ruiz."""
    antecedent = last_person(actors + extra, tok.idx, PRONOUN_GENDERS.get(tok.lower_))
    name = antecedent.name if typ == PERSON and antecedent else None
    score = SCORE_RESOLVED_PRONOUN if name else SCORE_PRONOUN
    m = Mention(tok.idx, tok.idx + len(tok.text), typ, name, score, person_like=typ == PERSON, subject=True)
    extra.append(m)
    return m


def _speaker_phrase(tok: Any, text: str) -> tuple[Any, int, int]:
    """The noun phrase of a speaker token without relative clauses, appositives and participles:
    its tokens and its stripped character bounds."""
    dropped = {t.i for c in tok.children if c.dep_ in _SPEAKER_PHRASE_DROPS for t in c.subtree}
    left = right = tok.i
    while left - 1 >= tok.left_edge.i and left - 1 not in dropped:
        left -= 1
    while right + 1 <= tok.right_edge.i and right + 1 not in dropped:
        right += 1
    span = tok.doc[left : right + 1]
    return (span, *strip_span(text, span.start_char, span.end_char))


def _description_type(
    tok: Any, phrase_tokens: Any, phrase: str, res: Resources
) -> tuple[str, str | None] | None:
    """The actor type and canonical name of a description speaker; None when it is no speaker."""
    words = res.speakers
    low = tok.lower_
    head = noun_lemma(low)
    if head in words.heads:
        return words.heads[head], None
    if head in words.titles or low in words.titles:
        return PERSON, res.gazetteer.describe(phrase)
    if tok.pos_ == "PROPN" and (
        tok.dep_ == "appos" or all(t.pos_ == "PROPN" for t in phrase_tokens if not t.is_punct)
    ):
        # a name NER missed: "Its spokeswoman, Natalia Rusu, said", "Sofia Reinholt said"
        return PERSON, phrase
    if head in words.not_speakers or low in words.not_speakers or tok.pos_ == "PROPN":
        return None
    if head in words.finding_heads:
        if tok.tag_ == "NNS" and not any(c.dep_ in _IDENTIFYING_DEPS for c in tok.children):
            return None  # "according to reports", "reports say": no source anyone could name
        return OTHER, None
    if tok.tag_ in {"NNS", "NNPS"}:
        return GROUP, None
    return PERSON, res.gazetteer.describe(phrase)


_SUBORDINATORS = frozenset(["as", "while", "after", "when", "because", "before", "since", "until"])


def _misparsed_clause_subject(tok: Any) -> Any | None:
    """The real subject when the parser took a headline's main clause for the subject's phrase:
    in "Gas transit row deepens as supplier threatens to cut deliveries" the subject of
    "threatens" comes out as "deepens" with "as supplier" hanging on it; the speaker is
    "supplier", the noun after the subordinator (with no comma between: "the minister, as chair
    of …, said" is an apposition). The noun's phrase ends where the verb starts, so the verb has
    a clause of its own to head; after an inverted verb (“…,” said Mayor Ann Holt after the
    meeting) the phrase is the time of the saying and the subject is the name."""
    verb = tok.head
    for c in tok.children:
        if c.dep_ != "prep" or c.lower_ not in _SUBORDINATORS or c.i < tok.i:
            continue
        if any(t.is_punct for t in tok.doc[tok.i + 1 : c.i]):
            return None
        obj = next((o for o in c.children if o.dep_ == "pobj" and o.pos_ in {"NOUN", "PROPN"}), None)
        if obj is None or obj.i != obj.right_edge.i or verb.i <= obj.i:
            continue
        if all(t.head.i == verb.i and not t.is_punct for t in tok.doc[obj.i + 1 : verb.i]):
            return obj
    return None


def speaker_of(
    tok: Any, actors: list[Mention], extra: list[Mention], res: Resources, text: str
) -> Mention | None:
    """The actor a subject token stands for, creating pronoun and description actors in ``extra``
    (``text`` is the token's document text)."""
    for child in tok.children:
        if child.dep_ == "appos":
            found = speaker_of(child, actors, extra, res, text)
            if found is not None and (found.name or child.pos_ == "PROPN"):
                return found
    clause = _misparsed_clause_subject(tok)
    if clause is not None:
        return speaker_of(clause, actors, extra, res, text)
    for m in (*actors, *extra):
        if m.start <= tok.idx < m.end:
            return m
    low = tok.lower_
    if low in res.speakers.pronouns and tok.pos_ == "PRON":
        return _pronoun_speaker(tok, res.speakers.pronouns[low], actors, extra)
    if tok.pos_ not in {"NOUN", "PROPN"}:
        return None
    phrase_tokens, start, end = _speaker_phrase(tok, text)
    if end <= start:
        return None
    phrase = text[start:end]
    typed = _description_type(tok, phrase_tokens, phrase, res)
    if typed is None:
        return None
    typ, name = typed
    for m in (*actors, *extra):
        if m.start < end and start < m.end:
            return m
    if typ == PERSON and name == phrase:
        name = _full_name(phrase, [*actors, *extra], start) or name  # a surname the NER missed
    m = Mention(start, end, typ, name, SCORE_DESCRIPTION, person_like=typ == PERSON, subject=True)
    extra.append(m)
    return m


def subject_of(verb: Any, res: Resources) -> Any | None:
    """The subject token of a speech verb, following coordination and complements upwards."""
    for child in verb.children:
        if child.dep_ in {"nsubj", "nsubjpass"}:
            return child
    head = verb.head
    if verb.dep_ == "conj" and head.dep_ == "ccomp" and is_attribution_verb(head.head, res):
        # "said X and warned that Y": the parser hangs the second verb on the first complement
        return subject_of(head.head, res)
    coordinated = verb.dep_ == "ccomp" and verb.i > 0 and verb.doc[verb.i - 1].dep_ == "cc"
    if (verb.dep_ in {"conj", "advcl", "xcomp"} or coordinated) and head is not verb:
        return subject_of(head, res)
    return None
