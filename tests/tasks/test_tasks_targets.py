"""The target catalogue end to end without a server: `tasks targets` proposes one from articles,
`tasks build` uses the project file's catalogue (TARGETs with target_name), a bad one is refused."""

from __future__ import annotations

import json
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from typer.testing import CliRunner

from stancebank.schema.cli import app
from stancebank.schema.project import parse_project

ARTICLES = {
    "bridge_one.txt": (
        "Council split over river toll\n\n"
        "Mayor Ann Bell said the council rejected the river toll on Monday.\n\n"
        "Shop owner Tom Gray said he opposed the river toll because it would hurt trade.\n"
    ),
    "bridge_two.txt": (
        "Drivers protest river toll\n\n"
        "The drivers' association said it would fight the river toll in court.\n\n"
        "Transport minister Lena Ost said the cycle bridge was necessary.\n"
    ),
}


@pytest.fixture
def articles(tmp_path: Path) -> Path:
    folder = tmp_path / "articles"
    folder.mkdir()
    for name, text in ARTICLES.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


@pytest.mark.slow
def test_tasks_targets_prints_a_catalogue_ready_to_paste(articles: Path, tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["tasks", "targets", str(articles), "--top", "3"])
    assert result.exit_code == 0, result.output
    printed = result.stdout
    project = parse_project('[project]\nname = "x"\nlicense = "cc0-1.0"\n' + printed, tmp_path / "p.toml")
    names = [t.name for t in project.targets]
    assert names[0] == "river toll", printed  # three claims in two articles take a stance on it
    assert "# 3 claim(s)" in printed and "e.g." in printed


@pytest.mark.slow
def test_tasks_build_takes_the_catalogue_from_the_project_file(articles: Path, tmp_path: Path) -> None:
    project = tmp_path / "stancebank.toml"
    project.write_text(
        '[project]\nname = "bridges"\nlicense = "cc0-1.0"\n\n'
        '[[targets]]\nname = "river crossing fee"\naliases = ["river toll"]\n',
        encoding="utf-8",
    )
    out = tmp_path / "tasks.json"
    result = CliRunner().invoke(
        app, ["--project", str(project), "tasks", "build", str(articles), "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    names = set()
    for task in json.loads(out.read_text(encoding="utf-8")):
        for region in task["predictions"][0]["result"]:
            if region.get("from_name") == "target_name":
                names.update(region["value"]["text"])
    assert names == {"river crossing fee"}


@pytest.mark.slow
def test_tasks_build_says_when_the_project_file_has_no_catalogue(articles: Path, tmp_path: Path) -> None:
    project = tmp_path / "stancebank.toml"
    project.write_text('[project]\nname = "bridges"\nlicense = "cc0-1.0"\n', encoding="utf-8")
    out = tmp_path / "tasks.json"
    result = CliRunner().invoke(
        app, ["--project", str(project), "tasks", "build", str(articles), "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert "no [[targets]] in" in result.output  # printed as written, not as Rich markup


def test_a_bad_catalogue_is_refused_with_line_key_and_fix(articles: Path, tmp_path: Path) -> None:
    project = tmp_path / "stancebank.toml"
    project.write_text(
        '[project]\nname = "bridges"\nlicense = "cc0-1.0"\n\n[[targets]]\nname = "toll"\nalias = ["x"]\n',
        encoding="utf-8",
    )
    proc = subprocess.run(
        [
            *(sys.executable, "-m", "stancebank.schema.cli", "--project", str(project)),
            *("tasks", "build", str(articles), "--out", str(tmp_path / "t.json")),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 2, proc.stderr
    message = " ".join((proc.stdout + proc.stderr).split())
    assert "stancebank.toml, line 7" in message and "alias: unknown key" in message, message
    assert "Fix: remove it or correct its spelling" in message
    assert not (tmp_path / "t.json").exists()
    tomllib.loads(project.read_text(encoding="utf-8"))  # valid TOML: the key is what is wrong


def test_proposed_phrases_end_where_a_noun_phrase_ends() -> None:
    from stancebank.tasks.targets import candidate_phrases, stop_words

    stop = stop_words()
    phrases = candidate_phrases("a joint fund to finance weapons for Ukraine", stop)
    assert {"joint fund", "finance weapons", "weapons for ukraine", "ukraine"} <= phrases
    assert not {"joint", "fund", "finance"} & phrases  # one word only as the target's last word
    assert "concede" not in candidate_phrases("concede any territory", stop)
    assert "territory" in candidate_phrases("concede any territory", stop)


def test_an_alias_is_the_name_with_modifiers_in_front() -> None:
    from stancebank.tasks.targets import is_alias, stop_words

    stop = stop_words()
    assert is_alias("guarantees", "western guarantees", stop)
    assert is_alias("tax rate", "local tax rate", stop)
    assert not is_alias("guarantees", "come with guarantees", stop)
    assert not is_alias("ceasefire", "ceasefire now", stop)
    assert not is_alias("guarantees", "guarantees", stop)


def test_a_phrase_one_claim_in_one_article_takes_is_not_proposed() -> None:
    from stancebank.tasks.targets import propose_from_tasks

    def task(article: str, text: str, target: str) -> dict[str, object]:
        start = text.index(target)
        result = [
            {"id": "c", "from_name": "label", "to_name": "text", "type": "labels",
             "value": {"start": 0, "end": len(text), "text": text, "labels": ["CLAIM"]}},
            {"id": "t", "from_name": "label", "to_name": "text", "type": "labels",
             "value": {"start": start, "end": start + len(target), "text": target, "labels": ["TARGET"]}},
            {"from_id": "c", "to_id": "t", "type": "relation", "direction": "right", "labels": ["oppose"]},
        ]  # fmt: skip
        return {"data": {"article_id": article, "text": text}, "predictions": [{"result": result}]}

    tasks = [
        task("a1", "rejected the parking levy", "the parking levy"),
        task("a2", "opposed the parking levy", "the parking levy"),
        task("a3", "rejected the harbour crane", "the harbour crane"),
    ]
    names = [p.name for p in propose_from_tasks(tasks)]  # type: ignore[arg-type]
    assert names == ["parking levy"]
