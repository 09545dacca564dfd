"""An article without an id keeps its ``article_id`` when its text is corrected (issue 13 item 8):
the id comes from where it sits in the input (path below the folder, record), the text hash is its
version."""

from __future__ import annotations

import json
from pathlib import Path

from stancebank.tasks.build import BuildOptions, build_tasks

ARTICLE = "Minister Jane Roe said on Monday that the bridge plan would cut traffic in the old town.\n"
RECORDS = [
    {"text": "The mayor said the tram extension must come first, according to the council minutes."},
    {"text": "Union leaders said the strike would go on until wages rose, a spokesperson confirmed."},
]


def _ids(folder: Path, *inputs: Path) -> dict[tuple[str, int | None], tuple[str, str]]:
    result = build_tasks(list(inputs) or [folder], BuildOptions(preannotate=False))
    assert not result.rejects and not result.skipped
    out = {}
    for task in result.tasks:
        prov = task["data"]["stancebank"]
        out[(Path(prov["origin_file"]).name, prov["origin_record"])] = (
            task["data"]["article_id"],
            prov["text_sha256"],
        )
    return out


def _write(folder: Path, article: str, records: list[dict[str, str]]) -> None:
    (folder / "sub").mkdir(parents=True, exist_ok=True)
    (folder / "sub" / "bridge.txt").write_text("Bridge plan\n\n" + article, encoding="utf-8")
    (folder / "batch.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")


def test_corrected_text_keeps_its_id_and_changes_its_version(tmp_path: Path) -> None:
    _write(tmp_path / "in", ARTICLE, RECORDS)
    before = _ids(tmp_path / "in")
    corrected = [{"text": RECORDS[0]["text"].replace("mayor", "deputy mayor")}, RECORDS[1]]
    _write(tmp_path / "in", ARTICLE.replace("Jane Roe", "Jane Doe"), corrected)
    after = _ids(tmp_path / "in")
    assert before.keys() == after.keys() and len(before) == 3
    for key in before:
        assert after[key][0] == before[key][0]  # same article_id
    changed = {key for key in before if before[key][1] != after[key][1]}
    assert changed == {("bridge.txt", None), ("batch.jsonl", 1)}  # a new version of those two
    assert len({article_id for article_id, _ in after.values()}) == 3


def test_id_does_not_depend_on_where_the_folder_is(tmp_path: Path) -> None:
    _write(tmp_path / "a", ARTICLE, RECORDS)
    _write(tmp_path / "elsewhere" / "b", ARTICLE, RECORDS)
    assert _ids(tmp_path / "a") == _ids(tmp_path / "elsewhere" / "b")
    # a file named directly is keyed by its name, as inside its folder
    direct = _ids(tmp_path / "a", tmp_path / "a" / "batch.jsonl")
    assert direct == {k: v for k, v in _ids(tmp_path / "a").items() if k[0] == "batch.jsonl"}


def test_given_ids_are_kept(tmp_path: Path) -> None:
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "b.jsonl").write_text(json.dumps({"id": "wire-7", **RECORDS[0]}) + "\n")
    assert _ids(tmp_path / "in")[("b.jsonl", 1)][0] == "wire-7"
