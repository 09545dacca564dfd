"""The streamed array reader (schema.wire.files.iter_records): every record of a JSON array, decoded
from a bounded window that is refilled, whatever the window size; a broken file is a WireError."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from stancebank.schema.errors import WireError
from stancebank.schema.wire import files

RECORDS = [
    {"id": 1, "data": {"text": "Ünïcode – “quotes” and \\ escapes\n", "n": 12345}},
    [1, 2.5, None, True, "x" * 50],
    12345678,
    {"nested": {"deep": [{"a": 1e-3}, {"b": -0.0}]}},
]


@pytest.mark.parametrize("block", [1, 2, 3, 7, 64, 1 << 20])
@pytest.mark.parametrize("indent", [None, 2])
def test_every_record_is_read_whatever_the_window(tmp_path: Path, monkeypatch, block, indent):
    path = tmp_path / "export.json"
    path.write_text(" \n" + json.dumps(RECORDS, indent=indent, ensure_ascii=False) + "\n", encoding="utf-8")
    monkeypatch.setattr(files, "_BLOCK", block)
    got = list(files.iter_records(path))
    assert [r.value for r in got] == RECORDS
    assert [r.index for r in got] == list(range(len(RECORDS)))


@pytest.mark.parametrize("block", [1, 3, 1 << 20])
@pytest.mark.parametrize("text", ["[]", "  [ \n ]  "])
def test_an_empty_array_has_no_record(tmp_path: Path, monkeypatch, block, text):
    path = tmp_path / "export.json"
    path.write_text(text, encoding="utf-8")
    monkeypatch.setattr(files, "_BLOCK", block)
    assert list(files.iter_records(path)) == []


@pytest.mark.parametrize("block", [1, 3, 1 << 20])
@pytest.mark.parametrize("text", ["[1,]", "[1", '[{"a": 1}', "[1 2]", "{}", "", '[{"a": ]'])
def test_a_broken_array_is_a_wire_error_naming_the_file(tmp_path: Path, monkeypatch, block, text):
    path = tmp_path / "broken.json"
    path.write_text(text, encoding="utf-8")
    monkeypatch.setattr(files, "_BLOCK", block)
    with pytest.raises(WireError, match=r"broken\.json"):
        list(files.iter_records(path))
