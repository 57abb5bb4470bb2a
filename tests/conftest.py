"""Shared fixtures: an isolated data home per test, and the shipped contracts."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from salespulse.config import PROJECT_ROOT, get_settings
from salespulse.contracts import load_contracts

# Tests land files and ingest them at once: no settle time unless a test sets one.
os.environ.setdefault("SALESPULSE_LANDING_SETTLE_SECONDS", "0")


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """A fresh SALESPULSE_HOME; returns the settings read from it."""
    data = tmp_path / "home"
    monkeypatch.setenv("SALESPULSE_HOME", str(data))
    monkeypatch.delenv("SALESPULSE_WAREHOUSE", raising=False)
    monkeypatch.delenv("SALESPULSE_CONTRACT_OVERRIDES", raising=False)
    get_settings.cache_clear()
    settings = get_settings()
    settings.ensure_dirs()
    yield settings
    get_settings.cache_clear()


@pytest.fixture(scope="session")
def contracts():
    return load_contracts(PROJECT_ROOT / "models")
