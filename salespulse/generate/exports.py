"""Writers: the landing files, each in the shape a real tool would export it."""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import date, datetime, time, timedelta
from pathlib import Path

import numpy as np
import xlsxwriter

from salespulse.generate import names as N
from salespulse.generate.org import Cal, Crm, Opportunity, Org, month_key, month_start

ROLE_CN = {"rep": "销售代表", "supervisor": "销售主管"}
LEVEL_CN = {"company": "公司", "region": "区域", "team": "团队", "rep": "个人"}
METRIC_CN = {"sales_amount": "销售额", "new_customers": "新签客户数", "visits": "拜访量"}
REVIEW_CN = {"weekly": "周复盘", "monthly": "月复盘"}
ACTION_STATUS_CN = {"open": "未开始", "in_progress": "进行中", "done": "已完成", "cancelled": "已取消"}
ADJ_STATUS_CN = {"approved": "已批准", "pending": "待审批", "rejected": "已驳回"}
SOURCE_EN = {
    "referral": "Referral",
    "marketing": "Marketing",
    "cold_call": "Cold Call",
    "exhibition": "Trade Show",
    "other": "Other",
}
STAGE_CN = {
    "initial_contact": "初步接洽",
    "proposal": "方案提交",
    "negotiation": "谈判中",
    "closing": "即将签约",
    "won": "赢单",
    "lost": "输单",
}
STAGE_EN = {
    "initial_contact": "Prospecting",
    "proposal": "Proposal/Price Quote",
    "negotiation": "Negotiation/Review",
    "closing": "Commit",
    "won": "Closed Won",
    "lost": "Closed Lost",
}
STATUS_CN = {"open": "跟进中", "won": "赢单", "lost": "输单"}
STATUS_EN = {"open": "Open", "won": "Closed Won", "lost": "Closed Lost"}


class Writer:
    def __init__(self, out: Path, as_of: date):
        self.out = out
        self.landing = out / "landing"
        self.created = datetime.combine(as_of, time(18, 0))
        self.files: dict[str, int] = {}
        self.rows: dict[str, int] = {}

    def path(self, kind: str, name: str) -> Path:
        folder = self.landing / kind
        folder.mkdir(parents=True, exist_ok=True)
        return folder / name

    def _count(self, kind: str, n: int) -> None:
        self.files[kind] = self.files.get(kind, 0) + 1
        self.rows[kind] = self.rows.get(kind, 0) + n

    def csv(
        self,
        kind: str,
        name: str,
        header: Sequence[str],
        rows: Iterable[Sequence],
        *,
        encoding: str = "utf-8",
        bom: bool = False,
        crlf: bool = False,
    ) -> None:
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\r\n" if crlf else "\n")
        writer.writerow(header)
        n = 0
        for r in rows:
            writer.writerow(r)
            n += 1
        self.text(kind, name, buf.getvalue(), n, encoding=encoding, bom=bom)

    def text(
        self, kind: str, name: str, text: str, n: int, *, encoding: str = "utf-8", bom: bool = False
    ) -> None:
        data = text.encode(encoding)
        if bom:
            data = b"\xef\xbb\xbf" + data
        self.path(kind, name).write_bytes(data)
        self._count(kind, n)

    def xlsx(self, kind: str, name: str, sheet: str, header: Sequence[str], rows: Iterable[Sequence]) -> None:
        wb = xlsxwriter.Workbook(str(self.path(kind, name)))
        wb.set_properties({"created": self.created, "author": "salespulse demo", "company": "salespulse"})
        ws = wb.add_worksheet(sheet)
        bold = wb.add_format({"bold": True})
        fmt_date = wb.add_format({"num_format": "yyyy-mm-dd"})
        fmt_ts = wb.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"})
        fmt_num = wb.add_format({"num_format": "#,##0.00"})
        ws.write_row(0, 0, header, bold)
        n = 0
        for i, r in enumerate(rows, 1):
            for j, v in enumerate(r):
                if v is None or v == "":
                    continue
                if isinstance(v, datetime):
                    ws.write_datetime(i, j, v, fmt_ts)
                elif isinstance(v, date):
                    ws.write_datetime(i, j, v, fmt_date)
                elif isinstance(v, float):
                    ws.write_number(i, j, v, fmt_num)
                elif isinstance(v, int):
                    ws.write_number(i, j, v)
                else:
                    ws.write_string(i, j, str(v))
            n += 1
        wb.close()
        self._count(kind, n)


