"""Word forms instead of spaCy's lemmatizer: regular English verb inflections of the speech verbs
and acts, the irregular ones from ``verbs.yaml``, and singulars of the description heads we know."""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache
from typing import Any

from stancebank.tasks.preannotate.resources import (
    Resources,
    load_speaker_words,
    load_speech_acts,
    load_speech_verbs,
    load_verb_words,
)


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


def noun_plural(noun: str) -> str:
    """The regular English plural of a noun ("policy" → "policies", "tax" → "taxes", "levy" →
    "levies", "plan" → "plans")."""
    if noun.endswith("y") and len(noun) > 2 and noun[-2] not in "aeiou":
        return noun[:-1] + "ies"
    if noun.endswith(("s", "sh", "ch", "x", "z")):
        return noun + "es"
    return noun + "s"


@lru_cache(maxsize=1)
def _verb_forms() -> dict[str, str]:
    forms: dict[str, str] = {}
    for lemma in sorted(load_speech_verbs() | load_speech_acts()):
        for form in inflections(lemma):
            forms.setdefault(form, lemma)
    forms.update(load_verb_words().irregular)
    return forms


def verb_lemma(lower: str) -> str:
    """The lemma of a (lower-cased) speech verb form; other words come back unchanged."""
    return _verb_forms().get(lower, lower)


_PLURAL_SUFFIXES = (("ies", "y"), ("es", ""), ("s", ""))


def noun_lemma(lower: str) -> str:
    """The singular of a (lower-cased) description head we know (officials → official)."""
    known = load_speaker_words().known_heads
    if lower in known:
        return lower
    for suffix, repl in _PLURAL_SUFFIXES:
        if lower.endswith(suffix) and lower[: -len(suffix)] + repl in known:
            return lower[: -len(suffix)] + repl
    return lower


def trigger_pattern(lemmas: Iterable[str]) -> re.Pattern[str]:
    """Words that can introduce an attribution: every form of the speech verbs and acts."""
    forms = {f for lemma in lemmas for f in inflections(lemma)} | set(load_verb_words().irregular)
    words = "|".join(sorted((re.escape(f) for f in forms), key=len, reverse=True))
    return re.compile(rf"(?<!\w)(?:{words}|according to)(?!\w)", re.IGNORECASE)


def is_attribution_verb(tok: Any, res: Resources) -> bool:
    """Whether a spaCy token is a speech verb or act ("said", "warned", "rejected", …)."""
    lemma = verb_lemma(tok.lower_)
    return tok.pos_ in {"VERB", "AUX"} and (lemma in res.speech_verbs or lemma in res.speech_acts)


@lru_cache(maxsize=8)
def class_forms(words: frozenset[str]) -> frozenset[str]:
    """Every form of a closed verb class of ``verbs.yaml`` (``attitude``, ``aspectual``, …): the
    regular inflections of its lemmas; its irregular forms are listed in the class itself."""
    return frozenset(f for word in words for f in inflections(word))
