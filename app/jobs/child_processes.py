"""What a forked child (a PDF render, an RQ work horse) does first: die with its parent and let go of
every socket it inherited, so that a killed worker leaves no orphan holding its database connection."""

import ctypes
import os
import signal
import stat
import sys

_PR_SET_PDEATHSIG = 1


def die_with_parent(parent_pid: int) -> None:
    """Have the kernel SIGKILL this process when its parent ends (Linux); exit now if it already has.

    The signal follows the parent *thread* that forked: callers fork from a thread that waits for
    the child, so the two end together.
    """
    if sys.platform.startswith("linux"):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent_pid:  # the parent died between fork and prctl
        os._exit(1)
    # A child inherits the parent's handlers; a gunicorn or RQ handler must not keep it alive.
    for number in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(number, signal.SIG_DFL)


def drop_inherited_sockets(keep: set[int] = frozenset()) -> int:
    """Point every inherited socket (database, Redis, client) at /dev/null; returns how many.

    The descriptors stay taken, so nothing reuses their numbers, and a pooled connection object
    garbage-collected in the child writes its goodbye to /dev/null, not to the parent's server.
    """
    dropped = 0
    null = os.open(os.devnull, os.O_RDWR)
    try:
        for name in os.listdir("/proc/self/fd"):
            fd = int(name)
            if fd in keep or fd == null or fd < 3:
                continue
            try:
                if stat.S_ISSOCK(os.fstat(fd).st_mode):
                    os.dup2(null, fd)
                    dropped += 1
            except OSError:
                continue  # the listing's own descriptor, already closed
    finally:
        os.close(null)
    return dropped
