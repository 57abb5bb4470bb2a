"""Labels and number, money, percent and date formats for the brief locales (zh-CN, en).

zh-CN shows money in 万元 with two decimals, as the seed's tables do; en shows whole CNY with
thousands separators. Missing values render as an em dash in both.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from functools import cache

LOCALES = ("zh-CN", "en")
DASH = "—"

_LABELS: dict[str, dict[str, str]] = {
    # titles
    "daily_title": {"zh-CN": "每日异常清单", "en": "Daily exception digest"},
    "weekly_title": {"zh-CN": "团队周度业绩简报", "en": "Team weekly brief"},
    "monthly_title": {"zh-CN": "月度业绩复盘", "en": "Monthly review pack"},
    "scope_team": {"zh-CN": "团队", "en": "Team"},
    "scope_region": {"zh-CN": "区域", "en": "Region"},
    "scope_company": {"zh-CN": "全公司", "en": "Company"},
    "company_name": {"zh-CN": "全公司", "en": "Company"},
    "generated_at": {"zh-CN": "生成时间", "en": "Generated"},
    "as_of": {"zh-CN": "数据截至", "en": "Data as of"},
    "period": {"zh-CN": "统计周期", "en": "Period"},
    "supervisor": {"zh-CN": "主管", "en": "Supervisor"},
    "page": {"zh-CN": "第 {page} 页", "en": "Page {page}"},
    "confidential": {"zh-CN": "内部资料 · 请勿外传", "en": "Internal · do not forward outside the company"},
    # KPI names: each KPI column's label is declared with it, in dbt_project/kpis.yml (kpi_labels)
    "yoy": {"zh-CN": "同比", "en": "YoY"},
    "pop_week": {"zh-CN": "环比（上周）", "en": "vs last week"},
    "pop_month": {"zh-CN": "环比", "en": "MoM"},
    # table headers
    "rep": {"zh-CN": "销售人员", "en": "Rep"},
    "team": {"zh-CN": "团队", "en": "Team"},
    "region": {"zh-CN": "区域", "en": "Region"},
    "product": {"zh-CN": "产品线", "en": "Product line"},
    "metric": {"zh-CN": "指标", "en": "Metric"},
    "actual": {"zh-CN": "实际完成", "en": "Actual"},
    "gap": {"zh-CN": "差距", "en": "Gap"},
    "key_issue": {"zh-CN": "关键问题", "en": "Key issue"},
    "total": {"zh-CN": "合计", "en": "Total"},
    "status": {"zh-CN": "状态", "en": "Status"},
    "weekly_report": {"zh-CN": "周报", "en": "Weekly report"},
    "daily_reports": {"zh-CN": "日报（按时/应交）", "en": "Daily reports (on time/expected)"},
    "obstacle": {"zh-CN": "遇到的主要障碍", "en": "Obstacle reported"},
    "obstacle_category": {"zh-CN": "障碍类型", "en": "Category"},
    "support_needed": {"zh-CN": "需支持事项", "en": "Support needed"},
    "key_customer_progress": {"zh-CN": "重点客户进展", "en": "Key-customer progress"},
    "problem": {"zh-CN": "问题", "en": "Problem"},
    "measure": {"zh-CN": "改进措施", "en": "Measure"},
    "owner": {"zh-CN": "责任人", "en": "Owner"},
    "due_date": {"zh-CN": "完成期限", "en": "Due"},
    "review": {"zh-CN": "复盘", "en": "Review"},
    "minutes_late": {"zh-CN": "迟交（分钟）", "en": "Minutes late"},
    "submitted_at": {"zh-CN": "提交时间", "en": "Submitted"},
    "report_type": {"zh-CN": "报表", "en": "Report"},
    "kind": {"zh-CN": "类型", "en": "Kind"},
    "detail": {"zh-CN": "说明", "en": "Detail"},
    "severity": {"zh-CN": "级别", "en": "Severity"},
    "dates": {"zh-CN": "日期", "en": "Dates"},
    "value": {"zh-CN": "数值", "en": "Value"},
    "baseline": {"zh-CN": "基线", "en": "Baseline"},
    "likely_cause": {"zh-CN": "可能原因", "en": "Likely cause"},
    "what_they_do": {"zh-CN": "做法差异", "en": "What they do differently"},
    "referral_share": {"zh-CN": "转介绍占新客比", "en": "Referral share of new customers"},
    "share": {"zh-CN": "占比", "en": "Share"},
    # sections
    "sec_kpis": {"zh-CN": "核心指标", "en": "Key figures"},
    "sec_completeness": {"zh-CN": "数据完整性", "en": "Data completeness"},
    "sec_reps_week": {"zh-CN": "个人周业绩", "en": "Week by rep"},
    "sec_below_target": {"zh-CN": "未达标人员及障碍", "en": "Reps below target and their obstacles"},
    "sec_key_customers": {"zh-CN": "重点客户进展", "en": "Key-customer progress"},
    "sec_compliance": {"zh-CN": "报表提交合规", "en": "Report submission compliance"},
    "sec_actions": {"zh-CN": "行动项（未关闭）", "en": "Open action items"},
    "sec_actions_closed": {"zh-CN": "本期已关闭的行动项", "en": "Action items closed this period"},
    "sec_support": {"zh-CN": "需支持事项", "en": "Support requested"},
    "sec_late_missing": {"zh-CN": "迟交/未交日报", "en": "Late or missing daily reports"},
    "sec_streaks": {"zh-CN": "连续零拜访", "en": "Zero-activity streaks"},
    "sec_anomalies": {"zh-CN": "异常数据", "en": "Anomalies"},
    "sec_personal": {"zh-CN": "个人业绩跟踪表", "en": "Personal performance tracking"},
    "sec_team_summary": {"zh-CN": "团队业绩汇总表", "en": "Team performance summary"},
    "sec_target_vs_actual": {"zh-CN": "目标对比分析表", "en": "Target vs actual"},
    "sec_charts": {"zh-CN": "图表", "en": "Charts"},
    "sec_top": {"zh-CN": "高绩效人员经验", "en": "Top performers"},
    "sec_low": {"zh-CN": "低绩效人员原因分析", "en": "Low performers and likely causes"},
    "sec_action_table": {"zh-CN": "月度复盘行动表", "en": "Review action items"},
    # statuses and notes
    "on_time": {"zh-CN": "按时", "en": "on time"},
    "late": {"zh-CN": "迟交", "en": "late"},
    "missing": {"zh-CN": "未交", "en": "missing"},
    "overdue": {"zh-CN": "已逾期", "en": "overdue"},
    "open": {"zh-CN": "未开始", "en": "open"},
    "in_progress": {"zh-CN": "进行中", "en": "in progress"},
    "done": {"zh-CN": "已完成", "en": "done"},
    "cancelled": {"zh-CN": "已取消", "en": "cancelled"},
    "provisional": {"zh-CN": "暂定", "en": "provisional"},
    "provisional_note": {
        "zh-CN": "标注“暂定”的数字可能变化：",
        "en": "Figures marked provisional may still change:",
    },
    "reason_open_period": {
        "zh-CN": "统计周期尚未结束（截至 {date}）",
        "en": "the period is not over yet (data through {date})",
    },
    "reason_late_missing": {
        "zh-CN": "{late} 份报表迟交、{missing} 份未交",
        "en": "{late} reports late and {missing} missing",
    },
    "reason_checks": {"zh-CN": "{n} 项数据检查未通过", "en": "{n} data checks failed"},
    "completeness_unavailable": {
        "zh-CN": "报表提交与数据质量数据暂不可用（质量模型尚未构建），迟交/未交与检查结果未计入。",
        "en": "Submission and data-quality data are unavailable (quality models not built yet); "
        "late/missing reports and failed checks are not shown.",
    },
    "completeness_ok": {
        "zh-CN": "本期报表全部按时提交，未发现影响数字的检查失败。",
        "en": "All reports for the period arrived on time and no check affecting the figures failed.",
    },
    "reports_expected": {"zh-CN": "应交报表", "en": "Reports expected"},
    "reports_on_time": {"zh-CN": "按时", "en": "On time"},
    "reports_late": {"zh-CN": "迟交", "en": "Late"},
    "reports_missing": {"zh-CN": "未交", "en": "Missing"},
    "failed_checks": {"zh-CN": "未通过的检查", "en": "Failed checks"},
    "none": {"zh-CN": "无", "en": "None"},
    "no_exceptions": {"zh-CN": "今日无异常。", "en": "No exceptions today."},
    "non_workday": {"zh-CN": "非工作日，无日报要求。", "en": "Not a working day: no reports were due."},
    "more_rows": {"zh-CN": "另有 {n} 条未列出", "en": "{n} more not shown"},
    "daily": {"zh-CN": "日报", "en": "daily"},
    "weekly": {"zh-CN": "周报", "en": "weekly"},
    "monthly": {"zh-CN": "月度", "en": "monthly"},
    "target_line": {"zh-CN": "目标", "en": "Target"},
    "sales_line": {"zh-CN": "销售额", "en": "Sales"},
    "chart_trend": {"zh-CN": "近12个月销售额与目标", "en": "Sales vs target, last 12 months"},
    "chart_rep_completion": {"zh-CN": "个人完成率", "en": "Completion by rep"},
    "chart_team_completion": {"zh-CN": "团队完成率", "en": "Completion by team"},
    "chart_region_completion": {"zh-CN": "区域完成率", "en": "Completion by region"},
    "chart_product_share": {"zh-CN": "产品线业绩占比", "en": "Sales by product line"},
    "chart_region_share": {"zh-CN": "区域业绩占比", "en": "Sales by region"},
    "chart_team_share": {"zh-CN": "团队业绩占比", "en": "Sales by team"},
    "chart_rep_share": {"zh-CN": "个人业绩占比", "en": "Sales by rep"},
    "money_axis": {"zh-CN": "万元", "en": "CNY thousand"},
    "cause_activity": {
        "zh-CN": "活动量不足（日均拜访 {value}，团队中位 {median}）",
        "en": "low activity ({value} visits/day vs team median {median})",
    },
    "cause_conversion": {
        "zh-CN": "转化偏低（赢单率 {value}，团队中位 {median}）",
        "en": "weak conversion (win rate {value} vs team median {median})",
    },
    "cause_collection": {
        "zh-CN": "回款偏慢（回款率 {value}，团队中位 {median}）",
        "en": "slow collection ({value} collected vs team median {median})",
    },
    "cause_unclear": {"zh-CN": "原因待复盘确认", "en": "cause to be discussed in the review"},
    "coaching": {
        "zh-CN": "连续两月完成率低于 {pct}，需辅导",
        "en": "below {pct} two months running: coaching",
    },
    "top_referral": {
        "zh-CN": "新客中转介绍占 {value}（团队 {team}）",
        "en": "{value} of new customers from referrals (team {team})",
    },
    "top_visits": {
        "zh-CN": "日均拜访 {value}（团队中位 {median}）",
        "en": "{value} visits/day (team median {median})",
    },
    "top_aov": {
        "zh-CN": "客单价 {value}（团队中位 {median}）",
        "en": "avg order {value} (team median {median})",
    },
    "sheet_personal": {"zh-CN": "个人业绩跟踪表", "en": "Personal tracking"},
    "sheet_team": {"zh-CN": "团队业绩汇总表", "en": "Team summary"},
    "sheet_target": {"zh-CN": "目标对比分析表", "en": "Target vs actual"},
    "sheet_actions": {"zh-CN": "复盘行动表", "en": "Action items"},
    "sheet_week": {"zh-CN": "个人周业绩", "en": "Week by rep"},
    "sheet_obstacles": {"zh-CN": "障碍与支持", "en": "Obstacles and support"},
    "sheet_exceptions": {"zh-CN": "异常清单", "en": "Exceptions"},
    "money_unit_header": {"zh-CN": "（万元）", "en": " (CNY k)"},
    "money_unit_header_xlsx": {"zh-CN": "（万元）", "en": " (CNY)"},
    "obstacle_price": {"zh-CN": "价格", "en": "price"},
    "obstacle_competition": {"zh-CN": "竞品", "en": "competition"},
    "obstacle_customer_budget": {"zh-CN": "客户预算", "en": "customer budget"},
    "obstacle_product": {"zh-CN": "产品", "en": "product"},
    "obstacle_internal_process": {"zh-CN": "内部流程", "en": "internal process"},
    "obstacle_other": {"zh-CN": "其他", "en": "other"},
    "no_report": {"zh-CN": "未提交周报", "en": "no weekly report"},
    "all_on_target": {"zh-CN": "本周全员达成目标。", "en": "Everyone met the week's target."},
    "no_actions": {"zh-CN": "没有未关闭的行动项。", "en": "No open action items."},
    "subject": {"zh-CN": "{title} · {scope} · {period}", "en": "{title} · {scope} · {period}"},
    "email_intro": {
        "zh-CN": "附件为 PDF 与 Excel 版本。",
        "en": "The PDF and Excel versions are attached.",
    },
    "workdays": {"zh-CN": "工作日 {elapsed}/{total}", "en": "working day {elapsed} of {total}"},
    "own_team": {"zh-CN": "本团队", "en": "this team"},
    "days": {"zh-CN": "{n} 天", "en": "{n} days"},
    # needs attention
    "sec_attention": {"zh-CN": "需关注", "en": "Needs attention"},
    "attention_none": {
        "zh-CN": "本期没有需要特别关注的事项。",
        "en": "Nothing needs your attention this period.",
    },
    "attn_behind_pace": {
        "zh-CN": "{name} 进度落后 {points}：完成 {completion}，时间已过 {progress}，落后 {shortfall}；"
        "剩余每个工作日需完成 {needed}。",
        "en": "{name} is {points} behind pace: {completion} of target with {progress} of the time gone, "
        "{shortfall} short; needs {needed} per working day from here.",
    },
    "attn_missed_target": {
        "zh-CN": "{name} 本期完成 {completion}，距目标差 {shortfall}。",
        "en": "{name} finished at {completion} of target, {shortfall} short.",
    },
    "attn_no_report": {
        "zh-CN": "{name} 已连续 {days} 个工作日未交日报（自 {since} 起）。",
        "en": "{name} has sent no daily report for {days} working days (since {since}).",
    },
    "attn_sales_drop": {
        "zh-CN": "{name} 销售额环比下降 {share}（{before} → {now}）。",
        "en": "{name}'s sales fell {share} against the previous period ({before} → {now}).",
    },
    "attn_overdue_receivables": {
        "zh-CN": "{name} 名下逾期应收 {amount}，需跟进回款。",
        "en": "{name} has {amount} of receivables overdue: chase the payments.",
    },
    "attn_overdue_actions": {
        "zh-CN": "{name} 有 {count} 项行动逾期，最早一项“{problem}”应于 {due} 完成（已逾期 {days} 天）。",
        "en": "{name} owns {count} overdue action item(s); the oldest, “{problem}”, was due {due} "
        "({days} days ago).",
    },
    "attn_unknown_rep_orders": {
        "zh-CN": "{count} 笔订单共 {amount} 的负责人不在名册中（{reps}），未计入任何业绩合计，"
        "请核对名册或订单。",
        "en": "{count} order(s) worth {amount} belong to reps missing from the roster ({reps}) and are "
        "left out of every total: fix the roster or the orders.",
    },
    "attn_zero_visits": {
        "zh-CN": "{name} 已连续 {days} 个工作日零拜访（自 {since} 起）。",
        "en": "{name} has logged no visits for {days} working days (since {since}).",
    },
    "attn_missing_today": {
        "zh-CN": "今日 {count} 人未交日报：{names}。",
        "en": "{count} daily report(s) missing today: {names}.",
    },
    "attn_error_finding": {
        "zh-CN": "{name}：{kind}（{detail}）。",
        "en": "{name}: {kind} ({detail}).",
    },
    # forecast and leaderboard
    "sec_forecast": {"zh-CN": "月末 / 季末预测", "en": "Month-end and quarter-end forecast"},
    "sheet_forecast": {"zh-CN": "预测", "en": "Forecast"},
    "forecast_note": {
        "zh-CN": "按已过工作日的日均销售额推算（run rate），或在已签销售额上加权计入预计本期成交的在手商机"
        "（初步接洽 10%、方案 30%、谈判 60%、即将签约 80%）。",
        "en": "Run rate: sales per elapsed working day carried to the period's end. Pipeline-weighted: "
        "sales so far plus open deals due by the period's end at 10 / 30 / 60 / 80 % by stage.",
    },
    "entity": {"zh-CN": "对象", "en": "Who"},
    "horizon": {"zh-CN": "周期", "en": "Period"},
    "to_date": {"zh-CN": "已完成", "en": "To date"},
    "proj_run_rate": {"zh-CN": "按进度预测", "en": "Run-rate projection"},
    "proj_completion": {"zh-CN": "预测完成率", "en": "Projected"},
    "proj_pipeline": {"zh-CN": "含商机预测", "en": "Pipeline-weighted"},
    "proj_gap": {"zh-CN": "预测缺口", "en": "Projected gap"},
    "needed_per_day": {"zh-CN": "每工作日需完成", "en": "Needed / working day"},
    "month_end": {"zh-CN": "{label} 月末", "en": "{label} end"},
    "quarter_end": {"zh-CN": "{label} 季末", "en": "{label} end"},
    "sec_leaderboard": {"zh-CN": "排行榜（本月累计完成率）", "en": "Leaderboard (month-to-date completion)"},
    "sheet_leaderboard": {"zh-CN": "排行榜", "en": "Leaderboard"},
    "sec_new_hires": {
        "zh-CN": "新人（入职不满 {months} 个月，按爬坡目标，不参与排名）",
        "en": "New hires (under {months} months, measured on their ramp target, not ranked)",
    },
    "sheet_new_hires": {"zh-CN": "新人爬坡", "en": "New hires"},
    "rank": {"zh-CN": "名次", "en": "Rank"},
    "mtd_sales": {"zh-CN": "本月累计", "en": "Month to date"},
    "month_target": {"zh-CN": "月目标", "en": "Month target"},
    "week_sales": {"zh-CN": "本周销售额", "en": "This week"},
    "hire_date": {"zh-CN": "入职日期", "en": "Hired"},
    "ramp_target": {"zh-CN": "爬坡目标", "en": "Ramp target"},
    # target vs actual, one entity per table
    "sec_scope_targets": {"zh-CN": "本单位指标达成", "en": "Targets of the unit"},
    "sheet_scope_targets": {"zh-CN": "本单位指标", "en": "Unit targets"},
    "sales_target": {"zh-CN": "销售目标", "en": "Sales target"},
    "sales_actual": {"zh-CN": "销售实际", "en": "Sales"},
    "nc_target": {"zh-CN": "新客目标", "en": "New cust. target"},
    "nc_actual": {"zh-CN": "新客实际", "en": "New cust."},
    "visits_target": {"zh-CN": "拜访目标", "en": "Visits target"},
    "visits_actual": {"zh-CN": "拜访实际", "en": "Visits"},
    "collection_target": {"zh-CN": "回款率目标", "en": "Collection target"},
    "collection_actual": {"zh-CN": "回款率实际", "en": "Collection"},
    "new_customers_short": {"zh-CN": "新签客户", "en": "New cust."},
    "days_count": {"zh-CN": "天数", "en": "Days"},
    "sheet_progress": {"zh-CN": "重点客户进展", "en": "Key customers"},
    "sheet_support": {"zh-CN": "需支持事项", "en": "Support"},
    # unknown reps (SPEC §7)
    "sec_unknown_orders": {
        "zh-CN": "未计入合计的订单（负责人不在名册）",
        "en": "Orders left out (owner not in the roster)",
    },
    "sheet_unknown_orders": {"zh-CN": "未计入订单", "en": "Orders left out"},
    "order_id": {"zh-CN": "订单号", "en": "Order"},
    "unknown_owner": {"zh-CN": "负责人编号", "en": "Owner id"},
    "signed_date": {"zh-CN": "签约日期", "en": "Signed"},
    "amount": {"zh-CN": "金额", "en": "Amount"},
    "reason_unknown_orders": {
        "zh-CN": "{count} 笔订单（{amount}）的负责人不在名册中，未计入任何合计",
        "en": "{count} order(s) worth {amount} whose owner is not in the roster are in no total",
    },
    "unknown_orders_none": {"zh-CN": "无负责人未知的订单。", "en": "No orders of unknown reps."},
    "more_rows_xlsx": {
        "zh-CN": "另有 {n} 条未列出，完整列表见 Excel 附件。",
        "en": "{n} more rows in the Excel file.",
    },
    "lead_conversion_sub": {
        "zh-CN": "本月新增线索成交 {rate}",
        "en": "{rate} of this month's new leads signed",
    },
    "file_daily": {"zh-CN": "每日异常", "en": "daily-digest"},
    "file_weekly": {"zh-CN": "周报", "en": "weekly-brief"},
    "file_monthly": {"zh-CN": "月度复盘", "en": "monthly-review"},
    "read_online": {
        "zh-CN": "完整内容见附件 PDF 与 Excel。",
        "en": "The full brief is in the attached PDF and Excel files.",
    },
    "team_of": {"zh-CN": "团队", "en": "team"},
}


@cache
def kpi_labels() -> dict[str, dict[str, str]]:
    """The KPI columns' labels, from the marts' declaration (dbt_project/kpis.yml)."""
    from salespulse import kpis

    return kpis.labels(kpis.load())


def _label(key: str) -> dict[str, str] | None:
    return _LABELS.get(key) or kpi_labels().get(key)


_MONTHS_EN = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_MONTHS_EN_LONG = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
_WEEKDAYS_ZH = "一二三四五六日"
_WEEKDAYS_EN = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def _missing(value) -> bool:
    if value is None:
        return True
    try:
        return math.isnan(float(value))
    except (TypeError, ValueError):
        return False


@dataclass(frozen=True)
class Locale:
    """Formatting for one locale; templates get it as `t` (labels) and its methods as filters."""

    code: str

    def __post_init__(self) -> None:
        if self.code not in LOCALES:
            raise ValueError(f"unsupported brief locale {self.code!r}; use one of {', '.join(LOCALES)}")

    @property
    def is_zh(self) -> bool:
        return self.code == "zh-CN"

    @property
    def html_lang(self) -> str:
        return "zh-Hans" if self.is_zh else "en"

    def label(self, key: str, **values) -> str:
        label = _label(key)
        if label is None:
            raise KeyError(
                f"no label {key!r} (briefs/i18n.py, or a KPI column's label in dbt_project/kpis.yml)"
            )
        text = label[self.code]
        return text.format(**values) if values else text

    __call__ = label

    # numbers -------------------------------------------------------------------------------
    def money(self, value) -> str:
        """zh-CN: 12.35万; en: CNY 1.23M, CNY 123.5k, CNY 950."""
        if _missing(value):
            return DASH
        amount = Decimal(str(value))
        if self.is_zh:
            return f"{amount / 10000:,.2f}万"
        if abs(amount) >= 1_000_000:
            return f"CNY {amount / 1_000_000:,.2f}M"
        if abs(amount) >= 10_000:
            return f"CNY {amount / 1000:,.1f}k"
        return f"CNY {amount:,.0f}"

    def money_plain(self, value) -> str:
        """Money without a unit, for table columns whose header carries it: 万元 for zh-CN,
        thousands of CNY for en (both eight characters for a team's month)."""
        if _missing(value):
            return DASH
        amount = Decimal(str(value))
        return f"{amount / 10000:,.2f}" if self.is_zh else f"{amount / 1000:,.1f}"

    def money_unit(self, value) -> float | None:
        """The number a spreadsheet cell holds: 万元 for zh-CN, yuan for en."""
        if _missing(value):
            return None
        return float(Decimal(str(value)) / 10000) if self.is_zh else float(value)

    @property
    def money_cell_format(self) -> str:
        return "#,##0.00" if self.is_zh else "#,##0"

    def number(self, value, digits: int = 0) -> str:
        if _missing(value):
            return DASH
        return f"{float(value):,.{digits}f}"

    def percent(self, value, digits: int = 1) -> str:
        if _missing(value):
            return DASH
        return f"{float(value) * 100:.{digits}f}%"

    def signed_percent(self, value, digits: int = 1) -> str:
        if _missing(value):
            return DASH
        return f"{float(value) * 100:+.{digits}f}%"

    def points(self, value) -> str:
        """A difference of two rates, in percentage points."""
        if _missing(value):
            return DASH
        return f"{float(value) * 100:+.1f}" + ("个百分点" if self.is_zh else " pts")

    # dates ---------------------------------------------------------------------------------
    def date(self, value: date | None) -> str:
        if value is None:
            return DASH
        if self.is_zh:
            return f"{value.year}年{value.month}月{value.day}日"
        return f"{value.day} {_MONTHS_EN[value.month - 1]} {value.year}"

    def short_date(self, value: date | None) -> str:
        if value is None:
            return DASH
        return f"{value.month}月{value.day}日" if self.is_zh else f"{value.day} {_MONTHS_EN[value.month - 1]}"

    def table_date(self, value: date | None) -> str:
        """A date in a table: always with the year (an action item may be a year old)."""
        if value is None:
            return DASH
        return value.isoformat() if self.is_zh else f"{value.day} {_MONTHS_EN[value.month - 1]} {value.year}"

    def datetime(self, value: datetime | None) -> str:
        if value is None:
            return DASH
        return f"{self.short_date(value.date())} {value:%H:%M}"

    def weekday(self, value: date) -> str:
        return f"星期{_WEEKDAYS_ZH[value.weekday()]}" if self.is_zh else _WEEKDAYS_EN[value.weekday()]

    def day_title(self, value: date) -> str:
        return (
            f"{self.date(value)} {self.weekday(value)}"
            if self.is_zh
            else f"{self.weekday(value)} {self.date(value)}"
        )

    def week_title(self, start: date, end: date) -> str:
        year, week, _ = start.isocalendar()
        span = f"{self.short_date(start)}–{self.short_date(end)}"
        return f"{year}年第{week}周({span})" if self.is_zh else f"Week {week}, {year} ({span})"

    def month_title(self, value: date) -> str:
        return (
            f"{value.year}年{value.month}月"
            if self.is_zh
            else f"{_MONTHS_EN_LONG[value.month - 1]} {value.year}"
        )

    def month_short(self, value: date) -> str:
        return (
            f"{value.year % 100:02d}/{value.month:02d}"
            if self.is_zh
            else f"{_MONTHS_EN[value.month - 1]} {value.year % 100:02d}"
        )

    def status(self, value: str | None) -> str:
        if not value:
            return DASH
        label = _label(value)
        return label[self.code] if label else value
