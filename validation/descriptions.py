"""How a failing row of each registered check is described: a message and the offending value.

One small function per check id, looked up in :data:`DESCRIPTIONS`; a check without an entry is
described by its id. The rows are those of the views (:mod:`stancebank.validation.views`): spans
and claims carry their article's text in ``doc``, relations their endpoints' labels.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from stancebank.schema.columns import CLAIM_COLUMNS

Row = dict[str, Any]
Description = tuple[str, str | None]


def short(value: Any, limit: int = 120) -> str:
    """``value`` as text, cut to ``limit`` characters (with an ellipsis)."""
    text = value if isinstance(value, str) else repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and np.isnan(value))


def _offsets(row: Row) -> tuple[Any, Any, Any]:
    """``(start, end, stored text)`` of a span row or a claim row."""
    c = CLAIM_COLUMNS
    return (
        row.get("start", row.get(c.claim_start)),
        row.get("end", row.get(c.claim_end)),
        row.get("text", row.get(c.claim_text)),
    )


def _doc(row: Row) -> str:
    doc = row.get("doc")
    return doc if isinstance(doc, str) else ""


def _span_within_text(row: Row) -> Description:
    start, end, _ = _offsets(row)
    if not isinstance(row.get("doc"), str):
        return (
            "the span's article is not in the input (no text to check offsets against)",
            f"article {row.get('article_id')}",
        )
    length = len(_doc(row))
    return (
        f"offsets [{start}, {end}) are outside the article text (length {length}) or empty",
        f"start={start} end={end} len(text)={length}",
    )


def _span_text_matches(row: Row) -> Description:
    start, end, text = _offsets(row)
    ints = isinstance(start, int | np.integer) and isinstance(end, int | np.integer)
    got = _doc(row)[int(start) : int(end)] if ints else ""
    return (
        f"text[{start}:{end}] differs from the span text",
        f"text[{start}:{end}]={short(got, 60)!r} ≠ span text {short(str(text), 60)!r}",
    )


def _unique_span_id(row: Row) -> Description:
    return "span id used twice in one annotation", str(row.get("span_id"))


def _unique_span_position(row: Row) -> Description:
    start, end, text = _offsets(row)
    label = row.get("label")
    return (
        f"two {label} spans at the same offsets [{start}, {end})",
        f"{label} [{start}, {end}) {short(str(text), 40)!r}",
    )


def _claim_has_source(row: Row) -> Description:
    _, _, text = _offsets(row)
    return f"gold {row.get('label')} span has no source (attribution relation)", short(str(text), 80)


def _relation_endpoints_exist(row: Row) -> Description:
    missing = [
        side for side, lab in (("from", row.get("from_label")), ("to", row.get("to_label"))) if _missing(lab)
    ]
    return (
        f"relation {row.get('label')} points at a span id that does not exist ({' and '.join(missing)} end)",
        str(row.get("rel_ids")),
    )


def _relation_endpoint_labels(row: Row) -> Description:
    joined = f"{row.get('label')}: {row.get('from_label')} → {row.get('to_label')}"
    return (
        f"relation {row.get('label')} joins {row.get('from_label')} → {row.get('to_label')}, "
        "which the spec does not allow",
        joined,
    )


def _no_self_relation(row: Row) -> Description:
    return f"relation {row.get('label')} goes from a span to itself", str(row.get("rel_ids"))


def _relation_direction(row: Row) -> Description:
    return f"relation {row.get('label')} has direction {row.get('direction')!r}", str(row.get("direction"))


def _known_attribute_value(row: Row) -> Description:
    span_label = row.get("span_label")
    if not isinstance(span_label, str):
        return f"attribute {row.get('name')} belongs to no span of this annotation", str(row.get("name"))
    return (
        f"attribute {row.get('name')}={row.get('value')!r} is not allowed on "
        f"{'an' if span_label[:1].upper() in 'AEIOU' else 'a'} {span_label} span",
        f"{row.get('name')}={short(str(row.get('value')), 60)}",
    )


def _one_split_per_article(row: Row) -> Description:
    return f"article is in more than one split (here: {row.get('split')})", str(row.get("split"))


def _no_cross_split_duplicate(row: Row) -> Description:
    return f"the same text appears in another split (this copy: {row.get('split')})", str(row.get("split"))


def _no_cross_split_near_duplicate(row: Row) -> Description:
    return (
        f"a near-duplicate text appears in another split (this copy: {row.get('split')})",
        str(row.get("split")),
    )


def _registry_agrees(row: Row) -> Description:
    return (
        f"split {row.get('split')} differs from {row.get('expected_source') or 'the registry'}: "
        f"{row.get('expected_split')}",
        f"{row.get('split')} ≠ {row.get('expected_split')}",
    )


def _personal_data(row: Row) -> Description:
    return (
        "annotator field is not a pseudonym (e-mail, e-mail-like text or a user name)",
        short(str(row.get("annotator")), 80),
    )


def _unique_row_id(row: Row) -> Description:
    # the one table with ``unique`` columns: annotations (annotation_id, once per file)
    return (
        f"annotation id {row.get('annotation_id')} is listed more than once in this file",
        str(row.get("annotation_id")),
    )


#: check id → how a failing row of it is described
DESCRIPTIONS: dict[str, Callable[[Row], Description]] = {
    "span_within_text": _span_within_text,
    "span_text_matches": _span_text_matches,
    "unique_span_id": _unique_span_id,
    "unique_span_position": _unique_span_position,
    "claim_has_source": _claim_has_source,
    "relation_endpoints_exist": _relation_endpoints_exist,
    "relation_endpoint_labels": _relation_endpoint_labels,
    "no_self_relation": _no_self_relation,
    "relation_direction": _relation_direction,
    "known_attribute_value": _known_attribute_value,
    "one_split_per_article": _one_split_per_article,
    "no_cross_split_duplicate": _no_cross_split_duplicate,
    "no_cross_split_near_duplicate": _no_cross_split_near_duplicate,
    "registry_agrees": _registry_agrees,
    "personal_data": _personal_data,
    "unique_row_id": _unique_row_id,
}


def describe_row(check_id: str, row: Row) -> Description:
    """A message and the offending value for one failing row of a registered check."""
    describe = DESCRIPTIONS.get(check_id)
    return describe(row) if describe is not None else (check_id, None)
