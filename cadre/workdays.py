"""Chinese working days: weekends, public holidays and make-up workdays (调休).

The `chinese_calendar` package knows the State Council's holiday arrangements for the years it
ships with; `CalendarDay` rows entered in admin override it (a new year's arrangement before the
package knows it, or a local day). Beyond the package's years, without an override, Monday to
Friday are workdays.
"""

from datetime import date, timedelta

import chinese_calendar

from .models import CalendarDay


def _builtin_is_workday(day: date) -> bool:
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:
        return day.weekday() < 5


def _overrides(start: date, end: date) -> dict[date, bool]:
    return dict(
        CalendarDay.objects.filter(date__range=(start, end)).values_list("date", "is_workday")
    )


def is_workday(day: date) -> bool:
    override = _overrides(day, day).get(day)
    return _builtin_is_workday(day) if override is None else override


def add_working_days(start: date, days: int) -> date:
    """The date `days` working days after `start` (start itself not counted)."""
    if days <= 0:
        return start
    # Enough calendar days to cover the longest holiday runs (Spring Festival, National Day).
    horizon = start + timedelta(days=days * 2 + 30)
    overrides = _overrides(start, horizon)
    day, counted = start, 0
    while counted < days:
        day += timedelta(days=1)
        if day > horizon:
            horizon = day + timedelta(days=days * 2 + 30)
            overrides.update(_overrides(day, horizon))
        override = overrides.get(day)
        if _builtin_is_workday(day) if override is None else override:
            counted += 1
    return day


def working_days_between(start: date, end: date) -> int:
    """Working days after `start` up to and including `end` (0 when end <= start)."""
    if end <= start:
        return 0
    overrides = _overrides(start, end)
    count, day = 0, start
    while day < end:
        day += timedelta(days=1)
        override = overrides.get(day)
        if _builtin_is_workday(day) if override is None else override:
            count += 1
    return count
