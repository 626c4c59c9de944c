"""One headless Chromium per process, kept running to print page after page (DevTools over a pipe).

Starting Chromium costs about 0.7 s and 1.2 CPU-seconds, more than printing a report page, and a
run's worker prints several pages, a briefs worker many. :func:`print_page` starts the browser
once per process with ``--remote-debugging-pipe`` (the DevTools protocol on file descriptors 3 and
4: JSON messages, each ended by a NUL byte) and prints each page in a tab of its own: open, wait
for the load event, ``Page.printToPDF`` with the page's own print style (A4 from ``@page``), close.
The PDF is the one ``chromium --print-to-pdf`` writes (tests/test_pdf.py compares the two).

The browser exits when its pipe closes, so it never outlives the process that started it, even a
killed one; a process that exits normally closes it first (``atexit``, and multiprocessing's
finalizers in a pool worker, whose exit skips ``atexit``).
"""

from __future__ import annotations

import atexit
import base64
import json
import os
import select
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from multiprocessing import util as mp_util
from typing import Any

#: Puts the pipe's two ends on descriptors 3 and 4 of the browser, then becomes the browser (``execv``).
_SHIM = ("import os, sys; r, w = int(sys.argv[1]), int(sys.argv[2]); os.dup2(r, 3); os.dup2(w, 4); "
         "os.execv(sys.argv[3], sys.argv[3:])")
#: ``Page.printToPDF`` as ``--print-to-pdf --no-pdf-header-footer`` prints: the page's own @page size and margins.
PRINT_OPTIONS = {"preferCSSPageSize": True, "printBackground": False, "displayHeaderFooter": False,
                 "transferMode": "ReturnAsBase64"}
#: Seconds a browser may take to start and answer its first message.
START_TIMEOUT_S = 60


class PrinterGone(Exception):
    """The browser exited, closed its pipe or spoke no DevTools (the caller may print another way)."""


class PrintFailed(Exception):
    """The browser is fine but this page could not be printed (it did not load, or took too long)."""


