"""Fixtures of the export tests: the hand-written snapshots and a small Label Studio task builder."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "export"


@pytest.fixture(autouse=True)
def _pseudonym_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STANCEBANK_PSEUDONYM_KEY", "test-secret-not-in-any-release")


@pytest.fixture
def snapshots() -> list[Path]:
    return [FIXTURES / "snapshot_1.json", FIXTURES / "snapshot_2.json"]


class LS:
    """Build Label Studio results/tasks by hand (offsets found with ``text.index``)."""

    @staticmethod
    def span(rid: str, text: str, frag: str, label: str, start: int | None = None) -> dict[str, Any]:
        s = text.index(frag) if start is None else start
        return {
            "id": rid,
            "from_name": "label",
            "to_name": "text",
            "type": "labels",
            "value": {"start": s, "end": s + len(frag), "text": frag, "labels": [label]},
        }

    @staticmethod
    def choice(rid: str, name: str, value: str) -> dict[str, Any]:
        return {
            "id": rid,
            "from_name": name,
            "to_name": "text",
            "type": "choices",
            "value": {"choices": [value]},
        }

    @staticmethod
    def area(rid: str, name: str, value: str) -> dict[str, Any]:
        return {
            "id": rid,
            "from_name": name,
            "to_name": "text",
            "type": "textarea",
            "value": {"text": [value]},
        }

    @staticmethod
    def rel(a: str, b: str, label: str, direction: str = "right") -> dict[str, Any]:
        return {"from_id": a, "to_id": b, "type": "relation", "direction": direction, "labels": [label]}

    @staticmethod
    def ann(ann_id: int, user: Any, result: list[dict[str, Any]], **kw: Any) -> dict[str, Any]:
        return {
            "id": ann_id,
            "completed_by": user,
            "result": result,
            "was_cancelled": kw.get("cancelled", False),
            "ground_truth": kw.get("gt", False),
            "created_at": "2025-01-01T00:00:00Z",
            "updated_at": kw.get("updated", "2025-01-01T00:00:00Z"),
        }

    @staticmethod
    def task(
        task_id: int, article_id: str, text: str, annotations: list[dict[str, Any]], **kw: Any
    ) -> dict[str, Any]:
        preds = kw.get("predictions")
        return {
            "id": task_id,
            "data": {"text": text, "article_id": article_id, "title": f"T {article_id}", "language": "en"},
            "annotations": annotations,
            "predictions": [{"model_version": "m", "result": preds}] if preds else [],
            "drafts": kw.get("drafts", []),
            "updated_at": kw.get("updated", "2025-01-01T00:00:00Z"),
        }


@pytest.fixture
def ls() -> type[LS]:
    return LS
