"""Claims and their speakers, unit by unit.

A paragraph is cut into *units*: its sentences, merged so that no quote crosses a unit boundary.
In each unit every speech verb or act outside quotes whose subject resolves to a speaker yields
claims, in this order of preference:

1. the unit is mostly quotation (or nothing but the attribution is outside the quotes): each
   quoted statement is a direct claim of the speaker;
2. a speech act ("rejected the plan"): the verb and its complement;
3. a reporting verb without a clause complement: a quote after a colon, the whole sentence around
   a parenthetical "…, he said, …", or the clause after a misparsed "told X that";
4. a reporting verb with a complement ("said that …"): the complement, and each coordinated
   statement of its own ("… and warned that …", "… and that …").

A unit without any of these may still hold "according to X, …". Quotes nobody was named for take
the speaker of the paragraph's previous claim, or of the last claim when the paragraph opens with
one (a follow-on quote paragraph).

One clause with two verbs is one claim ("said it supported X but opposed Y", guidelines 2.9); a
clause someone else reports ("The union rejected the offer, its spokesman said", "…, according
to the poll") is that speaker's claim only. A found claim whose parse shows no position
(:mod:`~stancebank.tasks.preannotate.nonclaims`: an action report, a timetable, an indirect
question, …) is kept with the reason in :attr:`Claim.nonclaim` for the rules that read the claims
around it, and not proposed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from stancebank.tasks.preannotate.actors import Mention, speaker_of, subject_of
from stancebank.tasks.preannotate.labels import DIRECT, INDIRECT, MIXED
from stancebank.tasks.preannotate.nonclaims import (
    ACTION,
    ANNOUNCEMENT,
    FIGURE,
    NO_COMMENT,
    NOT_SPEECH,
    QUESTION,
    SCHEDULE,
    UNSAID,
    is_action_report,
    is_announcement,
    is_convening,
    is_embedded_question,
    is_endangering,
    is_figure_report,
    is_no_comment,
    is_open_question,
    is_schedule,
    is_unsaid,
    speaks_of_itself,
)
from stancebank.tasks.preannotate.quotes import SENTENCE_FINAL, find_quotes, strip_span
from stancebank.tasks.preannotate.resources import Resources
from stancebank.tasks.preannotate.wordforms import class_forms, is_attribution_verb, verb_lemma

# Scores: how sure each rule is that it found a claim with its speaker.
SCORE_QUOTED_BY_SPEAKER = 0.75
"""A quoted statement in a unit whose speech verb names the speaker."""
SCORE_QUOTE_AFTER_COLON = 0.7
SCORE_COMPLEMENT_QUOTED = 0.7
"""A complement that is (partly) quoted."""
SCORE_COMPLEMENT = 0.65
"""A reported-speech complement without quotes."""
SCORE_SPEECH_ACT = 0.6
SCORE_ACCORDING_TO = 0.6
SCORE_FOLLOW_ON_QUOTE = 0.6
"""A quote that inherits the speaker of the paragraph's (or the previous) claim."""
SCORE_PARENTHETICAL = 0.55
SCORE_TOLD_THAT = 0.55

# Sizes below which a stretch of text is not a claim.
MIN_STATEMENT_QUOTE_WORDS = 3
"""A quote of fewer words is a phrase, not a statement of its own."""
QUOTED_UNIT_SHARE = 0.5
"""A unit at least this much inside quotation marks is a quotation with an attribution."""
MAX_ATTRIBUTION_ONLY_CHARS = 12
"""Letters outside quotes and attribution below which a unit is only quotes plus "X said"."""
MIN_ACT_WORDS = 2
MIN_PARENTHETICAL_WORDS = 5
MIN_CLAIM_WORDS = 3
MIN_COMPLEMENT_CHARS = 8
MIN_FOLLOW_ON_QUOTE_WORDS = 4
"""A shorter unattributed quote without sentence punctuation is a scare quote."""

