"""The same organisation as "another CRM" exports it: the shapes real tools produce that the
shipped contracts do not read as they are, each read by a user override in
`models/examples/other-crm/` (and nothing else).

- agents named, not numbered: every file identifies a rep by name (roster, CRM, reports);
- opportunities as one snapshot of the whole history (no snapshot date in the file), a deal
  stage that is both `stage` and `status`, a `close_date` header that a shipped alias gives to
  another column;
- orders as order lines (`Row ID`), `MM-DD-YY` and `M/D/YYYY` dates mixed in one column,
  `$1,234.50` and `US$ 1234.50 ` amounts, their own status words;
- customers as Excel "Unicode text" (UTF-16, tab-separated) with 12-hour US timestamps;
- receivables with a decimal comma and `;` (a European finance tool), `D.M.YYYY` dates;
- payments in cp1252 with French headers;
- the roster on the second sheet of a workbook, under a title row, with its own role words.
"""

from __future__ import annotations

import csv
import io
import zlib
from collections.abc import Sequence
from datetime import date, datetime, timedelta

import xlsxwriter

from salespulse.generate import names as N
from salespulse.generate.exports import (
    ACTION_STATUS_CN,
    ADJ_STATUS_CN,
    CLOSED_VISIBLE_DAYS,
    LEVEL_CN,
    METRIC_CN,
    REVIEW_CN,
    Writer,
    slash,
    ts,
    wan,
)
from salespulse.generate.org import Crm, Opportunity, Org, month_key

STYLE = "other-crm"
OTHER_STAGE = {
    "initial_contact": "Qualify",
    "proposal": "Develop",
    "negotiation": "Propose",
    "closing": "Close",
    "won": "Won",
    "lost": "Lost",
}
OTHER_SOURCE = {
    "referral": "Word of mouth",
    "marketing": "Campaign",
    "cold_call": "Outbound",
    "exhibition": "Event",
    "other": "Other",
}
OTHER_ROLE = {"rep": "客户经理", "supervisor": "销售主管"}


def _csv_text(header: Sequence[str], rows, delimiter: str = ",") -> tuple[str, int]:
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(header)
    n = 0
    for row in rows:
        writer.writerow(row)
        n += 1
    return buf.getvalue(), n


def _us_date(d: date, row: int) -> str:
    """Alternately `11-08-16` and `11/8/2016`, as a retail tool's export mixes them."""
    return d.strftime("%m-%d-%y") if row % 2 == 0 else f"{d.month}/{d.day}/{d.year}"


def _dollars(cents: int, row: int) -> str:
    yuan, rest = divmod(cents, 100)
    return f"${yuan:,}.{rest:02d}" if row % 2 == 0 else f"US$ {yuan}.{rest:02d} "


def _euro_style(cents: int) -> str:
    yuan, rest = divmod(cents, 100)
    return f"{yuan:,}".replace(",", ".") + f",{rest:02d}"


def _us_timestamp(dt: datetime) -> str:
    hour, half = dt.hour % 12 or 12, "AM" if dt.hour < 12 else "PM"
    return f"{dt.month}/{dt.day}/{dt.year} {hour}:{dt.minute:02d}:{dt.second:02d} {half}"


def _lines(order_id: str, cents: int) -> list[int]:
    """An order's amount split into 1-3 lines, to the cent (the first line takes the rest)."""
    n = 1 + zlib.crc32(order_id.encode()) % 3
    part = cents // n
    return [cents - part * (n - 1)] + [part] * (n - 1)


def write_other_crm(
    w: Writer,
    org: Org,
    crm: Crm,
    targets: list[dict],
    adjustments: list[dict],
    actions: list[dict],
    daily,
    weekly_rows: list[dict],
) -> None:
    name_of = {p.rep_id: p.name for p in org.people}

    def who(rep_id: str) -> str:
        return name_of.get(rep_id, rep_id) if rep_id else ""

    as_of = org.as_of
    _roster(w, org, who)
    _orders(w, crm, who, as_of)
    _opportunities(w, org, crm.opportunities, who)
    _customers(w, org, crm, who)
    _receivables(w, crm, as_of)
    _payments(w, crm, as_of)
    _daily(w, org, daily)
    _weekly(w, weekly_rows, who)
    _targets(w, targets, adjustments, who, as_of)
    _actions(w, actions, who, as_of)


