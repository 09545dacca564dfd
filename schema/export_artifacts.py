"""Write every artifact generated from the spec into a folder."""

from __future__ import annotations

import json
from pathlib import Path

from stancebank.schema.atomic import writing
from stancebank.schema.features import dataset_features
from stancebank.schema.instructions import render_instructions
from stancebank.schema.label_config import build_label_config
from stancebank.schema.spec import SPEC, AnnotationSpec
from stancebank.schema.tables import table_schemas

LABEL_CONFIG_FILE = "label_config.xml"
INSTRUCTIONS_FILE = "instructions.html"


def write_artifacts(out: Path, *, spec: AnnotationSpec = SPEC) -> list[Path]:
    """Write the labeling config, the instructions, the Features of every config (JSON) and the
    pandera table schemas (JSON); returns the written paths, sorted. A folder or file that cannot
    be written is an :class:`~stancebank.schema.errors.OutputError` naming it."""
    with writing(out, folder=True):
        out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []

    def write(name: str, text: str) -> None:
        path = out / name
        with writing(path):
            path.write_text(text, encoding="utf-8")
        written.append(path)

    write(LABEL_CONFIG_FILE, build_label_config(spec))
    write(INSTRUCTIONS_FILE, render_instructions(spec))
    for config, features in dataset_features(spec).items():
        write(f"features-{config}.json", json.dumps(features.to_dict(), indent=2, sort_keys=True) + "\n")
    for table, schema in table_schemas(spec).items():
        write(f"table-{table}.json", schema.to_json(indent=2) + "\n")
    return sorted(written)
