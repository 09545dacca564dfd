"""The project file: `stancebank init` writes one that loads; bad files name line, key and fix."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from stancebank.schema.project import (
    PROJECT_ENV,
    ProjectFileError,
    Target,
    find_project,
    load_project,
    parse_project,
    write_template,
)

CLI = [sys.executable, "-m", "stancebank.schema.cli"]

CATALOGUE = """
[project]
name = "city-traffic"
languages = ["en", "pt-BR"]
license = "cc-by-4.0"
hub_repo = "civic-lab/city-traffic"
registry = "splits/registry.json"

[studio]
overlap = 2
overlap_percent = 20

[policy]
min_annotators = 2
single_annotation_gold = false

[[targets]]
name = "congestion charge"
aliases = ["congestion charge", "the charge"]
patterns = ['congestion (fee|levy)s?']
description = "The city's proposed daily fee for driving into the centre."

[[targets]]
name = "bike lanes"
aliases = ["cycle lanes", "the lanes"]

[[actors]]
name = "Anna Berg"
type = "person"
aliases = ["Anna Berg", "Berg"]
descriptions = ["the mayor"]

[[actors]]
name = "Transit Authority"
type = "organization"
"""


def test_init_writes_a_file_that_loads_with_the_folder_name(tmp_path: Path) -> None:
    folder = tmp_path / "harbour-study"
    path = write_template(folder)
    project = load_project(path)
    assert project.name == "harbour-study"
    assert project.studio.project_title == "harbour-study"
    assert project.registry == (folder / "data" / "split_registry.json").resolve()
    assert project.targets == ()
    with pytest.raises(ProjectFileError, match="exists already"):
        write_template(folder)
    assert write_template(folder, "renamed", force=True) == path
    assert load_project(path).name == "renamed"


def test_a_full_file_loads_with_paths_relative_to_its_folder(tmp_path: Path) -> None:
    path = tmp_path / "proj" / "stancebank.toml"
    project = parse_project(CATALOGUE, path)
    assert project.languages == ("en", "pt-BR")
    assert project.hub_repo == "civic-lab/city-traffic"
    assert project.registry == (tmp_path / "proj" / "splits" / "registry.json").resolve()
    assert (project.studio.overlap, project.studio.overlap_percent) == (2, 20)
    assert project.studio.project_title == "city-traffic"  # defaults to the project name
    assert project.policy.min_annotators == 2
    assert project.policy.single_annotation_gold is False
    assert [t.name for t in project.targets] == ["congestion charge", "bike lanes"]
    assert project.target("bike lanes").aliases == ("cycle lanes", "the lanes")
    berg, authority = project.actors
    assert (berg.name, berg.type, berg.phrases, berg.descriptions) == (
        "Anna Berg",
        "person",
        ("Anna Berg", "Berg"),
        ("the mayor",),
    )
    assert authority.phrases == ("Transit Authority",)  # the name is an alias


def test_the_init_template_shows_actors_and_targets_commented_out(tmp_path: Path) -> None:
    path = write_template(tmp_path, "p")
    text = path.read_text(encoding="utf-8")
    assert "# [[actors]]" in text and "# [[targets]]" in text
    uncommented = re.sub(
        r"^# (\[\[|(name|type|aliases|descriptions|patterns|description) =)", r"\1", text, flags=re.M
    )
    project = parse_project(uncommented, path)  # the commented examples are valid entries
    assert [a.name for a in project.actors] == ["Anna Berg"]
    assert [t.name for t in project.targets] == ["congestion charge"]


def test_a_role_named_twice_in_ground_truth_by_counts_once(tmp_path: Path) -> None:
    text = '[project]\nname = "p"\n[policy]\nground_truth_by = ["manager", "manager", "reviewer"]\n'
    assert parse_project(text, tmp_path / "stancebank.toml").policy.ground_truth_by == ("manager", "reviewer")


@pytest.mark.parametrize("name", ["p", "city-budget", "tariff-dispute"])
def test_the_init_template_aligns_its_comments_whatever_the_name(tmp_path: Path, name: str) -> None:
    text = write_template(tmp_path, name).read_text(encoding="utf-8")
    section = text.split("[policy]")[0]
    columns = {line.index(" # ") for line in section.splitlines() if " # " in line and "= " in line}
    assert len(columns) == 1, section
    assert parse_project(text, tmp_path / "stancebank.toml").name == name


def test_a_target_matcher_finds_aliases_and_patterns_case_insensitively() -> None:
    target = Target("congestion charge", ("the charge",), ("congestion (fee|levy)s?",))
    text = "Drivers fear The Charge; a Congestion Levy was tried, and the congestion charge failed."
    found = [m.group(0) for m in target.matcher().finditer(text)]
    assert found == ["The Charge", "Congestion Levy", "congestion charge"]
    assert not target.matcher().search("the chargers were sold out")  # word boundaries


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('[project]\nname = "x"\n[studio]\noverlapp = 2\n', r"line 4: \[studio\] overlapp: unknown key"),
        ('[project]\nname = "x"\nlanguages = "en"\n', r"line 3: \[project\] languages: must be a list"),
        ('[project]\nname = "x"\n[studio]\noverlap = "two"\n', r"line 4: .*overlap: must be a whole number"),
        ('[project]\nname = "x"\n[studio]\noverlap_percent = 120\n', r"from 0 to 100, not 120"),
        ('[project]\nname = "x"\nlanguages = ["en\\n---"]\n', r"languages: must be a single line"),
        ('[project]\nname = "x"\nlanguages = ["English"]\n', r"'English' is not one"),
        ('[project]\nname = "x"\nhub_repo = "no-slash"\n', r"hub_repo: must be a Hub repository id"),
        ('[project]\nname = "x"\nlicense = "other"\n', r"license_name and license_link"),
        ('[project]\nname = "x"\n[policy]\nground_truth_by = ["boss"]\n', r"not boss"),
        (
            '[project]\nname = "x"\n[policy]\nconflicts = "ignore"\n',
            r"conflicts: must be one of 'review', 'drop'",
        ),
        ('name = "x"\n', r"line 1: unknown section or key 'name'"),
        ("[studio]\noverlap = 2\n", r"the \[project\] table is missing"),
        ('[project\nname = "x"\n', r"not valid TOML: .*line 1"),
        (
            '[project]\nname = "x"\n[[targets]]\nname = "a"\n[[targets]]\nname = "b"\npatterns = ["(x"]\n',
            r"line 7: \[\[targets\]\] #2 patterns: must be regular expressions",
        ),
        (
            '[project]\nname = "x"\n[[targets]]\naliases = ["a"]\n',
            r"line 3: \[\[targets\]\] #1: 'name' is required",
        ),
        (
            '[project]\nname = "x"\n[[targets]]\nname = "a"\naliases = ["the plan"]\n'
            '[[targets]]\nname = "b"\naliases = ["The Plan"]\n',
            r"'the plan' also names target #1",
        ),
        ('[project]\nname = "x"\n[[targets]]\nname = "a"\npatterns = ["x?"]\n', r"cannot match empty text"),
        (
            '[project]\nname = "x"\n[[actors]]\nname = "a"\ntype = "person"\n[[actors]]\nname = "b"\n'
            'type = "minister"\n',
            r"line 8: \[\[actors\]\] #2 type: must be one of 'person', .*'other', not 'minister'",
        ),
        (
            '[project]\nname = "x"\n[[actors]]\naliases = ["a"]\ntype = "person"\n',
            r"line 3: \[\[actors\]\] #1: 'name' is required",
        ),
        (
            '[project]\nname = "x"\n[[actors]]\nname = "a"\n',
            r"\[\[actors\]\] #1: 'type' is required. Fix: add `type = \"person\"`",
        ),
        (
            '[project]\nname = "x"\n[[actors]]\nname = "a"\ntype = "group"\nrole = "x"\n',
            r"line 6: \[\[actors\]\] #1 role: unknown key",
        ),
        (
            '[project]\nname = "x"\n[[actors]]\nname = "Ann Lee"\ntype = "person"\naliases = ["Lee"]\n'
            '[[actors]]\nname = "Bo Lee"\ntype = "person"\naliases = ["Lee"]\n',
            r"line 10: \[\[actors\]\] #2 aliases: 'Lee' also names actor #1 \('Ann Lee'\)",
        ),
        (
            '[project]\nname = "x"\n[[actors]]\nname = "a"\ntype = "person"\ndescriptions = ["the mayor"]\n'
            '[[actors]]\nname = "b"\ntype = "person"\ndescriptions = ["The Mayor"]\n',
            r"#2 descriptions: 'The Mayor' also describes actor #1",
        ),
        ('[project]\nname = "x"\nactors = "a"\n', r"\[project\] actors: unknown key"),
        ('[project]\nname = "x"\n[actors]\nname = "a"\n', r"\[\[actors\]\] #1: must be a list of"),
    ],
)
def test_bad_files_are_refused_naming_line_key_and_fix(tmp_path: Path, text: str, expected: str) -> None:
    path = tmp_path / "stancebank.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ProjectFileError, match=expected) as caught:
        load_project(path)
    assert str(path) in str(caught.value)
    assert "Fix" in str(caught.value)


def test_the_active_project_is_explicit_then_environment_then_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(PROJECT_ENV, raising=False)
    assert find_project(cwd=tmp_path) is None
    here = write_template(tmp_path / "here", "here")
    elsewhere = write_template(tmp_path / "elsewhere", "elsewhere")
    assert find_project(cwd=here.parent).name == "here"  # type: ignore[union-attr]
    monkeypatch.setenv(PROJECT_ENV, str(elsewhere))
    assert find_project(cwd=here.parent).name == "elsewhere"  # type: ignore[union-attr]
    assert find_project(here, cwd=tmp_path).name == "here"  # type: ignore[union-attr]


def test_cli_init_and_a_bad_project_file_exit_codes(tmp_path: Path) -> None:
    done = subprocess.run([*CLI, "init", str(tmp_path / "p"), "--name", "p1"], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert load_project(tmp_path / "p" / "stancebank.toml").name == "p1"
    again = subprocess.run([*CLI, "init", str(tmp_path / "p")], capture_output=True, text=True)
    assert again.returncode == 2
    assert "exists already" in again.stderr
    bad = tmp_path / "bad.toml"
    bad.write_text('[project]\nname = "x"\n[studio]\noverlapp = 2\n', encoding="utf-8")
    refused = subprocess.run([*CLI, "--project", str(bad), "schema", "show"], capture_output=True, text=True)
    assert refused.returncode == 2
    # the message keeps its brackets (Rich markup must not swallow "[studio]")
    assert "[studio] overlapp" in " ".join(refused.stderr.split())


def test_a_project_file_that_is_not_utf8_names_the_line_and_the_fix(tmp_path: Path) -> None:
    path = tmp_path / "stancebank.toml"
    path.write_bytes(b'[project]\nname = "p"\n# caf\xe9\n')
    with pytest.raises(ProjectFileError) as info:
        load_project(path)
    assert str(info.value) == (
        f"{path}, line 3: byte 0xe9 is not UTF-8 (invalid continuation byte); save the file as UTF-8"
    )
