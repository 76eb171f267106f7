"""An account's adoption figures for a period, from usage rows, use cases and champions (reports/metrics.py
holds the definitions; this module gathers the counts with a fixed number of queries)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import distinct, func, select
from sqlalchemy.orm import Session

from playbooks.champions import coverage as champion_coverage
from playbooks.usecases import UseCase
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
    months = ((end - start).days + 1) / 30.4
    _, champions = champion_coverage(session, account)
    values = {
        "use_case_density": use_case_density(shared, account.licensed_seats, months),
        "team_coverage": share(teams_with, len(account.teams)),
        "champion_coverage": champions if account.teams else None,
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
        "use_case_density": values["use_case_density"],
        "team_coverage": values["team_coverage"],
        "champion_coverage": values["champion_coverage"],
        "health": {
            "score": h.score,
            "band": h.band,
            "parts": {p.key: {"value": p.value, "score": p.score, "target": p.target} for p in h.parts},
        },
    }
