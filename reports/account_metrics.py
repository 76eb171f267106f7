"""An account's adoption figures for a period, from usage rows, use cases and champions (reports/metrics.py
holds the definitions; this module gathers the counts with a fixed number of queries)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import distinct, func, select
from sqlalchemy.orm import Session

from playbooks.champions import coverage as champion_coverage
from playbooks.events import Event, Kind
from playbooks.usecases import Stage, UseCase
from reports.metrics import health, share, use_case_density
from reports.usage import AGGREGATE, UsageRow
from tenants.accounts import Account, Team

TOKYO = ZoneInfo("Asia/Tokyo")


def _start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=TOKYO)


def account_metrics(session: Session, account: Account, start: date, end: date) -> dict:
    """The figures of the metrics command (later the API and account page), ``start``..``end`` included."""
    people = (
        UsageRow.account_id == account.id,
        UsageRow.day >= start,
        UsageRow.day <= end,
        UsageRow.user_hash != AGGREGATE,
        UsageRow.active > 0,
    )
    active_users = session.scalar(select(func.count(distinct(UsageRow.user_hash))).where(*people)) or 0
    by_app = dict(
        session.execute(
            select(UsageRow.app, func.count(distinct(UsageRow.user_hash)))
            .where(*people)
            .group_by(UsageRow.app)
        ).all()
    )
    user_days = (
        session.scalar(
            select(func.count()).select_from(
                select(UsageRow.user_hash, UsageRow.day).where(*people).distinct().subquery()
            )
        )
        or 0
    )
    daily = [
        n
        for (n,) in session.execute(
            select(func.count(distinct(UsageRow.user_hash))).where(*people).group_by(UsageRow.day)
        ).all()
    ]
    in_period = (UsageRow.account_id == account.id, UsageRow.day >= start, UsageRow.day <= end)
    actions, minutes = session.execute(
        select(
            func.coalesce(func.sum(UsageRow.actions), 0), func.coalesce(func.sum(UsageRow.minutes_saved), 0)
        ).where(*in_period)
    ).one()
    by_team = {
        name: float(m)
        for name, m in session.execute(
            select(Team.name, func.sum(UsageRow.minutes_saved))
            .join(Team, Team.id == UsageRow.team_id)
            .where(*in_period)
            .group_by(Team.name)
        ).all()
    }
    cases = (
        UseCase.account_id == account.id,
        UseCase.published_at >= _start(start),
        UseCase.published_at < _start(end + timedelta(days=1)),
    )
    shared = session.scalar(select(func.count(UseCase.id)).where(*cases)) or 0
    teams_with = (
        session.scalar(
            select(func.count(distinct(UseCase.team_id))).where(*cases, UseCase.team_id.is_not(None))
        )
        or 0
    )
    production = (
        session.scalar(select(func.count(UseCase.id)).where(*cases, UseCase.stage == Stage.PRODUCTION.value))
        or 0
    )
    months = ((end - start).days + 1) / 30.4
    _, champions = champion_coverage(session, account)
    values = {
        "use_case_density": use_case_density(shared, account.licensed_seats, months),
        "team_coverage": share(teams_with, len(account.teams)),
        "champion_coverage": champions if account.teams else None,
        "lt_cadence": lt_cadence(session, account, end),
        "breadth": share(active_users, account.licensed_seats) if user_days else None,
    }
    h = health(values)
    return {
        "account_id": account.id,
        "from": start.isoformat(),
        "to": end.isoformat(),
        "licensed_seats": account.licensed_seats,
        "active_users": active_users,
        "breadth": values["breadth"],
        "active_users_by_app": by_app,
        "actions": float(actions),
        "minutes_saved": float(minutes),
        "minutes_saved_by_team": by_team,
        "frequency": share(user_days, active_users),
        "stickiness": (sum(daily) / len(daily) / active_users) if daily and active_users else None,
        "use_cases_shared": shared,
        "production_use_cases_per_quarter": production / (months / 3),
        "lt_cadence": values["lt_cadence"],
        "use_case_density": values["use_case_density"],
        "team_coverage": values["team_coverage"],
        "champion_coverage": values["champion_coverage"],
        "health": {
            "score": h.score,
            "band": h.band,
            "parts": {p.key: {"value": p.value, "score": p.score, "target": p.target} for p in h.parts},
        },
    }


def _months_between(first: date, last: date) -> int:
    """Calendar months from ``first``'s month to ``last``'s, both included."""
    return (last.year - first.year) * 12 + last.month - first.month + 1


def lt_cadence(session: Session, account: Account, until: date) -> float | None:
    """Months with a lightning-talk day held / months since kickoff (up to ``until``); None before kickoff."""
    if until < account.kickoff_date:
        return None
    held = session.scalars(
        select(Event.held_on).where(
            Event.account_id == account.id,
            Event.kind == Kind.LT_DAY.value,
            Event.held_on >= account.kickoff_date,
            Event.held_on <= until,
        )
    ).all()
    return len({(d.year, d.month) for d in held}) / _months_between(account.kickoff_date, until)


def _month_key(column, dialect: str):
    """SQL for 'YYYY-MM' of a date column, in the database's own words."""
    if dialect == "postgresql":
        return func.to_char(column, "YYYY-MM")
    return func.strftime("%Y-%m", column)


