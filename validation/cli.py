"""``stancebank validate``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer


def validate_command(
    paths: Annotated[list[Path], typer.Argument(help="Files or folders to validate.")],
) -> None:
    """Validate tasks, exports, releases or the data/ tree (span-aware, lazy, CI-friendly)."""
    raise typer.Exit(code=2)
