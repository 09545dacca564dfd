"""Pre-annotation on texts written for these tests: quote styles, reported speech, inverted and
appositive attribution, pronoun/description speakers, follow-on paragraphs, headings, stances; and a
Hypothesis property that every prediction region is its slice of the (cleaned) text."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from stancebank.schema.model import Relation, Span
from stancebank.schema.project import Actor, Target
from stancebank.schema.wire import parse_results
from stancebank.tasks.build import DEFAULT_MODEL, make_prediction
from stancebank.tasks.checks import validate_prediction
from stancebank.tasks.clean import clean
from stancebank.tasks.errors import PredictionError
from stancebank.tasks.preannotate import (
    actors_key,
    catalogue_key,
    claim_bounds,
    find_quotes,
    get_preannotator,
    mask_unattributed,
    noun_lemma,
    verb_lemma,
)
from stancebank.tasks.preannotate.actors import Mention
from stancebank.tasks.preannotate.claims import Claim
from stancebank.tasks.preannotate.lending import SCORE_SPEAKER_STANCE, speaker_keys
from stancebank.tasks.preannotate.mentions import anaphoric_mentions, article_catalogue
from stancebank.tasks.preannotate.polarity import stance_after
from stancebank.tasks.preannotate.resources import load_cues
from stancebank.tasks.preannotate.stances import SCORE_NEAR_STANCE
from stancebank.tasks.preannotate.target_syntax import clause_subject_target, first_object


@pytest.fixture(scope="module")
def annotator() -> Any:
    return get_preannotator(DEFAULT_MODEL)  # cached: loaded once per process


def _claims(annotator: Any, text: str) -> list[tuple[str, str, str | None, str | None]]:
    """(claim text, claim_form, speaker text, speaker actor_name) per claim."""
    spans, rels = annotator.annotate(text)
    by_id = {s.id: s for s in spans}
    source = {r.to_id: by_id[r.from_id] for r in rels if r.label == "source"}
    out = []
    for s in spans:
        if s.label == "CLAIM":
            sp = source.get(s.id)
            out.append(
                (
                    s.text,
                    s.attributes["claim_form"],
                    sp.text if sp else None,
                    sp.attributes.get("actor_name") if sp else None,
                )
            )
    return out


def test_find_quotes_all_styles_nesting_and_unclosed() -> None:
    text = (
        'A “curly one” and "straight one" and «guillemets» and “outer ‘inner’ end” and “unclosed to the end'
    )
    got = [text[a:b] for a, b in find_quotes(text, 0, len(text))]
    assert got == [
        "“curly one”",
        '"straight one"',
        "«guillemets»",
        "“outer ‘inner’ end”",
        "“unclosed to the end",
    ]
    assert find_quotes("Ukraine’s army", 0, 14) == []


def test_claim_bounds_follow_the_guidelines() -> None:
    text = "“We will not sign this deal,” he said."
    a, b = claim_bounds(text, 0, 29, "direct")
    assert text[a:b] == "We will not sign this deal"
    text = "She said the plan was sound [2]."
    assert text[slice(*claim_bounds(text, 9, len(text), "indirect"))] == "the plan was sound"
    text = "« Nos frontières ne sont pas à vendre »"
    assert text[slice(*claim_bounds(text, 0, len(text), "direct"))] == "Nos frontières ne sont pas à vendre"


def test_direct_quote_with_inverted_named_speaker(annotator: Any) -> None:
    text = "“We are not ready to accept a ceasefire on these terms,” said Maria Keller, the trade minister."
    [(claim, form, speaker, _name)] = _claims(annotator, text)
    assert claim == "We are not ready to accept a ceasefire on these terms"
    assert form == "direct" and speaker is not None and "Maria Keller" in speaker


def test_reported_speech_and_pronoun_resolution(annotator: Any) -> None:
    text = (
        "Finance Minister Peter Olsen spoke to reporters in Oslo on Tuesday.\n\n"
        "He said that the new tariffs would damage exporters across the region."
    )
    [(claim, form, speaker, name)] = _claims(annotator, text)
    assert claim == "the new tariffs would damage exporters across the region"
    assert form == "indirect" and speaker == "He" and name == "Peter Olsen"


def test_inverted_reported_speech_and_mixed_claim(annotator: Any) -> None:
    text = (
        "The port will reopen within a week, Anna Berg told the council.\n\n"
        "Anna Berg said the delay was “entirely avoidable” and blamed the contractor."
    )
    claims = _claims(annotator, text)
    assert ("The port will reopen within a week", "indirect", "Anna Berg", "Anna Berg") in claims
    mixed = [c for c in claims if c[1] == "mixed"]
    assert mixed and "“entirely avoidable”" in mixed[0][0]


KNOWN_ACTORS = (
    Actor(
        "Volodymyr Zelensky",
        "person",
        ("Volodymyr Zelensky", "Zelenskyy", "Zelensky"),
        ("Ukrainian president", "Ukrainian head of state"),
    ),
    Actor("Harbour Authority of Vell", "organization", ("the Harbour Authority", "HAV")),
)
"""A project's ``[[actors]]``: the package itself names no actor."""


@pytest.fixture(scope="module")
def with_actors() -> Any:
    return get_preannotator(DEFAULT_MODEL, (), actors_key(KNOWN_ACTORS))


def test_according_to_and_a_known_actors_alias(with_actors: Any, annotator: Any) -> None:
    text = "According to Zelenskyy, the army will hold the line through the winter."
    [(claim, form, speaker, name)] = _claims(with_actors, text)
    assert claim == "the army will hold the line through the winter"
    assert (form, speaker, name) == ("indirect", "Zelenskyy", "Volodymyr Zelensky")
    # without the project's actors the speaker is found (NER) but not given a canonical name
    [(_, _, speaker, name)] = _claims(annotator, text)
    assert speaker == "Zelenskyy" and name != "Volodymyr Zelensky"


def test_a_known_organisation_the_ner_misses_is_named(with_actors: Any) -> None:
    text = "HAV said the quay would stay closed to cruise ships until the repairs were paid for."
    [(claim, _, speaker, name)] = _claims(with_actors, text)
    assert claim.startswith("the quay would stay closed")
    assert (speaker, name) == ("HAV", "Harbour Authority of Vell")


def test_follow_on_quote_paragraph_inherits_the_speaker(annotator: Any) -> None:
    text = (
        "“We will rebuild every school that was destroyed,” Mayor Lena Vogt said.\n\n"
        "“Then we will rebuild the hospitals, one by one, with the help of our partners.”"
    )
    claims = _claims(annotator, text)
    assert len(claims) == 2
    assert claims[1][0] == "Then we will rebuild the hospitals, one by one, with the help of our partners"
    assert claims[1][2] == claims[0][2]


def test_description_speaker_from_a_known_actors_descriptions(with_actors: Any, annotator: Any) -> None:
    text = "“Our answer will not change,” noted the Ukrainian head of state."
    [(claim, form, speaker, name)] = _claims(with_actors, text)
    assert claim == "Our answer will not change" and form == "direct"
    assert speaker == "the Ukrainian head of state" and name == "Volodymyr Zelensky"
    [(_, _, speaker, name)] = _claims(annotator, text)
    assert speaker == "the Ukrainian head of state" and name is None


def test_heading_line_is_a_claim_only_when_it_names_the_holder(annotator: Any) -> None:
    text = "Fares to rise next year\n\nThe minister said fares will rise by a tenth next year."
    claims = _claims(annotator, text)
    assert [c[0] for c in claims] == ["fares will rise by a tenth next year"]
    text = "Ferry fares must rise, says minister\n\nThe talks continued on Friday in the town hall."
    [(claim, form, speaker, _)] = _claims(annotator, text)  # guidelines 2.6: an attributed headline
    assert (claim, form, speaker) == ("Ferry fares must rise", "indirect", "minister")


def test_speech_act_spans_the_verb_and_a_participle_adds_a_claim(annotator: Any) -> None:
    text = (
        "The harbour master, Tomas Brill, rejected the plan for a second ferry terminal, saying the "
        "town could not afford another decade of construction."
    )
    claims = _claims(annotator, text)
    assert [(c[0], c[1], c[3]) for c in claims] == [
        ("rejected the plan for a second ferry terminal", "indirect", "Tomas Brill"),
        ("the town could not afford another decade of construction", "indirect", "Tomas Brill"),
    ]


def test_speech_act_in_a_headline_and_with_a_description_subject(annotator: Any) -> None:
    text = (
        "Harbour row grows as mayor warns of delays\n\n"
        "Several fishermen thanked the council for keeping the slipway open."
    )
    claims = _claims(annotator, text)
    assert [(c[0], c[2]) for c in claims] == [
        ("warns of delays", "mayor"),
        ("thanked the council for keeping the slipway open", "Several fishermen"),
    ]


def test_said_x_and_warned_that_y_are_two_claims_of_one_speaker(annotator: Any) -> None:
    text = (
        "Councillor Ruth Ames said the new timetable was a step forward and warned that fares would "
        "have to rise next year."
    )
    claims = _claims(annotator, text)
    assert [c[0] for c in claims] == [
        "the new timetable was a step forward",
        "fares would have to rise next year",
    ]
    assert claims[0][2] == claims[1][2] == "Councillor Ruth Ames"
    spans, _ = annotator.annotate(text)
    assert [s.text for s in spans if s.label == "ACTOR"] == ["Councillor Ruth Ames"]  # one site, one span


