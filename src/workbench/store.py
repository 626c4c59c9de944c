"""The store of derived tables: ``data/processed/``, written by ``workbench data build``.

Every table is a CSV written the reproducible way (:func:`write_csv`: LF line endings, fixed column
order and decimals, no tool-version metadata); ``manifest.json`` beside them lists each table with its
rows, columns, sources and sha256, and the catalog inputs with theirs. :func:`read_processed` reads a
table back with its sources in ``df.attrs["sources"]``.

A build publishes the whole folder at once (:func:`publish`): it writes a new version into a staging
folder beside it (``data/.build-*``), journals it as complete, and swaps it in; a build interrupted at
any point is finished or cleaned by the next one (:func:`recover`), so readers never find old and new
tables mixed.
"""

from __future__ import annotations

import csv
import ctypes
import errno
import hashlib
import io
import json
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from workbench.catalog import PROJECT_ROOT
from workbench.errors import ParameterError

PROCESSED_DIR = PROJECT_ROOT / "data" / "processed"
FLOAT_FORMAT = "%.6f"
REBUILD_COMMAND = "workbench data build"
MANIFEST = "manifest.json"


def write_csv(df: pd.DataFrame, path: str | Path) -> None:
    """Write a table the reproducible way: LF, fixed column order, fixed decimals, no index.

    The bytes are exactly those of ``df.to_csv(index=False, lineterminator="\\n",
    float_format=FLOAT_FORMAT)``. Tables whose columns are all bool, integer, float64 or string are
    formatted column by column (each distinct value once) and joined by pyarrow, in chunks of
    :data:`CHUNK_ROWS` rows, many times faster than pandas' row-by-row writer; any other table goes
    through pandas.
    """
    if not _formats_fast(df):
        df.to_csv(path, index=False, lineterminator="\n", float_format=FLOAT_FORMAT, encoding="utf-8")
        return
    with open(path, "wb") as fh:
        fh.write(_csv_line(list(df.columns)).encode("utf-8"))
        for start in range(0, len(df), CHUNK_ROWS):
            chunk = df.iloc[start:start + CHUNK_ROWS]
            fields = [_csv_fields(chunk.iloc[:, j], single=df.shape[1] == 1) for j in range(df.shape[1])]
            rows = pc.binary_join_element_wise(*fields, _large(","))
            rows = pc.binary_join_element_wise(rows, _large(""), _large("\n"))
            fh.write("".join(rows.to_pylist()).encode("utf-8"))


#: Rows formatted at once by :func:`write_csv` (bounds its memory on large tables).
CHUNK_ROWS = 100_000


def _formats_fast(df: pd.DataFrame) -> bool:
    """Whether :func:`write_csv` formats every column itself (else pandas writes the table)."""
    return (df.shape[1] > 0 and all(isinstance(c, str) for c in df.columns)
            and all(_kind(dtype) is not None for dtype in df.dtypes))


def _kind(dtype: object) -> str | None:
    """How a column of this dtype is written: bool, int, float, text, or None (left to pandas)."""
    if isinstance(dtype, pd.BooleanDtype) or dtype == np.dtype(bool):
        return "bool"
    if isinstance(dtype, pd.StringDtype):
        return "text"
    if pd.api.types.is_integer_dtype(dtype):  # numpy or nullable; written through int64
        as_numpy = np.dtype(getattr(dtype, "numpy_dtype", dtype))
        return "int" if as_numpy.kind == "i" or as_numpy.itemsize < 8 else None
    return "float" if dtype == np.dtype("float64") else None


def _csv_fields(values: pd.Series, *, single: bool) -> pa.Array:
    """The CSV text of each value of a column (missing as empty), as pandas writes it."""
    kind = _kind(values.dtype)
    missing = values.isna().to_numpy()
    empty = '""' if single else ""  # csv writes a record of one empty field as ""
    if kind == "int":
        text = pa.array(values.to_numpy(dtype="int64", na_value=0)).cast(pa.large_string())
        return pc.if_else(pa.array(missing), _large(empty), text) if missing.any() else text
    if kind == "float":  # distinct by bit pattern, so that -0.0 stays apart from 0.0
        codes, uniques = pd.factorize(values.to_numpy().view("int64"))
        texts = [FLOAT_FORMAT % v for v in uniques.view("float64").tolist()]
    else:
        codes, uniques = pd.factorize(values, use_na_sentinel=True)
        texts = [_format(v, kind) or empty for v in uniques]
    texts.append(empty)
    codes = np.where(missing | (codes < 0), len(texts) - 1, codes)
    return pa.array(texts, type=pa.large_string()).take(pa.array(codes))


