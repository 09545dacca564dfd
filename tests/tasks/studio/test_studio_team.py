"""The team on the real Label Studio: accounts that log in, removal, overlap through the next-task queue."""

from __future__ import annotations

import json
import logging
import re
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from sbtest.studio_fixtures import make_tasks
from sbtest.studio_session import Session
from typer.testing import CliRunner

from stancebank.schema.cli import app
from stancebank.tasks.studio.client import StudioClient
from stancebank.tasks.studio.sync import push
from stancebank.tasks.studio.team import (
    Roster,
    add_annotators,
    apply_overlap,
    list_annotators,
    login_email,
    remove_annotator,
)

pytestmark = pytest.mark.integration


@pytest.fixture
def sessions() -> Iterator[list[Session]]:
    opened: list[Session] = []
    yield opened
    for s in opened:
        s.close()


def _unique(prefix: str, project_name: str) -> str:
    return f"{prefix}-{project_name[-6:]}"


def test_added_annotator_logs_in_is_listed_and_removal_keeps_annotations(
    studio_client: StudioClient, project_name: str, tmp_path: Path, sessions: list[Session], caplog
) -> None:
    caplog.set_level(logging.DEBUG)
    report = push(studio_client, make_tasks(3), project_name)
    pid = report.project.id
    roster = Roster(tmp_path / "team.json", studio_client.url)
    names = [_unique("maria", project_name), _unique("li", project_name)]
    created, skipped = add_annotators(studio_client, names, roster=roster)
    assert skipped == [] and [c.email for c in created] == [login_email(n) for n in names]
    # the passwords are nowhere but in the return value: not in a log line, not in the roster
    roster_text = (tmp_path / "team.json").read_text()
    for new in created:
        assert new.password not in caplog.text and new.password not in roster_text
    assert oct((tmp_path / "team.json").stat().st_mode & 0o777) == "0o600"

    # each logs in with the printed password (a wrong one does not), and annotates
    maria, li = (Session(studio_client.url, c.email, c.password) for c in created)
    sessions += [maria, li]
    assert maria.logged_in and li.logged_in
    wrong = Session(studio_client.url, created[0].email, created[0].password + "x")
    sessions.append(wrong)
    assert not wrong.logged_in
    task = maria.next_task(pid)
    assert task is not None
    assert maria.annotate(task).status_code == 201

    # adding again changes nothing and creates no second account
    again, skipped = add_annotators(studio_client, names[:1], roster=roster)
    assert again == [] and skipped == names[:1]

    rows = {r.user_id: r for r in list_annotators(studio_client, lambda i: f"p({i})", roster=roster)}
    m = rows[created[0].user_id]
    assert (m.name, m.email, m.pseudonym, m.active, m.annotations) == (
        names[0],
        created[0].email,
        f"p(ls:{created[0].user_id})",
        True,
        1,
    )

    # removal: the member loses access, stays listed as removed, the annotation stays
    remove_annotator(studio_client, created[0].email, roster=roster)
    assert maria.web.get(f"/api/projects/{pid}/next").status_code in (403, 404)
    rows = {r.user_id: r for r in list_annotators(studio_client, lambda i: f"p({i})", roster=roster)}
    gone = rows[created[0].user_id]
    assert (gone.name, gone.email, gone.active, gone.annotations) == (names[0], created[0].email, False, 1)
    assert rows[created[1].user_id].active
    kept = studio_client.get_json(f"/api/tasks/{task['id']}/annotations/")
    assert [a["completed_by"] for a in kept] == [created[0].user_id]


def test_cli_annotators_add_list_remove(
    label_studio, studio_client: StudioClient, project_name: str, tmp_path: Path, monkeypatch, sessions
) -> None:
    monkeypatch.setenv("LABEL_STUDIO_URL", label_studio.url)
    monkeypatch.setenv("LABEL_STUDIO_API_KEY", label_studio.api_key)
    monkeypatch.setenv("STANCEBANK_PSEUDONYM_KEY", "test-key")
    monkeypatch.chdir(tmp_path)
    push(studio_client, make_tasks(2), project_name)
    runner = CliRunner()
    name = _unique("ana", project_name)
    data_dir = ["--data-dir", str(tmp_path / "studio")]
    added = runner.invoke(
        app,
        ["studio", "annotators", "add", name, "--project", project_name, *data_dir],
        env={"COLUMNS": "200"},
    )
    assert added.exit_code == 0, added.output
    row = next(line for line in added.output.splitlines() if login_email(name) in line)
    password = [c.strip() for c in row.split("│")][3]
    session = Session(label_studio.url, login_email(name), password)
    sessions.append(session)
    assert session.logged_in
    assert not list(tmp_path.rglob("data"))  # nothing written under data/

    listed = runner.invoke(app, ["studio", "annotators", "list", "--json", *data_dir])
    assert listed.exit_code == 0, listed.output
    mine = next(r for r in json.loads(listed.output) if r["email"] == login_email(name))
    assert mine["active"] and re.fullmatch(r"annotator-[0-9a-f]{12}", mine["pseudonym"])
    assert password not in listed.output

    removed = runner.invoke(app, ["studio", "annotators", "remove", name, *data_dir])
    assert removed.exit_code == 0, removed.output
    listed = runner.invoke(app, ["studio", "annotators", "list", "--json", *data_dir])
    mine_after = next(r for r in json.loads(listed.output) if r["user_id"] == mine["user_id"])
    assert not mine_after["active"] and mine_after["pseudonym"] == mine["pseudonym"]


