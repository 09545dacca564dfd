"""Quotation marks and span boundaries: where quotes open and close, and how a claim is trimmed."""

from __future__ import annotations

import re

from stancebank.tasks.preannotate.labels import DIRECT

QUOTE_PAIRS = {"“": "”", '"': '"', "«": "»", "„": "“", "‘": "’", "»": "«", "‹": "›", "'": "'"}
"""Each opening quotation mark and the mark that closes it."""
_OPENERS = set(QUOTE_PAIRS)
_CLOSERS = {"”", '"', "»", "’", "«", "›", "“", "'"}
_SINGLE = {"‘", "'"}  # single marks open only after a space/bracket and before a word
_APOSTROPHES = {"’", "'"}  # a closer that is also an apostrophe closes only when no letter follows
SENTENCE_FINAL = re.compile(r"[.!?…\"”’»)]\s*$")
"""A line that ends like a sentence (a line without it is a heading)."""
_REF_MARK = re.compile(r"\s*\[\d{1,3}\]$")
_TRIMMED = ",;:—–-"


def strip_span(text: str, start: int, end: int) -> tuple[int, int]:
    """``start, end`` without surrounding whitespace and dangling punctuation (, ; : dashes)."""
    while start < end and (text[start].isspace() or text[start] in _TRIMMED):
        start += 1
    while end > start and (text[end - 1].isspace() or text[end - 1] in _TRIMMED):
        end -= 1
    return start, end


def claim_bounds(text: str, start: int, end: int, form: str) -> tuple[int, int]:
    """Span boundaries of the guidelines: no outer quotation marks on a direct claim, no trailing
    . , ; : (a final ? or ! stays), no reference marks, no surrounding whitespace."""
    while True:
        before = (start, end)
        start, end = strip_span(text, start, end)
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


def _opens_quote(text: str, i: int, start: int, end: int) -> bool:
    ch = text[i]
    if ch not in QUOTE_PAIRS or (i != start and text[i - 1].isalnum()):
        return False
    if ch in _SINGLE:
        # a single mark opens only after a space/bracket and before a word (else: an apostrophe)
        return (
            (i == start or text[i - 1] in " (\u00a0\t")
            and i + 1 < end
            and (text[i + 1].isalnum() or text[i + 1] in '“"')
        )
    return True


def find_quotes(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Quote spans (marks included) in ``text[start:end]`` (one paragraph). Nested quotes stay inside
    their outer quote; an unclosed quote ends at the paragraph's end."""
    out: list[tuple[int, int]] = []
    i = start
    while i < end:
        if text[i] not in QUOTE_PAIRS or not _opens_quote(text, i, start, end):
            i += 1
            continue
        closer = QUOTE_PAIRS[text[i]]
        j = i + 1
        while j < end:
            if text[j] == closer and (
                closer not in _APOSTROPHES or j + 1 >= end or not text[j + 1].isalpha()
            ):
                break
            j += 1
        if j >= end:
            out.append((i, end))
            break
        if j - i > 1:
            out.append((i, j + 1))
        i = j + 1
    return out
