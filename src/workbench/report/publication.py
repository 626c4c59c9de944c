"""Crash-safe publication of report folders: a new folder, then one atomic switch of a link.

The layout under ``reports/``::

    .runs/<run-id>-<n>/        every published run folder (n = 1, 2, ... per run id), never changed
    <run-id>                   a symbolic link to .runs/<run-id>-<n>: the run's complete report
    failed/<run-id>            a link to ../.runs/<run-id>-<n>: the run's last failed attempt
    .tmp-<run-id>-<pid>/       a run being executed
    .locks/<run-id>.lock       held by the process that executes or publishes that run id

:func:`publish` takes a finished folder through these steps; a kill at any point leaves the
previous report or the new one reachable under ``<run-id>``, never neither:

1. ``moved``: rename the finished folder to ``.runs/<run-id>-<n>`` (one rename);
2. ``linked``: make a new link ``.link-<run-id>-<pid>`` beside the published one;
3. ``switched``: ``os.replace`` it onto ``<run-id>`` (or ``failed/<run-id>``);
4. ``cleaned``: delete the folder the link pointed to before.

:func:`recover` (every run calls it first, holding the run id's lock) finishes what a killed
publication left: the newest published folder of each status gets the link (the publication
completes), a folder no link points to is deleted, and so are leftover ``.tmp-*`` and ``.link-*``
entries. A failed run only moves the ``failed/`` link: it never replaces a complete report.

For tests, ``WORKBENCH_TEST_DIE_AT=<step>`` makes the process kill itself (SIGKILL) right after that
step (``staged``, before the first, is also a step).
"""

from __future__ import annotations

import os
import shutil
import signal
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from workbench.report.locks import exclusive_if_free
from workbench.report.manifest import read_manifest

Status = Literal["complete", "failed"]
RUNS_DIR = ".runs"
FAILED_DIR = "failed"
TMP_PREFIX = ".tmp-"
LINK_PREFIX = ".link-"
#: Folders of the workbench before links: ``.old-<run-id>-<pid>`` held a report being replaced.
OLD_PREFIX = ".old-"
DIE_AT_ENV = "WORKBENCH_TEST_DIE_AT"
STEPS = ("staged", "moved", "linked", "switched", "cleaned")


def checkpoint(step: str) -> None:
    """Kill this process here if ``$WORKBENCH_TEST_DIE_AT`` names ``step`` (tests of crash safety)."""
    if os.environ.get(DIE_AT_ENV) == step:
        os.kill(os.getpid(), signal.SIGKILL)


def link_path(reports: Path, run_id: str, status: Status) -> Path:
    """Where a run's report is read: ``reports/<run-id>`` or ``reports/failed/<run-id>``."""
    return reports / run_id if status == "complete" else reports / FAILED_DIR / run_id


def staging_folder(reports: Path, run_id: str) -> Path:
    """A new, empty ``reports/.tmp-<run-id>-<pid>/`` to execute a run into."""
    tmp = reports / f"{TMP_PREFIX}{run_id}-{os.getpid()}"
    if tmp.exists():
        shutil.rmtree(tmp)
    tmp.mkdir(parents=True)
    return tmp


@dataclass(frozen=True)
class _Published:
    number: int
    path: Path
    status: str | None  # None: no readable manifest (not a report)


def _published(reports: Path, run_id: str) -> list[_Published]:
    runs = reports / RUNS_DIR
    found = []
    for path in runs.glob(f"{run_id}-*") if runs.is_dir() else ():
        head, _, number = path.name.rpartition("-")
        if head == run_id and number.isdigit():
            manifest = read_manifest(path)
            status = manifest.get("status") if manifest else None
            found.append(_Published(int(number), path, status if status in ("complete", "failed") else None))
    return sorted(found, key=lambda p: p.number)


def _next_folder(reports: Path, run_id: str) -> Path:
    numbers = [p.number for p in _published(reports, run_id)]
    return reports / RUNS_DIR / f"{run_id}-{max(numbers, default=0) + 1}"


def _target(link: Path) -> Path | None:
    """The folder a link points to (absolute), or None when ``link`` is no link."""
    if not link.is_symlink():
        return None
    return (link.parent / os.readlink(link)).resolve()


def _point(link: Path, folder: Path, run_id: str) -> None:
    """Make ``link`` point to ``folder`` in one atomic step (readers see the old target or the new)."""
    tmp = link.with_name(f"{LINK_PREFIX}{run_id}-{os.getpid()}")
    tmp.unlink(missing_ok=True)
    os.symlink(os.path.relpath(folder, link.parent), tmp)
    checkpoint("linked")
    os.replace(tmp, link)
    checkpoint("switched")


def _adopt(folder: Path, reports: Path, run_id: str) -> Path:
    """Move a real report folder (of an older workbench) into ``.runs/``; returns where it went."""
    (reports / RUNS_DIR).mkdir(parents=True, exist_ok=True)
    target = _next_folder(reports, run_id)
    os.rename(folder, target)
    return target


