"""Progress bars of the command line (rich): the steps of a build (stdout, beside its other lines), the bytes
of a download (stderr)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

#: A download's progress: data set id, bytes received so far, total bytes (None when the server does not say).
TransferCallback = Callable[[str, int, "int | None"], None]


def _progress(*columns: object, stderr: bool):
    from rich.console import Console
    from rich.progress import Progress

    return Progress(*columns, console=Console(stderr=stderr), transient=False)


@contextmanager
def step_bar(total: int, title: str) -> Iterator[Callable[[str], None]]:
    """A bar over ``total`` steps; the callback announces the next step (its message is printed too).

    Each call marks the step before it done; leaving the block marks the last one done.
    """
    from rich.markup import escape
    from rich.progress import BarColumn, MofNCompleteColumn, SpinnerColumn, TextColumn, TimeElapsedColumn

    with _progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                   TimeElapsedColumn(), stderr=False) as progress:
        task = progress.add_task(title, total=total)
        started = 0

        def next_step(message: str) -> None:
            nonlocal started
            if started:
                progress.advance(task)
            started += 1
            progress.console.print(f"building {escape(message)}", soft_wrap=True)
            progress.update(task, description=f"{title}: {escape(message.split(':')[0])}")

        yield next_step
        progress.update(task, completed=total, description=f"{title}: done")


@contextmanager
def transfer_bar() -> Iterator[TransferCallback]:
    """A bar per download, in bytes; the callback has the signature :data:`TransferCallback`."""
    from rich.progress import BarColumn, DownloadColumn, TextColumn, TransferSpeedColumn

    with _progress(TextColumn("{task.description}"), BarColumn(), DownloadColumn(), TransferSpeedColumn(),
                   stderr=True) as progress:
        tasks: dict[str, object] = {}

        def update(dataset_id: str, done: int, total: int | None) -> None:
            if dataset_id not in tasks:
                tasks[dataset_id] = progress.add_task(f"downloading {dataset_id}", total=total)
            progress.update(tasks[dataset_id], completed=done, total=total)

        yield update
