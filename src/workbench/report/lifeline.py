"""Processes of a run die with the run: no worker, kernel or forkserver outlives ``workbench run``.

The chain is runner → forkserver → worker → kernel, and a SIGKILL of the runner leaves no chance to
clean up, so each process watches the one it serves:

- a worker watches the runner (:func:`watch_runner`: a thread that waits on a pidfd of the runner's
  process, or polls where pidfds are missing) and exits when it is gone, after the callbacks
  registered with :func:`at_runner_exit` (the kernel's private folder is removed);
- a worker also asks Linux for a signal when its parent, the forkserver, dies
  (:func:`die_with_parent`, ``prctl(PR_SET_PDEATHSIG)``): SIGTERM, on which it cleans up and exits;
- a kernel is started with the same request (``preexec_fn``), so it dies with its worker;
- the forkserver and multiprocessing's resource tracker exit by themselves once the runner and
  every worker have closed their pipes to them.
"""

from __future__ import annotations

import ctypes
import os
import select
import signal
import sys
import threading
import time
from collections.abc import Callable

_PR_SET_PDEATHSIG = 1
_POLL_S = 0.25
_callbacks: list[Callable[[], None]] = []
_libc: ctypes.CDLL | None = None


def _prctl() -> Callable[..., int] | None:
    global _libc
    if not sys.platform.startswith("linux"):
        return None
    if _libc is None:
        try:
            _libc = ctypes.CDLL(None, use_errno=True)
        except OSError:  # pragma: no cover - no C library to call
            return None
    return _libc.prctl


def die_with_parent(sig: int = signal.SIGKILL) -> bool:
    """Ask Linux to send ``sig`` to this process when its parent dies; False where that cannot be asked.

    Safe to call between fork and exec (``preexec_fn``): it only calls ``prctl``.
    """
    prctl = _prctl()
    return prctl is not None and prctl(_PR_SET_PDEATHSIG, int(sig), 0, 0, 0) == 0


def prepare_die_with_parent() -> Callable[[], None]:
    """A ``preexec_fn`` that calls :func:`die_with_parent` (the C library is loaded now, not after fork)."""
    _prctl()
    return die_with_parent


def at_runner_exit(callback: Callable[[], None]) -> Callable[[], None]:
    """Call ``callback`` before this worker exits because the runner is gone; returns a remover."""
    _callbacks.append(callback)
    return lambda: _callbacks.remove(callback) if callback in _callbacks else None


def _runner_gone() -> None:
    for callback in list(_callbacks):
        try:
            callback()
        except Exception:  # noqa: BLE001 - exiting regardless
            pass
    os._exit(1)


def _wait_for_exit(pid: int) -> None:
    try:
        fd = os.pidfd_open(pid)
    except (AttributeError, OSError):
        fd = None
    if fd is not None:
        select.select([fd], [], [])  # readable once the process has exited
        return
    while True:  # pragma: no cover - kernels without pidfd (Linux < 5.3, other systems)
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return
        except PermissionError:
            pass
        time.sleep(_POLL_S)


def _watch(pid: int) -> None:
    _wait_for_exit(pid)
    _runner_gone()


def watch_runner(pid: int) -> threading.Thread:
    """Start a daemon thread that ends this process when process ``pid`` (the runner) has exited."""
    thread = threading.Thread(target=_watch, args=(pid,), name="workbench-lifeline", daemon=True)
    thread.start()
    return thread


def _parent_died(signum: int, frame: object) -> None:
    _runner_gone()


def worker_initializer(runner_pid: int) -> None:
    """Initializer of a pool worker: die with the forkserver, and with the runner ``runner_pid``.

    The forkserver's death is signalled with SIGTERM, handled like the runner's (the callbacks run, then
    the worker exits), not with SIGKILL: the forkserver exits as soon as the runner is gone, and a SIGKILL
    then would often land before the watcher thread had removed the kernel's private folder.
    """
    signal.signal(signal.SIGTERM, _parent_died)
    die_with_parent(signal.SIGTERM)
    watch_runner(runner_pid)
