"""Label Studio ``result`` lists → domain spans and relations: the one parser.

Two layers, used by every stage:

- :func:`split_results` sorts a result list as found (nothing checked, nothing dropped) into
  regions, attributes and relations — the validator reads these rows to report what is wrong;
- :func:`parse_results` builds domain :class:`Span` / :class:`Relation` objects from them,
  checked against the spec and the text; everything it leaves out goes to ``report(kind, detail)``.

Relation direction has one rule (:func:`orient`): ``right`` (or none) is ``from → to`` as drawn,
``left`` is the other way round (swapped), ``bi`` has no direction (reported, never guessed).
Region offsets are placed by :func:`stancebank.schema.wire.offsets.locate_region`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from stancebank.schema.model import Relation, Span
from stancebank.schema.spec import SPEC, AnnotationSpec, Attribute, RelationLabel
from stancebank.schema.wire.offsets import Located, locate_region

__all__ = [
    "IssueSink",
    "NameTally",
    "ParsedResults",
    "RawAttribute",
    "RawRegion",
    "RawRelation",
    "RawResults",
    "orient",
    "parse_results",
    "split_results",
]

IssueSink = Callable[[str, str, str | None], None]
"""``report(kind, detail, region)``: something in a result list that was left out, why, and the
region (or ``from→to`` relation) it concerns, if any."""


def _ignore(kind: str, detail: str, region: str | None) -> None:
    return None


# -- layer 1: results as found ---------------------------------------------------------------------
# The raw rows are named tuples: a result list of a real export holds hundreds of them, and a
# named tuple is built three times faster than a frozen dataclass.
class RawRegion(NamedTuple):
    """A ``labels`` result: a labeled region, its fields as found."""

    id: str
    from_name: str
    labels: tuple[Any, ...]
    start: Any
    end: Any
    text: Any


class RawAttribute(NamedTuple):
    """A ``choices`` or ``textarea`` result attached to region ``id``; ``values`` as found."""

    id: str
    name: str
    kind: str  # "choices" | "textarea"
    values: tuple[Any, ...]

    def joined(self) -> str:
        """A textarea's lines as one stripped string (choices: the first choice)."""
        return " ".join(str(v).strip() for v in self.values if v is not None and str(v).strip())


class RawRelation(NamedTuple):
    """A ``relation`` result, already oriented by :func:`orient` (``from_id → to_id``)."""

    from_id: Any
    to_id: Any
    labels: tuple[Any, ...]
    direction: Any  # as found: "right", "left", "bi", None or anything else
    swapped: bool


@dataclass
class RawResults:
    regions: list[RawRegion] = field(default_factory=list)
    attributes: list[RawAttribute] = field(default_factory=list)
    relations: list[RawRelation] = field(default_factory=list)
    other: list[tuple[str, str]] = field(default_factory=list)  # (type, region id) of other results
    not_objects: int = 0  # items of the list that are not JSON objects


def orient(from_id: Any, to_id: Any, direction: Any) -> tuple[Any, Any, bool]:
    """The one relation-direction rule: ``(from, to, swapped)``. ``left`` is drawn backwards and
    is swapped; ``right``, ``bi`` and anything else stay as drawn (``bi`` and unknown directions
    are for the caller to refuse)."""
    if direction == "left":
        return to_id, from_id, True
    return from_id, to_id, False


