"""Commands of `workbench` (see cli.py). Filled in by its owner module."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Add this module's commands to the top-level app."""
