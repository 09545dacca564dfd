"""The pilot gold (data/pilot/pilot.yaml) and its resolution to Label Studio annotations."""

from __future__ import annotations

import html
import json
import re
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import typer
import yaml
from typer.testing import CliRunner

from stancebank.schema.spec import SPEC
from stancebank.tasks.build import BuildOptions, build_tasks
from stancebank.tasks.pilot import (
    PilotArticle,
    PilotError,
    find_occurrence,
    load_pilot,
    parse_pilot,
    resolve_pilot,
)
from stancebank.tasks.pilot_cli import resolve_command

REPO = Path(__file__).resolve().parents[2]
RAW = REPO / "data" / "raw"
PILOT = REPO / "data" / "pilot" / "pilot.yaml"

ACTOR = SPEC.role_label("actor")
CLAIM = SPEC.role_label("claim")
TARGET = SPEC.role_label("target")
SOURCE = SPEC.attribution_labels[0].name


# -- helpers -------------------------------------------------------------------------------------


def _html_article_text(page: str) -> str:
    """A rough text of the <article> element: tags dropped, entities decoded, one line per block."""
    match = re.search(r"<article>(.*)</article>", page, re.S)
    assert match, "the sample HTML page has an <article>"
    body = re.sub(r"</(p|h1|blockquote)>", "\n\n", match.group(1))
    return html.unescape(re.sub(r"<[^>]+>", "", body))


def _raw_text(article: PilotArticle) -> str:
    path = RAW / article.file
    data = path.read_bytes()
    if path.suffix == ".jsonl":
        for line in data.decode("utf-8").splitlines():
            record = json.loads(line)
            if record["id"] == article.record:
                return str(record["text"])
        raise AssertionError(f"{article.key}: no such record in {path}")
    if path.suffix == ".html":
        return _html_article_text(data.decode("utf-8"))
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def _synthetic_tasks(articles: list[PilotArticle]) -> list[Any]:
    """One task per pilot article whose text is the raw article text (no cleaner involved)."""
    tasks: list[Any] = []
    for n, article in enumerate(articles):
        tasks.append(
            {
                "data": {
                    "text": _raw_text(article),
                    "article_id": str(article.record) if article.record is not None else f"raw-{n}",
                    "stancebank": {"origin_file": f"data/raw/{article.file}", "origin_record": None},
                }
            }
        )
    return tasks


def _regions(result: list[Any]) -> dict[str, dict[str, Any]]:
    """region id → {label, start, end, text, attributes} from a Label Studio result list."""
    regions: dict[str, dict[str, Any]] = {}
    for item in result:
        if item["type"] == "relation":
            continue
        region = regions.setdefault(item["id"], {"attributes": {}})
        value = item["value"]
        region.update(
            start=value["start"],
            end=value["end"],
            text=value["text"] if item["type"] != "textarea" else region.get("text"),
        )
        if item["type"] == "labels":
            region["label"] = value["labels"][0]
            region["text"] = value["text"]
        elif item["type"] == "choices":
            region["attributes"][item["from_name"]] = value["choices"][0]
        else:
            region["attributes"][item["from_name"]] = value["text"][0]
    return regions


def _mini(
    spans: list[dict[str, Any]], relations: list[dict[str, Any]] | None = None, **extra: Any
) -> dict[str, Any]:
    return {
        "articles": [
            {
                "file": "mini.txt",
                "annotations": {"annotator-a": {"spans": spans, "relations": relations or []}},
                **extra,
            }
        ]
    }


MINI_TEXT = "Aide 💪 Bo said Bo would back a ceasefire. Bo said more."


def _mini_task(text: str = MINI_TEXT) -> list[Any]:
    return [{"data": {"text": text, "article_id": "m1", "stancebank": {"origin_file": "in/mini.txt"}}}]


# -- the committed pilot ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def pilot() -> list[PilotArticle]:
    return load_pilot(PILOT)


def test_pilot_covers_every_sample_article(pilot: list[PilotArticle]) -> None:
    keys = {(a.file, a.record) for a in pilot}
    files = {p.name for p in RAW.iterdir() if p.suffix in {".txt", ".html", ".jsonl"}}
    assert {f for f, _ in keys} == files
    records = [
        json.loads(line)["id"] for line in (RAW / "wire_batch.jsonl").read_text(encoding="utf-8").splitlines()
    ]
    assert {r for f, r in keys if f == "wire_batch.jsonl"} == set(records)
    assert all("annotator-a" in {x.annotator for x in a.annotations} for a in pilot)
    assert sum("annotator-b" in {x.annotator for x in a.annotations} for a in pilot) >= 4


