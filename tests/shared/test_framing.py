"""`send_whole`: concurrent writers on one trio stream, each message written whole."""

from __future__ import annotations

import os

import trio

from shared.framing import send_whole


async def test_concurrent_writers_each_write_their_message_whole():
    # Messages bigger than a pipe holds, so every send_all waits for the reader mid-message:
    # without the lock, trio refuses the second writer (BusyResourceError) or bytes interleave.
    read_fd, write_fd = os.pipe()
    os.set_blocking(read_fd, False)
    os.set_blocking(write_fd, False)
    reader, writer = trio.lowlevel.FdStream(read_fd), trio.lowlevel.FdStream(write_fd)
    lock = trio.Lock()
    messages = [bytes([ord("a") + i]) * 300_000 + b"\n" for i in range(6)]
    received = bytearray()

    async def read_all() -> None:
        while len(received) < sum(map(len, messages)):
            received.extend(await reader.receive_some(65536))

    async with trio.open_nursery() as nursery:
        nursery.start_soon(read_all)
        async with trio.open_nursery() as writers:
            for message in messages:
                writers.start_soon(send_whole, writer, lock, message)
    lines = bytes(received).splitlines(keepends=True)
    assert sorted(lines) == sorted(messages)  # each whole: no line holds two letters
    assert not lock.locked()
    await reader.aclose()
    await writer.aclose()
