"""The attribution prefilter: only text that can hold an attributed claim goes through the parser."""

from __future__ import annotations

import re

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