def _format(value: object, kind: str | None) -> str:
    """One non-missing bool or text value as csv writes it (minimal quoting, doubled quotes)."""
    if kind == "bool":
        return str(bool(value))
    text = str(value)
    return _csv_line([text, ""])[:-2] if any(c in text for c in ',"\r\n') else text


def _csv_line(fields: list[str]) -> str:
    """One record as Python's csv module writes it (pandas' quoting: minimal, doubled quotes)."""
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerow(fields)
    return buf.getvalue()


def _large(text: str) -> pa.Scalar:
    return pa.scalar(text, type=pa.large_string())


def _manifest(base: Path) -> dict:
    if not (base / MANIFEST).is_file() and any(base.parent.glob(f"{STAGING_PREFIX}*/{JOURNAL}")):
        raise ParameterError(f"{base} is missing: a build was interrupted while putting its tables in place; "
                             f"run `{REBUILD_COMMAND}` to complete it")
    return json.loads((base / MANIFEST).read_text(encoding="utf-8"))


def read_processed(name: str, folder: str | Path | None = None) -> pd.DataFrame:
    """Read a committed table of ``data/processed`` with its sources in ``df.attrs["sources"]``."""
    base = Path(folder) if folder is not None else PROCESSED_DIR
    manifest = _manifest(base)
    if name not in manifest["outputs"]:
        raise ParameterError(f"no processed table {name!r} in {base}; tables: {sorted(manifest['outputs'])}. "
                             f"Rebuild with `{REBUILD_COMMAND}`.")
    entry = manifest["outputs"][name]
    df = pd.read_csv(base / entry["file"], keep_default_na=False, na_values=[""])
    df.attrs["sources"] = list(entry["sources"])
    return df


def processed_sources(name: str, folder: str | Path | None = None) -> list[str]:
    """The sources of a committed table (from ``manifest.json``), without reading the table."""
    base = Path(folder) if folder is not None else PROCESSED_DIR
    return list(_manifest(base)["outputs"][name]["sources"])


# --------------------------------------------------------------------------- publication of a build

#: A build's staging folder beside its target: ``<parent>/.build-<pid>-<random>/`` holding ``new/``
#: (the version being written) and, once complete, the journal ``READY``. Never part of a run's
#: fingerprint (``report/run_id.py`` leaves ``.build-*`` out).
STAGING_PREFIX = ".build-"
JOURNAL = "READY"


@contextmanager
def build_lock(folder: Path) -> Iterator[None]:
    """Hold the build lock of ``folder`` (a target's parent), so that one build at a time publishes there.

    An advisory ``flock`` on the folder itself, so no lock file is left behind; the system releases it
    when the process ends, however it ends. (Without ``fcntl``, as on Windows, there is no lock.)
    """
    folder.mkdir(parents=True, exist_ok=True)
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not POSIX
        yield
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # releases the lock


