"""Sources: publisher formats read into tidy frames, and the violence sources an analyst chooses.

Readers (one module per publisher format): :mod:`~workbench.sources.ucdp`, :mod:`~.census`,
:mod:`~.deprivation`, :mod:`~.reference`, :mod:`~.incidents`. The analyst's own files are kept in
the private registry (:mod:`~.private`). Violence sources share one interface
(:mod:`~.base`): :func:`resolve` turns a ``violence_source`` id into one (:mod:`~.resolver`).
"""

from workbench.sources.base import Coverage, ViolenceSource
from workbench.sources.resolver import available, resolve

__all__ = ["Coverage", "ViolenceSource", "available", "resolve"]
