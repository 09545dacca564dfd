"""The fallback stance cue: a general-purpose evaluative lexicon (VADER's, through
``evaluative.yaml``), read only where the curated cues give nothing and only for a word predicated
of the target. Every sentence here is made up for these tests."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from stancebank.schema.project import Target
from stancebank.tasks.build import DEFAULT_MODEL
from stancebank.tasks.errors import ModelError
from stancebank.tasks.preannotate import catalogue_key, get_preannotator
from stancebank.tasks.preannotate import resources as res
from stancebank.tasks.preannotate.evaluative import lexicon_predicate
from stancebank.tasks.preannotate.resources import NO_EVALUATIVE, load_cues, load_evaluative
from stancebank.tasks.preannotate.target_syntax import lexicon_subject_target

_CATALOGUE = (
    Target("pier extension", ("pier extension",), ()),
    Target("night curfew", ("the curfew", "night curfew"), ()),
    Target("bridge toll", ("the toll", "bridge toll"), ()),
    Target("deposit scheme", ("the deposit scheme",), ()),
    Target("new timetable", ("the new timetable",), ()),
)


@pytest.fixture(scope="module")
def with_catalogue() -> Any:
    return get_preannotator(DEFAULT_MODEL, catalogue_key(_CATALOGUE))


def _stances(annotator: Any, text: str) -> set[tuple[str, str]]:
    spans, rels = annotator.annotate(text)
    by_id = {s.id: s for s in spans}
    return {(r.label, by_id[r.to_id].text) for r in rels if r.label in {"support", "oppose", "neutral"}}


def test_the_lexicon_is_read_from_the_pinned_wheel() -> None:
    lexicon = load_evaluative()
    assert lexicon.polarity("splendid") == "support" and lexicon.polarity("catastrophe") == "oppose"
    assert lexicon.polarity("betrays") == "oppose"  # a form of a listed word by its base
    assert lexicon.polarity("no") is None and lexicon.polarity("like") is None  # not_evaluative
    assert lexicon.polarity("table") is None


def test_a_missing_lexicon_is_a_setup_error_naming_the_install_command(monkeypatch: Any) -> None:
    monkeypatch.setattr(res, "_LEXICON_PACKAGE", "no_such_lexicon_package")
    load_evaluative.cache_clear()
    try:
        with pytest.raises(ModelError, match=r"requirements-model\.lock") as err:
            load_evaluative()
        assert err.value.exit_code == 5
    finally:
        load_evaluative.cache_clear()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # the target is the subject and the word its verb
        ("“The night curfew punishes young workers,” said Lena Hart.", {("oppose", "The night curfew")}),
        # a copula says it of the target
        ("“The new timetable is a splendid idea,” said Lena Hart.", {("support", "The new timetable")}),
        # a verb that brings its object passes the object's valence on
        (
            "“The pier extension will bring joy to the town,” said Lena Hart.",
            {("support", "The pier extension")},
        ),
        # a verb that reduces its object turns it around
        (
            "“The deposit scheme will shrink the litter problem,” said Omar Velde.",
            {("support", "The deposit scheme")},
        ),
        # the claim's subject points back to the mention in the sentence before
        (
            "The council debated the curfew on Monday. "
            "“It would be a catastrophe for the bars,” said Omar Velde.",
            {("oppose", "the curfew")},
        ),
        # a gerund phrase judged as a whole: keeping it is sensible, for it
        ("“Keeping the toll would be sensible,” said Omar Velde.", {("support", "the toll")}),
    ],
)
def test_an_evaluating_word_predicated_of_the_target_gives_its_stance(
    with_catalogue: Any, text: str, expected: set[tuple[str, str]]
) -> None:
    assert _stances(with_catalogue, text) == expected


def test_without_the_lexicon_those_claims_take_no_stance(with_catalogue: Any, monkeypatch: Any) -> None:
    """The stances above are the fallback's: the curated cues alone give none."""
    plain = dataclasses.replace(with_catalogue.resources.cues, evaluative=NO_EVALUATIVE)
    monkeypatch.setattr(
        with_catalogue, "resources", dataclasses.replace(with_catalogue.resources, cues=plain)
    )
    for text in (
        "“The night curfew punishes young workers,” said Lena Hart.",
        "“The new timetable is a splendid idea,” said Lena Hart.",
        "“The pier extension will bring joy to the town,” said Lena Hart.",
    ):
        assert _stances(with_catalogue, text) == set()


def test_a_verdict_on_undoing_the_target_is_the_other_way_round(with_catalogue: Any) -> None:
    text = "“Scrapping the toll would be stupid,” said Omar Velde."
    assert _stances(with_catalogue, text) == {("support", "the toll")}


@pytest.mark.parametrize(
    "text",
    [
        # a passive: what was done to the subject, no verdict on the target
        "“Nobody was hurt by the curfew,” said Omar Velde.",
        # a subject of none, or a negated passive, with the target as the agent: no verdict either way
        "“Nobody was harmed by the old curfew,” said Omar Velde.",
        "“Shops were not hurt by the curfew,” said Omar Velde.",
        # sentiment about something else in the sentence: the scheme is not what ruins
        "“Litter ruins the beach, and the deposit scheme will tidy it,” said Omar Velde.",
        # a question asks, it does not judge
        "“Would the curfew punish young workers?” asked Omar Velde.",
        # a verb of possession judges nothing
        "“The deposit scheme had an impact,” said Omar Velde.",
        # an emptied object
        "“The curfew punished nobody,” said Omar Velde.",
    ],
)
def test_sentiment_that_is_not_predicated_of_the_target_gives_no_stance(
    with_catalogue: Any, text: str
) -> None:
    assert _stances(with_catalogue, text) == set()


