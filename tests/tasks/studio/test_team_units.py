"""Pure parts of the team, progress and review modules (no server)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from stancebank.tasks.studio.errors import TasksFileError
from stancebank.tasks.studio.progress import TaskState, states_from_export
from stancebank.tasks.studio.review import TITLE_MAX, review_tasks, review_title, summary
from stancebank.tasks.studio.team import generate_password, login_email


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
    with pytest.raises(TasksFileError, match=r"no such file.*review folder"):
        review_tasks(tmp_path / "missing")
    (tmp_path / "review_tasks.json").write_text(json.dumps([{"data": {}}]))
    with pytest.raises(
        TasksFileError, match=r"record 0: field 'data\.article_id' must be a non-empty string"
    ):
        review_tasks(tmp_path)
