"""Files as the run format needs them: atomic writes (temp file + rename), JSON that
JavaScript can parse, and the pid/host lock files every sgdscope writer understands."""
from __future__ import annotations

import errno
import json
import os
import secrets
import socket
import threading
import time
from contextlib import contextmanager
from typing import Any, Dict, Iterator, Optional, Tuple

try:
    import fcntl
except ImportError:  # Windows
    fcntl = None  # type: ignore[assignment]

# Temporary files end with this, so that a cleanup can recognise leftovers (as the engine's).
TMP_SUFFIX = ".sgdscope-tmp"


def _max_open_files() -> int:
    try:
        return max(1, int(os.environ.get("SGDSCOPE_OPEN_FILES", "64")))
    except ValueError:
        return 64


# Threads that hold files open at once, as the engine's file pool (src/main/archive/file-pool.ts):
# a recorder fed from a big thread pool would otherwise open one file per thread and fail with
# EMFILE under an ordinary descriptor limit (`ulimit -n 256`). `SGDSCOPE_OPEN_FILES` overrides it.
MAX_OPEN_FILES = _max_open_files()
_slots = threading.BoundedSemaphore(MAX_OPEN_FILES)
_slot_depth = threading.local()
# The most slots held at once, for tests (updated without a lock, which a KeyboardInterrupt
# could leave held: a lost update only under-counts).
_slot_peak = [0]


def _slots_held() -> int:
    return _slots._initial_value - _slots._value  # type: ignore[attr-defined]


@contextmanager
def file_slot() -> Iterator[None]:
    """Holds one of the process's MAX_OPEN_FILES file slots for the body. Re-entrant in a
    thread (a lock folder's descriptor and the lock file read under it share one slot), so a
    thread holds at most two descriptors and the process at most 2 × MAX_OPEN_FILES."""
    depth = getattr(_slot_depth, "n", 0)
    # Counted before the semaphore is touched: a signal handler that runs in this thread while
    # it waits for a slot nests instead of waiting on the semaphore's own lock.
    _slot_depth.n = depth + 1
    acquired = False
    try:
        if depth == 0:
            _slots.acquire()
            acquired = True
            _slot_peak[0] = max(_slot_peak[0], _slots_held())
        yield
    finally:
        if acquired:
            _slots.release()
        _slot_depth.n = depth


@contextmanager
def without_slots() -> Iterator[None]:
    """File operations of the body take no slot: for marking a run interrupted at exit, after a
    KeyboardInterrupt may have struck inside the semaphore and left its lock held."""
    depth = getattr(_slot_depth, "n", 0)
    _slot_depth.n = depth + 1
    try:
        yield
    finally:
        _slot_depth.n = depth


def file_slot_stats(reset: bool = False) -> Dict[str, int]:
    """Slots held now and the most held at once (for tests)."""
    out = {"active": _slots_held(), "peak": _slot_peak[0]}
    if reset:
        _slot_peak[0] = out["active"]
    return out


class LockTimeout(TimeoutError):
    """A short lock stayed held by a live process for longer than the writer waits."""


def hostname() -> str:
    # Node's os.hostname() and this are both gethostname(2), so lock files compare equal.
    return socket.gethostname()


def write_atomic(path: str, data: bytes) -> None:
    """Writes data to a temporary name beside path, then renames it over path: a reader,
    or a process killed mid-write, sees the old file or the new one."""
    os.makedirs(os.path.dirname(path), exist_ok=True)
    tmp = f"{path}.{os.getpid()}-{secrets.token_hex(4)}{TMP_SUFFIX}"
    try:
        with file_slot(), open(tmp, "wb") as f:
            f.write(data)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise


def _jsonable(v: Any) -> Any:
    # NumPy scalars and arrays in user metadata become plain JSON values.
    if hasattr(v, "tolist"):
        return v.tolist()
    raise TypeError(f"{type(v).__name__} is not JSON-serializable")


def dumps(value: Any) -> str:
    """JSON as the engine writes it (2-space indent, trailing newline); NaN/inf are refused
    because JavaScript's JSON.parse rejects them."""
    return json.dumps(value, indent=2, allow_nan=False, default=_jsonable) + "\n"


def write_json_atomic(path: str, value: Any) -> None:
    write_atomic(path, dumps(value).encode("utf-8"))


def read_json(path: str) -> Any:
    with file_slot(), open(path, "r", encoding="utf-8") as f:
        return json.load(f)


def read_json_or_none(path: str) -> Optional[Any]:
    try:
        return read_json(path)
    except (OSError, ValueError):
        return None


def pid_alive(pid: int) -> bool:
    if os.name == "nt":
        return _windows_pid_alive(pid)
    try:
        os.kill(pid, 0)
        return True
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # alive, owned by someone else


