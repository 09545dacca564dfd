"""Pure parts of the studio stage: file validation, push planning, config diff, export naming."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from sbtest.studio_fixtures import make_tasks

from stancebank.tasks.studio.annotations import validate_annotations
from stancebank.tasks.studio.errors import StudioError, TasksFileError
from stancebank.tasks.studio.pull import count_export, normalise_export, write_immutable
from stancebank.tasks.studio.sync import Known, config_diff, load_tasks, plan_push, sha256_json, task_meta


def _known(task: dict, task_id: int, annotations: int = 0, text: str | None = None) -> Known:
    meta = task_meta(task)["stancebank"]
    return Known(task_id, meta["data_sha256"], meta["predictions_sha256"], text, annotations)


@pytest.mark.parametrize(
    ("records", "message"),
    [
        ({"data": {}}, "expected a JSON list"),
        ([{"data": {"text": "x"}}], "record 0: field 'data.article_id'"),
        ([{"data": {"article_id": "a", "text": ""}}], "record 0 (article_id=a): field 'data.text'"),
        (
            [{"data": {"article_id": "a", "text": "x"}}, {"data": {"article_id": "a", "text": "y"}}],
            "record 1: duplicate",
        ),
        (
            [{"data": {"article_id": "a", "text": "x"}, "predictions": [{"result": "no"}]}],
            "predictions[0].result",
        ),
    ],
)
def test_bad_tasks_file_names_record_and_field(tmp_path: Path, records, message: str) -> None:
    path = tmp_path / "tasks.json"
    path.write_text(json.dumps(records))
    with pytest.raises(
        TasksFileError, match=message.replace("(", r"\(").replace(")", r"\)").replace("[", r"\[")
    ):
        load_tasks(path)


def test_plan_classifies_every_case() -> None:
    tasks = make_tasks(6)
    known = {t["data"]["article_id"]: _known(t, i + 1) for i, t in enumerate(tasks[:5])}
    incoming = json.loads(json.dumps(tasks))
    incoming[0]["data"]["text"] += " x"  # text changed, annotated → refused
    known["art-000000"] = Known(1, "old", known["art-000000"].predictions_sha256, tasks[0]["data"]["text"], 2)
    incoming[1]["data"]["text"] += " x"  # text changed, not annotated → update + replace predictions
    known["art-000001"] = Known(2, "old", known["art-000001"].predictions_sha256, tasks[1]["data"]["text"], 0)
    incoming[2]["data"]["title"] = "new"  # data changed, same text → update, keep predictions
    known["art-000002"] = Known(3, "old", known["art-000002"].predictions_sha256, tasks[2]["data"]["text"], 3)
    incoming[3]["predictions"][0]["score"] = 0.99  # predictions changed only
    plan = plan_push(incoming, known, refresh_predictions=False)
    assert [t["data"]["article_id"] for t in plan.create] == ["art-000005"]
    assert [r.article_id for r in plan.refused] == ["art-000000"]
    assert [(c.task_id, c.replace_predictions) for c in plan.update] == [(2, True), (3, False)]
    assert plan.unchanged == 2 and plan.stale == 1 and plan.refresh == []
    again = plan_push(incoming, known, refresh_predictions=True)
    assert [c.task_id for c in again.refresh] == [4] and again.stale == 0


def test_predictions_of_another_text_are_replaced_without_being_asked() -> None:
    """An interrupted push leaves new text with predictions marked invalid (issue 13 item 2)."""
    tasks = make_tasks(2)
    server = [{"id": i + 1, "data": t["data"], "meta": task_meta(t)} for i, t in enumerate(tasks)]
    server[0]["meta"] = task_meta(tasks[0], "hash-of-older-predictions", predictions_valid=False)
    known = {t["data"]["article_id"]: Known.from_task(t) for t in server}
    assert [k.predictions_valid for k in known.values()] == [False, True]
    plan = plan_push(tasks, known, refresh_predictions=False)
    assert [(c.task_id, c.replace_predictions) for c in plan.refresh] == [(1, True)]
    assert plan.unchanged == 2 and plan.stale == 0
    # meta of a task whose text was changed behind push's back: its predictions are not for this text
    edited = {**server[1], "data": {**server[1]["data"], "text": "Edited in the UI."}}
    assert not Known.from_task(edited).predictions_valid
    # meta written before predictions_text_sha256 existed: trusted for the text it names
    legacy = {
        **server[1],
        "meta": {
            "stancebank": {
                k: v for k, v in server[1]["meta"]["stancebank"].items() if k != "predictions_text_sha256"
            }
        },
    }
    assert Known.from_task(legacy).predictions_valid


def test_config_diff_is_readable() -> None:
    assert config_diff("<View>\n</View>\n", "<View>\n</View>") == ""
    diff = config_diff("<View>\n  <Old/>\n</View>", "<View>\n  <New/>\n</View>", name="p")
    assert "-  <Old/>" in diff and "+  <New/>" in diff and "p (on the server)" in diff


def test_annotation_records_must_be_pseudonymous() -> None:
    good = {"article_id": "a", "annotator": "annotator-a", "ground_truth": True, "result": []}
    assert validate_annotations([good])[0].ground_truth is True
    with pytest.raises(TasksFileError, match="pseudonym"):
        validate_annotations([{**good, "annotator": "jane@example.com"}])
    with pytest.raises(TasksFileError, match="record 1: annotator 'annotator-a' already annotates"):
        validate_annotations([good, good])


def test_export_file_is_immutable_and_content_named(tmp_path: Path) -> None:
    tasks = normalise_export(
        [{"id": 1, "data": {"text": "t"}, "annotations": [{"completed_by": 5, "result": []}]}]
    )
    now = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    first = write_immutable(tasks, tmp_path, "My Project", now=now)
    assert first.path.name == f"my-project-20260102T030405Z-{first.sha256[:12]}.json"
    assert write_immutable(tasks, tmp_path, "My Project", now=now).reused
    first.path.chmod(0o644)
    first.path.write_text("[]")
    with pytest.raises(StudioError, match="refusing to overwrite"):
        write_immutable(tasks, tmp_path, "My Project", now=now)
    assert count_export(tasks).annotators == 1
    # sha256_json hashes the canonical form (sorted keys, no spaces, UTF-8): key order does not count
    canonical = '[{"a":1,"b":["é",null]}]'.encode()
    assert sha256_json([{"b": ["é", None], "a": 1}]) == hashlib.sha256(canonical).hexdigest()
    assert sha256_json([{"b": ["é", None], "a": 2}]) != hashlib.sha256(canonical).hexdigest()


def test_unchanged_export_is_not_written_twice(tmp_path: Path) -> None:
    tasks = normalise_export([{"id": 1, "data": {"text": "t"}, "annotations": []}])
    first = write_immutable(tasks, tmp_path, "P", now=datetime(2026, 1, 2, tzinfo=UTC))
    later = write_immutable(tasks, tmp_path, "P", now=datetime(2026, 1, 3, tzinfo=UTC))
    assert later.reused and later.path == first.path
    assert list(tmp_path.iterdir()) == [first.path]
    changed = normalise_export([{"id": 1, "data": {"text": "u"}, "annotations": []}])
    newer = write_immutable(changed, tmp_path, "P", now=datetime(2026, 1, 4, tzinfo=UTC))
    assert not newer.reused and len(list(tmp_path.iterdir())) == 2
    # back to the first content: the newest snapshot differs, so it is written again (a new time)
    back = write_immutable(tasks, tmp_path, "P", now=datetime(2026, 1, 5, tzinfo=UTC))
    assert not back.reused and back.path != first.path


_DJANGO_500 = "<!doctype html>\n<html lang='en'><head><title>500 | Label Studio</title></head>" + "x" * 5000


def _server_where_a_creation_fails(other_push_creates: bool) -> httpx.MockTransport:
    """Label Studio's answers when two pushes create a project at the same instant and this one's
    POST gets HTTP 500 (SQLite under load; CI saw it): the other push's project exists, or not."""
    from stancebank.schema.label_config import build_label_config
    from stancebank.tasks.studio.sync import project_instructions

    projects: list[dict] = []

    def answer(request: httpx.Request) -> httpx.Response:
        if request.method == "GET" and request.url.path == "/api/projects/":
            return httpx.Response(200, json={"results": projects, "next": None})
        if request.method == "POST" and request.url.path == "/api/projects/":
            if other_push_creates:
                projects.append({"id": 3, "title": json.loads(request.content)["title"]})
            return httpx.Response(500, html=_DJANGO_500)
        if request.method == "GET" and request.url.path == "/api/projects/3/":
            return httpx.Response(
                200,
                json={
                    "id": 3,
                    "label_config": build_label_config(),
                    "expert_instruction": project_instructions(),
                    "show_instruction": True,
                    "task_number": 0,
                },
            )
        return httpx.Response(404, json={"detail": "not found"})

    return httpx.MockTransport(answer)