def _adopt_legacy(reports: Path, run_id: str) -> None:
    """Give reports of the layout before links a place in ``.runs/`` (and the link they were read at).

    A ``.old-<run-id>-<pid>`` folder (the older two-rename move kept the previous report there) is
    older than a real ``<run-id>/`` folder, so it is adopted first: the newer report stays current.
    """
    for status in ("complete", "failed"):
        link = link_path(reports, run_id, status)  # type: ignore[arg-type]
        for old in sorted(link.parent.glob(f"{OLD_PREFIX}{run_id}-*")):
            if old.is_dir() and read_manifest(old):
                _adopt(old, reports, run_id)
        if link.is_dir() and not link.is_symlink():
            os.symlink(os.path.relpath(_adopt(link, reports, run_id), link.parent), link)


def publish(staged: Path, reports: Path, run_id: str, status: Status) -> Path:
    """Publish a finished run folder as ``reports/<run-id>`` (``failed/<run-id>`` if it failed).

    The caller holds the run id's lock (:func:`workbench.report.locks.exclusive`). ``staged`` holds
    the whole report, manifest included; it is renamed, never copied. Returns the link.
    """
    link = link_path(reports, run_id, status)
    link.parent.mkdir(parents=True, exist_ok=True)
    _adopt_legacy(reports, run_id)
    previous = _target(link)
    checkpoint("staged")
    folder = _next_folder(reports, run_id)
    folder.parent.mkdir(parents=True, exist_ok=True)
    os.rename(staged, folder)
    checkpoint("moved")
    _point(link, folder, run_id)
    if previous is not None and previous != folder.resolve():
        shutil.rmtree(previous, ignore_errors=True)
    checkpoint("cleaned")
    return link


_LEFTOVER_PREFIXES = (TMP_PREFIX, LINK_PREFIX, OLD_PREFIX)


def _leftover_run_id(name: str) -> str | None:
    """The run id of a ``.tmp-``, ``.link-`` or ``.old-<run-id>-<pid>`` entry's name, else None."""
    for prefix in _LEFTOVER_PREFIXES:
        if name.startswith(prefix):
            return name[len(prefix):].rpartition("-")[0] or None
    return None


def _leftovers(reports: Path, run_id: str) -> list[Path]:
    """The ``.tmp-``, ``.link-`` and (unreadable) ``.old-`` entries of a run id."""
    folders = [f for f in (reports, reports / FAILED_DIR) if f.is_dir()]
    return [p for f in folders for p in f.iterdir() if _leftover_run_id(p.name) == run_id]


def _remove(path: Path) -> None:
    if path.is_symlink() or path.is_file():
        path.unlink(missing_ok=True)
    else:
        shutil.rmtree(path, ignore_errors=True)


def recover(reports: Path, run_id: str) -> list[Path]:
    """Finish or clean what a killed run of ``run_id`` left; returns what was deleted.

    The caller holds the run id's lock. The newest published folder of each status gets its link;
    every other folder of the run id, and every ``.tmp-``/``.link-`` entry, is deleted.
    """
    _adopt_legacy(reports, run_id)
    published = _published(reports, run_id)
    keep: set[Path] = set()
    for status in ("complete", "failed"):
        link = link_path(reports, run_id, status)  # type: ignore[arg-type]
        candidates = [p for p in published if p.status == status]
        if candidates:
            newest = candidates[-1].path.resolve()
            if _target(link) != newest:
                link.parent.mkdir(parents=True, exist_ok=True)
                _point(link, newest, run_id)
            keep.add(newest)
        elif link.is_symlink() and not link.exists():
            link.unlink()
    removed = [p.path for p in published if p.path.resolve() not in keep] + _leftovers(reports, run_id)
    for path in removed:
        _remove(path)
    return removed


def _run_ids_with_leftovers(reports: Path) -> set[str]:
    """Run ids with a published folder no link points to, a ``.tmp-``/``.link-``/``.old-`` entry, or a real folder."""
    ids, linked = set(), set()
    for folder in (reports, reports / FAILED_DIR):
        for path in folder.iterdir() if folder.is_dir() else ():
            leftover = _leftover_run_id(path.name)
            if leftover is not None:
                ids.add(leftover)
            elif path.is_symlink():
                linked.add(_target(path))
            elif path.is_dir() and not path.name.startswith(".") and read_manifest(path):
                ids.add(path.name)  # a report folder of an older workbench: it becomes a link
    runs = reports / RUNS_DIR
    for path in runs.iterdir() if runs.is_dir() else ():
        if path.resolve() not in linked and path.name.rpartition("-")[0]:
            ids.add(path.name.rpartition("-")[0])
    return ids


def recover_all(reports: Path) -> list[Path]:
    """:func:`recover` every run id that left something behind and whose lock is free (no run of it is going on)."""
    removed: list[Path] = []
    for run_id in sorted(_run_ids_with_leftovers(reports)):
        with exclusive_if_free(reports, run_id) as free:
            if free:
                removed += recover(reports, run_id)
    return removed
