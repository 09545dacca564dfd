"""Each committed fixture is caught by the right check, at the right place, with the right message."""

from __future__ import annotations

from pathlib import Path

import pytest

from stancebank.validation import Report, load_config, validate_paths, validate_release_dir

FIX = Path(__file__).resolve().parents[1] / "fixtures" / "validation"
BAD_TASK_LINE = 205  # the second task of every tasks fixture starts here


def only(report: Report, check: str) -> list:
    found = [f for f in report.findings if f.check == check]
    assert found, f"{check} not reported; got {[(f.check, f.message) for f in report.findings]}"
    return found


@pytest.mark.parametrize(
    ("name", "check", "span_id", "message", "value"),
    [
        (
            "tasks_offset_outside.json",
            "span_within_text",
            "t2",
            "outside the article text (length 80)",
            "end=95",
        ),
        (
            "tasks_text_mismatch.json",
            "span_text_matches",
            "c1",
            "text[15:45] differs",
            "'the new tram line is a mistak'",
        ),
        ("tasks_unknown_label.json", "known_label", "t1", "label must be one of", "TOPIC"),
        (
            "tasks_unknown_relation_label.json",
            "known_relation_label",
            "c1→t1",
            "relation label must be one of",
            "against",
        ),
        ("tasks_bad_attribute.json", "known_attribute_value", "c1", "not allowed on a CLAIM span", "shouted"),
        (
            "tasks_attribute_wrong_label.json",
            "known_attribute_value",
            "t1",
            "not allowed on a TARGET span",
            "direct",
        ),
        ("tasks_duplicate_span_id.json", "unique_span_id", "t1", "span id used twice", "t1"),
        (
            "tasks_duplicate_span_position.json",
            "unique_span_position",
            "t3",
            "same offsets [15, 32)",
            "TARGET",
        ),
        ("tasks_missing_endpoint.json", "relation_endpoints_exist", "c2→t9", "does not exist (to end)", "t9"),
        ("tasks_wrong_endpoint_labels.json", "relation_endpoint_labels", "t1→c1", "TARGET → CLAIM", "source"),
        ("tasks_self_relation.json", "no_self_relation", "c1→c1", "from a span to itself", "c1→c1"),
        ("tasks_bidirectional_relation.json", "relation_direction", "c2→t2", "direction 'bi'", "bi"),
    ],
)
def test_tasks_fixture_caught(name: str, check: str, span_id: str, message: str, value: str) -> None:
    report = validate_paths([FIX / name])
    findings = only(report, check)
    assert len(findings) == 1
    f = findings[0]
    assert (f.file, f.line, f.article_id, f.task_id, f.span_id) == (
        str(FIX / name),
        BAD_TASK_LINE,
        "art-1",
        "#1",
        span_id,
    )
    assert message in f.message
    assert value in (f.value or "")
    assert f.hint
    # nothing is reported about the valid first task
    assert all(x.article_id != "art-0" for x in report.findings)


def test_severity_of_fixture_findings() -> None:
    assert not validate_paths([FIX / "tasks_bidirectional_relation.json"]).errors  # a warning by default
    assert validate_paths([FIX / "tasks_bidirectional_relation.json"]).ok
    assert not validate_paths([FIX / "tasks_bidirectional_relation.json"], strict=True).ok
    assert not validate_paths([FIX / "tasks_offset_outside.json"]).ok


@pytest.mark.parametrize("name", ["tasks_valid.json", "export_valid.json", "export_whitespace_text.json"])
def test_valid_inputs_pass(name: str) -> None:
    report = validate_paths([FIX / name])
    assert report.findings == []
    assert report.ok
    assert report.checked["spans"] >= 6


def test_malformed_json_names_the_line() -> None:
    f = only(validate_paths([FIX / "tasks_malformed.json"]), "malformed_input")[0]
    assert f.line == BAD_TASK_LINE and "invalid JSON" in f.message


def test_task_without_article_id() -> None:
    f = only(validate_paths([FIX / "tasks_missing_article_id.json"]), "malformed_input")[0]
    assert (f.line, f.task_id) == (BAD_TASK_LINE, "#1") and "article_id" in f.message


def test_export_gold_claim_without_source() -> None:
    f = only(validate_paths([FIX / "export_claim_without_source.json"]), "claim_has_source")[0]
    assert (f.article_id, f.task_id, f.span_id) == ("art-1", "101", "c1")
    assert f.severity == "error"


