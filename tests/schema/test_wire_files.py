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


TASKS = [{"data": {"article_id": "a", "text": "Café"}}, {"data": {"article_id": "b", "text": "x"}}]


def _readers(path: Path) -> list[list]:
    return [
        [r.value for r in files.iter_records(path)],
        [r.value for r in files.iter_records(path, lines=True)],
        files.read_task_list(path),
    ]


@pytest.mark.parametrize("suffix", [".json", ".jsonl"])
def test_a_utf8_byte_order_mark_is_read_as_utf8(tmp_path: Path, suffix: str) -> None:
    """Windows editors save UTF-8 with a BOM; JSON readers may ignore it (RFC 8259, 8.1)."""
    path = tmp_path / f"tasks{suffix}"
    body = json.dumps(TASKS, indent=1) if suffix == ".json" else "\n".join(json.dumps(t) for t in TASKS)
    path.write_bytes(b"\xef\xbb\xbf" + body.encode("utf-8"))
    assert _readers(path) == [TASKS, TASKS, TASKS]


@pytest.mark.parametrize("block", [2, 1 << 20])
@pytest.mark.parametrize("suffix", [".json", ".jsonl"])
def test_a_byte_that_is_not_utf8_is_named_with_its_line(tmp_path: Path, monkeypatch, block, suffix) -> None:
    monkeypatch.setattr(files, "_BLOCK", block)
    path = tmp_path / f"tasks{suffix}"
    body = (
        json.dumps(TASKS, indent=1, ensure_ascii=False)
        if suffix == ".json"
        else "\n".join(json.dumps(t, ensure_ascii=False) for t in TASKS)
    )
    raw = body.encode("utf-8").replace("Café".encode(), b"Caf\xe9")  # Latin-1 é
    path.write_bytes(raw)
    offset = raw.index(b"\xe9")
    line = raw[:offset].count(b"\n") + 1
    for read in (lambda: list(files.iter_records(path)), lambda: list(files.iter_records(path, lines=True))):
        with pytest.raises(WireError) as info:
            read()
        assert info.value.line == line
        assert f"{path}:{line}: byte 0xe9 at offset {offset} is not UTF-8" in str(info.value)
        assert "save the file as UTF-8" in str(info.value)


@pytest.mark.parametrize("text", ["", " \n\n"])
def test_an_empty_file_is_called_empty(tmp_path: Path, text: str) -> None:
    """Not "expected a JSON list of tasks ('[' at the start)": a failed download or redirect."""
    path = tmp_path / "tasks.json"
    path.write_text(text, encoding="utf-8")
    for read in (
        lambda: list(files.iter_records(path)),
        lambda: list(files.iter_records(path, lines=True)),
        lambda: files.read_task_list(path),
    ):
        with pytest.raises(WireError, match=r"tasks\.json: the file is empty; .*stancebank tasks build"):
            read()


def _cut_inside_a_character(path: Path, body: str) -> tuple[int, int]:
    """``body`` in UTF-8 with a 3-byte character whose last byte is missing at the end (a download
    that stopped early); the offset and line of the character's first byte."""
    raw = body.encode("utf-8") + "€".encode()[:2]
    path.write_bytes(raw)
    offset = len(raw) - 2
    return offset, raw[:offset].count(b"\n") + 1


@pytest.mark.parametrize("block", [2, 1 << 20])
def test_a_file_cut_inside_a_character_is_named_with_its_line(tmp_path: Path, monkeypatch, block) -> None:
    """Cut off inside a multi-byte character, a file was 'cannot read the file (unexpected end of
    data); save it as UTF-8': no line, and the wrong fix (it is UTF-8, only cut short). Every
    command that reads a tasks file or an export says the line, that it looks cut off, and the fix;
    so does a file read whole (a validation config)."""
    from typer.testing import CliRunner

    from stancebank.schema.cli import app

    monkeypatch.setattr(files, "_BLOCK", block)
    export = tmp_path / "export.json"
    tasks = tmp_path / "tasks.jsonl"
    config = tmp_path / "validation.yaml"
    body = json.dumps([{"id": 1, "data": {"article_id": "a", "text": "x"}, "annotations": []}], indent=1)
    cut = {
        export: _cut_inside_a_character(export, body[:-1] + ',\n{"id": 2, "data": {"text": "'),
        tasks: _cut_inside_a_character(tasks, "\n".join(json.dumps(t) for t in TASKS) + '\n{"data": "'),
    }
    fix = "it looks cut off; re-download or re-export it"
    runner = CliRunner()
    build = ["export", "build", str(export), "--version", "1.0.0", "--out", str(tmp_path / "r")]
    runs = [
        (export, 1, ["validate", str(export), "--format", "json"]),
        (tasks, 1, ["validate", str(tasks), "--format", "json"]),
        (export, 3, [*build, "--registry", str(tmp_path / "registry.json")]),
        (tasks, 3, ["tasks", "sample", str(tasks), "-n", "1", "--out", str(tmp_path / "sample.json")]),
    ]
    for path, exit_code, args in runs:
        offset, line = cut[path]
        result = runner.invoke(app, args)
        # the entry point (schema.cli.run) prints a StancebankError and exits with its code
        error = result.exception if not isinstance(result.exception, SystemExit) else None
        out = " ".join((result.output + str(error or "")).split())
        assert getattr(error, "exit_code", result.exit_code) == exit_code, out
        if args[0] == "validate":
            finding = json.loads(result.output)["findings"][-1]
            assert (finding["check"], finding["file"], finding["line"]) == (
                "malformed_input",
                str(path),
                line,
            )
            said = finding["message"]
        else:
            said = out.replace(f"{path}:{line}: ", "", 1)
            assert said != out, out  # the file and its line
        assert f"the file ends inside a UTF-8 character (byte 0xe2 at offset {offset} begins it" in said, out
        assert said.endswith(fix) or f"{fix} " in said or f"{fix}." in said, said
        assert "unexpected end of data" not in said and "save" not in said, said

    config.write_bytes(b"report:\n  max_rows: 5\n  # \xe2\x82")
    result = runner.invoke(app, ["validate", str(export), "--config", str(config)])
    out = " ".join(result.output.split())
    assert result.exit_code == 2, out
    assert f"{config}, line 3: the file ends inside a UTF-8 character (byte 0xe2 begins it" in out, out
    assert "it looks cut off" in out and "save the file as UTF-8" not in out, out
