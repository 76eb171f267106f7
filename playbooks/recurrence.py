"""Due dates of playbook tasks, computed from an account's kickoff date (pure: no Flask, no database).

A playbook task names its recurrence by a string (``once``, ``monthly``, ``semiannual``); the string picks
a pure function from :data:`RECURRENCES` (after CTFd's decay functions chosen by a column). Each function
maps an occurrence index to the months after the first occurrence.

Month arithmetic always starts from kickoff, never from the previous occurrence, so a task first due on
31 January falls on 29 February in a leap year and on 31 March again (not 29 March). Days belong to
Asia/Tokyo: "today" and a kickoff recorded as a timestamp are read on the Tokyo calendar, whatever the
server's timezone, because the client's week is a Japanese week.
"""

from __future__ import annotations

import calendar
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

TOKYO = ZoneInfo("Asia/Tokyo")


def add_months(day: date, months: int) -> date:
    """``day`` moved by whole months; a day past the target month's end is clamped to its last day."""
    index = day.year * 12 + (day.month - 1) + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


def tokyo_date(moment: datetime) -> date:
    """The Asia/Tokyo calendar day of an instant (naive datetimes are UTC, as the database stores them)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(TOKYO).date()


def tokyo_today(now: datetime | None = None) -> date:
    """Today on the Tokyo calendar (``now`` for tests and jobs that pass their clock)."""
    return tokyo_date(now or datetime.now(UTC))


def first_due(kickoff: date, offset_days: int = 0, offset_months: int = 0) -> date:
    """The first due date: kickoff moved by whole months, then by days."""
    return add_months(kickoff, offset_months) + timedelta(days=offset_days)


def _once(index: int) -> int | None:
    return 0 if index == 0 else None


def _monthly(index: int) -> int:
    return index


def _semiannual(index: int) -> int:
    return 6 * index


# name -> months after the first occurrence for occurrence ``index`` (None: there is no such occurrence).
RECURRENCES: dict[str, Callable[[int], int | None]] = {
    "once": _once,
    "monthly": _monthly,
    "semiannual": _semiannual,
}


def occurrences(
    recurrence: str, kickoff: date, until: date, offset_days: int = 0, offset_months: int = 0
) -> Iterator[tuple[int, date]]:
    """Every ``(index, due date)`` of a task from kickoff up to and including ``until``.

    Each date is computed from kickoff (never from the previous date), so month-end clamping does not drift.
    Index 0 is the first occurrence; the index is what makes a generated task unique, so generating the same
    window twice yields the same pairs.
    """
    months_after = RECURRENCES[recurrence]
    index = 0
    while (months := months_after(index)) is not None:
        due = first_due(kickoff, offset_days, offset_months + months)
        if due > until:
            return
        yield index, due
        index += 1


def horizon_end(today: date, months: int = 3) -> date:
    """The last day recurring tasks are generated for: a rolling window of ``months`` after today."""
    return add_months(today, months)
