"""Pure parts of the team, progress and review modules (no server)."""

from __future__ import annotations

import io
import json
import logging
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console
from typer.testing import CliRunner

from stancebank.schema.cli import app
from stancebank.schema.project import PROJECT_ENV, write_template
from stancebank.tasks.studio.cli import annotators_table, progress_table
from stancebank.tasks.studio.errors import TasksFileError
from stancebank.tasks.studio.progress import (
    AnnotatorProgress,
    Progress,
    ProjectProgress,
    TaskState,
    states_from_export,
)
from stancebank.tasks.studio.review import TITLE_MAX, review_tasks, review_title, summary
from stancebank.tasks.studio.server import DEFAULT_PORT, StudioPaths, chosen_port
from stancebank.tasks.studio.team import (
    Annotator,
    generate_password,
    login_email,
    lowers_overlap,
    overlap_settings,
)


def test_login_email_from_a_name_or_an_address() -> None:
    assert login_email("Maria") == "maria@team.stancebank.invalid"
    assert login_email("Li.Wei@Example.org") == "li.wei@example.org"
    for bad in ("maria smith", "", "a@b", "@x.org", "-x"):
        with pytest.raises(TasksFileError, match="annotator"):
            login_email(bad)


def test_generated_passwords_differ_and_are_long() -> None:
    passwords = {generate_password() for _ in range(50)}
    assert len(passwords) == 50 and min(map(len, passwords)) >= 16


def test_states_from_export_count_finished_annotations_like_label_studio() -> None:
    tasks = [
        {"id": 1, "annotations": [{"result": []}, {"result": [], "was_cancelled": True}]},
        {"id": 2, "annotations": [{"result": []}, {"result": []}]},
        {"id": 3, "annotations": [{"result": None}, {"result": []}]},
    ]
    assert states_from_export(tasks, 2, skipped_count=False) == {
        1: TaskState(False, 2),
        2: TaskState(True, 2),
        3: TaskState(False, 2),
    }
    # a project whose skip queue is IGNORE_SKIPPED counts the skipped annotation
    assert states_from_export(tasks, 2, skipped_count=True)[1] == TaskState(True, 2)


def test_review_title_stays_within_label_studios_limit() -> None:
    assert review_title("pilot") == "pilot review"
    long = review_title("x" * 60)
    assert len(long) == TITLE_MAX and long.endswith(" review")


def test_review_tasks_carry_the_disagreement_and_bad_folders_are_named(tmp_path: Path) -> None:
    votes = {"annotator-b": "", "annotator-a": "drawn"}
    (tmp_path / "review_tasks.json").write_text(json.dumps([{"data": {"article_id": "x", "text": "t"}}]))
    (tmp_path / "adjudication.json").write_text(
        json.dumps(
            [{"article_id": "x", "conflicts": [{"kind": "span_tie", "item": "CLAIM 0:1", "votes": votes}]}]
        )
    )
    [task] = review_tasks(tmp_path)
    assert task["data"]["stancebank_review"] == "span_tie: CLAIM 0:1 (annotator-a: drawn, annotator-b: —)"
    assert summary([]) == "disagreement"
    # whose version each prediction is, in order, heads the column
    assert summary([], ["annotator-b", "annotator-a"]) == "versions: 1 annotator-b, 2 annotator-a"
    with pytest.raises(TasksFileError, match=r"no such file.*review folder"):
        review_tasks(tmp_path / "missing")
    (tmp_path / "review_tasks.json").write_text(json.dumps([{"data": {}}]))
    with pytest.raises(
        TasksFileError, match=r"record 0: field 'data\.article_id' must be a non-empty string"
    ):
        review_tasks(tmp_path)


# how a message names the type of a JSON value that is not a list (or not an object)
A_TYPE = {int: "an int", str: "a str", dict: "a dict", bool: "a bool", list: "a list"}