def _roster(w: Writer, org: Org, who) -> None:
    header = ["销售", "团队编码", "团队名称", "大区", "职务", "上级", "入职", "离职", "邮箱", "任职开始"]
    rows = []
    for p in org.people:
        role = OTHER_ROLE.get(p.role) or ("总监" if p.rep_id == org.head_id else "大区负责人")
        spans = [(p.hire_date, p.team)] + ([p.move] if p.move else [])
        for start, team in spans:
            rows.append(
                [
                    p.name,
                    team.team_id,
                    team.team_name,
                    team.region,
                    role,
                    who(team.supervisor_id if p.move and team is not p.team else p.supervisor_id),
                    p.hire_date,
                    p.leave_date,
                    p.email,
                    start,
                ]
            )
    workbook = xlsxwriter.Workbook(str(w.path("roster", f"销售团队_{org.as_of.isoformat()}.xlsx")))
    workbook.set_properties({"created": w.created, "author": "other crm"})
    notes = workbook.add_worksheet("说明")
    notes.write_string(0, 0, "本工作簿由 CRM 导出；销售人员名单在第二个工作表。")
    sheet = workbook.add_worksheet("销售人员")
    fmt_date = workbook.add_format({"num_format": "yyyy-mm-dd"})
    sheet.write_string(0, 0, f"销售团队名单（导出于 {org.as_of.isoformat()}）")
    sheet.write_row(1, 0, header)
    for i, row in enumerate(rows, start=2):
        for j, value in enumerate(row):
            if value is None or value == "":
                continue
            if isinstance(value, date):
                sheet.write_datetime(i, j, datetime.combine(value, datetime.min.time()), fmt_date)
            else:
                sheet.write_string(i, j, str(value))
    workbook.close()
    w._count("roster", len(rows))


def _orders(w: Writer, crm: Crm, who, as_of: date) -> None:
    header = [
        "Row ID",
        "Order ID",
        "Order Date",
        "Customer ID",
        "Sales Rep",
        "Category",
        "Opportunity",
        "Sales",
        "Order Status",
    ]
    rows = []
    row_id = 0
    for o in sorted(crm.orders, key=lambda o: (o.signed_date, o.order_id)):
        for cents in _lines(o.order_id, o.amount_cents):
            row_id += 1
            rows.append(
                [
                    row_id,
                    o.order_id,
                    _us_date(o.signed_date, row_id),
                    o.customer_id,
                    who(o.owner_rep_id),
                    o.product_line,
                    o.opportunity_id,
                    _dollars(cents, row_id),
                    "Returned" if o.status == "cancelled" else "Completed",
                ]
            )
    text, n = _csv_text(header, rows)
    w.text("orders", f"order_lines_{as_of.isoformat()}.csv", text, n)


def _state_at(o: Opportunity, as_of: date) -> tuple[str, datetime] | None:
    seen = [(stage, when) for stage, when in o.history if when.date() <= as_of]
    return seen[-1] if seen else None


def _opportunities(w: Writer, org: Org, opps: list[Opportunity], who) -> None:
    """The CRM's current state of every deal the daily snapshots would have shown at some
    point in the window, as one export taken on the as-of date."""
    header = [
        "opportunity_id",
        "sales_agent",
        "product",
        "account",
        "deal_stage",
        "engage_date",
        "stage_changed",
        "expected_close",
        "close_date",
        "close_value",
        "lost_reason",
    ]
    first_visible = org.start - timedelta(days=CLOSED_VISIBLE_DAYS - 1)
    rows = []
    for o in opps:
        state = _state_at(o, org.as_of)
        if state is None:
            continue
        stage, changed = state
        closed = stage in ("won", "lost")
        if closed and changed.date() < first_visible:
            continue
        rows.append(
            [
                o.opportunity_id,
                who(o.owner_rep_id),
                o.product_line,
                o.customer.customer_id,
                OTHER_STAGE[stage],
                ts(o.created_at),
                ts(changed),
                o.expected_close_date.isoformat(),
                ts(changed) if closed else "",
                o.amount,
                o.lost_reason if stage == "lost" else "",
            ]
        )
    text, n = _csv_text(header, rows)
    w.text("opportunities", f"opportunities_export_{org.as_of.isoformat()}.csv", text, n)


def _customers(w: Writer, org: Org, crm: Crm, who) -> None:
    header = [
        "Account Number",
        "Account Name",
        "Sector",
        "Office Location",
        "Lead Source",
        "Created On",
        "Account Manager",
    ]
    rows = [
        [
            c.customer_id,
            c.name,
            c.industry,
            c.region,
            OTHER_SOURCE[c.source],
            _us_timestamp(c.created_at),
            who(c.owner_rep_id),
        ]
        for c in crm.customers
        if c.created_at.date() <= org.as_of
    ]
    text, n = _csv_text(header, rows, delimiter="\t")
    # Excel's "Unicode text": UTF-16 with a byte-order mark, tab-separated.
    w.path("customers", "accounts.txt").write_bytes(text.encode("utf-16"))
    w._count("customers", n)


def _receivables(w: Writer, crm: Crm, as_of: date) -> None:
    header = ["Invoice No", "Order ID", "Invoice Amount", "Due"]
    rows = [
        [x.receivable_id, x.order_id, _euro_style(x.amount_cents), x.due_date.strftime("%d.%m.%Y")]
        for x in crm.receivables
    ]
    text, n = _csv_text(header, rows, delimiter=";")
    w.text("receivables", f"invoices_{as_of.isoformat()}.csv", text, n)


