"""A small, dependency-free language guess for deciding whether to pre-annotate.

Stop-word votes over the first 400 words; non-Latin scripts by Unicode block. Returns an ISO 639-1
code or ``None`` when unsure. Given languages (record fields, HTML metadata) always win.
"""

from __future__ import annotations

import re

_STOPWORDS: dict[str, frozenset[str]] = {
    "en": frozenset(
        [
            "the",
            "of",
            "and",
            "to",
            "in",
            "is",
            "that",
            "for",
            "on",
            "with",
            "was",
            "as",
            "by",
            "at",
            "from",
            "he",
            "she",
            "it",
            "said",
            "has",
            "have",
            "are",
            "be",
            "not",
        ]
    ),
    "fr": frozenset(
        [
            "le",
            "la",
            "les",
            "des",
            "du",
            "de",
            "et",
            "est",
            "une",
            "un",
            "que",
            "qui",
            "dans",
            "pour",
            "sur",
            "pas",
            "au",
            "aux",
            "il",
            "elle",
            "ce",
            "sont",
            "a",
            "été",
        ]
    ),
    "de": frozenset(
        [
            "der",
            "die",
            "das",
            "und",
            "ist",
            "nicht",
            "ein",
            "eine",
            "zu",
            "den",
            "von",
            "mit",
            "sich",
            "des",
            "auf",
            "für",
            "im",
            "dem",
            "auch",
            "es",
            "wird",
        ]
    ),
    "es": frozenset(
        [
            "el",
            "la",
            "los",
            "las",
            "de",
            "y",
            "que",
            "en",
            "un",
            "una",
            "por",
            "con",
            "para",
            "es",
            "del",
            "se",
            "no",
            "al",
            "su",
            "lo",
            "como",
            "más",
        ]
    ),
    "it": frozenset(
        [
            "il",
            "la",
            "di",
            "che",
            "e",
            "è",
            "un",
            "una",
            "per",
            "non",
            "con",
            "del",
            "della",
            "sono",
            "le",
            "gli",
            "si",
            "da",
            "al",
            "nel",
            "anche",
        ]
    ),
    "pt": frozenset(
        [
            "o",
            "a",
            "os",
            "as",
            "de",
            "que",
            "e",
            "do",
            "da",
            "em",
            "um",
            "uma",
            "para",
            "com",
            "não",
            "no",
            "na",
            "se",
            "por",
            "mais",
            "foi",
        ]
    ),
    "nl": frozenset(
        [
            "de",
            "het",
            "een",
            "en",
            "van",
            "is",
            "dat",
            "op",
            "te",
            "niet",
            "in",
            "met",
            "voor",
            "zijn",
            "er",
            "aan",
            "ook",
            "als",
            "bij",
        ]
    ),
}
_WORD = re.compile(r"[^\W\d_]+")


def detect_language(text: str) -> str | None:
    sample = text[:4000]
    letters = [ch for ch in sample if ch.isalpha()]
    if not letters:
        return None
    cyrillic = sum(1 for ch in letters if "\u0400" <= ch <= "\u04ff")
    if cyrillic / len(letters) > 0.5:
        return "uk" if any(ch in "іїєґІЇЄҐ" for ch in letters) else "ru"
    if sum(1 for ch in letters if ch.isascii() or "\u00c0" <= ch <= "\u024f") / len(letters) < 0.5:
        return None
    words = [w.lower() for w in _WORD.findall(sample)][:400]
    if len(words) < 3:
        return None
    scores = {lang: sum(1 for w in words if w in stop) for lang, stop in _STOPWORDS.items()}
    best = max(scores, key=lambda lang: scores[lang])
    if scores[best] == 0:
        return None
    ranked = sorted(scores.values(), reverse=True)
    if ranked[0] < 1.3 * ranked[1] and ranked[0] - ranked[1] < 3:
        return None
    return best


def is_english(language: str | None) -> bool:
    return language is not None and language.lower().split("-")[0].split("_")[0] in {"en", "eng", "english"}
