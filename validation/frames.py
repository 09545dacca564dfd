"""Read tasks, exports and releases into the flat tables of :mod:`stancebank.schema.tables`.

Pure I/O-light code: JSON and parquet in, pandas frames out. Every row carries where it came from
(``src_file``, ``src_line``, ``task_id``) so that a failure can name its place. Problems that stop
a record from being read at all (invalid JSON, a task without text) become findings of the check
``malformed_input``; everything else is left to the pandera checks.
"""

from __future__ import annotations

import functools
import json
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from pandas.api.types import union_categoricals

from stancebank.schema.columns import CLAIM_COLUMNS
from stancebank.schema.errors import WireError
from stancebank.schema.features import document_id_column
from stancebank.schema.layout import split_of
from stancebank.schema.spec import SPEC, AnnotationSpec
from stancebank.schema.wire import Located, iter_records, list_field, locate_region, not_a_list, split_results
from stancebank.validation.report import Finding

LOCATOR_COLUMNS = ("src_file", "src_line", "task_id")
# a spans column, present when files of several kinds are validated together (a data tree): true
# where the row's span text is compared up to whitespace (``span_text.normalize_whitespace_for``)
LOOSE_WHITESPACE = "loose_whitespace"
# a spans column, present when a region's offsets were reported as it was read (malformed_input:
# value.start or value.end missing or no integer): true on its rows, which the offset checks
# (span_within_text, span_text_matches) then pass — the missing offset reads as -1
OFFSETS_REPORTED = "offsets_reported"

ARTICLE_COLUMNS = ("article_id", "title", "text", "split", *LOCATOR_COLUMNS)
SPAN_COLUMNS = (
    "article_id",
    "annotation_id",
    "span_id",
    "label",
    "start",
    "end",
    "text",
    "is_gold",
    *LOCATOR_COLUMNS,
)
ATTRIBUTE_COLUMNS = ("article_id", "annotation_id", "span_id", "name", "value", *LOCATOR_COLUMNS)
RELATION_COLUMNS = ("article_id", "annotation_id", "from_id", "to_id", "label", "direction", *LOCATOR_COLUMNS)
ANNOTATION_COLUMNS = ("article_id", "annotation_id", "annotator", "ground_truth", *LOCATOR_COLUMNS)


@dataclass
class Tables:
    """The flat tables read from one or more inputs (plus findings from reading them)."""

    articles: pd.DataFrame
    spans: pd.DataFrame
    attributes: pd.DataFrame
    relations: pd.DataFrame
    annotations: pd.DataFrame
    claims: pd.DataFrame | None = None
    findings: list[Finding] = field(default_factory=list)
    # article_id → split from a registry or a previous release (checked against ``articles.split``)
    expected_splits: dict[str, str] = field(default_factory=dict)
    expected_split_source: str = ""
    normalize_whitespace: bool = False
    # (article_id, text) of the release's ``annotations`` rows: the texts of articles pending
    # adjudication, which are in no ``documents`` row (their spans are checked against these)
    annotation_texts: pd.DataFrame | None = None


class _Columns:
    """Column-wise row accumulator (cheaper than a list of dicts)."""

    def __init__(self, columns: tuple[str, ...]) -> None:
        self.columns = columns
        self.data: dict[str, list[Any]] = {c: [] for c in columns}

    def add(self, *values: Any) -> None:
        for col, value in zip(self.columns, values, strict=True):
            self.data[col].append(value)

    def frame(self) -> pd.DataFrame:
        return _frame(self.data, self.columns)


_INT_COLUMNS = {"start", "end", "src_line"}
_BOOL_COLUMNS = {"is_gold", "ground_truth"}


def _frame(data: dict[str, Any], columns: tuple[str, ...]) -> pd.DataFrame:
    df = pd.DataFrame({c: data.get(c, []) for c in columns})
    for col in columns:
        if col in _INT_COLUMNS:
            df[col] = pd.to_numeric(df[col], errors="coerce").fillna(-1).astype("int64")
        elif col in _BOOL_COLUMNS:
            df[col] = df[col].fillna(False).astype(bool)
        elif col == "src_file":
            df[col] = df[col].astype("category")
        else:
            df[col] = df[col].astype("str")
            df.loc[pd.Series(data.get(col, []), dtype=object).isna().to_numpy(), col] = None
    return df