def test_latin1_sample_is_really_latin1() -> None:
    data = (RAW / "fr_cessez_le_feu_garanties.txt").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    assert "é" in data.decode("latin-1")


def test_every_pilot_span_resolves_in_the_raw_article_text(pilot: list[PilotArticle]) -> None:
    tasks = _synthetic_tasks(pilot)
    imports = resolve_pilot(pilot, tasks)
    texts = {t["data"]["article_id"]: t["data"]["text"] for t in tasks}
    assert len(imports) == sum(len(a.annotations) for a in pilot)
    for item in imports:
        text = texts[item["article_id"]]
        regions = _regions(item["result"])
        assert regions
        for region_id, region in regions.items():
            assert text[region["start"] : region["end"]] == region["text"], (item["article_id"], region_id)


def test_pilot_follows_the_guidelines_structure(pilot: list[PilotArticle]) -> None:
    for article in pilot:
        for ann in article.annotations:
            where = f"{article.key} {ann.annotator}"
            labels = {s.id: s.label for s in ann.spans}
            sources = Counter(r.to_id for r in ann.relations if r.label == SOURCE)
            stanced = {r.to_id for r in ann.relations if r.label in SPEC.stance_names}
            speaking = {r.from_id for r in ann.relations if r.label == SOURCE}
            for span in ann.spans:
                assert span.text == span.text.strip() and span.text[-1] not in ".,;:", (where, span.id)
                if span.label == CLAIM:
                    assert sources[span.id] == 1, f"{where}: claim {span.id} needs exactly one source"
                    assert span.attributes.get("claim_form"), (where, span.id)
                elif span.label == TARGET:
                    assert span.id in stanced, f"{where}: target {span.id} has no stance"
                elif span.label == ACTOR:
                    assert span.id in speaking, f"{where}: actor {span.id} is the source of nothing"
                    assert span.attributes.get("actor_type"), (where, span.id)
            for rel in ann.relations:
                assert labels[rel.from_id] in SPEC.relation_label(rel.label).from_labels
            # the claim_form rule (adjudicated annotations only: annotator-b breaks it on purpose)
            if not article.is_ground_truth(ann.annotator):
                continue
            for span in ann.spans:
                form = span.attributes.get("claim_form")
                if form == "mixed":
                    assert re.search("[\"“”«»']", span.text), (where, span.id)
                if form == "indirect":
                    assert not re.search('["“”«»]', span.text), (where, span.id)


def test_disagreements_are_adjudicated(pilot: list[PilotArticle]) -> None:
    doubled = [a for a in pilot if len(a.annotations) == 2]
    assert len(doubled) >= 4
    for article in doubled:
        assert article.ground_truth == "annotator-a"
        a, b = article.annotations
        assert {s.text for s in a.spans} != {s.text for s in b.spans} or a.relations != b.relations
    imports = resolve_pilot(pilot, _synthetic_tasks(pilot))
    truths = Counter(item["article_id"] for item in imports if item["ground_truth"])
    assert set(truths.values()) == {1} and len(truths) == len(pilot)


def test_pilot_contains_the_hard_cases(pilot: list[PilotArticle]) -> None:
    spans = [s for a in pilot for x in a.annotations if x.annotator == "annotator-a" for s in x.spans]
    texts = {s.text for s in spans}
    assert {"he", "She", "elle"} <= texts  # pronoun speakers
    assert "The country's top negotiator" in texts  # description speaker
    assert any("💪" in t for t in texts)  # emoji inside a direct quote
    assert any(t.endswith("?") for t in texts)  # rhetorical question
    assert any("‘" in t for t in texts)  # single quotes nested in a direct quote
    forms = Counter(s.attributes.get("claim_form") for s in spans if s.label == CLAIM)
    assert forms["direct"] and forms["indirect"] and forms["mixed"]
    two_targets = [
        rel_from
        for a in pilot
        for x in a.annotations
        for rel_from, n in Counter(r.from_id for r in x.relations if r.label in SPEC.stance_names).items()
        if n >= 2
    ]
    assert two_targets


# -- resolution: offsets -------------------------------------------------------------------------


