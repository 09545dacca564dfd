"""The pre-annotator's version names its rules: a change to the rules' code or data files without a
new ``PREANNOTATOR_VERSION`` fails here.

Every prediction records ``stancebank-rules-<PREANNOTATOR_VERSION>+<model>``; two rule sets under one
version string make that record worthless. ``tests/golden/preannotator.txt`` holds the version and
a sha256 of the rule files (``tasks/preannotate/*.py`` and the pre-annotator's files in
``tasks/resources/``; the cleaner's ``boilerplate.yaml`` has its own version). When the rules change,
bump the version (a patch number for a change that cannot alter a prediction: a comment, a
refactor) and rewrite the file with ``make golden``.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from sbtest.golden import GOLDEN, UPDATE_ENV, assert_golden

from stancebank.tasks.preannotate.model import PREANNOTATOR_VERSION

NAME = "preannotator.txt"
NOT_RULES = frozenset(["__init__.py", "boilerplate.yaml"])
DATA_SUFFIXES = (".txt", ".yaml")  # what the resource loader reads (no editor backups, no .orig)


def rule_files(repo_root: Path) -> list[Path]:
    """The files whose content decides what the pre-annotator proposes, in a fixed order."""
    code = sorted((repo_root / "tasks" / "preannotate").glob("*.py"))
    resources = repo_root / "tasks" / "resources"
    data = sorted(p for suffix in DATA_SUFFIXES for p in resources.glob(f"*{suffix}"))
    return [p for p in code + data if p.name not in NOT_RULES]


def fingerprint(repo_root: Path) -> str:
    """sha256 over the rule files' paths and bytes, line endings as ``\\n`` (a checkout that
    writes ``\\r\\n`` has the same rules)."""
    digest = hashlib.sha256()
    for path in rule_files(repo_root):
        digest.update(path.relative_to(repo_root).as_posix().encode() + b"\0")
        digest.update(path.read_bytes().replace(b"\r\n", b"\n") + b"\0")
    return digest.hexdigest()


def recorded(text: str) -> tuple[str, str]:
    """(version, sha256) of the golden file's ``version <v>`` and ``rules-sha256 <h>`` lines."""
    fields = dict(line.split(" ", 1) for line in text.splitlines() if " " in line)
    return fields.get("version", ""), fields.get("rules-sha256", "")


def test_rule_files_are_found(repo_root: Path) -> None:
    names = {p.name for p in rule_files(repo_root)}
    assert {"stances.py", "claims.py", "stance_cues.yaml", "verbs.yaml"} <= names
    assert not names & NOT_RULES


def test_a_rule_change_comes_with_a_new_version(repo_root: Path) -> None:
    current = fingerprint(repo_root)
    path = GOLDEN / NAME
    if path.is_file():
        version, sha = recorded(path.read_text(encoding="utf-8"))
        # checked before the file is rewritten too: `make golden` cannot record a change of the
        # rules under the version that named the old ones
        assert sha == current or version != PREANNOTATOR_VERSION, (
            f"the rule files changed but PREANNOTATOR_VERSION is still {PREANNOTATOR_VERSION} "
            f"(tasks/preannotate/model.py): bump it (a patch number if no prediction can change), "
            f"then run `make golden`"
        )
    elif os.environ.get(UPDATE_ENV) != "1":
        raise AssertionError(f"{path} is missing: run `make golden`")
    assert_golden(NAME, f"version {PREANNOTATOR_VERSION}\nrules-sha256 {current}\n")


def test_the_fingerprint_sees_a_change(repo_root: Path, tmp_path: Path) -> None:
    """A copy of the rule files with one byte changed has another fingerprint."""
    for path in rule_files(repo_root):
        target = tmp_path / path.relative_to(repo_root)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(path.read_bytes())
    assert fingerprint(tmp_path) == fingerprint(repo_root)
    cues = tmp_path / "tasks" / "resources" / "stance_cues.yaml"
    cues.write_bytes(cues.read_bytes() + b"#")
    assert fingerprint(tmp_path) != fingerprint(repo_root)
