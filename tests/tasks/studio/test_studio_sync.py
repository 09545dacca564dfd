"""Push / pull / import-annotations against the real Label Studio of the session fixture."""

from __future__ import annotations

import copy
import json
import logging
import stat
from pathlib import Path

import pytest
from sbtest.studio_fixtures import make_tasks

from stancebank.schema.instructions import render_instructions
from stancebank.schema.label_config import build_label_config
from stancebank.tasks.studio.annotations import annotator_email, import_annotations, validate_annotations
from stancebank.tasks.studio.client import StudioClient
from stancebank.tasks.studio.errors import ConfigDriftError, StudioAuthError, StudioConnectionError
from stancebank.tasks.studio.pull import load_export, pull
from stancebank.tasks.studio.sync import push

pytestmark = pytest.mark.integration


def _annotations_for(tasks, annotators, ground_truth_for="annotator-a"):
    return validate_annotations(
        [
            {
                "article_id": t["data"]["article_id"],
                "annotator": who,
                "ground_truth": who == ground_truth_for,
                "result": t["predictions"][0]["result"],
            }
            for t in tasks
            for who in annotators
        ]
    )


def test_push_creates_project_with_generated_config(studio_client: StudioClient, project_name: str) -> None:
    tasks = make_tasks(12)
    report = push(studio_client, tasks, project_name, batch_size=5)
    assert report.project.created
    assert report.created == 12 and report.unchanged == 0
    project = studio_client.get_json(f"/api/projects/{report.project.id}/")
    assert project["title"] == project_name
    assert project["label_config"].strip() == build_label_config().strip()
    assert project["show_instruction"] is True
    assert project["expert_instruction"]
    # Instructions are sanitised by LS but keep their text: every word of the rendered HTML's
    # first heading is there.
    assert "ACTOR" in render_instructions() and "ACTOR" in project["expert_instruction"]
    assert project["task_number"] == 12


def test_second_push_creates_nothing(studio_client: StudioClient, project_name: str) -> None:
    tasks = make_tasks(20)
    push(studio_client, tasks, project_name)
    again = push(studio_client, tasks, project_name)
    assert (again.created, again.unchanged, again.updated, again.refused) == (0, 20, 0, [])
    assert not again.project.created
    server = list(studio_client.iter_tasks(again.project.id))
    assert len(server) == 20
    assert len({t["data"]["article_id"] for t in server}) == 20
    # An interrupted push: only the first half arrived; running again completes it.
    more = make_tasks(30)
    resumed = push(studio_client, more, project_name)
    assert (resumed.created, resumed.unchanged) == (10, 20)


def test_predictions_visible_on_tasks(studio_client: StudioClient, project_name: str) -> None:
    tasks = make_tasks(3)
    report = push(studio_client, tasks, project_name)
    server_tasks = list(studio_client.iter_tasks(report.project.id))
    assert len(server_tasks) == len(tasks)  # the checks below must not pass over an empty project
    for server_task in server_tasks:
        full = studio_client.get_json(f"/api/tasks/{server_task['id']}")
        assert len(full["predictions"]) == 1
        pred = full["predictions"][0]
        assert pred["model_version"] == "synthetic-1"
        kinds = sorted(r["type"] for r in pred["result"])
        assert kinds == ["labels", "labels", "labels", "relation", "relation"]
        text = full["data"]["text"]
        for r in pred["result"]:
            if r["type"] == "labels":
                assert text[r["value"]["start"] : r["value"]["end"]] == r["value"]["text"]


