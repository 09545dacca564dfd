"""Generate the Label Studio labeling config XML from the spec."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from stancebank.schema.spec import SPEC, AnnotationSpec, Attribute, SpanLabel

# What annotators see must match the offsets: keep every space and line break as in the text.
# Label Studio 1.23 renders a Text tag as ``.lsf-richtext__line`` blocks inside ``.lsf-richtext``.
TEXT_STYLE = ".lsf-richtext__line { white-space: pre-wrap; overflow-wrap: anywhere; }"

# A pilot article carries ~30 pre-annotated regions and ~20 relations. Label Studio draws every
# relation as an arrow with its label box a few pixels above the regions it links, over the
# previous line of text, so the words under them cannot be read. What its 1.23 UI offers for that
# is hiding relations one by one or all at once (the eye buttons of the Relations tab, per user and
# session) and highlighting one (hover in the Relations tab: it is drawn in full, the others dim).
# The default view is made readable with styles only, none of which changes what is selectable:
# - lines 3 high: an arrow rises 15 px above its region and its 20 px label box is centred there,
#   so the box needs ~25 px free above a line of ~19 px glyphs; at 3 × 16 px it sits in the gap;
# - relations drawn at 40 % opacity until one is highlighted (Label Studio's own rules then win:
#   the highlighted one in full, the rest at 20 %), so a word under an arrow stays readable;
# - a left margin for the arrows Label Studio routes left of the text (regions that start a line).
# Label Studio sanitises a <Style> as HTML: ">" and "&" would arrive escaped and void a rule, so
# the selectors use descendant combinators and attribute selectors only (``g[id]`` is one
# relation: its label box is an inner ``g`` without an id).
RELATION_OPACITY = 0.4
LINE_HEIGHT = 3.0
READABLE_STYLE = (
    f".lsf-richtext__line {{ line-height: {LINE_HEIGHT}; }} "
    ".lsf-richtext { padding-left: 28px; } "
    f".relations-overlay g[id] {{ opacity: {RELATION_OPACITY}; }}"
)


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
    ET.SubElement(view, "Style").text = f"{TEXT_STYLE} {READABLE_STYLE}"
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
