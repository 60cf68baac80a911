"""A floor for the forwarding overhead: the least a trio stdio front can do.

    python -m benchmarks.trio_relay <server command...>

It starts the server and copies whole lines between our stdio and its, reading no message:
no ids, no params checks, no deadlines, no replay, its stderr drained unread. What
oe-mcp-local adds on top of this is its own work per call; what this adds on top of the
server alone is trio's and the pipes'.
"""

from __future__ import annotations

import os
import subprocess
import sys

import trio


async def _copy_lines(source: trio.abc.ReceiveStream, sink: trio.abc.SendStream) -> None:
    pending = b""
    while data := await source.receive_some(65536):
        pending += data
        cut = pending.rfind(b"\n") + 1
        if cut:
            await sink.send_all(pending[:cut])
            pending = pending[cut:]


async def _drain(source: trio.abc.ReceiveStream) -> None:
    while await source.receive_some(65536):
        pass


async def _relay(command: list[str]) -> None:
    server = await trio.lowlevel.open_process(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                              stderr=subprocess.PIPE)
    assert server.stdin is not None and server.stdout is not None and server.stderr is not None
    ours_in, ours_out = trio.lowlevel.FdStream(os.dup(0)), trio.lowlevel.FdStream(os.dup(1))
    async with trio.open_nursery() as nursery:
        nursery.start_soon(_copy_lines, server.stdout, ours_out)
        nursery.start_soon(_drain, server.stderr)
        await _copy_lines(ours_in, server.stdin)  # until our client closes stdin
        await server.stdin.aclose()
        await server.wait()
        nursery.cancel_scope.cancel()


if __name__ == "__main__":
    trio.run(_relay, sys.argv[1:])