_CONTENT_DEPS = {"ccomp", "xcomp"}
_ACT_COMPLEMENT_DEPS = {"dobj", "prep", "xcomp", "ccomp", "dative", "attr", "oprd"}
_ACT_STOP_DEPS = {"punct", "cc", "conj", "parataxis"}
_TRAILING_CONJUNCTION = re.compile(r"[\s,]+(?:and|but|or)$")
_SENTENCE_PUNCTUATION = re.compile(r"[.!?]")
_WH_WORDS = frozenset(["how", "what", "whether", "when", "where", "who", "which", "why", "if"])
_REFUSALS = frozenset(["decline", "declined", "declines", "declining", "refuse", "refused", "refuses"])


class StanceProposal(NamedTuple):
    """One target a claim takes a stance on, as the pre-annotator proposes it."""

    start: int
    end: int
    stance: str
    """A stance relation's label (support / oppose / neutral)."""
    score: float
    """The evidence's strength (the ``SCORE_*`` of the step that proposed it)."""
    target_name: str
    """The project catalogue's canonical name of the target, or empty (a target read from the
    claim's syntax, or a mention of the article's own catalogue)."""


@dataclass
class Claim:
    start: int
    end: int
    form: str
    speaker: Mention | None
    score: float
    id: str = ""
    stances: list[StanceProposal] = field(default_factory=list)
    """Each target the claim takes a stance on."""
    nonclaim: str = ""
    """Why the parse shows this found claim states no position (:mod:`nonclaims`), or empty. Such a
    claim still counts for the rules that read the claims around it (its speaker goes on to an
    unattributed quote) but is not proposed."""


def is_speakers_act(text: str, claim: Claim) -> bool:
    """Whether the claim goes on from its speaker's name: the speaker's own act ("The chamber
    threatens legal action …"), so what comes before the claim is who acts, not what it judges."""
    speaker = claim.speaker
    return speaker is not None and speaker.end <= claim.start and not text[speaker.end : claim.start].strip()


@dataclass(frozen=True)
class Unit:
    """Sentences of one paragraph that no quote crosses: the scope of one set of rules."""

    doc: Any
    text: str
    """The whole text of ``doc`` (spaCy's ``Doc.text`` joins every token on each access)."""
    start: int
    end: int
    toks: list[Any]
    quotes: list[tuple[int, int]]
    """The quotes that open in this unit."""
    heading: bool

    def in_quote(self, i: int) -> bool:
        return any(a <= i < b for a, b in self.quotes)

    def quoted_chars(self) -> int:
        return sum(min(b, self.end) - a for a, b in self.quotes)

    def form_of(self, start: int, end: int) -> str:
        touching = [(a, b) for a, b in self.quotes if a < end and start < b]
        if any(a <= start + 1 and b >= end - 1 for a, b in touching):
            return DIRECT  # one quoted passage holds the whole claim
        return MIXED if touching else INDIRECT

    def words(self, start: int, end: int) -> int:
        return len(self.text[start:end].split())

    def claim(self, start: int, end: int, speaker: Mention, score: float) -> Claim:
        return Claim(start, end, self.form_of(start, end), speaker, score)


def units(sents: list[Any], quotes: list[tuple[int, int]], p_end: int) -> list[tuple[int, int, list[Any]]]:
    """Sentences merged so that no quote crosses a unit boundary."""
    out: list[tuple[int, int, list[Any]]] = []
    for s in sents:
        s_start, s_end = s.start_char, min(s.end_char, p_end)
        toks = [t for t in s if t.idx < p_end]
        if out and any(q0 < s_start < q1 for q0, q1 in quotes):
            u0, _, utoks = out[-1]
            out[-1] = (u0, s_end, utoks + toks)
        else:
            out.append((s_start, s_end, toks))
    return out


# -- the rules, one per kind of attribution ------------------------------------------------------
def _quotes_carry_unit(unit: Unit, verb: Any, subj: Any) -> bool:
    """Whether the unit is a quotation plus its attribution (rule 1): mostly quoted, or almost no
    words outside the quotes and the "X said" itself."""
    if unit.quoted_chars() >= QUOTED_UNIT_SHARE * (unit.end - unit.start):
        return True
    attribution = {t.i for t in subj.subtree} | {verb.i}
    outside = sum(
        len(t.text)
        for t in unit.toks
        if t.i not in attribution and not unit.in_quote(t.idx) and t.is_alpha and t.head.i not in attribution
    )
    return outside < MAX_ATTRIBUTION_ONLY_CHARS


