"""The held-out evaluation set (``data/heldout/``): its gold and its target catalogue.

Read by ``tests/tasks/test_tasks_heldout.py`` (is the gold valid?) and by
``tests/benchmarks/bench_tasks_quality.py`` (how does the pre-annotator do on it?). Never tune a
pre-annotation rule on this set: see ``data/heldout/README.md``. When a rule was tuned on it anyway,
its articles move to the dev set (``data/dev/``, as the first held-out set did on 2026-12-02) and new
ones are written; in between the folder holds its README only and :func:`heldout_present` is false.

``gold.yaml`` is the pilot's authoring format plus, per span, ``start``/``end`` (offsets into the
article file's text) and, per TARGET, a ``target_name`` attribute (schema 1.1.0). :func:`load_gold`
keeps those in side tables and hands the rest to :func:`stancebank.tasks.pilot.parse_pilot`, so the
pilot's checks (labels, attributes, relation endpoints, duplicate ids) apply unchanged.
``stancebank.toml`` is the set's project file; :func:`load_catalogue` reads its ``[[targets]]``
with :func:`stancebank.schema.project.load_project`.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from stancebank.schema.project import Target, load_project
from stancebank.schema.spec import SPEC
from stancebank.tasks.pilot import PilotArticle, parse_pilot

REPO = Path(__file__).resolve().parents[2]
HELDOUT = REPO / "data" / "heldout"
ARTICLES = HELDOUT / "articles"
GOLD = HELDOUT / "gold.yaml"
CATALOGUE = HELDOUT / "stancebank.toml"
DEV = REPO / "data" / "dev"
"""The dev set on new topics (data/dev/README.md): the same format, tuning allowed."""
DEV_ARTICLES = DEV / "articles"
DEV_GOLD = DEV / "gold.yaml"
DEV_CATALOGUE = DEV / "stancebank.toml"


def heldout_present() -> bool:
    """True when data/heldout/ has its gold and at least one article (it has only its README while a
    retired set is being replaced)."""
    return GOLD.is_file() and any(ARTICLES.glob("*.txt"))


TARGET = SPEC.role_label("target")
TARGET_NAME = "target_name"
_OFFSET_KEYS = ("start", "end")


class HeldoutError(ValueError):
    """The held-out gold or catalogue is malformed; the message names the file, the item and the field."""


@dataclass(frozen=True)
class HeldoutGold:
    articles: list[PilotArticle]
    """Parsed by ``parse_pilot`` (``start``/``end`` removed, ``target_name`` too while the spec lacks it)."""
    offsets: dict[tuple[str, str], tuple[int, int]]
    """(article file, span id) → (start, end) as written in ``gold.yaml``."""
    target_names: dict[tuple[str, str], str]
    """(article file, TARGET span id) → its canonical ``target_name``."""
    folder: Path = ARTICLES
    """The folder of the articles (``file`` is relative to it)."""

    def article_text(self, article: PilotArticle) -> str:
        return (self.folder / str(article.file)).read_text(encoding="utf-8")


def _spec_has_target_name() -> bool:
    return any(a.name == TARGET_NAME for a in SPEC.span_label(TARGET).attributes)


def parse_gold(doc: Any, where: str = str(GOLD), folder: Path = ARTICLES) -> HeldoutGold:
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
    return HeldoutGold(parse_pilot(doc), offsets, target_names, folder)


def load_gold(path: Path = GOLD, folder: Path = ARTICLES) -> HeldoutGold:
    return parse_gold(yaml.safe_load(path.read_text(encoding="utf-8")), str(path), folder)


def load_dev_gold() -> HeldoutGold:
    """The dev set's gold (data/dev/gold.yaml, articles in data/dev/articles/)."""
    return load_gold(DEV_GOLD, DEV_ARTICLES)


def load_catalogue(path: Path = CATALOGUE) -> tuple[Target, ...]:
    """The set's target catalogue, read by the project-file loader (one parser for every project)."""
    return load_project(path).targets
