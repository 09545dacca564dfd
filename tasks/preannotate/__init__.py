"""Rule-based pre-annotation on a spaCy pipeline: actors, claims with their speaker, stances.

- ACTOR (:mod:`.actors`): NER (PERSON/ORG/NORP; GPE when it acts) widened over a preceding title
  ("Hungarian Prime Minister …"), plus the project's known actors (``[[actors]]`` in
  ``stancebank.toml``), which also give ``actor_name``. Pronoun and description speakers become
  actors resolved to the last named person (or a known actor's description). Only speakers (sources
  of a claim) are kept as ACTORs.
- CLAIM + ``source`` (:mod:`.claims`): direct quotes in every quote style (:mod:`.quotes`; an
  unclosed quote ends at its paragraph's end), reported speech after speech verbs
  (``resources/speech_verbs.txt``), "according to X", inverted attribution, appositive speakers,
  follow-on quote paragraphs inheriting the last speaker, interrupted quotes ("…," he said. "…")
  keeping the paragraph's speaker, "said X and warned that Y" / "said X and that Y" as two claims,
  parenthetical ", he said,". Speech acts (``resources/speech_acts.txt``: rejected, welcomed,
  called for …) span the verb and its complement. Lines without final punctuation (headings) are
  claims only when they name who holds the position.
- TARGET + stance (:mod:`.stances`): the project's target catalogue (``[[targets]]`` in
  ``stancebank.toml``) in or just before claims, else the object of a stance cue; the stance from
  topic-independent cues (``resources/stance_cues.yaml``: support / oppose verbs and nouns, modal
  and evaluative language, negation); only suggested when a cue is found.

Word lists live in ``stancebank.tasks.resources`` and are checked against the spec at load
(:mod:`.resources`); labels, relations and attribute choices are looked up by meaning
(:mod:`.labels`). The pipeline is loaded once per process (:func:`get_preannotator`).
"""

from __future__ import annotations

from stancebank.tasks.preannotate.model import PREANNOTATOR_VERSION, load_model, model_version_for
from stancebank.tasks.preannotate.pipeline import CatalogueKey, Preannotator, catalogue_key, get_preannotator
from stancebank.tasks.preannotate.prefilter import mask_unattributed
from stancebank.tasks.preannotate.quotes import claim_bounds, find_quotes
from stancebank.tasks.preannotate.resources import ActorsKey, Gazetteer, actors_key, load_cues, parse_cues
from stancebank.tasks.preannotate.wordforms import inflections, noun_lemma, trigger_pattern, verb_lemma

__all__ = [
    "PREANNOTATOR_VERSION",
    "ActorsKey",
    "CatalogueKey",
    "Gazetteer",
    "Preannotator",
    "actors_key",
    "catalogue_key",
    "claim_bounds",
    "find_quotes",
    "get_preannotator",
    "inflections",
    "load_cues",
    "load_model",
    "mask_unattributed",
    "model_version_for",
    "noun_lemma",
    "parse_cues",
    "trigger_pattern",
    "verb_lemma",
]
