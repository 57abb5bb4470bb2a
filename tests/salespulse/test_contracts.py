from pathlib import Path

import pytest
import yaml

from salespulse.config import PROJECT_ROOT
from salespulse.contracts import ContractError, load_contracts, normalize_header, shipped_kinds

MODELS = PROJECT_ROOT / "models"


def test_the_contract_files_are_the_list_of_kinds_and_dbt_sources_follow_them(contracts):
    """models/*.yaml is the one list of input kinds: the dbt sources declare a raw table and a
    rejects table for each (written from the contracts), plus the registry and the calendar
    (by hand), and nothing else; each kind's staging model exists."""
    assert sorted(contracts) == shipped_kinds(MODELS)
    assert {"orders", "daily_reports", "roster", "payments"} <= set(contracts)
    raw = PROJECT_ROOT / "dbt_project/models/staging/raw"
    tables = set()
    for name in ("_raw__sources.yml", "_raw__contract_sources.yml"):
        [source] = yaml.safe_load((raw / name).read_text(encoding="utf-8"))["sources"]
        assert source["name"] == "raw"
        tables |= {table["name"] for table in source["tables"]}
    expected = {*contracts, *(f"{kind}__rejects" for kind in contracts), "ingested_files", "work_calendar"}
    assert tables == expected
    for kind, contract in contracts.items():
        assert (raw / f"{contract.staged_in}.sql").is_file(), f"{kind}: no staging model {contract.staged_in}"


def test_what_the_contracts_write_for_dbt_is_current_and_follows_a_new_kind(tmp_path):
    from salespulse import contract_sources

    assert contract_sources.stale() == [], "run `salespulse sources`"
    # A new kind, in a copy of the contracts: its raw and rejects tables, its catalog entry.
    models = _copy_models(tmp_path)
    (models / "quotes.yaml").write_text(
        "kind: quotes\ntitle: 报价单 quotes\ndescription: Quotes sent to customers.\n"
        "keys: [quote_id, revision]\ncolumns:\n"
        "  - {name: quote_id, type: string, required: true}\n"
        "  - {name: revision, type: integer, required: true}\n"
        "  - {name: submitted_at, type: timestamp}\n",
        encoding="utf-8",
    )
    project = tmp_path / "dbt_project"
    (project / "macros").mkdir(parents=True)
    (project / "models/staging/raw").mkdir(parents=True)
    written = contract_sources.write(project, models)
    assert sorted(p.name for p in written) == ["_raw__contract_sources.yml", "raw_kinds.sql"]
    assert contract_sources.stale(project, models) == []
    sources = yaml.safe_load((project / contract_sources.SOURCES_YML).read_text(encoding="utf-8"))
    quotes = next(t for t in sources["sources"][0]["tables"] if t["name"] == "quotes")
    assert "报价单 quotes" in quotes["description"] and "Key quote_id + revision" in quotes["description"]
    assert any(t["name"] == "quotes__rejects" for t in sources["sources"][0]["tables"])
    catalog = contract_sources.catalog(load_contracts(models))
    assert catalog["quotes"] == {
        "keys": ["quote_id", "revision"],
        "submitted_at": True,
        "staging_model": "stg_raw__quotes",
    }
    assert catalog["roster"]["staging_model"] == "stg_raw__roster_assignments"
    # A changed contract makes the written files stale.
    _edit(models / "quotes.yaml", lambda d: d.update(keys=["quote_id"]))
    stale = set(contract_sources.stale(project, models))
    assert stale == {project / contract_sources.SOURCES_YML, project / contract_sources.CATALOG_MACRO}
    _edit(models / "quotes.yaml", lambda d: d.update(staging_model="quotes_staged"))
    with pytest.raises(ContractError, match="staging_model"):
        load_contracts(models)


def test_contracts_map_chinese_and_english_headers(contracts):
    daily = contracts["daily_reports"].header_lookup()
    assert daily[normalize_header("拜访量")] == "visits"
    assert daily[normalize_header("提交时间")] == "submitted_at"
    assert daily[normalize_header("Submitted At")] == "submitted_at"
    assert daily[normalize_header("submitted_at")] == "submitted_at"
    assert contracts["customers"].header_lookup()[normalize_header("销售人员")] == "owner_rep_id"


