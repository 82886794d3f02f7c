"""One publish or rollback at a time, across processes (the staff app, ``make publish``):
an exclusive lock on a file in the registry, which says who holds it."""

from __future__ import annotations

import fcntl
from pathlib import Path
from typing import IO

from staff.publish.errors import PublishBusy

#: The lock's file, in the registry's folder.
LOCK_FILE = ".publish.lock"


def acquire(registry: Path) -> IO[str]:
    """The registry's lock, held while a job or a rollback runs: an open file to write who
    holds it into, and to :func:`release`.

    Raises:
        PublishBusy: another job or rollback holds it.
    """
    registry.mkdir(parents=True, exist_ok=True)
    handle = (registry / LOCK_FILE).open("a+")
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.seek(0)
        holder = handle.read().strip()
        handle.close()
        raise PublishBusy(
            "A publish is already running"
            + (f" ({holder})" if holder else "")
            + "; wait until it has finished."
        ) from None
    handle.seek(0)
    handle.truncate()
    return handle


def release(handle: IO[str]) -> None:
    """Let the lock :func:`acquire` gave go."""
    fcntl.flock(handle, fcntl.LOCK_UN)
    handle.close()


def held(registry: Path) -> bool:
    """Whether a job or a rollback (of any process) holds the registry's lock."""
    try:
        handle = acquire(registry)
    except PublishBusy:
        return True
    release(handle)
    return False