def test_and_that_splits_reported_speech_in_two(annotator: Any) -> None:
    text = (
        "The transport minister argued that the bridge was too expensive and that a tunnel would last longer."
    )
    claims = _claims(annotator, text)
    assert [(c[0], c[2]) for c in claims] == [
        ("the bridge was too expensive", "The transport minister"),
        ("a tunnel would last longer", "The transport minister"),
    ]


def test_interrupted_quote_in_one_paragraph_keeps_the_speaker(annotator: Any) -> None:
    text = (
        "“We will keep the night ferry,” said Mayor Lena Vogt at a meeting on Monday. "
        "“Nobody should be stranded on the island after dark.”"
    )
    claims = _claims(annotator, text)
    assert [(c[0], c[1], c[3]) for c in claims] == [
        ("We will keep the night ferry", "direct", "Lena Vogt"),
        ("Nobody should be stranded on the island after dark", "direct", "Lena Vogt"),
    ]


def test_description_speakers_without_title_words(annotator: Any) -> None:
    text = (
        "The island's largest fishing cooperative said the new quotas would ruin small boats.\n\n"
        "Volunteers who run the food bank said demand had doubled since the winter.\n\n"
        "A port official, who asked not to be named, said the vote would be close."
    )
    spans, _ = annotator.annotate(text)
    actors = {s.text: s.attributes["actor_type"] for s in spans if s.label == "ACTOR"}
    assert actors == {
        "The island's largest fishing cooperative": "organization",
        "Volunteers": "group",  # the relative clause stays out
        "A port official": "person",
    }
    claims = [s.text for s in spans if s.label == "CLAIM"]
    assert claims == [
        "the new quotas would ruin small boats",
        "demand had doubled since the winter",
        "the vote would be close",
    ]  # "asked not to be named" is not a claim


def test_straight_single_quotes_and_a_parenthetical_attribution(annotator: Any) -> None:
    text = (
        "'The crossing is not safe in a storm,' she said.\n\n"
        "Without a second boat, he said, the island would be cut off for days every winter."
    )
    claims = _claims(annotator, text)
    assert [(c[0], c[1], c[2]) for c in claims] == [
        ("The crossing is not safe in a storm", "direct", "she"),
        (
            "Without a second boat, he said, the island would be cut off for days every winter",
            "indirect",
            "he",
        ),
    ]
    assert find_quotes("the drivers' demands and 'a fair deal' now", 0, 42) == [(25, 38)]


def test_unrecognised_appositive_name_is_the_speaker_and_mentions_are_not_actors(annotator: Any) -> None:
    text = (
        "Edda Quorn met Tomas Brill in Oslo on Monday.\n\n"
        "Its spokeswoman, Edda Quorn, said the company would appeal the ruling."
    )
    spans, _ = annotator.annotate(text)
    actors = [(s.text, s.start) for s in spans if s.label == "ACTOR"]
    assert actors == [("Edda Quorn", text.index("Its") + len("Its spokeswoman, "))]


def test_told_a_listener_that_when_the_parser_hangs_the_clause_on_the_listener(annotator: Any) -> None:
    """A parser error repaired: in "told a public meeting that …" the small model makes the
    clause an ``acl`` of "meeting"; it is still the content of "told"."""
    text = "Its founder, Maren Colby, told a public meeting that the group would collect signatures."
    [(claim, _, speaker, _)] = _claims(annotator, text)
    assert (claim, speaker) == ("the group would collect signatures", "Maren Colby")


def test_a_that_clause_on_a_non_listener_is_not_the_speakers_claim(annotator: Any) -> None:
    """ "denied reports that X", "questioned the assumption that X": X is what the speaker rejects
    or doubts, never a claim of theirs (only a listener's clause is repaired, above)."""
    for text in (
        "Karl Brandt denied reports that the parking levy was unfair.",
        "Karl Brandt questioned the assumption that the quarry would create jobs.",
    ):
        assert "the parking levy was unfair" not in [c[0] for c in _claims(annotator, text)]
        assert "the quarry would create jobs" not in [c[0] for c in _claims(annotator, text)]


def test_an_organisation_named_by_its_head_noun_speaks(annotator: Any) -> None:
    """A name NER misses whose head is an organisation word (guild, society, board, forum, …)."""
    text = "Harbour news\n\nThe Harbour Anglers' Society said the new quay would hurt fishing."
    [(claim, _, speaker, _)] = _claims(annotator, text)
    assert (claim, speaker) == ("the new quay would hurt fishing", "The Harbour Anglers' Society")
    spans, _ = annotator.annotate(text)
    assert [s.attributes["actor_type"] for s in spans if s.label == "ACTOR"] == ["organization"]


def test_told_a_listener_that(annotator: Any) -> None:
    text = "The harbour master told a local radio station that the pier had become dangerous in recent weeks."
    [(claim, _, speaker, _)] = _claims(annotator, text)
    assert (claim, speaker) == ("the pier had become dangerous in recent weeks", "The harbour master")


def _stances(annotator: Any, text: str) -> set[tuple[str, str, str | None]]:
    spans, rels = annotator.annotate(text)
    by_id = {s.id: s for s in spans}
    return {
        (r.label, by_id[r.to_id].text, by_id[r.to_id].attributes.get("target_name"))
        for r in rels
        if r.label in {"support", "oppose", "neutral"}
    }


_CATALOGUE = (
    Target("congestion charge", ("congestion charge", "the charge"), ("congestion (fee|levy)s?",)),
    Target("tram extension", ("tram extension",), (r"extend(ing)? the tram line",)),
)


@pytest.fixture(scope="module")
def with_catalogue() -> Any:
    return get_preannotator(DEFAULT_MODEL, catalogue_key(_CATALOGUE))


def test_catalogue_targets_take_their_stance_from_topic_independent_cues(with_catalogue: Any) -> None:
    text = (
        "“We are not ready to accept a congestion charge,” Karl Brandt said.\n\n"
        "Mayor Ann Bell said the charge was the only way to cut traffic.\n\n"
        "Shop owner Tom Gray said the council should not extend the tram line.\n\n"
        "Doctors said the congestion levy would not hurt anyone."
    )
    assert _stances(with_catalogue, text) == {
        ("oppose", "a congestion charge", "congestion charge"),  # negated support cue
        ("support", "the charge", "congestion charge"),  # evaluative: "the only way"
        ("oppose", "extend the tram line", "tram extension"),  # negated modal
        ("support", "the congestion levy", "congestion charge"),  # negated harm predicate
    }


def test_no_cue_no_stance(with_catalogue: Any) -> None:
    text = "Mayor Ann Bell said the charge would be discussed on Tuesday."
    assert _stances(with_catalogue, text) == set()


def test_a_claim_about_an_earlier_mention_takes_it_as_target(with_catalogue: Any) -> None:
    text = (
        "The council voted on the congestion charge on Monday. Shop owner Tom Gray said it was unacceptable."
    )
    assert _stances(with_catalogue, text) == {("oppose", "the congestion charge", "congestion charge")}


def test_without_a_catalogue_the_object_of_a_cue_is_the_target_and_has_no_name(annotator: Any) -> None:
    text = (
        "The mayor rejected the new parking levy on Monday.\n\n"
        "“We support new sanctions against the regime,” Karl Brandt said.\n\n"
        "Critics said the river barrage would hurt the salmon."
    )
    assert _stances(annotator, text) == {
        ("oppose", "the new parking levy", None),
        ("support", "new sanctions against the regime", None),
        ("oppose", "the river barrage", None),
    }


def test_a_refusal_to_take_a_side_is_neutral_and_never_turned_around(
    annotator: Any, with_catalogue: Any
) -> None:
    text = (
        "The city's auditor said she did not take a position on the congestion charge.\n\n"
        "Councillor Jo Lam said the parties were divided over the plan for a second bridge."
    )
    assert _stances(with_catalogue, text) == {
        ("neutral", "the congestion charge", "congestion charge"),
        ("neutral", "the plan for a second bridge", None),
    }
    assert ("neutral", "the congestion charge", None) in _stances(annotator, text)


def test_a_forecast_is_neutral_and_thanks_are_support(annotator: Any) -> None:
    text = (
        "Analysts said a strike by the dockers was likely.\n\n"
        "Parents thanked the council for keeping the pool open."
    )
    assert _stances(annotator, text) == {
        ("neutral", "a strike by the dockers", None),
        ("support", "keeping the pool open", None),
    }


def test_threats_permissions_past_harm_and_ruling_out(annotator: Any) -> None:
    text = (
        "The union said it threatens to close the depot.\n\n"
        "The minister said the city would not allow shops to open on Sundays.\n\n"
        "Farmers said cheap imports had cost them their margins.\n\n"
        "Mediators said a partial deal should not be ruled out."
    )
    assert _stances(annotator, text) == {
        ("support", "close the depot", None),
        ("oppose", "shops to open on Sundays", None),
        ("oppose", "cheap imports", None),
        ("support", "a partial deal", None),
    }