def _act_span(verb: Any, u_end: int, res: Resources) -> tuple[int, int] | None:
    """A speech act: the verb and its complements to the right, up to a comma or a coordination,
    and through a coordinated act of the same subject ("welcomed the deal but criticised the
    secrecy": one clause with two verbs is one claim, guidelines 2.9) or a participle that glosses
    it ("welcomed the decision, calling it …")."""
    keep: list[Any] = []
    children = sorted((c for c in verb.children if c.i > verb.i), key=lambda c: c.i)
    for n, c in enumerate(children):
        if c.dep_ == "cc" and any(_same_clause_act(d, res) for d in children[n + 1 :]):
            keep.extend(children[n:])
            break
        if (
            c.dep_ == "punct"
            and c.text == ","
            and any(_glossing_participle(d, res) for d in children[n + 1 :])
        ):
            keep.extend(d for d in children[n:] if d.dep_ != "punct" or d.i < children[-1].i)
            break
        if c.dep_ in _ACT_STOP_DEPS or c.is_space:
            break
        keep.append(c)
    if not any(c.dep_ in _ACT_COMPLEMENT_DEPS for c in keep):
        return None
    last = max((t for c in keep for t in c.subtree), key=lambda t: t.i)
    # a particle or auxiliary bound to the verb stays out ("has repeatedly demanded" → "demanded")
    return verb.idx, min(last.idx + len(last.text), u_end)


def _speech_act_claim(unit: Unit, verb: Any, speaker: Mention, res: Resources) -> Claim | None:
    bounds = _act_span(verb, unit.end, res)
    if bounds is None:
        return None
    start, end = strip_span(unit.text, *bounds)
    if unit.words(start, end) < MIN_ACT_WORDS:
        return None
    return unit.claim(start, end, speaker, SCORE_SPEECH_ACT)


def _quote_after_colon(unit: Unit, verb: Any, speaker: Mention) -> Claim | None:
    """ "… said: “…”": the last quote of the unit, when it follows a colon after the verb."""
    colon = [t for t in unit.toks if t.text == ":" and t.i > verb.i]
    if not colon or not unit.quotes or unit.quotes[-1][0] <= colon[0].idx:
        return None
    start, end = strip_span(unit.text, *unit.quotes[-1])
    return Claim(start, end, DIRECT, speaker, SCORE_QUOTE_AFTER_COLON)


def _is_parenthetical(unit: Unit, verb: Any, subj: Any) -> bool:
    """ "Without X, he said, there could be no Y": the speech verb interrupts the sentence."""
    return bool(
        verb.dep_ == "parataxis"
        and subj.left_edge.i > 0
        and unit.doc[subj.left_edge.i - 1].text == ","
        and not unit.heading
    )


def _parenthetical_claim(unit: Unit, speaker: Mention) -> Claim | None:
    start, end = strip_span(unit.text, unit.start, unit.end)
    if unit.words(start, end) < MIN_PARENTHETICAL_WORDS:
        return None
    return unit.claim(start, end, speaker, SCORE_PARENTHETICAL)


def _told_that_claim(unit: Unit, verb: Any, speaker: Mention) -> Claim | None:
    """ "told a broadcaster that …", misparsed as a relative clause on the listener."""
    that = next(
        (t for t in unit.toks if t.i > verb.i and t.lower_ == "that" and t.head.dep_ == "relcl"),
        None,
    )
    if that is None:
        return None
    start, end = strip_span(unit.text, that.idx + len("that"), unit.end)
    if unit.words(start, end) < MIN_CLAIM_WORDS:
        return None
    return unit.claim(start, end, speaker, SCORE_TOLD_THAT)


def _withheld(verb: Any, content: Any) -> bool:
    """ "declined to say how many …", "would not say whether …": what is reported is a question the
    speaker did not answer, not a position."""
    first = content.left_edge
    if first.lower_ == "that" or first.lower_ not in _WH_WORDS:
        return False
    negated = any(c.dep_ == "neg" for c in verb.children)
    refused = verb.dep_ == "xcomp" and verb.head.lower_ in _REFUSALS
    return negated or refused


