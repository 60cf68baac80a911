"""The status socket: ops inspection of one running supervisor.

A Unix socket, mode 0600, peer uid checked. One JSON request line in, one JSON answer line out:
{"command": "status"} or {"command": "restart-worker"}. Where there are no Unix sockets
(Windows), a loopback TCP port instead, announced in a descriptor file readable only by the
user together with a random token every request must carry.

Nothing here may stop the MCP server: a status socket that cannot be made, or that fails later,
is logged and the supervisor serves on without it. At most MAX_CONNECTIONS are served at once
(more wait in the listen backlog), one that sends no request line within REQUEST_TIMEOUT_SECONDS
is dropped, and when accepting fails (out of descriptors) the loop backs off and retries.
"""

from __future__ import annotations

import hmac
import json
import logging
import os
import secrets
import socket
import stat
import struct
import sys
from pathlib import Path

import trio

from shared.processes import pid_alive
from shared.redaction import redact
from supervisor.pool import WorkerPool
from supervisor.runtime import (
    publish,
    socket_path_for,
    staged_name,
    use_tcp_status,
    write_private_file,
)
from supervisor.status import SupervisorStatus

log = logging.getLogger("oe-mcp-local.status")
MAX_REQUEST_BYTES = 4096
MAX_CONNECTIONS = 8
REQUEST_TIMEOUT_SECONDS = 2.0
ACCEPT_RETRY_SECONDS = (0.05, 2.0)  # the first wait after a failed accept, and the longest
MAX_SOCKET_PATH_BYTES = 103 if sys.platform == "darwin" else 107  # sun_path, less its NUL


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
        with trio.move_on_after(REQUEST_TIMEOUT_SECONDS) as waiting:
            while b"\n" not in data and len(data) < MAX_REQUEST_BYTES:
                chunk = await stream.receive_some(1024)
                if not chunk:
                    break
                data += chunk
        if waiting.cancelled_caught:
            return  # idle: its descriptor is worth more than an answer nobody asked for
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
    status: SupervisorStatus, pool: WorkerPool, path: Path | None, *,
    task_status=trio.TASK_STATUS_IGNORED,
) -> None:
    """Serve the status socket at `path` (None: in the runtime dir) until cancelled."""
    try:
        path = path or socket_path_for(os.getpid())
        listener, token = await _listen(path)
    except Exception as exc:
        log.warning("no status socket (%s); serving MCP without it, and oe-mcp-status will not "
                    "see this supervisor. Set OE_MCP_STATUS_SOCKET to a writable path to fix it.", exc)
        task_status.started(None)
        return
    made = os.lstat(path)
    log.info("status %s: %s", "descriptor" if token else "socket", path)
    task_status.started(path)
    try:
        await _serve_connections(listener, lambda stream: _answer(status, pool, stream, token))
    except Exception as exc:
        log.warning("the status socket failed (%s); serving MCP without it from now on",
                    redact(f"{type(exc).__name__}: {exc}"))
    finally:
        if _same_file(path, made):  # never remove what took its place
            path.unlink(missing_ok=True)
        await listener.aclose()


async def _serve_connections(listener: trio.SocketListener, answer) -> None:
    slots = trio.Semaphore(MAX_CONNECTIONS)
    first_retry, longest_retry = ACCEPT_RETRY_SECONDS
    retry = first_retry

    async def serve_one(stream: trio.SocketStream) -> None:
        try:
            await answer(stream)
        finally:
            slots.release()

    async with trio.open_nursery() as nursery:
        while True:
            await slots.acquire()
            try:
                stream = await listener.accept()
            except OSError as exc:  # EMFILE and the like: wait for descriptors to come back
                slots.release()
                if retry == first_retry:
                    log.warning("status socket cannot accept (%s); retrying", exc)
                await trio.sleep(retry)
                retry = min(retry * 2, longest_retry)
                continue
            retry = first_retry
            nursery.start_soon(serve_one, stream)


def _same_file(path: Path, made: os.stat_result) -> bool:
    try:
        now = os.lstat(path)
    except OSError:
        return False
    return (now.st_dev, now.st_ino) == (made.st_dev, made.st_ino)


async def _listen(path: Path) -> tuple[trio.SocketListener, str | None]:
    """Listen at `path`. What `path` names appears only once it is listening: a client that
    sees it can connect (a socket bound but not yet listening would refuse it)."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    tcp = use_tcp_status()
    await _clear_stale(path, tcp)
    if tcp:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.bind(("127.0.0.1", 0))
        sock.listen(16)
        token = secrets.token_hex(16)
        port = sock.getsockname()[1]
        write_private_file(path, json.dumps({"port": port, "token": token, "pid": os.getpid()}))
    else:
        token = None
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        # Bound under a private name, made owner-only and listening, then published at `path`
        # (where the name would be too long for a socket, bound at `path`, with nothing else
        # done between). No umask games: it is process-wide and a worker may be spawning right
        # now; the directory is 0700, so nobody else can reach the socket before the chmod.
        staged = staged_name(path)
        if len(os.fsencode(staged)) > MAX_SOCKET_PATH_BYTES:
            staged = path
        else:
            staged.unlink(missing_ok=True)  # left by a run of ours that died right here
        sock.bind(str(staged))
        os.chmod(staged, 0o600)
        sock.listen(16)
        if staged != path:
            publish(staged, path)
    sock.setblocking(False)
    return trio.SocketListener(trio.socket.from_stdlib_socket(sock)), token


async def _clear_stale(path: Path, tcp: bool) -> None:
    """Remove our stale status entry at `path`: a socket nobody listens on, or the descriptor
    of a supervisor that is gone. Refuse to touch anything else."""
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        return
    ours = info.st_uid == os.getuid()
    busy = OSError(f"another supervisor is listening on {path}")
    if tcp and ours and stat.S_ISREG(info.st_mode) and (pid := _descriptor_pid(path)) is not None:
        if pid == os.getpid() or pid_alive(pid):
            raise busy
        path.unlink()
        return
    if tcp or not (ours and stat.S_ISSOCK(info.st_mode)):
        raise OSError(f"{path} exists and is not a stale status socket of ours; pick a free path")
    probe = trio.socket.socket(trio.socket.AF_UNIX, trio.socket.SOCK_STREAM)
    try:
        await probe.connect(str(path))
    except OSError:
        path.unlink()  # stale: its supervisor is gone
        return
    finally:
        probe.close()
    raise busy


def _descriptor_pid(path: Path) -> int | None:
    """The pid a TCP descriptor file names, None when it is not one."""
    try:
        pid = json.loads(path.read_text()).get("pid")
    except (OSError, ValueError, AttributeError):
        return None
    return pid if isinstance(pid, int) and not isinstance(pid, bool) else None