def test_claim_has_source_severity_is_configurable(tmp_path: Path) -> None:
    cfg = tmp_path / "v.yaml"
    cfg.write_text("severity:\n  claim_has_source: warning\n")
    report = validate_paths([FIX / "export_claim_without_source.json"], config=cfg)
    assert [f.severity for f in report.findings] == ["warning"] and report.ok
    cfg.write_text("severity:\n  claim_has_source: 'off'\n")
    assert validate_paths([FIX / "export_claim_without_source.json"], config=cfg).findings == []


def test_export_email_annotator() -> None:
    f = only(validate_paths([FIX / "export_email_annotator.json"]), "personal_data")[0]
    assert f.value == "jane.doe@example.org" and f.article_id == "art-1"


# -- releases -------------------------------------------------------------------------------------
def test_valid_release_passes() -> None:
    report = validate_release_dir(FIX / "release_valid", previous=FIX / "release_valid")
    assert report.findings == [], report.to_text()
    assert report.checked["articles"] == 4


@pytest.mark.parametrize(
    ("name", "check", "file_end", "article_id", "item", "message"),
    [
        ("release_bad_hash", "manifest_hashes", "README.md", None, "README.md", "README.md differs"),
        ("release_bad_card_count", "card_counts", "README.md", None, "card documents/train", "declared 3"),
        (
            "release_bad_card_features",
            "card_features",
            "README.md",
            None,
            "documents card→parquet.language",
            "not declared",
        ),
        (
            "release_card_configs_moved",
            "card_configs",
            "README.md",
            None,
            "documents/validation",
            "declared data/documents/test-00000-of-00001.parquet ≠ actual "
            "data/documents/validation-00000-of-00001.parquet",
        ),
        (
            "release_card_data_files_missing",
            "card_configs",
            "README.md",
            None,
            "claims/train",
            "declared no file (the card's pattern matches none) ≠ actual "
            "data/claims/train-00000-of-00001.parquet",
        ),
        (
            "release_card_without_configs",
            "card_configs",
            "README.md",
            None,
            None,
            "the card's config 'default' is not one of the release's configs",
        ),
        (
            "release_email_annotator",
            "personal_data",
            "annotations/test-00000-of-00001.parquet",
            "art-4",
            None,
            "pseudonym",
        ),
        (
            "release_claim_without_source",
            "claim_has_source",
            "documents/validation-00000-of-00001.parquet",
            "art-3",
            "c1",
            "no source",
        ),
        (
            "release_exact_duplicate",
            "no_cross_split_duplicate",
            "documents/test-00000-of-00001.parquet",
            "art-8",
            None,
            "same text",
        ),
        (
            "release_near_duplicate",
            "no_cross_split_near_duplicate",
            "documents/test-00000-of-00001.parquet",
            "art-9",
            None,
            "near-duplicate",
        ),
        (
            "release_article_two_splits",
            "one_split_per_article",
            "documents/test-00000-of-00001.parquet",
            "art-1",
            None,
            "more than one split",
        ),
    ],
)
def test_release_fixture_caught(
    name: str, check: str, file_end: str, article_id: str | None, item: str | None, message: str
) -> None:
    report = validate_release_dir(FIX / name)
    assert {f.check for f in report.findings} == {check}, report.to_text()
    match = [f for f in report.findings if (f.file or "").endswith(file_end)]
    assert match, report.to_text()
    f = match[0]
    assert f.article_id == article_id and f.span_id == item and message in f.message + (f.value or "")
    assert not report.ok


def test_release_split_moved_against_previous() -> None:
    assert validate_release_dir(FIX / "release_split_moved").ok  # alone it is consistent
    report = validate_release_dir(FIX / "release_split_moved", previous=FIX / "release_valid")
    f = only(report, "registry_agrees")[0]
    assert f.article_id == "art-2" and f.value == "validation ≠ train"


