"""Mainland-China working-day calendar: weekends, public holidays and 调休 make-up days.

Years that `chinese-calendar` knows come from it; an override file (CSV with columns
``date,is_workday[,name]``) wins over it and is how a user adds a year the package does not
cover yet. Dates outside both fall back to Monday–Friday.
"""

from __future__ import annotations

import csv
import warnings
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

import chinese_calendar

_TRUE = {"1", "true", "yes", "y", "workday", "是"}
_FALSE = {"0", "false", "no", "n", "holiday", "否"}


@dataclass
class WorkCalendar:
    overrides: dict[date, bool] = field(default_factory=dict)
    _warned_years: set[int] = field(default_factory=set, repr=False)

    @classmethod
    def from_file(cls, path: Path | None) -> WorkCalendar:
        if path is None:
            return cls()
        overrides: dict[date, bool] = {}
        with Path(path).open(encoding="utf-8-sig", newline="") as handle:
            for line_no, row in enumerate(csv.DictReader(handle), start=2):
                try:
                    day = date.fromisoformat(row["date"].strip())
                    flag = row["is_workday"].strip().lower()
                except (KeyError, AttributeError, ValueError) as exc:
                    raise ValueError(f"{path}:{line_no}: expected columns date,is_workday") from exc
                if flag not in _TRUE | _FALSE:
                    raise ValueError(f"{path}:{line_no}: is_workday must be true/false, got {flag!r}")
                overrides[day] = flag in _TRUE
        return cls(overrides)

    def is_workday(self, day: date) -> bool:
        if day in self.overrides:
            return self.overrides[day]
        try:
            return chinese_calendar.is_workday(day)
        except NotImplementedError:
            if day.year not in self._warned_years:
                self._warned_years.add(day.year)
                warnings.warn(
                    f"no holiday data for {day.year}: using Monday-Friday; "
                    "add the year to SALESPULSE_CALENDAR_FILE",
                    stacklevel=2,
                )
            return day.weekday() < 5

    def workdays(self, start: date, end: date) -> list[date]:
        """Working days from start to end, both included."""
        days = []
        day = start
        while day <= end:
            if self.is_workday(day):
                days.append(day)
            day += timedelta(days=1)
        return days

    def day_kind(self, day: date) -> str:
        """workday, makeup_workday (a 调休 weekend day worked), weekend or holiday."""
        weekend = day.weekday() >= 5
        if self.is_workday(day):
            return "makeup_workday" if weekend else "workday"
        return "weekend" if weekend else "holiday"

    def days(self, start: date, end: date) -> list[tuple[date, bool, str]]:
        """(date, is_workday, day_kind) for every day from start to end: raw.work_calendar's rows."""
        rows = []
        day = start
        while day <= end:
            kind = self.day_kind(day)
            rows.append((day, kind in ("workday", "makeup_workday"), kind))
            day += timedelta(days=1)
        return rows

    def next_workday(self, day: date) -> date:
        day += timedelta(days=1)
        while not self.is_workday(day):
            day += timedelta(days=1)
        return day

    def previous_workday(self, day: date) -> date:
        day -= timedelta(days=1)
        while not self.is_workday(day):
            day -= timedelta(days=1)
        return day
