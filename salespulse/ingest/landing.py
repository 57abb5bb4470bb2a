"""What in landing/ is ready to load: settled regular files, oldest first.

A file is loaded only when nobody is still writing it: it has not been modified for the
settle time (SALESPULSE_LANDING_SETTLE_SECONDS; every write moves the modification time,
and a run checks the size, times and hash again before committing), and no process
holds it open for writing (Linux: `/proc/<pid>/fd` links and the access mode in
`/proc/<pid>/fdinfo`; a process of another user is visible only to root). Every path that
loads files — the landing sensor's runs, the schedules, `make run` — goes through the
ingest, which scans here; the sensor only decides when to start a run.

What is not a regular file (a symbolic link, a named pipe, a socket, a device) is never read:
it is refused with a reason and removed from landing/, so that it is not ignored forever.
"""

from __future__ import annotations

import os
import re
import stat
import time
from dataclasses import dataclass, field
from pathlib import Path

IGNORED_NAMES = {".DS_Store", "Thumbs.db", "desktop.ini", ".gitkeep"}
# Files still being written by a browser, an editor or a copy tool.
IN_PROGRESS_SUFFIXES = (".part", ".tmp", ".crdownload", ".partial")
_O_ACCMODE = 0o3


# rsync writes `.<name>.<6 random characters>` and renames it when complete.
_RSYNC_TEMP = re.compile(r"^\..+\.[A-Za-z0-9]{6}$")


def ignored(name: str) -> bool:
    """Names that are never an export: system litter, office lock files, files being
    downloaded or copied under a temporary name."""
    return (
        name in IGNORED_NAMES
        or name.startswith(("~$", ".~lock"))
        or name.endswith(IN_PROGRESS_SUFFIXES)
        or bool(_RSYNC_TEMP.match(name))
    )


@dataclass(frozen=True)
class LandedFile:
    """A regular file in landing/ and what it looked like when scanned."""

    path: Path
    name: str  # relative to landing/
    size: int
    mtime_ns: int
    ctime_ns: int
    inode: int

    @classmethod
    def of(cls, path: Path, name: str, st: os.stat_result) -> LandedFile:
        return cls(path, name, st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino)

    def same_as(self, st: os.stat_result) -> bool:
        return (st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino) == (
            self.size,
            self.mtime_ns,
            self.ctime_ns,
            self.inode,
        )

    def unchanged(self) -> bool:
        """Still the file that was scanned (same size, times and inode)."""
        try:
            return self.same_as(os.stat(self.path, follow_symlinks=False))
        except OSError:
            return False


@dataclass(frozen=True)
class Refused:
    """An entry of landing/ that is not a regular file."""

    path: Path
    name: str
    reason: str


@dataclass
class LandingScan:
    ready: list[LandedFile] = field(default_factory=list)  # settled, oldest first
    waiting: list[tuple[LandedFile, str]] = field(default_factory=list)  # (file, why it waits)
    refused: list[Refused] = field(default_factory=list)


def _walk(folder: Path, landing: Path, found: list, refused: list[Refused]) -> None:
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return
    for entry in entries:
        if ignored(entry.name):
            continue
        path = Path(entry.path)
        name = path.relative_to(landing).as_posix()
        try:
            st = entry.stat(follow_symlinks=False)
        except OSError:
            continue  # vanished meanwhile
        mode = st.st_mode
        if stat.S_ISDIR(mode):
            _walk(path, landing, found, refused)
        elif stat.S_ISREG(mode):
            found.append(LandedFile.of(path, name, st))
        else:
            refused.append(Refused(path, name, _not_a_file(path, mode)))


def _not_a_file(path: Path, mode: int) -> str:
    if stat.S_ISLNK(mode):
        try:
            target = os.readlink(path)
        except OSError:
            target = "?"
        what = f"a symbolic link (to {target})"
    elif stat.S_ISFIFO(mode):
        what = "a named pipe (FIFO)"
    elif stat.S_ISSOCK(mode):
        what = "a socket"
    elif stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        what = "a device file"
    else:
        what = "not a regular file"
    return (
        f"refused: {what}, not a regular file; salespulse reads only files copied into landing/ "
        "(copy the export itself there)"
    )


def open_for_writing(paths: list[Path]) -> dict[Path, list[tuple[int, str]]]:
    """The processes that hold any of `paths` open for writing: path → [(pid, command), ...].

    Reads /proc/<pid>/fd/* (links to the open files) and /proc/<pid>/fdinfo/* (their `flags`,
    whose access mode says write or read-write). Processes this user may not inspect are not
    seen; elsewhere than Linux nothing is found."""
    wanted = {str(path): path for path in paths}  # real paths, as the links in /proc name them
    writers: dict[Path, list[tuple[int, str]]] = {}
    proc = Path("/proc")
    if not wanted or not proc.is_dir():
        return writers
    for pid_dir in proc.iterdir():
        if not pid_dir.name.isdigit():
            continue
        try:
            fds = os.listdir(pid_dir / "fd")
        except OSError:
            continue
        for fd in fds:
            try:
                target = os.readlink(pid_dir / "fd" / fd)
            except OSError:
                continue
            path = wanted.get(target)
            if path is None:
                continue
            try:
                info = (pid_dir / "fdinfo" / fd).read_text()
            except OSError:
                continue
            flags = next((line.split()[1] for line in info.splitlines() if line.startswith("flags:")), "0")
            if int(flags, 8) & _O_ACCMODE in (os.O_WRONLY, os.O_RDWR):
                writers.setdefault(path, []).append((int(pid_dir.name), _command(pid_dir)))
    return writers


def _command(pid_dir: Path) -> str:
    try:
        return (pid_dir / "comm").read_text().strip()
    except OSError:
        return "?"


def scan_landing(landing: Path, settle_seconds: float, now: float | None = None) -> LandingScan:
    """Sort landing/ into files ready to load (oldest first, then by name), files still being
    written and entries that are not files."""
    scan = LandingScan()
    if not landing.is_dir():
        return scan
    landing = landing.resolve()  # below it, no symbolic link is followed: every path is real
    found: list[LandedFile] = []
    _walk(landing, landing, found, scan.refused)
    now = time.time() if now is None else now
    writers = open_for_writing([landed.path for landed in found])
    for landed in sorted(found, key=lambda f: (f.mtime_ns, f.name)):
        # Every write moves the modification time. A file moved in whole (`mv` keeps it) is
        # settled at once, as the landing sensor sees it; one dated in the future by a skewed
        # clock counts from its change time, which no tool can set.
        mtime = landed.mtime_ns / 1e9
        age = now - (mtime if mtime <= now + 1 else landed.ctime_ns / 1e9)
        if landed.path in writers:
            who = ", ".join(f"pid {pid} ({command})" for pid, command in writers[landed.path])
            scan.waiting.append((landed, f"open for writing by {who}"))
        elif age < settle_seconds:
            scan.waiting.append(
                (landed, f"changed {max(age, 0):.0f} s ago (settle time {settle_seconds:g} s)")
            )
        else:
            scan.ready.append(landed)
    scan.refused.sort(key=lambda refused: refused.name)
    return scan


def pending_files(landing: Path) -> list[Path]:
    """Regular files in landing/, settled or not, oldest first (what the landing sensor
    watches; a run loads only the settled ones, see `scan_landing`)."""
    if not landing.is_dir():
        return []
    landing = landing.resolve()
    found: list[LandedFile] = []
    _walk(landing, landing, found, [])
    return [landed.path for landed in sorted(found, key=lambda f: (f.mtime_ns, f.name))]
