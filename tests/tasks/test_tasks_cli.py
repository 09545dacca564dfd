"""`stancebank tasks build` end to end (CliRunner on the root app): outputs, rejects, duplicates,
exit codes."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from stancebank.schema.cli import app
from stancebank.tasks.build import BuildOptions, build_tasks

ARTICLE = (
    "Council backs new ferry timetable\n\n"
    "The harbour council approved a new ferry timetable on Monday after a long debate in the town hall.\n\n"
    "“We cannot accept another winter of cancelled crossings,” said Councillor Ruth Ames.\n\n"
    "She said that the operator must publish monthly reliability figures from next year.\n\n"
    "Comments\n\nGreat news!"
)


def _run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.output


def test_build_end_to_end_with_predictions(tmp_path: Path) -> None:
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.txt").write_text(ARTICLE, "utf-8")
    (tmp_path / "in" / "README.md").write_text("# Sample articles\n\nWhat this folder holds.", "utf-8")
    out = tmp_path / "tasks.json"
    code, output = _run("tasks", "build", str(tmp_path / "in"), "--out", str(out))
    assert code == 0, output
    [row] = [line for line in output.splitlines() if "skipped (documentation)" in line]
    assert row.replace("│", " ").split()[-1] == "1"
    [task] = json.loads(out.read_text("utf-8"))
    data = task["data"]
    assert data["title"] == "Council backs new ferry timetable"
    assert "Comments" not in data["text"] and "Great news" not in data["text"]
    prov = data["stancebank"]
    assert prov["origin_file"] == str(tmp_path / "in" / "a.txt") and prov["removed_lines"] == 2
    assert data["article_id"].startswith("sb-") and len(prov["text_sha256"]) == 64
    [pred] = task["predictions"]
    assert pred["model_version"].startswith("stancebank-rules-") and 0 <= pred["score"] <= 1
    text = data["text"]
    regions = [r for r in pred["result"] if r["type"] == "labels"]
    assert {r["value"]["labels"][0] for r in regions} >= {"ACTOR", "CLAIM"}
    for r in regions:
        assert text[r["value"]["start"] : r["value"]["end"]] == r["value"]["text"]
    assert len({r["id"] for r in regions}) == len(regions)
    assert any(r["type"] == "relation" and r["labels"] == ["source"] for r in pred["result"])
    # the model's version is printed whole (a table row cut it short at 80 columns)
    assert "…" not in output and pred["model_version"] in "".join(output.split())


def test_rejects_exit_code_and_report(tmp_path: Path) -> None:
    (tmp_path / "good.txt").write_text(ARTICLE, "utf-8")
    (tmp_path / "bad.jsonl").write_text('{"text": "ok text for a task, long enough."}\n{broken\n', "utf-8")
    (tmp_path / "bin.txt").write_bytes(b"\x00\x00\x01")
    out, rejects = tmp_path / "t.json", tmp_path / "r.jsonl"
    args = ["tasks", "build", str(tmp_path), "--out", str(out), "--rejects", str(rejects), "--no-preannotate"]
    code, output = _run(*args)
    assert code == 1, output
    rows = [json.loads(line) for line in rejects.read_text("utf-8").splitlines()]
    assert {(Path(r["file"]).name, r["line"], r["record"], r["reason"]) for r in rows} == {
        ("bad.jsonl", 2, 2, "unparsable"),
        ("bin.txt", None, None, "binary"),
    }
    tasks = json.loads(out.read_text("utf-8"))
    assert len(tasks) == 2
    # one task per line between the brackets: line n + 1 holds task n (grep, wc -l, git diff)
    lines = out.read_text("utf-8").split("\n")
    assert lines[0] == "[" and lines[-2:] == ["]", ""] and len(lines) == len(tasks) + 3
    assert [json.loads(line.rstrip(",")) for line in lines[1:-2]] == tasks
    assert "rejected" in output
    code, _ = _run(*args, "--allow-rejects")
    assert code == 0


def test_usage_errors_and_help_documents_exit_codes(tmp_path: Path) -> None:
    code, output = _run("tasks", "build", str(tmp_path / "missing.txt"), "--out", str(tmp_path / "o.json"))
    assert code == 2 and "no such file" in " ".join(output.split())
    code, output = _run("tasks", "build", "--help")
    assert code == 0 and "Exit codes" in output and "--allow-rejects" in output


def test_a_rules_file_that_is_not_utf8_is_a_usage_error_naming_the_line(tmp_path: Path) -> None:
    """--boilerplate with a Latin-1 byte ended with a UnicodeDecodeError traceback (exit 70): it is a
    malformed rules file (exit 2), named with its line, the byte and the fix."""
    (tmp_path / "a.txt").write_text(ARTICLE, "utf-8")
    rules = tmp_path / "rules.yaml"
    rules.write_bytes(b"sites:\n  # caf\xe9\n  - name: promo\n    action: line\n    pattern: 'x'\n")
    code, output = _run(
        "tasks",
        "build",
        str(tmp_path / "a.txt"),
        "--out",
        str(tmp_path / "o.json"),
        "--boilerplate",
        str(rules),
    )
    assert code == 2, output
    assert (
        f"{rules}, line 2: byte 0xe9 is not UTF-8 (invalid continuation byte); save the file as UTF-8"
        in " ".join(output.split())
    ), output
    assert not (tmp_path / "o.json").exists()


def test_unknown_model_exit_code(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text(ARTICLE, "utf-8")
    code, output = _run(
        "tasks",
        "build",
        str(tmp_path / "a.txt"),
        "--out",
        str(tmp_path / "o.json"),
        "--model",
        "no_such_model_xyz",
    )
    assert code == 5 and "no_such_model_xyz" in output


def test_exact_and_near_duplicates(tmp_path: Path) -> None:
    extra = " ".join(
        f"Paragraph {i} of the report adds detail number {i} about crossings and fares." for i in range(12)
    )
    base = ARTICLE.replace("\n\nComments", f"\n\n{extra}\n\nComments")
    (tmp_path / "a.txt").write_text(base, "utf-8")
    (tmp_path / "b.txt").write_text(base.replace("\n\n", "\r\n\r\n"), "utf-8")  # same clean text
    (tmp_path / "c.txt").write_text("Skip to content\n\n" + base + "\n\nPREV Other story", "utf-8")  # same
    near = base.replace("on Monday", "on Tuesday")
    (tmp_path / "d.txt").write_text(near, "utf-8")
    (tmp_path / "e.jsonl").write_text(
        json.dumps({"id": "x", "text": "First text with an id."})
        + "\n"
        + json.dumps({"id": "x", "text": "Another text reusing the id."})
        + "\n",
        "utf-8",
    )
    result = build_tasks([tmp_path], BuildOptions(preannotate=False))
    kinds = sorted((Path(s.origin.split(":")[0]).name, s.kind) for s in result.skipped)
    assert kinds == [
        ("b.txt", "duplicate"),
        ("c.txt", "duplicate"),
        ("d.txt", "near-duplicate"),
        ("e.jsonl", "duplicate"),
    ]
    assert len(result.tasks) == 2
    kept = build_tasks([tmp_path], BuildOptions(preannotate=False, keep_near_duplicates=True))
    assert len(kept.tasks) == 3 and kept.near_duplicates == 1
    ids = {
        t["data"]["article_id"]
        for t in build_tasks([tmp_path / "a.txt"], BuildOptions(preannotate=False)).tasks
    }
    assert ids == {result.tasks[0]["data"]["article_id"]}  # stable across runs


def test_non_english_article_is_built_without_predictions(tmp_path: Path) -> None:
    fr = "Le maire refuse le plan\n\nLe maire a déclaré que le plan de la région est inacceptable pour la ville."  # noqa: E501
    (tmp_path / "fr.txt").write_text(fr, "utf-8")
    result = build_tasks([tmp_path], BuildOptions())
    [task] = result.tasks
    assert task["data"]["language"] == "fr" and "predictions" not in task
    assert result.not_preannotated == {"language fr": 1}


def test_a_reject_quoting_a_lone_surrogate_is_written(tmp_path: Path) -> None:
    """A broken escape in a field *name* ends up quoted in the reject: the rejects file still
    gets written (as valid UTF-8) and the exit code says inputs were rejected."""
    src = tmp_path / "s.jsonl"
    src.write_text('{"text": "The council met on Monday. It voted.", "ti\\ud800tle": "x"}\n', "utf-8")
    out, rejects = tmp_path / "t.json", tmp_path / "r.jsonl"
    code, output = _run(
        "tasks", "build", str(src), "--out", str(out), "--rejects", str(rejects), "--no-preannotate"
    )
    assert code == 1, output
    [row] = [json.loads(line) for line in rejects.read_text("utf-8").splitlines()]
    assert row["reason"] == "unparsable" and row["line"] == 1 and "field `ti\\ud800tle`" in row["detail"]


FRENCH = (
    "Le conseil approuve les nouveaux horaires\n\n"
    "Le conseil du port a approuvé lundi les nouveaux horaires des traversées, après un long débat "
    "dans la salle du conseil. Les habitants de la ville attendent des bateaux plus fiables pour "
    "l'hiver, et la mairie promet de publier les chiffres de ponctualité chaque mois.\n"
)


def test_build_warns_about_articles_outside_the_project_languages(tmp_path: Path) -> None:
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "en.txt").write_text(ARTICLE, "utf-8")
    (tmp_path / "in" / "fr.txt").write_text(FRENCH, "utf-8")
    project = tmp_path / "stancebank.toml"
    project.write_text('[project]\nname = "ferries"\nlicense = "cc0-1.0"\nlanguages = ["en"]\n', "utf-8")
    args = ["tasks", "build", str(tmp_path / "in"), "--out", str(tmp_path / "t.json"), "--no-preannotate"]
    code, output = _run("--project", str(project), *args)
    assert code == 0, output
    flat = " ".join(output.split())
    assert "1 article(s) in a language that [project] languages of" in flat, output
    assert "does not list (en): fr 1" in flat
    project.write_text(project.read_text("utf-8").replace('["en"]', '["en", "fr-CA"]'), "utf-8")
    code, output = _run("--project", str(project), *args)
    assert code == 0 and "[project] languages" not in output, output
