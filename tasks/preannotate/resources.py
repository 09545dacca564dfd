"""The pre-annotator's data files (``stancebank.tasks.resources``), read once and checked at load.

- ``speech_verbs.txt`` / ``speech_acts.txt``: lemmas of reporting verbs and of verbs that carry a
  position themselves;
- ``verbs.yaml``: irregular verb forms, quote-only verbs and the closed verb classes of the
  non-claim rules (attitude, announcement, aspectual, obligation, schedule, doubt, service);
- ``speakers.yaml``: titles, pronouns, description heads and non-speakers, with actor types;
- ``abbreviations.txt``: words whose period does not end a sentence ("Dr.", "No.");
- ``stance_cues.yaml``: topic-independent stance cues (support / oppose verbs, nouns, modal and
  evaluative language, negators), keyed by the spec's polarities. Targets are not in the package:
  they come from the project's catalogue (``[[targets]]`` in ``stancebank.toml``).

Known actors are not in the package either: they are the project's (``[[actors]]``), compiled by
:class:`Gazetteer`.

Every actor type must be an ``actor_type`` choice of the spec and every cue key a stance polarity
the spec has; anything else is a :class:`~stancebank.tasks.errors.ResourceError` naming the file,
the field and the fix.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

import yaml

from stancebank.schema.errors import SpecError
from stancebank.schema.spec import SPEC, AnnotationSpec, Polarity
from stancebank.tasks.errors import ResourceError
from stancebank.tasks.preannotate.labels import ACTOR_TYPES


def _text(name: str) -> str:
    return resources.files("stancebank.tasks.resources").joinpath(name).read_text("utf-8")


def _yaml(name: str) -> Any:
    try:
        return yaml.safe_load(_text(name))
    except yaml.YAMLError as err:
        raise ResourceError(f"{name}: not valid YAML ({err})") from None


def _word_lines(name: str) -> frozenset[str]:
    """One word per line; ``#`` starts a comment."""
    words = (line.split("#", 1)[0].strip() for line in _text(name).splitlines())
    return frozenset(w for w in words if w)


def _words(doc: Mapping[str, Any], key: str, file: str) -> frozenset[str]:
    value = doc.get(key)
    if not isinstance(value, list) or not all(isinstance(w, str) and w for w in value):
        raise ResourceError(f"{file}: `{key}` must be a list of words; got {value!r}")
    return frozenset(value)


def _typed(doc: Mapping[str, Any], key: str, file: str) -> dict[str, str]:
    """A mapping word → actor type, every type a choice of the spec."""
    value = doc.get(key)
    if not isinstance(value, dict) or not value:
        raise ResourceError(f"{file}: `{key}` must be a mapping of words to actor types")
    for word, typ in value.items():
        if not isinstance(word, str) or typ not in ACTOR_TYPES:
            raise ResourceError(
                f"{file}: {key}.{word}: actor type {typ!r} is not an actor_type choice of the spec "
                f"({', '.join(ACTOR_TYPES)})"
            )
    return {str(k): str(v) for k, v in value.items()}


def _mapping(doc: Any, file: str, keys: Iterable[str]) -> Mapping[str, Any]:
    expected = set(keys)
    if not isinstance(doc, dict) or set(doc) != expected:
        found = sorted(doc) if isinstance(doc, dict) else type(doc).__name__
        raise ResourceError(
            f"{file}: expected a mapping with exactly the keys {sorted(expected)}; found {found}"
        )
    return doc


# -- actors ---------------------------------------------------------------------------------------
ActorsKey = tuple[tuple[str, str, tuple[str, ...], tuple[str, ...]], ...]
"""The project's actors (``[[actors]]`` in ``stancebank.toml``) as plain, hashable data:
``(canonical name, actor type, aliases, descriptions)`` per actor (see :func:`actors_key`)."""


def actors_key(actors: Sequence[Any]) -> ActorsKey:
    """The hashable form of a project's ``[[actors]]`` (:class:`stancebank.schema.project.Actor`)."""
    return tuple((a.name, a.type, tuple(a.phrases), tuple(a.descriptions)) for a in actors)


