"""Schema 1.1.0 (TARGET gains ``target_name``) is append-only: a 1.0.0 export still builds a release
whose ``claims`` carry a null ``target_name``; a 1.1.0 annotation's canonical target reaches the
span's attributes and the ``claims`` config."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pyarrow.parquet as pq

from stancebank.export.release import build_release
from stancebank.schema.spec import SPEC, AnnotationSpec, required_bump

REPO = Path(__file__).resolve().parents[2]
PILOT_EXPORT = sorted((REPO / "data" / "exports").glob("stancebank-pilot-*.json"))[0]


def _spec_1_0_0() -> AnnotationSpec:
    target = SPEC.span_label("TARGET")
    labels = tuple(replace(label, attributes=()) if label is target else label for label in SPEC.span_labels)
    return SPEC.with_changes(version="1.0.0", span_labels=labels)


def test_target_name_is_a_minor_bump_from_1_0_0() -> None:
    old = _spec_1_0_0()
    assert "target_name" not in {a.name for a in old.attributes}
    assert SPEC.version == "1.1.0"
    assert required_bump(old, SPEC) == "minor"
    assert SPEC.attribute_for("target_name").kind == "text"
    assert SPEC.attribute_owner("target_name").name == SPEC.role_label("target")


def _claims(out: Path) -> list[dict]:
    return [row for p in sorted(out.rglob("claims/*.parquet")) for row in pq.read_table(p).to_pylist()]


def test_release_from_a_schema_1_0_0_export_builds_with_null_target_name(tmp_path: Path) -> None:
    raw = PILOT_EXPORT.read_text(encoding="utf-8")
    assert '"target_name"' not in raw  # the committed pilot export predates 1.1.0
    out = tmp_path / "dist" / "r"
    build_release([PILOT_EXPORT], "1.0.0", out, registry_path=tmp_path / "reg.json")
    rows = _claims(out)
    assert rows and all("target_name" in r for r in rows)
    assert {r["target_name"] for r in rows} == {None}
    assert any(r["target_id"] is not None for r in rows)


def test_target_name_reaches_the_claims_config(tmp_path: Path) -> None:
    tasks = json.loads(PILOT_EXPORT.read_text(encoding="utf-8"))
    named = 0
    for task in tasks:
        for ann in task["annotations"]:
            extra = []
            for r in ann["result"]:
                if r.get("type") == "labels" and r["value"]["labels"] == ["TARGET"]:
                    v = r["value"]
                    extra.append(
                        {
                            "id": r["id"],
                            "from_name": "target_name",
                            "to_name": "text",
                            "type": "textarea",
                            "value": {"start": v["start"], "end": v["end"], "text": ["my canonical target"]},
                        }
                    )
            ann["result"].extend(extra)
            named += len(extra)
    assert named
    export = tmp_path / "stancebank-pilot-named.json"
    export.write_text(json.dumps(tasks), encoding="utf-8")
    out = tmp_path / "dist" / "r"
    build_release([export], "1.0.0", out, registry_path=tmp_path / "reg.json")
    rows = _claims(out)
    with_target = [r for r in rows if r["target_id"] is not None]
    assert with_target and {r["target_name"] for r in with_target} == {"my canonical target"}
    assert {r["target_name"] for r in rows if r["target_id"] is None} <= {None}
    # the card counts gold stances per canonical target, from the same claims
    card = (out / "README.md").read_text(encoding="utf-8")
    by_stance: dict[str, int] = {}
    for r in with_target:
        name = SPEC.stance_names[r["stance"]] if isinstance(r["stance"], int) else r["stance"]
        by_stance[name] = by_stance.get(name, 0) + 1
    cells = [str(by_stance.get(s, 0)) for s in SPEC.stance_names]
    row = f"| my canonical target | {' | '.join(cells)} | {len(with_target)} |"
    assert row in card, card[card.find("Stances per canonical target") :][:600]


def test_the_card_of_a_schema_1_0_0_release_counts_its_stances_without_a_name(tmp_path: Path) -> None:
    out = tmp_path / "dist" / "r"
    build_release([PILOT_EXPORT], "1.0.0", out, registry_path=tmp_path / "reg.json")
    card = (out / "README.md").read_text(encoding="utf-8")
    table = card[card.find("Stances per canonical target") :].split("\n\n")[1]
    assert table.splitlines()[-1].startswith("| (no `target_name`) |"), table
    assert len(table.splitlines()) == 3  # header, rule, one row: no name in a 1.0.0 export
