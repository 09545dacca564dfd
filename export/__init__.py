"""Label Studio exports → adjudicated gold + agreement → a versioned HF dataset.

Public API (stable, for the other stages — `stancebank.tasks.studio.progress` and
`stancebank.tasks.studio.team` use it): :class:`ExportReader` (one reader of Label Studio export
tasks into domain annotations), :func:`adjudicate` (the gold policy for one article),
:class:`AgreementAccumulator` (the agreement scores of the card), :class:`Pseudonymizer` and
:func:`load_key` (annotator pseudonyms).

The names load on first use (PEP 562): the root CLI must not pay for the readers at start-up.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from stancebank.export.adjudicate import Adjudication, adjudicate
    from stancebank.export.agreement import OVERALL, AgreementAccumulator, AgreementReport
    from stancebank.export.pseudonym import Pseudonymizer, load_key
    from stancebank.export.reader import ExportData, ExportReader

_WHERE = {
    "Adjudication": "adjudicate",
    "adjudicate": "adjudicate",
    "OVERALL": "agreement",
    "AgreementAccumulator": "agreement",
    "AgreementReport": "agreement",
    "Pseudonymizer": "pseudonym",
    "load_key": "pseudonym",
    "ExportData": "reader",
    "ExportReader": "reader",
}

__all__ = [
    "OVERALL",
    "Adjudication",
    "AgreementAccumulator",
    "AgreementReport",
    "ExportData",
    "ExportReader",
    "Pseudonymizer",
    "adjudicate",
    "load_key",
]


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