def test_a_negator_inside_an_embedded_clause_does_not_turn_the_predicate_around(annotator: Any) -> None:
    text = "Critics said the new stadium was too expensive for a town that cannot even fix its roads."
    assert _stances(annotator, text) == {("oppose", "the new stadium", None)}
    text = "Critics said the new stadium was not too expensive for the town."
    assert _stances(annotator, text) == {("support", "the new stadium", None)}


def test_a_negator_belongs_to_the_cue_it_stands_before(annotator: Any, with_catalogue: Any) -> None:
    """Negation scope: a cue governed by another takes the governor's polarity on top of its own,
    and the negator before the governor turns the governor around, not the governed cue."""
    text = (
        "Councillor Jo Lam said she would not rule out backing the congestion charge.\n\n"
        "The mayor said the city cannot back the tram extension.\n\n"
        "“Nobody is against a new footbridge,” the engineer said."
    )
    assert _stances(with_catalogue, text) == {
        ("support", "the congestion charge", "congestion charge"),  # not (rule out (backing))
        ("oppose", "the tram extension", "tram extension"),  # cannot (back)
        ("support", "a new footbridge", None),  # a negative subject turns "against" around
    }


def test_a_lone_mention_takes_the_cues_of_its_own_sentence_only(with_catalogue: Any) -> None:
    text = "“We can keep the congestion charge for lorries. We do not need a new ring road,” Ann Bell said."
    assert _stances(with_catalogue, text) == set()  # "do not need" is about the ring road


def test_evaluative_predicates_of_the_claims_subject(annotator: Any, with_catalogue: Any) -> None:
    text = (
        "The city's lawyer said the congestion charge was safe and lawful.\n\n"
        "Engineers said the tram extension was the cheapest way to cut traffic.\n\n"
        "Residents warned that the new quarry would disturb sleep in the village.\n\n"
        "Traders said the parking levy would drive shoppers away.\n\n"
        "“Visitors will simply drive to the next town,” the baker said."
    )
    assert _stances(with_catalogue, text) == {
        ("support", "the congestion charge", "congestion charge"),
        ("support", "the tram extension", "tram extension"),
        ("oppose", "the new quarry", None),
        ("oppose", "the parking levy", None),  # "drive … away"; "drive to the next town" judges nothing
    }


def test_an_inserted_attribution_does_not_hide_the_predicate(annotator: Any) -> None:
    text = "The new quarry, she said, would hurt the village. The night bus, he argued, was necessary."
    assert _stances(annotator, text) == {
        ("oppose", "The new quarry", None),
        ("support", "The night bus", None),
    }


def test_a_claim_about_it_takes_the_target_of_the_claim_before(annotator: Any) -> None:
    """Guidelines 4.1: a claim that names its target only by "it" / "this" links to the nearest
    earlier mention, and reuses it when it is a TARGET already; a claim with a subject of its own
    does not borrow one."""
    text = (
        "The mayor rejected the new parking levy on Monday. “It is a tax on the poor,” she said.\n\n"
        "The bakers backed the night market. “We are against being forced to close early,” they said."
    )
    assert _stances(annotator, text) == {
        ("oppose", "the new parking levy", None),
        ("support", "the night market", None),
        ("oppose", "being forced to close early", None),  # "being" + participle: an action target
    }
    spans, _ = annotator.annotate(text)
    assert [s.text for s in spans if s.label == "TARGET"].count("the new parking levy") == 1


def test_a_report_that_someone_is_studying_something_is_no_claim(annotator: Any) -> None:
    """Guidelines 2.2 and 5: a description of procedure is not a position; with a cue it is."""
    text = (
        "The port authority said it was studying the ruling.\n\n"
        "The regulator said its office was looking into the complaints.\n\n"
        "The union said it was studying the offer but would reject any pay cut."
    )
    claims = [c[0] for c in _claims(annotator, text)]
    assert not any("studying the ruling" in c or "looking into" in c for c in claims)
    assert any("reject any pay cut" in c for c in claims)


def test_bare_reactions_and_votes_are_no_claims(annotator: Any) -> None:
    """A speech act on something said before, dated as a reaction, and a vote are no positions of
    their own; the same act without the time, or on a proposal, stays a claim."""
    text = (
        "Two opposition councillors dismissed the idea the same evening.\n\n"
        "The harbour board rejected that argument within hours.\n\n"
        "The assembly backed the new ferry timetable by 41 votes to 9.\n\n"
        "Councillors backed the harbour plan in the final vote.\n\n"
        "The ferry operator rejects that account.\n\n"
        "The mayor rejected the harbour plan on Monday.\n\n"
        "Karl Brandt said the council should reject the parking levy in the final vote."
    )
    assert [c[0] for c in _claims(annotator, text)] == [
        "rejects that account",
        "rejected the harbour plan on Monday",
        "the council should reject the parking levy in the final vote",  # a vote called for
    ]


def test_a_cue_reaches_a_later_mention_only_through_a_coordination(with_catalogue: Any) -> None:
    text = (
        "The mayor said she rejected the congestion charge and the tram extension.\n\n"
        "The city will ask the council to scrap the congestion charge and build the tram extension, "
        "the mayor said.\n\n"
        "The chamber said it would back the congestion charge only if it came with a tram extension."
    )
    assert _stances(with_catalogue, text) == {
        ("oppose", "the congestion charge", "congestion charge"),
        ("oppose", "the tram extension", "tram extension"),
        # "scrap" is not about the tram extension ("and build"): no cue reaches it, no stance
        ("support", "a tram extension", "tram extension"),  # guidelines 5.3: the condition only
    }


def test_back_as_an_adverb_is_no_support(annotator: Any) -> None:
    text = (
        "“The children would come back from school in the dark,” the farmer said.\n\n"
        "He said the change back and forth was pointless.\n\n"
        "The union said it backed the night bus."
    )
    assert _stances(annotator, text) == {
        ("oppose", "the change back and forth", None),
        ("support", "the night bus", None),
    }


def test_the_longer_evaluative_reading_wins(annotator: Any) -> None:
    text = "Officials said a pause without guarantees would give the army time to regroup."
    assert _stances(annotator, text) == {("oppose", "a pause without guarantees", None)}


def test_a_who_or_why_question_implies_the_opposite(with_catalogue: Any) -> None:
    """Guidelines 2.7: "Why would anyone back X?" opposes X."""
    text = (
        "Market news\n\n“Why would anyone back the congestion charge?” asked Ann Bell, a baker.\n\n"
        "“Who said the tram extension was a mistake?” asked Tom Gray, a driver."
    )
    assert _stances(with_catalogue, text) == {
        ("oppose", "the congestion charge", "congestion charge"),
        ("support", "the tram extension", "tram extension"),
    }


def test_without_a_catalogue_the_article_makes_its_own_from_proposed_targets(annotator: Any) -> None:
    """The head noun of a proposed target ("levy") is a mention in the article's other claims:
    one with no cue next to it takes its own sentence's cues; no name is invented."""
    text = (
        "The mayor rejected the new parking levy on Monday.\n\n"
        "“They will never see us pay one euro of the levy,” the baker said.\n\n"
        "Drivers said the levy would be discussed on Tuesday."
    )
    stances = _stances(annotator, text)
    assert stances == {("oppose", "the new parking levy", None), ("oppose", "the levy", None)}
    spans, _ = annotator.annotate(text)
    assert all("target_name" not in s.attributes for s in spans if s.label == "TARGET")


def test_a_modal_reaches_the_second_of_two_coordinated_verbs(annotator: Any) -> None:
    text = (
        "The company says the new quarry would supply gravel for ten years and create 200 jobs.\n\n"
        "Parents said the school merger would add twenty minutes to the journey for young pupils."
    )
    assert _stances(annotator, text) == {
        ("support", "the new quarry", None),
        ("oppose", "the school merger", None),
    }


def test_a_recommendation_is_a_speech_act_of_support(annotator: Any) -> None:
    text = "The inspector recommended approval of a new runway at the regional airport."
    assert [c[0] for c in _claims(annotator, text)] == [
        "recommended approval of a new runway at the regional airport"
    ]
    assert _stances(annotator, text) == {("support", "a new runway at the regional airport", None)}


def test_a_prepositional_phrase_stays_with_the_target_and_judgement_nouns(with_catalogue: Any) -> None:
    text = (
        "Mediators said a congestion charge along the ring road should not be ruled out.\n\n"
        "The union said the offer of a 2 percent rise was an insult.\n\n"
        "Residents said the closure of the bus depot was a greater threat than any charge."
    )
    assert _stances(with_catalogue, text) == {
        ("support", "a congestion charge", "congestion charge"),
        ("oppose", "the offer of a 2 percent rise", None),
        ("oppose", "the closure of the bus depot", None),
    }


def test_without_x_no_y_supports_x(annotator: Any, with_catalogue: Any) -> None:
    text = (
        "Without a congestion charge, she said, there could be no new buses.\n\n"
        "Without stricter checks, he said, nobody would trust the figures.\n\n"
        "Without it, he said, nobody would come."
    )
    assert _stances(annotator, text) == {
        ("support", "a congestion charge", None),
        ("support", "stricter checks", None),
    }
    assert ("support", "a congestion charge", "congestion charge") in _stances(with_catalogue, text)
    # an owner first is a need too; a bare singular is a manner ("without doubt"), not a need
    text = "Without the ferry's night crossing, the island would die, the harbour master said."
    assert _stances(annotator, text) == {("support", "the ferry's night crossing", None)}
    text = "“Without question, the orchard will fail,” the grower said."
    assert _stances(annotator, text) == set()
    text = "“Without notice, the bakery would close,” a neighbour said."
    assert _stances(annotator, text) == set()