def test_a_creation_answered_500_while_another_push_creates_the_project_uses_it() -> None:
    from stancebank.tasks.studio.client import StudioClient
    from stancebank.tasks.studio.sync import ensure_project

    client = StudioClient("http://ls.test", "key", transport=_server_where_a_creation_fails(True))
    state = ensure_project(client, "p")
    assert (state.id, state.created) == (3, False)


def test_a_creation_answered_500_with_no_project_made_is_an_error_without_the_html() -> None:
    from stancebank.tasks.studio.client import StudioClient
    from stancebank.tasks.studio.sync import ensure_project

    client = StudioClient("http://ls.test", "key", transport=_server_where_a_creation_fails(False))
    with pytest.raises(StudioError) as info:
        ensure_project(client, "p")
    message = str(info.value)
    assert "HTTP 500: an HTML page ('500 | Label Studio')" in message and "Re-run" in message
    assert "<!doctype" not in message and "xxxx" not in message


# how a message names the type of a JSON value that is not a list
A_TYPE = {int: "an int", str: "a str", dict: "a dict", bool: "a bool", list: "a list", type(None): "null"}
NOT_LISTS = [0, "", False, {}, 5, "x", {"a": 1}]


def _export_task(**fields: object) -> dict:
    ann = {"id": 9, "completed_by": 5, "result": []}
    return {"id": 1, "data": {"article_id": "a", "text": "t"}, "annotations": [ann], **fields}


