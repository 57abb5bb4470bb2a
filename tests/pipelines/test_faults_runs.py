"""Crashes at every stage, then plain runs: the marts end up as a clean run's (issue #12, items 1, 8).

Each crash is a `kill -9` injected into the real processes of a `salespulse run` (what
`make run` starts) by a `sitecustomize` module on their PYTHONPATH — nothing in the product
knows about it:
- ingest: the run and the command that started it die after three batches were committed
  (a host that stops, a `kill -9` of the whole tree): the run stays STARTED holding the
  warehouse slot, some files loaded, the others still in landing/;
- dbt: the run and its launcher die eight seconds into `dbt build`, which goes on as an orphan
  writing the warehouse;
- publish: everything dies between writing `.analytics.duckdb.<pid>.tmp` and renaming it.
Every next run is started plainly and must get going by itself: free the dead run's slot,
stop the orphaned build, remove the half-written copy. After the last one the published marts
must equal those of an uninterrupted run of the same files.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
from datetime import date
from pathlib import Path

import duckdb
import pytest

from salespulse.config import PROJECT_ROOT
from salespulse.generate import generate_org

pytestmark = pytest.mark.xdist_group("fault_runs")

AS_OF = date(2026, 3, 31)
BIN = Path(sys.executable).parent
# Columns that record when something happened, or in which run, not what: they differ between
# any two runs.
VOLATILE = {"landed_at", "_loaded_at", "evaluated_at", "digested_at", "check_run_id", "digest_run_id"}

INJECTOR = textwrap.dedent(
    '''
    """Test-only: kill -9 at one point of a pipeline run (SALESPULSE_TEST_KILL_AT)."""
    import os
    import signal
    import sys
    import threading
    import time

    POINT = os.environ.get("SALESPULSE_TEST_KILL_AT", "")
    ARGS = sys.argv[1:]


    def _kill_everything():
        os.killpg(os.getpgid(0), signal.SIGKILL)


    def _when_imported(module, attribute, patch):
        def wait():
            while not hasattr(sys.modules.get(module), attribute):
                time.sleep(0.005)
            patch(sys.modules[module])

        threading.Thread(target=wait, daemon=True).start()


    is_run = "job" in ARGS and "execute" in ARGS
    is_dbt_build = os.path.basename(sys.argv[0]) == "dbt" and "build" in ARGS

    if POINT == "ingest" and is_run:
        def patch_loader(loader):
            original = loader.Ingestor.load
            calls = []

            def load(self, batch):
                original(self, batch)
                calls.append(1)
                if len(calls) == 3:
                    _kill_everything()

            loader.Ingestor.load = load

        _when_imported("salespulse.ingest.loader", "Ingestor", patch_loader)

    if POINT == "publish" and is_run:
        original_replace = os.replace

        def replace(src, dst, *args, **kwargs):
            if str(dst).endswith("analytics.duckdb"):
                _kill_everything()
            return original_replace(src, dst, *args, **kwargs)

        os.replace = replace

    if POINT == "dbt" and is_dbt_build:
        def kill_run_and_launcher():
            time.sleep(8)
            run = os.getppid()
            with open(f"/proc/{run}/stat") as handle:
                launcher = int(handle.read().rsplit(")", 1)[1].split()[1])
            os.kill(launcher, signal.SIGKILL)
            os.kill(run, signal.SIGKILL)

        threading.Thread(target=kill_run_and_launcher, daemon=True).start()
    '''
)


def _env(home: Path, injector: Path | None = None, kill_at: str | None = None) -> dict:
    env = {
        **os.environ,
        "SALESPULSE_HOME": str(home),
        "DAGSTER_HOME": str(home / "dagster"),
        "SALESPULSE_AS_OF": AS_OF.isoformat(),
        "SALESPULSE_LANDING_SETTLE_SECONDS": "0",
        "PATH": f"{BIN}:{os.environ.get('PATH', '')}",
    }
    env.pop("SALESPULSE_WAREHOUSE", None)
    env.pop("SALESPULSE_TEST_KILL_AT", None)
    if injector is not None:
        env["PYTHONPATH"] = f"{injector}:{env.get('PYTHONPATH', '')}".rstrip(":")
    if kill_at is not None:
        env["SALESPULSE_TEST_KILL_AT"] = kill_at
    return env


def _start(home: Path, env: dict, log: Path) -> subprocess.Popen:
    """`salespulse run` in its own session, as a terminal would start it."""
    handle = log.open("w")
    return subprocess.Popen(
        [str(BIN / "salespulse"), "run"],
        cwd=PROJECT_ROOT,
        env=env,
        stdout=handle,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def _run(home: Path, log: Path, **kwargs) -> tuple[int, str]:
    process = _start(home, _env(home, **kwargs), log)
    try:
        code = process.wait(timeout=600)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, 9)
    return code, log.read_text(errors="replace")


def _home(tmp: Path, org: Path, name: str) -> Path:
    home = tmp / name
    shutil.copytree(org, home)
    subprocess.run([str(BIN / "salespulse"), "init", "--quiet"], env=_env(home), check=True)
    return home


def _marts(analytics: Path) -> dict[str, list[tuple]]:
    """Every published table's rows (sorted), without the columns that only say when."""
    content = {}
    with duckdb.connect(str(analytics), read_only=True) as con:
        tables = con.execute(
            "select table_schema, table_name from information_schema.tables order by 1, 2"
        ).fetchall()
        for schema, table in tables:
            columns = [
                name
                for (name,) in con.execute(
                    "select column_name from information_schema.columns "
                    "where table_schema = ? and table_name = ? order by ordinal_position",
                    [schema, table],
                ).fetchall()
                if name not in VOLATILE
            ]
            select = ", ".join(f'"{c}"' for c in columns)
            # The ingest checks (raw/*) judge the files of their own run: a file quarantined two
            # runs ago is not this run's finding, and a run that found landing/ empty skips the
            # raw suites. Every other check judges the marts.
            where = "where asset_key not like 'raw/%'" if table == "dq_check_digest" else ""
            content[f"{schema}.{table}"] = con.execute(
                f'select {select} from "{schema}"."{table}" {where} order by all'
            ).fetchall()
    return content