def _payments(w: Writer, crm: Crm, as_of: date) -> None:
    header = ["Payment Ref", "Invoice No", "Order ID", "Montant reçu", "Date reçue"]
    rows = [
        [
            p.payment_id,
            p.receivable_id,
            p.order_id,
            f"{p.amount_cents / 100:.2f}",
            p.received_date.isoformat(),
        ]
        for p in crm.payments
    ]
    text, n = _csv_text(header, rows)
    w.text("payments", f"encaissements_{as_of.isoformat()}.csv", text, n, encoding="cp1252")


def _daily(w: Writer, org: Org, daily) -> None:
    """Daily reports from the form tool, which knows reps by name only."""
    names = [r.name for r in org.reps]
    header = "提交人,汇报日期,提交时间,客户拜访量,电话量,新增线索,今日总结"
    months = daily.days[daily.day].astype("datetime64[M]")
    lines_by_month: dict[str, list[str]] = {}
    for i in range(len(daily.rep)):
        d = daily.days[daily.day[i]].item()
        s = int(daily.sub_sec[i])
        key = str(months[i])
        lines_by_month.setdefault(key, []).append(
            f"{names[daily.rep[i]]},{slash(d)},{daily.sub_day[i]} "
            f"{s // 3600:02d}:{s // 60 % 60:02d}:{s % 60:02d},{daily.visits[i]},{daily.calls[i]},"
            f"{daily.leads[i]},{N.DAILY_NOTES[daily.note[i]]}"
        )
    for key, lines in sorted(lines_by_month.items()):
        text = "\r\n".join([header, *lines]) + "\r\n"
        w.text("daily_reports", f"日报_{key}.csv", text, len(lines), encoding="gbk")


def _weekly(w: Writer, rows: list[dict], who) -> None:
    header = [
        "姓名",
        "周开始日期",
        "提交时间",
        "本周销售额",
        "重点客户进展",
        "问题类别",
        "遇到的障碍",
        "需要的支持",
    ]
    by_month: dict[str, list[dict]] = {}
    for r in rows:
        by_month.setdefault(month_key(r["week_start"]), []).append(r)
    for key, items in sorted(by_month.items()):
        w.xlsx(
            "weekly_reports",
            f"周报_{key}.xlsx",
            "周报",
            header,
            (
                [
                    who(r["rep_id"]),
                    r["week_start"],
                    r["submitted_at"],
                    wan(r["weekly_sales"]),
                    r["key_customer_progress"],
                    r["obstacle_category"],
                    r["obstacle_text"],
                    r["support_needed"],
                ]
                for r in items
            ),
        )


def _entity(level: str, entity_id: str, who) -> str:
    return who(entity_id) if level == "rep" else entity_id


def _targets(w: Writer, targets: list[dict], adjustments: list[dict], who, as_of: date) -> None:
    header = ["目标层级", "对象", "目标周期", "目标指标", "目标值"]
    w.xlsx(
        "targets",
        f"目标_{as_of.isoformat()}.xlsx",
        "业绩目标",
        header,
        (
            [
                LEVEL_CN[r["level"]],
                _entity(r["level"], r["entity_id"], who),
                r["period"],
                METRIC_CN[r["metric"]],
                r["value"],
            ]
            for r in targets
        ),
    )
    header = [
        "调整单号",
        "层级",
        "对象",
        "生效周期",
        "指标",
        "调整后目标",
        "调整原因",
        "申请人",
        "审批人",
        "审批时间",
        "审批状态",
    ]
    text, n = _csv_text(
        header,
        (
            [
                a["adjustment_id"],
                LEVEL_CN[a["level"]],
                _entity(a["level"], a["entity_id"], who),
                a["period"],
                METRIC_CN[a["metric"]],
                f"{a['new_value']:.2f}",
                a["reason"],
                who(a["requested_by"]),
                who(a["approved_by"]),
                ts(a["approved_at"]),
                ADJ_STATUS_CN[a["status"]],
            ]
            for a in adjustments
        ),
    )
    w.text("target_adjustments", f"目标调整_{as_of.isoformat()}.csv", text, n, bom=True)


def _actions(w: Writer, items: list[dict], who, as_of: date) -> None:
    header = [
        "行动编号",
        "复盘类型",
        "复盘周期",
        "问题描述",
        "改进措施",
        "责任人",
        "截止日期",
        "完成状态",
        "完成日期",
    ]
    w.xlsx(
        "action_items",
        f"行动项_{as_of.isoformat()}.xlsx",
        "复盘行动表",
        header,
        (
            [
                a["action_id"],
                REVIEW_CN[a["review_type"]],
                a["review_period"],
                a["problem"],
                a["measure"],
                who(a["owner_rep_id"]),
                a["due_date"],
                ACTION_STATUS_CN[a["status"]],
                a["closed_at"],
            ]
            for a in items
        ),
    )
