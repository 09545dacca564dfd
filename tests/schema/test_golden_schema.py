"""Golden files of the schema stage: the Label Studio labeling config and the annotator instructions."""

from __future__ import annotations

from sbtest.golden import assert_golden

from stancebank.schema.instructions import render_instructions
from stancebank.schema.label_config import build_label_config
from stancebank.schema.spec import SPEC


def test_label_config_matches_its_golden_file() -> None:
    assert_golden("label_config.xml", build_label_config(SPEC))


def test_instructions_match_their_golden_file() -> None:
    assert_golden("instructions.html", render_instructions(SPEC))