def test_occurrence_picks_the_nth_match_in_code_points() -> None:
    doc = _mini(
        [
            {
                "id": "a1",
                "label": ACTOR,
                "text": "Bo",
                "occurrence": 1,
                "attributes": {"actor_type": "person"},
            },
            {"id": "a2", "label": ACTOR, "text": "Bo", "occurrence": 3},
            {
                "id": "c1",
                "label": CLAIM,
                "text": "Bo would back a ceasefire",
                "attributes": {"claim_form": "indirect"},
            },
            {"id": "t1", "label": TARGET, "text": "a ceasefire"},
        ],
        [
            {"from": "a1", "to": "c1", "label": SOURCE},
            {"from": "c1", "to": "t1", "label": SPEC.stance_names[0]},
        ],
    )
    imports = resolve_pilot(parse_pilot(doc), _mini_task())
    regions = _regions(imports[0]["result"])
    # "Aide " (5) + emoji (1 code point) + " " → "Bo" starts at 7; the third "Bo" follows "ceasefire. "
    assert (regions["a1"]["start"], regions["a1"]["end"]) == (7, 9)
    assert regions["a2"]["start"] == MINI_TEXT.index("Bo said more")
    assert (regions["c1"]["start"], regions["c1"]["end"]) == (15, 40)
    assert regions["a1"]["attributes"] == {"actor_type": "person"}
    assert regions["c1"]["attributes"] == {"claim_form": "indirect"}
    for region in regions.values():
        assert MINI_TEXT[region["start"] : region["end"]] == region["text"]
    relations = [r for r in imports[0]["result"] if r["type"] == "relation"]
    assert {(r["from_id"], r["to_id"], r["labels"][0]) for r in relations} == {
        ("a1", "c1", SOURCE),
        ("c1", "t1", SPEC.stance_names[0]),
    }
    assert imports[0] == {**imports[0], "article_id": "m1", "annotator": "annotator-a", "ground_truth": True}


def test_find_occurrence_counts_overlapping_matches() -> None:
    assert find_occurrence("aaaa", "aa", 1) == 0
    assert find_occurrence("aaaa", "aa", 3) == 2
    assert find_occurrence("aaaa", "aa", 4) == -1


def test_jsonl_records_are_matched_by_record_id() -> None:
    doc = {
        "articles": [
            {
                "file": "batch.jsonl",
                "record": rid,
                "annotations": {"annotator-a": {"spans": [{"id": "t", "label": TARGET, "text": word}]}},
            }
            for rid, word in (("r1", "tariffs"), ("r2", "budget"))
        ]
    }
    tasks = [
        {
            "data": {
                "text": "The budget.",
                "article_id": "r2",
                "stancebank": {"origin_file": "x/batch.jsonl", "origin_record": 2},
            }
        },
        {
            "data": {
                "text": "New tariffs.",
                "article_id": "r1",
                "stancebank": {"origin_file": "x/batch.jsonl", "origin_record": 1},
            }
        },
    ]
    imports = resolve_pilot(parse_pilot(doc), tasks)
    assert [(i["article_id"], _regions(i["result"])["t"]["start"]) for i in imports] == [("r1", 4), ("r2", 4)]


# -- errors name the article, annotator, span, field and fix ----------------------------------------


@pytest.mark.parametrize(
    ("span", "expected"),
    [
        (
            {"id": "s1", "label": "PERSON", "text": "Bo"},
            ["mini.txt", "annotator-a", "span s1", "`label`", "ACTOR"],
        ),
        ({"id": "s1", "label": ACTOR, "text": " Bo"}, ["span s1", "`text`", "whitespace"]),
        ({"id": "s1", "label": ACTOR, "text": "Bo", "occurrence": 0}, ["span s1", "`occurrence`"]),
        (
            {"id": "s1", "label": ACTOR, "text": "Bo", "attributes": {"actor_type": "robot"}},
            ["span s1", "actor_type", "person"],
        ),
        (
            {"id": "s1", "label": TARGET, "text": "Bo", "attributes": {"claim_form": "direct"}},
            ["span s1", "claim_form", TARGET],
        ),
        ({"id": "s1", "label": ACTOR, "text": "Bo", "offset": 3}, ["span s1", "offset", "allowed fields"]),
    ],
)
def test_malformed_spans_are_rejected_with_a_clear_message(span: dict[str, Any], expected: list[str]) -> None:
    with pytest.raises(PilotError) as info:
        parse_pilot(_mini([span]))
    for part in expected:
        assert part in str(info.value)


def test_a_span_text_not_in_the_task_is_an_error_naming_it() -> None:
    doc = _mini([{"id": "c9", "label": CLAIM, "text": "Bo would back a truce"}])
    with pytest.raises(
        PilotError, match=r"annotator-a, span c9: field `text` 'Bo would back a truce' occurs 0 time"
    ):
        resolve_pilot(parse_pilot(doc), _mini_task())
    doc = _mini([{"id": "a1", "label": ACTOR, "text": "Bo", "occurrence": 4}])
    with pytest.raises(PilotError, match=r"occurs 3 time.*occurrence 4"):
        resolve_pilot(parse_pilot(doc), _mini_task())


