"""The `stancebank` command starts without the heavy libraries: each stage loads its own when one
of its commands runs (a CI job calling `stancebank tasks build` should not pay for pandas,
datasets and the Label Studio SDK)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys

HEAVY = (
    "pandas",
    "pandera",
    "pyarrow",
    "datasets",
    "huggingface_hub",
    "label_studio_sdk",
    "spacy",
    "trafilatura",
)


def _loaded_after(code: str) -> set[str]:
    probe = f"{code}\nimport json, sys\nprint(json.dumps(sorted(m for m in sys.modules if '.' not in m)))"
    out = subprocess.run([sys.executable, "-c", probe], check=True, capture_output=True, text=True).stdout
    return set(json.loads(out.splitlines()[-1]))


def test_the_root_command_imports_no_heavy_library() -> None:
    loaded = _loaded_after("import stancebank.schema.cli")
    assert not loaded & set(HEAVY), sorted(loaded & set(HEAVY))


def test_the_lazy_validation_package_still_exposes_its_api() -> None:
    loaded = _loaded_after(
        "import stancebank.validation as v\n"
        "assert callable(v.load_config) and v.Report.__name__ == 'Report'\n"
        "assert 'validate_paths' in dir(v)"
    )
    assert "pandera" not in loaded  # the config and the report types need no engine
    loaded = _loaded_after("from stancebank.validation import validate_paths")
    assert "pandera" in loaded


def test_help_lists_every_stage() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "stancebank.schema.cli", "--help"],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "COLUMNS": "100", "NO_COLOR": "1", "TERM": "dumb"},
    )
    assert out.returncode == 0, out.stderr[-2000:]
    # the rows of the "Commands" panel: "│ name   description │" (a word in a description or a
    # traceback's module path does not count)
    panel = out.stdout[out.stdout.index("Commands") :]
    commands = set(re.findall(r"^│ ([a-z][a-z-]*) {2,}", panel, flags=re.MULTILINE))
    assert {"tasks", "studio", "export", "validate", "schema", "demo"} <= commands, out.stdout
