"""The pre-annotator's word lists are data files checked at load: every actor type is a choice of
the spec, every section is present, and a bad file names itself, the field and what is wrong."""

from __future__ import annotations

from importlib import resources
from typing import Any

import pytest
import yaml

from stancebank.schema.spec import SPEC
from stancebank.tasks.errors import ResourceError
from stancebank.tasks.preannotate.resources import (
    load_resources,
    parse_speaker_words,
    parse_verb_words,
)


def _packaged(name: str) -> Any:
    return yaml.safe_load(resources.files("stancebank.tasks.resources").joinpath(name).read_text("utf-8"))


def test_packaged_word_lists_load_and_use_the_spec_types() -> None:
    res = load_resources()
    types = set(SPEC.attribute_for("actor_type").choices)
    assert set(res.speakers.heads.values()) <= types
    assert set(res.speakers.pronouns.values()) <= types
    assert res.speakers.heads["ministry"] == "government" and res.speakers.pronouns["she"] == "person"
    assert "spokeswoman" in res.speakers.titles and "survey" in res.speakers.finding_heads
    assert res.verbs.irregular["said"] == "say" and "ask" in res.verbs.quote_only
    assert {"ministry", "official", "survey", "statement"} <= res.speakers.known_heads


def test_an_actor_type_outside_the_spec_is_refused_with_file_and_word() -> None:
    doc = _packaged("speakers.yaml")
    doc["heads"] = {**doc["heads"], "guild": "organisation"}
    with pytest.raises(
        ResourceError, match=r"speakers\.yaml: heads\.guild: actor type 'organisation'.*organization"
    ):
        parse_speaker_words(doc)


def test_a_missing_or_unknown_section_is_refused() -> None:
    doc = _packaged("speakers.yaml")
    del doc["titles"]
    with pytest.raises(ResourceError, match=r"speakers\.yaml: expected .*'titles'"):
        parse_speaker_words(doc)
    doc = {**_packaged("speakers.yaml"), "titels": ["mayor"]}
    with pytest.raises(ResourceError, match=r"found .*'titels'"):
        parse_speaker_words(doc)
    doc = _packaged("speakers.yaml")
    doc["not_speakers"] = "statement"
    with pytest.raises(ResourceError, match=r"`not_speakers` must be a list of words"):
        parse_speaker_words(doc)


def test_title_genders_are_male_or_female() -> None:
    doc = _packaged("speakers.yaml")
    assert parse_speaker_words(doc).title_genders["mrs"] == "female"
    doc["title_genders"] = {**doc["title_genders"], "mx": "neutral"}
    with pytest.raises(ResourceError, match=r"speakers\.yaml: `title_genders` must map .* male or female"):
        parse_speaker_words(doc)


def test_verb_words_are_checked() -> None:
    assert parse_verb_words(_packaged("verbs.yaml")).irregular["told"] == "tell"
    words = parse_verb_words(_packaged("verbs.yaml"))
    assert "believe" in words.attitude and "began" in words.aspectual and "announce" in words.announcement
    with pytest.raises(ResourceError, match=r"verbs\.yaml: `irregular` must map"):
        parse_verb_words({**_packaged("verbs.yaml"), "irregular": ["said"]})
    with pytest.raises(ResourceError, match=r"verbs\.yaml: `aspectual` must be a list of words"):
        parse_verb_words({**_packaged("verbs.yaml"), "aspectual": "start"})
    with pytest.raises(ResourceError, match=r"found .*'quote_only'"):
        parse_verb_words({"irregular": {}, "quote_only": ["ask"]})
