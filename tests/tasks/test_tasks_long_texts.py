"""Texts of any length are pre-annotated (spaCy refuses over 1,000,000 characters, E088), and one
article whose pre-annotation fails is reported, never the end of the run (issue 13, item 5)."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from stancebank.tasks.build import DEFAULT_MODEL, BuildOptions, build_tasks
from stancebank.tasks.preannotate import get_preannotator
from stancebank.tasks.preannotate.pipeline import MAX_PARSE_CHARS, pieces

NORMAL = (
    "Ferry council backs new timetable\n\n"
    "“We cannot accept another winter of cancelled crossings,” said Councillor Ruth Ames.\n\n"
    "She said that the operator must publish monthly reliability figures from next year.\n"
)
FILLER = (
    "Crossing {n} left the harbour at {h} o'clock with {m} lorries on board, and the queue along the "
    "quay was {k} vehicles long when the next ferry arrived from the island.\n\n"
)
LAST = "Mayor Lena Brandt said that the new timetable would be reviewed after one winter.\n"


def _long_article(chars: int) -> str:
    head = "Harbour report\n\n“The timetable is a disgrace,” said union leader Karl Vogt.\n\n"
    body: list[str] = []
    size, n = len(head) + len(LAST), 0
    while size < chars:
        body.append(FILLER.format(n=n, h=n % 24, m=n % 97, k=n % 53))
        size += len(body[-1])
        n += 1
    return head + "".join(body) + LAST


def _claims(task: dict[str, object]) -> list[dict[str, object]]:
    [prediction] = task["predictions"]  # type: ignore[misc]
    return [
        r["value"]
        for r in prediction["result"]
        if r.get("type") == "labels" and r["value"]["labels"] == ["CLAIM"]
    ]


def test_a_long_article_among_normal_ones_is_preannotated_in_pieces(tmp_path: Path) -> None:
    src = tmp_path / "in"
    src.mkdir()
    (src / "a.txt").write_text(NORMAL, "utf-8")
    long_text = _long_article(1_200_000)
    (src / "b_long.txt").write_text(long_text, "utf-8")
    (src / "c.txt").write_text(NORMAL.replace("Ruth Ames", "Tom Quorn").replace("Ferry", "Bridge"), "utf-8")
    result = build_tasks([src], BuildOptions())
    assert result.rejects == []
    assert len(result.tasks) == 3 and all(t.get("predictions") for t in result.tasks)
    long_task = next(t for t in result.tasks if len(t["data"]["text"]) > 1_000_000)
    claims = _claims(long_task)  # offsets checked against the text when the prediction was made
    text = long_task["data"]["text"]
    assert {c["text"] for c in claims} == {
        "The timetable is a disgrace",
        "the new timetable would be reviewed after one winter",
    }
    last = next(c for c in claims if str(c["text"]).startswith("the new"))
    assert int(last["start"]) > 1_100_000 and text[last["start"] : last["end"]] == last["text"]  # type: ignore[misc]


def test_an_article_whose_preannotation_fails_is_a_reject_and_the_rest_is_built(tmp_path: Path) -> None:
    """The failure the issue saw, for real: spaCy's E088 on a text over ``nlp.max_length``, with
    the pieces made larger than the model accepts."""
    annotator = get_preannotator(DEFAULT_MODEL)
    saved = annotator.nlp.max_length, annotator.max_parse_chars
    annotator.nlp.max_length, annotator.max_parse_chars = 50_000, 10**9
    try:
        src = tmp_path / "in"
        src.mkdir()
        (src / "a.txt").write_text(NORMAL, "utf-8")
        (src / "b_long.txt").write_text(_long_article(60_000), "utf-8")
        (src / "c.txt").write_text(
            NORMAL.replace("Ruth Ames", "Tom Quorn").replace("Ferry", "Bridge"), "utf-8"
        )
        result = build_tasks([src], BuildOptions())
    finally:
        annotator.nlp.max_length, annotator.max_parse_chars = saved
    [reject] = result.rejects
    assert reject.reason == "preannotation-failed" and reject.origin.file.endswith("b_long.txt")
    assert "E088" in reject.detail and "without a prediction" in reject.detail
    assert result.not_preannotated == {"pre-annotation failed": 1}
    assert len(result.tasks) == 3
    built = {
        Path(t["data"]["stancebank"]["origin_file"]).name: bool(t.get("predictions")) for t in result.tasks
    }
    assert built == {"a.txt": True, "b_long.txt": False, "c.txt": True}
    json.dumps(reject.to_json())


@given(st.text(alphabet="ab \n.", max_size=400), st.integers(min_value=1, max_value=60))
def test_pieces_cover_the_text_within_the_limit_and_cut_at_line_ends(text: str, limit: int) -> None:
    cut = pieces(text, limit)
    assert cut[0][0] == 0 and cut[-1][1] == len(text)
    assert all(a[1] == b[0] for a, b in itertools.pairwise(cut))
    assert all(0 < end - start <= limit for start, end in cut) or text == ""
    for start, end in cut[:-1]:
        if "\n" in text[start:end]:
            assert text[end - 1] == "\n"  # a paragraph end when the piece has one


def test_a_text_within_the_limit_is_one_piece_and_a_longer_one_is_cut_at_a_line_end() -> None:
    assert pieces("x" * MAX_PARSE_CHARS) == [(0, MAX_PARSE_CHARS)]
    text = "a\n" * MAX_PARSE_CHARS
    assert pieces(text) == [(0, MAX_PARSE_CHARS), (MAX_PARSE_CHARS, 2 * MAX_PARSE_CHARS)]