def test_negation_turns_the_verdict_around(with_catalogue: Any) -> None:
    text = "“The night curfew would not punish young workers,” said Lena Hart."
    assert _stances(with_catalogue, text) == {("support", "The night curfew")}


def test_lexicon_predicate_reads_the_predicate_only() -> None:
    cues = load_cues()
    assert lexicon_predicate(" would be a splendid idea", cues) == "support"
    assert lexicon_predicate(" is not a splendid idea", cues) == "oppose"
    assert lexicon_predicate(" was hurt by the storm", cues) is None  # passive
    assert lexicon_predicate(" met in a splendid hall", cues) is None  # no verb of the lexicon
    assert lexicon_predicate(" would cause chaos", cues) == "oppose"
    assert lexicon_predicate(" would shrink the misery", cues) == "support"
    assert lexicon_predicate(" would punish families?", cues) is None
    # both ways round: no verdict
    assert lexicon_predicate(" would delight anglers but annoy walkers", cues) is None
    assert lexicon_predicate(" would delight anglers", cues) == "support"
    # the first object of "give" is who gets it, no verdict on the subject
    assert lexicon_predicate(" would give poor families a fair share", cues) is None
    # what happens is no verdict
    assert lexicon_predicate(" attracted angry letters", cues) is None
    # a curated cue in the predicate: the curated rules decide, the fallback says nothing
    assert lexicon_predicate(" would be a mistake and a splendid idea", cues) is None


def test_without_a_catalogue_the_evaluated_subject_is_the_target() -> None:
    cues = load_cues()
    body = "the harbour levy would be a catastrophe for fishermen"
    found = lexicon_subject_target(body, cues)
    assert found is not None and (body[found[0] : found[1]], found[2]) == ("the harbour levy", "oppose")
    # a quantifier of none is no target
    assert lexicon_subject_target("neither side would be a splendid partner", cues) is None
    # a condition is no verdict
    assert (
        lexicon_subject_target("they will strike unless the ferry company restored the route", cues) is None
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # the speaker's own attitude verb, the target its object
        ("“I adore the pier extension,” said Lena Hart.", {("support", "the pier extension")}),
        ("“We don't loathe the curfew,” said Lena Hart.", {("support", "the curfew")}),
        # a verdict on doing something, extraposed, composed with what is done
        ("“It would be stupid to scrap the toll,” said Omar Velde.", {("support", "the toll")}),
        ("“It would not be wise to scrap the toll,” said Omar Velde.", {("support", "the toll")}),
        ("“It would be wonderful to keep the toll,” said Omar Velde.", {("support", "the toll")}),
        # the agent of a passive whose participle judges
        (
            "“Anglers would be devastated by the pier extension,” said Omar Velde.",
            {("oppose", "the pier extension")},
        ),
        ("“Night workers have been helped by the curfew,” said Omar Velde.", {("support", "the curfew")}),
        # a first verb that judges nothing, a second that does, sharing the subject and the modal
        (
            "“The deposit scheme would fund two vans and save the dunes,” said Omar Velde.",
            {("support", "The deposit scheme")},
        ),
    ],
)
def test_the_speakers_attitude_and_an_extraposed_verdict(
    with_catalogue: Any, text: str, expected: set[tuple[str, str]]
) -> None:
    assert _stances(with_catalogue, text) == expected


def test_an_adverb_is_no_attitude_verb(annotator: Any) -> None:
    assert _stances(annotator, "“I would gladly wait for the bus,” said Lena Hart.") == set()


@pytest.fixture(scope="module")
def annotator() -> Any:
    return get_preannotator(DEFAULT_MODEL)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # no auxiliary: a verb in -s after a subject with a determiner
        ("“The night curfew punishes young workers,” said Lena Hart.", {("oppose", "The night curfew")}),
        (
            "“The pier extension brought chaos to the bay,” said Lena Hart.",
            {("oppose", "The pier extension")},
        ),
        # the agent of a passive
        (
            "“Anglers would be devastated by the pier extension,” said Lena Hart.",
            {("oppose", "the pier extension")},
        ),
    ],
)
def test_without_a_catalogue_a_subject_judged_by_its_verb(
    annotator: Any, text: str, expected: set[tuple[str, str]]
) -> None:
    assert _stances(annotator, text) == expected


@pytest.mark.parametrize(
    "text",
    [
        # a bare plural noun is no verb: "accidents" after a subject without a determiner
        "“Shorter winter days mean more accidents,” said Lena Hart.",
        # a trend is no verdict
        "“Complaints about the curfew have fallen since May,” said Lena Hart.",
        # how much, not how good
        "“The pier extension would attract fewer anglers,” said Lena Hart.",
        # the subject's own fate, a forecast
        "“Small kiosks are struggling on the seafront,” said Lena Hart.",
        # a second verb in another form is no second verb of the first's subject
        "“The pier extension opened in May and thrilling crowds came,” said Lena Hart.",
    ],
)
def test_without_a_catalogue_what_only_looks_like_a_verdict(annotator: Any, text: str) -> None:
    assert _stances(annotator, text) == set()
