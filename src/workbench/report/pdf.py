"""Report pages as PDF, printed from their HTML by headless Chromium.

The page's own print style (:data:`workbench.report.html.PAGE_CSS`) sets A4, the page numbers and
keeps figures and table rows whole; Chromium only prints. One browser per process prints page after
page (:mod:`workbench.report.printer`); where it cannot be kept running, one browser process prints
each page (``--print-to-pdf``). It runs with a throw-away profile, no
sandbox when the user is root (a container), and its background networking, updates and sync
off: printing fetches nothing. Without Chromium the run writes the HTML only and says so in one
line (:data:`MISSING_MESSAGE`). ``$WORKBENCH_CHROMIUM`` names the browser when it is not on the
``PATH`` as ``chromium``.

Examples
--------
>>> from pathlib import Path
>>> html_to_pdf(Path("reports/run/10_violence/10_violence.html"),
...             Path("reports/run/10_violence/10_violence.pdf"))  # doctest: +SKIP
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

from workbench.errors import WorkbenchError
from workbench.report import printer

CHROMIUM_ENV = "WORKBENCH_CHROMIUM"
#: Names the browser goes by on Debian, Ubuntu and elsewhere.
CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
MISSING_MESSAGE = "PDF not written: Chromium not found (apt-get install chromium)"
#: Seconds one page may take to print.
TIMEOUT_S = 180
PDF_MAGIC = b"%PDF-"


class PdfError(WorkbenchError):
    """A page that could not be printed as PDF."""


class ChromiumMissing(PdfError):
    """No Chromium to print with."""


def find_chromium() -> str | None:
    """The Chromium executable: ``$WORKBENCH_CHROMIUM``, else the first of :data:`CHROMIUM_NAMES` on the PATH."""
    named = os.environ.get(CHROMIUM_ENV)
    if named:
        return shutil.which(named)
    return next((path for name in CHROMIUM_NAMES if (path := shutil.which(name))), None)


def browser_command(browser: str, profile: Path | str) -> list[str]:
    """Headless Chromium with a throw-away ``profile``, fetching nothing of its own accord."""
    root = hasattr(os, "geteuid") and os.geteuid() == 0
    return [browser, "--headless", *(["--no-sandbox"] if root else []), "--disable-gpu",
            "--disable-dev-shm-usage", "--disable-background-networking", "--disable-component-update",
            "--disable-sync", "--no-first-run", "--no-default-browser-check", f"--user-data-dir={profile}"]


def chromium_command(browser: str, page: Path, pdf: Path, profile: Path) -> list[str]:
    """The command line that prints ``page`` to ``pdf`` in a browser process of its own (no header or footer)."""
    return [*browser_command(browser, profile), f"--print-to-pdf={pdf}", "--no-pdf-header-footer",
            page.resolve().as_uri()]


def html_to_pdf(html_path: Path, pdf_path: Path, *, timeout: int = TIMEOUT_S, links_from: Path | None = None) -> Path:
    """Print an HTML page to a PDF file (written whole or not at all).

    ``links_from``: the folder the page will be read from once published. A PDF holds its links as
    absolute addresses; a page printed in a staging folder would point into that folder, so its relative
    links are resolved against ``links_from`` instead.

    Raises
    ------
    ChromiumMissing
        No Chromium is installed (:data:`MISSING_MESSAGE`).
    PdfError
        Chromium failed or wrote no PDF; the message names the page and Chromium's last words.
    """
    html_path, pdf_path = Path(html_path), Path(pdf_path)
    if not html_path.is_file():
        raise PdfError(f"PDF not written: no page {html_path}")
    browser = find_chromium()
    if browser is None:
        raise ChromiumMissing(MISSING_MESSAGE)
    partial = pdf_path.with_name(f".{pdf_path.name}.{os.getpid()}.tmp")
    with tempfile.TemporaryDirectory(prefix="workbench-pdf-") as scratch:
        page = html_path if links_from is None else _linked_copy(html_path, Path(scratch), links_from)
        try:
            data = printer.print_page(browser, lambda profile: browser_command(browser, profile),
                                      page.resolve().as_uri(), timeout)
        except printer.PrintFailed as exc:
            raise PdfError(f"PDF not written for {html_path.name}: {exc}") from None
        except printer.PrinterGone:  # no browser over a pipe: one browser process for this page
            _print_in_own_process(browser, page, partial, Path(scratch) / "profile", timeout, html_path.name)
        else:
            if data[:5] != PDF_MAGIC:
                raise PdfError(f"PDF not written for {html_path.name}: Chromium returned something that is not a PDF")
            try:
                partial.write_bytes(data)
            except OSError:
                partial.unlink(missing_ok=True)  # a full disk leaves no partial file
                raise
    os.replace(partial, pdf_path)
    return pdf_path


def _linked_copy(html_path: Path, folder: Path, links_from: Path) -> Path:
    """A copy of the page in ``folder`` whose relative links resolve against ``links_from``."""
    page = folder / html_path.name
    base = f'<base href="{Path(links_from).resolve().as_uri()}/">'
    text = html_path.read_text(encoding="utf-8")
    page.write_text(text.replace("<head>", f"<head>{base}", 1) if "<head>" in text else base + text, encoding="utf-8")
    return page


def _print_in_own_process(browser: str, page: Path, partial: Path, profile: Path, timeout: int, name: str) -> None:
    """``chromium --print-to-pdf``: the way to print when the browser cannot be kept running."""
    try:
        done = subprocess.run(chromium_command(browser, page, partial, profile), stdin=subprocess.DEVNULL,
                              capture_output=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired as exc:
        partial.unlink(missing_ok=True)
        raise PdfError(f"PDF not written for {name}: Chromium took longer than {timeout} s") from exc
    if not partial.is_file() or not partial.read_bytes()[:5] == PDF_MAGIC:
        partial.unlink(missing_ok=True)
        said = [line for line in done.stderr.decode(errors="replace").splitlines() if line.strip()]
        raise PdfError(f"PDF not written for {name}: Chromium exited with {done.returncode}"
                       + (f": {said[-1].strip()}" if said else ""))


def write_pdf(html_path: Path | str, *, links_from: Path | None = None) -> str | None:
    """Print ``<page>.html`` to ``<page>.pdf`` beside it; None when written, else one line saying why not.

    For the runner and the index writer: a missing Chromium or a failed print never fails a run.
    ``links_from``: where the page is read once published (see :func:`html_to_pdf`).
    """
    page = Path(html_path)
    try:
        html_to_pdf(page, page.with_suffix(".pdf"), links_from=links_from)
    except PdfError as exc:
        return str(exc)
    return None


def warn_if_unavailable(console: Any) -> None:
    """Print :data:`MISSING_MESSAGE` once on ``console`` (a rich Console) when there is no Chromium."""
    if find_chromium() is None:
        console.print(f"[yellow]note[/yellow] {MISSING_MESSAGE}; the run writes the HTML only")
