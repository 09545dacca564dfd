"""Bytes → text: UTF-8 (with or without BOM), UTF-16 with BOM, else detected by charset-normalizer.

Pure functions; the caller turns a :class:`Undecodable` into a reject and logs the warning.
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass

from charset_normalizer import from_bytes

# Control characters that never occur in text (everything below 0x20 but tab, LF, VT, FF, CR, ESC).
_BINARY_BYTES = frozenset(set(range(0x09)) | {0x0E, 0x0F} | set(range(0x10, 0x1B)) | {0x1C, 0x1D})


@dataclass(frozen=True)
class Decoded:
    text: str
    encoding: str
    """The codec used, e.g. ``utf-8``, ``utf-8-sig``, ``cp1252``."""
    detected: bool
    """True when the encoding was guessed (not UTF-8, no BOM): the caller warns, naming it."""


class Undecodable(ValueError):  # noqa: N818 - a reason, not an error raised to users
    """The bytes are not text; ``reason`` is a short machine-readable code."""

    def __init__(self, reason: str, detail: str) -> None:
        self.reason = reason
        self.detail = detail
        super().__init__(f"{reason}: {detail}")


def looks_binary(data: bytes) -> bool:
    """NUL bytes or many control bytes in the first 8 KiB (UTF-16 with a BOM is text)."""
    head = data[:8192]
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return False
    if b"\x00" in head:
        return True
    bad = sum(1 for b in head if b in _BINARY_BYTES)
    return bad > max(2, len(head) // 100)


def decode_bytes(data: bytes) -> Decoded:
    """Decode a file's bytes; raises :class:`Undecodable` for binary or empty input."""
    if not data.strip():
        raise Undecodable("empty", "the input holds no text")
    if data.startswith(codecs.BOM_UTF8):
        try:
            return Decoded(data[len(codecs.BOM_UTF8) :].decode("utf-8"), "utf-8-sig", False)
        except UnicodeDecodeError as err:
            raise Undecodable("undecodable", f"UTF-8 BOM but invalid UTF-8 at byte {err.start}") from None
    for bom, codec in ((codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be")):
        if data.startswith(bom):
            try:
                return Decoded(data[len(bom) :].decode(codec), codec, True)
            except UnicodeDecodeError as err:
                raise Undecodable("undecodable", f"{codec} BOM but invalid at byte {err.start}") from None
    if looks_binary(data):
        raise Undecodable("binary", "NUL or control bytes: this is not a text file")
    try:
        return Decoded(data.decode("utf-8"), "utf-8", False)
    except UnicodeDecodeError:
        pass
    encoding = _detect(data)
    if encoding is None:
        raise Undecodable("undecodable", "not UTF-8 and no text encoding fits")
    try:
        text = data.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        raise Undecodable("undecodable", f"detected {encoding} but decoding failed") from None
    return Decoded(text, encoding, True)


# Western single-byte encodings in the order we prefer them when charset-normalizer finds them about as
# plausible as its first guess: on short Latin-script texts it often ranks rare ISO parts (8859-10,
# 8859-4) first although Windows-1252 is what the web actually sends.
_PREFERRED = ("cp1252", "latin_1", "iso8859_15")
_CHAOS_SLACK = 0.1


def _detect(data: bytes) -> str | None:
    matches = list(from_bytes(data))
    if not matches:
        return None
    best_chaos = min(float(m.chaos) for m in matches)
    close = {str(m.encoding) for m in matches if float(m.chaos) <= best_chaos + _CHAOS_SLACK}
    for encoding in _PREFERRED:
        if encoding in close:
            return encoding
    best = from_bytes(data).best()
    return None if best is None else str(best.encoding)
