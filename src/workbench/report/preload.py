"""Imported first by the workers' forkserver: leaves out an optional import that costs seconds and serves no worker.

``jsonschema`` (under nbformat, so under papermill and nbconvert) imports ``rfc3987_syntax`` when it
is installed, to check the ``iri`` string format; that package builds its grammar on import (1.3 s of
the 1.9 s papermill takes to import). nbformat validates notebooks without format checks, so a worker
never uses it: here it is marked as absent (``sys.modules[...] = None``, the way Python marks a module
that cannot be imported), which makes jsonschema skip that one checker. Only the forkserver and the
workers it forks import this module; nothing else is changed.
"""

from __future__ import annotations

import sys

#: Optional modules a report worker does without.
NOT_NEEDED = ("rfc3987_syntax",)

for _name in NOT_NEEDED:
    sys.modules.setdefault(_name, None)  # type: ignore[assignment]