def test_changed_text_refused_when_annotated_updated_otherwise(
    studio_client: StudioClient, project_name: str
) -> None:
    tasks = make_tasks(4)
    report = push(studio_client, tasks, project_name)
    import_annotations(studio_client, project_name, _annotations_for(tasks[:1], ["annotator-a"]))
    changed = copy.deepcopy(tasks)
    changed[0]["data"]["text"] = "Edited. " + changed[0]["data"]["text"]  # annotated → refused
    changed[1] = {**changed[1], "data": {**changed[1]["data"]}}
    changed[1]["data"]["text"] = changed[1]["data"]["text"].replace("said", "claimed")  # not annotated
    changed[1]["predictions"] = [{"model_version": "synthetic-2", "result": []}]
    changed[2]["data"]["title"] = "A new headline"  # same text: safe update
    result = push(studio_client, changed, project_name)
    assert [r.article_id for r in result.refused] == [tasks[0]["data"]["article_id"]]
    assert "annotation" in result.refused[0].reason
    assert result.updated == 2 and result.unchanged == 1 and result.created == 0
    by_key = {t["data"]["article_id"]: t for t in studio_client.iter_tasks(report.project.id)}
    assert by_key[tasks[0]["data"]["article_id"]]["data"]["text"] == tasks[0]["data"]["text"]  # untouched
    updated = studio_client.get_json(f"/api/tasks/{by_key[tasks[1]['data']['article_id']]['id']}")
    assert "claimed" in updated["data"]["text"]
    assert [p["model_version"] for p in updated["predictions"]] == ["synthetic-2"]  # stale offsets replaced
    assert by_key[tasks[2]["data"]["article_id"]]["data"]["title"] == "A new headline"


def test_refresh_predictions_only_on_request(studio_client: StudioClient, project_name: str) -> None:
    tasks = make_tasks(3)
    report = push(studio_client, tasks, project_name)
    newer = copy.deepcopy(tasks)
    newer[0]["predictions"][0]["model_version"] = "synthetic-9"
    stale = push(studio_client, newer, project_name)
    assert stale.predictions_stale == 1 and stale.predictions_refreshed == 0
    refreshed = push(studio_client, newer, project_name, refresh_predictions=True)
    assert refreshed.predictions_refreshed == 1 and refreshed.created == 0
    first = next(
        t for t in studio_client.iter_tasks(report.project.id) if t["data"]["article_id"] == "art-000000"
    )
    full = studio_client.get_json(f"/api/tasks/{first['id']}")
    assert [p["model_version"] for p in full["predictions"]] == ["synthetic-9"]
    assert push(studio_client, newer, project_name).predictions_stale == 0


def test_config_drift_detected_and_updated_on_request(studio_client: StudioClient, project_name: str) -> None:
    report = push(studio_client, make_tasks(2), project_name)
    generated = build_label_config()
    drifted = generated.replace("<View>", '<View>\n  <Header value="old guidelines"/>', 1)
    assert drifted != generated
    studio_client.patch_json(f"/api/projects/{report.project.id}/", {"label_config": drifted})
    with pytest.raises(ConfigDriftError) as info:
        push(studio_client, make_tasks(2), project_name)
    message = str(info.value)
    assert "--update-config" in message
    assert '-  <Header value="old guidelines"/>' in message  # a readable unified diff
    fixed = push(studio_client, make_tasks(2), project_name, update_config=True)
    assert fixed.project.config_updated
    current = studio_client.get_json(f"/api/projects/{report.project.id}/")["label_config"]
    assert current.strip() == generated.strip()
    assert not push(studio_client, make_tasks(2), project_name).project.config_updated


