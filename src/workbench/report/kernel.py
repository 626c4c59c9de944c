"""Which Jupyter kernel runs the notebooks: always this interpreter.

``make env`` registers a ``nisp-workbench`` kernelspec inside the virtualenv
(``ipykernel install --sys-prefix``). When such a spec exists and its interpreter is this
environment's Python, it is used; otherwise ``python3``, which jupyter_client starts with
the running interpreter (``sys.executable``: ipykernel's native spec, or an installed spec
whose command is plain ``python``). A kernelspec of the same name from another environment
(e.g. in ``~/.local/share/jupyter``) is never used: results must come from the packages the
manifest records.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

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