@functools.cache
def _empty(columns: tuple[str, ...]) -> pd.DataFrame:
    return _Columns(columns).frame()


def empty_tables() -> Tables:
    """Empty tables with the right columns and dtypes (copies of cached frames: building one
    from scratch costs pandas ~10 ms)."""
    return Tables(
        articles=_empty(ARTICLE_COLUMNS).copy(),
        spans=_empty(SPAN_COLUMNS).copy(),
        attributes=_empty(ATTRIBUTE_COLUMNS).copy(),
        relations=_empty(RELATION_COLUMNS).copy(),
        annotations=_empty(ANNOTATION_COLUMNS).copy(),
    )


def concat_tables(parts: list[Tables]) -> Tables:
    if not parts:
        return empty_tables()
    if len(parts) == 1:
        return parts[0]

    def cat(frames: list[pd.DataFrame]) -> pd.DataFrame:
        if not all("src_file" in f for f in frames):
            return pd.concat(frames, ignore_index=True)
        # src_file apart: concatenating categoricals with different categories makes strings
        df = pd.concat([f.drop(columns="src_file") for f in frames], ignore_index=True)
        cats = [
            f["src_file"]
            if isinstance(f["src_file"].dtype, pd.CategoricalDtype)
            else f["src_file"].astype("category")
            for f in frames
        ]
        cats = [c.cat.set_categories(c.cat.categories.astype("str")) for c in cats if len(c)]
        files = union_categoricals(cats, ignore_order=True) if cats else pd.Categorical([])
        df.insert(list(frames[0].columns).index("src_file"), "src_file", pd.Series(files, index=df.index))
        return df

    claims = [p.claims for p in parts if p.claims is not None]
    ann_texts = [p.annotation_texts for p in parts if p.annotation_texts is not None]
    expected: dict[str, str] = {}
    for p in parts:
        expected.update(p.expected_splits)
    # one rule for all the rows, or (tasks and exports together) each file's rule on its rows
    loose = {p.normalize_whitespace for p in parts}
    return Tables(
        articles=cat([p.articles for p in parts]),
        spans=cat(
            [p.spans.assign(**{LOOSE_WHITESPACE: p.normalize_whitespace}) for p in parts]
            if len(loose) > 1
            else [p.spans for p in parts]
        ),
        attributes=cat([p.attributes for p in parts]),
        relations=cat([p.relations for p in parts]),
        annotations=cat([p.annotations for p in parts]),
        claims=cat(claims) if claims else None,
        annotation_texts=pd.concat(ann_texts, ignore_index=True) if ann_texts else None,
        findings=[f for p in parts for f in p.findings],
        expected_splits=expected,
        expected_split_source=next((p.expected_split_source for p in parts if p.expected_split_source), ""),
        normalize_whitespace=loose == {True},
    )


# -- Label Studio results ------------------------------------------------------------------------
class _Sink:
    def __init__(self) -> None:
        self.articles = _Columns(ARTICLE_COLUMNS)
        self.spans = _Columns(SPAN_COLUMNS)
        self.attributes = _Columns(ATTRIBUTE_COLUMNS)
        self.relations = _Columns(RELATION_COLUMNS)
        self.annotations = _Columns(ANNOTATION_COLUMNS)
        self.findings: list[Finding] = []
        # regions of another labeling control: (from_name, its labels) → count, and where the first was
        self.foreign: Counter[tuple[str, str]] = Counter()
        self.first_foreign: tuple[tuple[str, int, str], str, str, str] | None = None
        # rows of ``spans`` whose region's offsets are reported as malformed_input
        self.offsets_reported: list[int] = []

    def tables(self) -> Tables:
        spans = self.spans.frame()
        if self.offsets_reported:
            reported = np.zeros(len(spans), dtype=bool)
            reported[self.offsets_reported] = True
            spans[OFFSETS_REPORTED] = reported
        return Tables(
            articles=self.articles.frame(),
            spans=spans,
            attributes=self.attributes.frame(),
            relations=self.relations.frame(),
            annotations=self.annotations.frame(),
            findings=self.findings,
        )