def _claim_without_complement(unit: Unit, verb: Any, subj: Any, lemma: str, speaker: Mention) -> Claim | None:
    """Rule 3: a reporting verb with no clause complement."""
    found = _quote_after_colon(unit, verb, speaker)
    if found is not None:
        return found
    if _is_parenthetical(unit, verb, subj):
        return _parenthetical_claim(unit, speaker)
    if lemma == "tell":
        return _told_that_claim(unit, verb, speaker)
    return None


def _complement_end(head: Any, u_end: int, res: Resources) -> tuple[int, list[Any]]:
    """End of a complement's subtree, cut before a coordinated statement of its own: another
    speech verb ("… and warned that …") or a clause with its own "that" ("… and that …").
    Returns the end and the cut-off clauses (each a further claim of the same speaker)."""
    cut: list[Any] = []
    for t in head.subtree:
        if t.dep_ != "conj" or t.i <= head.i:
            continue
        if any(c.dep_ == "mark" and c.lower_ == "that" for c in t.children) or (
            is_attribution_verb(t, res) and not _same_clause_act(t, res)
        ):
            cut.append(t)
    sub = list(head.subtree)
    end = sub[-1].idx + len(sub[-1].text)
    if cut:
        first = min(min(x.i for x in c.subtree) for c in cut)
        doc = head.doc
        i = first - 1
        while i > head.i and (doc[i].dep_ in {"cc", "punct"} or doc[i].is_space):
            i -= 1
        end = doc[i].idx + len(doc[i].text)
    return min(end, u_end), cut


def _glossing_participle(tok: Any, res: Resources) -> bool:
    """Whether a participle after an act's comma says more of the same position ("welcomed the
    decision, *calling* it …", "rejected the offer, *threatening* a boycott"): a speech verb or
    act in -ing, an adverbial clause of the act with no subject and no clause of its own ("…,
    arguing that …" reports a statement of its own: a claim of its own)."""
    return (
        tok.dep_ == "advcl"
        and tok.tag_ == "VBG"
        and is_attribution_verb(tok, res)
        and not any(c.dep_ in {"nsubj", "nsubjpass", "mark", "ccomp"} for c in tok.children)
    )


def _same_clause_act(conj: Any, res: Resources) -> bool:
    """Whether a verb coordinated in a clause continues that clause's position rather than opening
    a statement of its own: a speech act used as an act ("supported X but *opposed* Y", "welcomed
    X but *warned of* Y": no clause of its own) or a verb of attitude ("supported X and *believed*
    Y"), with no subject of its own, in a clause whose subject is the speaker itself
    (:func:`speaks_of_itself`). Guidelines 2.9: one clause with two verbs is one claim; "said X and
    warned that Y" is two."""
    if (
        conj.dep_ != "conj"
        or conj.pos_ != "VERB"
        or any(c.dep_ in {"nsubj", "nsubjpass"} for c in conj.children)
    ):
        return False
    if not speaks_of_itself(conj.head):
        return False
    if conj.lower_ in class_forms(res.verbs.attitude):
        return True
    lemma = verb_lemma(conj.lower_)
    return lemma in res.speech_acts and not any(c.dep_ in {"ccomp", "mark"} for c in conj.children)


def _complement_start(comp: Any, sub: list[Any]) -> int:
    """Where a complement's claim starts: after its "that", if it has one."""
    if sub[0].lower_ == "that" and sub[0].dep_ == "mark" and len(sub) > 1:
        return int(sub[1].idx)
    if comp.dep_ == "conj":
        mark = next((c for c in comp.children if c.dep_ == "mark" and c.lower_ == "that"), None)
        if mark is not None:
            return int(mark.idx + len(mark.text))
    return int(sub[0].idx)


def _complement_claims(unit: Unit, verb: Any, first: Any, speaker: Mention, res: Resources) -> list[Claim]:
    """Rule 4: the complement (``first``) of ``verb`` and each coordinated statement cut off it."""
    text = unit.text
    out: list[Claim] = []
    pending = [first]
    while pending:
        comp = pending.pop(0)
        start = _complement_start(comp, list(comp.subtree))
        end, cut = _complement_end(comp, unit.end, res)
        pending.extend(c for c in cut if not is_attribution_verb(c, res))
        for a, b in unit.quotes:
            if start <= a < end < b:
                end = b  # a quote that begins inside the complement stays whole
        start, end = strip_span(text, start, min(end, unit.end))
        trailing = _TRAILING_CONJUNCTION.search(text, start, end)
        if trailing is not None:
            end = trailing.start()
        if end - start < MIN_COMPLEMENT_CHARS or unit.words(start, end) < MIN_CLAIM_WORDS:
            continue
        form = unit.form_of(start, end)
        score = SCORE_COMPLEMENT if form == INDIRECT else SCORE_COMPLEMENT_QUOTED
        out.append(
            Claim(
                start,
                end,
                form,
                speaker,
                score,
                nonclaim=_reported_nonclaim(unit, verb, comp, start, end, res),
            )
        )
    return out


