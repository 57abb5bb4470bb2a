"""Simulation of the demo organisation: people, customers, opportunities, orders, money, targets.

Everything is drawn from generators seeded by the caller; nothing reads the clock.
"""

from __future__ import annotations

import math
import random
import warnings
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

import numpy as np

from salespulse.calendar import WorkCalendar
from salespulse.generate import names as N

REGIONS = (("华东", "EAST"), ("华北", "NORTH"), ("华南", "SOUTH"), ("西南", "SOUTHWEST"))
COMPANY_ENTITY = "COMPANY"
STAGES = ("initial_contact", "proposal", "negotiation", "closing")
ADVANCE = (0.72, 0.78, 0.82, 0.9)
SOURCES = ("referral", "marketing", "cold_call", "exhibition", "other")
SOURCE_WEIGHTS = (0.2, 0.25, 0.25, 0.15, 0.15)
SOURCE_WIN = {"referral": 1.1, "marketing": 1.0, "cold_call": 0.93, "exhibition": 1.0, "other": 0.97}
CN_DIGITS = "零一二三四五六七八九"


def cn_number(n: int) -> str:
    """1..99 as Chinese numerals (一, 十, 十一, 二十五)."""
    if n < 10:
        return CN_DIGITS[n]
    if n >= 100:
        return str(n)
    tens, ones = divmod(n, 10)
    return ("" if tens == 1 else CN_DIGITS[tens]) + "十" + (CN_DIGITS[ones] if ones else "")