def test_low_agreement_fails_with_the_default_minimums(tmp_path: Path) -> None:
    report = validate_release_dir(FIX / "release_low_agreement")
    assert not report.ok
    errors = sorted((f.span_id, f.value) for f in only(report, "agreement_threshold"))
    assert errors == [
        ("krippendorff_alpha.stance", "0.1200 < 0.4"),
        ("span_f1_overlap.overall", "0.4100 < 0.6"),
    ]
    assert all(f.severity == "error" and f.file.endswith("release.json") for f in report.errors)
    # "krippendorff_alpha.*" ≥ 0.4 is advisory; the stance alpha already failed its hard minimum
    (advisory,) = only(report, "agreement_advisory")
    assert advisory.severity == "warning" and advisory.span_id == "krippendorff_alpha.claim_form"
    assert advisory.value == "0.2000 < 0.4"
    # a user config lowers / drops minimums key by key
    cfg = tmp_path / "v.yaml"
    cfg.write_text(
        "thresholds:\n  agreement_min:\n    span_f1_overlap.overall: 0.4\n"
        "    krippendorff_alpha.stance: null\n"
    )
    assert validate_release_dir(FIX / "release_low_agreement", config=cfg).ok
    assert validate_release_dir(FIX / "release_valid").ok


def test_agreement_real_layout_null_alpha_and_absent_keys_warn() -> None:
    from stancebank.validation import default_config
    from stancebank.validation.agreement import check_agreement

    make = _fixture_module().agreement_summary
    cfg = default_config()
    assert check_agreement(make(), cfg, "release.json") == []
    # undefined alpha (no pairable units) is a warning, never a crash or an error
    (f,) = check_agreement(make(**{"krippendorff_alpha.stance": None}), cfg, "release.json")
    assert (f.check, f.severity, f.span_id) == ("agreement_undefined", "warning", "krippendorff_alpha.stance")
    assert "null" in f.message
    # a single-annotator release: every value null, pairs 0
    single = {
        "articles": 0,
        "pairs": 0,
        "span_f1_exact": {"overall": None},
        "span_f1_overlap": {"overall": None},
        "relation_f1": {"overall": None},
        "krippendorff_alpha": {"stance": None, "claim_form": None},
        "krippendorff_alpha_units": {"stance": 0},
    }
    found = check_agreement(single, cfg, "release.json")
    assert {f.check for f in found} == {"agreement_undefined"}
    assert {f.span_id for f in found} == {
        "span_f1_overlap.overall",
        "krippendorff_alpha.stance",
        "span_f1_exact.overall",
        "relation_f1.overall",
    }
    assert all("no article has two annotators" in f.message for f in found)
    # no agreement object at all: the configured keys are absent
    absent = check_agreement(None, cfg, "release.json")
    assert {f.span_id for f in absent} >= {"span_f1_overlap.overall", "krippendorff_alpha.stance"}
    assert all(f.severity == "warning" for f in absent)


def _fixture_module():  # type: ignore[no-untyped-def]
    import importlib.util

    spec = importlib.util.spec_from_file_location("make_fixtures", FIX / "make_fixtures.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_data_tree_registry_against_previous_release() -> None:
    data = FIX / "data_registry_moved"
    assert validate_paths([data]).ok  # raw/ is skipped, the export is valid
    report = validate_paths([data], previous=FIX / "release_valid")
    f = only(report, "registry_agrees")[0]
    assert f.article_id == "art-2" and f.file == str(data / "split_registry.json")


def test_config_rejects_unknown_checks(tmp_path: Path) -> None:
    from stancebank.validation import ValidationConfigError

    cfg = tmp_path / "v.yaml"
    cfg.write_text("severity:\n  no_such_check: error\n")
    with pytest.raises(ValidationConfigError, match="no_such_check"):
        load_config(cfg)
    cfg.write_text("severity:\n  known_label: fatal\n")
    with pytest.raises(ValidationConfigError, match="fatal"):
        load_config(cfg)


def test_attribute_on_the_wrong_label_reads_as_english() -> None:
    """'not allowed on an ACTOR span' (was 'on a ACTOR span'), 'on a CLAIM span'."""
    from stancebank.validation.descriptions import describe_row

    row = {"name": "claim_form", "value": "mixed", "span_label": "ACTOR"}
    assert describe_row("known_attribute_value", row)[0] == (
        "attribute claim_form='mixed' is not allowed on an ACTOR span"
    )
    row = {"name": "actor_type", "value": "person", "span_label": "CLAIM"}
    assert describe_row("known_attribute_value", row)[0].endswith("not allowed on a CLAIM span")