def _windows_pid_alive(pid: int) -> bool:
    # os.kill(pid, 0) would send CTRL_C_EVENT on Windows: ask for the process instead.
    import ctypes

    kernel32 = ctypes.windll.kernel32  # type: ignore[attr-defined]
    handle = kernel32.OpenProcess(0x1000, False, pid)  # PROCESS_QUERY_LIMITED_INFORMATION
    if not handle:
        return kernel32.GetLastError() == 5  # access denied: it exists
    try:
        code = ctypes.c_ulong()
        if not kernel32.GetExitCodeProcess(handle, ctypes.byref(code)):
            return True
        return code.value == 259  # STILL_ACTIVE
    finally:
        kernel32.CloseHandle(handle)


def lock_owner_alive(info: Any) -> bool:
    """True when a lock's owner is alive as far as this machine can tell: another host's
    pids cannot be checked, so such locks count as held."""
    if not isinstance(info, dict) or not isinstance(info.get("pid"), int):
        return False
    if info.get("host") != hostname():
        return True
    return pid_alive(info["pid"])


def create_exclusive(path: str, value: Any) -> bool:
    """Creates path holding value if it does not exist (O_EXCL semantics, with the content
    complete at the moment the name appears: written to a temp file, then hard-linked)."""
    tmp = f"{path}.{os.getpid()}-{secrets.token_hex(4)}{TMP_SUFFIX}"
    with file_slot(), open(tmp, "w", encoding="utf-8") as f:
        f.write(dumps(value))
    try:
        os.link(tmp, path)
        return True
    except FileExistsError:
        return False
    except OSError as e:
        if e.errno not in (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP):
            raise
        # A file system without hard links: plain O_EXCL (the content follows at once).
        with file_slot():
            try:
                fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
            except FileExistsError:
                return False
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                f.write(dumps(value))
        return True
    finally:
        os.unlink(tmp)


@contextmanager
def _dir_flock(directory: str) -> Iterator[None]:
    with file_slot(), _dir_flock_held(directory):
        yield


@contextmanager
def _dir_flock_held(directory: str) -> Iterator[None]:
    # Serialises stale-lock breaking among writers on this machine, so two of them never
    # both "break" a lock and delete the one the other has just taken.
    if fcntl is None:
        # Windows: lock a byte of a helper file instead of the folder.
        import msvcrt

        fd = os.open(os.path.join(directory, "snapshots.lock.break"), os.O_RDWR | os.O_CREAT, 0o644)
        try:
            while True:
                try:
                    msvcrt.locking(fd, msvcrt.LK_LOCK, 1)  # type: ignore[attr-defined]
                    break
                except OSError:  # LK_LOCK gives up after 10 s: keep waiting
                    pass
            try:
                yield
            finally:
                os.lseek(fd, 0, os.SEEK_SET)
                msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)  # type: ignore[attr-defined]
        finally:
            os.close(fd)
        return
    fd = os.open(directory, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)


# An unreadable lock file this old was left by a writer killed while creating it.
_UNREADABLE_STALE_SECONDS = 10.0


# Short locks this process's threads hold, so that a nested use (e.g. a signal handler that runs
# while the lock is held) proceeds instead of waiting for itself.
_held: Dict[str, Tuple[Tuple[int, int], int]] = {}


@contextmanager
def short_lock(path: str, timeout: float = 120.0) -> Iterator[None]:
    """Holds the lock file `path` ({"pid", "host"}, created exclusively) for the body.
    A lock whose process is gone on this host is stale and taken over."""
    key = os.path.abspath(path)
    me = (os.getpid(), threading.get_ident())
    if _held.get(key, (None, 0))[0] == me:
        pid, depth = _held[key]
        _held[key] = (pid, depth + 1)
        try:
            yield
        finally:
            _held[key] = (pid, depth)
        return
    mine = {"pid": os.getpid(), "host": hostname()}
    deadline = time.monotonic() + timeout
    pause = 0.001
    while True:
        if create_exclusive(path, mine):
            break
        with _dir_flock(os.path.dirname(path)):
            info = read_json_or_none(path)
            try:
                age = time.time() - os.stat(path).st_mtime
            except FileNotFoundError:
                continue  # released meanwhile: try again at once
            stale = (info is None and age > _UNREADABLE_STALE_SECONDS) or (
                info is not None and not lock_owner_alive(info)
            )
            if stale:
                os.unlink(path)
                continue
        if time.monotonic() > deadline:
            raise LockTimeout(
                f"the lock {path} has been held by {info or 'an unknown process'} for more than "
                f"{timeout:.0f} s; if that process is gone (e.g. on another machine), delete the file"
            )
        time.sleep(pause)
        pause = min(pause * 2, 0.05)
    _held[key] = (me, 1)
    try:
        yield
    finally:
        del _held[key]
        info = read_json_or_none(path)
        if isinstance(info, dict) and info.get("pid") == mine["pid"] and info.get("host") == mine["host"]:
            try:
                os.unlink(path)
            except FileNotFoundError:
                pass