def month_start(d: date, shift: int = 0) -> date:
    ordinal = d.year * 12 + d.month - 1 + shift
    return date(ordinal // 12, ordinal % 12 + 1, 1)


def month_end(d: date) -> date:
    return month_start(d, 1) - timedelta(days=1)


def month_key(d: date) -> str:
    return f"{d.year:04d}-{d.month:02d}"


class Cal:
    """Working-day lookups over a fixed date range (China calendar, 调休 included)."""

    def __init__(self, lo: date, hi: date):
        self.lo = lo
        self.hi = hi
        n = (hi - lo).days + 1
        work = WorkCalendar()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            flags = [work.is_workday(lo + timedelta(days=i)) for i in range(n)]
        self.flags = np.array(flags, dtype=bool)
        # next_idx[i]: first working-day index >= i (n when none)
        nxt = np.full(n + 1, n, dtype=np.int64)
        for i in range(n - 1, -1, -1):
            nxt[i] = i if self.flags[i] else nxt[i + 1]
        self.next_idx = nxt

    def idx(self, d: date) -> int:
        return (d - self.lo).days

    def day(self, i: int) -> date:
        return self.lo + timedelta(days=int(i))

    def is_workday(self, d: date) -> bool:
        i = self.idx(d)
        if 0 <= i < len(self.flags):
            return bool(self.flags[i])
        return d.weekday() < 5

    def snap(self, d: date) -> date:
        """The first working day on or after d."""
        i = self.idx(d)
        if i < 0:
            i = 0
        if i >= len(self.flags):
            while d.weekday() >= 5:
                d += timedelta(days=1)
            return d
        j = int(self.next_idx[i])
        return self.day(j) if j < len(self.flags) else d

    def workdays(self, a: date, b: date) -> list[date]:
        i, j = max(self.idx(a), 0), min(self.idx(b), len(self.flags) - 1)
        if j < i:
            return []
        ks = np.nonzero(self.flags[i : j + 1])[0] + i
        return [self.lo + timedelta(days=int(k)) for k in ks]

    def next_workday(self, d: date) -> date:
        return self.snap(d + timedelta(days=1))


@dataclass
class Team:
    team_id: str
    team_name: str
    region: str
    code: str
    supervisor_id: str = ""


@dataclass
class Person:
    rep_id: str
    name: str
    role: str
    team_id: str
    team_name: str
    region: str
    supervisor_id: str
    hire_date: date
    leave_date: date | None = None
    skill: float = 1.0
    visit_level: int = 0
    call_level: int = 0
    lead_level: float = 0.0
    # (effective_from, team) of a mid-period move
    move: tuple[date, Team] | None = None
    team: Team | None = None

    @property
    def email(self) -> str:
        return f"{self.rep_id.lower()}@demo.salespulse.local"

    def team_on(self, d: date) -> Team:
        if self.move and d >= self.move[0]:
            return self.move[1]
        return self.team  # type: ignore[return-value]

    def active_on(self, d: date) -> bool:
        return self.hire_date <= d and (self.leave_date is None or d <= self.leave_date)


@dataclass
class Org:
    start: date
    as_of: date
    teams: list[Team]
    people: list[Person]
    reps: list[Person]
    unknown_rep_id: str
    region_managers: dict[str, str]
    head_id: str
    mover: Person | None = None
    by_id: dict[str, Person] = field(default_factory=dict)


def _unique_names(rnd: random.Random, n: int) -> list[str]:
    seen: set[str] = set()
    out: list[str] = []
    while len(out) < n:
        given = rnd.choice(N.GIVEN) + (rnd.choice(N.GIVEN) if rnd.random() < 0.7 else "")
        name = rnd.choice(N.SURNAMES) + given
        if name not in seen:
            seen.add(name)
            out.append(name)
    return out


def _week_monday(d: date) -> date:
    return d - timedelta(days=d.weekday())


def build_org(rnd: random.Random, cal: Cal, start: date, as_of: date, reps: int) -> Org:
    per_region = 1 if reps < 8 else max(1, min(max(2, round(reps / 40)), reps // 8))
    teams: list[Team] = []
    for region, code in REGIONS:
        for t in range(1, per_region + 1):
            teams.append(Team(f"T-{code}-{t}", f"{region}{cn_number(t)}组", region, code))
    total = reps + len(teams) + len(REGIONS) + 1
    width = max(3, len(str(total)))
    ids = [f"R{i:0{width}d}" for i in range(1, total + 1)]
    names = _unique_names(rnd, total)

    def old_hire() -> date:
        return cal.snap(start - timedelta(days=rnd.randint(120, 2600)))

    people: list[Person] = []
    head_id = ids[-1]
    head = Person(head_id, names[-1], "manager", "HQ", "销售中心", "总部", "", old_hire())
    region_managers: dict[str, str] = {}
    managers: list[Person] = []
    for k, (region, code) in enumerate(REGIONS):
        pid = ids[reps + len(teams) + k]
        region_managers[region] = pid
        managers.append(
            Person(
                pid,
                names[reps + len(teams) + k],
                "manager",
                code,
                f"{region}大区",
                region,
                head_id,
                old_hire(),
            )
        )
    supervisors: list[Person] = []
    for k, team in enumerate(teams):
        pid = ids[reps + k]
        team.supervisor_id = pid
        supervisors.append(
            Person(
                pid,
                names[reps + k],
                "supervisor",
                team.team_id,
                team.team_name,
                team.region,
                region_managers[team.region],
                old_hire(),
                team=team,
            )
        )
    rep_people: list[Person] = []
    for i in range(reps):
        team = teams[i % len(teams)]
        rep_people.append(
            Person(
                ids[i],
                names[i],
                "rep",
                team.team_id,
                team.team_name,
                team.region,
                team.supervisor_id,
                old_hire(),
                skill=min(1.6, max(0.55, rnd.gauss(1.0, 0.22))),
                visit_level=rnd.randint(3, 8),
                call_level=rnd.randint(14, 30),
                lead_level=rnd.uniform(0.4, 2.5),
                team=team,
            )
        )
    for p in (*supervisors, *managers, head):
        p.team = p.team or Team(p.team_id, p.team_name, p.region, "")

    # Newcomers and leavers: hire on the first working day of an ISO week, leave on the last one.
    order = list(range(reps))
    rnd.shuffle(order)
    mondays = []
    monday = _week_monday(start) + timedelta(days=7)
    while monday + timedelta(days=6) <= as_of:
        mondays.append(monday)
        monday += timedelta(days=7)

    def first_wd(mon: date) -> date | None:
        days = cal.workdays(mon, mon + timedelta(days=6))
        return days[0] if days else None

    def last_wd(mon: date) -> date | None:
        days = cal.workdays(mon, mon + timedelta(days=6))
        return days[-1] if days else None

    hire_weeks = [m for m in mondays if start + timedelta(days=28) <= m <= as_of - timedelta(days=49)]
    leave_weeks = [m for m in mondays if start + timedelta(days=42) <= m <= as_of - timedelta(days=14)]
    n_new = max(1, round(reps * 0.06)) if hire_weeks and reps >= 6 else 0
    n_leave = max(2, round(reps * 0.04)) if leave_weeks and reps >= 6 else 0
    mover_idx = order[0] if reps >= 2 else None
    pos = 1
    for _ in range(n_new):
        p = rep_people[order[pos]]
        pos += 1
        p.hire_date = first_wd(rnd.choice(hire_weeks)) or p.hire_date
    for _ in range(n_leave):
        p = rep_people[order[pos]]
        pos += 1
        p.leave_date = last_wd(rnd.choice(leave_weeks))

    org = Org(start, as_of, teams, [], rep_people, "", region_managers, head_id)
    if mover_idx is not None:
        mover = rep_people[mover_idx]
        months = (as_of.year * 12 + as_of.month) - (start.year * 12 + start.month) + 1
        eff = month_start(start, months // 2) if months >= 2 else start + timedelta(days=14)
        if eff <= start:
            eff = start + timedelta(days=14)
        cur = teams.index(mover.team)  # type: ignore[arg-type]
        new_team = teams[(cur + per_region) % len(teams)]  # same slot in the next region
        mover.move = (eff, new_team)
        org.mover = mover
    people = [*rep_people, *supervisors, *managers, head]
    org.people = people
    org.by_id = {p.rep_id: p for p in people}
    org.unknown_rep_id = "R" + "9" * width
    assert org.unknown_rep_id not in org.by_id
    return org


# ---------------------------------------------------------------------------------------------
# CRM


@dataclass
class Customer:
    customer_id: str
    name: str
    industry: str
    region: str
    source: str
    created_at: datetime
    owner_rep_id: str


@dataclass
class Opportunity:
    opportunity_id: str
    customer: Customer
    owner_rep_id: str
    product_line: str
    amount: int  # yuan
    created_at: datetime
    expected_close_date: date
    # (stage, when) — stage in STAGES or won/lost; first entry is initial_contact at created_at
    history: list[tuple[str, datetime]]
    lost_reason: str = ""

    @property
    def closed_at(self) -> datetime | None:
        stage, when = self.history[-1]
        return when if stage in ("won", "lost") else None

    @property
    def status(self) -> str:
        stage = self.history[-1][0]
        return stage if stage in ("won", "lost") else "open"


@dataclass
class Order:
    order_id: str
    customer_id: str
    opportunity_id: str
    owner_rep_id: str
    product_line: str
    amount_cents: int
    signed_date: date
    status: str


@dataclass
class Receivable:
    receivable_id: str
    order_id: str
    amount_cents: int
    due_date: date


@dataclass
class Payment:
    payment_id: str
    receivable_id: str
    order_id: str
    amount_cents: int
    received_date: date


@dataclass
class Crm:
    customers: list[Customer]
    opportunities: list[Opportunity]
    orders: list[Order]
    receivables: list[Receivable]
    payments: list[Payment]
    unknown_rep_orders: list[dict]
    overpaid: list[dict]


def _at(rnd: random.Random, d: date, lo_h: int = 9, hi_h: int = 18) -> datetime:
    return datetime.combine(d, time(0)) + timedelta(seconds=rnd.randint(lo_h * 3600, hi_h * 3600 + 3599))


def _company_name(rnd: random.Random, region: str, used: set[str]) -> tuple[str, str]:
    for attempt in range(1000):
        industry = rnd.choice(tuple(N.INDUSTRIES))
        city = rnd.choice(N.REGION_CITIES[region])
        word = rnd.choice(N.COMPANY_WORDS)
        if attempt > 3 or rnd.random() < 0.3:
            word += rnd.choice(N.COMPANY_WORDS)
        name = city + word + rnd.choice(N.INDUSTRIES[industry]) + rnd.choice(N.COMPANY_SUFFIX)
        if name not in used:
            used.add(name)
            return name, industry
    raise RuntimeError("ran out of company names")


def simulate_crm(rnd: random.Random, cal: Cal, org: Org) -> Crm:
    start, as_of = org.start, org.as_of
    end_dt = datetime.combine(as_of, time(23, 59, 59))
    sim_start = start - timedelta(days=150)
    used_names: set[str] = set()
    customers: list[Customer] = []
    opps: list[Opportunity] = []
    for rep in org.reps:
        lo = max(rep.hire_date, sim_start)
        hi = min(rep.leave_date or as_of, as_of)
        rate = 3.0 * (0.8 + 0.2 * rep.skill) / 21.0
        weights = [
            w * (rep.skill**2 if s == "referral" else 1.0)
            for s, w in zip(SOURCES, SOURCE_WEIGHTS, strict=True)
        ]
        mine: list[Customer] = []
        days = cal.workdays(lo, hi)
        created_counts = np.random.default_rng(rnd.getrandbits(64)).poisson(rate, len(days))
        for j in np.nonzero(created_counts)[0]:
            day = days[j]
            for _ in range(int(created_counts[j])):
                created = _at(rnd, day)
                region = rep.team_on(day).region
                if mine and rnd.random() < 0.35:
                    cust = rnd.choice(mine)
                else:
                    name, industry = _company_name(rnd, region, used_names)
                    c_created = created - timedelta(days=rnd.randint(0, 10), minutes=rnd.randint(5, 300))
                    source = rnd.choices(SOURCES, weights)[0]
                    cust = Customer("", name, industry, region, source, c_created, rep.rep_id)
                    customers.append(cust)
                    mine.append(cust)
                pl = rnd.choices(range(len(N.PRODUCT_LINES)), N.PRODUCT_WEIGHTS)[0]
                amount = math.exp(rnd.gauss(math.log(N.PRODUCT_MEDIAN[pl]), 0.55))
                amount = int(round(min(2_000_000, max(50_000, amount)), -2))
                factor = math.sqrt(rep.skill) * SOURCE_WIN[cust.source]
                history = [("initial_contact", created)]
                when = created
                lost_reason = ""
                for step in range(4):
                    gap = 2 + rnd.expovariate(1 / 9)
                    when = _at(rnd, cal.snap((when + timedelta(days=gap)).date()))
                    if rnd.random() < min(0.97, ADVANCE[step] * factor):
                        history.append((STAGES[step + 1] if step < 3 else "won", when))
                    else:
                        history.append(("lost", when))
                        lost_reason = rnd.choice(N.LOST_REASONS)
                        break
                # the future has not happened yet; a leaver's open deals close when they leave
                history = [h for h in history if h[1] <= end_dt]
                if rep.leave_date is not None:
                    leave_dt = datetime.combine(rep.leave_date, time(17, 30))
                    cut = [h for h in history if h[1].date() <= rep.leave_date]
                    if len(cut) < len(history) or cut[-1][0] not in ("won", "lost"):
                        history = [*cut, ("lost", leave_dt)]
                        lost_reason = N.LEAVER_LOST_REASON
                if history[-1][0] != "lost":
                    lost_reason = ""
                expected = created.date() + timedelta(days=rnd.randint(30, 100))
                opps.append(
                    Opportunity(
                        "",
                        cust,
                        rep.rep_id,
                        N.PRODUCT_LINES[pl],
                        amount,
                        created,
                        expected,
                        history,
                        lost_reason,
                    )
                )
    customers.sort(key=lambda c: (c.created_at, c.name))
    for i, c in enumerate(customers, 1):
        c.customer_id = f"C{i:06d}"
    opps.sort(key=lambda o: (o.created_at, o.owner_rep_id))
    for i, o in enumerate(opps, 1):
        o.opportunity_id = f"OPP{i:07d}"

    # Orders from opportunities won inside the window.
    raw_orders: list[Order] = []
    for o in opps:
        closed = o.closed_at
        if o.status == "won" and closed is not None and closed.date() >= start:
            amount = int(round(o.amount * rnd.uniform(0.9, 1.0), -2))
            raw_orders.append(
                Order(
                    "",
                    o.customer.customer_id,
                    o.opportunity_id,
                    o.owner_rep_id,
                    o.product_line,
                    amount * 100,
                    closed.date(),
                    "signed",
                )
            )
    # The planted order of a rep who is not in the roster, for a known customer.
    unknown: list[dict] = []
    window_days = cal.workdays(start + timedelta(days=10), as_of - timedelta(days=5))
    known = [c for c in customers if c.created_at.date() < as_of - timedelta(days=30)]
    if window_days and known:
        d = window_days[len(window_days) // 2 + rnd.randint(0, max(0, len(window_days) // 4))]
        cust = rnd.choice([c for c in known if c.created_at.date() < d] or known)
        raw_orders.append(
            Order(
                "",
                cust.customer_id,
                "",
                org.unknown_rep_id,
                rnd.choice(N.PRODUCT_LINES),
                int(round(rnd.uniform(80_000, 600_000), -2)) * 100,
                d,
                "signed",
            )
        )
    raw_orders.sort(key=lambda r: (r.signed_date, r.owner_rep_id, r.opportunity_id))
    for i, r in enumerate(raw_orders, 1):
        r.order_id = f"SO{r.signed_date.year}{i:06d}"
        if r.owner_rep_id == org.unknown_rep_id:
            unknown.append(
                {"order_id": r.order_id, "rep_id": r.owner_rep_id, "date": r.signed_date.isoformat()}
            )
        elif r.signed_date <= as_of - timedelta(days=14) and rnd.random() < 0.02:
            r.status = "cancelled"

    receivables: list[Receivable] = []
    payments: list[Payment] = []
    plans = ((1.0,), (0.5, 0.5), (0.3, 0.6, 0.1), (0.3, 0.7))
    offsets = ((15, 30), (90, 120), (365, 365))
    for r in raw_orders:
        if r.status != "signed" or r.owner_rep_id == org.unknown_rep_id:
            continue
        plan = rnd.choice(plans)
        left = r.amount_cents
        for k, share in enumerate(plan):
            part = left if k == len(plan) - 1 else int(r.amount_cents * share) // 100 * 100
            left -= part
            lo_off, hi_off = offsets[k]
            due = r.signed_date + timedelta(days=rnd.randint(lo_off, hi_off))
            receivables.append(Receivable("", r.order_id, part, due))
    receivables.sort(key=lambda x: (x.order_id, x.due_date))
    for i, x in enumerate(receivables, 1):
        x.receivable_id = f"AR{i:07d}"
    signed = {r.order_id: r.signed_date for r in raw_orders}
    for x in receivables:
        behaviour = rnd.random()
        pays: list[tuple[int, date]] = []
        if behaviour < 0.65:
            pays.append((x.amount_cents, x.due_date - timedelta(days=rnd.randint(0, 7))))
        elif behaviour < 0.85:
            pays.append((x.amount_cents, x.due_date + timedelta(days=rnd.randint(5, 75))))
        elif behaviour < 0.93:
            first = x.amount_cents * rnd.randint(40, 70) // 100 // 100 * 100
            d1 = x.due_date + timedelta(days=rnd.randint(0, 20))
            pays.append((first, d1))
            if rnd.random() < 0.5:
                pays.append((x.amount_cents - first, d1 + timedelta(days=rnd.randint(20, 90))))
        for cents, d in pays:
            d = cal.snap(max(d, signed[x.order_id] + timedelta(days=1)))
            if d <= as_of and cents > 0:
                payments.append(Payment("", x.receivable_id, x.order_id, cents, d))
    payments.sort(key=lambda p: (p.received_date, p.receivable_id))

    # The planted overpayment: a receivable paid in full once, paid again later.
    overpaid: list[dict] = []
    by_recv: dict[str, list[Payment]] = {}
    for p in payments:
        by_recv.setdefault(p.receivable_id, []).append(p)
    recv_by_id = {x.receivable_id: x for x in receivables}
    candidates = [
        ps[0]
        for rid, ps in by_recv.items()
        if len(ps) == 1
        and ps[0].amount_cents == recv_by_id[rid].amount_cents
        and ps[0].received_date <= as_of - timedelta(days=20)
    ]
    if candidates:
        first = candidates[rnd.randrange(len(candidates))]
        d = cal.snap(first.received_date + timedelta(days=rnd.randint(3, 12)))
        if d >= as_of:
            d = first.received_date
        extra = Payment("", first.receivable_id, first.order_id, first.amount_cents, d)
        payments.append(extra)
        payments.sort(key=lambda p: (p.received_date, p.receivable_id, p is extra))
        overpaid.append({"payment": extra, "receivable": recv_by_id[first.receivable_id]})
    for i, p in enumerate(payments, 1):
        p.payment_id = f"PAY{i:07d}"
    overpaid_records = [
        {
            "receivable_id": o["receivable"].receivable_id,
            "payment_id": o["payment"].payment_id,
            "order_id": o["receivable"].order_id,
            "receivable_amount": o["receivable"].amount_cents / 100,
            "paid_amount": 2 * o["receivable"].amount_cents / 100,
            "date": o["payment"].received_date.isoformat(),
        }
        for o in overpaid
    ]
    return Crm(customers, opps, raw_orders, receivables, payments, unknown, overpaid_records)


# ---------------------------------------------------------------------------------------------
# Targets, adjustments, action items


def month_starts(start: date, as_of: date) -> list[date]:
    out, m = [], start
    while m <= as_of:
        out.append(m)
        m = month_start(m, 1)
    return out


def build_targets(rnd: random.Random, cal: Cal, org: Org) -> tuple[list[dict], list[dict]]:
    """Monthly targets per rep, team, region and company (team/region/company = sum of reps);
    quarter sales targets for company and regions for quarters wholly inside the window."""
    rows: list[dict] = []
    months = month_starts(org.start, org.as_of)
    base = {r.rep_id: 400_000 * (0.55 + 0.45 * r.skill**1.5) * rnd.uniform(0.95, 1.15) for r in org.reps}
    sums: dict[tuple[str, str, str, str], int] = {}
    for m in months:
        mdays = cal.workdays(m, month_end(m))
        period = month_key(m)
        for rep in org.reps:
            active = [d for d in mdays if rep.active_on(d)]
            if not active:
                continue
            share = len(active) / len(mdays)
            team = rep.team_on(max(m, rep.hire_date))
            values = {
                "sales_amount": int(round(base[rep.rep_id] * share, -4)),
                "new_customers": max(1, round(2 * share * (0.7 + 0.3 * rep.skill))),
                "visits": int(round(rep.visit_level * len(active), -1)),
            }
            for metric, value in values.items():
                rows.append(
                    {
                        "level": "rep",
                        "entity_id": rep.rep_id,
                        "period": period,
                        "metric": metric,
                        "value": value,
                    }
                )
                for key in (("team", team.team_id), ("region", team.region), ("company", COMPANY_ENTITY)):
                    k = (key[0], key[1], period, metric)
                    sums[k] = sums.get(k, 0) + value
    for (level, entity, period, metric), value in sums.items():
        rows.append({"level": level, "entity_id": entity, "period": period, "metric": metric, "value": value})
    # explicit quarter targets (a 5 % stretch over the sum of the months)
    for m in months:
        if m.month % 3 == 1 and month_start(m, 2) <= month_start(org.as_of):
            q = f"{m.year}-Q{(m.month - 1) // 3 + 1}"
            keys = [month_key(month_start(m, i)) for i in range(3)]
            for level, entity in [("company", COMPANY_ENTITY)] + [("region", r) for r, _ in REGIONS]:
                total = sum(sums.get((level, entity, k, "sales_amount"), 0) for k in keys)
                if total:
                    rows.append(
                        {
                            "level": level,
                            "entity_id": entity,
                            "period": q,
                            "metric": "sales_amount",
                            "value": int(round(total * 1.05, -4)),
                        }
                    )
    order = {"company": 0, "region": 1, "team": 2, "rep": 3}
    rows.sort(key=lambda r: (r["period"], r["metric"], order[r["level"]], r["entity_id"]))

    # one approved adjustment, one pending
    adjustments: list[dict] = []
    steady = [r for r in org.reps if r is not org.mover and r.leave_date is None and r.hire_date < org.start]
    rep_rows = {(r["entity_id"], r["period"], r["metric"]): r["value"] for r in rows if r["level"] == "rep"}
    if steady and len(months) >= 2:
        picks = rnd.sample(steady, min(2, len(steady)))
        m = months[max(1, len(months) // 2 - 1)]
        rep = picks[0]
        orig = rep_rows[(rep.rep_id, month_key(m), "sales_amount")]
        approved_at = _at(rnd, cal.snap(month_start(m, -1) + timedelta(days=20)), 10, 16)
        adjustments.append(
            {
                "adjustment_id": "ADJ0001",
                "level": "rep",
                "entity_id": rep.rep_id,
                "period": month_key(m),
                "metric": "sales_amount",
                "new_value": int(round(orig * 0.8, -4)),
                "original_value": orig,
                "reason": "重点客户项目延期至下季度，申请下调当月目标",
                "requested_by": rep.supervisor_id,
                "approved_by": org.region_managers[rep.team_on(m).region],
                "approved_at": approved_at,
                "status": "approved",
            }
        )
        if len(picks) > 1:
            rep = picks[1]
            m = months[-1]
            orig = rep_rows.get((rep.rep_id, month_key(m), "sales_amount"))
            if orig:
                adjustments.append(
                    {
                        "adjustment_id": "ADJ0002",
                        "level": "rep",
                        "entity_id": rep.rep_id,
                        "period": month_key(m),
                        "metric": "sales_amount",
                        "new_value": int(round(orig * 0.85, -4)),
                        "original_value": orig,
                        "reason": "负责区域客户预算冻结，申请调整目标",
                        "requested_by": rep.supervisor_id,
                        "approved_by": "",
                        "approved_at": None,
                        "status": "pending",
                    }
                )
    return rows, adjustments


def build_actions(rnd: random.Random, cal: Cal, org: Org) -> list[dict]:
    items: list[dict] = []
    as_of = org.as_of
    reviews: list[tuple[str, str, date]] = []
    for m in month_starts(org.start, as_of):
        review_day = cal.snap(month_start(m, 1))
        if review_day <= as_of:
            reviews.append(("monthly", month_key(m), review_day))
    monday = _week_monday(org.start) + timedelta(days=7)
    while monday + timedelta(days=7) <= as_of:
        iso = monday.isocalendar()
        reviews.append(("weekly", f"{iso[0]}-W{iso[1]:02d}", cal.snap(monday + timedelta(days=7))))
        monday += timedelta(days=7)
    reviews.sort(key=lambda r: (r[2], r[0]))
    for review_type, period, day in reviews:
        if day > as_of:
            continue
        by_team: dict[str, list[Person]] = {}
        for r in org.reps:
            if r.active_on(day) and (r.leave_date is None or r.leave_date > day + timedelta(days=45)):
                by_team.setdefault(r.team_on(day).team_id, []).append(r)
        for team in org.teams:
            n = rnd.randint(1, 3) if review_type == "monthly" else (1 if rnd.random() < 0.3 else 0)
            members = by_team.get(team.team_id, [])
            for _ in range(n):
                problem, measure = rnd.choice(N.ACTION_PROBLEMS)
                owner = rnd.choice(members).rep_id if members and rnd.random() < 0.7 else team.supervisor_id
                due = day + timedelta(days=rnd.randint(7, 30))
                u = rnd.random()
                closed = None
                if due <= as_of:
                    status = (
                        "done"
                        if u < 0.7
                        else "cancelled"
                        if u < 0.75
                        else "in_progress"
                        if u < 0.85
                        else "open"
                    )
                    if status == "done":
                        closed = min(as_of, day + timedelta(days=rnd.randint(1, (due - day).days)))
                else:
                    status = "open" if u < 0.5 else "in_progress" if u < 0.9 else "done"
                    if status == "done":
                        closed = day + timedelta(days=rnd.randint(0, max(0, (as_of - day).days)))
                items.append(
                    {
                        "review_type": review_type,
                        "review_period": period,
                        "problem": problem,
                        "measure": measure,
                        "owner_rep_id": owner,
                        "due_date": due,
                        "status": status,
                        "closed_at": closed,
                        "review_date": day,
                    }
                )
    for i, it in enumerate(items, 1):
        it["action_id"] = f"ACT{i:05d}"
    return items
