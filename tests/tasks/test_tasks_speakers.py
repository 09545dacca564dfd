"""Speakers and their ``actor_name`` on texts written for these tests: an inverted "said" with a
title and a phrase after the name, title words left out of names, a titled name the NER took for an
organisation (but not an organisation that says "it" of itself, "X said she …", nor an adjective
before a name), a surname read as the full name given before (never after) whatever the NER took it
for, honorifics kept in names, and "he"/"she" kept apart by named evidence only."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest
from spacy.tokens import Span as SpacySpan

from stancebank.schema.project import Actor, Target
from stancebank.tasks.build import DEFAULT_MODEL
from stancebank.tasks.preannotate import actors_key, catalogue_key, get_preannotator
from stancebank.tasks.preannotate.actors import Mention, _after_a_title, _pronoun_speaker, last_person
from stancebank.tasks.preannotate.model import load_model
from stancebank.tasks.preannotate.polarity import claim_stance
from stancebank.tasks.preannotate.resources import load_cues, load_resources


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


@pytest.mark.parametrize(
    ("text", "speaker", "name"),
    [
        (
            "Organizer Dana Whitcombe said the march would go ahead.",
            "Organizer Dana Whitcombe",
            "Dana Whitcombe",
        ),
        (
            "Councillor Bridget Oduya said the depot was in the wrong place.",
            "Councillor Bridget Oduya",
            "Bridget Oduya",
        ),
    ],
)
def test_a_title_is_in_the_actor_span_but_not_in_its_name(
    annotator: Any, text: str, speaker: str, name: str
) -> None:
    """Guidelines 3: the span keeps a front title, ``actor_name`` is the name itself."""
    [(actor, typ, actor_name, _)] = _sources(annotator, text)
    assert (actor, typ, actor_name) == (speaker, "person", name)


@pytest.mark.parametrize(
    ("text", "surname", "full"),
    [
        # the NER takes the surname alone for an organisation
        (
            "Marit Haugland, who chairs the ferry users' group, said fares were too high.\n\n"
            "Haugland said the ferry would stop in January.",
            "Haugland",
            "Marit Haugland",
        ),
        # ... for a place
        (
            "Agnieszka Szymanska, an engineer, said the bridge was unsafe. "
            "Szymanska said the bridge should close.",
            "Szymanska",
            "Agnieszka Szymanska",
        ),
        # ... or finds no entity at all
        (
            "Mine manager Ilona Rautio said the pit was safe.\n\nRautio said the mine would close in winter.",
            "Rautio",
            "Ilona Rautio",
        ),
    ],
)
def test_a_surname_alone_is_named_in_full(annotator: Any, text: str, surname: str, full: str) -> None:
    """Guidelines 3: ``actor_name`` is the name as the article gives it in full ("Danylenko" →
    "Oleh Danylenko"), whatever type the NER gave the surname."""
    sources = _sources(annotator, text)
    assert (surname, "person", full) in [s[:3] for s in sources]


def test_a_surname_is_never_named_after_someone_named_later(annotator: Any) -> None:
    """ "Hale" (no entity of the NER here) takes the full name given before it, not that of a
    namesake the article names after it."""
    text = (
        "Committee chair Ruth Hale backed the deal. “It is a fair compromise,” Hale said on Friday. "
        "Opposition member David Hale was not at the vote."
    )
    sources = _sources(annotator, text)
    assert ("Hale", "person", "Ruth Hale", "It is a fair compromise") in sources


@pytest.mark.parametrize(
    ("text", "speaker"),
    [
        # "it" is the organisation speaking of itself, whoever shares its name
        (
            "Works council chair Greta Siemens said the cuts were reckless. "
            "Siemens said on Thursday it would shut two factories and cut 1,200 jobs.",
            "Siemens",
        ),
        # "X said she/he …" is mostly about someone else: no evidence X is a person
        ("The Guardian said she had been dismissed from the paper.", "Guardian"),
        ("Amazon said he had quit the company in June.", "Amazon"),
        ("Bloomberg said he had stepped down.", "Bloomberg"),
        ("Reuters, which broke the story, said he had resigned.", "Reuters"),
        # an adjective is no person's title
        ("The national Riksbank warned that the levy would hurt exports.", "Riksbank"),
        # British English describes organisations with "who" too: "said she" is still someone else
        ("Unison, who represent the cleaners, said she had been sacked unfairly.", "Unison"),
        ("The Telegraph, who first reported the leak, said she had resigned from the board.", "Telegraph"),
    ],
)
def test_an_organisation_stays_an_organisation(annotator: Any, text: str, speaker: str) -> None:
    sources = _sources(annotator, text)
    assert (speaker, "organization", None) in [s[:3] for s in sources], sources


def test_a_name_described_by_who_that_says_she_of_itself_is_a_person(annotator: Any) -> None:
    """The NER takes "Ines Varga" for an organisation; "a teacher who …" and "said she" together
    make her a person, and the "she" of the next quote is her, not the man quoted before."""
    text = (
        "Harbour official Colm Ryan said the tower would bring jobs. “We need the work,” he said.\n\n"
        "Ines Varga, a teacher who has lived on the island for ten years, said she opposed the "
        "tower. “It will block the light,” she said."
    )
    sources = _sources(annotator, text)
    assert ("Ines Varga", "person", "Ines Varga", "she opposed the tower") in sources
    assert ("she", "person", "Ines Varga", "It will block the light") in sources


@pytest.mark.parametrize(
    ("text", "speaker", "name"),
    [
        ("Singer Lady Sovereign criticised the festival fees.", "Lady Sovereign", "Lady Sovereign"),
        (
            "Lady Mary Wortley said the garden should stay open.",
            "Lady Mary Wortley",
            "Lady Mary Wortley",
        ),
    ],
)
def test_an_honorific_in_the_name_stays_in_the_name(
    annotator: Any, text: str, speaker: str, name: str
) -> None:
    """ "Lady" of "Lady Sovereign" is part of the name the NER found; only other title words the
    NER took in are left out of ``actor_name`` ("Councillor Bridget Oduya" → "Bridget Oduya")."""
    [(actor, typ, actor_name, _)] = _sources(annotator, text)
    assert (actor, typ, actor_name) == (speaker, "person", name)


def test_she_is_not_the_man_a_title_or_his_own_words_name(annotator: Any) -> None:
    """Named evidence gives a name its gender: "Mr", or "X said he …" of a person the NER found."""
    text = (
        "Mrs Helena Ward chaired the meeting. Mr Omar Patel said the depot was too small.\n\n"
        "“It must move before winter,” she said."
    )
    sources = _sources(annotator, text)
    assert ("she", "person", "Helena Ward", "It must move before winter") in sources
    text = (
        "Site engineer Ruth Okoro inspected the dam. Mayor Jonas Berg said he shared the concerns.\n\n"
        "“The valley deserves better,” she said."
    )
    sources = _sources(annotator, text)
    assert ("she", "person", "Ruth Okoro", "The valley deserves better") in sources


def test_a_resolved_he_gives_no_gender(annotator: Any) -> None:
    """A "he" resolved to the mayor may stand for the unnamed man she met: it does not make the
    mayor a man, so the "she" after it is still the mayor."""
    text = (
        "Mayor Ingrid Falk met a bus driver at the depot. “My shifts get longer every month,” he "
        "said. “We will hire more drivers this spring,” she said."
    )
    sources = _sources(annotator, text)
    assert ("she", "person", "Ingrid Falk", "We will hire more drivers this spring") in sources


def _person(start: int, name: str, *, subject: bool = True, gender: str | None = None) -> Mention:
    end = start + len(name)
    return Mention(start, end, "person", name, 0.7, person_like=True, subject=subject, gender=gender)


def test_last_person_skips_the_other_pronouns_person() -> None:
    moss = _person(50, "Ada Moss", subject=False)
    hale, asher = _person(0, "Ruth Hale"), _person(30, "Tom Asher", gender="male")
    # the nearest subject is ruled out: the nearest person left, subject or not
    assert last_person([hale, asher, moss], 80, "female") is moss
    # no pronoun of the other gender before: the nearest subject, as ever
    assert last_person([hale, asher, moss], 80, "male") is asher
    assert last_person([hale, asher, moss], 80) is asher
    # everyone ruled out: no name rather than a wrong one
    assert last_person([asher], 80, "female") is None


def _pronoun(text: str, at: int) -> Any:
    word = text[at:].split()[0]
    return SimpleNamespace(idx=at, text=word, lower_=word.lower())


def test_a_resolved_pronoun_gives_no_gender() -> None:
    """A "he" resolved to a name is a guess: it says nothing of who is a man."""
    text = "Kim Berg said no. He said yes."
    he = _pronoun_speaker(_pronoun(text, text.index("He")), "person", [_person(0, "Kim Berg")], [])
    assert he.name == "Kim Berg" and he.gender is None


@pytest.mark.parametrize(
    ("text", "speaker", "name"),
    [
        # the NER's organisation or place: the whole name, or only the surname
        ("Eva Petrova, the mayor, said the rates would rise.", "Eva Petrova", "Eva Petrova"),
        ("Marta Jelinek, the mayor, said the bridge would close.", "Marta Jelinek", "Marta Jelinek"),
        ("Ana Kovacheva, the mayor, said the budget was too tight.", "Ana Kovacheva", "Ana Kovacheva"),
        ("Ana Milenova, the mayor, said the budget was too tight.", "Ana Milenova", "Ana Milenova"),
    ],
)
def test_a_name_in_apposition_with_a_title_is_a_person(
    annotator: Any, text: str, speaker: str, name: str
) -> None:
    """ "X, the mayor, said": X is a person, named in full even where the NER took only the surname."""
    [(actor, typ, actor_name, _)] = _sources(annotator, text)
    assert (actor, typ, actor_name) == (speaker, "person", name)


def test_an_organisation_right_after_a_persons_title_is_that_person() -> None:
    """The NER sometimes takes a titled name for an organisation or a place ("harbour mayor Ana
    Lind" with "Ana Lind" an ORG): the title says it is a person; a title that also heads
    organisations ("group", "party") does not."""
    res = load_resources()
    nlp = load_model(DEFAULT_MODEL)
    for text, label, expected in [
        ("Harbour mayor Ana Lind said so.", "ORG", True),
        ("Harbour mayor Ana Lind said so.", "GPE", True),
        ("Harbour mayor Ana Lind said so.", "NORP", False),
        ("Police chief Ana Lind said so.", "ORG", True),
        ("The national Ana Lind said so.", "ORG", False),
        ("The state Ana Lind said so.", "ORG", False),
        ("The watchdog group Open Ledger said so.", "ORG", False),
        ("Ana Lind said so.", "ORG", False),
    ]:
        doc = nlp(text)  # parsed: a title is a noun
        start = next(i for i, t in enumerate(doc) if t.text in {"Ana", "Open"})
        ent = SpacySpan(doc, start, start + 2, label=label)
        assert _after_a_title(doc, ent, res) is expected, text


# -- stances next to a speaker's own act -------------------------------------------------------------
_COURT = (
    Target("court challenge", ("legal action", "challenge the quota")),
    Target("fishing quota", ("the quota", "quota plan")),
)


def _stance_pairs(annotator: Any, text: str) -> set[tuple[str, str, str]]:
    """(claim text, stance, target_name) per stance relation."""
    spans, relations = annotator.annotate(text)
    by_id = {s.id: s for s in spans}
    return {
        (by_id[r.from_id].text, r.label, by_id[r.to_id].attributes.get("target_name", ""))
        for r in relations
        if r.label != "source"
    }


@pytest.mark.parametrize(
    "text",
    [
        # the headline is the speaker's act: "threatens" judges no one before it
        "Fishing cooperative threatens legal action over new limits\n\n"
        "The cooperative said the limits were unfair.",
        # "challenge" inside the alias "challenge the quota" is its name, not a verdict on it
        "The Harwick Fishing Cooperative said on Monday it would challenge the quota in court.",
    ],
)
def test_a_speakers_own_threat_is_no_stance_against_what_it_threatens(text: str) -> None:
    """ "Co-op threatens legal action": the claim is the speaker's act; "threatens" judges what
    comes before a claim only when that is not its speaker ("the levy threatens jobs")."""
    annotator = get_preannotator(DEFAULT_MODEL, catalogue_key(_COURT))
    pairs = _stance_pairs(annotator, text)
    assert not {p for p in pairs if p[2] == "court challenge"}, pairs


def test_claim_stance_reads_the_start_as_a_verdict_only_on_what_is_no_speaker() -> None:
    cues = load_cues()
    assert claim_stance("would hurt traders across the valley", cues) == "oppose"
    assert claim_stance("would hurt traders across the valley", cues, judges_before=False) is None
    body = "it would challenge the quota in court"
    at = body.index("challenge the quota")
    assert claim_stance(body, cues) == "oppose"
    assert claim_stance(body, cues, about=(at, at + len("challenge the quota"))) is None
    # a cue around the mention is a verdict on it
    body = "the harbour is not up for negotiation"
    at = body.index("negotiation")
    assert claim_stance(body, cues, about=(at, at + len("negotiation"))) == "oppose"
