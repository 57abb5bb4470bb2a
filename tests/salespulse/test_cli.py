"""The `salespulse` command: help for every option, and Dagster/dbt started on the data home."""

from __future__ import annotations

import argparse
import json
import os
import subprocess
from datetime import date

import pytest

from salespulse import cli
from salespulse.dbt_project import dbt_command
from salespulse.instance import backfill_command, partition_key, render_command

# Owned by the contracts work: their output and arguments change there.
NOT_HERE = {"contracts", "validate"}


def _subcommands() -> dict[str, argparse.ArgumentParser]:
    parser = cli.build_parser()
    (sub,) = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    return dict(sub.choices)


def test_every_option_of_every_subcommand_has_help():
    missing = []
    for name, parser in _subcommands().items():
        for action in parser._actions:
            if isinstance(action, argparse._HelpAction):
                continue
            if name in NOT_HERE and not action.option_strings:
                continue
            if not (action.help or "").strip():
                missing.append(f"salespulse {name} {'/'.join(action.option_strings) or action.dest}")
    assert not missing, "no help text: " + ", ".join(missing)


@pytest.mark.parametrize(
    ("grain", "text", "key"),
    [
        ("day", "2026-03-11", "2026-03-11"),
        ("week", "2026-03-11", "2026-03-09"),  # a Wednesday: its ISO week starts on Monday the 9th
        ("week", "2026-03-09", "2026-03-09"),
        ("month", "2026-05", "2026-05-01"),
        ("month", "2026-05-17", "2026-05-01"),
    ],
)
def test_any_day_names_its_period(grain, text, key):
    assert partition_key(grain, text) == key


def test_a_bad_date_is_refused():
    with pytest.raises(ValueError, match="not a date"):
        partition_key("week", "2026-13-01")


def test_render_and_backfill_commands():
    command = render_command("team_weekly_brief", "2026-03-09", "never", ["T-EAST-1"], "en")
    assert command[1:3] == ["asset", "materialize"] and "briefs/team_weekly_brief" in command
    config = json.loads(command[command.index("--config-json") + 1])
    assert config["ops"]["briefs__team_weekly_brief"]["config"] == {
        "send_email": "never",
        "only": ["T-EAST-1"],
        "locale": "en",
    }
    assert backfill_command("weekly_run", "2026-01-05", "2026-03-09")[-4:] == [
        "--from",
        "2026-01-05",
        "--to",
        "2026-03-09",
    ]
    assert backfill_command("daily_briefs", "2026-03-09", "2026-03-09")[-2:] == ["--partitions", "2026-03-09"]


def test_dbt_by_hand_uses_the_settings_warehouse_and_the_pipelines_vars(home, monkeypatch):
    calls = []
    monkeypatch.setattr(subprocess, "run", lambda command, **kw: calls.append((command, kw)) or _Done())
    assert cli.main(["dbt", "--as-of", "2026-11-26", "build", "--select", "kpi_rep_monthly"]) == 0
    (command, kw) = calls[0]
    assert command[1:4] == ["build", "--select", "kpi_rep_monthly"]
    assert kw["env"]["SALESPULSE_WAREHOUSE"] == str(home.warehouse_path)
    assert json.loads(command[command.index("--vars") + 1])["as_of_date"] == "2026-11-26"
    assert command[command.index("--target-path") + 1] == str(home.home / "dbt" / "target")
    # Arguments given by hand win; commands outside the project get no vars.
    mine = dbt_command(home, ["build", "--vars", "{as_of_date: 2026-01-01}"], date(2026, 3, 1))
    assert mine.count("--vars") == 1
    assert "--vars" not in dbt_command(home, ["debug"])


class _Done:
    returncode = 0


@pytest.mark.parametrize(
    "argv",
    [
        ["render", "team_weekly_brief", "--partition", "2026-03-11"],
        ["backfill", "weekly_run", "--from", "2026-01-05", "--to", "2026-03-09"],
        ["dagster", "run", "list"],
    ],
)
def test_dagster_commands_record_runs_in_the_data_homes_instance(home, monkeypatch, capsys, argv):
    """Whatever the shell's DAGSTER_HOME, the run goes to $SALESPULSE_HOME/dagster (what `make dev` shows)."""
    monkeypatch.setenv("DAGSTER_HOME", str(home.home / "somewhere-else"))
    monkeypatch.setattr("salespulse.dbt_project.stale_manifest", lambda: False)
    monkeypatch.setattr("salespulse.instance.daemon_running", lambda settings: False)
    calls = []
    monkeypatch.setattr(subprocess, "run", lambda command, **kw: calls.append((command, kw)) or _Done())
    assert cli.main(argv) == 0
    (command, kw) = calls[-1]
    assert kw["env"]["DAGSTER_HOME"] == str(home.dagster_home)
    assert kw["env"]["SALESPULSE_HOME"] == str(home.home)
    assert (home.dagster_home / "dagster.yaml").is_file(), "the instance config is in place first"
    captured = capsys.readouterr()
    assert "is ignored" in captured.err
    if argv[0] == "render":
        assert command[command.index("--partition") + 1] == "2026-03-09"
    if argv[0] == "backfill":
        assert "no Dagster daemon is running" in captured.out


def test_run_records_its_run_in_the_data_homes_instance(home, monkeypatch, capsys):
    """`salespulse run` hands the runner (which starts `dagster job execute`) this data home's
    instance and the as-of date, whatever the shell's DAGSTER_HOME."""
    monkeypatch.setenv("DAGSTER_HOME", str(home.home / "somewhere-else"))
    monkeypatch.delenv("SALESPULSE_AS_OF", raising=False)
    monkeypatch.setattr("salespulse.dbt_project.stale_manifest", lambda: False)
    seen = {}

    def fake_run(job, config):
        seen.update(job=job, config=config, env=dict(os.environ))
        return 0

    monkeypatch.setattr("pipelines.runner.run", fake_run)
    saved = dict(os.environ)
    try:
        assert cli.main(["run", "--no-summary", "--as-of", "2026-06-30"]) == 0
    finally:
        os.environ.clear()
        os.environ.update(saved)
    assert seen["job"] == "salespulse_pipeline" and seen["config"] is not None
    assert seen["env"]["DAGSTER_HOME"] == str(home.dagster_home)
    assert seen["env"]["SALESPULSE_HOME"] == str(home.home)
    assert seen["env"]["SALESPULSE_AS_OF"] == "2026-06-30"
    assert (home.dagster_home / "dagster.yaml").is_file(), "the instance config is in place first"
    assert "is ignored" in capsys.readouterr().err


def test_a_stale_manifest_is_prepared_before_dagster_loads_it(home, monkeypatch):
    monkeypatch.setattr("salespulse.dbt_project.stale_manifest", lambda: True)
    calls = []
    monkeypatch.setattr(subprocess, "run", lambda command, **kw: calls.append(command) or _Done())
    assert cli.main(["dagster", "asset", "list", "-m", "pipelines.definitions"]) == 0
    assert calls[0][1:3] == ["project", "prepare-and-package"] and calls[1][1:3] == ["asset", "list"]
