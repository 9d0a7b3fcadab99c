"""Linux Landlock (https://docs.kernel.org/userspace-api/landlock.html) through ctypes.

Landlock lets an unprivileged thread give up filesystem and network access for itself and
every process it starts afterwards: a ruleset lists the access rights it handles, rules grant
some of them beneath given paths, and `restrict_self` makes it permanent. fluxops uses it to
confine the kustomize engine (render/sandbox.py). Everything here is a no-op report on other
systems: `abi_version()` is 0 where Landlock is missing (macOS, old kernels, disabled LSM).

The syscall numbers are the same on every Linux architecture that has Landlock (444-446).
"""

from __future__ import annotations

import ctypes
import errno
import functools
import os
import stat
import sys
from dataclasses import dataclass

from fluxops.errors import EngineError

SYS_CREATE_RULESET = 444
SYS_ADD_RULE = 445
SYS_RESTRICT_SELF = 446
CREATE_RULESET_VERSION = 1
RULE_PATH_BENEATH = 1
PR_SET_NO_NEW_PRIVS = 38

# Filesystem access rights (uapi/linux/landlock.h), with the ABI that introduced them.
EXECUTE = 1 << 0
WRITE_FILE = 1 << 1
READ_FILE = 1 << 2
READ_DIR = 1 << 3
REMOVE_DIR = 1 << 4
REMOVE_FILE = 1 << 5
MAKE_CHAR = 1 << 6
MAKE_DIR = 1 << 7
MAKE_REG = 1 << 8
MAKE_SOCK = 1 << 9
MAKE_FIFO = 1 << 10
MAKE_BLOCK = 1 << 11
MAKE_SYM = 1 << 12
REFER = 1 << 13  # ABI 2
TRUNCATE = 1 << 14  # ABI 3
IOCTL_DEV = 1 << 15  # ABI 5
# Network access rights (ABI 4) and scopes (ABI 6).
NET_BIND_TCP = 1 << 0
NET_CONNECT_TCP = 1 << 1
SCOPE_ABSTRACT_UNIX_SOCKET = 1 << 0
SCOPE_SIGNAL = 1 << 1

READ = READ_FILE | READ_DIR
FILE_RIGHTS = EXECUTE | WRITE_FILE | READ_FILE | TRUNCATE | IOCTL_DEV
WRITE = (
    WRITE_FILE
    | REMOVE_DIR
    | REMOVE_FILE
    | MAKE_DIR
    | MAKE_REG
    | MAKE_SYM
    | MAKE_FIFO
    | MAKE_SOCK
    | REFER
    | TRUNCATE
)


class LandlockError(OSError, EngineError):
    """A Landlock call failed."""

    def __init__(self, code: int, strerror: str, filename: str | None = None) -> None:
        OSError.__init__(self, code, strerror, filename)
        self.message = strerror


class _RulesetAttr(ctypes.Structure):
    _fields_ = (
        ("handled_access_fs", ctypes.c_uint64),
        ("handled_access_net", ctypes.c_uint64),
        ("scoped", ctypes.c_uint64),
    )


class _PathBeneathAttr(ctypes.Structure):
    _pack_ = 1
    _fields_ = (
        ("allowed_access", ctypes.c_uint64),
        ("parent_fd", ctypes.c_int32),
    )


@functools.cache
def _libc() -> ctypes.CDLL | None:
    """The C library (the process's own symbols: no library search), on Linux only."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.syscall.restype = ctypes.c_long
    except (OSError, AttributeError):
        return None
    return libc


NO_LANDLOCK = (
    "the kustomize engine runs without OS-level confinement: this system has no "
    "Landlock (Linux >= 5.13); paths are still checked before each build"
)


def confinement_note(landlock_enabled: bool) -> str | None:
    """`Sandbox.note` of a run that started no engine."""
    return NO_LANDLOCK if landlock_enabled and abi_version() < 1 else None


def abi_version() -> int:
    """The Landlock ABI this kernel offers; 0 when there is none."""
    libc = _libc()
    if libc is None:
        return 0
    version = libc.syscall(
        SYS_CREATE_RULESET, None, ctypes.c_size_t(0), ctypes.c_uint32(CREATE_RULESET_VERSION)
    )
    return int(version) if version > 0 else 0


def handled_fs(abi: int) -> int:
    rights = (1 << 13) - 1
    if abi >= 2:
        rights |= REFER
    if abi >= 3:
        rights |= TRUNCATE
    if abi >= 5:
        rights |= IOCTL_DEV
    return rights


@dataclass(frozen=True)
class Rule:
    """`access` beneath `path` (a folder), or on `path` itself (a file: file rights only)."""

    path: str
    access: int


def _check(result: int, what: str) -> int:
    if result < 0:
        err = ctypes.get_errno()
        raise LandlockError(err, f"{what}: {os.strerror(err)}")
    return result


def restrict_thread(rules: list[Rule], *, network: bool, abi: int | None = None) -> int:
    """Confine the calling thread (and every process it starts from now on) to `rules`; no
    network unless `network`. Returns the ABI used. Raises LandlockError when Landlock is
    missing or refuses; rules whose path does not exist are skipped."""
    libc = _libc()
    if libc is None:
        raise LandlockError(errno.ENOSYS, "Landlock is not available on this system")
    abi = abi_version() if abi is None else abi
    if abi < 1:
        raise LandlockError(errno.ENOSYS, "the kernel does not offer Landlock")
    fs = handled_fs(abi)
    attr = _RulesetAttr(fs, 0, 0)
    size = 8
    if abi >= 4:
        size = 16
        if not network:
            attr.handled_access_net = NET_BIND_TCP | NET_CONNECT_TCP
    if abi >= 6:
        size = 24
        attr.scoped = SCOPE_ABSTRACT_UNIX_SOCKET | SCOPE_SIGNAL
    ruleset = _check(
        libc.syscall(
            SYS_CREATE_RULESET, ctypes.byref(attr), ctypes.c_size_t(size), ctypes.c_uint32(0)
        ),
        "landlock_create_ruleset",
    )
    try:
        for rule in rules:
            try:
                fd = os.open(rule.path, os.O_PATH | os.O_CLOEXEC)
            except OSError:
                continue
            try:
                is_dir = stat.S_ISDIR(os.fstat(fd).st_mode)
                access = rule.access & fs
                if not is_dir:
                    access &= FILE_RIGHTS
                beneath = _PathBeneathAttr(access, fd)
                _check(
                    libc.syscall(
                        SYS_ADD_RULE,
                        ctypes.c_int(ruleset),
                        ctypes.c_int(RULE_PATH_BENEATH),
                        ctypes.byref(beneath),
                        ctypes.c_uint32(0),
                    ),
                    f"landlock_add_rule {rule.path}",
                )
            finally:
                os.close(fd)
        _check(libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), "prctl(PR_SET_NO_NEW_PRIVS)")
        _check(
            libc.syscall(SYS_RESTRICT_SELF, ctypes.c_int(ruleset), ctypes.c_uint32(0)),
            "landlock_restrict_self",
        )
    finally:
        os.close(ruleset)
    return abi
