"""Report pages as PDF: A4 from the page's own print style, one line when Chromium is missing."""

from __future__ import annotations

import io
import os
import re
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest
from rich.console import Console

from workbench.report import pdf, printer
from workbench.report.html import notebook_to_html

A4_MEDIA_BOX = re.compile(rb"/MediaBox \[0 0 59[45]\.\d+ 84[12]\.\d+\]")


def require_chromium() -> None:
    """Skip on a machine without Chromium; in CI (``$CI`` set) its absence is a failure."""
    if pdf.find_chromium() is None:
        if os.environ.get("CI"):
            pytest.fail("CI requires Chromium for the PDF reports (.ci/run installs it: apt-get install -y chromium)")
        pytest.skip(pdf.MISSING_MESSAGE)


def _page(tmp_path, cells: int = 40):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("# Test page\n\n" + "A paragraph of test text. " * 40)
                for _ in range(cells)]
    page, _ = notebook_to_html(nb, title="test", facts={"run": "r1"})
    path = tmp_path / "page.html"
    path.write_text(page, encoding="utf-8")
    return path


def test_a_page_prints_to_a4_pdf(tmp_path):
    require_chromium()
    page = _page(tmp_path)
    out = pdf.html_to_pdf(page, tmp_path / "page.pdf")
    data = out.read_bytes()
    assert data.startswith(pdf.PDF_MAGIC) and len(data) > 5_000
    boxes = A4_MEDIA_BOX.findall(data)
    assert len(boxes) >= 2  # several pages, every one A4
    assert not list(tmp_path.glob(".*.tmp"))  # written whole, nothing partial left


def test_without_chromium_the_run_says_so_in_one_line(tmp_path, monkeypatch):
    monkeypatch.setenv(pdf.CHROMIUM_ENV, "no-such-browser-for-this-test")
    page = _page(tmp_path, cells=1)
    with pytest.raises(pdf.ChromiumMissing) as caught:
        pdf.html_to_pdf(page, tmp_path / "page.pdf")
    assert str(caught.value) == "PDF not written: Chromium not found (apt-get install chromium)"
    assert pdf.write_pdf(page) == pdf.MISSING_MESSAGE and not (tmp_path / "page.pdf").exists()
    console = Console(file=io.StringIO(), width=200)
    pdf.warn_if_unavailable(console)
    said = console.file.getvalue().strip().splitlines()
    assert len(said) == 1 and pdf.MISSING_MESSAGE in said[0]


def test_a_failing_chromium_is_reported_with_its_last_words(tmp_path, monkeypatch):
    fake = tmp_path / "fake-chromium"
    fake.write_text("#!/bin/sh\necho 'test failure: no display' >&2\nexit 3\n")
    fake.chmod(fake.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv(pdf.CHROMIUM_ENV, str(fake))
    page = _page(tmp_path, cells=1)
    message = pdf.write_pdf(page)
    assert message == "PDF not written for page.html: Chromium exited with 3: test failure: no display"
    assert not (tmp_path / "page.pdf").exists() and not list(tmp_path.glob(".*.tmp"))


def test_chromium_runs_headless_without_network_and_sandbox_only_as_root(tmp_path):
    command = pdf.chromium_command("chromium", tmp_path / "p.html", tmp_path / "p.pdf", tmp_path / "profile")
    assert command[:2] == ["chromium", "--headless"] and "--no-pdf-header-footer" in command
    assert "--disable-background-networking" in command and f"--user-data-dir={tmp_path / 'profile'}" in command
    assert ("--no-sandbox" in command) == (os.geteuid() == 0)
    assert command[-1] == (tmp_path / "p.html").resolve().as_uri()


# --------------------------------------------------------------------------- one browser per process (printer.py)

DATES = re.compile(rb"/(CreationDate|ModDate) \(D:\d{14}[^)]*\)")


def test_the_running_browser_prints_what_print_to_pdf_prints(tmp_path):
    require_chromium()
    page = _page(tmp_path)
    kept = pdf.html_to_pdf(page, tmp_path / "kept.pdf").read_bytes()  # printed over the pipe
    browser = pdf.find_chromium()
    own = tmp_path / "own.pdf"
    done = subprocess.run(pdf.chromium_command(browser, page, own, tmp_path / "profile"), capture_output=True,
                          timeout=120, check=False)
    assert done.returncode == 0, done.stderr[-500:]
    assert DATES.sub(b"", kept) == DATES.sub(b"", own.read_bytes())  # the same document but for its dates


def test_one_browser_prints_page_after_page_and_a_dead_one_is_replaced(tmp_path):
    require_chromium()
    browser = pdf.find_chromium()
    pages = []
    for i in range(3):
        (tmp_path / str(i)).mkdir()
        pages.append(_page(tmp_path / str(i), cells=2 + i))
    pdf.html_to_pdf(pages[0], tmp_path / "0.pdf")
    first = printer._printers[browser]
    pid = first._process.pid
    for i, page in enumerate(pages[1:], start=1):
        pdf.html_to_pdf(page, tmp_path / f"{i}.pdf")
    assert printer._printers[browser] is first and first._process.pid == pid and first.pages >= 3
    assert len({(tmp_path / f"{i}.pdf").read_bytes() for i in range(3)}) == 3  # three different documents

    os.kill(pid, signal.SIGKILL)  # the browser dies between two pages
    first._process.wait()
    out = pdf.html_to_pdf(pages[0], tmp_path / "again.pdf")
    assert out.read_bytes().startswith(pdf.PDF_MAGIC)
    assert browser not in printer._no_pipe  # it had printed before: a new one was started, not given up on
    assert printer._printers[browser] is not first and printer._printers[browser].alive()


def test_a_page_that_does_not_load_is_an_error_and_the_browser_stays(tmp_path):
    require_chromium()
    browser = pdf.find_chromium()
    pdf.html_to_pdf(_page(tmp_path, cells=1), tmp_path / "ok.pdf")
    running = printer._printers[browser]
    with pytest.raises(printer.PrintFailed, match="did not load"):
        printer.print_page(browser, lambda profile: pdf.browser_command(browser, profile),
                           (tmp_path / "missing.html").as_uri(), 60)
    assert printer._printers[browser] is running and running.alive()


BROWSER_OF_A_POOL_WORKER = """
import concurrent.futures as cf, multiprocessing, sys
from pathlib import Path
from workbench.report import pdf, printer

def print_one(page):
    pdf.html_to_pdf(Path(page), Path(page).with_suffix(".pdf"))
    running = printer._printers[pdf.find_chromium()]
    return running._process.pid, running._profile.name

if __name__ == "__main__":
    with cf.ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("forkserver")) as pool:
        print(*pool.submit(print_one, sys.argv[1]).result())
"""


def test_a_pool_worker_stops_its_browser_when_it_exits(tmp_path):
    require_chromium()
    script = tmp_path / "pool.py"
    script.write_text(BROWSER_OF_A_POOL_WORKER)
    done = subprocess.run([sys.executable, str(script), str(_page(tmp_path, cells=1))], capture_output=True,
                          text=True, timeout=180, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    pid, profile = done.stdout.split()
    assert (tmp_path / "page.pdf").read_bytes().startswith(pdf.PDF_MAGIC)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and Path(f"/proc/{pid}").exists() and "Z" not in _state(pid):
        time.sleep(0.1)
    assert not Path(f"/proc/{pid}").exists() or "Z" in _state(pid), "the worker's browser outlived it"
    assert not Path(profile).exists()  # its throw-away profile is removed


def _state(pid: str) -> str:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return "gone"