@dataclass(frozen=True)
class GazetteerEntry:
    name: str
    type: str
    aliases: tuple[str, ...]
    descriptions: tuple[str, ...] = ()


@dataclass(frozen=True)
class Gazetteer:
    """The project's known actors: one pattern over every alias (longest first), the entry of each
    alias (and of its lower case), and the descriptions that name an entry. The package ships none:
    actors are the project's (``[[actors]]``), like targets."""

    entries: tuple[GazetteerEntry, ...]
    pattern: re.Pattern[str] | None
    by_alias: Mapping[str, GazetteerEntry]

    @classmethod
    def build(cls, key: ActorsKey = ()) -> Gazetteer:
        entries = []
        for name, typ, aliases, descriptions in key:
            if typ not in ACTOR_TYPES:
                raise ResourceError(
                    f"actor {name!r}: type {typ!r} is not an actor_type choice of the spec "
                    f"({', '.join(ACTOR_TYPES)})"
                )
            entries.append(GazetteerEntry(name, typ, tuple(aliases) or (name,), tuple(descriptions)))
        by_alias: dict[str, GazetteerEntry] = {}
        for entry in entries:
            for alias in entry.aliases:
                by_alias.setdefault(alias, entry)
                by_alias.setdefault(alias.lower(), entry)
        if not by_alias:
            return cls((), None, {})
        alternatives = sorted(by_alias, key=len, reverse=True)
        pattern = re.compile(r"(?<![\w-])(?:" + "|".join(re.escape(a) for a in alternatives) + r")(?![\w-])")
        return cls(tuple(entries), pattern, by_alias)

    def describe(self, phrase: str) -> str | None:
        """The canonical name of the actor a description phrase names ("the Russian leader")."""
        low = phrase.lower()
        for entry in self.entries:
            if any(d.lower() in low for d in entry.descriptions):
                return entry.name
        return None


NO_ACTORS = Gazetteer((), None, {})


@dataclass(frozen=True)
class SpeakerWords:
    """``speakers.yaml``: the words that find and type speakers."""

    ner_types: Mapping[str, str]
    titles: frozenset[str]
    pronouns: Mapping[str, str]
    heads: Mapping[str, str]
    finding_heads: frozenset[str]
    not_speakers: frozenset[str]
    known_heads: frozenset[str]
    """Every head word above (for :func:`~stancebank.tasks.preannotate.wordforms.noun_lemma`)."""
    title_modifiers: frozenset[str]
    """Titles only in front of another title ("Foreign Minister"), never one alone before a name."""
    honorifics: frozenset[str]
    """Titles that are part of a name the NER took whole ("Lady Gaga", "Pope Francis")."""
    title_genders: Mapping[str, str]
    """Titles that say whether a name is a man's or a woman's ("Mrs", "Sir")."""


def parse_speaker_words(doc: Any, file: str = "speakers.yaml") -> SpeakerWords:
    keys = (
        "ner_types",
        "titles",
        "title_modifiers",
        "honorifics",
        "title_genders",
        "pronouns",
        "heads",
        "finding_heads",
        "not_speakers",
    )
    doc = _mapping(doc, file, keys)
    genders = doc["title_genders"]
    if not isinstance(genders, dict) or not all(
        isinstance(w, str) and g in {"male", "female"} for w, g in genders.items()
    ):
        raise ResourceError(
            f"{file}: `title_genders` must map title words to male or female; got {genders!r}"
        )
    heads = _typed(doc, "heads", file)
    titles = _words(doc, "titles", file)
    finding_heads = _words(doc, "finding_heads", file)
    not_speakers = _words(doc, "not_speakers", file)
    return SpeakerWords(
        ner_types=_typed(doc, "ner_types", file),
        titles=titles,
        pronouns=_typed(doc, "pronouns", file),
        heads=heads,
        finding_heads=finding_heads,
        not_speakers=not_speakers,
        known_heads=frozenset(heads) | titles | finding_heads | not_speakers,
        title_modifiers=_words(doc, "title_modifiers", file),
        honorifics=_words(doc, "honorifics", file),
        title_genders={str(k): str(v) for k, v in genders.items()},
    )


@lru_cache(maxsize=1)
def load_speaker_words() -> SpeakerWords:
    return parse_speaker_words(_yaml("speakers.yaml"))


