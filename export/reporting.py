"""Progress hooks of the export build (a light module: the CLI imports it at start-up)."""

from __future__ import annotations


class Reporter:
    """Progress hooks; the CLI subclasses this with Rich bars. Library default: silent."""

    def start(self, stage: str, total: int | None = None) -> None:
        return None

    def advance(self, n: int = 1) -> None:
        return None
