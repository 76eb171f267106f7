"""Due dates from kickoff: month ends, leap years, the Asia/Tokyo day boundary, the rolling horizon (pure)."""

from datetime import UTC, date, datetime, timedelta, timezone

from playbooks.recurrence import (
    RECURRENCES,
    add_months,
    first_due,
    horizon_end,
    occurrences,
    tokyo_date,
    tokyo_today,
)


def test_monthly_from_the_31st_clamps_to_month_end_and_returns_to_the_31st():
    dates = [d for _, d in occurrences("monthly", date(2027, 1, 31), date(2027, 5, 31))]
    assert dates == [
        date(2027, 1, 31),
        date(2027, 2, 28),
        date(2027, 3, 31),
        date(2027, 4, 30),
        date(2027, 5, 31),
    ]


def test_leap_year_february_has_29_days():
    assert add_months(date(2028, 1, 31), 1) == date(2028, 2, 29)
    assert add_months(date(2028, 2, 29), 12) == date(2029, 2, 28)
    assert add_months(date(2028, 2, 29), 48) == date(2032, 2, 29)


def test_months_cross_year_ends_both_ways():
    assert add_months(date(2026, 11, 30), 3) == date(2027, 2, 28)
    assert add_months(date(2027, 1, 15), -2) == date(2026, 11, 15)


def test_first_due_adds_months_then_days():
    # 31 Aug + 6 months = 28 Feb 2027 (clamped), then + 3 days crosses into March.
    assert first_due(date(2026, 8, 31), offset_days=3, offset_months=6) == date(2027, 3, 3)
    assert first_due(date(2027, 12, 20), offset_days=14) == date(2028, 1, 3)


def test_semiannual_every_six_months_from_month_six():
    dates = [d for _, d in occurrences("semiannual", date(2026, 8, 31), date(2028, 12, 31), offset_months=6)]
    assert dates == [date(2027, 2, 28), date(2027, 8, 31), date(2028, 2, 29), date(2028, 8, 31)]


def test_once_yields_one_date_inside_the_window_and_none_outside():
    assert list(occurrences("once", date(2026, 12, 1), date(2026, 12, 31))) == [(0, date(2026, 12, 1))]
    assert list(occurrences("once", date(2027, 1, 1), date(2026, 12, 31))) == []


def test_offsets_apply_to_every_occurrence():
    dates = [d for _, d in occurrences("monthly", date(2027, 12, 31), date(2028, 3, 31), offset_days=1)]
    # 31 Dec + 2 months = 29 Feb 2028 (leap), + 1 day = 1 Mar; 1 Apr is past the window.
    assert dates == [date(2028, 1, 1), date(2028, 2, 1), date(2028, 3, 1)]


def test_same_window_twice_gives_same_indexed_dates():
    kickoff = date(2026, 10, 30)
    a = list(occurrences("monthly", kickoff, horizon_end(date(2026, 11, 24))))
    b = list(occurrences("monthly", kickoff, horizon_end(date(2026, 11, 24))))
    assert a == b
    assert a[-1] == (3, date(2027, 1, 30))  # 28 Feb is past the horizon (24 Feb)
    assert [i for i, _ in a] == list(range(len(a)))


def test_tokyo_day_boundary():
    # 15:00 UTC is midnight in Tokyo: 14:59:59 UTC is still the same day there, 15:00 UTC is the next day.
    assert tokyo_date(datetime(2026, 12, 31, 14, 59, 59, tzinfo=UTC)) == date(2026, 12, 31)
    assert tokyo_date(datetime(2026, 12, 31, 15, 0, 0, tzinfo=UTC)) == date(2027, 1, 1)
    # Naive timestamps are read as UTC (as the database stores them).
    assert tokyo_date(datetime(2028, 2, 28, 15, 30)) == date(2028, 2, 29)
    # An aware timestamp in another zone lands on its Tokyo day.
    new_york = timezone(timedelta(hours=-5))
    assert tokyo_today(datetime(2027, 3, 31, 11, 0, tzinfo=new_york)) == date(2027, 4, 1)


def test_registry_names_match_the_schema():
    assert set(RECURRENCES) == {"once", "monthly", "semiannual"}