@pytest.mark.parametrize(("overlap", "percent", "n_annotators"), [(2, 100, 2), (3, 40, 3)])
def test_overlap_counts_through_the_next_task_queue(
    studio_client: StudioClient, project_name: str, sessions: list[Session], overlap, percent, n_annotators
) -> None:
    n_tasks = 10
    pid = push(studio_client, make_tasks(n_tasks), project_name).project.id
    assert apply_overlap(studio_client, pid, overlap, percent).changed
    assert not apply_overlap(studio_client, pid, overlap, percent).changed
    names = [_unique(f"o{overlap}{percent}x{i}", project_name) for i in range(n_annotators)]
    created, _ = add_annotators(studio_client, names)
    team = [Session(studio_client.url, c.email, c.password) for c in created]
    sessions += team
    # the annotators take turns pressing "Label all tasks" until the queue is empty for everyone
    active = list(team)
    while active:
        for person in list(active):
            task = person.next_task(pid)
            if task is None:
                active.remove(person)
                continue
            assert person.annotate(task).status_code == 201
    per_task = Counter(
        {t["id"]: t["total_annotations"] for t in studio_client.iter_tasks(pid)}  # every task listed
    )
    assert len(per_task) == n_tasks
    in_cohort = int(n_tasks * percent / 100 + 0.5)
    assert sorted(per_task.values(), reverse=True) == [overlap] * in_cohort + [1] * (n_tasks - in_cohort)
    # nobody annotated a task twice
    for t in studio_client.iter_tasks(pid):
        authors = [a["completed_by"] for a in studio_client.get_json(f"/api/tasks/{t['id']}/annotations/")]
        assert len(authors) == len(set(authors))


def test_cli_push_takes_overlap_and_title_from_the_project_file_and_flags_override(
    label_studio, studio_client: StudioClient, project_name: str, tmp_path: Path, monkeypatch
) -> None:
    from stancebank.schema.project import write_template

    monkeypatch.setenv("LABEL_STUDIO_URL", label_studio.url)
    monkeypatch.setenv("LABEL_STUDIO_API_KEY", label_studio.api_key)
    monkeypatch.delenv("STANCEBANK_PROJECT", raising=False)
    monkeypatch.chdir(tmp_path)
    toml = write_template(tmp_path, "teamproj")
    template = toml.read_text()
    text = re.sub(r"(?m)^# overlap = 2 ", "overlap = 2 ", template)
    text = re.sub(r"(?m)^# overlap_percent = 20 ", "overlap_percent = 50 ", text)
    # the project title comes from the file too: push and pull need no --project
    text = re.sub(r'(?m)^project_title = "teamproj"', f'project_title = "{project_name}"', text)
    toml.write_text(text)
    tasks_file = tmp_path / "tasks.json"
    tasks_file.write_text(json.dumps(make_tasks(4)))
    runner = CliRunner()
    first = runner.invoke(app, ["studio", "push", str(tasks_file)])
    assert first.exit_code == 0, first.output
    assert f"'{project_name}'" in first.output
    project = studio_client.require_project(project_name)
    assert (
        project["maximum_annotations"],
        project["overlap_cohort_percentage"],
        project["show_overlap_first"],
    ) == (
        2,
        50,
        True,
    )
    assert sorted(t["overlap"] for t in studio_client.iter_tasks(project["id"])) == [1, 1, 2, 2]
    second = runner.invoke(
        app, ["studio", "push", str(tasks_file), "--project", project_name, "--overlap", "3"]
    )
    assert second.exit_code == 0, second.output
    project = studio_client.require_project(project_name)
    assert (project["maximum_annotations"], project["overlap_cohort_percentage"]) == (3, 50)
    assert sorted(t["overlap"] for t in studio_client.iter_tasks(project["id"])) == [1, 1, 3, 3]
    assert "lowering" not in second.output
    # the template as `stancebank init` writes it states no overlap: a re-push keeps the server's
    toml.write_text(template.replace('project_title = "teamproj"', f'project_title = "{project_name}"'))
    third = runner.invoke(app, ["studio", "push", str(tasks_file)])
    assert third.exit_code == 0, third.output
    assert "overlap:" not in third.output and "lowering" not in third.output
    project = studio_client.require_project(project_name)
    assert (project["maximum_annotations"], project["overlap_cohort_percentage"]) == (3, 50)
    # lowering it takes a flag, and is said before it is done
    fourth = runner.invoke(app, ["studio", "push", str(tasks_file), "--overlap", "1"])
    assert fourth.exit_code == 0, fourth.output
    flat = " ".join(fourth.output.split())
    assert "lowering the overlap from 3 annotator(s) per task on 50% of the tasks to 1 on 50%" in flat
    assert studio_client.require_project(project_name)["maximum_annotations"] == 1
    pulled = runner.invoke(app, ["studio", "pull", "--out", str(tmp_path / "exports")])
    assert pulled.exit_code == 0, pulled.output
    [snapshot] = (tmp_path / "exports").iterdir()
    assert len(json.loads(snapshot.read_text())) == 4