# -- verbs ----------------------------------------------------------------------------------------
@lru_cache(maxsize=1)
def load_speech_verbs() -> frozenset[str]:
    return _word_lines("speech_verbs.txt")


@lru_cache(maxsize=1)
def load_speech_acts() -> frozenset[str]:
    return _word_lines("speech_acts.txt")


@lru_cache(maxsize=1)
def load_abbreviations() -> frozenset[str]:
    """``abbreviations.txt``: words ending with a period that do not end a sentence (lower case)."""
    words = _word_lines("abbreviations.txt")
    bad = sorted(w for w in words if not w.endswith(".") or " " in w)
    if bad:
        raise ResourceError(f"abbreviations.txt: each entry is one word ending with a period; fix {bad}")
    return frozenset(w.lower() for w in words)


@dataclass(frozen=True)
class VerbWords:
    """``verbs.yaml``: irregular forms (form → lemma), quote-only verbs, and the small closed
    classes of verbs the non-claim rules read (lemmas plus the irregular forms the rules cannot
    derive)."""

    irregular: Mapping[str, str]
    quote_only: frozenset[str]
    attitude: frozenset[str] = frozenset()
    """Verbs of attitude ("believe", "think"): coordinated in a reported clause, they continue it."""
    announcement: frozenset[str] = frozenset()
    """Verbs that make a decision or fact public ("announce", "confirm"), not a position."""
    aspectual: frozenset[str] = frozenset()
    """Verbs of starting and stopping ("had started buying fuel"): the report of an action."""
    obligation: frozenset[str] = frozenset()
    """Heads under which a speech verb names speech still to be made ("will have to explain")."""
    schedule: frozenset[str] = frozenset()
    """Heads of a reported timetable ("scheduled to resume", "will take place", "was postponed")."""
    doubt: frozenset[str] = frozenset()
    """Verbs whose indirect question is a doubt, a position ("questioned whether …")."""
    service: frozenset[str] = frozenset()
    """Verbs of a running service ("buses would leave every hour"): with a frequency, a timetable."""


_VERB_CLASSES = ("attitude", "announcement", "aspectual", "obligation", "schedule", "doubt", "service")


def parse_verb_words(doc: Any, file: str = "verbs.yaml") -> VerbWords:
    doc = _mapping(doc, file, ("irregular", "quote_only", *_VERB_CLASSES))
    irregular = doc["irregular"]
    if not isinstance(irregular, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in irregular.items()
    ):
        raise ResourceError(f"{file}: `irregular` must map verb forms to lemmas (both words)")
    classes = {key: _words(doc, key, file) for key in _VERB_CLASSES}
    return VerbWords(dict(irregular), _words(doc, "quote_only", file), **classes)


@lru_cache(maxsize=1)
def load_verb_words() -> VerbWords:
    return parse_verb_words(_yaml("verbs.yaml"))


# -- stance cues ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class StanceCues:
    """``stance_cues.yaml``: topic-independent evidence of a stance (the targets come from the
    project's catalogue or from the claims' syntax, never from the package)."""

    support: re.Pattern[str]
    oppose: re.Pattern[str]
    support_evaluative: re.Pattern[str]
    oppose_evaluative: re.Pattern[str]
    support_after: re.Pattern[str]
    oppose_after: re.Pattern[str]
    neutral: re.Pattern[str]
    """Explicit refusals to take a side, right before what they are about ("took no position on")."""
    neutral_after: re.Pattern[str]
    """Predicates after a target that forecast it without judging it ("… was likely")."""
    negators: re.Pattern[str]
    not_targets: frozenset[str]

    def any_cue(self, text: str) -> bool:
        """Whether ``text`` holds a position cue: before or after a target, evaluative or not, or
        an explicit refusal to take a side — every kind but ``neutral_after`` (a forecast, "… was
        likely", is no position). The test of "has a position" of the non-claim checks."""
        patterns = (
            self.support,
            self.oppose,
            self.support_evaluative,
            self.oppose_evaluative,
            self.support_after,
            self.oppose_after,
            self.neutral,
        )
        return any(p.search(text) for p in patterns)


