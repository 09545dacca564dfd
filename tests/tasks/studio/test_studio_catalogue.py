"""A new team's own topic, end to end against the real Label Studio, as a user types it:
`stancebank init` → write the target catalogue → `tasks build` → `studio push` → label (API) →
`studio pull` → `export build`. The topic (a library closure in an invented town) is in no file of
the repository; its canonical target reaches the instructions, the predictions, the annotations,
the `claims` config and the card's table of stances per target."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from stancebank.schema.cli import app
from stancebank.schema.spec import SPEC
from stancebank.tasks.studio.client import StudioClient

pytestmark = [pytest.mark.integration, pytest.mark.slow]

CATALOGUE = """
[[targets]]
name = "Elmbrook library closure"
aliases = ["library closure", "closing the library", "the closure"]
patterns = ['clos(e|ing) (the )?(Elmbrook )?library']
description = "Elmbrook council's plan to close the town library in the spring."
"""

ARTICLES = {
    "elmbrook_library.txt": (
        "Elmbrook council votes on library future\n\n"
        "Council leader Marta Quill said the library closure was the only way to balance the budget.\n\n"
        "Librarian Owen Ferris said he opposed the closure because pupils had nowhere else to study.\n"
    ),
    "elmbrook_reaction.txt": (
        "Parents rally for Elmbrook library\n\n"
        "The parents' association said it would fight closing the library in court.\n\n"
        "Deputy mayor Rhea Stone said the council should not rush the closure.\n"
    ),
}


def _run(*args: str) -> str:
    result = CliRunner().invoke(app, list(args))
    assert result.exit_code == 0, (args, result.output, result.exception)
    return result.output


def test_a_new_topic_from_init_to_release(
    label_studio,
    studio_client: StudioClient,
    project_name: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("STANCEBANK_PROJECT", raising=False)
    monkeypatch.setenv("LABEL_STUDIO_URL", label_studio.url)
    monkeypatch.setenv("LABEL_STUDIO_API_KEY", label_studio.api_key)
    monkeypatch.setenv("STANCEBANK_PSEUDONYM_KEY", "catalogue-test-key")
    root = tmp_path / "elmbrook"
    _run("init", str(root))
    project_file = root / "stancebank.toml"
    text = project_file.read_text(encoding="utf-8")
    text = text.replace('project_title = "elmbrook"', f'project_title = "{project_name}"')
    project_file.write_text(text + CATALOGUE, encoding="utf-8")
    (root / "articles").mkdir()
    for name, body in ARTICLES.items():
        (root / "articles" / name).write_text(body, encoding="utf-8")
    monkeypatch.chdir(root)  # every command below reads ./stancebank.toml

    built = _run("tasks", "build", "articles", "--out", "tasks.json")
    assert "target catalogue: 1 target(s)" in built
    tasks = json.loads((root / "tasks.json").read_text(encoding="utf-8"))
    named = [
        r["value"]["text"]
        for t in tasks
        for r in t["predictions"][0]["result"]
        if r.get("from_name") == "target_name"
    ]
    assert named and set(map(tuple, named)) == {("Elmbrook library closure",)}

    _run("studio", "push", "tasks.json", "--project", project_name)
    project = studio_client.find_project(project_name)
    assert project is not None
    instructions = studio_client.get_json(f"/api/projects/{project['id']}/")["expert_instruction"]
    assert "Elmbrook library closure" in instructions  # the catalogue is listed for annotators

    # the annotator accepts every suggestion (the predictions become annotations)
    for task in studio_client.iter_tasks(project["id"]):
        preds = studio_client.get_json("/api/predictions/", params={"task": task["id"]})
        studio_client.post_json(f"/api/tasks/{task['id']}/annotations/", {"result": preds[0]["result"]})

    _run("studio", "pull", "--project", project_name, "--out", "exports")
    [export] = sorted((root / "exports").glob("*.json"))
    assert "Elmbrook library closure" in export.read_text(encoding="utf-8")
    _run("export", "build", str(export), "--version", "0.1.0", "--out", "dist/elmbrook-0.1.0")

    release = root / "dist" / "elmbrook-0.1.0"
    rows = [r for p in sorted(release.rglob("data/claims/*.parquet")) for r in pq.read_table(p).to_pylist()]
    with_target = [r for r in rows if r["target_id"] is not None]
    assert len(with_target) == len(named)
    assert {r["target_name"] for r in with_target} == {"Elmbrook library closure"}
    card = (release / "README.md").read_text(encoding="utf-8")
    stances = [SPEC.stance_names[r["stance"]] for r in with_target]
    cells = " | ".join(str(stances.count(s)) for s in SPEC.stance_names)
    assert f"| Elmbrook library closure | {cells} | {len(stances)} |" in card
    assert (root / "data" / "split_registry.json").is_file()  # the project file's registry, not ours