def test_anything_but_and_all_but_concede_nothing(annotator: Any, with_catalogue: Any) -> None:
    text = "The potter said the congestion charge was anything but fair."
    assert ("support", "the congestion charge", "congestion charge") not in _stances(with_catalogue, text)
    text = "“The river tunnel is all but useless,” the engineer said."
    assert ("support", "The river tunnel", None) not in _stances(annotator, text)
    # a real concession still reads its verdict after the "but"
    text = "“The river tunnel is noisy but necessary,” the engineer said."
    assert _stances(annotator, text) == {("support", "The river tunnel", None)}


def test_an_adverb_is_no_cues_object(annotator: Any) -> None:
    text = "Officials insisted that these cuts end immediately."
    assert _stances(annotator, text) == set()
    text = "The warden said the council would reject it outright."
    assert _stances(annotator, text) == set()


def test_a_quoted_judgement_after_called(with_catalogue: Any) -> None:
    text = "The chamber called the congestion charge “a vote of confidence in the city centre”."
    assert _stances(with_catalogue, text) == {("support", "the congestion charge", "congestion charge")}


def test_called_x_a_judgement_and_calling_it_a_judgement(annotator: Any) -> None:
    """ "called X an attack on …" judges X; "calling it overdue" judges the earlier TARGET."""
    text = (
        "The hosts' association called the night-time curfew an attack on small businesses.\n\n"
        "The mayor welcomed the harbour plan, calling it overdue."
    )
    assert _stances(annotator, text) == {
        ("oppose", "the night-time curfew", None),
        ("support", "the harbour plan", None),
    }


def test_wanting_a_target_undone_is_against_it(with_catalogue: Any) -> None:
    text = (
        "The drivers' union said it would first want to see the congestion charge lifted.\n\n"
        "The mayor said she wanted the tram extension in service by May."
    )
    assert _stances(with_catalogue, text) == {
        ("oppose", "the congestion charge", "congestion charge"),
        ("support", "the tram extension", "tram extension"),
    }


def test_asking_someone_to_act_supports_the_action(annotator: Any) -> None:
    """ "ask parliament next month to scrap X" supports the action (guidelines 4.3), like "urged
    … to"; a subject that ends in "and" is a first verb's, not the evaluated one."""
    text = (
        "The government will ask parliament next month to scrap the night-time curfew, the minister said.\n\n"
        "A hotline rings twice a day and could prevent a disaster, he said.\n\n"
        "“They are asking us to close the harbour at night,” the fisherman said."
    )
    # being asked ("asking us to") is someone else's demand, not the speaker's support
    assert _stances(annotator, text) == {("support", "scrap the night-time curfew", None)}
    # "costs nothing" judges the hotline itself; the subject still ends before the first verb
    text = "A hotline costs nothing and could prevent a disaster, he said."
    assert _stances(annotator, text) == {("support", "A hotline", None)}


def test_a_question_the_speaker_would_not_answer_is_no_claim(annotator: Any) -> None:
    text = (
        "The harbour master declined to say how many ships were waiting.\n\n"
        "She would not say whether the quay would reopen.\n\n"
        "She said how the fees were set was a matter for the board."
    )
    claims = [c[0] for c in _claims(annotator, text)]
    assert not any("ships were waiting" in c or "quay would reopen" in c for c in claims)
    assert any("the fees were set" in c for c in claims)  # said, not withheld


def test_validation_refuses_bad_predictions() -> None:
    text = "Alpha said beta."
    good = [
        Span("a", "ACTOR", 0, 5, "Alpha", {"actor_type": "person"}, 0.5),
        Span("c", "CLAIM", 11, 15, "beta"),
    ]
    make_prediction("t", text, good, [Relation("a", "c", "source")], "m")
    bad_cases = [
        ([Span("a", "ACTOR", 0, 5, "alpha")], []),  # text differs
        ([Span("a", "ACTOR", 0, 99, "Alpha said beta.")], []),  # offsets outside
        ([Span("a", "NOPE", 0, 5, "Alpha")], []),  # unknown label
        ([Span("a", "ACTOR", 0, 5, "Alpha", {"actor_type": "robot"})], []),  # bad choice
        ([Span("a", "ACTOR", 0, 5, "Alpha"), Span("a", "CLAIM", 11, 15, "beta")], []),  # duplicate id
        (good, [Relation("c", "a", "source")]),  # wrong direction
        (good, [Relation("a", "zzz", "source")]),  # missing endpoint
        (good, [Relation("a", "c", "likes")]),  # unknown relation
    ]
    for spans, rels in bad_cases:
        with pytest.raises(PredictionError):
            make_prediction("t", text, spans, rels, "m")


def test_a_prediction_is_validated_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """The span and relation checks run once per prediction (they ran twice: once before the
    conversion, once more inside the wire-form check; the wire form is then not re-read)."""
    import stancebank.tasks.build as build
    import stancebank.tasks.checks as checks

    calls: list[str] = []
    original = checks.span_problems

    def counting(*args: Any, **kwargs: Any) -> list[str]:
        calls.append("span_problems")
        return original(*args, **kwargs)

    monkeypatch.setattr(checks, "span_problems", counting)
    text = "Alpha said beta."
    spans = [
        Span("a", "ACTOR", 0, 5, "Alpha", {"actor_type": "person"}, 0.5),
        Span("c", "CLAIM", 11, 15, "beta"),
    ]
    pred = build.make_prediction("t", text, spans, [Relation("a", "c", "source")], "m")
    assert len(pred["result"]) == 4 and calls == ["span_problems"]


