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


CLAIM_COLUMNS = ClaimColumns()