@pytest.mark.parametrize(
    ("field", "value"),
    [(field, value) for field in ("annotations", "predictions") for value in NOT_LISTS]
    + [("annotations[0]", value) for value in (0, "", False, 5, "x", None, [])],  # no object
)
def test_an_export_file_whose_list_fields_are_no_lists_is_an_input_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, field: str, value: object
) -> None:
    """`studio normalise-export` of a file with `"predictions": 5` ended with a TypeError traceback
    (exit 70: len() of an int in count_export), `{}` / `"x"` were counted as 0 / 1 predictions and
    the file written; `"annotations": [5]` was an AttributeError. Each is exit 3 naming the file,
    the task, the field and its type, and the fix; nothing is written."""
    from typer.testing import CliRunner

    from stancebank.schema.cli import app

    task = _export_task()
    if field == "annotations[0]":
        task["annotations"] = [value]
        expected = f"annotations[0] is {A_TYPE[type(value)]}, not an object"
    else:
        task[field] = value
        expected = f"{field} is {A_TYPE[type(value)]}, not a list"
    monkeypatch.chdir(tmp_path)
    Path("export.json").write_text(json.dumps([task]), encoding="utf-8")
    result = CliRunner().invoke(
        app, ["studio", "normalise-export", "export.json", "--project", "p", "--out", "out"]
    )
    error = result.exception
    assert isinstance(error, TasksFileError) and error.exit_code == 3, result.output
    assert f"export.json: task 0: {expected}" in str(error) and "export the project again as JSON" in str(
        error
    )
    assert not Path("out").exists() or not any(Path("out").iterdir())


@pytest.mark.parametrize("field", ["annotations", "predictions"])
def test_an_export_whose_list_fields_are_absent_or_null_has_none(field: str) -> None:
    """Absent or null reads as none, as `export build` reads it (a null `annotations` was refused:
    "field 'annotations' must be a list")."""
    for task in (_export_task(**{field: None}), {k: v for k, v in _export_task().items() if k != field}):
        counts = count_export(normalise_export([task]))
        assert (counts.tasks, counts.predictions) == (1, 0)
        assert counts.annotations == (0 if field == "annotations" else 1)


