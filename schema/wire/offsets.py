"""Where a Label Studio region really is in the text.

Offsets are Unicode code points into ``data.text``. Tools written in JavaScript count UTF-16 code
units (an astral character such as an emoji counts 2) and may have seen ``\\r\\n`` as ``\\n``; a
region's ``value.text`` (what the annotator selected) tells which reading is meant. The rule:

1. the offsets as given, when their slice equals ``value.text`` up to whitespace;
2. otherwise each other reading of the offsets (UTF-16 units; code points or UTF-16 units of the
   text with ``\\r\\n`` seen as ``\\n``) whose slice equals ``value.text`` — used when exactly one
   position matches;
3. otherwise ``value.text`` searched near the offsets (when they start inside the text) — used
   when it occurs exactly once there;
4. otherwise the region is refused: a span whose text the annotator did not select is never built.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal, NamedTuple

__all__ = ["Located", "OffsetProblem", "locate_region", "same_text"]

Reading = Literal["as_given", "utf16", "crlf", "utf16_crlf", "search"]

# how far (code points) around the given offsets ``value.text`` is searched for
SEARCH_WINDOW = 200


class Located(NamedTuple):
    """Where a region is: code-point offsets and the reading of the given offsets that placed it.
    (A named tuple: one is made per region of every result list read.)"""

    start: int
    end: int
    reading: Reading


@dataclass(frozen=True, slots=True)
class OffsetProblem:
    """``bad_offsets`` (not integers, negative, end ≤ start), ``offset_out_of_range`` (beyond the
    text, and no reading fits) or ``text_mismatch`` (the slice is not what was selected)."""

    kind: Literal["bad_offsets", "offset_out_of_range", "text_mismatch"]
    detail: str


def same_text(a: str, b: str) -> bool:
    """Equal up to whitespace (Label Studio may normalise it in ``value.text``)."""
    return a == b or a.split() == b.split()


def locate_region(text: str, start: Any, end: Any, selected: Any) -> Located | OffsetProblem:
    """The code-point offsets of a region in ``text`` (see the module docstring for the rule)."""
    # rule 1 when the slice is exactly what was selected: the common case, decided first
    if (
        type(start) is int
        and type(end) is int
        and 0 <= start < end <= len(text)
        and text[start:end] == selected
    ):
        return Located(start, end, "as_given")
    if not _is_int(start) or not _is_int(end):
        return OffsetProblem("bad_offsets", f"start={start!r} end={end!r} must be integers")
    if start < 0 or end <= start:
        why = "a negative start" if start < 0 else "end is not after start"
        return OffsetProblem("bad_offsets", f"start={start} end={end}: {why}")
    in_range = end <= len(text)
    if not isinstance(selected, str) or selected == "":  # nothing to check the offsets against
        if in_range:
            return Located(start, end, "as_given")
        return OffsetProblem(
            "offset_out_of_range", f"start={start} end={end} but the text has {len(text)} code points"
        )
    if in_range and same_text(text[start:end], selected):
        return Located(start, end, "as_given")

    found: dict[tuple[int, int], Reading] = {}
    for reading, convert in _readings(text):
        s, e = convert(start), convert(end)
        if s is not None and e is not None and s < e <= len(text) and same_text(text[s:e], selected):
            found.setdefault((s, e), reading)
    if len(found) == 1:
        (s, e), reading = next(iter(found.items()))
        return Located(s, e, reading)
    needle = selected.strip()
    if not found and start < len(text) and needle:
        lo, hi = max(0, start - SEARCH_WINDOW), min(len(text), max(end, start + len(needle)) + SEARCH_WINDOW)
        hits = _occurrences(text, needle, lo, hi)
        if len(hits) == 1:
            return Located(hits[0], hits[0] + len(needle), "search")
        found_note = f"{len(hits)} places near the offsets hold it" if hits else "it is not near the offsets"
    elif found:
        found_note = f"{len(found)} readings of the offsets fit"
    else:
        found_note = "no reading of the offsets is inside the text"
    shown = repr(text[start:end]) if in_range else f"(beyond the text's {len(text)} code points)"
    return OffsetProblem(
        "offset_out_of_range" if not in_range else "text_mismatch",
        f"start={start} end={end} select {shown} but the annotator selected {selected!r}; "
        f"{found_note}, so the region cannot be placed",
    )


def _is_int(value: Any) -> bool:
    return type(value) is int or (isinstance(value, int) and not isinstance(value, bool))


def _occurrences(text: str, needle: str, lo: int, hi: int) -> list[int]:
    hits: list[int] = []
    pos = text.find(needle, lo, hi)
    while pos != -1:
        hits.append(pos)
        pos = text.find(needle, pos + 1, hi)
    return hits


Converter = Any  # Callable[[int], int | None]


def _readings(text: str) -> list[tuple[Reading, Converter]]:
    """The other readings of offsets that this text makes possible (none for plain BMP text
    without ``\\r\\n``)."""
    out: list[tuple[Reading, Converter]] = []
    if _has_astral(text):
        out.append(("utf16", _utf16_to_cp(text)))
    if "\r\n" in text:
        from_lf = _lf_to_crlf(text)
        out.append(("crlf", from_lf))
        lf_text = text.replace("\r\n", "\n")
        if _has_astral(lf_text):
            to_cp = _utf16_to_cp(lf_text)

            def utf16_crlf(offset: int) -> int | None:
                cp = to_cp(offset)
                return None if cp is None else from_lf(cp)

            out.append(("utf16_crlf", utf16_crlf))
    return out


def _has_astral(text: str) -> bool:
    return any(ord(ch) > 0xFFFF for ch in text) if not text.isascii() else False


def _utf16_to_cp(text: str) -> Converter:
    """UTF-16 code-unit offset → code-point offset (``None`` inside a surrogate pair)."""
    astral = [i for i, ch in enumerate(text) if ord(ch) > 0xFFFF]

    def convert(offset: int) -> int | None:
        shift = 0
        for k, cp in enumerate(astral):
            unit = cp + k  # where this character starts in UTF-16 units
            if offset <= unit:
                break
            if offset == unit + 1:
                return None
            shift += 1
        return offset - shift

    return convert


def _lf_to_crlf(text: str) -> Converter:
    """Offset into the text with ``\\r\\n`` as ``\\n`` → offset into the text itself."""
    pairs: list[int] = []  # position of each pair's "\n" in the LF text
    pos = text.find("\r\n")
    while pos != -1:
        pairs.append(pos - len(pairs))
        pos = text.find("\r\n", pos + 2)

    def convert(offset: int) -> int | None:
        return offset + sum(1 for p in pairs if p < offset)

    return convert
