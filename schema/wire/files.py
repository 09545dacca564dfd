"""Reading the Label Studio JSON files stancebank handles: tasks files (what ``stancebank tasks
build`` writes) and exports (what ``stancebank studio pull`` or the UI writes).

Both are a JSON array of task objects (a ``.jsonl`` file: one task per line). Every reader of
such a file goes through :func:`iter_records`; problems are :class:`WireError` naming the file and,
when known, the line.
"""

from __future__ import annotations

import codecs
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from stancebank.schema.errors import WireError, cut_off_inside_a_character, ends_inside_a_character
from stancebank.schema.jsonio import shard_files

__all__ = ["Record", "check_task_list", "iter_records", "read_task_list"]

#: UTF-8, with a byte-order mark (as Windows editors save it) skipped: RFC 8259 lets a reader ignore it
ENCODING = "utf-8-sig"
_WS = re.compile(r"\s*")
_BLOCK = 1 << 20  # characters read at a time by the streamed array reader


@dataclass(frozen=True, slots=True)
class Record:
    """One element of the file: its 0-based position, the 1-based line its first character is
    on (``None`` when streamed without line numbers) and its decoded JSON value."""

    index: int
    line: int | None
    value: Any


def iter_records(path: Path, *, lines: bool = False) -> Iterator[Record]:
    """Each task record of a JSON array (or of a ``.jsonl`` file, one per line).

    ``lines=True`` reads the file whole and gives each record its line (for annotations of the
    validator); otherwise an array is streamed (decoded record by record from a bounded window: an
    export of any size is never held whole) and ``line`` is ``None``.
    """
    if path.suffix == ".jsonl":
        yield from _iter_jsonl(path)
    elif lines:
        yield from _iter_array_with_lines(path)
    else:
        yield from _iter_array_streamed(path)


# a tasks file or an export cut off (a download or copy that stopped early)
CUT_OFF_FIX = "re-download or re-export it (a tasks file: rebuild it with `stancebank tasks build`)"


def _cannot_read(path: Path, err: OSError | UnicodeDecodeError) -> WireError:
    if isinstance(err, UnicodeDecodeError):
        found = _first_bad_byte(path)
        if found is not None:
            offset, line, bad = found
            byte = bad.object[bad.start]
            message = (
                cut_off_inside_a_character(byte, CUT_OFF_FIX, offset=offset)
                if ends_inside_a_character(bad)
                else f"byte 0x{byte:02x} at offset {offset} is not UTF-8 ({bad.reason}); "
                "save the file as UTF-8"
            )
            return WireError(f"{path}:{line}: {message}", file=str(path), line=line)
    detail = err.reason if isinstance(err, UnicodeDecodeError) else (err.strerror or str(err))
    fix = "save it as UTF-8" if isinstance(err, UnicodeDecodeError) else "check the path"
    return WireError(f"{path}: cannot read the file ({detail}); {fix}", file=str(path))


