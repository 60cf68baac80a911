"""`python -m worker.host --control-fd N`: the fork host, the supervisor's standby on Linux.

It imports the worker's code once and then forks each worker the supervisor asks for from that
image. A worker forked from it is serving in a fraction of a cold start (which is almost all
imports), and it shares with the host the memory pages of the code it does not write to, so
the host standing by costs a fraction of a second worker (docs/performance.md, lean processes).

It is single-threaded and never runs trio itself: forking a process with threads or an event
loop is unsafe, forking this one is not. Its control channel is one Unix SEQPACKET socket (one
JSON object a packet), the descriptor it is given with `--control-fd`:

    supervisor -> host  {"fork": n, "argv": [...], "env": {...}}, with the new worker's stdin,
                        stdout and stderr attached (SCM_RIGHTS)
    host -> supervisor  {"ready": pid}                once the code is imported
                        {"forked": n, "pid": p}       or {"forked": n, "error": "..."}
                        {"exited": p, "code": c}      a worker it forked has ended (c < 0: signal)

It exits when the supervisor closes the channel. Its workers live on without it: each one
watches the supervisor itself (shared/lifeline.py) and reads its requests from the supervisor.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import select
import signal
import socket
import sys
from typing import Any

from shared.redaction import configure_logging
from shared.worker_env import FORK_HOST_PID_ENV

MAX_PACKET_BYTES = 1 << 20  # a fork request carries the worker's environment
STDIO_FDS = 3
# Imported by a worker only once it serves or calls OvalEdge: imported here too, so that each
# worker finds them loaded (and shared) instead of loading a copy of its own.
# tests/worker/test_light_imports.py checks that this leaves nothing for a worker to import.
SERVING_MODULES = ("worker.server", "worker.stdio", "httpcore2", "h2.connection", "truststore",
                   "jsonschema", "jwt", "anyio._backends._trio", "anyio.streams.stapled",
                   "anyio._core._sockets", "encodings.idna", "supervisor.runtime")


def preload() -> None:
    import worker.cli  # noqa: F401  (the worker's entry point and its settings)

    for name in SERVING_MODULES:
        try:
            __import__(name)  # (the import statement's way: `-X importtime` reports it)
        except ImportError:  # optional in the worker too (h2, truststore)
            pass
    from worker.transport import tls_context

    tls_context()  # the certificates, loaded once for every worker (a cold load is about 25 ms)
    # What survives the imports stays where the collector never writes to it again: a forked
    # worker's collections would otherwise copy every page of it.
    gc.collect()
    gc.freeze()


def send(control: socket.socket, message: dict[str, Any]) -> None:
    control.send(json.dumps(message).encode())


def serve(control: socket.socket) -> None:
    wake_r, wake_w = os.pipe()
    for fd in (wake_r, wake_w):
        os.set_blocking(fd, False)
    signal.set_wakeup_fd(wake_w)
    signal.signal(signal.SIGCHLD, lambda *_: None)  # only to wake the select below
    own = (control.fileno(), wake_r, wake_w)
    send(control, {"ready": os.getpid()})
    while True:
        readable, _, _ = select.select([control, wake_r], [], [])
        if wake_r in readable:
            while os.read(wake_r, 512) == 512:
                pass
        _reap(control)
        if control not in readable:
            continue
        data, fds, _, _ = socket.recv_fds(control, MAX_PACKET_BYTES, STDIO_FDS)
        if not data:  # the supervisor closed the channel: it is gone, or stopping
            return
        try:
            request = json.loads(data)
            if len(fds) != STDIO_FDS:
                raise ValueError(f"a fork needs {STDIO_FDS} descriptors, got {len(fds)}")
            pid = _fork_worker(request, fds, own)
            send(control, {"forked": request.get("fork"), "pid": pid})
        except (OSError, ValueError, TypeError) as exc:
            send(control, {"forked": _request_id(data), "error": f"{type(exc).__name__}: {exc}"})
        finally:
            for fd in fds:
                os.close(fd)


def _request_id(data: bytes) -> Any:
    try:
        return json.loads(data).get("fork")
    except (ValueError, AttributeError):
        return None


def _reap(control: socket.socket) -> None:
    while True:
        try:
            pid, status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return
        send(control, {"exited": pid, "code": os.waitstatus_to_exitcode(status)})


def _fork_worker(request: dict[str, Any], fds: list[int], own: tuple[int, ...]) -> int:
    argv, env = request["argv"], request["env"]
    if not (isinstance(argv, list) and isinstance(env, dict)):
        raise TypeError("argv must be a list and env an object")
    pid = os.fork()
    if pid:
        return pid
    # The child: from here on it is a worker, and it never returns into the host's loop.
    code = 70  # (EX_SOFTWARE) it failed before the worker could run
    try:
        os.setsid()  # a session of its own, as a spawned worker has: a kill reaches all it starts
        signal.set_wakeup_fd(-1)
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        for target, fd in enumerate(fds):
            os.dup2(fd, target)
        for fd in (*fds, *own):
            if fd > 2:
                os.close(fd)
        os.environ.clear()
        os.environ.update({str(key): str(value) for key, value in env.items()})
        os.environ[FORK_HOST_PID_ENV] = str(os.getppid())
        from worker.cli import main

        code = main([str(arg) for arg in argv])
    except SystemExit as exit_:
        code = exit_.code if isinstance(exit_.code, int) else 1
    except BaseException:  # noqa: BLE001  (its last words go to its own stderr, then it ends)
        import traceback

        traceback.print_exc()
        code = 1
    finally:
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except (OSError, ValueError):
                pass
        os._exit(code)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="oe-mcp-worker-host", description=__doc__.splitlines()[0])
    parser.add_argument("--control-fd", type=int, required=True)
    args = parser.parse_args(argv)
    log = configure_logging("oe-mcp-worker-host")  # on the supervisor's own stderr
    control = socket.socket(fileno=args.control_fd)
    try:
        preload()
        serve(control)
    except (BrokenPipeError, ConnectionResetError):  # the supervisor is gone
        pass
    except Exception:  # its workers are spawned cold instead; say why, redacted
        log.exception("the fork host stopped")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
