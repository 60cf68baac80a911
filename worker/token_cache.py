"""The per-user shared JWT cache: every oe-mcp-local of one OS user that talks to the same
OvalEdge with the same credential pair uses one JWT (OvalEdge keeps one active JWT per pair, so
separate exchanges would knock each other out).

Where: the user's private runtime directory, the one the status sockets use (owner only, mode
0700; see supervisor/runtime.py). What: for each (base URL, user token, secret), one file
`token-<id>.jwt` holding the JWT and when and by which process it was obtained, encrypted with
AES-GCM under a key derived (HKDF-SHA256) from the secret, the user token and the base URL;
`<id>` is a digest of the three, never the secret. A copy of the file is useless without the
credentials. Beside it: `token-<id>.lock`, the cross-process lock under which one process at a
time exchanges (an OS lock: the kernel frees it when its holder dies), and `token-<id>.by-<pid>`,
one empty file per server process using the pair (how many there are shows in oe-mcp-status).

A damaged cache never fails a call: a file that is not a regular file of ours with mode 0600,
is torn, or does not decrypt is ignored, and replaced at the next exchange (written whole: a
temporary file, fsync, rename). When the directory cannot be used at all, the worker keeps its
JWT to itself as before, after one warning.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import secrets
import stat
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import trio
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from filelock import FileLock, Timeout

from shared.processes import pid_alive
from shared.worker_env import PARENT_PID_ENV

log = logging.getLogger("oe-mcp-worker.tokens")

MAGIC = b"OEMCPJWT1"  # format version; also bound into the AEAD's associated data
NONCE_BYTES = 12
MAX_FILE_BYTES = 64 * 1024  # a JWT record is far smaller; anything bigger is not ours
LOCK_POLL_SECONDS = 0.05
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)


def server_pid() -> int:
    """The process a user sees: the supervisor (oe-mcp-local) when there is one, else us."""
    raw = os.environ.get(PARENT_PID_ENV, "")
    return int(raw) if raw.isdigit() else os.getpid()


@dataclass
class CachedJwt:
    jwt: str
    obtained_at: float  # epoch seconds
    pid: int  # the server process (supervisor) whose worker exchanged
    worker_pid: int


class TokenCache:
    """One credential pair's shared JWT. All methods are cheap and never raise OSError."""

    def __init__(self, directory: Path, base_url: str, user_token: str, secret: str):
        self.directory = directory
        material = b"\0".join(part.encode() for part in (base_url, user_token, secret))
        self.key_id = hashlib.sha256(b"oe-mcp token cache id\0" + material).hexdigest()[:32]
        self._key = HKDF(algorithm=hashes.SHA256(), length=32, salt=b"oe-mcp token cache key v1",
                         info=b"\0".join(part.encode() for part in (base_url, user_token))
                         ).derive(secret.encode())
        self.path = directory / f"token-{self.key_id}.jwt"
        self.lock_path = directory / f"token-{self.key_id}.lock"
        self._lock = FileLock(str(self.lock_path), mode=0o600, thread_local=False, is_singleton=False)
        self._seen: tuple[int, int, int] | None = None  # (inode, size, mtime_ns) last read
        self.last_record: CachedJwt | None = None  # the last one read or written
        self.damaged = 0  # files ignored as torn, foreign or undecryptable

    # -- reading ------------------------------------------------------------------------------
    def changed(self) -> bool:
        """True when the file is not what we last read (one lstat; no decryption)."""
        try:
            info = os.lstat(self.path)
        except OSError:
            return self._seen is not None
        return (info.st_ino, info.st_size, info.st_mtime_ns) != self._seen

    def read(self, *, track: bool = True) -> CachedJwt | None:
        """The cached record, or None (missing, foreign, torn or undecryptable: ignored).
        `track`: remember it as seen, so that `changed` is false until it changes again."""
        try:
            fd = os.open(self.path, os.O_RDONLY | _NOFOLLOW)
        except OSError:  # missing, or a link (not followed): remember what is there
            if track:
                try:
                    info = os.lstat(self.path)
                    self._seen = (info.st_ino, info.st_size, info.st_mtime_ns)
                except OSError:
                    self._seen = None
            return None
        try:
            info = os.fstat(fd)
            if track:
                self._seen = (info.st_ino, info.st_size, info.st_mtime_ns)
            if not self._ours(info):
                return self._damaged("not a private regular file of ours")
            blob = os.read(fd, MAX_FILE_BYTES + 1)
        except OSError:
            return None
        finally:
            os.close(fd)
        record = self._decrypt(blob)
        if record is not None:
            self.last_record = record
        return record

    @staticmethod
    def _ours(info: os.stat_result) -> bool:
        if not stat.S_ISREG(info.st_mode):
            return False
        if hasattr(os, "getuid"):
            return info.st_uid == os.getuid() and stat.S_IMODE(info.st_mode) & 0o077 == 0
        return True

    def _damaged(self, why: str) -> None:
        self.damaged += 1
        log.warning("shared token cache %s ignored (%s); it is replaced at the next exchange",
                    self.path.name, why)
        return None

    def _decrypt(self, blob: bytes) -> CachedJwt | None:
        if len(blob) > MAX_FILE_BYTES or not blob.startswith(MAGIC):
            return self._damaged("not a cache file of this version")
        nonce, sealed = blob[len(MAGIC):len(MAGIC) + NONCE_BYTES], blob[len(MAGIC) + NONCE_BYTES:]
        try:
            plain = AESGCM(self._key).decrypt(nonce, sealed, self._associated())
            data = json.loads(plain)
            record = CachedJwt(str(data["jwt"]), float(data["obtained_at"]), int(data["pid"]),
                               int(data["worker_pid"]))
        except (InvalidTag, ValueError, KeyError, TypeError):
            return self._damaged("torn, or not sealed with these credentials")
        return record if record.jwt else None

    def _associated(self) -> bytes:
        return MAGIC + self.key_id.encode()  # a file copied from another pair's name fails

    # -- writing ------------------------------------------------------------------------------
    def write(self, jwt: str) -> CachedJwt:
        """Store `jwt` as just obtained by this process, whole (temp file, fsync, rename)."""
        record = CachedJwt(jwt, time.time(), server_pid(), os.getpid())
        plain = json.dumps({"jwt": jwt, "obtained_at": record.obtained_at, "pid": record.pid,
                            "worker_pid": record.worker_pid}).encode()
        nonce = secrets.token_bytes(NONCE_BYTES)
        blob = MAGIC + nonce + AESGCM(self._key).encrypt(nonce, plain, self._associated())
        temp = self.directory / f".{self.path.name}.{os.getpid()}.{secrets.token_hex(4)}"
        try:
            fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW, 0o600)
            try:
                os.write(fd, blob)
                os.fsync(fd)
            finally:
                os.close(fd)
            os.replace(temp, self.path)  # replaces a damaged or planted file (a link itself)
            info = os.lstat(self.path)
            self._seen = (info.st_ino, info.st_size, info.st_mtime_ns)
        except OSError as exc:
            with contextlib.suppress(OSError):
                os.unlink(temp)
            log.warning("could not write the shared token cache (%s); other processes will "
                        "exchange their own JWT", exc.strerror or type(exc).__name__)
        self.last_record = record
        return record

    # -- the cross-process lock ---------------------------------------------------------------
    async def acquire(self, wait_seconds: float, adoptable: Any = None) -> tuple[bool, CachedJwt | None]:
        """Take the exchange lock, waiting at most `wait_seconds`. While waiting, a record for
        which `adoptable(record)` is true ends the wait at once without the lock.

        Returns (locked, record): (True, None) with the lock; (False, record) when a record
        came in while waiting; (False, None) when the wait ran out (a live holder is stuck)."""
        self._drop_link(self.lock_path)
        deadline = trio.current_time() + wait_seconds
        while True:
            try:
                self._lock.acquire(timeout=0)
                return True, None
            except Timeout:
                pass
            except OSError as exc:
                log.warning("the shared token cache lock cannot be used (%s)",
                            exc.strerror or type(exc).__name__)
                return False, None
            if adoptable is not None and self.changed():
                record = self.read()
                if record is not None and adoptable(record):
                    return False, record
            if trio.current_time() >= deadline:
                return False, None
            await trio.sleep(LOCK_POLL_SECONDS)

    def release(self) -> None:
        with contextlib.suppress(OSError):
            self._lock.release()

    @staticmethod
    def _drop_link(path: Path) -> None:
        """Our private directory holds no links of ours: one there is not followed but removed."""
        with contextlib.suppress(OSError):
            if stat.S_ISLNK(os.lstat(path).st_mode):
                os.unlink(path)

    # -- who uses the pair --------------------------------------------------------------------
    def register(self) -> None:
        """Mark this server process as a user of the pair (an empty file named by its pid), and
        drop the temporary files of writers that died before their rename."""
        mark = self.directory / f"token-{self.key_id}.by-{server_pid()}"
        with contextlib.suppress(OSError):
            os.close(os.open(mark, os.O_WRONLY | os.O_CREAT | _NOFOLLOW, 0o600))
        for temp in self.directory.glob(f".{self.path.name}.*.*"):
            pid = temp.name[len(self.path.name) + 2:].split(".", 1)[0]
            if pid.isdigit() and int(pid) != os.getpid() and not pid_alive(int(pid)):
                with contextlib.suppress(OSError):
                    temp.unlink()

    def users(self) -> int:
        """Server processes alive that use the pair; the marks of dead ones are removed."""
        count = 0
        for mark in self.directory.glob(f"token-{self.key_id}.by-*"):
            digits = mark.name.rsplit("-", 1)[1]
            if not digits.isdigit():
                continue
            if pid_alive(int(digits)):
                count += 1
            else:
                with contextlib.suppress(OSError):
                    mark.unlink()
        return count


def open_cache(base_url: str, user_token: str, secret: str) -> tuple[TokenCache | None, str | None]:
    """The cache for this pair in the private runtime directory, or (None, why not)."""
    from supervisor.runtime import is_private_dir, runtime_dir

    try:
        directory = runtime_dir()
    except OSError as exc:
        return None, f"the runtime directory cannot be made ({exc.strerror or type(exc).__name__})"
    if hasattr(os, "getuid") and not is_private_dir(directory):
        return None, f"{directory} is not a private directory of ours"
    probe = directory / f".probe-{os.getpid()}-{secrets.token_hex(4)}"
    try:
        os.close(os.open(probe, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW, 0o600))
        os.unlink(probe)
    except OSError as exc:
        return None, f"{directory} is not writable ({exc.strerror or type(exc).__name__})"
    cache = TokenCache(directory, base_url, user_token, secret)
    cache.register()
    return cache, None