_PIECES = st.sampled_from(
    [
        "“We will not accept a ceasefire,” he said.",
        "Minister Ana Ruiz said the tariffs were unacceptable.",
        "According to Putin, talks are “possible” now.",
        '"Straight quotes here," said the spokesman.',
        "«Guillemets too», she insisted.",
        "“An unclosed quote runs on",
        "Zelenskyy told reporters that Kyiv would not cede territory.",
        "The Kremlin rejected the peace plan.",
        "😀🇺🇦",
        "e\u0301\u0301 n\u0303",
        "\r\n",
        "\n\n",
        " ",
    ]
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(parts=st.lists(st.one_of(_PIECES, st.text(max_size=12)), min_size=1, max_size=10))
def test_every_prediction_region_is_its_slice_of_the_text(annotator: Any, parts: list[str]) -> None:
    text = clean("".join(parts)).text
    if not text:
        return
    spans, rels = annotator.annotate(text)
    for span in spans:
        assert text[span.start : span.end] == span.text
    pred = make_prediction("prop", text, spans, rels, "m")  # raises on any invalid region or relation
    ids = [r["id"] for r in pred["result"] if r.get("type") == "labels"]
    assert len(ids) == len(set(ids))
    validate_prediction("prop", text, spans, rels)
    parsed = parse_results(pred["result"], text)  # the wire form reads back as the same prediction
    unscored = sorted((replace(s, score=None) for s in spans), key=lambda s: s.id)
    assert sorted(parsed.spans, key=lambda s: s.id) == unscored
    assert {(r.from_id, r.to_id, r.label) for r in parsed.relations} == {
        (r.from_id, r.to_id, r.label) for r in rels
    }


def test_own_word_forms_replace_the_lemmatizer() -> None:
    assert [verb_lemma(w) for w in ["said", "says", "told", "warned", "urging", "admitted", "denies"]] == [
        "say",
        "say",
        "tell",
        "warn",
        "urge",
        "admit",
        "deny",
    ]
    assert verb_lemma("tended") == "tended"  # not a speech verb: unchanged
    # a known head stays as it is ("officials" speak for a government); other plurals are singularised
    assert [noun_lemma(w) for w in ["officials", "ministries", "envoys", "passengers"]] == [
        "officials",
        "ministry",
        "envoy",
        "passengers",
    ]


def test_prefilter_blanks_only_unattributable_sentences(annotator: Any) -> None:
    text = (
        "Ferry fares to rise\n\n"
        "The crossing takes an hour. The mayor said fares would rise. Boats leave at noon.\n\n"
        "Passengers waited in the rain for the last boat of the day.\n\n"
        "“It is too much,” one passenger said. The queue grew."
    )
    masked = mask_unattributed(text, annotator.triggers)
    assert len(masked) == len(text)
    kept = [line for line in masked.split("\n") if line.strip()]
    assert kept[0] == "Ferry fares to rise"  # the headline is always kept
    assert kept[1].strip() == "The mayor said fares would rise."
    assert kept[2] == "“It is too much,” one passenger said. The queue grew."  # a quote keeps the paragraph
    assert len(kept) == 3  # the paragraph without any attribution is blank
    for i, (a, b) in enumerate(zip(text, masked, strict=True)):
        assert b == a or (b == " " and a != "\n"), i
    [(claim, _, speaker, _)] = _claims(annotator, "Ferry fares to rise\n\n" + text.split("\n\n", 2)[1])
    assert (claim, speaker) == ("fares would rise", "The mayor")


# -- the stance cues are checked against the spec at load --------------------------------------------
def _cues_doc(**cues: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "support": ["backs?"],
        "oppose": ["rejects?"],
        "support_evaluative": ["necessary"],
        "oppose_evaluative": ["unacceptable"],
        "support_after": ["would help"],
        "oppose_after": ["would hurt"],
        "neutral": ["took no position on"],
        "neutral_after": ["was likely"],
        "negators": ["not"],
        "not_targets": ["it"],
    }
    base.update(cues)
    return {k: v for k, v in base.items() if v is not None}


def test_cue_keys_are_stance_polarities() -> None:
    from stancebank.tasks.errors import ResourceError
    from stancebank.tasks.preannotate import parse_cues

    cues = parse_cues(_cues_doc())
    assert cues.support.search("she backs it") and cues.oppose.search("he rejects it")
    with pytest.raises(ResourceError, match=r"stance_cues\.yaml: .*unknown \['favour'\]"):
        parse_cues(_cues_doc(favour=["x"]))
    with pytest.raises(ResourceError, match=r"missing \['oppose'\]"):
        parse_cues(_cues_doc(oppose=None))
    with pytest.raises(ResourceError, match=r"support: .* is not a valid regex"):
        parse_cues(_cues_doc(support=["back("]))
    with pytest.raises(ResourceError, match=r"`not_targets` must be a list of words"):
        parse_cues(_cues_doc(not_targets=[True]))


def test_cues_need_the_spec_to_have_their_polarities() -> None:
    from stancebank.schema.spec import SPEC
    from stancebank.tasks.errors import ResourceError
    from stancebank.tasks.preannotate import parse_cues

    no_oppose = SPEC.with_changes(
        relation_labels=tuple(r for r in SPEC.relation_labels if r.polarity != "oppose")
    )
    with pytest.raises(
        ResourceError, match=r"oppose: the spec has no stance relation with polarity 'oppose'"
    ):
        parse_cues(_cues_doc(), spec=no_oppose)


def test_the_package_ships_no_targets() -> None:
    """Targets come from the project's catalogue: no packaged resource names a topic."""
    from importlib import resources

    names = {p.name for p in resources.files("stancebank.tasks.resources").iterdir()}
    assert "targets.yaml" not in names
    cues = resources.files("stancebank.tasks.resources").joinpath("stance_cues.yaml").read_text("utf-8")
    for theme in ("ceasefire", "nato", "sanction", "tariff", "territor"):
        assert theme not in cues.lower()


# -- the attribution prefilter never cuts a claim (issue 14, real articles) ---------------------------
_ABBREVIATED = {
    "U.S.": (
        "Harbour talks resume\n\nThe mayor stressed that the ferry operator had met officials of the U.S. "
        "maritime agency last year. Nobody expects a quick deal.\n",
        "the ferry operator had met officials of the U.S. maritime agency last year",
    ),
    "Dr.": (
        "Bridge vote\n\nThe council added that the contract had gone to Dr. Lena Vogt, a surveyor from the "
        "coast. Vogt told the meeting the bridge was safe.\n",
        "the contract had gone to Dr. Lena Vogt, a surveyor from the coast",
    ),
    "No. 10 / a.m.": (
        "Harbour talks resume\n\nA spokesman for No. 10 said the talks should start at 9 a.m. in "
        "the town hall. Nobody expects a quick deal.\n",
        "the talks should start at 9 a.m. in the town hall",  # a timetable ("would start") is no claim
    ),
}


@pytest.mark.parametrize("case", list(_ABBREVIATED))
def test_the_prefilter_keeps_sentences_with_abbreviations_whole(annotator: Any, case: str) -> None:
    text, claim = _ABBREVIATED[case]
    masked = mask_unattributed(text, annotator.triggers, annotator.resources.abbreviations)
    sentence = next(s for s in text.split("\n") if claim in s)
    kept = sentence[: sentence.index(claim) + len(claim)]
    assert kept in masked  # the attributed sentence is not cut at the abbreviation's period
    spans, rels = annotator.annotate(text)
    assert claim in [s.text for s in spans if s.label == "CLAIM"]
    make_prediction("t", text, spans, rels, "m")  # every region is its slice of the real text


def test_a_region_reaching_into_blanked_text_is_parsed_again_without_the_mask() -> None:
    """Whatever the sentence splitter gets wrong (here: it knows no abbreviation at all), a region
    never includes blanked text: such an article is parsed again whole (it lost its whole prediction)."""
    from dataclasses import replace

    from stancebank.tasks.preannotate import Preannotator

    fresh = Preannotator(DEFAULT_MODEL)
    fresh.resources = replace(fresh.resources, abbreviations=frozenset())
    text, claim = _ABBREVIATED["Dr."]
    assert "Lena Vogt" not in mask_unattributed(text, fresh.triggers)  # blanked: the split after "Dr."
    spans, rels = fresh.annotate(text)
    assert fresh.stats["parsed_again"] == 1
    assert claim in [s.text for s in spans if s.label == "CLAIM"]
    make_prediction("t", text, spans, rels, "m")


def test_a_dated_event_report_is_not_a_claim(annotator: Any) -> None:
    """Guidelines 2.2: "a second convoy would leave on Tuesday" reports an event; with a stance cue
    the same kind of sentence is a position."""
    event = (
        "Convoy update\n\nLocal officials said a second convoy would leave on Tuesday if the weather held.\n"
    )
    assert _claims(annotator, event) == []
    position = "Convoy update\n\nLocal officials said on Tuesday that the convoy plan was a mistake.\n"
    assert [c[0] for c in _claims(annotator, position)] == ["the convoy plan was a mistake"]


# -- the parts of speech come from the model's attribute_ruler patterns, without its matcher ----------
def test_the_pos_lookup_gives_what_the_attribute_ruler_gives() -> None:
    """The pipeline replaces the model's attribute_ruler by a lookup built from its patterns: every
    token gets the same tag and coarse POS as with the ruler (the parse is the same either way)."""
    import spacy

    from stancebank.tasks.preannotate import load_model

    ours = load_model(DEFAULT_MODEL)
    assert "attribute_ruler" not in ours.pipe_names and "stancebank_pos" in ours.pipe_names
    reference = spacy.load(DEFAULT_MODEL, exclude=["lemmatizer"])
    reference.add_pipe("stancebank_paragraph_breaks", before="parser")
    texts = [
        "There is no deal, she said. “We don't know whether it will hold,” he added.\n\nIs it over?",
        "The union, which has 4,000 members, won't back the plan; that is what they'd told us.",
        "  Spaces   and\ttabs, e.g. U.S. officials, do/does have had to: I'd rather not.",
    ]
    for mine, theirs in zip(ours.pipe(texts), reference.pipe(texts), strict=True):
        assert [(t.text, t.tag_, t.pos_, t.dep_) for t in mine] == [
            (t.text, t.tag_, t.pos_, t.dep_) for t in theirs
        ]


def test_a_ruler_pattern_the_lookup_cannot_read_keeps_the_ruler() -> None:
    import spacy

    from stancebank.tasks.preannotate.model import PosRules

    strings = spacy.blank("en").vocab.strings
    plain = [{"patterns": [[{"TAG": "NN"}]], "attrs": {"POS": "NOUN"}, "index": 0}]
    assert PosRules.from_ruler(plain, strings) is not None
    regex = [{"patterns": [[{"LOWER": {"REGEX": "^x"}}]], "attrs": {"POS": "X"}, "index": 0}]
    assert PosRules.from_ruler(regex, strings) is None
    two = [{"patterns": [[{"TAG": "NN"}], [{"TAG": "NNS"}]], "attrs": {"POS": "NOUN"}, "index": 0}]
    assert PosRules.from_ruler(two, strings) is None


def test_noun_plurals_for_an_articles_own_catalogue() -> None:
    from stancebank.tasks.preannotate.wordforms import noun_plural

    assert [noun_plural(n) for n in ("policy", "tax", "levy", "plan", "day", "church")] == [
        "policies",
        "taxes",
        "levies",
        "plans",
        "days",
        "churches",
    ]


def _claim_stances(annotator: Any, text: str) -> set[tuple[str, str, str, float | None]]:
    """``(claim text, stance, target text, score)`` of every stance relation."""
    spans, rels = annotator.annotate(text)
    by_id = {s.id: s for s in spans}
    return {
        (by_id[r.from_id].text, r.label, by_id[r.to_id].text, r.score)
        for r in rels
        if r.label in {"support", "oppose", "neutral"}
    }


def test_a_claim_without_a_cue_takes_its_speakers_stance_in_the_same_run(with_catalogue: Any) -> None:
    text = (
        "“The congestion charge is a mistake,” said Ruth Okafor, who runs a bakery on the high street. "
        "“Families will pay more for every trip into town.”"
    )
    found = _claim_stances(with_catalogue, text)
    assert (
        "Families will pay more for every trip into town",
        "oppose",
        "The congestion charge",
        SCORE_SPEAKER_STANCE,
    ) in found
    assert len(found) == 2


def test_no_stance_is_lent_across_another_speaker_or_against_the_claims_own_cues(with_catalogue: Any) -> None:
    # another speaker's claim between them: Okafor's second claim borrows nothing
    text = (
        "“The congestion charge is a mistake,” said Ruth Okafor.\n\n"
        "Mayor Ann Bell said the council would publish the figures.\n\n"
        "“Families will pay more for every trip into town,” Okafor said."
    )
    claims = {c for c, *_ in _claim_stances(with_catalogue, text)}
    assert claims == {"The congestion charge is a mistake"}
    # the claim's own cues point the other way: no stance is lent (the mention is three sentences
    # before it, out of step 3's reach)
    text = (
        "“The congestion charge is a mistake,” said Ruth Okafor. She runs a bakery on the high street. "
        "It opened in 1998. “Frankly, I welcome it for lorries.”"
    )
    assert {c for c, *_ in _claim_stances(with_catalogue, text)} == {"The congestion charge is a mistake"}


def test_a_target_proposed_from_a_claims_syntax_is_not_lent(annotator: Any) -> None:
    text = (
        "Ruth Okafor said she rejected the new parking rules. "
        "“Families will pay more for every trip into town,” she said."
    )
    claims = {c for c, *_ in _claim_stances(annotator, text)}
    assert "Families will pay more for every trip into town" not in claims


def test_a_claim_takes_a_mention_up_to_two_sentences_before_it(with_catalogue: Any) -> None:
    two_before = (
        "The council approved the congestion charge on Monday. Drivers were furious. "
        "Shop owner Tom Gray said it was unacceptable."
    )
    assert _stances(with_catalogue, two_before) == {("oppose", "the congestion charge", "congestion charge")}
    three_before = (
        "The council approved the congestion charge on Monday. Drivers were furious. "
        "Several cafes closed early. Shop owner Tom Gray said it was unacceptable."
    )
    assert _stances(with_catalogue, three_before) == set()


def test_consequence_and_campaign_cues(annotator: Any) -> None:
    text = (
        "Shopkeepers said a ban on scooters would push sales abroad.\n\n"
        "Residents said they would collect signatures for a public vote on the depot.\n\n"
        "The manager said a central depot would be easier to staff."
    )
    assert _stances(annotator, text) == {
        ("oppose", "a ban on scooters", None),
        ("support", "a public vote on the depot", None),
        ("support", "a central depot", None),
    }


def test_push_for_and_easier_to_read_are_not_those_cues(annotator: Any) -> None:
    text = (
        "The union said it would push for a ban on scooters.\n\n"
        "The manager said the new rota would be easier to read."
    )
    assert _stances(annotator, text) == {("support", "a ban on scooters", None)}


def test_benefit_cost_and_proportion_cues(annotator: Any) -> None:
    text = (
        "The mayor said the new marina would bring 1,500 jobs to the bay.\n\n"
        "Tenants said the deposit scheme would give renters breathing space.\n\n"
        "Students said the new fee would price poorer applicants out.\n\n"
        "The regulator said the fine was a proportionate response.\n\n"
        "Critics called the bond issue a gamble with savers' money."
    )
    assert _stances(annotator, text) == {
        ("support", "the new marina", None),
        ("support", "the deposit scheme", None),
        ("oppose", "the new fee", None),
        ("support", "the fine", None),
        ("oppose", "the bond issue", None),
    }


def test_negated_or_unrelated_benefit_and_cost_words_are_not_those_cues(annotator: Any) -> None:
    text = (
        "The mayor said the new marina would not bring any jobs to the bay.\n\n"
        "The warden said the storm would bring heavy rain.\n\n"
        "The regulator said the fine was not disproportionate."
    )
    assert _stances(annotator, text) == {
        ("oppose", "the new marina", None),  # negated benefit
        ("support", "the fine", None),  # negated excess
    }


def test_called_on_someone_to_act_and_a_decision_for_others(annotator: Any) -> None:
    text = (
        "The union called on the ministry to reopen the rural clinics.\n\n"
        "The chair said the new timetable was a matter for the board."
    )
    assert _stances(annotator, text) == {
        ("support", "reopen the rural clinics", None),
        ("neutral", "the new timetable", None),
    }


def test_called_on_a_weekday_is_no_appeal() -> None:
    cues = load_cues()
    assert first_object("called on Tuesday for a review of the rural clinics", cues) is None
    body = "called on the ministry to reopen the clinics"
    found = first_object(body, cues)
    assert found is not None and body[found[0] : found[1]] == "reopen the clinics"


def test_a_stance_is_lent_within_a_paragraph_and_the_next_only(with_catalogue: Any) -> None:
    text = (
        "“The congestion charge is a mistake,” said Ruth Okafor, a baker.\n\n"
        "The council met on Tuesday. Bus fares rose in March.\n\n"
        "“Families will pay more for every trip into town,” she said."
    )
    # the same speaker's next claim, two paragraphs on, borrows nothing
    assert {c for c, *_ in _claim_stances(with_catalogue, text)} == {"The congestion charge is a mistake"}
    text = (
        "“The congestion charge is a mistake,” said Ruth Okafor, a baker.\n\n"
        "“Families will pay more for every trip into town,” she said."
    )
    assert ("Families will pay more for every trip into town", "oppose") in {
        (c, stance) for c, stance, *_ in _claim_stances(with_catalogue, text)
    }


def test_a_claim_naming_another_catalogue_target_borrows_nothing(with_catalogue: Any) -> None:
    text = (
        "“The congestion charge is a mistake,” said Ruth Okafor. "
        "“The tram extension opens in 2028,” she said."
    )
    assert {c for c, *_ in _claim_stances(with_catalogue, text)} == {"The congestion charge is a mistake"}


def test_a_stance_on_an_earlier_claims_syntax_target_is_not_lent(annotator: Any) -> None:
    text = (
        "Ruth Okafor said she rejected the new parking rules. “It is a tax on families,” she said. "
        "“Families will pay more for every trip into town.”"
    )
    claims = {c for c, *_ in _claim_stances(annotator, text)}
    assert "Families will pay more for every trip into town" not in claims


def test_step_three_reads_two_sentences_back_within_a_paragraph_only(with_catalogue: Any) -> None:
    across = (
        "The council approved the congestion charge on Monday.\n\n"
        "Separately, the library will close in May. Librarian Jo Wren said it was a mistake."
    )
    assert _stances(with_catalogue, across) == set()
    one_back = (
        "The council approved the congestion charge on Monday.\n\nLibrarian Jo Wren said it was a mistake."
    )
    assert _stances(with_catalogue, one_back) == {("oppose", "the congestion charge", "congestion charge")}


def test_quantities_and_idioms_that_are_not_those_cues(annotator: Any) -> None:
    text = (
        "The mayor said the new scheme was a good deal more expensive than the old one.\n\n"
        "The assessor said the levy was proportionate to the size of each property.\n\n"
        "The chair said the closure was a matter for regret.\n\n"
        "The minister said the new mine would attract fewer visitors than the old quarry.\n\n"
        "Firefighters said they were called on 12 March to the burning warehouse.\n\n"
        "The union called on the government of the northern region and its partners to scrap the levy."
    )
    found = _stances(annotator, text)
    assert not any(stance == "support" for stance, *_ in found), found
    assert ("neutral", "the closure", None) not in found
    assert ("oppose", "the levy", None) in found


# -- issue 14, stance coverage: subjects, consequence cues, anaphors, embedded cues, surnames --------


def test_the_subject_of_a_clause_whose_verb_evaluates_it_is_the_target() -> None:
    cues = load_cues()
    body = "the toll hurts small traders"
    assert clause_subject_target(body, cues) == (0, 8, "oppose")
    body = "pupils were tired, and a shorter week gives staff time to plan"
    found = clause_subject_target(body, cues)
    assert found is not None and body[found[0] : found[1]] == "a shorter week" and found[2] == "support"
    # a pronoun, a negation or a verb of its own in the stretch before the predicate: no subject
    assert clause_subject_target("it hurts small traders", cues) is None
    assert clause_subject_target("no toll hurts small traders", cues) is None
    assert clause_subject_target("the drivers say the toll", cues) is None
    assert clause_subject_target("the toll was opened by the mayor", cues) is None


def test_consequence_and_verdict_cues_after_a_subject(annotator: Any) -> None:
    text = (
        "The curator said the return set a precedent for every museum in the country.\n\n"
        "Critics said secret contracts made it impossible to check the prices.\n\n"
        "The company said confidential pricing was standard practice.\n\n"
        "The mayor said the register would speed up inspections.\n\n"
        "The minister said the fee rise was painful but unavoidable.\n\n"
        "The admiral said a hotline costs nothing and could prevent a disaster.\n\n"
        "The engineer said fixing leaks alone would never be enough.\n\n"
        "The ecologist said the new bridge would make the crossing dangerous."
    )
    assert _stances(annotator, text) == {
        ("oppose", "the return", None),
        ("oppose", "secret contracts", None),
        ("support", "confidential pricing", None),
        ("support", "the register", None),
        ("support", "the fee rise", None),
        ("support", "a hotline", None),
        ("oppose", "fixing leaks alone", None),
        ("oppose", "the new bridge", None),
    }


def test_what_only_looks_like_those_cues_takes_no_stance(annotator: Any) -> None:
    text = (
        "The curator said the return set a good precedent for every museum in the country.\n\n"
        "Critics said the new rota made it easier to plan.\n\n"
        "The minister said the fee rise was painful.\n\n"
        "The skipper said that without the ferry, the school would open later.\n\n"
        "The ecologist said the new bridge would replace a road that is dangerous."
    )
    assert _stances(annotator, text) == set()


def test_a_concession_is_judged_by_what_follows_its_but(annotator: Any) -> None:
    text = "The minister said the fee rise was cheap but dangerous."
    assert _stances(annotator, text) == {("oppose", "the fee rise", None)}


def test_without_x_and_a_loss_supports_x(annotator: Any) -> None:
    text = "The skipper said that without the ferry, the school closes and the island dies."
    assert _stances(annotator, text) == {("support", "the ferry", None)}
    assert _stances(annotator, "The skipper said that without it, the school closes.") == set()


def test_afford_rights_and_entitlements(annotator: Any) -> None:
    text = (
        "The mayor said the council could not afford to run the buses.\n\n"
        "The union said patients must be given a seat on the board.\n\n"
        "The court said the museum had no legal or moral right to keep the collection.\n\n"
        "Teachers said they were against being made hall monitors."
    )
    assert _stances(annotator, text) == {
        ("oppose", "run the buses", None),
        ("support", "a seat on the board", None),
        ("oppose", "keep the collection", None),
        ("oppose", "being made hall monitors", None),
    }
    assert _stances(annotator, "The mayor said the council could afford to run the buses.") == {
        ("support", "run the buses", None)
    }


def test_a_cue_inside_the_object_of_another_takes_its_polarity(with_catalogue: Any) -> None:
    text = (
        "The residents' forum said it opposed a clause allowing congestion fees for residents.\n\n"
        "Tom Gray said he would fight any plan to extend the tram line."
    )
    assert _stances(with_catalogue, text) == {
        ("oppose", "congestion fees", "congestion charge"),
        ("oppose", "extend the tram line", "tram extension"),
    }
    # a second verb of its own ("… and demanded X") is not inside the first one's object
    text = "Tom Gray said the union rejected the offer and demanded a congestion charge."
    assert ("support", "a congestion charge", "congestion charge") in _stances(with_catalogue, text)


_SCOOTERS = (Target("scooter ban", ("ban on private scooters",), ()),)


def test_the_head_noun_alone_names_the_target_mentioned_before() -> None:
    annotator = get_preannotator(DEFAULT_MODEL, catalogue_key(_SCOOTERS))
    text = (
        "Scooter row\n\nThe council voted on Monday for a ban on private scooters.\n\n"
        "Nurse Tom Gray said the ban would protect children."
    )
    assert _stances(annotator, text) == {("support", "the ban", "scooter ban")}
    # no mention before it, or another noun: proposed from the claim's syntax, without a name
    assert _stances(annotator, "Nurse Tom Gray said the ban would protect children.") == {
        ("support", "the ban", None)
    }
    text = (
        "The council voted on Monday for a ban on private scooters.\n\n"
        "Nurse Tom Gray said the bank would protect children."
    )
    assert _stances(annotator, text) == {("support", "the bank", None)}


def test_a_head_noun_names_the_target_only_alike_and_bare() -> None:
    annotator = get_preannotator(DEFAULT_MODEL, catalogue_key(_SCOOTERS))
    title = "Council weighs a ban on private scooters\n\n"
    # the same noun in the other number, or with a phrase of its own, names something else
    text = title + "The cyclist said the bans on night riding were pointless."
    assert ("oppose", "the bans", "scooter ban") not in _stances(annotator, text)
    text = title + "The cyclist said the ban on night riding was pointless."
    assert _stances(annotator, text) == {("oppose", "the ban on night riding", None)}
    # the head noun alone is a mention, weaker evidence than the target's own words
    text = title + "A pharmacist said this ban was overdue."
    assert {(stance, target, score) for _, stance, target, score in _claim_stances(annotator, text)} == {
        ("support", "this ban", SCORE_NEAR_STANCE)
    }


def _claim_by(text: str, said: str, speaker: str, name: str | None = None) -> Claim:
    start, at = text.index(said), text.index(speaker)
    mention = Mention(at, at + len(speaker), "person", name, 1.0)
    return Claim(start, start + len(said), "direct", mention, 1.0)


def test_a_surname_alone_is_the_speaker_named_in_full_before() -> None:
    text = "Ruth Okafor said the toll was a mistake. Okafor said shops would close. Bell said so."
    claims = [
        _claim_by(text, "the toll was a mistake", "Ruth Okafor"),
        _claim_by(text, "shops would close", "Okafor"),
        _claim_by(text, "so", "Bell"),
    ]
    assert speaker_keys(text, claims) == ["ruth okafor", "ruth okafor", "bell"]
    # two full names end with it, or it is no name (lower case): it stays as it is
    text = "Ruth Okafor and Tim Okafor said the toll was a mistake. Okafor said shops would close."
    claims = [
        _claim_by(text, "the toll was a mistake", "Ruth Okafor"),
        _claim_by(text, "the toll was", "Tim Okafor"),
        _claim_by(text, "shops would close", "Okafor"),
    ]
    assert speaker_keys(text, claims)[2] == "okafor"
    text = "The local farmers said the toll was a mistake. farmers said shops would close."
    claims = [
        _claim_by(text, "the toll was a mistake", "The local farmers"),
        _claim_by(text, "shops would close", "farmers"),
    ]
    assert speaker_keys(text, claims)[1] == "farmers"


def test_general_verdicts_on_a_subject(annotator: Any) -> None:
    verdicts = {
        "made good sense": "support",
        "would pay for itself": "support",
        "was a sensible compromise": "support",
        "was reasonable": "support",
        "was deeply flawed": "oppose",
        "was a waste of money": "oppose",
        "was a costly mistake": "oppose",
        "would backfire": "oppose",
        "went too far": "oppose",
        "made no sense": "oppose",
        "was a recipe for chaos": "oppose",
        "was not unnecessary": "support",
    }
    text = "\n\n".join(f"The mayor said the new levy {v}." for v in verdicts)
    spans, rels = annotator.annotate(text)
    by_id = {s.id: s for s in spans}
    got = {by_id[r.from_id].text.removeprefix("the new levy "): r.label for r in rels if r.label != "source"}
    assert got == verdicts
    # a job, a forecast: no verdict
    text = "The mayor said the nurse works nights.\n\nThe mayor said the talks would fail."
    assert _stances(annotator, text) == set()


def test_without_a_catalogue_a_stance_on_the_articles_own_target_is_lent(annotator: Any) -> None:
    text = (
        "Councillor Ann Bell said the ban would protect pets. "
        "“Every November my phone rings all night,” she said."
    )
    assert ("Every November my phone rings all night", "support", "the ban", SCORE_SPEAKER_STANCE) in (
        _claim_stances(annotator, text)
    )
    # a longer target proposed from the claim's syntax is that claim's: not lent
    text = (
        "Councillor Ann Bell said the new parking levy would protect pets. "
        "“Every November my phone rings all night,” she said."
    )
    assert {c for c, *_ in _claim_stances(annotator, text)} == {"the new parking levy would protect pets"}


def test_the_articles_own_catalogue_skips_nouns_that_name_no_issue() -> None:
    cues = load_cues()
    text = "Rent caps have ended the same way. The ban would protect pets."
    claims = [
        Claim(0, 33, "indirect", None, 1.0),
        Claim(35, len(text) - 1, "indirect", None, 1.0),
    ]
    catalogue = article_catalogue(text, claims, cues)
    assert [text[a:b] for a, b, _ in catalogue.mentions(text)] == ["The ban"]


def test_more_verbs_and_nouns_of_backing_and_rejection(annotator: Any) -> None:
    text = (
        "The union said it was fighting for a shorter working week.\n\n"
        "The union said it was fighting the closure of the depot.\n\n"
        "Residents raised concerns about the new incinerator, the council said.\n\n"
        "The mayor said the city would press ahead with the cycle lanes.\n\n"
        "The mayor said she would repeal the parking levy.\n\n"
        "The mayor said she threw her weight behind the stadium bid.\n\n"
        "The mayor said residents were not happy with the bus timetable."
    )
    assert _stances(annotator, text) == {
        ("support", "a shorter working week", None),
        ("oppose", "the closure of the depot", None),
        ("oppose", "the new incinerator", None),
        ("support", "the cycle lanes", None),
        ("oppose", "the parking levy", None),
        ("support", "the stadium bid", None),
        ("oppose", "the bus timetable", None),
    }


def test_a_relative_clause_stays_in_a_verbs_object(annotator: Any) -> None:
    # a relative clause's verb is the object's own, with "that" or without it
    text = "The union said it rejected any deal that would close the depot."
    assert _stances(annotator, text) == {("oppose", "any deal that would close the depot", None)}
    text = "The rowing club praised the route the organisers had chosen."
    assert _stances(annotator, text) == {("support", "the route the organisers had chosen", None)}
    text = "Ms Ortega said the guild applauded the verdict the jury had reached on Friday."
    assert _stances(annotator, text) == {("support", "the verdict the jury had reached", None)}


def test_a_noun_cue_as_a_subject_is_its_agents_stance(annotator: Any, with_catalogue: Any) -> None:
    # "the rejection of X had ...": someone rejected X; the speaker reports it or judges the rejection
    text = "The glazier said the rejection of the harbour wall plan had surprised everyone."
    assert _stances(annotator, text) == set()
    text = "A cabbie said the rejection of the congestion charge had cost the mayor her seat."
    assert _stances(with_catalogue, text) == set()
    # a judgement of the rejection is one of X, turned around ("welcome" rejection: against X)
    text = "A cabbie said the rejection of the congestion charge by the council was welcome."
    assert _stances(with_catalogue, text) == {("oppose", "the congestion charge", "congestion charge")}
    # likewise the verb of a "who" clause in a subject: the stance of those it describes
    text = "“Those who champion the congestion charge are out of touch,” the grocer said."
    assert _stances(with_catalogue, text) == set()
    text = "The ferryman said drivers who backed the bridge toll had been fooled."
    assert _stances(annotator, text) == set()
    # the noun cue as an object is the speaker's: "wary of X" opposes X
    text = "The beekeepers said they were wary of the congestion charge."
    assert _stances(with_catalogue, text) == {("oppose", "the congestion charge", "congestion charge")}


def test_a_groups_stance_is_not_its_speakers(annotator: Any, with_catalogue: Any) -> None:
    # "critics of X", "backers of X" name who holds a stance; the speaker judges them
    text = "The union said critics of the toll road had won the vote."
    assert _stances(annotator, text) == set()
    text = "“Backers of the stadium bid are dreaming,” the councillor said."
    assert _stances(annotator, text) == set()
    text = "“Champions of the congestion charge live in the suburbs,” the grocer said."
    assert _stances(with_catalogue, text) == set()
    text = "“Supporters of the congestion charge are wrong,” the taxi driver said."
    assert _stances(with_catalogue, text) == {("oppose", "the congestion charge", "congestion charge")}
    # concerns are a cue when someone raises them, not when something answers them
    text = "The ministry said the plan tackles concerns over water quality."
    assert _stances(annotator, text) == set()
    text = "She said the new rota addresses concerns about night shifts."
    assert _stances(annotator, text) == set()
    text = "Beekeepers raised concerns over the pesticide, the paper said."
    assert _stances(annotator, text) == {("oppose", "the pesticide", None)}


def test_judgements_near_a_catalogue_mention(with_catalogue: Any) -> None:
    text = "Tom Gray said the congestion charge was draconian."
    assert _stances(with_catalogue, text) == {("oppose", "the congestion charge", "congestion charge")}
    text = "Tom Gray said the congestion charge was good news for cyclists."
    assert _stances(with_catalogue, text) == {("support", "the congestion charge", "congestion charge")}


def test_subjects_of_evaluating_predicates_where_they_start_and_end(annotator: Any) -> None:
    # a bare "and" inside the subject; a participle of saying before it; the longer predicate wins
    text = (
        "The minister said the change back and forth cost lives on the roads.\n\n"
        "The board rejected claims that the pumps would raise water bills, saying the equipment "
        "would cost less."
    )
    assert _stances(annotator, text) == {
        ("oppose", "the change back and forth", None),
        ("support", "the equipment", None),
    }
    # how things are is no verdict on them; a duration is not what one fights for
    text = (
        "The police said the roads had become more dangerous.\n\n"
        "The nurse said nobody should have to fight for two years for a new hip."
    )
    assert _stances(annotator, text) == set()
    assert clause_subject_target("the change back and forth cost lives", load_cues()) == (0, 25, "oppose")


def test_perfect_copulas_entitlements_and_inserted_relative_clauses() -> None:
    cues = load_cues()
    readings = {
        " has been a mistake": "oppose",
        " has been a success": "support",
        " has proved a disaster": "oppose",
        " is not the answer": "oppose",
        " is the answer": "support",
        " must go": "oppose",
        " must stay": "support",
        " is something we cannot accept": "oppose",
        " is something we can live with": "support",
        " deserves our support": "support",
        ", which the council approved last year after months of debate, is a mistake": "oppose",
    }
    assert {after: stance_after(after, cues) for after in readings} == readings
    # an idiom, a relative clause that is not set off by commas and too long: no verdict
    assert stance_after(" is a solution looking for a problem", cues) is None
    assert (
        stance_after(" which the council approved last year after months of debate is a mistake", cues)
        is None
    )


def test_an_attribution_that_says_what_a_claim_is_about(annotator: Any, with_catalogue: Any) -> None:
    text = "“It is a disaster,” Tom Gray said of the new parking levy on Monday."
    assert _stances(annotator, text) == {("oppose", "the new parking levy", None)}
    text = "“It is a disaster,” Tom Gray said of the congestion charge."
    assert _stances(with_catalogue, text) == {("oppose", "the congestion charge", "congestion charge")}
    # no cue in the claim, or no "of" / "about": no stance
    text = "“We had a long day,” Tom Gray said of the new parking levy."
    assert _stances(annotator, text) == set()
    assert _stances(annotator, "“It is a disaster,” Tom Gray said on Monday.") == set()
    # "of" / "about" right after the verb, the speaker before it: else the "of" is a noun's
    text = "“It is a disaster,” said the chair of the allotment society."
    assert _stances(annotator, text) == set()
    text = "“It is a disaster,” she told reporters ahead of the vote."
    assert _stances(annotator, text) == set()
    text = "“It is a disaster,” Ms Lund said of the flour tariff."
    assert _stances(annotator, text) == {("oppose", "the flour tariff", None)}


def test_a_quote_split_by_its_attribution_into_subject_and_predicate(annotator: Any) -> None:
    text = "“The new parking levy,” said Tom Gray, “is a mistake that will hurt every shop on this street.”"
    found = _claim_stances(annotator, text)
    assert {(claim, stance, target) for claim, stance, target, _ in found} == {
        ("The new parking levy", "oppose", "The new parking levy"),
        ("is a mistake that will hurt every shop on this street", "oppose", "The new parking levy"),
    }
    spans, _ = annotator.annotate(text)
    assert [s.text for s in spans if s.label == "TARGET"] == ["The new parking levy"]  # one TARGET
    # a predicate that judges nothing, or a first half that is a clause of its own: no stance
    text = "“The new parking levy,” said Tom Gray, “was approved on Monday.”"
    assert _claim_stances(annotator, text) == set()
    text = "“We went there,” said Tom Gray, “is a mistake.”"
    assert _claim_stances(annotator, text) == set()


def test_a_complementiser_is_not_a_determiner_of_a_head_noun() -> None:
    cues = load_cues()
    text = "A ban on private scooters passed. Gray warned that bans fail, and this ban too."
    claims = [Claim(text.index("warned"), len(text) - 1, "indirect", None, 1.0)]
    mentions = [(0, 25, "scooter ban")]
    found = [text[a:b] for a, b, _ in anaphoric_mentions(text, claims, mentions, cues)]
    assert found == ["A ban on private scooters", "this ban"]


def test_a_demand_that_something_happen_targets_the_clause(annotator: Any) -> None:
    text = "The union demanded that the board resign before the vote."
    assert _stances(annotator, text) == {("support", "the board resign", None)}
    cues = load_cues()
    # only after a cue of demanding: "rejected that idea" is no clause
    assert first_object("rejected that idea", cues) is None
    found = first_object("proposed that the depot reopen", cues)
    assert found is not None and "proposed that the depot reopen"[found[0] : found[1]] == "the depot reopen"


def test_a_demand_that_something_end_is_against_it(annotator: Any, with_catalogue: Any) -> None:
    cues = load_cues()
    assert first_object("proposed that the depot close", cues) == (14, 23, "oppose")
    text = "Residents demanded that the congestion charge end."
    assert _stances(with_catalogue, text) == {("oppose", "the congestion charge", "congestion charge")}
    text = "The anglers urged that the fishing quota be scrapped."
    assert _stances(annotator, text) == {("oppose", "the fishing quota", None)}
    text = "The chair said residents had demanded that the quarry close."
    assert _stances(annotator, text) == {("oppose", "the quarry", None)}
    # going ahead is no undoing
    text = "The players demanded that the final go ahead."
    assert ("oppose", "the final", None) not in _stances(annotator, text)


def test_asking_for_something_to_be_done_targets_it_with_what_is_done(annotator: Any) -> None:
    text = (
        "The union called for the depot to be kept open.\n\n"
        "The minister said he would ask for the quota cut to be phased in."
    )
    assert _stances(annotator, text) == {
        ("support", "the depot to be kept open", None),
        ("support", "the quota cut to be phased", None),
    }
    # "to be" and no participle: no action to target
    assert _stances(annotator, "The union urged the council to be patient.") == set()


def test_what_should_have_been_done_and_time_for(annotator: Any) -> None:
    cues = load_cues()
    readings = {
        " should never have been introduced": "oppose",
        " should have been scrapped long ago": "oppose",
        " should have been done years ago": "support",
        " would have been a mistake": "oppose",
        " will have been worth every hour": "support",
    }
    assert {after: stance_after(after, cues) for after in readings} == readings
    assert stance_after(" has been done", cues) is None
    assert _stances(annotator, "The union said it was time for a new contract.") == {
        ("support", "a new contract", None)
    }
    assert _stances(annotator, "The union said the time for talks had passed.") == set()
