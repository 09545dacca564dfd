"""The four artifacts generated from the spec agree with it, and follow it when it changes."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pandas as pd
import pandera.errors
import pytest
from datasets import ClassLabel, List
from label_studio_sdk.label_interface import LabelInterface
from typer.testing import CliRunner

from stancebank.schema.cli import app
from stancebank.schema.export_artifacts import write_artifacts
from stancebank.schema.features import CONFIGS, dataset_features
from stancebank.schema.instructions import REFERENCE_MARKER, guidelines_markdown, render_instructions
from stancebank.schema.label_config import build_label_config
from stancebank.schema.spec import SPEC, AnnotationSpec, Attribute, SpanLabel, required_bump
from stancebank.schema.tables import table_schemas

SCHEMA_DIR = Path(__file__).resolve().parents[2] / "schema"


def _extended_spec() -> AnnotationSpec:
    """The spec plus one new label (with an attribute) and one new choice on an old attribute."""
    actor = SPEC.span_label("ACTOR")
    new_actor_type = Attribute(
        name=actor.attributes[0].name,
        kind="choice",
        title=actor.attributes[0].title,
        description=actor.attributes[0].description,
        choices=(*actor.attributes[0].choices, "anonymous_source"),
    )
    actor2 = SpanLabel(
        name=actor.name,
        description=actor.description,
        color=actor.color,
        hotkey=actor.hotkey,
        attributes=(new_actor_type, *actor.attributes[1:]),
    )
    event = SpanLabel(
        name="EVENT",
        description="A reported event.",
        color="#9467bd",
        hotkey="e",
        attributes=(
            Attribute(
                name="event_kind", kind="choice", title="Kind", description="k", choices=("talks", "strike")
            ),
        ),
    )
    labels = (*tuple(actor2 if lbl.name == actor.name else lbl for lbl in SPEC.span_labels), event)
    return SPEC.with_changes(span_labels=labels, version="1.1.0")


# -- 1. Label Studio XML ------------------------------------------------------------------------


def _interface(spec: AnnotationSpec) -> LabelInterface:
    return LabelInterface(build_label_config(spec))


@pytest.mark.parametrize("spec", [SPEC, _extended_spec()], ids=["v1", "extended"])
def test_label_config_is_accepted_by_label_interface_and_complete(spec: AnnotationSpec) -> None:
    li = _interface(spec)
    labels = li.get_control(spec.labels_name)
    assert labels.tag == "Labels"
    assert list(labels.labels) == list(spec.span_label_names)
    assert [o.name for o in labels.objects] == [spec.text_name]
    for attr in spec.attributes:
        control = li.get_control(attr.name)
        assert control.tag == ("Choices" if attr.kind == "choice" else "TextArea")
        if attr.kind == "choice":
            assert list(control.labels) == list(attr.choices)
        assert control.attr["perRegion"] == "true"
    root = ET.fromstring(build_label_config(spec))
    relations = [r.get("value") for r in root.iter("Relation")]
    assert relations == list(spec.relation_label_names)


def test_label_config_colours_hotkeys_and_conditional_panels() -> None:
    root = ET.fromstring(build_label_config(SPEC))
    by_value = {lbl.get("value"): lbl for lbl in root.iter("Label")}
    for label in SPEC.span_labels:
        assert by_value[label.name].get("hotkey") == label.hotkey
        assert by_value[label.name].get("background") == label.color
    panels = [v for v in root.iter("View") if v.get("visibleWhen") == "region-selected"]
    owners = {p.get("whenLabelValue"): {c.get("name") for c in p if c.get("name")} for p in panels}
    for label in SPEC.span_labels:
        if label.attributes:
            assert owners[label.name] == {a.name for a in label.attributes}
            assert all(p.get("whenTagName") == SPEC.labels_name for p in panels)
    style = root.find("Style")
    assert style is not None and "pre-wrap" in (style.text or "")


def test_label_config_style_survives_label_studios_html_sanitiser() -> None:
    """Label Studio passes a <Style> through its HTML sanitiser before it becomes a <style>: a
    ">", "<" or "&" arrives escaped and voids its rule (seen in 1.23.2: a child combinator did
    nothing). The readability rules (line height, faint relations) must all be there."""
    style = ET.fromstring(build_label_config(SPEC)).find("Style")
    assert style is not None and style.text
    assert not set(style.text) & set("<>&"), style.text
    for rule in ("white-space: pre-wrap", "line-height:", ".relations-overlay g[id] { opacity:"):
        assert rule in style.text


def test_committed_label_config_matches_the_spec() -> None:
    committed = (SCHEMA_DIR / "label_config.xml").read_text(encoding="utf-8")
    assert committed == build_label_config(SPEC), "schema/label_config.xml is stale: run `make schema`"


# -- 2. Instructions ----------------------------------------------------------------------------


def test_guidelines_hold_the_reference_marker_and_cover_every_label() -> None:
    md = guidelines_markdown()
    assert REFERENCE_MARKER in md
    html = render_instructions(SPEC)
    for name in (*SPEC.span_label_names, *SPEC.relation_label_names):
        assert f"<strong>{name}</strong>" in html
    for attr in SPEC.attributes:
        assert attr.name in html
    assert REFERENCE_MARKER not in html
    assert "<table>" in html


def test_instructions_follow_a_spec_change() -> None:
    html = render_instructions(_extended_spec())
    assert "<strong>EVENT</strong>" in html
    assert "anonymous_source" in html and "event_kind" in html


# -- 3. pandera tables --------------------------------------------------------------------------


def _span_row(label: str, **attrs: str | None) -> dict[str, object]:
    return {"article_id": "a1", "span_id": "s1", "label": label, "start": 0, "end": 3, "text": "abc", **attrs}


def test_span_table_accepts_known_and_rejects_unknown_labels() -> None:
    schema = table_schemas(SPEC)["spans"]
    schema.validate(pd.DataFrame([_span_row("ACTOR", actor_type="person")]))
    with pytest.raises(pandera.errors.SchemaErrors) as err:
        schema.validate(pd.DataFrame([_span_row("EVENT"), _span_row("ACTOR", actor_type="alien")]), lazy=True)
    failing = set(err.value.failure_cases["failure_case"].astype(str))
    assert {"EVENT", "alien"} <= failing


def test_tables_follow_a_spec_change() -> None:
    spec = _extended_spec()
    schema = table_schemas(spec)["spans"]
    assert "event_kind" in schema.columns
    schema.validate(pd.DataFrame([_span_row("EVENT", event_kind="talks", actor_type="anonymous_source")]))


def test_relation_and_claim_tables_use_spec_values() -> None:
    schemas = table_schemas(SPEC)
    rel = pd.DataFrame([{"article_id": "a", "from_id": "x", "to_id": "y", "label": "endorse"}])
    with pytest.raises(pandera.errors.SchemaError):
        schemas["relations"].validate(rel)
    assert set(schemas) == {"articles", "spans", "relations", "claims", "annotations"}


def test_span_end_must_follow_start() -> None:
    bad = pd.DataFrame([{**_span_row("TARGET"), "start": 5, "end": 5}])
    with pytest.raises(pandera.errors.SchemaError, match="end_after_start"):
        table_schemas(SPEC)["spans"].validate(bad)


# -- 4. datasets Features -----------------------------------------------------------------------


def test_features_use_list_of_structs_with_classlabels() -> None:
    features = dataset_features(SPEC)
    assert tuple(features) == CONFIGS
    docs = features["documents"]
    assert isinstance(docs["spans"], List) and isinstance(docs["spans"].feature, dict)
    assert docs["spans"].feature["label"] == ClassLabel(names=list(SPEC.span_label_names))
    assert docs["relations"].feature["label"] == ClassLabel(names=list(SPEC.relation_label_names))
    claims = features["claims"]
    assert claims["stance"] == ClassLabel(names=list(SPEC.stance_names))
    for attr in SPEC.attributes:
        assert attr.name in docs["spans"].feature["attributes"]
        assert attr.name in claims


def test_features_follow_a_spec_change() -> None:
    docs = dataset_features(_extended_spec())["documents"]
    span = docs["spans"].feature
    assert "EVENT" in span["label"].names
    assert span["attributes"]["event_kind"].names == ["talks", "strike"]
    assert span["attributes"]["actor_type"].names[-1] == "anonymous_source"


# -- schema evolution ---------------------------------------------------------------------------


def test_appending_is_minor_and_removing_is_major() -> None:
    assert required_bump(SPEC, SPEC) == "none"
    assert required_bump(SPEC, _extended_spec()) == "minor"
    assert required_bump(_extended_spec(), SPEC) == "major"
    renamed = SPEC.with_changes(span_labels=(SPEC.span_labels[1], SPEC.span_labels[0], SPEC.span_labels[2]))
    assert required_bump(SPEC, renamed) == "major"


def test_spec_rejects_relations_to_unknown_labels() -> None:
    from stancebank.schema.spec import RelationLabel

    bad = RelationLabel(
        name="x", description="", role="attribution", from_labels=("CLAIM",), to_labels=("NOPE",)
    )
    with pytest.raises(ValueError, match="NOPE"):
        SPEC.with_changes(relation_labels=(*SPEC.relation_labels, bad))


# -- CLI ----------------------------------------------------------------------------------------


def test_cli_schema_export_writes_every_artifact(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["schema", "export", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == sorted(
        ["label_config.xml", "instructions.html"]
        + [f"features-{c}.json" for c in CONFIGS]
        + [f"table-{t}.json" for t in ("articles", "spans", "relations", "claims", "annotations")]
    )
    assert (tmp_path / "label_config.xml").read_text(encoding="utf-8") == build_label_config(SPEC)
    spans = json.loads((tmp_path / "features-documents.json").read_text())["spans"]
    assert spans["_type"] == "List"
    assert spans["feature"]["label"]["names"] == list(SPEC.span_label_names)


def test_write_artifacts_is_deterministic(tmp_path: Path) -> None:
    a = write_artifacts(tmp_path / "a")
    b = write_artifacts(tmp_path / "b")
    assert [p.read_bytes() for p in a] == [p.read_bytes() for p in b]


def test_instructions_list_the_project_catalogue_only_when_there_is_one() -> None:
    from stancebank.schema.instructions import render_instructions
    from stancebank.schema.project import Target

    plain = render_instructions()
    assert "Target catalogue" not in plain and "target_name" in plain
    catalogue = [
        Target("congestion charge", ("the charge",), ("congestion (fee|levy)s?",), "A daily fee | downtown."),
        Target("bike lanes"),
    ]
    html = render_instructions(catalogue=catalogue)
    assert html.startswith(plain.split("</div>")[0][:200])
    tail = html.split("Target catalogue", 1)[1]
    assert tail.index("congestion charge") < tail.index("bike lanes")
    assert "“the charge”" in tail and "<code>congestion (fee|levy)s?</code>" in tail
    assert "A daily fee | downtown." in tail  # a pipe in a description does not break the table
    assert tail.count("<tr>") == 3