CUE_POLARITIES: tuple[Polarity, ...] = ("support", "oppose")
"""The stance meanings the cues decide between (the prefixes of the cue keys)."""
NEUTRAL_POLARITY: Polarity = "neutral"
"""The polarity of the ``neutral`` cues (an explicit refusal to take a side)."""
_CUE_KINDS = ("", "_evaluative", "_after")


def _pattern_list(doc: Any, where: str, file: str) -> list[str]:
    if not isinstance(doc, list) or not doc or not all(isinstance(p, str) and p for p in doc):
        raise ResourceError(f"{file}: {where} must be a non-empty list of regex strings; got {doc!r}")
    for pattern in doc:
        try:
            re.compile(pattern)
        except re.error as err:
            raise ResourceError(f"{file}: {where}: {pattern!r} is not a valid regex ({err})") from None
    return doc


def _alternation(patterns: Iterable[str]) -> re.Pattern[str]:
    # longest first, so that "support for" wins over "support" at the same place
    ordered = sorted(patterns, key=len, reverse=True)
    return re.compile(r"(?<!\w)(?:" + "|".join(ordered) + r")(?!\w)", re.IGNORECASE)


def parse_cues(doc: Any, file: str = "stance_cues.yaml", spec: AnnotationSpec = SPEC) -> StanceCues:
    """The stance cues from their YAML document, checked against the spec.

    Keys: ``support``, ``oppose`` (each also with ``_evaluative`` and ``_after``), ``neutral``
    (also with ``_after``),
    ``negators`` and ``not_targets``; each polarity must be one the spec has a stance relation for.
    Raises
    :class:`ResourceError` naming the file, the field and the fix.
    """
    expected = {f"{p}{kind}" for p in CUE_POLARITIES for kind in _CUE_KINDS} | {
        "neutral",
        "neutral_after",
        "negators",
        "not_targets",
    }
    if not isinstance(doc, dict) or set(doc) != expected:
        found = set(doc) if isinstance(doc, dict) else set()
        missing, unknown = sorted(expected - found), sorted(found - expected)
        raise ResourceError(
            f"{file}: must be a mapping with exactly the keys {sorted(expected)} (stance polarities "
            f"of the spec, neutral, negators, not_targets); missing {missing}, unknown {unknown}"
        )
    for polarity in (*CUE_POLARITIES, NEUTRAL_POLARITY):
        try:
            spec.stance_label(polarity)
        except SpecError as err:
            raise ResourceError(f"{file}: {polarity}: {err}") from None
    patterns = {
        key: _alternation(_pattern_list(doc[key], key, file)) for key in sorted(expected - {"not_targets"})
    }
    return StanceCues(
        support=patterns["support"],
        oppose=patterns["oppose"],
        support_evaluative=patterns["support_evaluative"],
        oppose_evaluative=patterns["oppose_evaluative"],
        support_after=patterns["support_after"],
        oppose_after=patterns["oppose_after"],
        neutral=patterns["neutral"],
        neutral_after=patterns["neutral_after"],
        negators=patterns["negators"],
        not_targets=frozenset(w.lower() for w in _words(doc, "not_targets", file)),
    )


@lru_cache(maxsize=1)
def load_cues() -> StanceCues:
    return parse_cues(_yaml("stance_cues.yaml"))


# -- all of them ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Resources:
    """Every data file the rules read, loaded and checked, and the project's known actors."""

    def with_actors(self, actors: ActorsKey) -> Resources:
        return dataclasses.replace(self, gazetteer=Gazetteer.build(actors))

    speech_verbs: frozenset[str]
    speech_acts: frozenset[str]
    verbs: VerbWords
    speakers: SpeakerWords
    cues: StanceCues
    abbreviations: frozenset[str]
    gazetteer: Gazetteer = NO_ACTORS
    """The project's known actors (none unless a preannotator is given some)."""


@lru_cache(maxsize=1)
def load_resources() -> Resources:
    """The package's data files, with no known actors (the project adds its own: see
    :meth:`Resources.with_actors`)."""
    return Resources(
        load_speech_verbs(),
        load_speech_acts(),
        load_verb_words(),
        load_speaker_words(),
        load_cues(),
        load_abbreviations(),
    )
