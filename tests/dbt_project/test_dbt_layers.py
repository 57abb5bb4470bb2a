"""The dbt DAG flows one way (issue #16, item 3): sources → staging → intermediate → marts →
quality → audit, no model reading a later layer; the Dagster groups follow the same order
(ingest → staging → marts → quality → audit → publish → briefs)."""

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


def test_the_dagster_groups_flow_left_to_right():
    """Every asset reads only assets of its own group or of a group before it, in GROUP_ORDER
    (the order the UI's groups are meant to be read); no asset is left in `default`."""
    from pipelines.definitions import defs
    from pipelines.defs.warehouse.assets import GROUP_ORDER

    graph = defs().resolve_asset_graph()
    group = {key: graph.get(key).group_name for key in graph.get_all_asset_keys()}
    assert set(group.values()) == set(GROUP_ORDER), sorted(set(group.values()))
    backwards = sorted(
        f"{key.to_user_string()} ({group[key]}) reads {parent.to_user_string()} ({group[parent]})"
        for key in group
        for parent in graph.get(key).parent_keys
        if GROUP_ORDER.index(group[parent]) > GROUP_ORDER.index(group[key])
    )
    assert backwards == []