def slash(d: date) -> str:
    return f"{d.year}/{d.month}/{d.day}"


def money(cents: int, thousands: bool = False) -> str:
    return f"{cents / 100:,.2f}" if thousands else f"{cents // 100}.{cents % 100:02d}"


def wan(yuan: int) -> str | int:
    if yuan == 0:
        return 0
    text = f"{yuan / 10000:.2f}".rstrip("0").rstrip(".")
    return text + "万"


def ts(dt: datetime | None) -> str:
    return dt.isoformat(sep=" ") if dt else ""


# ---------------------------------------------------------------------------------------------


def write_daily(w: Writer, org: Org, daily) -> None:
    ids = [r.rep_id for r in org.reps]
    names = [r.name for r in org.reps]
    months = daily.days[daily.day].astype("datetime64[M]")
    day_iso = [str(d) for d in daily.days]
    day_slash = [slash(d.item()) for d in daily.days]
    for m in np.unique(months):
        sel = np.nonzero(months == m)[0]
        mdate = m.astype("datetime64[D]").item()
        bom = (mdate.year * 12 + mdate.month) % 4 == 1
        if bom:
            header = "员工编号,提交人,汇报日期,提交时间,客户拜访量,电话量,新增线索,今日总结"
            dates = day_slash
        else:
            header = "工号,姓名,日报日期,提交时间,拜访量,电话沟通量,新增潜在客户数,备注"
            dates = day_iso
        lines = [header]
        rep, day, sub_day, sub_sec = daily.rep[sel], daily.day[sel], daily.sub_day[sel], daily.sub_sec[sel]
        vis, cal_, leads, note = daily.visits[sel], daily.calls[sel], daily.leads[sel], daily.note[sel]
        for i in range(len(sel)):
            s = int(sub_sec[i])
            lines.append(
                f"{ids[rep[i]]},{names[rep[i]]},{dates[day[i]]},{sub_day[i]} "
                f"{s // 3600:02d}:{s // 60 % 60:02d}:{s % 60:02d},{vis[i]},{cal_[i]},{leads[i]},"
                f"{N.DAILY_NOTES[note[i]]}"
            )
        text = "\r\n".join(lines) + "\r\n"
        name = f"daily_reports_{month_key(mdate)}.csv"
        if bom:
            w.text("daily_reports", name, text, len(sel), encoding="utf-8", bom=True)
        else:
            w.text("daily_reports", name, text, len(sel), encoding="gbk")


