"""Property tests: valid random documents pass; any single offset corruption is caught."""

from __future__ import annotations

from typing import Any

import pandas as pd
import pandera.pandas as pa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from stancebank.schema.spec import SPEC
from stancebank.validation import default_config
from stancebank.validation.frames import SPAN_COLUMNS, Tables, empty_tables
from stancebank.validation.runner import validate_tables
from stancebank.validation.schemas import spans_schema
from stancebank.validation.views import spans_view

ALPHABET = st.characters(codec="utf-8", exclude_categories=("Cs",))
LABELS = SPEC.span_label_names


@st.composite
def documents(draw: Any) -> Tables:
    n_docs = draw(st.integers(1, 4))
    tables = empty_tables()
    art_rows, span_rows = [], []
    for d in range(n_docs):
        text = draw(st.text(ALPHABET, min_size=2, max_size=80))
        art_rows.append(
            {
                "article_id": f"a{d}",
                "title": None,
                "text": text,
                "split": None,
                "src_file": "x.json",
                "src_line": d + 1,
                "task_id": f"#{d}",
            }
        )
        n_spans = draw(st.integers(0, 6))
        seen = set()
        for i in range(n_spans):
            start = draw(st.integers(0, len(text) - 1))
            end = draw(st.integers(start + 1, len(text)))
            label = draw(st.sampled_from([lab for lab in LABELS if lab != SPEC.role_label("claim")]))
            if (start, end, label) in seen:
                continue
            seen.add((start, end, label))
            span_rows.append(
                {
                    "article_id": f"a{d}",
                    "annotation_id": "p0",
                    "span_id": f"s{i}",
                    "label": label,
                    "start": start,
                    "end": end,
                    "text": text[start:end],
                    "is_gold": False,
                    "src_file": "x.json",
                    "src_line": d + 1,
                    "task_id": f"#{d}",
                }
            )
    tables.articles = pd.DataFrame(art_rows)
    tables.articles["src_file"] = tables.articles["src_file"].astype("category")
    spans = pd.DataFrame(span_rows, columns=list(SPAN_COLUMNS))
    spans["start"] = spans["start"].astype("int64")
    spans["end"] = spans["end"].astype("int64")
    spans["is_gold"] = spans["is_gold"].astype(bool)
    spans["src_file"] = spans["src_file"].astype("category")
    for col in ("article_id", "annotation_id", "span_id", "label", "text", "task_id"):
        spans[col] = spans[col].astype("str")
    tables.spans = spans
    return tables


CONFIG = default_config()
SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(documents())
def test_valid_random_documents_pass(tables: Tables) -> None:
    assert validate_tables(tables, CONFIG) == []


@SETTINGS
@given(documents(), st.data())
def test_any_single_offset_corruption_is_caught(tables: Tables, data: st.DataObject) -> None:
    if tables.spans.empty:
        return
    row = data.draw(st.integers(0, len(tables.spans) - 1))
    field = data.draw(st.sampled_from(["start", "end"]))
    old = int(tables.spans.at[row, field])
    text_len = len(tables.articles.set_index("article_id").at[tables.spans.at[row, "article_id"], "text"])
    new = data.draw(st.integers(-3, text_len + 3).filter(lambda v: v != old))
    tables.spans.at[row, field] = new
    start, end = int(tables.spans.at[row, "start"]), int(tables.spans.at[row, "end"])
    text = tables.articles.set_index("article_id").at[tables.spans.at[row, "article_id"], "text"]
    if 0 <= start < end <= len(text) and text[start:end] == tables.spans.at[row, "text"]:
        return  # the corruption happens to select the same text (e.g. a repeated character): still valid
    findings = validate_tables(tables, CONFIG)
    span_id = tables.spans.at[row, "span_id"]
    hits = [
        f for f in findings if f.span_id == span_id and f.article_id == tables.spans.at[row, "article_id"]
    ]
    assert {f.check for f in hits} & {"span_within_text", "span_text_matches"}, findings


def test_spans_schema_survives_yaml_round_trip() -> None:
    """The registered checks are serialised by name with their statistics and still catch errors."""
    tables = empty_tables()
    tables.articles = pd.DataFrame(
        {
            "article_id": ["a"],
            "text": ["héllo wörld"],
            "title": [None],
            "split": [None],
            "src_file": ["f"],
            "src_line": [1],
            "task_id": ["#0"],
        }
    )
    spans = pd.DataFrame(
        {
            "article_id": ["a", "a"],
            "annotation_id": ["p", "p"],
            "span_id": ["s1", "s2"],
            "label": [LABELS[0], LABELS[2]],
            "start": [0, 6],
            "end": [5, 11],
            "text": ["héllo", "world"],
            "is_gold": [False, False],
            "src_file": ["f", "f"],
            "src_line": [1, 1],
            "task_id": ["#0", "#0"],
        }
    )
    spans["src_file"] = spans["src_file"].astype("category")
    tables.spans = spans
    schema = spans_schema(CONFIG, SPEC, normalize_ws=False)
    restored = pa.DataFrameSchema.from_yaml(schema.to_yaml())
    assert "span_text_matches" in restored.to_yaml()
    view = spans_view(tables, SPEC)
    for s in (schema, restored):
        try:
            s.validate(view, lazy=True)
            raise AssertionError("not caught")
        except pa.errors.SchemaErrors as err:
            failing = err.failure_cases
            assert set(failing["check"]) == {"span_text_matches"}
            assert set(failing["index"]) == {1}
