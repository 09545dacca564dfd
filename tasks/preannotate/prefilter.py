"""The attribution prefilter: only text that can hold an attributed claim goes through the parser."""

from __future__ import annotations

import re

_QUOTE_CHARS = re.compile(r"[“”„«»‹›\"]|(?<![\w])['‘]")
_SENTENCE_SPLIT = re.compile(r"(?<=[.!?…])\s+(?=\S)")
_INITIALS = re.compile(r"(?:[^\W\d_]\.)+")
"""Letters each followed by a period: "J.", "U.S.", "a.m.", "e.g."."""


def ends_with_abbreviation(before: str, abbreviations: frozenset[str]) -> bool:
    """Whether the text before a sentence split ends with an abbreviation (then it is no split)."""
    word = before.rsplit(None, 1)[-1].lstrip("([“\"'‘") if before.strip() else ""
    return word.lower() in abbreviations or _INITIALS.fullmatch(word) is not None


def sentence_spans(para: str, abbreviations: frozenset[str]) -> list[tuple[int, int]]:
    """``(start, end)`` of the sentences of a paragraph: split after . ! ? … and whitespace, never
    after an abbreviation or initials."""
    out: list[tuple[int, int]] = []
    pos = 0
    for match in _SENTENCE_SPLIT.finditer(para):
        if ends_with_abbreviation(para[pos : match.start()], abbreviations):
            continue
        out.append((pos, match.start()))
        pos = match.end()
    out.append((pos, len(para)))
    return out


def mask_unattributed(
    text: str, triggers: re.Pattern[str], abbreviations: frozenset[str] = frozenset()
) -> str:
    """``text`` with the sentences that cannot hold an attributed claim blanked to spaces.

    A paragraph with a quotation mark is kept whole (a quote can run over sentences); elsewhere a
    sentence is kept when it has a speech verb or act ("said", "rejected", …) or "according to".
    The first paragraph (the headline) is always kept. Offsets are unchanged: kept text is
    verbatim and every blanked character becomes a space (line breaks stay).

    Sentences are split as :func:`sentence_spans` does, which spaCy may still see otherwise; a
    region found in the masked text may then reach into a blanked sentence. The pre-annotator
    checks every region against the real text (:func:`cuts_blanked_text`) and parses such a text
    again without the mask, so blanking never changes what is proposed.
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
        last = 0
        for start, end in sentence_spans(para, abbreviations):
            pieces.append(para[last:start])  # the whitespace between sentences
            sentence = para[start:end]
            pieces.append(sentence if triggers.search(sentence) else " " * len(sentence))
            last = end
        out.append("".join(pieces))
    return "\n".join(out)


def cuts_blanked_text(text: str, masked: str, regions: list[tuple[int, int]]) -> bool:
    """Whether any ``(start, end)`` region of the masked text differs from the same slice of the
    real text, i.e. covers blanked characters."""
    return any(masked[a:b] != text[a:b] for a, b in regions)