def split_results(results: Sequence[Any]) -> RawResults:
    """Sort a ``result`` list into regions, attributes and relations (nothing checked)."""
    out = RawResults()
    regions, attributes, relations = out.regions, out.attributes, out.relations
    for result in results:
        if not isinstance(result, dict):
            out.not_objects += 1
            continue
        get = result.get
        rtype = get("type", "")
        rtype = (rtype if type(rtype) is str else str(rtype)).lower()
        if rtype == "relation":
            labels = get("labels")
            direction = get("direction")
            from_id, to_id, swapped = orient(get("from_id"), get("to_id"), direction)
            relations.append(
                RawRelation(
                    from_id, to_id, tuple(labels) if isinstance(labels, list) else (), direction, swapped
                )
            )
            continue
        value = get("value")
        value = value if isinstance(value, dict) else {}
        rid = get("id", "")
        rid = rid if type(rid) is str else str(rid)
        name = get("from_name", "")
        name = name if type(name) is str else str(name)
        if rtype == "labels":
            labels = value.get("labels")
            regions.append(
                RawRegion(
                    rid,
                    name,
                    tuple(labels) if isinstance(labels, list) else (),
                    value.get("start"),
                    value.get("end"),
                    value.get("text"),
                )
            )
        elif rtype == "choices":
            choices = value.get("choices")
            attributes.append(
                RawAttribute(rid, name, rtype, tuple(choices) if isinstance(choices, list) else ())
            )
        elif rtype == "textarea":
            raw = value.get("text")
            attributes.append(RawAttribute(rid, name, rtype, tuple(raw) if isinstance(raw, list) else (raw,)))
        else:
            out.other.append((rtype, rid))
    return out


# -- layer 2: domain spans and relations -------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class ParsedResults:
    spans: tuple[Span, ...]
    relations: tuple[Relation, ...]
    # regions refused because their offsets or text cannot be trusted: (region id, label)
    misplaced: tuple[tuple[str, str], ...] = ()


@dataclass
class NameTally:
    """Every label, ``from_name`` and relation label met while parsing (to tell an export made
    with another labeling config from ours)."""

    labels: Counter[str] = field(default_factory=Counter)
    from_names: Counter[str] = field(default_factory=Counter)
    relation_labels: Counter[str] = field(default_factory=Counter)

    def add(self, other: NameTally) -> None:
        self.labels.update(other.labels)
        self.from_names.update(other.from_names)
        self.relation_labels.update(other.relation_labels)

    def foreign(self, spec: AnnotationSpec = SPEC) -> dict[str, Counter[str]]:
        """What the spec does not know, by kind (empty when everything is the spec's)."""
        tables = _tables(spec)
        out = {
            "labels": Counter({k: n for k, n in self.labels.items() if k not in tables.labels}),
            "from_names": Counter({k: n for k, n in self.from_names.items() if k not in tables.names}),
            "relation labels": Counter(
                {k: n for k, n in self.relation_labels.items() if k not in tables.relations}
            ),
        }
        return {kind: found for kind, found in out.items() if found}

    def has_foreign(self, spec: AnnotationSpec = SPEC) -> bool:
        """Whether :meth:`foreign` would find anything (asked once per annotation read: no
        counters are built)."""
        tables = _tables(spec)
        return not (
            self.labels.keys() <= tables.labels.keys()
            and self.from_names.keys() <= tables.names
            and self.relation_labels.keys() <= tables.relations.keys()
        )

    def known_count(self, spec: AnnotationSpec = SPEC) -> int:
        """How many regions carried one of the spec's labels."""
        return sum(n for k, n in self.labels.items() if k in spec.span_label_names)


@dataclass(frozen=True)
class _SpecTables:
    labels: dict[str, str]  # name → the spec's own string (one object per label, not one per span)
    attributes: dict[str, Attribute]
    relations: dict[str, RelationLabel]
    allowed: dict[str, frozenset[str]]
    # choice attribute → its choices, each → the spec's own string
    choices: dict[str, dict[str, str]]
    names: frozenset[str]  # the from_names of the spec: its labels control and its attributes


_TABLES: dict[int, tuple[AnnotationSpec, _SpecTables]] = {}


def _tables(spec: AnnotationSpec) -> _SpecTables:
    """Lookup tables of a spec, computed once per spec object (parsing is a hot loop)."""
    found = _TABLES.get(id(spec))
    if found is not None and found[0] is spec:
        return found[1]
    tables = _SpecTables(
        labels={name: name for name in spec.span_label_names},
        attributes={a.name: a for a in spec.attributes},
        relations={r.name: r for r in spec.relation_labels},
        allowed={lab.name: frozenset(a.name for a in lab.attributes) for lab in spec.span_labels},
        choices={a.name: {c: c for c in a.choices} for a in spec.attributes if a.kind == "choice"},
        names=frozenset({spec.labels_name, *(a.name for a in spec.attributes)}),
    )
    _TABLES[id(spec)] = (spec, tables)
    return tables