def month_starts(last: date, months: int) -> list[date]:
    """The first days of the ``months`` calendar months ending with ``last``'s month, oldest first."""
    year, month = last.year, last.month
    out = []
    for _ in range(months):
        out.append(date(year, month, 1))
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
    return out[::-1]


def monthly_trend(session: Session, account: Account, last: date, months: int = 12) -> list[dict]:
    """Per calendar month up to ``last``: active users, breadth, minutes saved, cases shared and density.

    Three grouped queries whatever the number of months (the chart and its table read the same rows).
    """
    starts = month_starts(last, months)
    first = starts[0]
    dialect = session.get_bind().dialect.name
    month = _month_key(UsageRow.day, dialect)
    in_range = (UsageRow.account_id == account.id, UsageRow.day >= first, UsageRow.day <= last)
    active = dict(
        session.execute(
            select(month, func.count(distinct(UsageRow.user_hash)))
            .where(*in_range, UsageRow.user_hash != AGGREGATE, UsageRow.active > 0)
            .group_by(month)
        ).all()
    )
    minutes = dict(
        session.execute(
            select(month, func.sum(UsageRow.minutes_saved)).where(*in_range).group_by(month)
        ).all()
    )
    published = session.scalars(
        select(UseCase.published_at).where(
            UseCase.account_id == account.id,
            UseCase.published_at >= _start(first),
            UseCase.published_at < _start(last + timedelta(days=1)),
        )
    ).all()
    shared: dict[str, int] = {}
    for moment in published:
        local = (moment if moment.tzinfo else moment.replace(tzinfo=ZoneInfo("UTC"))).astimezone(TOKYO)
        key = f"{local.year:04d}-{local.month:02d}"
        shared[key] = shared.get(key, 0) + 1
    rows = []
    for start in starts:
        key = f"{start.year:04d}-{start.month:02d}"
        users = active.get(key, 0)
        rows.append(
            {
                "month": key,
                "active_users": users,
                "breadth": share(users, account.licensed_seats) if key in active else None,
                "minutes_saved": float(minutes.get(key) or 0),
                "use_cases_shared": shared.get(key, 0),
                "use_case_density": use_case_density(shared.get(key, 0), account.licensed_seats),
            }
        )
    return rows


def team_table(session: Session, account: Account, start: date, end: date) -> list[dict]:
    """Per team (teams only; people are never ranked): headcount, active people, reach, minutes saved,
    cases shared and whether a champion is active, ``start``..``end`` included. In team-name order."""
    in_period = (UsageRow.account_id == account.id, UsageRow.day >= start, UsageRow.day <= end)
    active = dict(
        session.execute(
            select(UsageRow.team_id, func.count(distinct(UsageRow.user_hash)))
            .where(*in_period, UsageRow.user_hash != AGGREGATE, UsageRow.active > 0)
            .group_by(UsageRow.team_id)
        ).all()
    )
    minutes = dict(
        session.execute(
            select(UsageRow.team_id, func.sum(UsageRow.minutes_saved))
            .where(*in_period)
            .group_by(UsageRow.team_id)
        ).all()
    )
    cases = dict(
        session.execute(
            select(UseCase.team_id, func.count(UseCase.id))
            .where(
                UseCase.account_id == account.id,
                UseCase.published_at >= _start(start),
                UseCase.published_at < _start(end + timedelta(days=1)),
            )
            .group_by(UseCase.team_id)
        ).all()
    )
    covered, _ = champion_coverage(session, account)
    champions = {c.team.id: bool(c.champions) for c in covered}
    return [
        {
            "team": team.name,
            "headcount": team.headcount,
            "active_users": active.get(team.id, 0),
            "reach": share(active.get(team.id, 0), team.headcount),
            "minutes_saved": float(minutes.get(team.id) or 0),
            "use_cases_shared": cases.get(team.id, 0),
            "champion": champions.get(team.id, False),
        }
        for team in sorted(account.teams, key=lambda t: t.name)
    ]
