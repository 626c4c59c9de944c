"""Texts shared by the commands' ``--help``."""

from __future__ import annotations


def examples(*lines: str) -> str:
    """An ``Examples:`` epilog for a command's ``--help`` (one command line per line, comments after ``#``)."""
    from rich.markup import escape

    return "Examples:\n" + "\n".join(f"  {escape(line)}" for line in lines)
