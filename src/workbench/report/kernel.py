"""Which Jupyter kernel runs the notebooks: always this interpreter.

``make env`` registers a ``nisp-workbench`` kernelspec inside the virtualenv
(``ipykernel install --sys-prefix``). When such a spec exists and its interpreter is this
environment's Python, it is used; otherwise ``python3``, which jupyter_client starts with
the running interpreter (``sys.executable``: ipykernel's native spec, or an installed spec
whose command is plain ``python``). A kernelspec of the same name from another environment
(e.g. in ``~/.local/share/jupyter``) is never used: results must come from the packages the
manifest records.

A report's kernel is private (:func:`private_kernel`): Unix sockets in a folder only this user
can enter, instead of loopback TCP ports any local user could connect to.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from workbench.errors import WorkbenchError

PROJECT_KERNEL = "nisp-workbench"
FALLBACK_KERNEL = "python3"


@dataclass(frozen=True)
class KernelChoice:
    """The kernel name given to papermill, and the interpreter it starts."""

    name: str
    executable: str
    spec_dir: str | None


def _same_environment(executable: str) -> bool:
    if executable in {"python", "python3", f"python{sys.version_info[0]}.{sys.version_info[1]}"}:
        return True  # jupyter_client substitutes sys.executable for these
    exe = Path(executable)
    return exe.is_absolute() and exe.parent == Path(sys.executable).parent


def choose_kernel() -> KernelChoice:
    """The project kernel if it runs this interpreter, else ``python3`` if that does.

    Raises
    ------
    WorkbenchError
        Neither kernelspec starts this interpreter.
    """
    from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel

    manager = KernelSpecManager()
    found = []
    for name in (PROJECT_KERNEL, FALLBACK_KERNEL):
        try:
            spec = manager.get_kernel_spec(name)
        except NoSuchKernel:
            continue
        found.append(f"{name} -> {spec.argv[0] if spec.argv else '?'}")
        if spec.argv and _same_environment(spec.argv[0]):
            return KernelChoice(name, sys.executable, spec.resource_dir)
    raise WorkbenchError(
        f"no Jupyter kernel runs this interpreter ({sys.executable}); found: {', '.join(found) or 'none'}. "
        f"Register one with `{sys.executable} -m ipykernel install --sys-prefix --name {PROJECT_KERNEL}` "
        "(`make env` does this)."
    )


# --------------------------------------------------------------------------- a private kernel

#: Unix socket paths are limited to 107 bytes; a kernel's longest is about 45 characters past the
#: parent folder (``wb-kernel-XXXXXXXX/kernel-subprocess-pipe``).
_MAX_SOCKET_PARENT = 60


def _socket_parent() -> Path:
    """Where private kernel folders are made: ``$XDG_RUNTIME_DIR`` or the temporary folder, if short enough."""
    for candidate in (os.environ.get("XDG_RUNTIME_DIR"), tempfile.gettempdir(), "/tmp"):
        if candidate and len(candidate) <= _MAX_SOCKET_PARENT and os.path.isdir(candidate) \
                and os.access(candidate, os.W_OK):
            return Path(candidate)
    raise WorkbenchError("no writable temporary folder with a path short enough for a kernel's sockets; "
                         "set TMPDIR to a short path such as /tmp")


def private_kernel_command(argv: list[str]) -> list[str]:
    """A kernelspec's command with ``-m ipykernel_launcher`` replaced by the workbench's launcher.

    The launcher (:mod:`workbench.report.kernel_launcher`) also moves ipykernel's one remaining TCP
    socket, the output pipe of forked processes, onto a Unix socket.

    >>> private_kernel_command(["python", "-m", "ipykernel_launcher", "-f", "k.json"])
    ['python', '-m', 'workbench.report.kernel_launcher', '-f', 'k.json']
    """
    out = list(argv)
    for i in range(len(out) - 1):
        if out[i] == "-m" and out[i + 1] == "ipykernel_launcher":
            out[i + 1] = "workbench.report.kernel_launcher"
    return out


@contextlib.contextmanager
def private_kernel() -> Iterator[tuple[type, Path]]:
    """A kernel manager class whose kernels are reachable by this user only, and their folder.

    The kernel talks over Unix sockets (ZeroMQ's ``ipc`` transport), not loopback TCP: the
    connection file (with the session key) and the sockets live in a new folder of mode 0700,
    removed afterwards, so no other local user can connect, subscribe to the output or learn the
    key; the kernel runs under :mod:`workbench.report.kernel_launcher`, which opens no TCP port
    either. The kernel process gets a parent-death signal: it dies with the process that started it.
    """
    from jupyter_client.manager import AsyncKernelManager

    from workbench.report.lifeline import at_runner_exit, prepare_die_with_parent

    folder = Path(tempfile.mkdtemp(prefix="wb-kernel-", dir=_socket_parent()))  # mode 0700
    preexec = prepare_die_with_parent()

    class PrivateKernelManager(AsyncKernelManager):
        def __init__(self, **kwargs: Any) -> None:
            super().__init__(**kwargs)
            self.transport = "ipc"
            self.ip = str(folder / "kernel")
            self.connection_file = str(folder / "kernel.json")

        def format_kernel_cmd(self, extra_arguments: list[str] | None = None) -> list[str]:
            return private_kernel_command(super().format_kernel_cmd(extra_arguments))

        async def _async_launch_kernel(self, kernel_cmd: list[str], **kw: Any) -> None:
            kw.setdefault("preexec_fn", preexec)
            await super()._async_launch_kernel(kernel_cmd, **kw)

    remove = at_runner_exit(lambda: shutil.rmtree(folder, ignore_errors=True))
    try:
        yield PrivateKernelManager, folder
    finally:
        remove()
        shutil.rmtree(folder, ignore_errors=True)