def _add_results(
    sink: _Sink,
    results: Any,
    *,
    article_id: str,
    annotation_id: str,
    is_gold: bool,
    loc: tuple[str, int, str],
    spec: AnnotationSpec,
    not_a_list_hint: str,
    text: str | None = None,
) -> None:
    """The rows of one result list, as found (:func:`stancebank.schema.wire.split_results`: the one
    parser, and its one relation-direction rule); the checks judge them. With the article's
    ``text`` (an export), a region takes the offsets export build gives it
    (:func:`stancebank.schema.wire.locate_region`: Label Studio's UTF-16 offsets, ``\r\n`` seen as
    ``\n``); a region no reading places keeps its offsets, and the checks report it. ``results``
    that are not a list are one finding, with ``not_a_list_hint``."""
    if not isinstance(results, list):
        sink.findings.append(
            _malformed(
                loc, article_id, not_a_list("result", results), not_a_list_hint, annotation_id=annotation_id
            )
        )
        return
    raw = split_results(results)
    for _ in range(raw.not_objects):
        sink.findings.append(
            _malformed(loc, article_id, f"annotation {annotation_id}: a result is not an object")
        )
    for rel in raw.relations:
        for label in rel.labels or (None,):
            sink.relations.add(article_id, annotation_id, rel.from_id, rel.to_id, label, rel.direction, *loc)
    for region in raw.regions:
        if region.from_name not in ("", spec.labels_name):
            # another labeling config's region: export build refuses the file (exit 3); one
            # finding per file says so (:func:`_foreign_finding`), the region is not checked
            sink.foreign[(region.from_name, "/".join(map(str, region.labels)))] += 1
            if sink.first_foreign is None:
                sink.first_foreign = (loc, article_id, annotation_id, region.id)
            continue
        offsets_reported = False
        for name, offset in (("start", region.start), ("end", region.end)):
            if type(offset) is not int:  # "0", 1.5, true: the export reader drops the region
                offsets_reported = True
                what = "missing" if offset is None else f"{offset!r} ({type(offset).__name__})"
                sink.findings.append(
                    _malformed(
                        loc,
                        article_id,
                        f"value.{name} is {what}, not an integer",
                        "write value.start and value.end as JSON integers (code points into data.text)",
                        annotation_id=annotation_id,
                        span_id=region.id,
                    )
                )
        if not region.labels:  # no label, or labels that are no list: the export reader drops it
            given = next(
                (
                    r["value"].get("labels")
                    for r in results
                    if isinstance(r, dict)
                    and str(r.get("type", "")).lower() == "labels"
                    and str(r.get("id", "")) == region.id
                    and isinstance(r.get("value"), dict)
                ),
                None,
            )
            what = "missing" if given is None else f"{given!r} ({type(given).__name__})"
            sink.findings.append(
                _malformed(
                    loc,
                    article_id,
                    f"value.labels is {what}, not a list of one label",
                    f"write value.labels as a list with one of {', '.join(spec.span_label_names)}",
                    annotation_id=annotation_id,
                    span_id=region.id,
                )
            )
            continue
        start, end = region.start, region.end
        if text is not None:
            where = locate_region(text, start, end, region.text)
            if isinstance(where, Located):
                start, end = where.start, where.end
        for label in region.labels:
            if offsets_reported:  # its row stays (relations and attributes refer to it)
                sink.offsets_reported.append(len(sink.spans.data["span_id"]))
            sink.spans.add(
                article_id, annotation_id, region.id, label, start, end, region.text, is_gold, *loc
            )
    for attr in raw.attributes:
        if attr.kind == "choices":
            for choice in attr.values:
                sink.attributes.add(article_id, annotation_id, attr.id, attr.name, choice, *loc)
        else:
            text = " ".join(str(t) for t in attr.values) if len(attr.values) != 1 else attr.values[0]
            sink.attributes.add(article_id, annotation_id, attr.id, attr.name, text, *loc)
    # other result types (e.g. ratings added by a project) are not ours to validate


