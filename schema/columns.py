"""Column names shared by the tables the stages exchange and the release's configs, spelled once.

Plain names, no dependencies: :mod:`stancebank.schema.tables` (pandera schemas),
:mod:`stancebank.schema.features` (``datasets.Features``), the export's rows and the validation's
checks all import them from here.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ClaimColumns:
    """The column names of the ``claims`` table (and the release's ``claims`` config), spelled once.

    The claim's and the actor's attributes are columns too, named after the spec's attributes."""

    article_id: str = "article_id"
    claim_id: str = "claim_id"
    claim_text: str = "claim_text"
    claim_start: str = "claim_start"
    claim_end: str = "claim_end"
    actor_id: str = "actor_id"
    actor_text: str = "actor_text"
    target_id: str = "target_id"
    target_text: str = "target_text"
    target_start: str = "target_start"
    target_end: str = "target_end"
    stance: str = "stance"
    language: str = "language"
    # the sentence(s) the claim is in (its context) and their offsets in the article text
    sentence: str = "sentence"
    sentence_start: str = "sentence_start"
    sentence_end: str = "sentence_end"


CLAIM_COLUMNS = ClaimColumns()


@dataclass(frozen=True)
class StanceColumns:
    """The column names of the release's ``stance`` config (claim, target, stance, context)."""

    article_id: str = "article_id"
    claim_id: str = "claim_id"
    target_id: str = "target_id"
    claim: str = "claim"
    target: str = "target"
    # the target's canonical name (the spec's ``target_name`` attribute), null where none was given
    canonical_target: str = "canonical_target"
    stance: str = "stance"
    context: str = "context"
    language: str = "language"


STANCE_COLUMNS = StanceColumns()