def _server_with_snapshot(tasks: list[dict]) -> httpx.MockTransport:
    """Label Studio's answers to `pull` of project 'p' (id 3) whose export snapshot is ``tasks``."""

    def answer(request: httpx.Request) -> httpx.Response:
        path = request.url.path
        if request.method == "GET" and path == "/api/projects/":
            return httpx.Response(200, json={"results": [{"id": 3, "title": "p"}], "next": None})
        if request.method == "POST" and path == "/api/projects/3/exports/":
            return httpx.Response(
                201, json={"id": 7, "status": "completed", "created_at": "2026-12-03T10:00:00Z"}
            )
        if request.method == "GET" and path == "/api/projects/3/exports/7/download":
            return httpx.Response(200, content=json.dumps(tasks).encode("utf-8"))
        if request.method == "DELETE" and path == "/api/projects/3/exports/7":
            return httpx.Response(204)
        return httpx.Response(404, json={"detail": "not found"})

    return httpx.MockTransport(answer)


@pytest.mark.parametrize("value", NOT_LISTS)
def test_a_snapshot_whose_predictions_are_no_list_is_a_server_error_not_a_crash(
    tmp_path: Path, value: object
) -> None:
    """`studio pull` of a snapshot with `"predictions": 5` ended with a TypeError traceback (exit
    70), `{}` was counted as no predictions. It is an error saying Label Studio's answer is not its
    export format (exit 6, not 3: no file of the user's to fix), naming the task and the field."""
    from stancebank.tasks.studio.client import StudioClient
    from stancebank.tasks.studio.pull import pull

    client = StudioClient(
        "http://ls.test", "key", transport=_server_with_snapshot([_export_task(predictions=value)])
    )
    with pytest.raises(StudioError) as info:
        pull(client, "p", tmp_path / "out")
    assert not isinstance(info.value, TasksFileError) and info.value.exit_code == 6
    message = str(info.value)
    assert f"snapshot of project 'p': task 0: predictions is {A_TYPE[type(value)]}, not a list" in message
    assert "Label Studio's answer is not its JSON export format" in message
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


def _server_with_tasks(tasks: list[dict]) -> httpx.MockTransport:
    """Label Studio's answers to `studio progress` reading project 3: ``tasks`` on a full read, no
    task changed since the kept copy (a read filtered on updated_at)."""

    def answer(request: httpx.Request) -> httpx.Response:
        date = {"Date": "Thu, 03 Dec 2026 12:00:00 GMT"}
        if request.url.path == "/api/projects/3/":
            body = {"id": 3, "created_at": "2026-12-01T00:00:00Z", "task_number": len(tasks)}
            return httpx.Response(200, json=body, headers=date)
        if request.url.path == "/api/tasks/":
            changed = [] if "query" in request.url.params else tasks
            return httpx.Response(200, json={"tasks": changed, "total": len(changed)}, headers=date)
        return httpx.Response(404, json={"detail": "not found"})

    return httpx.MockTransport(answer)


@pytest.mark.parametrize("value", NOT_LISTS)
def test_a_kept_task_list_whose_annotations_are_no_list_is_read_again(tmp_path: Path, value: object) -> None:
    """`studio progress` brought a kept copy (the user cache) up to date and counted its tasks with
    `task.get("annotations") or []`: a copy damaged to `"annotations": 5` ended with a TypeError
    traceback, `{}` / `0` counted the task's annotations as none. The copy is trusted only when its
    tasks are what the server's pages hold (a list of annotation objects); otherwise every task is
    read again, as for any damaged copy."""
    from stancebank.tasks.studio.client import StudioClient
    from stancebank.tasks.studio.progress import ProgressTally
    from stancebank.tasks.studio.snapcache import FORMAT, cache_path, current_tasks

    ann = {"id": 9, "completed_by": 5, "result": [], "was_cancelled": False}
    tasks = [{"id": k, "data": {"article_id": f"a{k}", "text": "t"}, "annotations": [ann]} for k in (1, 2)]
    client = StudioClient("http://ls.test", "key", transport=_server_with_tasks(tasks))
    kept = [{**tasks[0], "annotations": value}, tasks[1]]
    identity = {"url": client.url, "project_id": 3, "project_created_at": "2026-12-01T00:00:00Z"}
    path = cache_path(client, 3, tmp_path)
    path.write_text(
        json.dumps({"format": FORMAT, **identity, "created_at": "2026-12-02T00:00:00Z", "tasks": kept})
    )
    tally = ProgressTally()
    fetched = current_tasks(client, 3, tmp_path, consume=tally.add)
    assert fetched.full and fetched.tasks == tasks
    assert sum(tally.annotated.values()) == 2
    # the copy written by that read is whole: the next run reads only the changes
    again = current_tasks(client, 3, tmp_path)
    assert not again.full and again.tasks == tasks