def write_weekly(w: Writer, rows: list[dict]) -> None:
    header = [
        "工号",
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
        y, m = map(int, key.split("-"))
        in_wan = (y * 12 + m) % 2 == 0
        w.xlsx(
            "weekly_reports",
            f"weekly_reports_{key}.xlsx",
            "周报",
            header,
            (
                [
                    r["rep_id"],
                    r["rep_name"],
                    r["week_start"],
                    r["submitted_at"],
                    wan(r["weekly_sales"]) if in_wan else r["weekly_sales"],
                    r["key_customer_progress"],
                    r["obstacle_category"],
                    r["obstacle_text"],
                    r["support_needed"],
                ]
                for r in items
            ),
        )


def _locale(person, org: Org) -> str:
    """The demo's one English reader: the first region's manager (empty = the default locale)."""
    first_region_manager = next(iter(org.region_managers.values()), None)
    return "en" if person.rep_id == first_region_manager else ""


def write_roster(w: Writer, org: Org) -> None:
    header = [
        "工号",
        "姓名",
        "所属团队",
        "团队名称",
        "大区",
        "岗位",
        "直属主管",
        "入职日期",
        "离职日期",
        "邮箱",
        "生效日期",
        "简报语言",
    ]
    rows = []
    for p in org.people:
        role = ROLE_CN.get(p.role) or ("总监" if p.rep_id == org.head_id else "区域经理")
        team = p.team
        rows.append(
            [
                p.rep_id,
                p.name,
                team.team_id,
                team.team_name,
                team.region,
                role,
                p.supervisor_id,
                p.hire_date,
                p.leave_date,
                p.email,
                p.hire_date,
                _locale(p, org),
            ]
        )
        if p.move:
            eff, new = p.move
            rows.append(
                [
                    p.rep_id,
                    p.name,
                    new.team_id,
                    new.team_name,
                    new.region,
                    role,
                    new.supervisor_id,
                    p.hire_date,
                    p.leave_date,
                    p.email,
                    eff,
                    _locale(p, org),
                ]
            )
    w.xlsx("roster", f"roster_{org.as_of.isoformat()}.xlsx", "销售人员名册", header, rows)


def write_targets(w: Writer, rows: list[dict], adjustments: list[dict], as_of: date) -> None:
    header = ["目标层级", "对象编号", "目标周期", "目标指标", "目标值"]
    years = sorted({r["period"][:4] for r in rows})
    for y in years:
        w.xlsx(
            "targets",
            f"targets_{y}.xlsx",
            "业绩目标",
            header,
            (
                [LEVEL_CN[r["level"]], r["entity_id"], r["period"], METRIC_CN[r["metric"]], r["value"]]
                for r in rows
                if r["period"].startswith(y)
            ),
        )
    header = [
        "调整单号",
        "层级",
        "对象编号",
        "生效周期",
        "指标",
        "调整后目标",
        "调整原因",
        "申请人",
        "审批人",
        "审批时间",
        "审批状态",
    ]
    w.csv(
        "target_adjustments",
        f"target_adjustments_{as_of.isoformat()}.csv",
        header,
        (
            [
                a["adjustment_id"],
                LEVEL_CN[a["level"]],
                a["entity_id"],
                a["period"],
                METRIC_CN[a["metric"]],
                f"{a['new_value']:.2f}",
                a["reason"],
                a["requested_by"],
                a["approved_by"],
                ts(a["approved_at"]),
                ADJ_STATUS_CN[a["status"]],
            ]
            for a in adjustments
        ),
        bom=True,
    )


def write_actions(w: Writer, items: list[dict], as_of: date) -> None:
    header = [
        "行动编号",
        "复盘类型",
        "复盘周期",
        "问题描述",
        "改进措施",
        "责任人工号",
        "截止日期",
        "完成状态",
        "完成日期",
    ]
    w.xlsx(
        "action_items",
        f"action_items_{as_of.isoformat()}.xlsx",
        "复盘行动表",
        header,
        (
            [
                a["action_id"],
                REVIEW_CN[a["review_type"]],
                a["review_period"],
                a["problem"],
                a["measure"],
                a["owner_rep_id"],
                a["due_date"],
                ACTION_STATUS_CN[a["status"]],
                a["closed_at"],
            ]
            for a in items
        ),
    )


# ---------------------------------------------------------------------------------------------


def write_crm(w: Writer, cal: Cal, org: Org, crm: Crm, migration: date) -> dict:
    """Customers, orders, receivables, payments (monthly) and opportunity snapshots (daily).
    Files dated before `migration` come from the old CRM (canonical headers, ISO dates, plain
    amounts); from `migration` on, the new CRM (English headers, `Closed Won`-style values,
    `2026/3/5` dates, `1,234,500.00` amounts)."""
    start = org.start

    def new_crm(d: date) -> bool:
        return d >= migration

    # customers: by month created; everything created before the window is in the first file
    by_month: dict[date, list] = {}
    for c in crm.customers:
        if c.created_at.date() > org.as_of:
            continue
        by_month.setdefault(max(month_start(c.created_at.date()), start), []).append(c)
    for m, items in sorted(by_month.items()):
        if new_crm(m):
            header = [
                "Customer ID",
                "Customer Name",
                "Industry",
                "Region",
                "Lead Source",
                "Created Date",
                "Owner ID",
            ]
            rows = (
                [
                    c.customer_id,
                    c.name,
                    c.industry,
                    c.region,
                    SOURCE_EN[c.source],
                    ts(c.created_at),
                    c.owner_rep_id,
                ]
                for c in items
            )
        else:
            header = ["customer_id", "name", "industry", "region", "source", "created_at", "owner_rep_id"]
            rows = (
                [c.customer_id, c.name, c.industry, c.region, c.source, ts(c.created_at), c.owner_rep_id]
                for c in items
            )
        w.csv("customers", f"customers_{month_key(m)}.csv", header, rows)

    # orders by month signed
    orders_by: dict[date, list] = {}
    for o in crm.orders:
        orders_by.setdefault(month_start(o.signed_date), []).append(o)
    for m, items in sorted(orders_by.items()):
        if new_crm(m):
            header = [
                "Order ID",
                "Customer ID",
                "Opportunity ID",
                "Owner ID",
                "Product Line",
                "Contract Amount",
                "Signed Date",
                "Status",
            ]
            rows = (
                [
                    o.order_id,
                    o.customer_id,
                    o.opportunity_id,
                    o.owner_rep_id,
                    o.product_line,
                    money(o.amount_cents, True),
                    slash(o.signed_date),
                    o.status.capitalize(),
                ]
                for o in items
            )
        else:
            header = [
                "order_id",
                "customer_id",
                "opportunity_id",
                "owner_rep_id",
                "product_line",
                "amount",
                "signed_date",
                "status",
            ]
            rows = (
                [
                    o.order_id,
                    o.customer_id,
                    o.opportunity_id,
                    o.owner_rep_id,
                    o.product_line,
                    money(o.amount_cents),
                    o.signed_date.isoformat(),
                    o.status,
                ]
                for o in items
            )
        w.csv("orders", f"orders_{month_key(m)}.csv", header, rows)

    # the malformed export: no amount column (copies of rows that are also in a good file)
    first = sorted(orders_by)[0]
    sample = [o for o in orders_by[first] if o.owner_rep_id != org.unknown_rep_id][:5]
    broken = "landing/orders/orders_export_broken.csv"
    w.csv(
        "orders",
        "orders_export_broken.csv",
        [
            "order_id",
            "customer_id",
            "opportunity_id",
            "owner_rep_id",
            "product_line",
            "signed_date",
            "status",
        ],
        (
            [
                o.order_id,
                o.customer_id,
                o.opportunity_id,
                o.owner_rep_id,
                o.product_line,
                o.signed_date.isoformat(),
                o.status,
            ]
            for o in sample
        ),
    )
    malformed = [{"file": broken, "kind": "orders", "reason": "missing required column amount"}]

    # receivables by month of the order's signing (UTF-8 with BOM)
    signed = {o.order_id: o.signed_date for o in crm.orders}
    recv_by: dict[date, list] = {}
    for x in crm.receivables:
        recv_by.setdefault(month_start(signed[x.order_id]), []).append(x)
    for m, items in sorted(recv_by.items()):
        if new_crm(m):
            header = ["Receivable ID", "Order ID", "Amount Due", "Due Date"]
            rows = (
                [x.receivable_id, x.order_id, money(x.amount_cents, True), slash(x.due_date)] for x in items
            )
        else:
            header = ["receivable_id", "order_id", "amount", "due_date"]
            rows = (
                [x.receivable_id, x.order_id, money(x.amount_cents), x.due_date.isoformat()] for x in items
            )
        w.csv("receivables", f"receivables_{month_key(m)}.csv", header, rows, bom=True)

    # payments by month received
    pay_by: dict[date, list] = {}
    for p in crm.payments:
        pay_by.setdefault(month_start(p.received_date), []).append(p)
    for m, items in sorted(pay_by.items()):
        if new_crm(m):
            header = ["Payment ID", "Receivable ID", "Order ID", "Amount Received", "Payment Date"]
            rows = (
                [
                    p.payment_id,
                    p.receivable_id,
                    p.order_id,
                    money(p.amount_cents),
                    p.received_date.isoformat(),
                ]
                for p in items
            )
        else:
            header = ["payment_id", "receivable_id", "order_id", "amount", "received_date"]
            rows = (
                [
                    p.payment_id,
                    p.receivable_id,
                    p.order_id,
                    money(p.amount_cents),
                    p.received_date.isoformat(),
                ]
                for p in items
            )
        w.csv("payments", f"payments_{month_key(m)}.csv", header, rows)

    write_snapshots(w, org, crm.opportunities, migration)
    return {"malformed_files": malformed}


SNAP_OLD = (
    "snapshot_date,opportunity_id,customer_id,owner_rep_id,product_line,stage,amount,created_at,"
    "stage_changed_at,expected_close_date,closed_at,status,lost_reason"
)
SNAP_NEW = (
    "Snapshot Date,Opportunity ID,Account ID,Owner ID,Product Line,Stage,Amount,Created Date,"
    "Last Stage Change,Expected Close Date,Closed At,Status,Lost Reason"
)
CLOSED_VISIBLE_DAYS = 30


def _snap_rest(o: Opportunity, stage: str, changed: datetime, new: bool) -> str:
    closed = changed if stage in ("won", "lost") else None
    status = stage if stage in ("won", "lost") else "open"
    reason = o.lost_reason if stage == "lost" else ""
    if new:
        return (
            f"{o.opportunity_id},{o.customer.customer_id},{o.owner_rep_id},{o.product_line},"
            f"{STAGE_EN[stage]},{o.amount}.00,{ts(o.created_at)},{ts(changed)},{slash(o.expected_close_date)},"
            f"{ts(closed)},{STATUS_EN[status]},{reason}"
        )
    return (
        f"{o.opportunity_id},{o.customer.customer_id},{o.owner_rep_id},{o.product_line},"
        f"{STAGE_CN[stage]},{o.amount}.00,{ts(o.created_at)},{ts(changed)},"
        f"{o.expected_close_date.isoformat()},{ts(closed)},{STATUS_CN[status]},{reason}"
    )


def write_snapshots(w: Writer, org: Org, opps: list[Opportunity], migration: date) -> None:
    """One file per calendar day: every opportunity open at the end of that day or closed within
    the 30 days ending on it. Built incrementally (an active set), so memory stays small."""
    start, as_of = org.start, org.as_of
    n_days = (as_of - start).days + 1
    mig = (migration - start).days
    begins: dict[int, list[tuple[int, Opportunity, str, datetime]]] = defaultdict(list)
    ends: dict[int, list[int]] = defaultdict(list)
    seg = 0
    for o in opps:
        hist = o.history
        for i, (stage, when) in enumerate(hist):
            lo = (when.date() - start).days
            if i + 1 < len(hist):
                hi = (hist[i + 1][1].date() - start).days - 1
            elif stage in ("won", "lost"):
                hi = lo + CLOSED_VISIBLE_DAYS - 1
            else:
                hi = n_days - 1
            lo, hi = max(lo, 0), min(hi, n_days - 1)
            if hi < lo:
                continue
            seg += 1
            begins[lo].append((seg, o, stage, when))
            ends[hi + 1].append(seg)
    active: dict[int, tuple[Opportunity, str, datetime]] = {}
    text: dict[int, str] = {}
    for d in range(n_days):
        new = d >= mig
        for k in ends.get(d, ()):
            del active[k]
            del text[k]
        if d == mig:
            for k, (o, stage, when) in active.items():
                text[k] = _snap_rest(o, stage, when, True)
        for k, o, stage, when in begins.get(d, ()):
            active[k] = (o, stage, when)
            text[k] = _snap_rest(o, stage, when, new)
        iso = (start + timedelta(days=d)).isoformat()
        rows = text.values()
        body = (iso + "," + ("\n" + iso + ",").join(rows) + "\n") if rows else ""
        w.text(
            "opportunities",
            f"opportunities_{iso}.csv",
            (SNAP_NEW if new else SNAP_OLD) + "\n" + body,
            len(rows),
        )