@pytest.fixture(scope="module")
def org(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("org")
    generate_org(folder, seed=4, as_of=AS_OF, reps=4, months=2)
    return folder


def test_crashes_at_ingest_dbt_and_publish_heal_with_plain_runs(org, tmp_path):
    clean_home = _home(tmp_path, org, "clean")
    clean = _start(clean_home, _env(clean_home), tmp_path / "clean.log")  # alongside, for reference
    home = _home(tmp_path, org, "crashing")
    injector = tmp_path / "injector"
    injector.mkdir()
    (injector / "sitecustomize.py").write_text(INJECTOR)
    landed = sorted(p.name for p in (home / "landing").rglob("*") if p.is_file())

    code, out = _run(home, tmp_path / "1-ingest.log", injector=injector, kill_at="ingest")
    assert code == -9, f"the ingest crash did not happen:\n{out[-3000:]}"
    left = sorted(p.name for p in (home / "landing").rglob("*") if p.is_file())
    assert 0 < len(left) < len(landed), "killed mid-ingest: some files loaded, some not"

    code, out = _run(home, tmp_path / "2-dbt.log", injector=injector, kill_at="dbt")
    assert "died without finishing" in out, out[-3000:]  # the ingest crash's run, freed
    assert code == -9, f"the dbt crash did not happen:\n{out[-3000:]}"
    assert not [p for p in (home / "landing").rglob("*") if p.is_file()], "this run loaded the rest"

    code, out = _run(home, tmp_path / "3-publish.log", injector=injector, kill_at="publish")
    assert "died without finishing" in out, out[-3000:]
    assert code == -9, f"the publish crash did not happen:\n{out[-3000:]}"
    assert list(home.glob(".analytics.duckdb.*.tmp")), "killed between writing the copy and renaming it"

    code, out = _run(home, tmp_path / "4-plain.log")
    assert code == 0, out[-5000:]
    assert "died without finishing" in out
    assert not list(home.glob(".analytics.duckdb.*.tmp*")), "the dead run's half-written copy is gone"

    assert clean.wait(timeout=900) == 0, (tmp_path / "clean.log").read_text()[-5000:]
    expected, got = _marts(clean_home / "analytics.duckdb"), _marts(home / "analytics.duckdb")
    assert sorted(got) == sorted(expected)
    differing = [name for name in expected if got[name] != expected[name]]
    assert not differing, f"tables differing from a clean run: {differing}"
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as con:
        statuses = con.execute(
            "select status, count(*) from raw.ingested_files group by status order by 1"
        ).fetchall()
    with duckdb.connect(str(clean_home / "warehouse.duckdb"), read_only=True) as con:
        assert (
            statuses
            == con.execute(
                "select status, count(*) from raw.ingested_files group by status order by 1"
            ).fetchall()
        ), "every file registered once, as in the clean run"