def _reported_nonclaim(unit: Unit, verb: Any | None, head: Any, start: int, end: int, res: Resources) -> str:
    """Why a clause (headed by ``head``) reported by ``verb`` (None: "according to") states no
    position, or empty. A figure reported by a verb that is a speech act of its own ("the union
    warned") is the speaker's position."""
    if unit.form_of(start, end) != INDIRECT:
        return ""
    if is_action_report(head, unit.text[max(start, head.idx + len(head.text)) : end], res):
        return ACTION
    if is_no_comment(head, res):
        return NO_COMMENT
    if is_schedule(head, unit.text[start:end], res):
        return SCHEDULE
    plain = verb is None or verb_lemma(verb.lower_) not in res.speech_acts
    if plain and is_figure_report(head, unit.text[start:end], res):
        return FIGURE
    return ""


def _not_positions(unit: Unit, verb: Any, claims: list[Claim], res: Resources) -> list[Claim]:
    """``claims`` of one speech verb, each marked when the verb shows it is no position: speech
    still to be made, or an announcement of what has no stance cue."""
    unsaid = is_unsaid(verb, res)
    for c in claims:
        if c.nonclaim or c.form == DIRECT:
            continue
        if unsaid:
            c.nonclaim = UNSAID
        elif is_announcement(verb, unit.text[c.start : c.end], res):
            c.nonclaim = ANNOUNCEMENT
    return claims


def _according_to_claim(
    unit: Unit, actors: list[Mention], extra: list[Mention], res: Resources
) -> Claim | None:
    """ "According to X, …" / "…, according to X": the rest of the unit, on the longer side."""
    doc = unit.doc
    for acc in unit.toks:
        if not (acc.lower_ == "according" and acc.i + 1 < len(doc) and doc[acc.i + 1].lower_ == "to"):
            continue
        objs = [c for c in doc[acc.i + 1].children if c.dep_ == "pobj"]
        if not objs:
            continue
        speaker = speaker_of(objs[0], actors, extra, res, unit.text)
        if speaker is None:
            continue
        phrase = list(acc.subtree)
        p0, p1 = phrase[0].idx, phrase[-1].idx + len(phrase[-1].text)
        if p0 - unit.start < unit.end - p1:
            start, end = strip_span(unit.text, p1, unit.end)
        else:
            start, end = strip_span(unit.text, unit.start, p0)
        if unit.words(start, end) < MIN_CLAIM_WORDS:
            return None
        found = unit.claim(start, end, speaker, SCORE_ACCORDING_TO)
        if acc.head.pos_ in {"VERB", "AUX"}:
            found.nonclaim = _reported_nonclaim(unit, None, acc.head, start, end, res)
        return found
    return None


def _continues_sentence(text: str, start: int, end: int) -> bool:
    """Whether a quote goes on with a sentence begun outside it: its first letter is lower case
    ('The plan, she said, "will not survive the winter"'), so the claim is the sentence (a
    parenthetical or a mixed complement), not the quoted words alone."""
    word = re.search(r"[^\W\d_]+", text[start:end])
    return word is not None and word.group().islower()  # "iPhones are banned" starts a sentence


