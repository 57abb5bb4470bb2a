"""`make dev`: the Dagster UI starts, shows the graph, checks, schedules and sensors, and stops cleanly."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from salespulse.config import PROJECT_ROOT

QUERY = """
{
  assetNodes { assetKey { path } groupName hasAssetChecks }
  workspaceOrError {
    ... on Workspace {
      locationEntries {
        locationOrLoadError {
          ... on RepositoryLocation {
            repositories { schedules { name } sensors { name } }
          }
        }
      }
    }
  }
}
"""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _graphql(port: int, query: str) -> dict:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/graphql",
        data=json.dumps({"query": query}).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())


@pytest.mark.xdist_group("dagster")
def test_dagster_ui_serves_the_graph_and_stops_cleanly(home):
    port = _free_port()
    env = {**os.environ, "SALESPULSE_HOME": str(home.home), "DAGSTER_HOME": str(home.dagster_home)}
    bin_dir = Path(sys.executable).parent
    process = subprocess.Popen(
        [bin_dir / "dagster", "dev", "-m", "pipelines.definitions", "-h", "127.0.0.1", "-p", str(port)],
        cwd=PROJECT_ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # its own process group: stopped with all its children below
    )
    try:
        deadline = time.time() + 120
        data = None
        while time.time() < deadline:
            try:
                data = _graphql(port, QUERY)["data"]
                if data["assetNodes"]:
                    break
            except OSError:
                pass
            time.sleep(1)
        assert data, "the UI did not answer within 120 s"
        nodes = {"/".join(n["assetKey"]["path"]): n for n in data["assetNodes"]}
        assert nodes["raw/orders"]["groupName"] == "ingest"
        assert nodes["raw/orders"]["hasAssetChecks"]
        assert nodes["marts/fct_orders"]["groupName"] == "marts"
        assert nodes["staging/stg_raw__orders"]["groupName"] == "staging"
        repositories = [
            repo
            for entry in data["workspaceOrError"]["locationEntries"]
            for repo in entry["locationOrLoadError"]["repositories"]
        ]
        sensors = {s["name"] for repo in repositories for s in repo["sensors"]}
        schedules = {s["name"] for repo in repositories for s in repo["schedules"]}
        assert "landing_sensor" in sensors
        assert "landing_poll_schedule" in schedules
    finally:
        os.killpg(process.pid, signal.SIGINT)  # what Ctrl-C in `make dev` sends
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()

    # The webserver, daemon and code servers share the process group; a code server can outlive
    # the parent by its heartbeat timeout, so the group gets a SIGTERM too before we look.
    def group() -> list[str]:
        return subprocess.run(
            ["pgrep", "-g", str(process.pid)], capture_output=True, text=True
        ).stdout.split()

    deadline = time.time() + 10
    while group() and time.time() < deadline:
        time.sleep(0.5)
    if group():
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        deadline = time.time() + 20
        while group() and time.time() < deadline:
            time.sleep(0.5)
    assert group() == [], f"processes left behind: {group()}"
