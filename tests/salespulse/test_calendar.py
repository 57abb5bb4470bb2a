from datetime import date

import pytest

from salespulse.calendar import WorkCalendar


def test_makeup_saturday_is_a_working_day_and_golden_week_is_not():
    calendar = WorkCalendar()
    assert date(2026, 10, 10).weekday() == 5
    assert calendar.is_workday(date(2026, 10, 10))  # 调休 Saturday after National Day
    assert date(2026, 10, 5).weekday() == 0
    assert not calendar.is_workday(date(2026, 10, 5))  # Golden Week Monday
    assert not calendar.is_workday(date(2026, 10, 17))  # an ordinary Saturday


def test_october_2026_working_days():
    calendar = WorkCalendar()
    # 22 weekdays, minus the 5 weekdays of the 1-7 Oct holiday, plus make-up Saturday 10 Oct.
    days = calendar.workdays(date(2026, 10, 1), date(2026, 10, 31))
    assert date(2026, 10, 10) in days
    assert all(not (date(2026, 10, 1) <= d <= date(2026, 10, 7)) for d in days)
    assert len(days) == 22 - 5 + 1


def test_override_file_wins_and_covers_unknown_years(tmp_path):
    path = tmp_path / "calendar.csv"
    path.write_text("date,is_workday,name\n2026-10-05,true,company day\n2027-01-01,false,元旦\n")
    calendar = WorkCalendar.from_file(path)
    assert calendar.is_workday(date(2026, 10, 5))
    assert not calendar.is_workday(date(2027, 1, 1))
    with pytest.warns(UserWarning, match="no holiday data for 2027"):
        assert calendar.is_workday(date(2027, 1, 4))


def test_bad_override_file_is_reported_with_its_line(tmp_path):
    path = tmp_path / "calendar.csv"
    path.write_text("date,is_workday\n2026-10-05,maybe\n")
    with pytest.raises(ValueError, match=r"calendar\.csv:2"):
        WorkCalendar.from_file(path)