def _foreign_finding(sink: _Sink, spec: AnnotationSpec, kind: str) -> None:
    """One finding for a file holding regions of another labeling config (``from_name`` is not
    the spec's), placed at the first: `export build` refuses such an export (exit 3, or builds
    without them with ``--allow-foreign``), Label Studio shows no such prediction."""
    if sink.first_foreign is None:
        return
    loc, article_id, annotation_id, region_id = sink.first_foreign
    found = ", ".join(
        f"{label!r} from {name!r} ×{count}" if label else f"no label from {name!r} ×{count}"
        for (name, label), count in sorted(sink.foreign.items())
    )
    fix = (
        "export the project `stancebank studio push` made (its labels come from "
        f"{spec.labels_name!r}); `export build --allow-foreign` leaves such regions out"
        if kind == "export"
        else "rebuild the tasks with `stancebank tasks build`; a prediction's regions come from "
        f"{spec.labels_name!r}"
    )
    sink.findings.append(
        _malformed(
            loc,
            article_id,
            f"{sum(sink.foreign.values())} region(s) of another labeling config ({found}), not "
            f"from {spec.labels_name!r}; they are not checked",
            fix,
            annotation_id=annotation_id,
            span_id=region_id,
        )
    )


def _malformed(
    loc: tuple[str, int, str],
    article_id: str | None,
    message: str,
    hint: str = "",
    *,
    annotation_id: str | None = None,
    span_id: str | None = None,
) -> Finding:
    return Finding(
        check="malformed_input",
        severity="error",
        message=message,
        hint=hint or "fix the record so that it follows the Label Studio task format (see schema/wire/)",
        file=loc[0],
        line=loc[1] if loc[1] >= 0 else None,
        article_id=article_id,
        task_id=loc[2] or None,
        annotation_id=annotation_id,
        span_id=span_id,
    )


# a file the reader cannot go through (empty, not UTF-8, not a JSON list, cut short): the message
# says the fix; there is no record to correct
UNREADABLE_HINT = (
    "the file must be a UTF-8 JSON list of Label Studio tasks, as `stancebank tasks build` and Label "
    "Studio's JSON export write it (the message says what is wrong)"
)


# a list field (predictions, annotations, result) that is not a list — `export build` rejects it
# (bad_list), `studio push` refuses such a tasks file
TASKS_LIST_HINT = "write it as a JSON list, as `stancebank tasks build` writes it (or rebuild the tasks)"
EXPORT_LIST_HINT = (
    "the export is edited or not Label Studio's JSON (`export build` rejects it): export the project "
    "again as JSON (or with `stancebank studio pull`)"
)


def _without_place(err: WireError, path: Path) -> str:
    """The error's message without the ``FILE:LINE:`` it starts with (the finding's place says it)."""
    text = str(err)
    for place in (f"{path}:{err.line}: ", f"{path}: "):
        if text.startswith(place):
            return text[len(place) :]
    return text


def _task_article(sink: _Sink, task: Any, loc: tuple[str, int, str]) -> str | None:
    if not isinstance(task, dict) or not isinstance(task.get("data"), dict):
        sink.findings.append(_malformed(loc, None, "the task has no 'data' object"))
        return None
    data = task["data"]
    article_id = data.get("article_id")
    text = data.get("text")
    if not isinstance(article_id, str) or not article_id:
        what = (
            "missing or empty"
            if article_id is None or article_id == ""
            else f"{article_id!r} ({type(article_id).__name__}), not a non-empty string"
        )
        sink.findings.append(
            _malformed(loc, None, f"data.article_id is {what}", "give every task a stable data.article_id")
        )
        return None
    if not isinstance(text, str):
        sink.findings.append(_malformed(loc, article_id, "data.text is missing or not a string"))
        return None
    sink.articles.add(article_id, data.get("title"), text, None, *loc)
    return article_id


