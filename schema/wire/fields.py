"""The one rule for a list field of a Label Studio task, annotation or prediction (``annotations``,
``predictions``, ``drafts``, ``result``), and the one wording of its problem.

Absent or null is an empty list; a list is itself; anything else — a number, a string, an object,
a boolean, empty or zero ones too — is *not a list*: the caller reports it (a reject, a finding or
an error naming the file or server, the record and the field) and never reads it as empty or
iterates it (an object's keys, a string's characters). ``item.get(key) or []`` read ``0``, ``""``,
``false`` and ``{}`` as an empty list without a word.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = ["a_type", "list_field", "not_a_list"]


def list_field(item: Mapping[str, Any], key: str) -> list[Any] | None:
    """``item[key]`` when it is a list, ``[]`` when it is absent or null, None for anything else
    (report it with :func:`not_a_list`)."""
    value = item.get(key)
    if value is None:
        return []
    return value if isinstance(value, list) else None


def a_type(value: Any) -> str:
    """The type of a JSON value with its article, as messages say it: ``an int``, ``a str``,
    ``a dict``, ``a bool``, ``a float``; ``null`` for None."""
    if value is None:
        return "null"
    name = type(value).__name__
    return f"{'an' if name[:1].lower() in 'aeiou' else 'a'} {name}"


def not_a_list(field: str, value: Any) -> str:
    """``annotations is an int, not a list``: the field (as the message names it) and its type."""
    return f"{field} is {a_type(value)}, not a list"
