"""Command-line group of this stage (thin shell over the library)."""

from __future__ import annotations

import typer

app = typer.Typer(help="Build Label Studio tasks from articles.", no_args_is_help=True)
