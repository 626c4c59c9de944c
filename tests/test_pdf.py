"""Report pages as PDF: A4 from the page's own print style, one line when Chromium is missing."""

from __future__ import annotations

import io
import os
import re
import stat

import nbformat
import pytest
from rich.console import Console

from workbench.report import pdf
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
