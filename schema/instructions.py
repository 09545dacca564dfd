"""Annotator instructions: ``GUIDELINES.md`` plus a label reference generated from the spec.

The guidelines are prose written by people; the reference (labels, hotkeys, attributes, relations
and their allowed endpoints) is generated so it can never disagree with the labeling config.
The marker ``<!-- spec:reference -->`` in the guidelines says where the reference goes.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from importlib import resources

from markdown_it import MarkdownIt

from stancebank.schema.project import Target
from stancebank.schema.spec import SPEC, AnnotationSpec

REFERENCE_MARKER = "<!-- spec:reference -->"


def guidelines_markdown() -> str:
    """The committed guidelines as written (with the reference marker)."""
    return resources.files("stancebank.schema").joinpath("GUIDELINES.md").read_text(encoding="utf-8")


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def reference_markdown(spec: AnnotationSpec = SPEC) -> str:
    """The label reference, as Markdown tables, from the spec alone."""
    lines = [
        f"### Label reference (schema {spec.version})",
        "",
        "| Label | Hotkey | What to mark | Attributes |",
        "| --- | --- | --- | --- |",
    ]
    for label in spec.span_labels:
        attrs = "; ".join(
            f"`{a.name}`: " + (" / ".join(a.choices) if a.kind == "choice" else "free text")
            for a in label.attributes
        )
        lines.append(
            f"| **{label.name}** | `{label.hotkey}` | {_cell(label.description)} | {_cell(attrs) or '—'} |"
        )
    lines += ["", "| Relation | From → To | Meaning |", "| --- | --- | --- |"]
    for rel in spec.relation_labels:
        ends = f"{' / '.join(rel.from_labels)} → {' / '.join(rel.to_labels)}"
        lines.append(f"| **{rel.name}** | {ends} | {_cell(rel.description)} |")
    for attr in spec.attributes:
        if attr.kind != "choice" or not attr.choice_descriptions:
            continue
        lines += ["", f"`{attr.name}` ({spec.attribute_owner(attr.name).name}): {attr.description}", ""]
        lines += [f"- **{c}**: {d}" for c, d in zip(attr.choices, attr.choice_descriptions, strict=True)]
    return "\n".join(lines) + "\n"


def catalogue_markdown(catalogue: Sequence[Target], spec: AnnotationSpec = SPEC) -> str:
    """The project's target catalogue as a table: the canonical names to write in the target's
    canonical-name field, the phrases that mention each, and what it is."""
    attr = spec.attribute_for("target_name")
    lines = [
        "### Target catalogue",
        "",
        f"Write the canonical name in `{attr.name}` ({spec.attribute_owner(attr.name).name}) when a "
        "target is one of these; leave it empty for a target the catalogue lacks.",
        "",
        "| Canonical name | Written as | What it is |",
        "| --- | --- | --- |",
    ]
    for target in catalogue:
        written = ", ".join([f"“{a}”" for a in target.aliases] + [f"`{p}`" for p in target.patterns]) or "—"
        lines.append(f"| **{_cell(target.name)}** | {_cell(written)} | {_cell(target.description) or '—'} |")
    return "\n".join(lines) + "\n"


def instructions_markdown(
    spec: AnnotationSpec = SPEC, guidelines: str | None = None, catalogue: Sequence[Target] = ()
) -> str:
    """The guidelines with the label reference (and the project's target catalogue, if any)."""
    text = guidelines_markdown() if guidelines is None else guidelines
    reference = reference_markdown(spec)
    if catalogue:
        reference += "\n" + catalogue_markdown(catalogue, spec)
    if REFERENCE_MARKER in text:
        return text.replace(REFERENCE_MARKER, reference)
    return text.rstrip("\n") + "\n\n" + reference


def render_instructions(
    spec: AnnotationSpec = SPEC, guidelines: str | None = None, catalogue: Sequence[Target] = ()
) -> str:
    """HTML for the Label Studio project's instructions panel (``expert_instruction``); a project's
    target catalogue is listed after the label reference."""
    md = MarkdownIt("commonmark", {"html": False}).enable("table")
    body = md.render(instructions_markdown(spec, guidelines, catalogue))
    title = html.escape(spec.title)
    head = f'<div class="stancebank-guidelines" data-schema-version="{spec.version}">'
    return f"{head}\n<!-- {title} -->\n{body}</div>\n"