class Printer:
    """A running headless Chromium that prints pages to PDF bytes, one at a time."""

    def __init__(self, command: Callable[[str], list[str]]) -> None:
        """``command(profile)``: the browser's command line (without the pipe's flag) for a profile folder."""
        self.pid = os.getpid()
        self._profile = tempfile.TemporaryDirectory(prefix="workbench-chromium-")
        to_browser, self._out = os.pipe()
        self._in, from_browser = os.pipe()
        argv = [*command(self._profile.name), "--remote-debugging-pipe", "about:blank"]
        try:
            self._process = subprocess.Popen([sys.executable, "-c", _SHIM, str(to_browser), str(from_browser), *argv],
                                             pass_fds=(to_browser, from_browser), stdin=subprocess.DEVNULL,
                                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        except OSError as exc:
            self.close()
            raise PrinterGone(f"could not start {argv[0]}: {exc}") from exc
        finally:
            os.close(to_browser)
            os.close(from_browser)
        self._buffer = bytearray()
        self._loaded: set[str] = set()  # sessions whose page has fired its load event
        self._next_id = 0
        self._lock = threading.Lock()
        self.pages = 0

    # ------------------------------------------------------------------ the protocol

    def _send(self, method: str, params: dict[str, Any] | None = None, session: str | None = None) -> int:
        self._next_id += 1
        message: dict[str, Any] = {"id": self._next_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        data = json.dumps(message).encode() + b"\0"
        try:
            while data:
                data = data[os.write(self._out, data):]
        except OSError as exc:
            raise PrinterGone(f"the browser closed its pipe ({exc.strerror})") from exc
        return self._next_id

    def _receive(self, wanted: Callable[[dict[str, Any]], bool], deadline: float) -> dict[str, Any]:
        """The next message for which ``wanted`` is true (others are dropped)."""
        searched = 0
        while True:
            end = self._buffer.find(b"\0", searched)
            if end >= 0:
                raw = bytes(self._buffer[:end])
                del self._buffer[:end + 1]
                searched = 0
                try:
                    message = json.loads(raw)
                except ValueError as exc:
                    raise PrinterGone("the browser's pipe carried something that is not DevTools JSON") from exc
                if message.get("method") == "Page.loadEventFired":  # kept, even when it comes before an answer
                    self._loaded.add(message.get("sessionId", ""))
                if wanted(message):
                    return message
                continue
            searched = len(self._buffer)
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([self._in], [], [], left)[0]:
                raise TimeoutError
            chunk = os.read(self._in, 1 << 20)
            if not chunk:
                raise PrinterGone(f"the browser exited ({self._process.poll()})")
            self._buffer += chunk

    def _call(self, method: str, params: dict[str, Any] | None, session: str | None, deadline: float) -> dict[str, Any]:
        sent = self._send(method, params, session)
        answer = self._receive(lambda m: m.get("id") == sent, deadline)
        if "error" in answer:
            raise PrintFailed(f"{method}: {answer['error'].get('message', answer['error'])}")
        return answer.get("result", {})

    # ------------------------------------------------------------------ printing

    def print_page(self, url: str, timeout: float) -> bytes:
        """The PDF of the page at ``url``.

        Raises
        ------
        PrinterGone
            The browser is gone or broken (this printer is closed; the page may be printed otherwise).
        PrintFailed
            The page did not load or took longer than ``timeout`` seconds.
        """
        with self._lock:
            deadline = time.monotonic() + (timeout if self.pages else max(timeout, START_TIMEOUT_S))
            try:
                return self._print(url, deadline)
            except TimeoutError:
                self.close()  # a page still printing: the browser's state is unknown
                raise PrintFailed(f"Chromium took longer than {timeout:g} s") from None
            except PrinterGone:
                self.close()
                raise

    def _print(self, url: str, deadline: float) -> bytes:
        target = self._call("Target.createTarget", {"url": "about:blank"}, None, deadline)["targetId"]
        try:
            session = self._call("Target.attachToTarget", {"targetId": target, "flatten": True}, None,
                                 deadline)["sessionId"]
            self._call("Page.enable", None, session, deadline)
            navigated = self._call("Page.navigate", {"url": url}, session, deadline)
            if navigated.get("errorText"):
                raise PrintFailed(f"the page did not load ({navigated['errorText']})")
            if session not in self._loaded:
                self._receive(lambda m: session in self._loaded, deadline)
            self._loaded.discard(session)
            printed = self._call("Page.printToPDF", PRINT_OPTIONS, session, deadline)
        finally:
            if self._process.poll() is None:
                self._send("Target.closeTarget", {"targetId": target})  # its answer is dropped with the next
        if not isinstance(printed.get("data"), str):
            raise PrintFailed("Page.printToPDF returned no document")
        self.pages += 1
        return base64.b64decode(printed["data"])

    def alive(self) -> bool:
        """True while this process's browser runs and its pipe is open."""
        return self.pid == os.getpid() and getattr(self, "_out", None) is not None \
            and getattr(self, "_process", None) is not None and self._process.poll() is None

    def close(self) -> None:
        """Stop the browser (closing its pipe asks it to exit) and remove its profile; safe to call twice."""
        if self.pid != os.getpid():  # a forked copy: the browser belongs to the parent
            return
        for name in ("_out", "_in"):
            fd = getattr(self, name, None)
            if fd is not None:
                setattr(self, name, None)
                try:
                    os.close(fd)
                except OSError:
                    pass
        process = getattr(self, "_process", None)
        if process is not None and process.poll() is None:
            try:
                process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        self._profile.cleanup()


_printers: dict[str, Printer] = {}
_printers_lock = threading.Lock()
#: Browsers whose pipe never worked in this process: they print with one process per page.
_no_pipe: set[str] = set()


def print_page(browser: str, command: Callable[[str], list[str]], url: str, timeout: float) -> bytes:
    """The PDF of ``url`` from this process's running ``browser`` (started on first use with ``command``).

    Raises :class:`PrinterGone` when the browser cannot serve (then, and for every later page if it never
    printed one, the caller prints with a browser process of its own) and :class:`PrintFailed` when this
    page failed.
    """
    from workbench.report.lifeline import at_runner_exit

    if browser in _no_pipe:
        raise PrinterGone(f"{browser} does not print over a pipe here")
    with _printers_lock:
        printer = _printers.get(browser)
        if printer is None or not printer.alive():
            printer = _printers[browser] = Printer(command)
            mp_util.Finalize(printer, printer.close, exitpriority=10)  # a pool worker's exit skips atexit
            at_runner_exit(printer.close)  # a worker whose run was killed
    try:
        return printer.print_page(url, timeout)
    except PrinterGone:
        if printer.pages == 0:
            _no_pipe.add(browser)
        raise


def close_printers() -> None:
    """Stop every browser this process started."""
    with _printers_lock:
        for printer in _printers.values():
            printer.close()
        _printers.clear()


atexit.register(close_printers)
