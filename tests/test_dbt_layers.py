"""The dbt DAG flows one way (issue #16, item 3): sources → staging → intermediate → marts →
quality → audit, no model reading a later layer; the Dagster groups follow the same order."""

from __future__ import annotations

import json

from salespulse.dbt_project import MANIFEST_PATH

ORDER = ("staging", "intermediate", "marts", "quality", "audit")


def _layer(node: dict) -> str:
    return "quality" if "quality" in node["fqn"] else node["fqn"][1]


def _models() -> dict[str, dict]:
    manifest = json.loads(MANIFEST_PATH.read_text(encoding="utf-8"))
    return {uid: n for uid, n in manifest["nodes"].items() if n["resource_type"] == "model"}


def test_every_model_is_in_a_known_layer():
    assert {_layer(n) for n in _models().values()} == set(ORDER)


def test_no_model_reads_a_later_layer():
    models = _models()
    backwards = [
        f"{node['name']} ({_layer(node)}) reads {models[dep]['name']} ({_layer(models[dep])})"
        for node in models.values()
        for dep in node["depends_on"]["nodes"]
        if dep in models and ORDER.index(_layer(models[dep])) > ORDER.index(_layer(node))
    ]
    assert backwards == []


def test_sources_are_read_only_by_staging_and_the_audit():
    readers = {
        _layer(node)
        for node in _models().values()
        if any(dep.startswith("source.") for dep in node["depends_on"]["nodes"])
    }
    assert readers <= {"staging", "audit"}, readers
