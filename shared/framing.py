"""MCP's stdio framing, for both processes: one JSON-RPC message per line, UTF-8.

`LineSplitter` cuts a byte stream into lines of at most MAX_LINE_BYTES; `decode` reads one line
the strict way (UTF-8 only, no NaN or Infinity, which Python's json reads but JSON does not
have); `encode` writes a message as one line of ASCII JSON (valid whatever the text holds, lone
surrogates included). `stdio_stream` is this process's stdin/stdout as one trio stream, with the
descriptors moved out of the way of stray prints while it serves.
"""

from __future__ import annotations

import json
import math
import os
import stat
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import trio

MAX_LINE_BYTES = 64 * 1024 * 1024


class OversizedLine(ValueError):
    """A line longer than MAX_LINE_BYTES: dropped whole, up to its newline, unread."""


class NotJson(ValueError):
    """A line that is not JSON: not UTF-8, not JSON syntax, or with NaN or Infinity."""


class LineSplitter:
    """The newline-delimited lines of a byte stream, each at most MAX_LINE_BYTES. A longer line
    is reported once (an OversizedLine), as soon as it is too long, and dropped up to its
    newline: nothing of it is read as a message, however it ends."""

    def __init__(self) -> None:
        self._pending = bytearray()
        self._dropping = False

    def feed(self, data: bytes) -> list[bytes | OversizedLine]:
        lines: list[bytes | OversizedLine] = []
        start = 0
        while (end := data.find(b"\n", start)) != -1:
            if not self._dropping:
                self._pending += data[start:end]
                lines.append(OversizedLine() if len(self._pending) > MAX_LINE_BYTES
                             else bytes(self._pending))
            self._pending.clear()
            self._dropping = False
            start = end + 1
        if not self._dropping:
            self._pending += data[start:]
            if len(self._pending) > MAX_LINE_BYTES:
                lines.append(OversizedLine())
                self._pending.clear()
                self._dropping = True
        return lines


def _refuse_constant(name: str) -> None:
    raise NotJson(f"{name} is not JSON")


def _finite(text: str) -> float:
    value = float(text)
    if math.isinf(value):  # 1e400: JSON syntax, but no number a peer could read back
        raise NotJson(f"the number {text[:40]} is out of range")
    return value


def decode(line: bytes) -> Any:
    """The JSON value on `line`; NotJson when it is not one (strict UTF-8, no NaN/Infinity)."""
    try:
        return json.loads(line.decode("utf-8"), parse_constant=_refuse_constant, parse_float=_finite)
    except NotJson:
        raise
    except ValueError as exc:  # UnicodeDecodeError and JSONDecodeError alike
        raise NotJson(str(exc)) from None
    except RecursionError:  # "[" * 100000: too deep for the parser, so not usable JSON
        raise NotJson("nested too deeply") from None


def encode(message: Any) -> bytes:
    """One line of compact ASCII JSON for `message`."""
    return json.dumps(message, separators=(",", ":")).encode() + b"\n"


async def read_lines(stream: trio.abc.ReceiveStream) -> AsyncIterator[bytes | OversizedLine]:
    """The lines of `stream` until EOF (or until it breaks), blank ones left out."""
    splitter = LineSplitter()
    try:
        while data := await stream.receive_some(65536):
            for line in splitter.feed(data):
                if isinstance(line, OversizedLine) or line.strip():
                    yield line
    except (trio.BrokenResourceError, trio.ClosedResourceError, OSError):
        return


async def send_whole(stream: trio.abc.SendStream, lock: trio.Lock, data: bytes) -> None:
    """Write `data` to `stream` whole, one writer at a time. The lock is taken without a
    scheduler pass when nobody holds it (the usual case: a pass is a measurable share of the
    supervisor's time per relayed message); send_all still checkpoints."""
    try:
        lock.acquire_nowait()
    except trio.WouldBlock:
        await lock.acquire()
    try:
        await stream.send_all(data)
    finally:
        lock.release()


def _is_pipe_or_socket(fd: int) -> bool:
    try:
        mode = os.fstat(fd).st_mode
    except OSError:
        return False
    return stat.S_ISFIFO(mode) or stat.S_ISSOCK(mode)


def stdio_is_pipes() -> bool:
    """Whether stdin and stdout are pipes or sockets, as MCP clients (and our supervisor) start
    us; trio's fd streams need that (a terminal or a file would block the event loop)."""
    return os.name == "posix" and _is_pipe_or_socket(0) and _is_pipe_or_socket(1)


class BlockingFdStream(trio.abc.Stream):
    """A read fd and a write fd that trio cannot poll (a terminal, a file, Windows), served from
    worker threads: slower per message than FdStream, but it works wherever a user runs us."""

    def __init__(self, read_fd: int, write_fd: int):
        self._read_fd, self._write_fd = read_fd, write_fd

    async def receive_some(self, max_bytes: int | None = None) -> bytes:
        return await trio.to_thread.run_sync(os.read, self._read_fd, max_bytes or 65536,
                                             abandon_on_cancel=True)

    async def send_all(self, data: bytes | bytearray | memoryview) -> None:
        def write_all() -> None:
            view = memoryview(data)
            while view:
                view = view[os.write(self._write_fd, view):]

        await trio.to_thread.run_sync(write_all)

    async def wait_send_all_might_not_block(self) -> None:
        return

    async def aclose(self) -> None:
        for fd in (self._read_fd, self._write_fd):
            try:
                os.close(fd)
            except OSError:
                pass


@asynccontextmanager
async def stdio_stream() -> AsyncIterator[trio.abc.Stream]:
    """This process's stdin and stdout as one trio stream: trio's own fd streams where they are
    pipes (no thread hop per message), threads elsewhere. While it serves, fd 1 points at stderr
    and fd 0 at /dev/null, so that a stray print or a library cannot corrupt the protocol."""
    pipes = stdio_is_pipes()
    wire_in, wire_out = os.dup(0), os.dup(1)
    saved_in, saved_out = os.dup(0), os.dup(1)
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.dup2(2, 1)
    os.close(null)
    stream: trio.abc.Stream
    if pipes:
        stream = trio.StapledStream(trio.lowlevel.FdStream(wire_out), trio.lowlevel.FdStream(wire_in))
    else:
        stream = BlockingFdStream(wire_in, wire_out)
    try:
        yield stream
    finally:
        with trio.CancelScope(shield=True):
            await stream.aclose()
        os.dup2(saved_in, 0)
        os.dup2(saved_out, 1)
        os.close(saved_in)
        os.close(saved_out)