def unit_claims(unit: Unit, actors: list[Mention], extra: list[Mention], res: Resources) -> list[Claim]:
    """The claims of one unit (see the module docstring for the rules and their order)."""
    text = unit.text
    long_quotes = [(a, b) for a, b in unit.quotes if len(text[a:b].split()) >= MIN_STATEMENT_QUOTE_WORDS]
    statements = [(a, b) for a, b in long_quotes if not _continues_sentence(text, a, b)]
    fragments = [q for q in long_quotes if q not in statements]
    verbs = [t for t in unit.toks if is_attribution_verb(t, res) and not unit.in_quote(t.idx)]
    out: list[Claim] = []
    quotes_done = False
    carrier: Mention | None = None  # the speaker whose verb the unit's quotes hang on
    for verb in verbs:
        if any(c.start <= verb.idx < c.end for c in out):
            continue  # inside a claim found already
        if _according_to_speaker(verb, actors, extra, res) is not None:
            continue  # "Most voters backed the ban, according to the poll": the poll's claim
        subj = subject_of(verb, res)
        if subj is None or unit.in_quote(subj.idx):
            continue
        speaker = speaker_of(subj, actors, extra, res, unit.text)
        if speaker is None:
            continue
        carries = bool(long_quotes) and _quotes_carry_unit(unit, verb, subj)
        if carries and carrier is None:
            carrier = speaker
        if statements and carries:
            if not quotes_done:
                for a, b in statements:
                    out.append(Claim(*strip_span(text, a, b), DIRECT, speaker, SCORE_QUOTED_BY_SPEAKER))
                quotes_done = True
            continue
        lemma = verb_lemma(verb.lower_)
        if lemma in res.verbs.quote_only:
            continue  # "asked whether …", "asked not to be named": a question, not a position
        content = [
            c
            for c in verb.children
            if c.dep_ in _CONTENT_DEPS and not (c.dep_ == "xcomp" and c.pos_ != "VERB")
        ]
        if not content and lemma in _ADDRESSING_VERBS:
            content = _that_clause_on_listener(verb)
        is_act = lemma in res.speech_acts and (
            lemma not in res.speech_verbs or not any(c.dep_ == "ccomp" for c in content)
        )
        if is_act:
            found = _speech_act_claim(unit, verb, speaker, res)
        elif not content:
            found = _claim_without_complement(unit, verb, subj, lemma, speaker)
        elif len(content) == 1 and is_embedded_question(content[0]):
            # "questioned whether the money would be enough": a doubt, the act is the claim;
            # "explained how the scheme would work": a topic, not what was said. (A second
            # clause of the verb means the question was a subject the parser cut off: "said how
            # the fees were set was a matter for the board".)
            doubt = verb.lower_ in class_forms(res.verbs.doubt)
            if not _withheld(verb, content[0]) and (doubt or not is_open_question(content[0])):
                found = _speech_act_claim(unit, verb, speaker, res)  # "explained why …" asserts
            else:
                question = _speech_act_claim(unit, verb, speaker, res)
                if question is not None:
                    question.nonclaim = QUESTION
                    out.append(question)
                continue
        else:
            if not _withheld(verb, content[0]):
                made = _complement_claims(unit, verb, content[0], speaker, res)
                out.extend(_not_positions(unit, verb, made, res))
            continue
        if found is not None:
            if is_act and is_convening(verb):
                found.nonclaim = ACTION
            elif is_act and is_endangering(verb, res):
                found.nonclaim = NOT_SPEECH
            out.extend(_not_positions(unit, verb, [found], res))
    if carrier is not None:
        # a quote that goes on with a sentence begun outside it is claimed with that sentence
        # (above); where no claim of the unit covers it, the quoted words are the claim
        out.extend(
            Claim(*strip_span(text, a, b), DIRECT, carrier, SCORE_QUOTED_BY_SPEAKER)
            for a, b in fragments
            if not any(c.start < b and a < c.end for c in out)
        )
    if out:
        return _outermost(out)
    according = _according_to_claim(unit, actors, extra, res)
    return [according] if according is not None else []


def _according_to_speaker(
    verb: Any, actors: list[Mention], extra: list[Mention], res: Resources
) -> Mention | None:
    """The speaker an "according to" on a verb's clause attributes it to, if any ("according to
    the poll"; "according to a letter" names no speaker)."""
    doc = verb.doc
    for c in verb.children:
        if c.lower_ == "according" and c.i + 1 < len(doc) and doc[c.i + 1].lower_ == "to":
            objs = [o for o in doc[c.i + 1].children if o.dep_ == "pobj"]
            return speaker_of(objs[0], actors, extra, res, doc.text) if objs else None
    return None