def publish(target: Path, write: Callable[[Path], None]) -> None:
    """Write a new version of the folder ``target`` with ``write(folder)`` and put it in place at once.

    The new version is written into a staging folder beside ``target`` and synced to disk; a journal
    then marks it complete (with the sha256 of its ``manifest.json``, which ``write`` must produce),
    and it is swapped with ``target``: in one atomic exchange where the system has one (Linux), else in
    two renames (``target`` into the staging folder, then the new version into place). Killed at any
    point, ``target`` is complete, old or new, or (only between the two renames) missing while the
    journal holds the complete new version; :func:`recover`, run by the next build, completes or
    removes what was left. On an error in ``write`` the staging folder is removed and ``target`` is
    untouched. Call it holding :func:`build_lock` of ``target.parent``.
    """
    target = target.resolve()
    check_replaceable(target)
    staging = Path(tempfile.mkdtemp(prefix=f"{STAGING_PREFIX}{os.getpid()}-", dir=target.parent))
    try:
        new = staging / "new"
        new.mkdir()
        write(new)
        _sync_folder(new)
        _checkpoint("staged")
        _write_journal(staging, target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    _checkpoint("journaled")
    _swap_in(staging, target)
    shutil.rmtree(staging)


def check_replaceable(target: Path) -> None:
    """Refuse a ``target`` that :func:`publish` must not replace: one holding files no build wrote.

    A build replaces the whole folder, so it may only be new, empty, or a build's own output (its
    ``manifest.json`` and the tables that lists).
    """
    if not target.exists():
        return
    if not target.is_dir():
        raise ParameterError(f"{target} is a file; a build writes a folder of tables")
    entries = {p.name for p in target.iterdir()}
    known = {MANIFEST}
    if MANIFEST in entries:
        try:
            known |= {str(e["file"]) for e in _manifest(target)["outputs"].values()}
        except (ValueError, KeyError, TypeError, AttributeError):
            pass
    other = sorted(entries - known)
    if other:
        raise ParameterError(f"{target} holds {len(other)} file(s) that no build wrote ({', '.join(other[:5])}); "
                             "a build replaces the whole folder: give a new or empty folder, or one written "
                             f"by `{REBUILD_COMMAND}`")


def recover(folder: Path) -> list[str]:
    """Complete or remove what interrupted builds left in ``folder`` (the parent of their targets).

    A staging folder without a journal was still being written, so nothing of it was published: it
    is removed. A journaled one is complete: if its target does not hold it yet, it is put in place
    now (the interrupted build is completed, not lost); then it is removed. Returns one line per
    leftover. Call it holding :func:`build_lock` of ``folder``.
    """
    done = []
    for staging in sorted(folder.glob(STAGING_PREFIX + "*")):
        if not staging.is_dir():
            continue
        journal = _read_journal(staging)
        if journal is None:
            shutil.rmtree(staging)
            done.append(f"removed {staging}, an unfinished build")
            continue
        target, version = Path(journal["target"]), journal["manifest_sha256"]
        if _manifest_sha(target) != version:
            if _manifest_sha(staging / "new") != version:
                raise ParameterError(f"{staging}: an interrupted build whose tables are neither in {target} nor "
                                     f"complete in {staging / 'new'}; inspect the folder and remove it by hand")
            _swap_in(staging, target)
            done.append(f"completed the interrupted build of {target}")
        else:
            done.append(f"removed {staging}, left by a build already in place in {target}")
        shutil.rmtree(staging)
    return done


def _checkpoint(step: str) -> None:
    """A step of :func:`publish` that tests interrupt (``tests/test_build_atomic.py``); does nothing."""


def _swap_in(staging: Path, target: Path) -> None:
    """Put the complete version ``staging/new`` in place of ``target`` (the old one ends in ``staging``)."""
    new = staging / "new"
    if not target.exists():
        os.rename(new, target)
    elif not _exchange(new, target):
        os.rename(target, staging / "old")
        _checkpoint("moved_old")
        os.rename(new, target)
    _sync_folder(target.parent, files=False)
    _checkpoint("swapped")


def _exchange(a: Path, b: Path) -> bool:
    """Swap two folders in one atomic step (Linux ``renameat2`` with ``RENAME_EXCHANGE``).

    False where the system or file system has no such call; the caller then renames twice.
    """
    try:
        renameat2 = ctypes.CDLL(None, use_errno=True).renameat2
    except (AttributeError, OSError, TypeError):
        return False
    at_fdcwd, rename_exchange = -100, 2
    renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    if renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.EINVAL, errno.ENOSYS, errno.ENOTSUP, errno.EOPNOTSUPP):
        return False
    raise OSError(code, os.strerror(code), str(a), None, str(b))


def _write_journal(staging: Path, target: Path) -> None:
    version = _manifest_sha(staging / "new")
    if version is None:
        raise ParameterError(f"the build wrote no {MANIFEST} into {staging / 'new'}")
    tmp = staging / f"{JOURNAL}.tmp"
    tmp.write_text(json.dumps({"target": str(target), "manifest_sha256": version}), encoding="utf-8")
    os.replace(tmp, staging / JOURNAL)
    _sync_folder(staging)


def _read_journal(staging: Path) -> dict | None:
    path = staging / JOURNAL
    if not path.is_file():
        return None
    try:
        journal = json.loads(path.read_text(encoding="utf-8"))
        return {"target": str(journal["target"]), "manifest_sha256": str(journal["manifest_sha256"])}
    except (ValueError, KeyError, TypeError) as exc:
        raise ParameterError(f"{path}: unreadable build journal ({exc}); inspect {staging} and remove it by hand") \
            from None


def _manifest_sha(folder: Path) -> str | None:
    path = folder / MANIFEST
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else None


def _sync_folder(folder: Path, *, files: bool = True) -> None:
    """Flush ``folder``'s files (unless ``files`` is false) and its entries to disk."""
    paths = [p for p in folder.iterdir() if p.is_file()] if files else []
    for path in [*paths, folder]:
        try:
            fd = os.open(path, os.O_RDONLY)
        except OSError:  # pragma: no cover - a folder cannot be opened on Windows
            continue
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