def _iter_tasks(path: Path, sink: _Sink) -> Iterator[tuple[dict[str, Any], str, tuple[str, int, str]]]:
    """Each task of a tasks file or export with its article id and location (file, line, task id);
    a task without a usable article is reported into ``sink`` and skipped."""
    name = str(path)
    for record in iter_records(path, lines=True):  # raises WireError naming the line
        task = record.value
        task_id = (
            str(task.get("id"))
            if isinstance(task, dict) and task.get("id") is not None
            else f"#{record.index}"
        )
        loc = (name, record.line if record.line is not None else -1, task_id)
        article_id = _task_article(sink, task, loc)
        if article_id is not None:
            yield task, article_id, loc


def read_tasks(path: Path, spec: AnnotationSpec = SPEC) -> Tables:
    """A JSON array (or JSONL) of Label Studio tasks with predictions."""
    sink = _Sink()
    first: dict[str, tuple[int, str]] = {}  # article_id → (line, task id) of its first task
    try:
        for task, article_id, loc in _iter_tasks(path, sink):
            if article_id in first:
                # `studio push` and `tasks sample` refuse such a file (schema.wire.check_task_list);
                # the copy's regions would be mistaken for the first task's (same prediction id)
                line, task_id = first[article_id]
                at = f"line {line}" if line >= 0 else f"task {task_id}"
                sink.findings.append(
                    _malformed(
                        loc,
                        article_id,
                        f"duplicate data.article_id {article_id!r} (first at {at}); this task is not checked",
                        "give each task its own data.article_id, or delete the copy",
                    )
                )
                continue
            first[article_id] = (loc[1], loc[2])
            # the shape `studio push` refuses otherwise (schema.wire.check_task_list): absent is
            # none, null is no list; every prediction has a result list
            predictions = task.get("predictions", [])
            if not isinstance(predictions, list):  # null, 0, "", false, {} too
                sink.findings.append(
                    _malformed(loc, article_id, not_a_list("predictions", predictions), TASKS_LIST_HINT)
                )
                continue
            for p_index, prediction in enumerate(predictions):
                if not isinstance(prediction, dict):
                    sink.findings.append(
                        _malformed(loc, article_id, f"prediction {p_index} is not an object")
                    )
                    continue
                if "result" not in prediction:
                    sink.findings.append(
                        _malformed(loc, article_id, f"prediction {p_index} has no result", TASKS_LIST_HINT)
                    )
                    continue
                _add_results(
                    sink,
                    prediction["result"],  # null is no list here: push refuses it
                    article_id=article_id,
                    annotation_id=f"prediction-{p_index}",
                    is_gold=False,
                    loc=loc,
                    spec=spec,
                    not_a_list_hint=TASKS_LIST_HINT,
                )
    except WireError as err:
        sink.findings.append(
            _malformed((str(path), err.line or -1, ""), None, _without_place(err, path), UNREADABLE_HINT)
        )
    _foreign_finding(sink, spec, "tasks")
    return sink.tables()


def annotator_of(completed_by: Any) -> str:
    """The annotator field as written in an export: an id, or a user object (email/username)."""
    if isinstance(completed_by, dict):
        for key in ("email", "username", "id"):
            if completed_by.get(key):
                return str(completed_by[key])
        return json.dumps(completed_by, sort_keys=True)
    return "" if completed_by is None else str(completed_by)


def _check_export_lists(
    sink: _Sink, task: dict[str, Any], article_id: str, loc: tuple[str, int, str]
) -> None:
    """The list fields of an export's task besides ``annotations`` that `export build` rejects when
    they are no list (bad_list): ``predictions``, ``drafts`` and a prediction's ``result`` (a
    prediction that is no object is an id, as an export without model output lists them)."""
    for key in ("predictions", "drafts"):
        if list_field(task, key) is None:
            sink.findings.append(_malformed(loc, article_id, not_a_list(key, task[key]), EXPORT_LIST_HINT))
    for prediction in list_field(task, "predictions") or ():
        if isinstance(prediction, dict) and list_field(prediction, "result") is None:
            message = f"a prediction's {not_a_list('result', prediction['result'])}"
            sink.findings.append(_malformed(loc, article_id, message, EXPORT_LIST_HINT))