def test_relation_errors_name_the_relation_and_the_fix() -> None:
    spans = [{"id": "a1", "label": ACTOR, "text": "Bo"}, {"id": "t1", "label": TARGET, "text": "a ceasefire"}]
    with pytest.raises(PilotError, match=r"relation 'a1' -> 't1'.*goes ACTOR -> CLAIM, not ACTOR -> TARGET"):
        parse_pilot(_mini(spans, [{"from": "a1", "to": "t1", "label": SOURCE}]))
    with pytest.raises(PilotError, match="`to` names span 'zz'"):
        parse_pilot(_mini(spans, [{"from": "a1", "to": "zz", "label": SOURCE}]))
    with pytest.raises(PilotError, match="`label` is 'likes'"):
        parse_pilot(_mini(spans, [{"from": "a1", "to": "t1", "label": "likes"}]))


def test_annotators_must_be_pseudonyms_and_disagreements_need_ground_truth() -> None:
    one = {"spans": [{"id": "a1", "label": ACTOR, "text": "Bo"}]}
    two = {"spans": [{"id": "a1", "label": ACTOR, "text": "Aide"}]}
    with pytest.raises(PilotError, match="pseudonyms"):
        parse_pilot({"articles": [{"file": "m.txt", "annotations": {"jane@example.org": one}}]})
    with pytest.raises(PilotError, match="differ; set `ground_truth`"):
        parse_pilot(
            {"articles": [{"file": "m.txt", "annotations": {"annotator-a": one, "annotator-b": two}}]}
        )
    with pytest.raises(PilotError, match="`ground_truth` is 'annotator-c'"):
        parse_pilot(
            {
                "articles": [
                    {"file": "m.txt", "ground_truth": "annotator-c", "annotations": {"annotator-a": one}}
                ]
            }
        )
    same = parse_pilot(
        {"articles": [{"file": "m.txt", "annotations": {"annotator-a": one, "annotator-b": one}}]}
    )
    assert [same[0].is_ground_truth(n) for n in ("annotator-a", "annotator-b")] == [True, False]


def test_an_article_without_a_task_is_an_error() -> None:
    doc = _mini([{"id": "a1", "label": ACTOR, "text": "Bo"}])
    doc["articles"][0]["file"] = "elsewhere.txt"
    with pytest.raises(PilotError, match=r"article elsewhere\.txt: no task was built from it"):
        resolve_pilot(parse_pilot(doc), _mini_task())


def test_load_pilot_reports_yaml_syntax_errors(tmp_path: Path) -> None:
    bad = tmp_path / "pilot.yaml"
    bad.write_text("articles:\n  - file: [unclosed\n", encoding="utf-8")
    with pytest.raises(PilotError, match="not valid YAML"):
        load_pilot(bad)


# -- the command -----------------------------------------------------------------------------------


def _app() -> typer.Typer:
    app = typer.Typer()
    app.command("resolve-annotations")(resolve_command)

    @app.callback()
    def _root() -> None:
        """Test root."""

    return app


def test_resolve_command_writes_the_import_list(tmp_path: Path) -> None:
    pilot_file = tmp_path / "pilot.yaml"
    pilot_file.write_text(
        yaml.safe_dump(_mini([{"id": "a1", "label": ACTOR, "text": "Bo", "occurrence": 2}])), encoding="utf-8"
    )
    tasks_file = tmp_path / "tasks.json"
    tasks_file.write_text(json.dumps(_mini_task()), encoding="utf-8")
    out = tmp_path / "out" / "annotations.json"
    result = CliRunner().invoke(
        _app(), ["resolve-annotations", str(pilot_file), "--tasks", str(tasks_file), "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    written = json.loads(out.read_text(encoding="utf-8"))
    assert written[0]["result"][0]["value"]["start"] == MINI_TEXT.index("Bo would")

    pilot_file.write_text(
        yaml.safe_dump(_mini([{"id": "a1", "label": ACTOR, "text": "Zed"}])), encoding="utf-8"
    )
    result = CliRunner().invoke(
        _app(), ["resolve-annotations", str(pilot_file), "--tasks", str(tasks_file), "--out", str(out)]
    )
    assert result.exit_code == 2
    assert "span a1" in result.output and "'Zed'" in result.output


# -- against tasks the real builder makes from data/raw ----------------------------------------------


@pytest.mark.slow
def test_pilot_resolves_against_tasks_built_from_data_raw(tmp_path: Path, pilot: list[PilotArticle]) -> None:
    result = build_tasks([RAW], BuildOptions(preannotate=False))
    tasks = result.tasks
    imports = resolve_pilot(pilot, tasks)
    texts = {t["data"]["article_id"]: t["data"]["text"] for t in tasks}
    assert len({i["article_id"] for i in imports}) == len(pilot)
    for item in imports:
        for region in _regions(item["result"]).values():
            assert texts[item["article_id"]][region["start"] : region["end"]] == region["text"]
