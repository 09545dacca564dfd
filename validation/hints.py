"""What to do about each check's failure: one hint per check id (shown with every finding)."""

from __future__ import annotations

#: check id → how to fix a failure of it
HINTS: dict[str, str] = {
    "nothing_to_check": (
        "point stancebank validate at a tasks file, an export, a release folder or the data/ tree"
    ),
    "unchecked_file": "move the parquet file into a release folder, or out of the validated tree",
    "malformed_input": "fix the record so that it follows the Label Studio task format (schema/wire/)",
    "table_schema": "fix the field's type or value (`stancebank schema export` writes the table schemas)",
    "known_label": "use one of the spec's span labels (`stancebank schema show`)",
    "known_relation_label": "use one of the spec's relation labels (`stancebank schema show`)",
    "known_attribute_value": "use an attribute of the span's label and one of its choices (schema show)",
    "span_within_text": "offsets are code points into data.text: make 0 <= start < end <= len(text)",
    "span_text_matches": "set the span text to text[start:end] (code points), or correct the offsets",
    "unique_span_id": "give every region of an annotation its own id",
    "unique_span_position": "delete the duplicate region (same start, end and label)",
    "relation_endpoints_exist": "point the relation at region ids of the same annotation, or delete it",
    "relation_endpoint_labels": "draw the relation between the labels the spec allows, in that direction",
    "no_self_relation": "a relation must join two different spans; delete it",
    "relation_direction": "make the relation directed (from → to) in Label Studio",
    "claim_has_source": (
        "add an attribution relation from the actor to the claim (or set the check to warning)"
    ),
    "known_split": "use one of train / validation / test",
    "one_split_per_article": "an article belongs to exactly one split; remove it from the others",
    "no_cross_split_duplicate": "keep duplicate articles in one split (assign them the same split)",
    "no_cross_split_near_duplicate": (
        "rebuild with `stancebank export build`: it puts each near-duplicate cluster in one split; "
        "if the split registry holds the cluster's articles in different splits, set them to one split"
    ),
    "registry_agrees": "splits are sticky: restore the registered split (data/split_registry.json)",
    "manifest_hashes": "rebuild the release (`stancebank export build`); never edit release files by hand",
    "card_features": "rebuild the release so that the card is generated from the parquet features",
    "card_configs": (
        "rebuild the release so that the card's configs/data_files are generated from the files present"
    ),
    "card_counts": "rebuild the release so that card and release.json counts come from the data",
    "sentence_bounds": "rebuild the release (`stancebank export build`); sentences: schema/sentences.py",
    "claim_context": "rebuild the release: a claim's context is the sentences its offsets overlap",
    "stance_view": "rebuild the release: the stance config is derived from the claims rows with a stance",
    "unique_row_id": (
        "a release lists each article, claim–target pair and annotation once, an export file each "
        "annotation once: rebuild the release (`stancebank export build`) or pull the export again "
        "(`stancebank studio pull`); never edit these files by hand"
    ),
    "personal_data": "replace user names/emails by pseudonyms (the export stage's keyed hash)",
    "agreement_threshold": "adjudicate or re-annotate the low-agreement items, or change the threshold",
    "agreement_advisory": "review the guidelines and the low-agreement items before the next release",
    "agreement_undefined": "annotate some articles twice so agreement can be measured, or drop the minimum",
}

#: checks of the annotations' content, whose hint says how to fix an annotation: in a release the
#: annotation is fixed where it comes from and the release rebuilt (see :func:`release_hint`)
ANNOTATION_CHECKS = frozenset(
    {
        "table_schema",
        "known_label",
        "known_relation_label",
        "known_attribute_value",
        "span_within_text",
        "span_text_matches",
        "unique_span_id",
        "unique_span_position",
        "relation_endpoints_exist",
        "relation_endpoint_labels",
        "no_self_relation",
        "relation_direction",
        "claim_has_source",
    }
)


def release_hint(check: str, hint: str) -> str:
    """The hint of a finding in a release's data: an annotation check's fix is made at the
    annotation's source, and the release rebuilt (its parquet files are never edited)."""
    if check not in ANNOTATION_CHECKS:
        return hint
    return (
        f"{hint} — in a release: at the annotation's source (Label Studio, then `stancebank studio "
        "pull`), then rebuild with `stancebank export build`; never edit the parquet files"
    )
