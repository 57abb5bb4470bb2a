"""Errors of the machine, not of a file: a full disk, a read-only or failing filesystem, no
permission on the data home, the warehouse locked by another process.

Such an error says nothing about the file being loaded when it happened, so that file is not
quarantined and nothing is registered for it: the run stops with the cause and the path
(`No space left on device: /data/warehouse.duckdb`), what it wrote for unfinished files is
removed, and the files stay in landing/ for the next run, which loads them once the cause is
gone.
"""

from __future__ import annotations

import errno
import os
import re
from pathlib import Path

import duckdb

ENVIRONMENT_ERRNOS = {
    errno.ENOSPC,
    errno.EDQUOT,
    errno.EROFS,
    errno.EIO,
    errno.EFBIG,
    errno.ENFILE,
    errno.EMFILE,
    errno.ENOMEM,
    errno.EACCES,
    errno.EPERM,
}
# How DuckDB words the same causes in its messages (it raises its own exception types).
_DUCKDB_CAUSES = re.compile(
    r"No space left on device|Disk quota exceeded|Read-only file system|Input/output error"
    r"|Permission denied|Could not set lock on file|File too large|Cannot allocate memory"
)
_DUCKDB_PATH = re.compile(r'file "([^"]+)"')


class EnvironmentProblem(Exception):
    """The run cannot go on because of the machine; the message states the cause and the path."""


def environment_problem(exc: BaseException, path: object = None) -> EnvironmentProblem | None:
    """The EnvironmentProblem `exc` is (or stands for), else None (a problem of the file)."""
    if isinstance(exc, EnvironmentProblem):
        return exc
    if isinstance(exc, OSError) and exc.errno in ENVIRONMENT_ERRNOS:
        where = exc.filename or path
        cause = os.strerror(exc.errno)
        return EnvironmentProblem(f"{cause}: {where}" if where else cause)
    if isinstance(exc, duckdb.Error):
        text = str(exc)
        cause = _DUCKDB_CAUSES.search(text)
        if cause:
            file = _DUCKDB_PATH.search(text)
            where = file.group(1) if file else path
            if cause.group(0) == "Could not set lock on file":
                return EnvironmentProblem(
                    f"the warehouse {where} is open in another process (DuckDB allows one writer): {text}"
                )
            return EnvironmentProblem(f"{cause.group(0)}: {where}" if where else cause.group(0))
        if isinstance(exc, duckdb.FatalException):
            return EnvironmentProblem(f"the warehouse failed: {text}")
    return None


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


_PUBLISH_TEMP = re.compile(r"^\.(?P<name>.+)\.(?P<pid>\d+)\.tmp(?:\.wal)?$")


def remove_leftovers(analytics: Path, partial_dirs: list[Path]) -> list[Path]:
    """Remove what runs that died left half-written: the analysts' copy being published by a
    process that is gone (`.analytics.duckdb.<pid>.tmp`, 11 MB each on the demo), and `.part`
    files under `partial_dirs` (archive/, quarantine/; call this only while no ingest runs)."""
    removed = []
    folder = analytics.parent
    if folder.is_dir():
        for path in folder.iterdir():
            match = _PUBLISH_TEMP.match(path.name)
            if match and match.group("name") == analytics.name and not _pid_alive(int(match.group("pid"))):
                path.unlink(missing_ok=True)
                removed.append(path)
    for root in partial_dirs:
        if root.is_dir():
            for path in root.rglob("*.part"):
                path.unlink(missing_ok=True)
                removed.append(path)
    return removed
