"""Shared fixtures: an isolated data home per test, and the shipped contracts."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from dbt_support import data_home_settings

from salespulse.config import PROJECT_ROOT, get_settings
from salespulse.contracts import load_contracts

# Tests land files and ingest them at once: no settle time unless a test sets one.
os.environ.setdefault("SALESPULSE_LANDING_SETTLE_SECONDS", "0")


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """`--dist loadgroup` (make test) sends the tests of one `xdist_group` to one worker by a
    suffix on their node ids. pytest-xdist 3.8 writes it to `item._nodeid`, which pytest 9 no
    longer reads (the id is `item._id`), so every group was split across the workers and a
    module's shared fixture (the engine builds, a Postgres server) was made once per worker.
    This sets the suffix where pytest reads it; a no-op when xdist's own works."""
    if not getattr(config.option, "loadgroup", False):
        return
    from _pytest.nodeid import coerce_node_id

    for item in items:
        names = {
            str(mark.args[0] if mark.args else mark.kwargs.get("name", "default"))
            for mark in item.iter_markers("xdist_group")
        }
        suffix = "@" + "_".join(sorted(names))
        if names and not item.nodeid.endswith(suffix):
            item._id = coerce_node_id(item.nodeid + suffix)


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """A fresh SALESPULSE_HOME; returns the settings read from it."""
    yield data_home_settings(monkeypatch, tmp_path / "home")
    get_settings.cache_clear()


@pytest.fixture(scope="session")
def contracts():
    return load_contracts(PROJECT_ROOT / "models")