def read_export(path: Path, spec: AnnotationSpec = SPEC) -> Tables:
    """A Label Studio JSON export: tasks with ``annotations`` (cancelled ones and drafts skipped)."""
    sink = _Sink()
    try:
        for task, article_id, loc in _iter_tasks(path, sink):
            task_id = loc[2]
            _check_export_lists(sink, task, article_id, loc)
            annotations = list_field(task, "annotations")
            if annotations is None:  # 0, "", false, {} too: never read as no annotations
                sink.findings.append(
                    _malformed(
                        loc, article_id, not_a_list("annotations", task["annotations"]), EXPORT_LIST_HINT
                    )
                )
                continue
            for a_index, ann in enumerate(annotations):
                if not isinstance(ann, dict):
                    sink.findings.append(
                        _malformed(loc, article_id, f"annotation {a_index} is not an object")
                    )
                    continue
                if ann.get("was_cancelled"):
                    continue
                ann_id = str(ann.get("id", f"{task_id}/{a_index}"))
                gold = bool(ann.get("ground_truth"))
                sink.annotations.add(article_id, ann_id, annotator_of(ann.get("completed_by")), gold, *loc)
                results = list_field(ann, "result")  # null: no regions, as export build reads it
                _add_results(
                    sink,
                    ann["result"] if results is None else results,
                    article_id=article_id,
                    annotation_id=ann_id,
                    is_gold=gold,
                    loc=loc,
                    spec=spec,
                    not_a_list_hint=EXPORT_LIST_HINT,
                    text=task["data"]["text"],
                )
    except WireError as err:
        sink.findings.append(
            _malformed((str(path), err.line or -1, ""), None, _without_place(err, path), UNREADABLE_HINT)
        )
    _foreign_finding(sink, spec, "export")
    tables = sink.tables()
    # Several snapshots of one task in one file are the same article: keep one article row.
    tables.articles = tables.articles.drop_duplicates(subset=["article_id", "text"], keep="first")
    tables.normalize_whitespace = True
    return tables


# -- releases (parquet) --------------------------------------------------------------------------
def _class_names(values: pa.Array, names: tuple[str, ...]) -> pd.Series:
    """ClassLabel ids → names in arrow (a dictionary decode, no per-row Python); out-of-range ids
    become ``<invalid class id N>`` (then caught as unknown labels)."""
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks()
    if pa.types.is_string(values.type) or pa.types.is_large_string(values.type):
        return _str_series(values)
    ids = pc.cast(values, pa.int64())
    valid = pc.and_(pc.greater_equal(ids, 0), pc.less(ids, len(names)))
    decoded = pc.take(pa.array(list(names), pa.string()), pc.if_else(valid, ids, 0))
    bad = pc.and_(pc.is_valid(ids), pc.invert(pc.fill_null(valid, True)))
    if pc.any(bad).as_py():
        invalid = pc.binary_join_element_wise("<invalid class id ", pc.cast(ids, pa.string()), ">", "")
        decoded = pc.if_else(bad, invalid, decoded)
    return _str_series(decoded)


def _str_series(values: pa.Array | pa.ChunkedArray) -> pd.Series:
    """An arrow string column as a pandas ``str`` column (nulls stay missing)."""
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks()
    if not (pa.types.is_string(values.type) or pa.types.is_large_string(values.type)):
        values = pc.cast(values, pa.string())
    return pd.Series(values.to_pandas(), dtype="str")


def _flatten_list(tbl: pa.Table, column: str) -> tuple[pa.StructArray, pa.Array]:
    arr = tbl.column(column).combine_chunks()
    return pc.list_flatten(arr), pc.list_parent_indices(arr)


