"""Where a month or a quarter will end (the seed's 调整 step), and the leaderboard.

A projection needs only figures the KPI marts already hold: sales so far, the target, working
days elapsed and in the period (the China calendar), and the weighted pipeline of open
opportunities expected to close before the period ends. Two projections, because they fail
differently: the run rate (sales per elapsed working day × working days in the period) ignores
the deals in flight; the pipeline-weighted one (sales so far + the stage-weighted amount of
open deals due by the period's end) ignores the business not yet in the CRM.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from salespulse.briefs.data import Row


def _float(value) -> float | None:
    return None if value is None else float(value)


@dataclass(frozen=True)
class Projection:
    """One entity's period to date, and where it ends at the current pace."""

    sales: float
    target: float | None
    workdays_elapsed: int
    workdays_total: int
    weighted_pipeline: float = 0.0

    @property
    def remaining_workdays(self) -> int:
        return max(self.workdays_total - self.workdays_elapsed, 0)

    @property
    def run_rate(self) -> float | None:
        """Sales per elapsed working day, carried to the end of the period."""
        if self.workdays_elapsed <= 0:
            return None
        return self.sales / self.workdays_elapsed * self.workdays_total

    @property
    def pipeline_weighted(self) -> float:
        return self.sales + self.weighted_pipeline

    @property
    def run_rate_completion(self) -> float | None:
        if self.run_rate is None or not self.target:
            return None
        return self.run_rate / self.target

    @property
    def gap(self) -> float | None:
        """Projected shortfall against the target at the run rate (negative: ahead)."""
        if self.target is None or self.run_rate is None:
            return None
        return self.target - self.run_rate

    @property
    def still_to_sell(self) -> float | None:
        if self.target is None:
            return None
        return max(self.target - self.sales, 0.0)

    @property
    def needed_per_workday(self) -> float | None:
        """Sales needed on each remaining working day to reach the target (None when the period
        is over or there is no target; 0 when the target is already reached)."""
        if self.target is None or self.remaining_workdays == 0:
            return None
        return self.still_to_sell / self.remaining_workdays

    @property
    def current_per_workday(self) -> float | None:
        if self.workdays_elapsed <= 0:
            return None
        return self.sales / self.workdays_elapsed


def project(row: Row, weighted_pipeline=0) -> Projection:
    """A projection from a KPI mart row (any grain) and the weighted pipeline due in the period."""
    return Projection(
        sales=float(row["sales_amount"] or 0),
        target=_float(row.get("target_amount")),
        workdays_elapsed=int(row.get("workdays_elapsed") or 0),
        workdays_total=int(row.get("workdays_in_period") or 0),
        weighted_pipeline=float(weighted_pipeline or 0),
    )


# ---------------------------------------------------------------------------------------------
# leaderboard


def months_between(start: date, end: date) -> int:
    """Whole months from start to end (hired 15 Aug → 14 Nov is 2, 15 Nov is 3)."""
    months = (end.year - start.year) * 12 + end.month - start.month
    return months - (1 if end.day < start.day else 0)


def new_hire(hire_date: date | None, on: date, months: int) -> bool:
    """Hired less than `months` months before `on`."""
    return hire_date is not None and months_between(hire_date, on) < months


@dataclass(frozen=True)
class Ranked:
    rank: int | None  # None for a new hire (not ranked)
    rep: Row
    new_hire: bool


def leaderboard(reps: list[Row], on: date, new_hire_months: int) -> tuple[list[Ranked], list[Ranked]]:
    """Veterans ranked by completion (then sales; ties share a rank), and new hires apart with
    their ramp target: someone in their second month is not measured against a five-year rep."""
    veterans, newcomers = [], []
    for rep in reps:
        if rep.get("target_amount") is None and not rep.get("sales_amount"):
            continue
        (newcomers if new_hire(rep.get("hire_date"), on, new_hire_months) else veterans).append(rep)

    def key(rep: Row):
        rate = rep.get("completion_rate")
        return (rate is None, -(rate or 0), -float(rep.get("sales_amount") or 0), rep["rep_id"])

    veterans.sort(key=key)
    ranked: list[Ranked] = []
    previous = None
    for position, rep in enumerate(veterans, start=1):
        score = (rep.get("completion_rate"), float(rep.get("sales_amount") or 0))
        rank = ranked[-1].rank if ranked and score == previous else position
        ranked.append(Ranked(rank, rep, False))
        previous = score
    newcomers.sort(key=key)
    return ranked, [Ranked(None, rep, True) for rep in newcomers]
