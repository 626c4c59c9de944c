"""Texts shared by the commands' ``--help``, and the one way a command group is made.

Help is click's plain text (``rich_markup_mode=None``): typer's rich formatter alone costs more than
importing typer itself, and ``workbench --help`` should answer as fast as typer can (issue 15;
``benchmarks/bench_report.py --rows help``). Plain help is also what a pipe, a pager or a log shows.
"""

from __future__ import annotations

from typing import Any

import typer
from typer.core import TyperGroup

#: The command's name, in its usage lines and its shell-completion script.
PROG_NAME = "workbench"
#: The variable through which the shell asks ``workbench`` for completions (typer's protocol).
COMPLETE_VAR = "_WORKBENCH_COMPLETE"
#: typer's ``rich_markup_mode`` for every app and group of the workbench: plain click help.
MARKUP_MODE = None
#: click's mark for "do not re-wrap the paragraph that follows".
KEEP_LINES = "\b"


def examples(*lines: str) -> str:
    """An ``Examples:`` epilog for a command's ``--help`` (one command line per line, comments after ``#``).

    The block is printed as written, one example per line (click would otherwise re-wrap it).
    """
    return f"{KEEP_LINES}\nExamples:\n" + "\n".join(f"  {line}" for line in lines)


class CommandList(TyperGroup):
    """A group whose ``--help`` lists each command with the whole first sentence of its help, wrapped."""

    def summaries(self, ctx: Any) -> list[tuple[str, str]]:
        """(name, first sentence of its help) of each command, in the order they were added."""
        listed = ((name, self.get_command(ctx, name)) for name in self.list_commands(ctx))
        return [(name, command.get_short_help_str(limit=10_000)) for name, command in listed
                if command is not None and not command.hidden]

    def format_commands(self, ctx: Any, formatter: Any) -> None:
        rows = self.summaries(ctx)
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)


def command_group(help: str) -> typer.Typer:  # noqa: A002 - typer's own name for it
    """A group of sub-commands (``workbench data …``): plain help, its own help when called bare."""
    return typer.Typer(cls=CommandList, help=help, no_args_is_help=True, rich_markup_mode=MARKUP_MODE)