def test_two_annotators_pulled_as_ids_without_emails(
    studio_client: StudioClient, project_name: str, label_studio, tmp_path: Path, caplog
) -> None:
    caplog.set_level(logging.DEBUG)
    tasks = make_tasks(5)
    push(studio_client, tasks, project_name)
    records = _annotations_for(tasks[:3], ["annotator-a", "annotator-b"])
    first = import_annotations(studio_client, project_name, records)
    assert first.created == 6 and first.skipped_existing == 0
    second = import_annotations(studio_client, project_name, records)  # idempotent
    assert second.created == 0 and second.skipped_existing == 6

    result = pull(studio_client, project_name, tmp_path / "exports")
    text = result.path.read_text(encoding="utf-8")
    assert "@" not in text
    for email in (annotator_email("annotator-a"), annotator_email("annotator-b"), label_studio.admin_email):
        assert email not in text
    assert label_studio.api_key not in text
    exported = json.loads(text)
    annotators = {a["completed_by"] for t in exported for a in t.get("annotations", [])}
    assert len(annotators) == 2 and all(isinstance(a, int) for a in annotators)
    users = {u["email"]: u["id"] for u in studio_client.get_json("/api/users/")}
    assert annotators == {users[annotator_email("annotator-a")], users[annotator_email("annotator-b")]}
    gt = [a for t in exported for a in t["annotations"] if a["ground_truth"]]
    assert {a["completed_by"] for a in gt} == {users[annotator_email("annotator-a")]}
    c = result.counts
    assert (c.tasks, c.annotations, c.cancelled, c.annotators, c.ground_truths) == (5, 6, 0, 2, 3)
    # Immutable: read-only, named by time and content hash, never overwritten.
    assert result.sha256[:12] in result.path.name
    assert not stat.S_IMODE(result.path.stat().st_mode) & 0o222
    again = pull(studio_client, project_name, tmp_path / "exports")
    assert again.sha256 == result.sha256
    assert result.path.read_text(encoding="utf-8") == text
    assert again.reused and again.path == result.path  # unchanged content: no second file
    assert len(list((tmp_path / "exports").iterdir())) == 1
    # No token in any log record, and none in the server log.
    assert label_studio.api_key not in caplog.text
    assert label_studio.api_key not in (label_studio.data_dir / "server.log").read_text()
    # What we wrote reads back through the same normaliser.
    assert load_export(result.path) == exported


def test_ui_export_emails_are_stripped(tmp_path: Path) -> None:
    ui = [
        {
            "id": 7,
            "data": {"text": "Write to press@example.org for details.", "article_id": "x"},
            "annotations": [
                {
                    "id": 1,
                    "completed_by": {
                        "id": 3,
                        "email": "jane.doe@example.com",
                        "first_name": "Jane",
                        "last_name": "Doe",
                    },
                    "created_username": "jane.doe@example.com, 3",
                    "updated_by": {"id": 3, "email": "jane.doe@example.com"},
                    "result": [],
                    "ground_truth": False,
                    "was_cancelled": False,
                }
            ],
            "drafts": [{"user": "jane.doe@example.com", "created_username": "jane.doe@example.com, 3"}],
            "comment_authors": [{"id": 3, "email": "jane.doe@example.com"}],
            "predictions": [],
        }
    ]
    path = tmp_path / "ui.json"
    path.write_text(json.dumps(ui))
    tasks = load_export(path)
    dumped = json.dumps(tasks)
    assert "jane" not in dumped.lower() and "Doe" not in dumped
    assert tasks[0]["annotations"][0]["completed_by"] == 3
    assert tasks[0]["annotations"][0]["updated_by"] == 3
    assert tasks[0]["data"]["text"] == ui[0]["data"]["text"]  # article content is never rewritten


def test_wrong_key_names_the_variable(label_studio) -> None:
    with StudioClient(label_studio.url, "0" * 40) as client, pytest.raises(StudioAuthError) as info:
        client.get_json("/api/projects/")
    assert "LABEL_STUDIO_API_KEY" in str(info.value)
    assert "0" * 40 not in str(info.value)


def test_unreachable_server_retries_then_names_url() -> None:
    from stancebank.tasks.studio.server import free_port

    url = f"http://127.0.0.1:{free_port()}"
    with (
        StudioClient(url, "f" * 40, retries=2, backoff=0.01) as client,
        pytest.raises(StudioConnectionError) as info,
    ):
        client.get_json("/api/projects/")
    assert url in str(info.value) and "3 attempts" in str(info.value)
    assert "f" * 40 not in str(info.value)


