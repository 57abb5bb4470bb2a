"""The demo-data generator: reproducible, parseable under the contracts, and its ground truth is
exactly the set of deviations found in the files (computed here independently of the generator)."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import statistics
from collections import Counter, defaultdict
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from dbt_support import ROOT
from python_calamine import CalamineWorkbook

from salespulse.calendar import WorkCalendar
from salespulse.contracts import Contract, load_contracts, normalize_header
from salespulse.generate import generate_org, window_start

AS_OF = date(2026, 6, 30)
ARGS = {"seed": 7, "as_of": AS_OF, "reps": 20, "months": 4}
CAL = WorkCalendar()


@pytest.fixture(scope="session")
def contracts() -> dict[str, Contract]:
    return load_contracts(ROOT / "models")


@pytest.fixture(scope="session")
def gen(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("gen_a")
    summary = generate_org(out, **ARGS)
    assert Path(summary["ground_truth"]) == out / "ground_truth.json"
    return out


@pytest.fixture(scope="session")
def truth(gen) -> dict:
    return json.loads((gen / "ground_truth.json").read_text(encoding="utf-8"))


def _hashes(root: Path) -> dict[str, str]:
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


# ---------------------------------------------------------------------------------------------
# an independent reader


class Malformed(Exception):
    pass


def read_raw(path: Path) -> tuple[list[str], list[list]]:
    if path.suffix == ".xlsx":
        sheet = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python(skip_empty_area=False)
        header = [str(h) for h in sheet[0]]
        return header, [list(r) for r in sheet[1:]]
    data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("gb18030")
    rows = list(csv.reader(io.StringIO(text)))
    return rows[0], rows[1:]


def read_table(path: Path, contract: Contract) -> list[dict]:
    """Rows keyed by canonical column; raises Malformed when the file does not fit the contract."""
    header, rows = read_raw(path)
    lookup = contract.header_lookup()
    names = []
    for h in header:
        key = normalize_header(h)
        if key not in lookup:
            raise Malformed(f"{path.name}: unknown header {h!r}")
        names.append(lookup[key])
    for column in contract.required_columns:
        if column.name not in names:
            raise Malformed(f"{path.name}: missing required column {column.name}")
    out = []
    for r in rows:
        if len(r) != len(names):
            raise Malformed(f"{path.name}: ragged row {r}")
        record = {}
        for name, value in zip(names, r, strict=True):
            column = contract.column(name)
            if isinstance(value, str):
                value = value.strip()
            if value in ("", None):
                value = None
            elif column.allowed:
                mapping = column.value_map()
                key = str(value).strip().casefold()
                if key not in mapping:
                    raise Malformed(f"{path.name}: {name}={value!r} not allowed")
                value = mapping[key]
            record[name] = value
        out.append(record)
    return out


def as_date(v) -> date:
    if isinstance(v, datetime):
        return v.date()
    if isinstance(v, date):
        return v
    y, m, d = str(v).replace("/", "-").split(" ")[0].split("-")
    return date(int(y), int(m), int(d))


def as_ts(v) -> datetime:
    if isinstance(v, datetime):
        return v
    return datetime.fromisoformat(str(v).replace("/", "-"))


def as_num(v) -> Decimal:
    if isinstance(v, int | float):
        return Decimal(str(v))
    text = str(v).replace(",", "")
    if text.endswith("万"):
        return Decimal(text[:-1]) * 10000
    return Decimal(text)


def load(gen: Path, contracts, kind: str) -> list[dict]:
    rows = []
    for path in sorted((gen / "landing" / kind).iterdir()):
        if "broken" in path.name:
            continue
        rows.extend(read_table(path, contracts[kind]))
    return rows


@pytest.fixture(scope="session")
def data(gen, contracts) -> dict[str, list[dict]]:
    return {kind: load(gen, contracts, kind) for kind in contracts}


@pytest.fixture(scope="session")
def roster(data) -> dict[str, dict]:
    """rep_id → first roster row (hire/leave/role are the same on every row of a rep)."""
    out: dict[str, dict] = {}
    for row in data["roster"]:
        out.setdefault(row["rep_id"], row)
    return out


# ---------------------------------------------------------------------------------------------


def test_deterministic_bytes(gen, tmp_path):
    again = tmp_path / "again"
    generate_org(again, **ARGS)
    first, second = _hashes(gen), _hashes(again)
    assert first.keys() == second.keys()
    assert len(first) > 50
    assert first == second
    other = tmp_path / "other"
    generate_org(other, **{**ARGS, "seed": 8})
    third = _hashes(other)
    differ = [k for k in first if first[k] != third.get(k)]
    assert "ground_truth.json" in differ
    assert any(k.startswith("landing/daily_reports/") for k in differ)


def test_layout_and_formats(gen):
    landing = gen / "landing"
    kinds = {p.name for p in landing.iterdir()}
    assert kinds == {
        "roster",
        "targets",
        "target_adjustments",
        "customers",
        "opportunities",
        "orders",
        "receivables",
        "payments",
        "daily_reports",
        "weekly_reports",
        "action_items",
    }
    start = window_start(AS_OF, 4)
    assert len(list((landing / "opportunities").glob("opportunities_*.csv"))) == (AS_OF - start).days + 1
    daily = sorted((landing / "daily_reports").glob("*.csv"))
    assert [p.name for p in daily] == [f"daily_reports_2026-0{m}.csv" for m in (3, 4, 5, 6)]
    encodings = Counter()
    for p in daily:
        raw = p.read_bytes()
        if raw.startswith(b"\xef\xbb\xbf"):
            encodings["bom"] += 1
        else:
            with pytest.raises(UnicodeDecodeError):
                raw.decode("utf-8")
            raw.decode("gbk")
            encodings["gbk"] += 1
    assert encodings["gbk"] >= 2 and encodings["bom"] >= 1
    assert len(list((landing / "weekly_reports").glob("*.xlsx"))) == 4
    texts = "".join(p.read_text(encoding="utf-8-sig") for p in (landing / "orders").glob("orders_2*.csv"))
    assert '"' in texts and "/" in texts  # thousands separators and 2026/3/5 dates
    # real date cells and 万 amounts
    _, rows = read_raw(next((landing / "roster").glob("*.xlsx")))
    assert all(isinstance(r[7], date) for r in rows)
    weekly_values = [r[4] for p in (landing / "weekly_reports").glob("*.xlsx") for r in read_raw(p)[1]]
    assert any(isinstance(v, str) and v.endswith("万") for v in weekly_values)
    assert any(isinstance(v, float) and v > 0 for v in weekly_values)


def test_every_file_parses_under_its_contract(gen, contracts, truth):
    malformed = {m["file"] for m in truth["malformed_files"]}
    assert len(malformed) == 1
    checked = 0
    for path in sorted((gen / "landing").rglob("*.*")):
        kind = path.parent.name
        rel = str(path.relative_to(gen))
        if rel in malformed:
            with pytest.raises(Malformed):
                read_table(path, contracts[kind])
            continue
        read_table(path, contracts[kind])
        checked += 1
    assert checked > 100


def test_roster(data, roster):
    rows = data["roster"]
    roles = Counter(r["role"] for r in roster.values())
    assert roles["rep"] == 20 and roles["supervisor"] >= 4 and roles["manager"] == 5
    ids = Counter(r["rep_id"] for r in rows)
    movers = [rid for rid, n in ids.items() if n > 1]
    assert len(movers) == 1 and ids[movers[0]] == 2
    first, second = [r for r in rows if r["rep_id"] == movers[0]]
    assert as_date(first["effective_from"]) == as_date(first["hire_date"])
    assert as_date(second["effective_from"]) > as_date(first["effective_from"])
    assert first["team_id"] != second["team_id"]
    assert sum(1 for r in roster.values() if r["leave_date"]) >= 2
    assert all(r["email"] == f"{r['rep_id'].lower()}@demo.salespulse.local" for r in rows)
    sup = {r["rep_id"] for r in roster.values() if r["role"] == "supervisor"}
    assert all(r["supervisor_id"] in sup for r in roster.values() if r["role"] == "rep")


def test_targets_reconcile(data):
    rows = data["targets"]
    reps = defaultdict(Decimal)
    company = {}
    for r in rows:
        if r["metric"] == "sales_amount" and "Q" not in r["period"]:
            if r["level"] == "rep":
                reps[r["period"]] += as_num(r["value"])
            elif r["level"] == "company":
                company[r["period"]] = as_num(r["value"])
    assert set(company) == {"2026-03", "2026-04", "2026-05", "2026-06"}
    assert company == dict(reps)
    assert any("Q" in r["period"] for r in rows)
    adjustments = data["target_adjustments"]
    assert [a["status"] for a in adjustments].count("approved") == 1


def _daily_index(data):
    groups: dict[tuple[str, date], list[dict]] = defaultdict(list)
    for r in data["daily_reports"]:
        groups[(r["rep_id"], as_date(r["report_date"]))].append(r)
    return groups


def _expected_days(roster) -> set[tuple[str, date]]:
    start = window_start(AS_OF, 4)
    out = set()
    for rid, r in roster.items():
        if r["role"] != "rep":
            continue
        lo = max(as_date(r["hire_date"]), start)
        hi = min(as_date(r["leave_date"]), AS_OF) if r["leave_date"] else AS_OF
        out |= {(rid, d) for d in CAL.workdays(lo, hi)}
    return out


def test_daily_timeliness_matches_truth(data, roster, truth):
    groups = _daily_index(data)
    expected = _expected_days(roster)
    assert set(groups) <= expected
    missing = expected - set(groups)
    assert missing == {(e["rep_id"], date.fromisoformat(e["date"])) for e in truth["missing_daily_reports"]}
    late = {}
    for (rid, d), rows in groups.items():
        deadline = datetime.combine(d, time(17))
        for r in rows:
            sub = as_ts(r["submitted_at"])
            assert sub >= datetime.combine(d, time(0))
            assert sub <= datetime.combine(AS_OF, time(23, 59, 59))
            if sub > deadline:
                late[(rid, d)] = sub
    assert late == {
        (e["rep_id"], date.fromisoformat(e["date"])): datetime.fromisoformat(e["submitted_at"])
        for e in truth["late_daily_reports"]
    }
    dups = {k: sorted(str(as_ts(r["submitted_at"])) for r in v) for k, v in groups.items() if len(v) > 1}
    assert dups == {
        (e["rep_id"], date.fromisoformat(e["date"])): e["submitted_at"]
        for e in truth["duplicate_submissions"]
    }
    assert all(len(v) <= 2 for v in groups.values())
    # the as_of day is complete and on time
    assert all((rid, AS_OF) in groups for rid, d in expected if d == AS_OF) and any(
        d == AS_OF for _, d in expected
    )
    # planted events do not overlap
    keys = Counter()
    for kind in ("late_daily_reports", "missing_daily_reports", "duplicate_submissions", "impossible_values"):
        keys.update((e["rep_id"], e["date"]) for e in truth[kind])
    assert all(n == 1 for n in keys.values())


def test_daily_values_match_truth(data, truth):
    groups = _daily_index(data)
    zero, neg, high, no_calls = set(), set(), set(), set()
    for key, rows in groups.items():
        for r in rows:
            visits, calls, leads = int(r["visits"]), int(r["calls"]), int(r["new_leads"])
            assert leads >= 0 and calls >= 0
            if visits == 0:
                zero.add(key)
            if visits < 0:
                neg.add((*key, visits))
            if visits > 50:
                high.add((*key, visits))
            if calls == 0:
                no_calls.add(key)
    streak_days = set()
    for e in truth["zero_visit_streaks"]:
        s, t = date.fromisoformat(e["start_date"]), date.fromisoformat(e["end_date"])
        days = CAL.workdays(s, t)
        assert len(days) == e["days"] >= 3
        for d in days:
            rows = groups[(e["rep_id"], d)]
            assert len(rows) == 1 and as_ts(rows[0]["submitted_at"]) <= datetime.combine(d, time(17))
        for d in (CAL.previous_workday(s), CAL.next_workday(t)):
            assert all(int(r["visits"]) > 0 for r in groups[(e["rep_id"], d)])
        streak_days |= {(e["rep_id"], d) for d in days}
    assert zero == streak_days
    assert 2 <= len(truth["zero_visit_streaks"]) <= 3
    imp = {(e["rep_id"], date.fromisoformat(e["date"]), e["value"]) for e in truth["impossible_values"]}
    assert neg | high == imp
    assert {e["rule"] for e in truth["impossible_values"]} == {"negative", "above_max"}
    assert all((e["rule"] == "negative") == (e["value"] < 0) for e in truth["impossible_values"])
    drops = {
        (e["rep_id"], date.fromisoformat(e["date"]))
        for e in truth["activity_anomalies"]
        if e["direction"] == "drop"
    }
    assert no_calls == drops
    assert not drops & streak_days


def test_anomalies_match_a_simple_detector(data, truth):
    """Trailing 20 reports of the rep, z = (x - mean) / max(std, 1); |z| >= 3 is flagged. Streak
    days and impossible values are excluded (they are flagged by their own rules)."""
    groups = _daily_index(data)
    excluded = {(e["rep_id"], e["date"]) for e in truth["impossible_values"]}
    for e in truth["zero_visit_streaks"]:
        s, t = date.fromisoformat(e["start_date"]), date.fromisoformat(e["end_date"])
        excluded |= {(e["rep_id"], d.isoformat()) for d in CAL.workdays(s, t)}
    series: dict[str, list[tuple[date, dict]]] = defaultdict(list)
    for (rid, d), rows in sorted(groups.items(), key=lambda kv: (kv[0][0], kv[0][1])):
        if (rid, d.isoformat()) not in excluded:
            latest = max(rows, key=lambda r: as_ts(r["submitted_at"]))
            series[rid].append((d, latest))
    flagged = set()
    for rid, items in series.items():
        for metric in ("visits", "calls"):
            values = [int(r[metric]) for _, r in items]
            for i in range(20, len(values)):
                window = values[i - 20 : i]
                z = (values[i] - statistics.fmean(window)) / max(statistics.pstdev(window), 1.0)
                if abs(z) >= 3:
                    flagged.add((rid, items[i][0].isoformat(), metric, "spike" if z > 0 else "drop"))
    planted = {(e["rep_id"], e["date"], e["metric"], e["direction"]) for e in truth["activity_anomalies"]}
    assert len(planted) >= 4
    assert flagged == planted
    for e in truth["activity_anomalies"]:
        rid, d = e["rep_id"], date.fromisoformat(e["date"])
        prior = [x for x, _ in series[rid] if x < d]
        assert len(prior) >= 20
        values = [int(r[e["metric"]]) for x, r in series[rid] if x < d][-20:]
        assert e["baseline"] == round(statistics.fmean(values), 1)


def test_weekly_matches_truth(data, roster, truth):
    start = window_start(AS_OF, 4)
    expected = set()
    monday = start + timedelta(days=(7 - start.weekday()) % 7)
    while monday + timedelta(days=7) <= AS_OF:
        days = CAL.workdays(monday, monday + timedelta(days=6))
        for rid, r in roster.items():
            hire, leave = as_date(r["hire_date"]), as_date(r["leave_date"]) if r["leave_date"] else None
            if r["role"] == "rep" and any(hire <= d and (leave is None or d <= leave) for d in days):
                expected.add((rid, monday))
        monday += timedelta(days=7)
    got: dict[tuple[str, date], list[datetime]] = defaultdict(list)
    for r in data["weekly_reports"]:
        got[(r["rep_id"], as_date(r["week_start"]))].append(as_ts(r["submitted_at"]))
    assert all(len(v) == 1 for v in got.values())
    assert set(got) <= expected
    assert expected - set(got) == {
        (e["rep_id"], date.fromisoformat(e["week_start"])) for e in truth["missing_weekly_reports"]
    }
    late = {k: v[0] for k, v in got.items() if v[0] > datetime.combine(k[1] + timedelta(days=7), time(12))}
    assert late == {
        (e["rep_id"], date.fromisoformat(e["week_start"])): datetime.fromisoformat(e["submitted_at"])
        for e in truth["late_weekly_reports"]
    }
    assert all(v < datetime.combine(AS_OF, time(0)) for v in late.values())
    assert len(late) >= 3 and len(truth["missing_weekly_reports"]) >= 3


def test_crm_matches_truth(data, roster, truth, gen, contracts):
    customers = {r["customer_id"]: r for r in data["customers"]}
    assert len(customers) == len(data["customers"])
    orders = data["orders"]
    unknown = {
        (o["order_id"], o["owner_rep_id"], as_date(o["signed_date"]))
        for o in orders
        if o["owner_rep_id"] not in roster
    }
    assert unknown == {
        (e["order_id"], e["rep_id"], date.fromisoformat(e["date"])) for e in truth["unknown_rep_orders"]
    }
    assert len(unknown) == 1
    assert all(o["customer_id"] in customers for o in orders)
    assert all(as_date(o["signed_date"]) <= AS_OF for o in orders)
    assert any(o["status"] == "cancelled" for o in orders)
    for o in orders:
        assert Decimal("50000") * Decimal("0.85") <= as_num(o["amount"]) <= Decimal("2000000")
    recv = {r["receivable_id"]: as_num(r["amount"]) for r in data["receivables"]}
    order_ids = {o["order_id"] for o in orders}
    assert all(r["order_id"] in order_ids for r in data["receivables"])
    paid = defaultdict(Decimal)
    for p in data["payments"]:
        assert as_date(p["received_date"]) <= AS_OF
        paid[p["receivable_id"]] += as_num(p["amount"])
    over = {rid for rid, amount in paid.items() if amount > recv[rid]}
    assert over == {e["receivable_id"] for e in truth["overpaid_receivables"]}
    for e in truth["overpaid_receivables"]:
        assert (
            paid[e["receivable_id"]] == Decimal(str(e["paid_amount"])) > Decimal(str(e["receivable_amount"]))
        )
    assert any(0 < paid[rid] < recv[rid] for rid in recv)  # partial payments exist
    # opportunities: known reps and customers, every snapshot row dated by its file
    for path in sorted((gen / "landing" / "opportunities").iterdir())[::10]:
        for row in read_table(path, contracts["opportunities"]):
            assert str(as_date(row["snapshot_date"])) in path.name
            assert row["owner_rep_id"] in roster and row["customer_id"] in customers
            assert (row["status"] == "open") == (row["stage"] not in ("won", "lost"))
    # the malformed file's rows are all in good files too
    malformed = gen / truth["malformed_files"][0]["file"]
    _, rows = read_raw(malformed)
    assert rows and all(r[0] in order_ids for r in rows)


def test_truth_shape(truth):
    assert truth["as_of"] == "2026-06-30" and truth["seed"] == 7
    assert truth["timezone"] == "Asia/Shanghai"
    assert truth["daily_deadline"] == "17:00" and truth["weekly_deadline"] == "Monday 12:00"
    for key in ("late_daily_reports", "missing_daily_reports"):
        assert 5 <= len(truth[key]) <= 15
    assert len(truth["duplicate_submissions"]) == 2
    assert all(
        e["date"] < "2026-06-30" for k in ("late_daily_reports", "missing_daily_reports") for e in truth[k]
    )


def test_calendar_makeup_days(tmp_path):
    out = tmp_path / "autumn"
    generate_org(out, seed=3, as_of=date(2026, 10, 12), reps=6, months=2)
    contracts = load_contracts(ROOT / "models")
    rows = load(out, contracts, "daily_reports")
    days = Counter(as_date(r["report_date"]) for r in rows)
    assert days[date(2026, 9, 20)] >= 4  # 调休 Sunday
    assert days[date(2026, 10, 10)] >= 4  # 调休 Saturday
    for holiday in (date(2026, 10, 1), date(2026, 10, 5), date(2026, 10, 7), date(2026, 9, 19)):
        assert days[holiday] == 0
