"""Private paths out of reports: an analyst's file is named by its source id, never by its path.

An error raised while reading a registered source names the file it read (its sha256 changed, a
row is malformed). A report may be passed on; the path of an analyst's file (and of the private
folder, whose name can say whose machine it is) must not go with it. :func:`private_redactions`
lists what to replace: each registered file's path by ``[private file of source 'kp_log']``, the
private folder by ``[private folder]``; :func:`redact` applies them to texts, notebooks and
manifests.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

Redactions = tuple[tuple[str, str], ...]
PRIVATE_FOLDER = "[private folder]"


def _forms(path: Path) -> set[str]:
    """The spellings of a path an error text may use: as given, absolute, with links resolved."""
    forms = {str(path), os.path.abspath(path)}
    try:
        forms.add(str(path.resolve()))
    except OSError:  # pragma: no cover - a path that cannot be resolved is still replaced as given
        pass
    return {f for f in forms if len(f) > 1}


def private_redactions() -> Redactions:
    """(text, replacement) pairs for every registered file and the private folder, longest first.

    A registry that cannot be read hides nothing from this list: the private folder is still
    replaced, which covers every file registered inside it.
    """
    from workbench.sources.private import PrivateSourceError, load_private_sources, private_dir

    folder = private_dir()
    pairs: dict[str, str] = {}
    try:
        sources = load_private_sources()
    except PrivateSourceError:
        sources = {}
    for source in sources.values():
        for form in _forms(source.file(folder)):
            pairs[form] = f"[private file of source '{source.id}']"
    for form in _forms(folder):
        pairs.setdefault(form, PRIVATE_FOLDER)
    return tuple(sorted(pairs.items(), key=lambda kv: -len(kv[0])))


def _pattern(path: str) -> re.Pattern[str]:
    """``path`` not followed by more of a name (``/p`` is not found in ``/proc``; colour codes may precede it)."""
    return re.compile(rf"{re.escape(path)}(?![\w.~-])")


def redact_text(text: str, redactions: Redactions) -> str:
    """``text`` with every private path replaced (whole paths only: ``/p`` leaves ``/proc`` alone).

    >>> redact_text("file /home/a/private/kp.csv changed", (("/home/a/private", "[private folder]"),))
    'file [private folder]/kp.csv changed'
    """
    for private, shown in redactions:
        if private in text:
            text = _pattern(private).sub(shown.replace("\\", "\\\\"), text)
    return text


def redact(value: Any, redactions: Redactions) -> Any:
    """A copy of a JSON-like value (a manifest, a notebook) with private paths replaced in every string.

    Embedded images (values under an ``image/...`` key) are left as they are.
    """
    if not redactions:
        return value
    if isinstance(value, str):
        return redact_text(value, redactions)
    if isinstance(value, Mapping):
        return type(value)({k: v if str(k).startswith("image/") else redact(v, redactions) for k, v in value.items()})
    if isinstance(value, Sequence) and not isinstance(value, bytes | bytearray):
        return type(value)(redact(v, redactions) for v in value)
    return value


def redact_file(path: Path, redactions: Redactions) -> None:
    """Rewrite a text file (a log) with private paths replaced; a file without any is left untouched."""
    if not redactions or not path.is_file():
        return
    text = path.read_text(encoding="utf-8", errors="replace")
    clean = redact_text(text, redactions)
    if clean != text:
        path.write_text(clean, encoding="utf-8")
