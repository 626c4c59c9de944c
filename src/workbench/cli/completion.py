"""`workbench completion SHELL`: the shell-completion script of the command line.

The script asks ``workbench`` itself for the completions (typer's protocol, through the
``_WORKBENCH_COMPLETE`` variable), so commands, options and choices complete as the installed
version defines them.
"""

from __future__ import annotations

from enum import Enum
from typing import Annotated

import typer

from workbench.cli.helptext import COMPLETE_VAR, PROG_NAME, examples


class Shell(str, Enum):
    """The shells with a completion script."""

    bash = "bash"
    zsh = "zsh"
    fish = "fish"


def completion_command(
    ctx: typer.Context,
    shell: Annotated[Shell, typer.Argument(help="The shell: bash, zsh or fish.")],
) -> None:
    """Print the shell-completion script for SHELL (load it from your shell's start-up file)."""
    from typer.completion import completion_init, shell_complete

    completion_init()
    code = shell_complete(ctx.find_root().command, {}, PROG_NAME, COMPLETE_VAR, f"source_{shell.value}")
    raise typer.Exit(code)


def register(app: typer.Typer) -> None:
    """Add ``workbench completion`` to the top-level app."""
    app.command("completion", epilog=examples(
        'eval "$(workbench completion bash)"     # this shell only',
        "workbench completion bash >> ~/.bashrc  # every new bash",
        'eval "$(workbench completion zsh)"      # zsh',
    ))(completion_command)
