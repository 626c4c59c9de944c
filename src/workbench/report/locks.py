"""File locks under ``reports/.locks/``: one run of a run id at a time, one writer of the index.

A lock is ``fcntl.flock`` on ``reports/.locks/<name>.lock``: the kernel releases it when its holder
exits, however it exits (a killed run never leaves a lock behind). The files themselves stay (a
few bytes each): deleting a lock file while another process waits on it would let two holders in.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from collections.abc import Callable, Iterator
from pathlib import Path

LOCKS_DIR = ".locks"
INDEX_LOCK = "index"


def lock_path(reports: Path, name: str) -> Path:
    """``reports/.locks/<name>.lock``."""
    return reports / LOCKS_DIR / f"{name}.lock"


def _open(reports: Path, name: str) -> int:
    path = lock_path(reports, name)
    path.parent.mkdir(parents=True, exist_ok=True)
    return os.open(path, os.O_RDWR | os.O_CREAT, 0o600)


def _holder(fd: int) -> str:
    try:
        return os.pread(fd, 32, 0).decode(errors="replace").strip() or "?"
    except OSError:
        return "?"


def _claim(fd: int) -> None:
    os.ftruncate(fd, 0)
    os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)


@contextlib.contextmanager
def exclusive(reports: Path, name: str, *, on_wait: Callable[[str], None] | None = None) -> Iterator[None]:
    """Hold the lock ``name``, waiting for it when another process holds it.

    ``on_wait(pid)`` is called once, with the holder's process id, before waiting.
    """
    fd = _open(reports, name)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            if on_wait is not None:
                on_wait(_holder(fd))
            fcntl.flock(fd, fcntl.LOCK_EX)
        _claim(fd)
        yield
    finally:
        os.close(fd)


@contextlib.contextmanager
def exclusive_if_free(reports: Path, name: str) -> Iterator[bool]:
    """Hold the lock ``name`` if no other process does; yields whether it is held."""
    fd = _open(reports, name)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        _claim(fd)
        yield True
    finally:
        os.close(fd)
