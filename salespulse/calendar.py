"""Working-day calendar per country: weekends, public holidays and, for mainland China, 调休.

China (`CN`, the default) comes from `chinese-calendar`, which knows the 调休 make-up working
days; other countries from the `holidays` package (ISO 3166 codes: `US`, `DE`, `HK`, ...).
An override file (CSV with columns ``date,is_workday[,name]``) wins over both and is how a
user adds a year the package does not cover yet. Where nothing is known (a year
`chinese-calendar` lacks, a country `holidays` does not have), weekends only, with a warning.
"""

from __future__ import annotations

import csv
import warnings
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

import chinese_calendar
import holidays as holidays_package

_TRUE = {"1", "true", "yes", "y", "workday", "是"}
_FALSE = {"0", "false", "no", "n", "holiday", "否"}


@dataclass
class WorkCalendar:
    overrides: dict[date, bool] = field(default_factory=dict)
    country: str = "CN"
    _warned_years: set[int] = field(default_factory=set, repr=False)
    _holidays: dict[int, object] = field(default_factory=dict, repr=False)

    @classmethod
    def from_file(cls, path: Path | None, country: str = "CN") -> WorkCalendar:
        if path is None:
            return cls(country=country)
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
        return cls(overrides, country=country)

    def _weekdays_only(self, day: date, why: str) -> bool:
        if day.year not in self._warned_years:
            self._warned_years.add(day.year)
            warnings.warn(
                f"no holiday data for {day.year} ({why}): using Monday-Friday; "
                "add the year's holidays to SALESPULSE_CALENDAR_FILE",
                stacklevel=3,
            )
        return day.weekday() < 5

    def is_workday(self, day: date) -> bool:
        if day in self.overrides:
            return self.overrides[day]
        if self.country.upper() == "CN":
            try:
                return chinese_calendar.is_workday(day)
            except NotImplementedError:
                return self._weekdays_only(day, "chinese-calendar does not cover it")
        if day.year not in self._holidays:
            try:
                self._holidays[day.year] = holidays_package.country_holidays(
                    self.country.upper(), years=day.year
                )
            except NotImplementedError:
                self._holidays[day.year] = None
        known = self._holidays[day.year]
        if known is None:
            return self._weekdays_only(day, f"the holidays package has no country {self.country!r}")
        return day.weekday() not in known.weekend and day not in known

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
