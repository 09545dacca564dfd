"""Command-line group of this stage (thin shell over the library)."""

from __future__ import annotations

import typer

app = typer.Typer(help="Build and publish versioned dataset releases.", no_args_is_help=True)
