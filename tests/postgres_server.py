"""A throwaway PostgreSQL server for the tests that need one (Dagster's storage, the dbt
project's `postgres` target): Debian's `postgresql` package (`make system-deps`), a cluster made
with initdb in a temporary folder and started with pg_ctl on a free port of 127.0.0.1, as the
`postgres` user when the tests run as root (initdb refuses root), stopped afterwards. Without
initdb/pg_ctl the tests fail, saying so: they never skip silently.
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

import pytest

PG_USER = "salespulse"
PG_PASSWORD = "salespulse-test"


def postgres_bin() -> Path:
    """The folder of initdb and pg_ctl (Debian: /usr/lib/postgresql/<version>/bin), or fail."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(p.split("/")[4]))
    candidates = [Path(found[-1]).parent] if found else []
    if shutil.which("initdb"):
        candidates.append(Path(shutil.which("initdb")).resolve().parent)
    for folder in candidates:
        if (folder / "initdb").is_file() and (folder / "pg_ctl").is_file():
            return folder
    pytest.fail(
        "PostgreSQL's initdb and pg_ctl were not found (looked in /usr/lib/postgresql/*/bin and on "
        "PATH): install Debian's `postgresql` package (`make system-deps` does) to test on "
        "Postgres. This test fails rather than skips so that CI cannot pass without it."
    )


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class TempPostgres:
    """A PostgreSQL cluster in a temporary folder, served on 127.0.0.1:<port>."""

    def __init__(self) -> None:
        self.bin = postgres_bin()
        self.as_user: list[str] = []
        owner = None
        if os.geteuid() == 0:
            try:
                owner = pwd.getpwnam("postgres")
            except KeyError:
                pytest.fail("running as root, and there is no `postgres` user to run initdb/pg_ctl as")
            if not shutil.which("runuser"):
                pytest.fail("running as root, and there is no runuser to run initdb/pg_ctl as `postgres`")
            self.as_user = ["runuser", "-u", "postgres", "--"]
        self.folder = Path(tempfile.mkdtemp(prefix="salespulse-pg-"))
        if owner is not None:
            os.chown(self.folder, owner.pw_uid, owner.pw_gid)
        self.data = self.folder / "data"
        self.log = self.folder / "postgres.log"
        self.port = _free_port()

    def _run(self, *command: str) -> None:
        result = subprocess.run([*self.as_user, *command], capture_output=True, text=True, check=False)
        if result.returncode != 0:
            log = self.log.read_text(errors="replace") if self.log.exists() else ""
            raise RuntimeError(
                f"{' '.join(command)} failed ({result.returncode}):\n{result.stdout}{result.stderr}{log}"
            )

    def start(self) -> None:
        password_file = self.folder / "password"
        password_file.write_text(PG_PASSWORD + "\n")
        if self.as_user:
            shutil.chown(password_file, "postgres", "postgres")
        self._run(
            str(self.bin / "initdb"),
            "-D",
            str(self.data),
            "-U",
            PG_USER,
            f"--pwfile={password_file}",
            "--auth-host=scram-sha-256",
            "--auth-local=trust",
            "--encoding=UTF8",
            "--locale=C",
        )
        options = f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.folder} -c fsync=off"
        self._run(
            str(self.bin / "pg_ctl"), "-D", str(self.data), "-l", str(self.log), "-o", options, "-w", "start"
        )

    def connect(self, db: str):
        import psycopg2

        return psycopg2.connect(
            host="127.0.0.1", port=self.port, user=PG_USER, password=PG_PASSWORD, dbname=db
        )

    def stop(self) -> None:
        try:
            if (self.data / "postmaster.pid").exists():
                self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop")
        finally:
            shutil.rmtree(self.folder, ignore_errors=True)

    def query(self, db: str, sql: str, *params) -> list[tuple]:
        with contextlib.closing(self.connect(db)) as con, con.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()

    def create_database(self, name: str) -> None:
        with contextlib.closing(self.connect("postgres")) as con:
            con.autocommit = True
            with con.cursor() as cursor:
                cursor.execute(f"create database {name}")