@pytest.mark.parametrize(
    ("field", "value", "problem"),
    [
        *(
            (f, v, f"{f} is {A_TYPE[type(v)]}, not a list")
            for f in ("conflicts", "versions")
            for v in (0, "", False, {}, 5, "ab", {"a": 1})
        ),
        *(("conflict", v, f"conflicts[0] is {A_TYPE[type(v)]}, not an object") for v in (0, "x", [])),
        *(("votes", v, f"conflicts[0].votes is {A_TYPE[type(v)]}, not an object") for v in (0, "x", ["a"])),
        *(("entry", v, f"entry 0 is {A_TYPE[type(v)]}, not an object") for v in (0, "x", [])),
    ],
)
def test_an_adjudication_file_whose_lists_are_no_lists_is_named_not_misread(
    tmp_path: Path, field: str, value: object, problem: str
) -> None:
    """`studio review` read an entry's `conflicts` with `or []`: 0, "", false or {} became "no
    conflicts" (the column said only 'disagreement'), 5 or a string ended with a TypeError or
    AttributeError traceback (exit 70); `"versions": "ab"` became "versions: 1 a, 2 b"; an entry
    that was no object was skipped. Each is an input error naming the file, the entry, the field
    and its type, and the fix."""
    (tmp_path / "review_tasks.json").write_text(json.dumps([{"data": {"article_id": "x", "text": "t"}}]))
    conflict: Any = {"kind": "span_tie", "item": "CLAIM 0:1", "votes": {"annotator-a": "drawn"}}
    entry: Any = {"article_id": "x", "versions": ["annotator-a"], "conflicts": [conflict]}
    if field in ("conflicts", "versions"):
        entry[field] = value
    elif field == "conflict":
        entry["conflicts"] = [value]
    elif field == "votes":
        conflict["votes"] = value
    else:
        entry = value
    (tmp_path / "adjudication.json").write_text(json.dumps([entry]))
    with pytest.raises(TasksFileError) as info:
        review_tasks(tmp_path)
    message = str(info.value)
    where = "entry 0" if field == "entry" else "entry 0 (article 'x'): "
    assert f"adjudication.json: {where}" in message and problem in message, message
    assert "build the release again" in message
    assert info.value.exit_code == 3


def test_an_adjudication_entry_without_conflicts_or_votes_reads_as_none(tmp_path: Path) -> None:
    (tmp_path / "review_tasks.json").write_text(json.dumps([{"data": {"article_id": "x", "text": "t"}}]))
    for entry, column in (
        ({"article_id": "x", "conflicts": None, "versions": None}, "disagreement"),
        ({"article_id": "x"}, "disagreement"),
        (
            {"article_id": "x", "conflicts": [{"kind": "span_tie", "item": "C", "votes": None}]},
            "span_tie: C ()",
        ),
    ):
        (tmp_path / "adjudication.json").write_text(json.dumps([entry]))
        [task] = review_tasks(tmp_path)
        assert task["data"]["stancebank_review"] == column


class FakeProjectClient:
    """The two calls the overlap settings make, on one project held in memory."""

    def __init__(self, maximum_annotations: int, percent: int) -> None:
        self.project: dict[str, Any] = {
            "maximum_annotations": maximum_annotations,
            "overlap_cohort_percentage": percent,
            "show_overlap_first": False,
        }
        self.patches: list[dict[str, Any]] = []

    def get_json(self, path: str) -> dict[str, Any]:
        return dict(self.project)

    def patch_json(self, path: str, body: dict[str, Any]) -> None:
        self.patches.append(body)
        self.project.update(body)


def test_lowering_the_overlap_is_a_warning_naming_who_asks() -> None:
    assert lowers_overlap((2, 100), (1, 100)) and lowers_overlap((2, 100), (2, 20))
    assert lowers_overlap((3, 20), (2, 100)) and lowers_overlap((2, 100), (3, 50))
    assert not lowers_overlap((1, 100), (2, 20)) and not lowers_overlap((2, 20), (2, 50))
    assert not lowers_overlap((2, 20), (3, 20)) and not lowers_overlap((2, 0), (1, 100))


