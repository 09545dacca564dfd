"""Label Studio exports → adjudicated gold + agreement → a versioned HF dataset.

Public API (stable, for the other stages — `stancebank.tasks.studio.progress` and
`stancebank.tasks.studio.team` use it): :class:`ExportReader` (one reader of Label Studio export
tasks into domain annotations), :func:`adjudicate_article` (the gold policy for one article) and
:func:`is_review` (is an annotation a reviewer's verdict),
:class:`AgreementAccumulator` (the agreement scores of the card), :class:`Pseudonymizer` and
:func:`load_key` (annotator pseudonyms), :data:`REVIEW_FIELD` (the data field that marks a review
task, whose annotations are reviewers' verdicts; `stancebank.tasks.studio.review` writes it).

The names load on first use (PEP 562): the root CLI must not pay for the readers at start-up.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from stancebank.export.adjudicate import Adjudication, GoldPolicy, is_review
    from stancebank.export.adjudicate import adjudicate as adjudicate_article
    from stancebank.export.agreement import OVERALL, AgreementAccumulator, AgreementReport
    from stancebank.export.pseudonym import Pseudonymizer, load_key
    from stancebank.export.reader import REVIEW_FIELD, ExportData, ExportReader

# public name -> (module, attribute). No public name may be the name of a submodule: importing
# `stancebank.export.adjudicate` sets this package's attribute `adjudicate` to that module, so a
# public `adjudicate` gave the module instead of the function once anything had imported it.
_WHERE = {
    "Adjudication": ("adjudicate", "Adjudication"),
    "adjudicate_article": ("adjudicate", "adjudicate"),
    "GoldPolicy": ("adjudicate", "GoldPolicy"),
    "is_review": ("adjudicate", "is_review"),
    "OVERALL": ("agreement", "OVERALL"),
    "AgreementAccumulator": ("agreement", "AgreementAccumulator"),
    "AgreementReport": ("agreement", "AgreementReport"),
    "Pseudonymizer": ("pseudonym", "Pseudonymizer"),
    "load_key": ("pseudonym", "load_key"),
    "ExportData": ("reader", "ExportData"),
    "ExportReader": ("reader", "ExportReader"),
    "REVIEW_FIELD": ("reader", "REVIEW_FIELD"),
}

__all__ = [
    "OVERALL",
    "REVIEW_FIELD",
    "Adjudication",
    "AgreementAccumulator",
    "AgreementReport",
    "ExportData",
    "ExportReader",
    "GoldPolicy",
    "Pseudonymizer",
    "adjudicate_article",
    "is_review",
    "load_key",
]


def __getattr__(name: str) -> Any:
    where = _WHERE.get(name)
    if where is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    module, attribute = where
    value = getattr(importlib.import_module(f"{__name__}.{module}"), attribute)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
