"""Sentence boundaries of an article text (the ``sentences`` of the ``documents`` config and the
context of a claim in ``claims`` / ``stance``).

A small deterministic rule splitter, so a release's sentences are reproducible without a model:

- a line break ends a sentence (the cleaned texts put one paragraph, headline or list item per
  line);
- within a line, ``.``, ``!``, ``?`` or ``…`` (with any closing quotes or brackets after it)
  followed by whitespace and then an upper-case letter, a digit or an opening quote ends a
  sentence — unless the word before a ``.`` is a known abbreviation (``Mr.``, ``Dr.``, ``U.S.``,
  ``Jan.``) or a single-letter initial (``J. Smith``).

Sentences are ``(start, end)`` offsets in code points into the text, trimmed of surrounding
whitespace, in text order, never overlapping and never empty.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

# Words that end in "." without ending a sentence (compared case-insensitively, without the dot).
_ABBREVIATION_WORDS = """
    mr mrs ms mx dr prof rev fr sr jr st mt gen lt col maj capt cpt sgt cmdr adm gov sen rep pres
    supt insp det hon amb atty no nos vol vols fig figs p pp ch art sec para ed eds approx est
    dept univ assn bros co corp inc ltd plc llc vs v etc al cf ca i.e e.g u.s u.k u.n e.u u.s.a
    jan feb mar apr jun jul aug sep sept oct nov dec mon tue tues wed thu thur thurs fri sat sun
"""
ABBREVIATIONS = frozenset(_ABBREVIATION_WORDS.split())

# a sentence end: terminal punctuation, closing quotes/brackets, whitespace without a line break,
# then what starts a sentence (looked ahead, not consumed)
_END = re.compile(r"[.!?…]+[\"'”’»)\]]*[^\S\n]+(?=[\"'“‘«(\[]*[\w\d])")
_WORD_BEFORE = re.compile(r"([\w.]+)\.$")


def _starts_sentence(text: str, pos: int) -> bool:
    """Whether the character at ``pos`` (after opening quotes) can start a sentence."""
    while pos < len(text) and text[pos] in "\"'“‘«([":
        pos += 1
    return pos < len(text) and (text[pos].isupper() or text[pos].isdigit())


def _is_abbreviation(text: str, dot: int) -> bool:
    """Whether the ``.`` at ``dot`` ends an abbreviation or an initial rather than a sentence."""
    match = _WORD_BEFORE.search(text, max(0, dot - 20), dot + 1)
    if match is None:
        return False
    word = match.group(1).lower()
    return word in ABBREVIATIONS or (len(word) == 1 and word.isalpha())


def _trimmed(text: str, start: int, end: int) -> tuple[int, int] | None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return (start, end) if start < end else None


def split_sentences(text: str) -> list[tuple[int, int]]:
    """The sentences of ``text`` as ``(start, end)`` code-point offsets (see the module docstring)."""
    out: list[tuple[int, int]] = []
    line_start = 0
    for line in text.split("\n"):
        line_end = line_start + len(line)
        start = line_start
        for match in _END.finditer(text, line_start, line_end):
            punct = match.group(0).rstrip()
            if not _starts_sentence(text, match.end()):
                continue
            if punct.rstrip("\"'”’»)]").endswith(".") and not punct.rstrip("\"'”’»)]").endswith(".."):
                dot = match.start() + len(punct.rstrip("\"'”’»)]")) - 1
                if _is_abbreviation(text, dot):
                    continue
            piece = _trimmed(text, start, match.start() + len(punct))
            if piece is not None:
                out.append(piece)
            start = match.end()
        piece = _trimmed(text, start, line_end)
        if piece is not None:
            out.append(piece)
        line_start = line_end + 1
    return out


def context(sentences: Sequence[tuple[int, int]], start: int, end: int) -> tuple[int, int]:
    """The offsets of the sentences that ``[start, end)`` overlaps, joined (its context): from
    the first such sentence's start to the last one's end; ``(start, end)`` itself when it
    overlaps none (a span of whitespace only)."""
    first = last = None
    for s, e in sentences:
        if s < end and start < e:
            if first is None:
                first = s
            last = e
        elif s >= end:
            break
    if first is None or last is None:
        return (start, end)
    return (min(first, start), max(last, end))
