"""Generate the Label Studio labeling config XML from the spec."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from stancebank.schema.spec import SPEC, AnnotationSpec, Attribute, SpanLabel

# What annotators see must match the offsets: keep every space and line break as in the text.
# Label Studio 1.23 renders a Text tag as ``.lsf-richtext__line`` blocks.
TEXT_STYLE = ".lsf-richtext__line { white-space: pre-wrap; overflow-wrap: anywhere; }"


def _attribute_control(spec: AnnotationSpec, attr: Attribute) -> ET.Element:
    if attr.kind == "choice":
        control = ET.Element(
            "Choices",
            {
                "name": attr.name,
                "toName": spec.text_name,
                "perRegion": "true",
                "choice": "single-radio",
                "showInline": "true",
            },
        )
        for i, value in enumerate(attr.choices):
            choice = ET.SubElement(control, "Choice", {"value": value})
            if attr.choice_descriptions:
                choice.set("hint", attr.choice_descriptions[i])
        return control
    return ET.Element(
        "TextArea",
        {
            "name": attr.name,
            "toName": spec.text_name,
            "perRegion": "true",
            "editable": "true",
            "maxSubmissions": "1",
            "rows": "1",
            "placeholder": attr.placeholder,
        },
    )


def _attribute_panel(spec: AnnotationSpec, label: SpanLabel) -> ET.Element:
    panel = ET.Element(
        "View",
        {
            "visibleWhen": "region-selected",
            "whenTagName": spec.labels_name,
            "whenLabelValue": label.name,
        },
    )
    for attr in label.attributes:
        ET.SubElement(
            panel,
            "Header",
            {"value": f"{attr.title} ({label.name}): {attr.description}", "size": "6"},
        )
        panel.append(_attribute_control(spec, attr))
    return panel


def build_label_config(spec: AnnotationSpec = SPEC) -> str:
    """The ``<View>`` XML for a Label Studio project, deterministic for a given spec."""
    view = ET.Element("View")
    ET.SubElement(view, "Style").text = TEXT_STYLE
    ET.SubElement(
        view,
        "Header",
        {"value": f"{spec.title} — schema {spec.version}", "size": "5"},
    )
    labels = ET.SubElement(view, "Labels", {"name": spec.labels_name, "toName": spec.text_name})
    for label in spec.span_labels:
        ET.SubElement(
            labels,
            "Label",
            {
                "value": label.name,
                "background": label.color,
                "hotkey": label.hotkey,
                "hint": label.description,
            },
        )
    ET.SubElement(view, "Text", {"name": spec.text_name, "value": f"${spec.text_name}"})
    relations = ET.SubElement(view, "Relations")
    for rel in spec.relation_labels:
        ET.SubElement(relations, "Relation", {"value": rel.name})
    for label in spec.span_labels:
        if label.attributes:
            view.append(_attribute_panel(spec, label))
    ET.indent(view, space="  ")
    return ET.tostring(view, encoding="unicode") + "\n"
