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
from typing import Any

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
@dataclass(frozen=True, slots=True)
class RawRegion:
    """A ``labels`` result: a labeled region, its fields as found."""

    id: str
    from_name: str
    labels: tuple[Any, ...]
    start: Any
    end: Any
    text: Any


@dataclass(frozen=True, slots=True)
class RawAttribute:
    """A ``choices`` or ``textarea`` result attached to region ``id``; ``values`` as found."""

    id: str
    name: str
    kind: str  # "choices" | "textarea"
    values: tuple[Any, ...]

    def joined(self) -> str:
        """A textarea's lines as one stripped string (choices: the first choice)."""
        return " ".join(str(v).strip() for v in self.values if v is not None and str(v).strip())


@dataclass(frozen=True, slots=True)
class RawRelation:
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
    for result in results:
        if not isinstance(result, dict):
            out.not_objects += 1
            continue
        rtype = str(result.get("type", "")).lower()
        if rtype == "relation":
            labels = result.get("labels")
            direction = result.get("direction")
            from_id, to_id, swapped = orient(result.get("from_id"), result.get("to_id"), direction)
            out.relations.append(
                RawRelation(
                    from_id, to_id, tuple(labels) if isinstance(labels, list) else (), direction, swapped
                )
            )
            continue
        value = result.get("value")
        value = value if isinstance(value, dict) else {}
        rid = str(result.get("id", ""))
        name = str(result.get("from_name", ""))
        if rtype == "labels":
            labels = value.get("labels")
            out.regions.append(
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
            out.attributes.append(
                RawAttribute(rid, name, rtype, tuple(choices) if isinstance(choices, list) else ())
            )
        elif rtype == "textarea":
            raw = value.get("text")
            out.attributes.append(
                RawAttribute(rid, name, rtype, tuple(raw) if isinstance(raw, list) else (raw,))
            )
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
        known_names = {spec.labels_name, *(a.name for a in spec.attributes)}
        out = {
            "labels": Counter({k: n for k, n in self.labels.items() if k not in spec.span_label_names}),
            "from_names": Counter({k: n for k, n in self.from_names.items() if k not in known_names}),
            "relation labels": Counter(
                {k: n for k, n in self.relation_labels.items() if k not in spec.relation_label_names}
            ),
        }
        return {kind: found for kind, found in out.items() if found}

    def known_count(self, spec: AnnotationSpec = SPEC) -> int:
        """How many regions carried one of the spec's labels."""
        return sum(n for k, n in self.labels.items() if k in spec.span_label_names)


@dataclass(frozen=True)
class _SpecTables:
    labels: dict[str, str]  # name → the spec's own string (one object per label, not one per span)
    attributes: dict[str, Attribute]
    relations: dict[str, RelationLabel]
    allowed: dict[str, frozenset[str]]


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
    counts = counts if counts is not None else Counter()
    tables = _tables(spec)
    raw = split_results(results)
    for rtype, rid in raw.other:
        report("unknown_result", f"result type {rtype!r} (region {rid!r}) is not used", rid)

    placed: dict[str, tuple[str, int, int]] = {}  # region id → (label, start, end)
    span_attrs: dict[str, dict[str, str]] = {}
    seen_regions: set[str] = set()
    misplaced: list[tuple[str, str]] = []
    for region in raw.regions:
        rid = region.id
        if rid in seen_regions:
            report("duplicate_region", f"region {rid!r} has two labels results; the first is kept", rid)
            continue
        seen_regions.add(rid)
        if names is not None:
            names.from_names[region.from_name] += 1
            for lab in region.labels:
                names.labels[str(lab)] += 1
        if region.from_name and region.from_name != spec.labels_name:
            report(
                "unknown_from_name",
                f"region {rid!r} comes from {region.from_name!r}, not {spec.labels_name!r}: another "
                "labeling config",
                rid,
            )
            continue
        if len(region.labels) != 1:
            report(
                "bad_label",
                f"region {rid!r} has labels {list(region.labels)!r}; exactly one is required",
                rid,
            )
            continue
        label = tables.labels.get(str(region.labels[0]), "")
        if not label:
            label = str(region.labels[0])
            report(
                "unknown_label", f"region {rid!r} has label {label!r}; known: {sorted(tables.labels)}", rid
            )
            continue
        where = locate_region(text, region.start, region.end, region.text)
        if not isinstance(where, Located):
            misplaced.append((rid, label))
            report(
                where.kind, f"region {rid!r} ({label}): {where.detail} — fix the region in Label Studio", rid
            )
            continue
        if where.reading != "as_given":
            counts["spans_realigned"] += 1
            counts[f"spans_realigned_{where.reading}"] += 1
        elif isinstance(region.text, str) and region.text != text[where.start : where.end]:
            counts["value_text_differs"] += 1
        start, end = where.start, where.end
        sliced = text[start:end]
        lead = len(sliced) - len(sliced.lstrip())
        trail = len(sliced) - len(sliced.rstrip())
        if lead + trail >= len(sliced):
            report("empty_span", f"region {rid!r} ({label}) at {start}:{end} is only whitespace", rid)
            continue
        if lead or trail:
            counts["spans_trimmed"] += 1
            counts["whitespace_trimmed_chars"] += lead + trail
        placed[rid] = (label, start + lead, end - trail)
        span_attrs[rid] = {}

    for attr_result in raw.attributes:
        rid, name = attr_result.id, attr_result.name
        if names is not None:
            names.from_names[name] += 1
        attr = tables.attributes.get(name)
        if attr is None:
            report("unknown_attribute", f"region {rid!r}: {name!r} is not an attribute of the spec", rid)
            continue
        region_place = placed.get(rid)
        if region_place is None:
            if rid not in seen_regions:
                report("orphan_attribute", f"{name!r} result for region {rid!r}, which has no span", rid)
            continue
        if attr.name not in tables.allowed[region_place[0]]:
            report("attribute_not_allowed", f"region {rid!r}: {region_place[0]} takes no {name!r}", rid)
            continue
        if attr.kind == "choice":
            choices = attr_result.values
            if len(choices) != 1 or choices[0] not in attr.choices:
                report(
                    "bad_choice",
                    f"region {rid!r}: {name}={list(choices)!r}; must be one of {list(attr.choices)}",
                    rid,
                )
                continue
            span_attrs[rid][attr.name] = next(c for c in attr.choices if c == choices[0])
        else:
            joined = attr_result.joined()
            if joined:
                span_attrs[rid][attr.name] = joined

    final = {
        rid: Span(id=rid, label=label, start=start, end=end, text=text[start:end], attributes=span_attrs[rid])
        for rid, (label, start, end) in placed.items()
    }

    relations: list[Relation] = []
    seen: set[tuple[str, str, str]] = set()
    for rel in raw.relations:
        labels = rel.labels
        if names is not None:
            for lab in labels:
                names.relation_labels[str(lab)] += 1
        from_id, to_id = str(rel.from_id or ""), str(rel.to_id or "")
        rel_region = f"{from_id}→{to_id}"
        where_rel = f"relation {from_id!r}→{to_id!r} {list(labels)!r}"
        if from_id not in final or to_id not in final:
            report("dangling_relation", f"{where_rel}: an endpoint is not a kept span", rel_region)
            continue
        if rel.direction == "bi":
            report(
                "bidirectional_relation",
                f"{where_rel} is bidirectional; draw it from → to and relabel",
                rel_region,
            )
            continue
        if rel.direction not in (None, "right", "left"):
            report(
                "bad_direction",
                f"{where_rel}: direction {rel.direction!r} is not right/left",
                rel_region,
            )
            continue
        if rel.swapped:
            counts["relations_swapped"] += 1
        if len(labels) != 1:
            report(
                "bad_relation_label",
                f"{where_rel}: exactly one relation label is required",
                rel_region,
            )
            continue
        rel_spec = tables.relations.get(str(labels[0]))
        if rel_spec is None:
            report(
                "bad_relation_label",
                f"{where_rel}: unknown relation label; known: {list(tables.relations)}",
                rel_region,
            )
            continue
        src, dst = final[from_id], final[to_id]
        if src.label not in rel_spec.from_labels or dst.label not in rel_spec.to_labels:
            report(
                "bad_endpoint_labels",
                f"{where_rel}: {rel_spec.name} goes {'/'.join(rel_spec.from_labels)} → "
                f"{'/'.join(rel_spec.to_labels)}, not {src.label} → {dst.label}",
                rel_region,
            )
            continue
        key = (from_id, to_id, rel_spec.name)
        if key in seen:
            continue
        seen.add(key)
        relations.append(Relation(from_id=src.id, to_id=dst.id, label=rel_spec.name))
    ordered = sorted(final.values(), key=lambda s: (s.start, s.end, s.label, s.id))
    return ParsedResults(spans=tuple(ordered), relations=tuple(relations), misplaced=tuple(misplaced))