def parse_results(
    results: Sequence[Any],
    text: str,
    report: IssueSink = _ignore,
    counts: Counter[str] | None = None,
    spec: AnnotationSpec = SPEC,
    names: NameTally | None = None,
) -> ParsedResults:
    """A Label Studio ``result`` list → spans (with attributes) and relations, checked against the
    spec and ``text``. Span text is always ``text[start:end]``; whitespace at a span's edges is
    trimmed (counted); offsets that do not select ``value.text`` are realigned when exactly one
    reading fits (counted as ``spans_realigned``) or the region is refused."""
    # A hot loop (hundreds of results per annotation): lookups are hoisted into locals, the names
    # met are tallied once at the end, and messages are formatted only for what is reported.
    counts = counts if counts is not None else Counter()
    tables = _tables(spec)
    known_labels, known_attributes, allowed = tables.labels, tables.attributes, tables.allowed
    labels_name = spec.labels_name
    raw = split_results(results)
    for rtype, rid in raw.other:
        report("unknown_result", f"result type {rtype!r} (region {rid!r}) is not used", rid)

    from_names_met: list[str] = []
    labels_met: list[Any] = []
    placed: dict[str, tuple[str, int, int]] = {}  # region id → (label, start, end)
    span_attrs: dict[str, dict[str, str]] = {}
    seen_regions: set[str] = set()
    misplaced: list[tuple[str, str]] = []
    for region in raw.regions:
        rid, from_name, region_labels = region.id, region.from_name, region.labels
        if rid in seen_regions:
            report("duplicate_region", f"region {rid!r} has two labels results; the first is kept", rid)
            continue
        seen_regions.add(rid)
        from_names_met.append(from_name)
        labels_met += region_labels
        if from_name and from_name != labels_name:
            report(
                "unknown_from_name",
                f"region {rid!r} comes from {from_name!r}, not {labels_name!r}: another labeling config",
                rid,
            )
            continue
        if len(region_labels) != 1:
            report(
                "bad_label",
                f"region {rid!r} has labels {list(region_labels)!r}; exactly one is required",
                rid,
            )
            continue
        label = known_labels.get(str(region_labels[0]), "")
        if not label:
            label = str(region_labels[0])
            report("unknown_label", f"region {rid!r} has label {label!r}; known: {sorted(known_labels)}", rid)
            continue
        where = locate_region(text, region.start, region.end, region.text)
        if not isinstance(where, Located):
            misplaced.append((rid, label))
            report(
                where.kind, f"region {rid!r} ({label}): {where.detail} — fix the region in Label Studio", rid
            )
            continue
        start, end = where.start, where.end
        sliced = text[start:end]
        if where.reading != "as_given":
            counts["spans_realigned"] += 1
            counts[f"spans_realigned_{where.reading}"] += 1
        elif isinstance(region.text, str) and region.text != sliced:
            counts["value_text_differs"] += 1
        if not sliced[0].isspace() and not sliced[-1].isspace():  # nothing to trim (most spans)
            placed[rid] = (label, start, end)
            span_attrs[rid] = {}
            continue
        lead = len(sliced) - len(sliced.lstrip())
        trail = len(sliced) - len(sliced.rstrip())
        if lead + trail >= len(sliced):
            report("empty_span", f"region {rid!r} ({label}) at {start}:{end} is only whitespace", rid)
            continue
        counts["spans_trimmed"] += 1
        counts["whitespace_trimmed_chars"] += lead + trail
        placed[rid] = (label, start + lead, end - trail)
        span_attrs[rid] = {}

    choice_tables = tables.choices
    for attr_result in raw.attributes:
        rid, name = attr_result.id, attr_result.name
        from_names_met.append(name)
        attr = known_attributes.get(name)
        if attr is None:
            report("unknown_attribute", f"region {rid!r}: {name!r} is not an attribute of the spec", rid)
            continue
        region_place = placed.get(rid)
        if region_place is None:
            if rid not in seen_regions:
                report("orphan_attribute", f"{name!r} result for region {rid!r}, which has no span", rid)
            continue
        if name not in allowed[region_place[0]]:
            report("attribute_not_allowed", f"region {rid!r}: {region_place[0]} takes no {name!r}", rid)
            continue
        if attr.kind == "choice":
            choices = attr_result.values
            choice = (
                choice_tables[name].get(choices[0])
                if len(choices) == 1 and isinstance(choices[0], str)
                else None
            )
            if choice is None:
                report(
                    "bad_choice",
                    f"region {rid!r}: {name}={list(choices)!r}; must be one of {list(attr.choices)}",
                    rid,
                )
                continue
            span_attrs[rid][name] = choice
        else:
            joined = attr_result.joined()
            if joined:
                span_attrs[rid][name] = joined

    final = {
        rid: Span(rid, label, start, end, text[start:end], span_attrs[rid])
        for rid, (label, start, end) in placed.items()
    }

    relations: list[Relation] = []
    relation_labels_met: list[Any] = []
    known_relations = tables.relations
    seen: set[tuple[str, str, str]] = set()
    for rel in raw.relations:
        labels = rel.labels
        relation_labels_met += labels
        from_id, to_id = str(rel.from_id or ""), str(rel.to_id or "")
        src, dst = final.get(from_id), final.get(to_id)
        if src is None or dst is None:
            report(
                "dangling_relation", f"{_where(rel)}: an endpoint is not a kept span", f"{from_id}→{to_id}"
            )
            continue
        if rel.direction == "bi":
            report(
                "bidirectional_relation",
                f"{_where(rel)} is bidirectional; draw it from → to and relabel",
                f"{from_id}→{to_id}",
            )
            continue
        if rel.direction not in (None, "right", "left"):
            report(
                "bad_direction",
                f"{_where(rel)}: direction {rel.direction!r} is not right/left",
                f"{from_id}→{to_id}",
            )
            continue
        if rel.swapped:
            counts["relations_swapped"] += 1
        if len(labels) != 1:
            report(
                "bad_relation_label",
                f"{_where(rel)}: exactly one relation label is required",
                f"{from_id}→{to_id}",
            )
            continue
        rel_spec = known_relations.get(str(labels[0]))
        if rel_spec is None:
            report(
                "bad_relation_label",
                f"{_where(rel)}: unknown relation label; known: {list(known_relations)}",
                f"{from_id}→{to_id}",
            )
            continue
        if src.label not in rel_spec.from_labels or dst.label not in rel_spec.to_labels:
            report(
                "bad_endpoint_labels",
                f"{_where(rel)}: {rel_spec.name} goes {'/'.join(rel_spec.from_labels)} → "
                f"{'/'.join(rel_spec.to_labels)}, not {src.label} → {dst.label}",
                f"{from_id}→{to_id}",
            )
            continue
        key = (from_id, to_id, rel_spec.name)
        if key in seen:
            continue
        seen.add(key)
        relations.append(Relation(src.id, dst.id, rel_spec.name))
    if names is not None:
        names.from_names.update(from_names_met)
        names.labels.update(map(str, labels_met))
        names.relation_labels.update(map(str, relation_labels_met))
    ordered = sorted(final.values(), key=lambda s: (s.start, s.end, s.label, s.id))
    return ParsedResults(spans=tuple(ordered), relations=tuple(relations), misplaced=tuple(misplaced))


def _where(rel: RawRelation) -> str:
    """A relation as its messages name it."""
    return f"relation {str(rel.from_id or '')!r}→{str(rel.to_id or '')!r} {list(rel.labels)!r}"
