"""A full disk (issue #12, item 6), on a real small filesystem: a tmpfs of a few MB mounted in a
private mount namespace (`unshare --mount`, as root, or in a user namespace where allowed).
Skipped, saying why, where the machine allows neither.

The ingest stops with `No space left on device` and the path; nothing is registered or
quarantined for the files it had not finished, no temporary file stays; once space is freed
the next ingest loads every file exactly once — the same registry and rows as a run that never
ran out of space.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
from datetime import date
from pathlib import Path

import pytest

from salespulse.config import PROJECT_ROOT
from salespulse.generate import generate_org

BIN = Path(sys.executable).parent
AS_OF = date(2026, 3, 31)

SCENARIO = textwrap.dedent(
    """
    import json, os, shutil, sys
    from datetime import datetime
    from pathlib import Path

    import duckdb

    from salespulse.config import PROJECT_ROOT, get_settings
    from salespulse.contracts import load_contracts
    from salespulse.ingest.faults import EnvironmentProblem
    from salespulse.ingest.loader import Ingestor

    home, spare = Path(sys.argv[1]), int(sys.argv[2])  # spare < 0: do not fill the disk
    os.environ["SALESPULSE_HOME"] = str(home)
    os.environ["SALESPULSE_LANDING_SETTLE_SECONDS"] = "0"
    settings = get_settings()
    settings.ensure_dirs()
    contracts = load_contracts(PROJECT_ROOT / "models")
    now = datetime(2026, 3, 31, 18, 0)

    def state():
        with duckdb.connect(str(settings.warehouse_path), read_only=True) as con:
            registry = con.execute(
                "select file_id, file_name, status, rows_loaded, rows_rejected "
                "from raw.ingested_files order by file_id"
            ).fetchall()
            rows = {kind: con.execute(f"select count(*) from raw.{kind}").fetchone()[0] for kind in contracts}
        return {"registry": registry, "rows": rows}

    # Create the warehouse, then fill the disk but `spare` bytes.
    with duckdb.connect(str(settings.warehouse_path)) as con:
        Ingestor(con, settings, contracts, now=now)
        con.execute("checkpoint")
    ballast = home / "ballast"
    if spare >= 0:
        # Never fill a real disk: only the small tmpfs this test mounts.
        assert shutil.disk_usage(home).total < 64 * 1024 * 1024, "refusing to fill a large filesystem"
        with ballast.open("wb") as handle:
            try:
                while True:
                    handle.write(b"x" * 65536)
            except OSError:
                pass
        os.truncate(ballast, max(0, ballast.stat().st_size - spare))
    error = None
    try:
        with duckdb.connect(str(settings.warehouse_path)) as con:
            Ingestor(con, settings, contracts, now=now).run()
    except EnvironmentProblem as exc:
        error = str(exc)
    landing_left = sorted(str(p.relative_to(home)) for p in (home / "landing").rglob("*") if p.is_file())
    temporary = sorted(
        str(p.relative_to(home)) for p in home.rglob("*") if p.name.endswith((".part", ".tmp"))
    )
    quarantined = sorted(str(p.relative_to(home)) for p in (home / "quarantine").rglob("*") if p.is_file())
    during = state()
    ballast.unlink(missing_ok=True)
    with duckdb.connect(str(settings.warehouse_path)) as con:
        report = Ingestor(con, settings, contracts, now=now).run()
    after = state()
    print(json.dumps({
        "error": error, "landing_left": landing_left, "temporary": temporary,
        "quarantined_during": quarantined, "during": during, "after": after,
        "statuses_after": sorted(r.status for r in report.files),
    }, default=str))
    """
)


def _mounting() -> list[str] | None:
    """The unshare command that gives a private mount namespace here, or None."""
    unshare = shutil.which("unshare")
    if unshare is None:
        return None
    for command in (
        [unshare, "--mount", "--propagation", "private"],
        [unshare, "--user", "--map-root-user", "--mount", "--propagation", "private"],
    ):
        probe = subprocess.run([*command, "true"], capture_output=True)
        if probe.returncode == 0:
            return command
    return None


def _clean_state(tmp: Path, org: Path) -> dict:
    """Registry and row counts of the same files ingested with room to spare."""
    home = tmp / "roomy"
    shutil.copytree(org, home)
    script = tmp / "scenario.py"
    script.write_text(SCENARIO)
    out = subprocess.run(
        [sys.executable, str(script), str(home), "-1"], capture_output=True, text=True, cwd=PROJECT_ROOT
    )
    assert out.returncode == 0, out.stderr[-3000:]
    return json.loads(out.stdout.splitlines()[-1])["after"]


def test_a_full_disk_stops_ingest_with_the_cause_and_the_next_run_loads_everything_once(tmp_path):
    unshare = _mounting()
    if unshare is None:
        pytest.skip("no private mount namespace here (unshare --mount needs root or user namespaces)")
    org = tmp_path / "org"
    generate_org(org, seed=4, as_of=AS_OF, reps=4, months=2)
    for extra in ("dagster", "ground_truth.json"):
        path = org / extra
        if path.is_dir():
            shutil.rmtree(path)
        elif path.exists():
            path.unlink()
    expected = _clean_state(tmp_path, org)

    mount = tmp_path / "small"
    mount.mkdir()
    script = tmp_path / "full.py"
    script.write_text(SCENARIO)
    shell = (
        f"mount -t tmpfs -o size=24m tmpfs {mount} && cp -a {org} {mount}/home && "
        f"{sys.executable} {script} {mount}/home 400000"
    )
    out = subprocess.run(
        [*unshare, "sh", "-c", shell],
        capture_output=True,
        text=True,
        cwd=PROJECT_ROOT,
        env={**os.environ, "PYTHONPATH": str(PROJECT_ROOT)},
        timeout=600,
    )
    assert out.returncode == 0, out.stdout[-2000:] + out.stderr[-3000:]
    result = json.loads(out.stdout.splitlines()[-1])

    assert result["error"] and result["error"].startswith("No space left on device: "), result["error"]
    assert str(mount / "home") in result["error"], "the message names the path"
    assert result["landing_left"], "the files it could not load wait in landing/"
    assert result["temporary"] == [], "no temporary file stays behind"
    registry = result["during"]["registry"]
    quarantined = {f"{file_id}__" for file_id, _, status, *_ in registry if status == "quarantined"}
    assert all(
        Path(path).name[: Path(path).name.index("__") + 2] in quarantined
        for path in result["quarantined_during"]
    ), "quarantine files only for files registered as quarantined"
    loaded_names = {name for _, name, *_ in registry}
    assert not loaded_names & {name.removeprefix("landing/") for name in result["landing_left"]}, (
        "a file still in landing/ has no registry row"
    )
    assert "duplicate" not in result["statuses_after"]
    assert result["after"] == expected, "after freeing space: every file once, as with room to spare"