def test_value_aliases_map_to_canonical_values(contracts):
    stage = contracts["opportunities"].column("stage").value_map()
    for alias in ("赢单", "Won", "Closed Won", "closed won"):
        assert stage[alias.casefold()] == "won"
    assert stage["初步接洽"] == "initial_contact"


def _copy_models(tmp_path: Path) -> Path:
    target = tmp_path / "models"
    target.mkdir(parents=True)
    for path in MODELS.glob("*.yaml"):
        (target / path.name).write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
    return target


def _edit(path: Path, change) -> None:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d["columns"][4].update(type="money"), "columns.visits.type"),
        (lambda d: d.update(keys=["rep_id", "nope"]), "keys: 'nope' is not a column"),
        (lambda d: d["columns"][0].update(colour="red"), "columns.rep_id.colour"),
        (lambda d: d["columns"][1].update(aliases=["拜访量"]), "also an alias of"),
        (lambda d: d["columns"][0].update(min=0), "min/max apply to numeric and date columns"),
        (lambda d: d.pop("columns"), "columns"),
    ],
)
def test_malformed_contract_fails_naming_file_and_field(tmp_path, change, message):
    models = _copy_models(tmp_path)
    _edit(models / "daily_reports.yaml", change)
    with pytest.raises(ContractError) as caught:
        load_contracts(models)
    assert "daily_reports.yaml" in str(caught.value)
    assert message in str(caught.value)


def test_invalid_yaml_and_wrong_kind_are_rejected(tmp_path):
    models = _copy_models(tmp_path)
    (models / "orders.yaml").write_text("kind: orders\ncolumns: [unclosed\n", encoding="utf-8")
    with pytest.raises(ContractError, match=r"orders\.yaml: not valid YAML"):
        load_contracts(models)
    models = _copy_models(tmp_path / "second")
    _edit(models / "orders.yaml", lambda d: d.update(kind="payments"))
    with pytest.raises(ContractError, match="does not match the file name"):
        load_contracts(models)


def test_user_override_adds_aliases_and_value_mappings(tmp_path):
    overrides = tmp_path / "overrides"
    overrides.mkdir()
    (overrides / "opportunities.yaml").write_text(
        "kind: opportunities\n"
        "encoding: gb18030\n"
        "columns:\n"
        "  stage:\n"
        "    aliases: [商机阶段名称]\n"
        "    value_aliases:\n"
        "      won: [成交]\n"
        "  amount:\n"
        "    aliases: [Deal Value]\n",
        encoding="utf-8",
    )
    contracts = load_contracts(MODELS, overrides)
    opportunities = contracts["opportunities"]
    assert opportunities.encoding == "gb18030"
    assert opportunities.header_lookup()[normalize_header("商机阶段名称")] == "stage"
    assert opportunities.header_lookup()[normalize_header("Deal Value")] == "amount"
    assert opportunities.column("stage").value_map()["成交"] == "won"
    assert opportunities.column("stage").value_map()["赢单"] == "won"  # shipped aliases kept


def test_malformed_override_names_the_override_file(tmp_path):
    overrides = tmp_path / "overrides"
    overrides.mkdir()
    (overrides / "orders.yaml").write_text(
        "columns:\n  status:\n    value_aliases:\n      refunded: [退款]\n", encoding="utf-8"
    )
    with pytest.raises(ContractError) as caught:
        load_contracts(MODELS, overrides)
    assert str(overrides / "orders.yaml") in str(caught.value)
    assert "refunded" in str(caught.value)
    (overrides / "orders.yaml").unlink()
    (overrides / "invoices.yaml").write_text("columns: {}\n", encoding="utf-8")
    with pytest.raises(ContractError, match="overrides a kind that has no contract"):
        load_contracts(MODELS, overrides)


def test_shipped_expectation_suites_follow_the_contracts(contracts):
    """A contract changed without `salespulse expectations` leaves its GX suite stale: caught here."""
    from salespulse.quality.expectations import contract_expectations, load_suite, suite_for

    for kind, contract in contracts.items():
        shipped = load_suite(kind)
        assert shipped == suite_for(contract, shipped), f"expectations/{kind}.json is stale"
        assert contract_expectations(contract), kind
    visits = [e for e in load_suite("daily_reports")["expectations"] if e["kwargs"].get("column") == "visits"]
    assert {"type": "expect_column_values_to_be_between", "kwargs": {"column": "visits", "min_value": 0.0,
            "max_value": None}, "meta": {"source": "contract", "severity": "error"}} in visits  # fmt: skip
