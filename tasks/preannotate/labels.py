"""The spec's labels, relations and attribute choices the pre-annotator writes, looked up by meaning.

A spec without one of them fails here, at import, with a :class:`~stancebank.schema.errors.SpecError`
naming what is missing.
"""

from __future__ import annotations

from stancebank.schema.spec import SPEC

ACTOR = SPEC.role_label("actor")
CLAIM = SPEC.role_label("claim")
TARGET = SPEC.role_label("target")
SOURCE = SPEC.attribution_label.name

_ACTOR_TYPE = SPEC.attribute_for("actor_type")
_CLAIM_FORM = SPEC.attribute_for("claim_form")
ACTOR_TYPE = _ACTOR_TYPE.name
ACTOR_NAME = SPEC.attribute_for("actor_name").name
CLAIM_FORM = _CLAIM_FORM.name
TARGET_NAME = SPEC.attribute_for("target_name").name
ACTOR_TYPES = _ACTOR_TYPE.choices

PERSON = _ACTOR_TYPE.choice("person")
ORGANIZATION = _ACTOR_TYPE.choice("organization")
GOVERNMENT = _ACTOR_TYPE.choice("government")
GROUP = _ACTOR_TYPE.choice("group")
OTHER = _ACTOR_TYPE.choice("other")

DIRECT = _CLAIM_FORM.choice("direct")
INDIRECT = _CLAIM_FORM.choice("indirect")
MIXED = _CLAIM_FORM.choice("mixed")

SUPPORT = SPEC.stance_label("support").name
OPPOSE = SPEC.stance_label("oppose").name
NEUTRAL = SPEC.stance_label("neutral").name
