"""The status socket: ops inspection of one running supervisor.

A Unix socket, mode 0600, peer uid checked. One JSON request line in, one JSON answer line out:
{"command": "status"} or {"command": "restart-worker"}. Where there are no Unix sockets
(Windows), a loopback TCP port instead, announced in a descriptor file readable only by the
user together with a random token every request must carry.
"""

from __future__ import annotations

import hmac
import json
import logging
import os
import secrets
import socket
import struct
import sys
from pathlib import Path

import trio

from shared.redaction import redact
from supervisor.pool import WorkerPool
from supervisor.runtime import use_tcp_status, write_private_file
from supervisor.status import SupervisorStatus

log = logging.getLogger("oe-mcp-local.status")
MAX_REQUEST_BYTES = 4096


def _peer_uid(sock: trio.socket.SocketType) -> int | None:
    if sys.platform.startswith("linux"):
        raw = sock.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, struct.calcsize("3i"))
        return struct.unpack("3i", raw)[1]
    return None  # elsewhere the 0600 socket in a 0700 directory is the check


async def _answer(
    status: SupervisorStatus, pool: WorkerPool, stream: trio.SocketStream, token: str | None
) -> None:
    try:
        uid = _peer_uid(stream.socket) if token is None else None
        if uid is not None and uid != os.getuid():
            await stream.send_all(b'{"error": "permission denied"}\n')
            return
        data = b""
        with trio.move_on_after(5):
            while b"\n" not in data and len(data) < MAX_REQUEST_BYTES:
                chunk = await stream.receive_some(1024)
                if not chunk:
                    break
                data += chunk
        try:
            request = json.loads(data or b"{}")
            command = request.get("command", "status")
            given = str(request.get("token", ""))
        except Exception:  # not JSON, not an object, nested too deep: a bad request, nothing more
            command, given = None, ""
        if token is not None and not hmac.compare_digest(given.encode(), token.encode()):
            await stream.send_all(b'{"error": "permission denied: wrong or missing token"}\n')
            return
        try:
            if command == "status":
                answer = await status.document()
            elif command == "restart-worker":
                answer = {"result": await pool.recycle()}
            else:
                answer = {"error": "unknown command; use status or restart-worker"}
        except Exception as exc:  # an ops query must never take the supervisor down
            log.exception("status command %r failed", command)
            answer = {"error": redact(f"{command} failed: {type(exc).__name__}: {exc}")}
        await stream.send_all((redact(json.dumps(answer)) + "\n").encode())
    except Exception as exc:  # whatever a client sends, the supervisor keeps serving
        log.warning("status request dropped: %s", redact(f"{type(exc).__name__}: {exc}"))
    finally:
        await stream.aclose()


async def serve_status(
    status: SupervisorStatus, pool: WorkerPool, path: Path, *, task_status=trio.TASK_STATUS_IGNORED
) -> None:
    """Serve the status socket at `path`. A problem with it is logged, never fatal: the MCP
    connection matters more than ops inspection."""
    try:
        listener, token = await _listen(path)
    except OSError as exc:
        log.warning("no status socket (%s); oe-mcp-status will not see this supervisor. "
                    "Set OE_MCP_STATUS_SOCKET to a writable path to fix it.", exc)
        task_status.started(None)
        return
    log.info("status %s: %s", "descriptor" if token else "socket", path)
    try:
        async with trio.open_nursery() as nursery:
            task_status.started(path)
            while True:
                stream = await listener.accept()
                nursery.start_soon(_answer, status, pool, stream, token)
    finally:
        path.unlink(missing_ok=True)
        await listener.aclose()


async def _listen(path: Path) -> tuple[trio.SocketListener, str | None]:
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    await _clear_stale(path)
    if use_tcp_status():
        sock = trio.socket.socket(trio.socket.AF_INET, trio.socket.SOCK_STREAM)
        await sock.bind(("127.0.0.1", 0))
        token = secrets.token_hex(16)
        port = sock.getsockname()[1]
        write_private_file(path, json.dumps({"port": port, "token": token, "pid": os.getpid()}))
    else:
        token = None
        sock = trio.socket.socket(trio.socket.AF_UNIX, trio.socket.SOCK_STREAM)
        # No umask games: it is process-wide and a worker may be spawning right now. The
        # directory is 0700, so nobody else can reach the socket before the chmod.
        await sock.bind(str(path))
        os.chmod(path, 0o600)
    sock.listen(16)
    return trio.SocketListener(sock), token


async def _clear_stale(path: Path) -> None:
    """Remove a socket nobody listens on; refuse to touch anything else."""
    if not (path.exists() or path.is_symlink()):
        return
    if path.name.endswith(".json") and path.is_file():
        path.unlink()  # an old TCP descriptor: we write a fresh one
        return
    if not path.is_socket():
        raise OSError(f"{path} exists and is not a socket")
    probe = trio.socket.socket(trio.socket.AF_UNIX, trio.socket.SOCK_STREAM)
    try:
        await probe.connect(str(path))
    except OSError:
        path.unlink()  # stale: its supervisor is gone
        return
    finally:
        probe.close()
    raise OSError(f"another supervisor is listening on {path}")
