"""Writing JSON files atomically (a crash never leaves half a file behind)."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from contextlib import ExitStack
from pathlib import Path
from types import TracebackType

import ujson

from stancebank.schema.atomic import atomic_writer, clean_leftovers


def write_json_array_atomic(path: Path, items: Iterable[object]) -> int:
    """Write ``items`` as a JSON array with one item per line, through a temporary file and a rename;
    returns the number of items.

    The file is plain JSON (Label Studio imports it, ``json.load`` reads it) that line tools can use:
    item *n* is on line *n + 1*, so ``grep``, ``wc -l`` and ``git diff`` work per item. Each item is
    encoded compactly by the C encoder: an indented dump runs the pure-Python encoder, twice as slow
    on large task files.

    The file appears whole (:func:`stancebank.schema.atomic.atomic_writer`: temporary name, fsync,
    rename); temporary files a killed earlier write left next to it are removed first.
    """
    encode = json.JSONEncoder(ensure_ascii=False).encode
    return write_encoded_array_atomic(path, (encode(item) for item in items))


def encode_item(item: object) -> str:
    """One item as :func:`write_json_array_atomic` writes it (for writers that encode elsewhere)."""
    return json.JSONEncoder(ensure_ascii=False).encode(item)


def encode_plain(item: object) -> str:
    """:func:`encode_item`'s text for an item without floats (strings, ints, bools, None, lists,
    tuples and dicts), three times faster: ujson (a C encoder), with :mod:`json`'s separators and
    nothing escaped that :mod:`json` leaves as is. Floats are left to :func:`encode_item`: ujson
    writes ``1e-07`` as ``1e-7``. The review files hold no floats and are written with it: encoding
    them took 1.8 of a 5,000-task build's 17 CPU seconds with the :mod:`json` encoder. Only for
    values :mod:`json` can encode: ujson also writes some it refuses (tuple keys, ``Decimal``)."""
    return ujson.dumps(item, ensure_ascii=False, escape_forward_slashes=False, separators=(", ", ": "))


def write_encoded_array_atomic(path: Path, encoded: Iterable[str]) -> int:
    """:func:`write_json_array_atomic` of items already encoded by :func:`encode_item` (atomically;
    temporary files of a killed earlier write are removed first)."""
    writer = JsonArrayWriter(path)
    try:
        for item in encoded:
            writer.add_encoded(item)
    except BaseException as exc:
        writer.abort(exc)
        raise
    return writer.close()


class JsonArrayWriter:
    """:func:`write_json_array_atomic` one item at a time (the same bytes), for items made inside a
    longer loop: :meth:`add` encodes and writes one item, :meth:`close` ends the array and renames
    the file into place (fsynced), :meth:`abort` removes the temporary file instead. Temporary files
    of a killed earlier write are removed first. ``encode``: :func:`encode_item`, or
    :func:`encode_plain` for items without floats (the same text, faster)."""

    def __init__(self, path: Path, encode: Callable[[object], str] = encode_item) -> None:
        clean_leftovers(path)
        self.path = path
        self.count = 0
        self._encode = encode
        self._stack = ExitStack()
        self._handle = self._stack.enter_context(atomic_writer(path))
        self._handle.write("[")

    def add(self, item: object) -> None:
        self.add_encoded(self._encode(item))

    def add_encoded(self, item: str) -> None:
        """One item already encoded (by :func:`encode_item`)."""
        self._handle.write(",\n" if self.count else "\n")
        self._handle.write(item)
        self.count += 1

    def close(self) -> int:
        """End the array and put the file in place; returns the number of items."""
        self._handle.write("\n]\n")
        self._stack.close()
        return self.count

    def abort(self, error: BaseException | None = None) -> None:
        """Remove the temporary file (``error``: what stopped the loop, if known)."""
        exc = error if error is not None else RuntimeError(f"{self.path}: writing was aborted")
        tb: TracebackType | None = exc.__traceback__
        try:
            self._stack.__exit__(type(exc), exc, tb)
        except BaseException as raised:  # the writer re-raises what stopped it: already handled
            if raised is not exc:
                raise


SHARD_PATTERN = re.compile(r"tasks-(\d{5})-of-(\d{5})\.json")


def shard_name(index: int, count: int) -> str:
    """The file name of shard ``index`` of ``count`` of a sharded tasks folder."""
    return f"tasks-{index:05d}-of-{count:05d}.json"


def shard_count(items: int, shard_size: int) -> int:
    """How many shards ``items`` items make at ``shard_size`` per shard (at least one): a function
    of the data alone, never of the number of workers."""
    if shard_size < 1:
        raise ValueError(f"shard size must be at least 1, not {shard_size}")
    return max(1, -(-items // shard_size))


def shard_files(folder: Path) -> list[Path]:
    """The shards of a sharded tasks folder in order; a missing, extra or foreign shard is an error
    (``ValueError`` naming the folder and the file)."""
    found: dict[int, Path] = {}
    counts: set[int] = set()
    for path in sorted(folder.glob("tasks-*.json")):
        match = SHARD_PATTERN.fullmatch(path.name)
        if match is None:
            raise ValueError(f"{path}: not a shard name (tasks-00000-of-00001.json); move it out of {folder}")
        found[int(match.group(1))] = path
        counts.add(int(match.group(2)))
    if not found:
        raise ValueError(
            f"{folder}: no tasks shards (tasks-00000-of-0000N.json); build them with `tasks build`"
        )
    if len(counts) != 1:
        raise ValueError(
            f"{folder}: shards of different builds (of {sorted(counts)}); rebuild into an empty folder"
        )
    (count,) = counts
    missing = [shard_name(i, count) for i in range(count) if i not in found]
    if missing or len(found) != count:
        raise ValueError(
            f"{folder}: shard {missing[0] if missing else 'numbering'} missing of {count}; rebuild"
        )
    return [found[i] for i in range(count)]