def test_a_project_file_without_overlap_leaves_the_servers_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.delenv(PROJECT_ENV, raising=False)
    monkeypatch.chdir(tmp_path)
    write_template(tmp_path, "ringroad")  # `stancebank init`: overlap is commented out
    client = FakeProjectClient(2, 100)
    with caplog.at_level(logging.WARNING):
        assert overlap_settings(client, 7, None, None) is None  # type: ignore[arg-type]
    assert client.patches == [] and not caplog.records
    with caplog.at_level(logging.WARNING):
        change = overlap_settings(client, 7, 1, None)  # type: ignore[arg-type]
    assert change is not None and change.changed and client.project["maximum_annotations"] == 1
    [warning] = caplog.records
    assert warning.levelno == logging.WARNING
    assert warning.getMessage() == (
        "project 7: lowering the overlap from 2 annotator(s) per task on 100% of the tasks to 1 on 100%, "
        "as --overlap asks; to keep it, pass --overlap 2 --overlap-percent 100 (or set them in [studio])"
    )
    caplog.clear()
    with caplog.at_level(logging.WARNING):
        overlap_settings(client, 7, 3, 50)  # type: ignore[arg-type]
    assert not caplog.records  # raising it is no news


def test_the_project_files_overlap_is_named_when_it_lowers_the_servers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.delenv(PROJECT_ENV, raising=False)
    monkeypatch.chdir(tmp_path)
    (tmp_path / "stancebank.toml").write_text(
        '[project]\nname = "x"\nlicense = "cc0-1.0"\n[studio]\noverlap_percent = 20\n', encoding="utf-8"
    )
    client = FakeProjectClient(2, 100)
    with caplog.at_level(logging.WARNING):
        change = overlap_settings(client, 7, None, None)  # type: ignore[arg-type]
    assert change is not None and (change.overlap, change.overlap_percent) == (2, 20)
    [warning] = caplog.records
    assert f"as [studio] overlap_percent in {tmp_path / 'stancebank.toml'} asks" in warning.getMessage()


@pytest.mark.parametrize("command", [["pull"], ["push", "tasks.json"]])
def test_push_and_pull_without_a_title_anywhere_ask_for_one(
    command: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(PROJECT_ENV, raising=False)
    monkeypatch.chdir(tmp_path)  # no stancebank.toml here, so no [studio] project_title
    Path("tasks.json").write_text("[]", encoding="utf-8")  # push checks that its input exists first
    result = CliRunner().invoke(app, ["studio", *command])
    assert result.exit_code == 2, result.output
    flat = " ".join(result.output.replace("│", " ").split())
    assert "give --project NAME" in flat and "[studio] project_title is the default" in flat


def test_studio_up_without_a_port_takes_the_last_one(tmp_path: Path) -> None:
    paths = StudioPaths(tmp_path)
    assert chosen_port(paths, None) == DEFAULT_PORT
    paths.last_port.write_text("8093\n", encoding="utf-8")  # written by the last `studio up`
    assert chosen_port(paths, None) == 8093
    assert chosen_port(paths, 9000) == 9000
    for bad in ("garbage", "-1", "0", "70000"):
        paths.last_port.write_text(bad, encoding="utf-8")
        assert chosen_port(paths, None) == DEFAULT_PORT, bad


def _at_80_columns(table: Any) -> str:
    console = Console(width=80, record=True, file=io.StringIO())
    console.print(table)
    return console.export_text()


def test_the_team_tables_keep_pseudonyms_and_headers_whole_at_80_columns() -> None:
    pseudonyms = ("annotator-7f5cf0a1b2c3", "annotator-00aa0a1b2c3d")
    progress = Progress(
        ProjectProgress("ringroad", 3),
        [
            AnnotatorProgress(pseudonyms[0], 1234, 12, 35.2, 120.5, 40, 0.912, 0.851, 3),
            AnnotatorProgress(pseudonyms[1]),
        ],
    )
    text = _at_80_columns(progress_table(progress))
    assert "…" not in text and all(p in text for p in pseudonyms), text
    assert "0.912" in text and "None" not in text and "—" in text  # no figure yet: a dash
    for header in ("annotator", "tated", "median", "shared", "review"):
        assert header in text, text
    rows = [
        Annotator(
            3,
            "Maria Fernanda de la Cruz",
            "maria.fernanda@university-of-somewhere.example.org",
            pseudonyms[0],
            True,
            120,
        ),
        Annotator(12, "li", "li@team.stancebank.invalid", pseudonyms[1], False, 0),
    ]
    text = _at_80_columns(annotators_table(rows, "http://127.0.0.1:8080"))
    assert "…" not in text and all(p in text for p in pseudonyms), text
    assert "maria.fernanda@university-of-somewhere.example.org" in "".join(
        line.split("│")[2].strip() for line in text.splitlines() if line.count("│") > 3
    )  # folded onto lines, every character kept