def _arrow_column(values: pd.Series) -> pa.Array:
    array = values.array
    if hasattr(array, "__arrow_array__"):  # pandas' arrow-backed str dtype: no copy
        converted = pa.array(array)
        return converted.combine_chunks() if isinstance(converted, pa.ChunkedArray) else converted
    return pa.array(values.to_numpy(dtype=object), type=pa.string(), from_pandas=True)


def _spans_from_lists(
    tbl: pa.Table,
    *,
    article_ids: pd.Series,
    annotation_ids: pd.Series | None,
    is_gold: bool,
    file: str,
    spec: AnnotationSpec,
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    flat, parent = _flatten_list(tbl, "spans")
    n = len(flat)
    src = pd.Categorical([file] * 1, categories=[file])
    # per-row columns of the parent document taken in arrow (no Python strings)
    ids_arrow = _arrow_column(article_ids)
    ann_arrow = _arrow_column(annotation_ids) if annotation_ids is not None else None
    spans = pd.DataFrame(
        {
            "article_id": _str_series(ids_arrow.take(parent)),
            "annotation_id": _str_series(ann_arrow.take(parent)) if ann_arrow is not None else None,
            "span_id": _str_series(flat.field("id")),
            "label": _class_names(flat.field("label"), spec.span_label_names),
            "start": flat.field("start").to_pandas(),
            "end": flat.field("end").to_pandas(),
            "text": _str_series(flat.field("text")),
            "is_gold": is_gold,
            "src_file": pd.Categorical.from_codes(np.zeros(n, np.int8), categories=src.categories),
            "src_line": -1,
            "task_id": _str_series(pa.nulls(n, pa.string())),
        }
    )
    # str columns throughout (pandera checks an object column's type row by row)
    for col in ("article_id", "annotation_id", "task_id"):
        if spans[col].dtype != "str":
            spans[col] = spans[col].astype("str")
    for col in ("start", "end"):
        spans[col] = pd.to_numeric(spans[col], errors="coerce").fillna(-1).astype("int64")
    # attributes: one row per non-null attribute value
    attr_frames = []
    attr_struct = flat.field("attributes") if "attributes" in [f.name for f in flat.type] else None
    if attr_struct is not None:
        for attr in spec.attributes:
            if attr.name not in [f.name for f in attr_struct.type]:
                continue
            values = attr_struct.field(attr.name)
            mask = pc.is_valid(values).to_numpy(zero_copy_only=False)
            if not mask.any():
                continue
            names = _class_names(values, attr.choices) if attr.kind == "choice" else _str_series(values)
            sub = spans.loc[
                mask, ["article_id", "annotation_id", "span_id", "src_file", "src_line", "task_id"]
            ]
            k = int(mask.sum())
            one_name = pa.DictionaryArray.from_arrays(pa.array(np.zeros(k, np.int8)), pa.array([attr.name]))
            sub = sub.assign(
                name=_str_series(one_name).set_axis(sub.index),  # built in arrow, no Python strings
                value=names[mask].astype("str").set_axis(sub.index),
            )
            attr_frames.append(sub[list(ATTRIBUTE_COLUMNS)])
    attributes = (
        pd.concat(attr_frames, ignore_index=True) if attr_frames else _Columns(ATTRIBUTE_COLUMNS).frame()
    )
    rflat, rparent = _flatten_list(tbl, "relations")
    m = len(rflat)
    relations = pd.DataFrame(
        {
            "article_id": _str_series(ids_arrow.take(rparent)),
            "annotation_id": _str_series(ann_arrow.take(rparent)) if ann_arrow is not None else None,
            "from_id": _str_series(rflat.field("from_id")),
            "to_id": _str_series(rflat.field("to_id")),
            "label": _class_names(rflat.field("label"), spec.relation_label_names),
            "direction": None,
            "src_file": pd.Categorical.from_codes(np.zeros(m, np.int8), categories=src.categories),
            "src_line": -1,
            "task_id": _str_series(pa.nulls(m, pa.string())),
        }
    )
    for col in ("article_id", "annotation_id", "direction", "task_id"):
        if relations[col].dtype != "str":
            relations[col] = relations[col].astype("str")
    return spans, attributes, relations


def read_release_config(
    parquet: Path, config: str, display: str, spec: AnnotationSpec = SPEC
) -> tuple[Tables, pa.Schema, int]:
    """One parquet file of a release as flat tables; also returns its schema and row count."""
    tbl = pq.read_table(parquet)
    return release_tables(tbl, config, split_of(parquet), display, spec), tbl.schema, tbl.num_rows


def release_tables(
    tbl: pa.Table,
    config: str,
    split: str,
    display: str,
    spec: AnnotationSpec = SPEC,
    *,
    articles: bool = True,
    spans: bool = True,
) -> Tables:
    """Rows of one release config (a whole file or a batch of it) as flat tables.

    ``articles=False`` leaves out the documents' / annotations' own rows (only their spans,
    relations and attributes are built); ``spans=False`` leaves out the spans, relations and
    attributes — so that a caller can read only the columns it needs."""
    n = tbl.num_rows
    tables = empty_tables()
    src_cat = pd.Categorical.from_codes([0] * n, categories=pd.Index([display])) if n else pd.Categorical([])
    if config == "documents":
        ids = pd.Series(tbl.column(document_id_column(tbl.column_names)).to_pandas(), dtype="str")
        if articles:
            tables.articles = pd.DataFrame(
                {
                    "article_id": ids,
                    "title": pd.Series(tbl.column("title").to_pandas(), dtype="str")
                    if "title" in tbl.column_names
                    else None,
                    "text": pd.Series(tbl.column("text").to_pandas(), dtype="str"),
                    "split": split,
                    "src_file": src_cat,
                    "src_line": -1,
                    "task_id": None,
                }
            )
        if spans:
            tables.spans, tables.attributes, tables.relations = _spans_from_lists(
                tbl, article_ids=ids, annotation_ids=None, is_gold=True, file=display, spec=spec
            )
    elif config == "annotations":
        ids = pd.Series(tbl.column("article_id").to_pandas(), dtype="str")
        ann_ids = pd.Series(tbl.column("annotation_id").to_pandas(), dtype="str")
        if articles:
            tables.annotations = pd.DataFrame(
                {
                    "article_id": ids,
                    "annotation_id": ann_ids,
                    "annotator": pd.Series(tbl.column("annotator").to_pandas(), dtype="str"),
                    "ground_truth": tbl.column("ground_truth").to_pandas().fillna(False).astype(bool),
                    "src_file": src_cat,
                    "src_line": -1,
                    "task_id": None,
                }
            )
            if "text" in tbl.column_names:
                tables.annotation_texts = pd.DataFrame(
                    {"article_id": ids, "text": pd.Series(tbl.column("text").to_pandas(), dtype="str")}
                )
        if spans:
            tables.spans, tables.attributes, tables.relations = _spans_from_lists(
                tbl, article_ids=ids, annotation_ids=ann_ids, is_gold=False, file=display, spec=spec
            )
    elif config == "claims":
        df = tbl.to_pandas()
        claim = spec.span_label(spec.role_label("claim"))
        actor = spec.span_label(spec.role_label("actor"))
        for attr in (*claim.attributes, *actor.attributes):
            if attr.kind == "choice" and attr.name in df:
                df[attr.name] = _class_names(tbl.column(attr.name).combine_chunks(), attr.choices).to_numpy()
        c = CLAIM_COLUMNS
        if c.stance in df:
            df[c.stance] = _class_names(tbl.column(c.stance).combine_chunks(), spec.stance_names).to_numpy()
        for col in (c.claim_start, c.claim_end):
            if col in df:
                df[col] = pd.to_numeric(df[col], errors="coerce").fillna(-1).astype("int64")
        for col in (c.target_start, c.target_end):
            if col in df:
                df[col] = pd.to_numeric(df[col], errors="coerce").astype("float64")
        df["split"] = split
        df["src_file"] = src_cat
        df["src_line"] = -1
        df["task_id"] = None
        tables.claims = df
    return tables