def test_ledger_catches_up_with_server_side_changes(studio_client: StudioClient, project_name: str) -> None:
    tasks = make_tasks(6)
    report = push(studio_client, tasks, project_name)
    by_key = {t["data"]["article_id"]: t for t in studio_client.iter_tasks(report.project.id)}
    # Someone deletes a task and edits another one's data in Label Studio.
    studio_client.request("DELETE", f"/api/tasks/{by_key['art-000001']['id']}")
    edited = {**by_key["art-000002"]["data"], "title": "edited in the UI"}
    studio_client.patch_json(f"/api/tasks/{by_key['art-000002']['id']}", {"data": edited})
    again = push(studio_client, tasks, project_name)
    assert again.created == 1  # the deleted task comes back, once
    assert again.updated == 1  # the edited data is restored
    assert again.unchanged == 4
    server = list(studio_client.iter_tasks(report.project.id))
    assert sorted(t["data"]["article_id"] for t in server) == sorted(t["data"]["article_id"] for t in tasks)
    assert next(t for t in server if t["data"]["article_id"] == "art-000002")["data"]["title"] == "Meeting 2"
    assert push(studio_client, tasks, project_name).unchanged == 6


def test_personal_access_token_works(studio_client: StudioClient, label_studio) -> None:
    pat = studio_client.post_json("/api/token/", {})["token"]
    assert pat.count(".") == 2  # a JWT refresh token, not the legacy 40-hex key
    with StudioClient(label_studio.url, pat) as client:
        assert client.get_json("/api/current-user/whoami")["email"] == label_studio.admin_email


def test_corrected_article_updates_its_task(
    studio_client: StudioClient, project_name: str, tmp_path: Path
) -> None:
    """An article without an id, corrected in its file, is the same task (issue 13 item 8)."""
    from stancebank.tasks.build import BuildOptions, build_tasks

    folder = tmp_path / "articles"
    folder.mkdir()
    article = folder / "bridge.txt"
    article.write_text("Bridge plan\n\nMinister Jane Roe said the bridge plan would cut traffic.\n")
    (folder / "other.txt").write_text("Tram\n\nThe mayor said the tram extension must come first.\n")
    first = build_tasks([folder], BuildOptions(preannotate=False)).tasks
    report = push(studio_client, first, project_name)
    assert report.created == 2
    article.write_text("Bridge plan\n\nMinister Jane Doe said the bridge plan would cut traffic.\n")
    corrected = build_tasks([folder], BuildOptions(preannotate=False)).tasks
    again = push(studio_client, corrected, project_name)
    assert (again.created, again.updated, again.unchanged) == (0, 1, 1)
    server = list(studio_client.iter_tasks(report.project.id))
    assert len(server) == 2
    assert any("Jane Doe" in t["data"]["text"] for t in server)
    assert not any("Jane Roe" in t["data"]["text"] for t in server)


def test_tasks_pushed_under_a_text_hash_id_take_their_new_id(
    studio_client: StudioClient, project_name: str
) -> None:
    """Projects pushed before ids were keyed by source: same article, former id → re-keyed, no copy."""
    from stancebank.tasks.studio.sync import sha256_text

    tasks = make_tasks(3)
    former = copy.deepcopy(tasks)
    for task in former[:2]:
        task["data"]["article_id"] = "sb-" + sha256_text(task["data"]["text"])[:16]
    report = push(studio_client, former, project_name)
    import_annotations(studio_client, project_name, _annotations_for(former[:1], ["annotator-a"]))
    again = push(studio_client, tasks, project_name)
    assert (again.ids_migrated, again.created, again.updated, again.unchanged) == (2, 0, 2, 1)
    assert again.refused == []
    server = {t["data"]["article_id"]: t for t in studio_client.iter_tasks(report.project.id)}
    assert sorted(server) == ["art-000000", "art-000001", "art-000002"]
    assert server["art-000000"]["total_annotations"] == 1  # the annotation stayed with its task
    assert push(studio_client, tasks, project_name).unchanged == 3
