"""The JSON array writer of tasks files, review files and pilot imports: a kill while it writes
leaves the old file (or none) and a temporary file the next write removes."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
from pathlib import Path

from stancebank.schema.jsonio import encode_item, encode_plain, write_json_array_atomic

KILLED_WHILE_WRITING = """
import os, signal, sys
from pathlib import Path
from stancebank.schema.jsonio import encode_item, encode_plain, write_json_array_atomic

def items():
    for i in range(1000):
        if i == 500:
            os.kill(os.getpid(), signal.SIGKILL)
        yield {"n": i, "text": "x" * 1000}

write_json_array_atomic(Path(sys.argv[1]), items())
"""


def test_a_kill_while_writing_leaves_the_old_file_and_the_next_write_cleans_up(tmp_path: Path) -> None:
    path = tmp_path / "tasks.json"
    write_json_array_atomic(path, [{"n": "old"}])
    proc = subprocess.run(
        [sys.executable, "-c", KILLED_WHILE_WRITING, str(path)], capture_output=True, text=True, timeout=120
    )
    assert proc.returncode == -signal.SIGKILL, proc.stderr
    assert json.loads(path.read_text(encoding="utf-8")) == [{"n": "old"}]  # never half a file
    (leftover,) = [p for p in tmp_path.iterdir() if p != path]
    assert leftover.name.startswith(".tasks.json.") and leftover.stat().st_size > 0

    assert write_json_array_atomic(path, [{"n": i} for i in range(3)]) == 3
    assert list(tmp_path.iterdir()) == [path]  # the killed run's temporary file is gone
    assert json.loads(path.read_text(encoding="utf-8")) == [{"n": 0}, {"n": 1}, {"n": 2}]
    assert path.read_text(encoding="utf-8").count("\n") == 5  # one item per line


def test_encode_plain_writes_the_json_modules_text() -> None:
    """The review files' encoder (ujson) writes what the json module writes, for every kind of
    value they hold: non-ASCII and astral text, escapes, slashes, line separators, big ints,
    nested lists and dicts, tuples, non-string keys, booleans and nulls."""
    item = {
        "data": {
            "text": 'Zoë said — «ok» 😀\n\t"q" \\ </a> \u2028\u2029 \x00\x1f',
            "url": "https://a.b/c?d=e",
        },
        "predictions": [
            {
                "model_version": "review:annotator-1",
                "result": [{"id": "r/1", "value": {"start": 0, "end": 2**62}}],
            }
        ],
        "votes": {1: "drawn", "b": ""},
        "pair": (True, False, None, -7, 0),
        "empty": [[], {}, ""],
    }
    assert encode_plain(item) == encode_item(item)
    assert json.loads(encode_plain(item)) == json.loads(encode_item(item))
