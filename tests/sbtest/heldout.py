"""The held-out evaluation set (``data/heldout/``): its gold and its target catalogue.

Read by ``tests/tasks/test_tasks_heldout.py`` (is the gold valid?) and by
``tests/benchmarks/bench_tasks_quality.py`` (how does the pre-annotator do on it?). Never tune a
pre-annotation rule on this set: see ``data/heldout/README.md``.

``gold.yaml`` is the pilot's authoring format plus, per span, ``start``/``end`` (offsets into the
article file's text) and, per TARGET, a ``target_name`` attribute (schema 1.1.0). :func:`load_gold`
keeps those in side tables and hands the rest to :func:`stancebank.tasks.pilot.parse_pilot`, so the
pilot's checks (labels, attributes, relation endpoints, duplicate ids) apply unchanged.
``stancebank.toml`` holds ``[[targets]]`` tables in the project-file format of issue 14; until the
project-file loader exists, :func:`load_catalogue` reads them with ``tomllib``.
"""

from __future__ import annotations

import copy
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from stancebank.schema.spec import SPEC
from stancebank.tasks.pilot import PilotArticle, parse_pilot

REPO = Path(__file__).resolve().parents[2]
HELDOUT = REPO / "data" / "heldout"
ARTICLES = HELDOUT / "articles"
GOLD = HELDOUT / "gold.yaml"
CATALOGUE = HELDOUT / "stancebank.toml"

TARGET = SPEC.role_label("target")
TARGET_NAME = "target_name"
_OFFSET_KEYS = ("start", "end")
_TARGET_KEYS = {"name", "aliases", "patterns", "description"}


class HeldoutError(ValueError):
    """The held-out gold or catalogue is malformed; the message names the file, the item and the field."""


@dataclass(frozen=True)
class CatalogueTarget:
    name: str
    aliases: tuple[str, ...]
    patterns: tuple[str, ...]
    description: str


@dataclass(frozen=True)
class HeldoutGold:
    articles: list[PilotArticle]
    """Parsed by ``parse_pilot`` (``start``/``end`` removed, ``target_name`` too while the spec lacks it)."""
    offsets: dict[tuple[str, str], tuple[int, int]]
    """(article file, span id) → (start, end) as written in ``gold.yaml``."""
    target_names: dict[tuple[str, str], str]
    """(article file, TARGET span id) → its canonical ``target_name``."""

    def article_text(self, article: PilotArticle) -> str:
        return (ARTICLES / str(article.file)).read_text(encoding="utf-8")


def _spec_has_target_name() -> bool:
    return any(a.name == TARGET_NAME for a in SPEC.span_label(TARGET).attributes)


def parse_gold(doc: Any, where: str = str(GOLD)) -> HeldoutGold:
    """Split the held-out additions off a parsed ``gold.yaml`` document, then validate it as a pilot."""
    if not isinstance(doc, Mapping) or not isinstance(doc.get("articles"), list):
        raise HeldoutError(f"{where}: the document must be a mapping with an `articles` list")
    doc = copy.deepcopy(dict(doc))
    keep_target_name = _spec_has_target_name()
    offsets: dict[tuple[str, str], tuple[int, int]] = {}
    target_names: dict[tuple[str, str], str] = {}
    for article in doc["articles"]:
        file = str(article.get("file"))
        for annotator, annotation in (article.get("annotations") or {}).items():
            for span in annotation.get("spans") or []:
                here = f"{where}: article {file}, annotator {annotator}, span {span.get('id')}"
                values = [span.pop(key, None) for key in _OFFSET_KEYS]
                if not all(isinstance(v, int) and not isinstance(v, bool) for v in values):
                    raise HeldoutError(f"{here}: `start` and `end` must be integers, got {values}")
                offsets[(file, str(span.get("id")))] = (values[0], values[1])
                if span.get("label") == TARGET:
                    attrs = span.get("attributes") or {}
                    name = attrs.get(TARGET_NAME) if keep_target_name else attrs.pop(TARGET_NAME, None)
                    if not isinstance(name, str) or not name:
                        raise HeldoutError(
                            f"{here}: a TARGET needs attributes.{TARGET_NAME}, a catalogue name"
                        )
                    target_names[(file, str(span.get("id")))] = name
    return HeldoutGold(parse_pilot(doc), offsets, target_names)


def load_gold(path: Path = GOLD) -> HeldoutGold:
    return parse_gold(yaml.safe_load(path.read_text(encoding="utf-8")), str(path))


def _strings(entry: Mapping[str, Any], key: str, where: str) -> tuple[str, ...]:
    value = entry.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise HeldoutError(f"{where}: `{key}` must be a list of non-empty strings, got {value!r}")
    return tuple(value)


def parse_catalogue(doc: Mapping[str, Any], where: str = str(CATALOGUE)) -> list[CatalogueTarget]:
    """The ``[[targets]]`` of a project file; unknown keys, wrong types and bad regexes are refused."""
    unknown = sorted(set(doc) - {"targets"})
    if unknown:
        raise HeldoutError(
            f"{where}: unknown table(s) {unknown}; the held-out catalogue holds [[targets]] only"
        )
    entries = doc.get("targets")
    if not isinstance(entries, list) or not entries:
        raise HeldoutError(f"{where}: no [[targets]] tables")
    out: list[CatalogueTarget] = []
    for number, entry in enumerate(entries, start=1):
        here = f"{where}: [[targets]] #{number}"
        extra = sorted(set(entry) - _TARGET_KEYS)
        if extra:
            raise HeldoutError(f"{here}: unknown key(s) {extra}; allowed: {sorted(_TARGET_KEYS)}")
        name, description = entry.get("name"), entry.get("description")
        if not isinstance(name, str) or not name.strip():
            raise HeldoutError(f"{here}: `name` must be a non-empty string, got {name!r}")
        if not isinstance(description, str) or not description.strip():
            raise HeldoutError(f"{here} ({name}): `description` must be a non-empty string")
        patterns = _strings(entry, "patterns", f"{here} ({name})")
        for pattern in patterns:
            try:
                re.compile(pattern)
            except re.error as err:
                raise HeldoutError(f"{here} ({name}): pattern {pattern!r} is not a regex ({err})") from err
        out.append(
            CatalogueTarget(name, _strings(entry, "aliases", f"{here} ({name})"), patterns, description)
        )
    return out


def load_catalogue(path: Path = CATALOGUE) -> list[CatalogueTarget]:
    with path.open("rb") as fh:
        return parse_catalogue(tomllib.load(fh), str(path))
