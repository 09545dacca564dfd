"""The annotation scheme, declared once.

Everything that names a label — the Label Studio config, the annotator instructions, the pandera
tables, the ``datasets.Features`` of every published config — is generated from :data:`SPEC`.
No other module spells a label name.

Label lists, relation lists and attribute choices are **append-only**: their order is the
ClassLabel order of the published dataset. Renaming or removing a value is a major version bump
of :attr:`AnnotationSpec.version` (see :func:`required_bump`).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Literal

from stancebank.schema.errors import SpecError

SPLITS: tuple[str, ...] = ("train", "validation", "test")
"""The dataset splits, in release order."""

AttributeKind = Literal["choice", "text"]
RelationRole = Literal["attribution", "stance"]
Polarity = Literal["support", "oppose", "neutral"]
"""What a stance relation means, whatever its label is called."""
AttributeRole = Literal["actor_type", "actor_name", "claim_form", "target_name"]
"""What an attribute means to the tools that fill or read it (pre-annotation, the claims table)."""


@dataclass(frozen=True)
class Attribute:
    """A per-region attribute shown while a region of its label is selected."""

    name: str
    kind: AttributeKind
    description: str
    title: str
    choices: tuple[str, ...] = ()
    choice_descriptions: tuple[str, ...] = ()
    placeholder: str = ""
    role: AttributeRole | None = None

    def __post_init__(self) -> None:
        if self.kind == "choice" and not self.choices:
            raise ValueError(f"attribute {self.name!r}: a choice attribute needs choices")
        if self.kind == "text" and self.choices:
            raise ValueError(f"attribute {self.name!r}: a text attribute takes no choices")
        if self.choice_descriptions and len(self.choice_descriptions) != len(self.choices):
            raise ValueError(
                f"attribute {self.name!r}: give one description per choice "
                f"({len(self.choices)} choices, {len(self.choice_descriptions)} descriptions)"
            )
        if len(set(self.choices)) != len(self.choices):
            raise ValueError(f"attribute {self.name!r}: choices must be unique: {list(self.choices)}")

    def choice(self, name: str) -> str:
        """The choice called ``name``; a :class:`SpecError` when the spec has no such choice."""
        if name not in self.choices:
            raise SpecError(
                f"attribute {self.name!r} has no choice {name!r} (choices: {', '.join(self.choices)}); "
                "add it to the spec (append-only) or update the code that asks for it"
            )
        return name


@dataclass(frozen=True)
class SpanLabel:
    name: str
    description: str
    color: str
    hotkey: str
    attributes: tuple[Attribute, ...] = ()


@dataclass(frozen=True)
class RelationLabel:
    """A directed relation ``from_labels → to_labels`` with one label."""

    name: str
    description: str
    role: RelationRole
    from_labels: tuple[str, ...]
    to_labels: tuple[str, ...]
    polarity: Polarity | None = None
    """The meaning of a stance relation (required for ``role="stance"``, none for attribution)."""

    def __post_init__(self) -> None:
        if (self.role == "stance") != (self.polarity is not None):
            raise ValueError(
                f"relation {self.name!r}: a stance relation needs a polarity (support/oppose/neutral) "
                f"and an attribution relation takes none (role {self.role!r}, polarity {self.polarity!r})"
            )


@dataclass(frozen=True)
class AnnotationSpec:
    version: str
    span_labels: tuple[SpanLabel, ...]
    relation_labels: tuple[RelationLabel, ...]
    # Names of the Label Studio control tags; they are the ``from_name``/``to_name`` of exports.
    text_name: str = "text"
    labels_name: str = "label"
    title: str = "stancebank: actors, claims and stances in news"
    extra: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        names = [label.name for label in self.span_labels]
        if len(set(names)) != len(names):
            raise ValueError(f"span label names must be unique: {names}")
        hotkeys = [label.hotkey for label in self.span_labels]
        if len(set(hotkeys)) != len(hotkeys):
            raise ValueError(f"span label hotkeys must be unique: {hotkeys}")
        rel_names = [rel.name for rel in self.relation_labels]
        if len(set(rel_names)) != len(rel_names):
            raise ValueError(f"relation label names must be unique: {rel_names}")
        attr_names = [attr.name for attr in self.attributes]
        reserved = {self.text_name, self.labels_name}
        if len(set(attr_names)) != len(attr_names) or reserved & set(attr_names):
            raise ValueError(
                f"attribute names must be unique and differ from {sorted(reserved)}: {attr_names}"
            )
        for rel in self.relation_labels:
            unknown = (set(rel.from_labels) | set(rel.to_labels)) - set(names)
            if unknown:
                raise ValueError(f"relation {rel.name!r} names unknown span labels {sorted(unknown)}")
        polarities = [rel.polarity for rel in self.stance_labels]
        if len(set(polarities)) != len(polarities):
            raise ValueError(f"each stance polarity may belong to one relation only: {polarities}")
        roles = [attr.role for attr in self.attributes if attr.role is not None]
        if len(set(roles)) != len(roles):
            raise ValueError(f"each attribute role may belong to one attribute only: {roles}")
        if len(self.attribution_labels) > 1:
            raise ValueError(
                f"one attribution relation is expected, found {[r.name for r in self.attribution_labels]}"
            )
        _parse_version(self.version)

    # -- derived views -------------------------------------------------------------------------
    @property
    def span_label_names(self) -> tuple[str, ...]:
        return tuple(label.name for label in self.span_labels)

    @property
    def relation_label_names(self) -> tuple[str, ...]:
        return tuple(rel.name for rel in self.relation_labels)

    @property
    def stance_labels(self) -> tuple[RelationLabel, ...]:
        return tuple(rel for rel in self.relation_labels if rel.role == "stance")

    @property
    def stance_names(self) -> tuple[str, ...]:
        return tuple(rel.name for rel in self.stance_labels)

    @property
    def attribution_labels(self) -> tuple[RelationLabel, ...]:
        return tuple(rel for rel in self.relation_labels if rel.role == "attribution")

    @property
    def attribution_label(self) -> RelationLabel:
        """The one attribution relation (actor → claim)."""
        if not self.attribution_labels:
            raise SpecError("the spec has no attribution relation (role='attribution'); add one")
        return self.attribution_labels[0]

    def stance_label(self, polarity: Polarity) -> RelationLabel:
        """The stance relation with this meaning; a :class:`SpecError` when the spec has none."""
        for rel in self.stance_labels:
            if rel.polarity == polarity:
                return rel
        known = ", ".join(f"{rel.name}={rel.polarity}" for rel in self.stance_labels)
        raise SpecError(
            f"the spec has no stance relation with polarity {polarity!r} (stance relations: {known}); "
            "add one or update the code that asks for it"
        )

    def stance_polarity(self, name: str) -> Polarity:
        """The polarity of the stance relation called ``name`` (a :class:`SpecError` if none is)."""
        for rel in self.stance_labels:
            if rel.name == name and rel.polarity is not None:
                return rel.polarity
        raise SpecError(
            f"{name!r} is not a stance relation of the spec "
            f"(stance relations: {', '.join(self.stance_names)})"
        )

    def attribute_for(self, role: AttributeRole) -> Attribute:
        """The attribute playing ``role``; a :class:`SpecError` when no attribute declares it."""
        for attr in self.attributes:
            if attr.role == role:
                return attr
        known = ", ".join(f"{a.name}={a.role}" for a in self.attributes)
        raise SpecError(
            f"no attribute of the spec has the role {role!r} (attributes: {known}); "
            "declare it with Attribute(role=...) or update the code that asks for it"
        )

    @property
    def attributes(self) -> tuple[Attribute, ...]:
        return tuple(attr for label in self.span_labels for attr in label.attributes)

    def span_label(self, name: str) -> SpanLabel:
        for label in self.span_labels:
            if label.name == name:
                return label
        raise KeyError(f"unknown span label {name!r}; known: {', '.join(self.span_label_names)}")

    def relation_label(self, name: str) -> RelationLabel:
        for rel in self.relation_labels:
            if rel.name == name:
                return rel
        raise KeyError(f"unknown relation label {name!r}; known: {', '.join(self.relation_label_names)}")

    def attribute(self, name: str) -> Attribute:
        for attr in self.attributes:
            if attr.name == name:
                return attr
        known = ", ".join(a.name for a in self.attributes)
        raise KeyError(f"unknown attribute {name!r}; known: {known}")

    def attribute_owner(self, name: str) -> SpanLabel:
        """The span label an attribute belongs to."""
        for label in self.span_labels:
            if any(attr.name == name for attr in label.attributes):
                return label
        raise KeyError(f"unknown attribute {name!r}")

    def role_label(self, role: Literal["actor", "claim", "target"]) -> str:
        """The span label playing a role in the actor → claim → target chain.

        The chain is read off the relations: the attribution relation goes actor → claim, the
        stance relations go claim → target.
        """
        attribution = self.attribution_label
        if not self.stance_labels:
            raise SpecError("the spec has no stance relation (role='stance'); add one")
        stance = self.stance_labels[0]
        if role == "actor":
            return attribution.from_labels[0]
        if role == "claim":
            return attribution.to_labels[0]
        return stance.to_labels[0]

    def with_changes(self, **changes: object) -> AnnotationSpec:
        """A copy with some fields replaced (used by tests and by schema evolution tools)."""
        return replace(self, **changes)  # type: ignore[arg-type]


def _parse_version(version: str) -> tuple[int, int, int]:
    parts = version.split(".")
    if len(parts) != 3 or not all(p.isdigit() for p in parts):
        raise ValueError(f"schema version {version!r} is not semver X.Y.Z")
    major, minor, patch = (int(p) for p in parts)
    return major, minor, patch


def parse_version(version: str) -> tuple[int, int, int]:
    """Parse ``X.Y.Z`` into a tuple; raises ``ValueError`` naming the bad value."""
    return _parse_version(version)


def required_bump(old: AnnotationSpec, new: AnnotationSpec) -> Literal["none", "minor", "major"]:
    """The smallest version bump that ``old → new`` needs.

    Appending labels, relations, attributes or choices is minor; removing, renaming or
    reordering any of them changes ClassLabel ids and is major.
    """

    def is_prefix(a: tuple[str, ...], b: tuple[str, ...]) -> bool:
        return b[: len(a)] == a

    pairs: list[tuple[tuple[str, ...], tuple[str, ...]]] = [
        (old.span_label_names, new.span_label_names),
        (old.relation_label_names, new.relation_label_names),
        (tuple(a.name for a in old.attributes), tuple(a.name for a in new.attributes)),
    ]
    new_attrs = {a.name: a for a in new.attributes}
    for attr in old.attributes:
        if attr.name in new_attrs:
            pairs.append((attr.choices, new_attrs[attr.name].choices))
    if any(not is_prefix(a, b) for a, b in pairs):
        return "major"
    if any(a != b for a, b in pairs):
        return "minor"
    return "none"


ACTOR_TYPES = ("person", "organization", "government", "group", "other")
CLAIM_FORMS = ("direct", "indirect", "mixed")

SPEC = AnnotationSpec(
    version="1.1.0",
    span_labels=(
        SpanLabel(
            name="ACTOR",
            description=(
                "A person, organisation, government or group that voices or holds a position — "
                "a name, a title with a name, a description ('the Ukrainian head of state') or a "
                "pronoun when it is the speaker."
            ),
            color="#1f77b4",
            hotkey="a",
            attributes=(
                Attribute(
                    name="actor_type",
                    role="actor_type",
                    kind="choice",
                    title="Actor type",
                    description="What kind of actor this is.",
                    choices=ACTOR_TYPES,
                    choice_descriptions=(
                        "an individual, named or described",
                        "a company, party, NGO, alliance or international body",
                        "a state, its government, ministry or capital used for it",
                        "an unorganised collective: protesters, residents, voters",
                        "anything else that voices a position",
                    ),
                ),
                Attribute(
                    name="actor_name",
                    role="actor_name",
                    kind="text",
                    title="Canonical name",
                    description=(
                        "The actor's canonical name when it is resolvable, e.g. 'Volodymyr "
                        "Zelensky' for 'he', 'Zelenskyy' or 'the Ukrainian president'."
                    ),
                    placeholder="canonical name, e.g. Volodymyr Zelensky",
                ),
            ),
        ),
        SpanLabel(
            name="CLAIM",
            description=(
                "A statement attributed to an actor: a direct quote, reported (indirect) speech, "
                "or a mix of both."
            ),
            color="#2ca02c",
            hotkey="c",
            attributes=(
                Attribute(
                    name="claim_form",
                    role="claim_form",
                    kind="choice",
                    title="Claim form",
                    description="How the statement is rendered.",
                    choices=CLAIM_FORMS,
                    choice_descriptions=(
                        "entirely inside quotation marks",
                        "reported speech, no quotation marks",
                        "reported speech with a quoted fragment",
                    ),
                ),
            ),
        ),
        SpanLabel(
            name="TARGET",
            description=(
                "What a stance is about: a policy, proposal, action or entity ('a ceasefire', "
                "'territorial concessions', 'the tariffs')."
            ),
            color="#ff7f0e",
            hotkey="t",
            attributes=(
                Attribute(
                    name="target_name",
                    role="target_name",
                    kind="text",
                    title="Canonical target",
                    description=(
                        "The target's canonical name from the project's catalogue, e.g. 'tariffs' "
                        "for 'the duties' or 'the measures'; leave empty when the catalogue has none."
                    ),
                    placeholder="canonical target, e.g. congestion charge",
                ),
            ),
        ),
    ),
    relation_labels=(
        RelationLabel(
            name="source",
            description="The actor who makes the claim.",
            role="attribution",
            from_labels=("ACTOR",),
            to_labels=("CLAIM",),
        ),
        RelationLabel(
            name="support",
            description="The claim argues for the target.",
            role="stance",
            polarity="support",
            from_labels=("CLAIM",),
            to_labels=("TARGET",),
        ),
        RelationLabel(
            name="oppose",
            description="The claim argues against the target.",
            role="stance",
            polarity="oppose",
            from_labels=("CLAIM",),
            to_labels=("TARGET",),
        ),
        RelationLabel(
            name="neutral",
            description="The claim is about the target but takes no side.",
            role="stance",
            polarity="neutral",
            from_labels=("CLAIM",),
            to_labels=("TARGET",),
        ),
    ),
)
