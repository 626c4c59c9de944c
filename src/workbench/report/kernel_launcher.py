"""The kernel of a report run: ipykernel, with no TCP port at all when it talks over Unix sockets.

ipykernel binds one socket outside the five of the connection file: the pipe on which processes
forked by a notebook send their output to the kernel (``IOPubThread._setup_pipe_in``). It is always
loopback TCP. Under the ``ipc`` transport this launcher binds it as a Unix socket beside the
kernel's others (``<ip>-subprocess-pipe``, in the same private folder), then starts ipykernel as
``python -m ipykernel_launcher`` would. Under ``tcp`` nothing changes.

Started by :class:`workbench.report.kernel.private_kernel`'s kernel manager in place of
``ipykernel_launcher`` (``python -m workbench.report.kernel_launcher -f <connection file>``).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

import zmq
from ipykernel import iostream
from ipykernel.kernelapp import IPKernelApp
from zmq.eventloop.zmqstream import ZMQStream

PIPE_SUFFIX = "-subprocess-pipe"
_tcp_pipe_in = iostream.IOPubThread._setup_pipe_in
_tcp_pipe_out = iostream.IOPubThread._setup_pipe_out


def _setup_pipe_in(self: Any) -> None:
    app = IPKernelApp.instance()
    if app.transport != "ipc":
        _tcp_pipe_in(self)
        return
    self._pipe_uuid = os.urandom(16)  # as ipykernel: only this kernel's forked processes know it
    pipe_in = self.socket.context.socket(zmq.PULL)
    pipe_in.linger = 0
    self._pipe_address = f"ipc://{app.ip}{PIPE_SUFFIX}"
    pipe_in.bind(self._pipe_address)
    self._pipe_in = ZMQStream(pipe_in, self.io_loop)
    self._pipe_in.on_recv(self._handle_pipe_msg)


def _setup_pipe_out(self: Any) -> tuple[zmq.Context, zmq.Socket]:
    address = getattr(self, "_pipe_address", None)
    if address is None:
        return _tcp_pipe_out(self)
    ctx = zmq.Context()  # a new context after fork, as ipykernel's
    pipe_out = ctx.socket(zmq.PUSH)
    pipe_out.linger = 3000
    pipe_out.connect(address)
    return ctx, pipe_out


def main() -> None:
    """Start the kernel (arguments as for ``ipykernel_launcher``)."""
    if sys.path and (sys.path[0] == "" or Path(sys.path[0]) == Path.cwd()):
        del sys.path[0]  # as ipykernel_launcher; the kernel puts the notebook's folder back
    iostream.IOPubThread._setup_pipe_in = _setup_pipe_in
    iostream.IOPubThread._setup_pipe_out = _setup_pipe_out
    from ipykernel import kernelapp

    kernelapp.launch_new_instance()


if __name__ == "__main__":
    main()
