"""Speakers and their ``actor_name`` on texts written for these tests: an inverted "said" with a
title and a phrase after the name."""

from __future__ import annotations

from typing import Any

import pytest

from stancebank.schema.project import Actor
from stancebank.tasks.build import DEFAULT_MODEL
from stancebank.tasks.preannotate import actors_key, get_preannotator


@pytest.fixture(scope="module")
def annotator() -> Any:
    return get_preannotator(DEFAULT_MODEL)  # cached: loaded once per process


def _sources(annotator: Any, text: str) -> list[tuple[str, str, str | None, str]]:
    """(speaker text, actor_type, actor_name, claim text) per source relation, in claim order."""
    spans, relations = annotator.annotate(text)
    by_id = {s.id: s for s in spans}
    out = []
    for r in relations:
        if r.label == "source":
            actor, claim = by_id[r.from_id], by_id[r.to_id]
            out.append(
                (actor.text, actor.attributes["actor_type"], actor.attributes.get("actor_name"), claim.text)
            )
    return out


@pytest.mark.parametrize(
    ("text", "speaker", "name"),
    [
        (
            "“This bill protects patients,” said Senator Priya Raman after the hearing.",
            "Senator Priya Raman",
            "Priya Raman",
        ),
        (
            '"We will not back down," said Vice President Tomasz Wren at a press conference.',
            "Vice President Tomasz Wren",
            "Tomasz Wren",
        ),
        (
            "“The budget is balanced,” said Finance Minister Odile Marchetti in a statement.",
            "Finance Minister Odile Marchetti",
            "Odile Marchetti",
        ),
        (
            '"The harbour will stay open," said Mayor Elin Sandvik after the meeting.',
            "Mayor Elin Sandvik",
            "Elin Sandvik",
        ),
    ],
)
def test_an_inverted_said_with_a_phrase_after_the_name(
    annotator: Any, text: str, speaker: str, name: str
) -> None:
    """What follows an inverted speaker ("after the hearing") is when it was said, not who said
    it: the headline rule for "row deepens as supplier threatens …" does not apply after the verb."""
    [(actor, typ, actor_name, _)] = _sources(annotator, text)
    assert (actor, typ, actor_name) == (speaker, "person", name)


def test_an_inverted_said_names_a_known_actor() -> None:
    known = (Actor("Priya Raman", "person", ("Priya Raman", "Raman", "Senator Priya Raman"), ()),)
    annotator = get_preannotator(DEFAULT_MODEL, (), actors_key(known))
    text = "“This bill protects patients,” said Senator Priya Raman after the hearing."
    [(actor, _, name, _)] = _sources(annotator, text)
    assert "Priya Raman" in actor and name == "Priya Raman"