def _outermost(claims: list[Claim]) -> list[Claim]:
    """Claims not inside another speaker's claim: in "The union rejected the offer, its spokesman
    said" the union's act is what the spokesman reports, not a claim of the union's own (a claim
    found first keeps a later verb inside it from making one; this is the inverted order)."""
    return [
        c
        for c in claims
        if not any(
            o.speaker is not c.speaker
            and o.start <= c.start
            and c.end <= o.end
            and o.end - o.start > c.end - c.start
            for o in claims
        )
    ]


_ADDRESSING_VERBS = frozenset(
    {"tell", "inform", "assure", "reassure", "remind", "warn", "promise", "brief", "convince", "persuade"}
)
"""Verbs whose object is the listener: only their object's "that" clause can be what was said
("told a meeting that …"); "questioned the assumption that …" names a content the speaker doubts,
never their own claim (and "denied reports that …" is a speech act: the verb and its object)."""


def _that_clause_on_listener(verb: Any) -> list[Any]:
    """The "that" clause the parser hung on the listener instead of the verb ("told a public
    meeting that the group would …": ``collect`` as an ``acl`` of ``meeting``), as the content.
    Only for :data:`_ADDRESSING_VERBS`."""
    for obj in verb.children:
        if obj.dep_ not in ("dobj", "dative"):
            continue
        for clause in obj.children:
            if clause.dep_ in ("acl", "relcl", "ccomp") and any(
                c.dep_ == "mark" and c.lower_ == "that" for c in clause.children
            ):
                return [clause]
    return []


# -- paragraphs -----------------------------------------------------------------------------------
def _follow_on_quotes(
    text: str,
    lead: int,
    quotes: list[tuple[int, int]],
    para_claims: list[Claim],
    last_speaker: Mention | None,
) -> None:
    """Quotes nobody was named for: an interrupted quote ("…," he said. "…") takes the speaker of
    the paragraph's previous claim; a paragraph that opens with one continues the last speaker."""
    for q_start, q_end in quotes:
        if any(c.start <= q_start < c.end or q_start <= c.start < q_end for c in para_claims):
            continue
        quoted = text[q_start:q_end]
        if len(quoted.split()) < MIN_FOLLOW_ON_QUOTE_WORDS and not _SENTENCE_PUNCTUATION.search(quoted):
            continue  # a scare-quoted phrase, not a statement
        before = [c for c in para_claims if c.start < q_start and c.speaker is not None]
        if before:
            speaker: Mention | None = max(before, key=lambda c: c.start).speaker
        elif q_start == lead:
            speaker = last_speaker
        else:
            continue
        if speaker is None:
            continue
        para_claims.append(Claim(*strip_span(text, q_start, q_end), DIRECT, speaker, SCORE_FOLLOW_ON_QUOTE))


def find_claims(doc: Any, actors: list[Mention], res: Resources) -> tuple[list[Claim], list[Mention]]:
    """Every claim of a parsed text, paragraph by paragraph, and the speakers found on the way that
    are not among ``actors`` (pronouns, descriptions)."""
    text = doc.text
    extra: list[Mention] = []
    claims: list[Claim] = []
    last_speaker: Mention | None = None
    pos = 0
    sents = list(doc.sents)
    for para in text.split("\n"):
        p_start, p_end = pos, pos + len(para)
        pos = p_end + 1
        if not para.strip():
            continue
        quotes = find_quotes(text, p_start, p_end)
        # a heading (no final punctuation) is a claim only when it names who holds the position
        heading = not SENTENCE_FINAL.search(para) and not quotes
        para_sents = [s for s in sents if p_start <= s.start_char < p_end]
        para_claims: list[Claim] = []
        for u_start, u_end, toks in units(para_sents, quotes, p_end):
            unit_quotes = [(a, b) for a, b in quotes if u_start <= a < u_end]
            made = unit_claims(
                Unit(doc, text, u_start, u_end, toks, unit_quotes, heading), actors, extra, res
            )
            para_claims.extend(made)
            for c in made:
                if c.speaker is not None:
                    last_speaker = c.speaker
        if not heading:
            lead = p_start + (len(para) - len(para.lstrip()))
            _follow_on_quotes(text, lead, quotes, para_claims, last_speaker)
            para_claims.sort(key=lambda c: c.start)
        claims.extend(para_claims)
    return claims, extra