def _first_bad_byte(path: Path) -> tuple[int, int, UnicodeDecodeError] | None:
    """(offset, 1-based line, the decoder's error) of the first byte of ``path`` that is not UTF-8,
    read in blocks (a decode error of a text stream gives an offset into its buffer, not into the
    file); at the end of the file, the first byte of a character cut off there."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    offset = 0
    try:
        with path.open("rb") as fh:
            while True:
                block = fh.read(_BLOCK)
                try:
                    decoder.decode(block, final=not block)  # the end: held-back bytes are an error
                except UnicodeDecodeError as err:
                    # err.object may begin with up to 3 bytes the decoder held back from the last block
                    at = offset - (len(err.object) - len(block)) + err.start
                    return at, _line_of(path, at), err
                if not block:
                    return None
                offset += len(block)
    except OSError:
        return None


def _line_of(path: Path, offset: int) -> int:
    """The 1-based line of byte ``offset`` of ``path``."""
    lines, read = 1, 0
    with path.open("rb") as fh:
        while read < offset and (block := fh.read(min(_BLOCK, offset - read))):
            lines += block.count(b"\n")
            read += len(block)
    return lines


def _empty(path: Path) -> WireError:
    return WireError(
        f"{path}: the file is empty; pass a file written by `stancebank tasks build` or a Label Studio "
        "JSON export (a download or copy may have failed)",
        file=str(path),
    )


def _not_a_list(path: Path, line: int | None) -> WireError:
    return WireError(
        f"{path}: expected a JSON list of tasks ('[' at the start); pass a file written by "
        "`stancebank tasks build` or a Label Studio JSON export (not JSON_MIN/CSV)",
        file=str(path),
        line=line,
    )


def _iter_jsonl(path: Path) -> Iterator[Record]:
    try:
        with path.open(encoding=ENCODING) as fh:
            index = 0
            for lineno, line in enumerate(fh, start=1):
                if not line.strip():
                    continue
                try:
                    value = json.loads(line)
                except json.JSONDecodeError as err:
                    raise WireError(
                        f"{path}:{lineno}: invalid JSON: {err.msg}; fix or remove the line",
                        file=str(path),
                        line=lineno,
                    ) from err
                yield Record(index, lineno, value)
                index += 1
    except (OSError, UnicodeDecodeError) as err:
        raise _cannot_read(path, err) from err


def _iter_array_with_lines(path: Path) -> Iterator[Record]:
    try:
        text = path.read_text(encoding=ENCODING)
    except (OSError, UnicodeDecodeError) as err:
        raise _cannot_read(path, err) from err
    decoder = json.JSONDecoder()
    pos = _end_of_space(text, 0)
    if pos >= len(text):
        raise _empty(path)
    if text[pos] != "[":
        raise _not_a_list(path, text.count("\n", 0, pos) + 1)
    pos += 1
    line_no, last, index = 1 + text.count("\n", 0, pos), pos, 0
    while True:
        pos = _end_of_space(text, pos)
        if pos < len(text) and text[pos] == "]":
            return
        line_no += text.count("\n", last, pos)
        last = pos
        try:
            value, end = decoder.raw_decode(text, pos)
        except json.JSONDecodeError as err:
            raise WireError(
                f"{path}:{err.lineno}: invalid JSON: {err.msg}; fix the record or re-download the file",
                file=str(path),
                line=err.lineno,
            ) from err
        yield Record(index, line_no, value)
        index += 1
        pos = _end_of_space(text, end)
        if pos < len(text) and text[pos] == ",":
            pos += 1
        elif pos < len(text) and text[pos] == "]":
            return
        else:
            line = 1 + text.count("\n", 0, pos)
            raise WireError(
                f"{path}:{line}: invalid JSON: expected ',' or ']' after a task; the file is cut "
                "short or edited by hand — re-download or rebuild it",
                file=str(path),
                line=line,
            )


def _end_of_space(text: str, pos: int) -> int:
    match = _WS.match(text, pos)
    return match.end() if match is not None else pos


def _iter_array_streamed(path: Path) -> Iterator[Record]:
    """The records of a JSON array, decoded one at a time by the C decoder
    (``json.JSONDecoder.raw_decode``) from a window of the file that is refilled in blocks of
    ``_BLOCK`` characters: memory stays bounded by the largest record plus one block."""
    decoder = json.JSONDecoder()
    try:
        with path.open(encoding=ENCODING) as fh:
            buf = fh.read(_BLOCK)
            eof = not buf
            pos = _end_of_space(buf, 0)
            while pos >= len(buf) and not eof:
                chunk = fh.read(_BLOCK)
                eof = not chunk
                buf += chunk
                pos = _end_of_space(buf, pos)
            if pos >= len(buf):
                raise _empty(path)
            if buf[pos] != "[":
                raise _not_a_list(path, None)
            pos += 1
            index = 0
            expect_value = True  # after '[' or ','
            while True:
                pos = _end_of_space(buf, pos)
                if pos >= len(buf) and not eof:
                    chunk = fh.read(_BLOCK)
                    buf, pos, eof = buf[pos:] + chunk, 0, not chunk
                    continue
                if pos >= len(buf):
                    raise _cut_short(path)
                if buf[pos] == "]" and (index == 0 or not expect_value):
                    return
                if not expect_value:
                    if buf[pos] != ",":
                        raise _cut_short(path)
                    pos += 1
                    expect_value = True
                    continue
                try:
                    value, end = decoder.raw_decode(buf, pos)
                except json.JSONDecodeError as err:
                    if eof:
                        raise WireError(
                            f"{path}: invalid JSON ({err.msg}); the file is cut short or edited by "
                            "hand — re-download or rebuild it",
                            file=str(path),
                        ) from err
                    # the record may run past the window: grow it and decode again
                    buf = buf[pos:]
                    pos = 0
                    chunk = fh.read(max(_BLOCK, len(buf)))
                    eof = not chunk
                    buf += chunk
                    continue
                if end >= len(buf) and not eof:
                    # a number at the window's end may continue in the next block
                    chunk = fh.read(_BLOCK)
                    buf, pos, eof = buf[pos:] + chunk, 0, not chunk
                    continue
                yield Record(index, None, value)
                index += 1
                pos = end
                expect_value = False
    except (OSError, UnicodeDecodeError) as err:
        raise _cannot_read(path, err) from err


def _cut_short(path: Path) -> WireError:
    return WireError(
        f"{path}: invalid JSON: expected ',' or ']' after a task; the file is cut short or edited "
        "by hand — re-download or rebuild it",
        file=str(path),
    )


# -- tasks files -----------------------------------------------------------------------------------
KEY_FIELD = "article_id"
TEXT_FIELD = "text"


def check_task_list(records: Any, origin: str = "<tasks>") -> list[dict[str, Any]]:
    """The shape every consumer of a tasks file relies on: a list of objects with ``data``, a
    unique non-empty ``data.article_id``, a non-empty ``data.text`` and ``predictions`` (if any)
    whose ``result`` is a list. Errors name the record index, the field and the fix."""
    if not isinstance(records, list):
        raise WireError(
            f"{origin}: expected a JSON list of tasks, got {type(records).__name__}; "
            "write it with `stancebank tasks build`.",
            file=origin,
        )
    seen: dict[str, int] = {}
    for index, task in enumerate(records):
        where = f"{origin}: record {index}"
        if not isinstance(task, dict):
            raise WireError(f"{where}: a task must be an object with a 'data' field", file=origin)
        data = task.get("data")
        if not isinstance(data, dict):
            raise WireError(f"{where}: field 'data' is missing or not an object", file=origin)
        key = data.get(KEY_FIELD)
        if not isinstance(key, str) or not key.strip():
            raise WireError(f"{where}: field 'data.{KEY_FIELD}' must be a non-empty string", file=origin)
        text = data.get(TEXT_FIELD)
        if not isinstance(text, str) or not text:
            raise WireError(
                f"{where} ({KEY_FIELD}={key}): field 'data.{TEXT_FIELD}' must be a non-empty string",
                file=origin,
            )
        if key in seen:
            raise WireError(
                f"{where}: duplicate data.{KEY_FIELD}={key!r} (also record {seen[key]}); "
                "article ids must be unique",
                file=origin,
            )
        seen[key] = index
        preds = task.get("predictions", [])
        if not isinstance(preds, list):
            raise WireError(f"{where} ({KEY_FIELD}={key}): field 'predictions' must be a list", file=origin)
        for p_index, pred in enumerate(preds):
            if not isinstance(pred, dict) or not isinstance(pred.get("result"), list):
                raise WireError(
                    f"{where} ({KEY_FIELD}={key}): predictions[{p_index}].result must be a list of results",
                    file=origin,
                )
    return records


def read_task_list(path: Path) -> list[dict[str, Any]]:
    """A whole tasks file (JSON array or JSONL), checked by :func:`check_task_list`; or a folder of
    tasks shards (``tasks-00000-of-0000N.json``, as ``tasks build --out DIR`` writes them), in order."""
    if path.is_dir():
        try:
            shards = shard_files(path)
        except ValueError as err:
            raise WireError(str(err), file=str(path)) from err
        return [task for shard in shards for task in read_task_list(shard)]
    if not path.exists():
        raise WireError(
            f"{path}: no such tasks file; build it with `stancebank tasks build`.", file=str(path)
        )
    if path.suffix == ".jsonl":
        return check_task_list([r.value for r in iter_records(path)], str(path))
    try:
        content = path.read_text(encoding=ENCODING)
    except (OSError, UnicodeDecodeError) as err:
        raise _cannot_read(path, err) from err
    if not content.strip():
        raise _empty(path)
    try:
        raw = json.loads(content)
    except json.JSONDecodeError as err:
        raise WireError(
            f"{path}:{err.lineno}: not valid JSON ({err.msg}); rebuild it with `stancebank tasks build`",
            file=str(path),
            line=err.lineno,
        ) from err
    return check_task_list(raw, str(path))
