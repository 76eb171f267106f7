"""The CSM's portfolio read model: one row per client account with what is known about it so far.

It lives in reports/ because its measured columns (use-case density, health) come from the metrics here;
tenants/ must not import reports.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from playbooks.usecases import UseCase
from reports.metrics import Health, health, share, use_case_density
from reports.usage import AGGREGATE, UsageRow
from tenants.accounts import Account, Team
from tenants.db import utcnow
from tenants.users import Membership

WINDOW_DAYS = 30  # density and team coverage look at the last 30 days


@dataclass(frozen=True)
class PortfolioRow:
    account: Account
    team_count: int
    headcount: int
    people: int
    cases_shared: int = 0  # in the last 30 days
    use_case_density: float | None = None
    team_coverage: float | None = None
    health: Health | None = None


def portfolio_rows(session: Session, now: datetime | None = None) -> list[PortfolioRow]:
    """Every account in scope with team and people counts and its adoption measures, in a constant number of
    queries (aggregates in SQL) whatever the number of accounts."""
    query = select(Account).options(selectinload(Account.csm)).order_by(Account.name)
    accounts = list(session.scalars(query))
    teams = dict(
        (account_id, (count, heads))
        for account_id, count, heads in session.execute(
            select(Team.account_id, func.count(Team.id), func.coalesce(func.sum(Team.headcount), 0)).group_by(
                Team.account_id
            )
        )
    )
    people = dict(
        session.execute(
            select(Membership.account_id, func.count(Membership.id))
            .where(Membership.account_id.is_not(None))
            .group_by(Membership.account_id)
        ).all()
    )
    since = (now or utcnow()) - timedelta(days=WINDOW_DAYS)
    recent = UseCase.published_at >= since
    shared = dict(
        session.execute(
            select(UseCase.account_id, func.count(UseCase.id)).where(recent).group_by(UseCase.account_id)
        ).all()
    )
    covered = dict(
        session.execute(
            select(UseCase.account_id, func.count(func.distinct(UseCase.team_id)))
            .where(recent, UseCase.team_id.is_not(None))
            .group_by(UseCase.account_id)
        ).all()
    )
    # Active people in the window, from imported usage (no row: breadth not measured yet, not zero).
    active = dict(
        session.execute(
            select(UsageRow.account_id, func.count(func.distinct(UsageRow.user_hash)))
            .where(UsageRow.day >= since.date(), UsageRow.user_hash != AGGREGATE, UsageRow.active > 0)
            .group_by(UsageRow.account_id)
        ).all()
    )
    rows = []
    for a in accounts:
        team_count = teams.get(a.id, (0, 0))[0]
        density = use_case_density(shared.get(a.id, 0), a.licensed_seats)
        coverage = share(covered.get(a.id, 0), team_count)
        rows.append(
            PortfolioRow(
                account=a,
                team_count=team_count,
                headcount=teams.get(a.id, (0, 0))[1],
                people=people.get(a.id, 0),
                cases_shared=shared.get(a.id, 0),
                use_case_density=density,
                team_coverage=coverage,
                health=health(
                    {
                        "use_case_density": density,
                        "team_coverage": coverage,
                        "breadth": share(active[a.id], a.licensed_seats) if a.id in active else None,
                    }
                ),
            )
        )
    return rows


SORTS = ("health", "name", "density", "seats")
PAGE_SIZE = 50


@dataclass(frozen=True)
class PortfolioPage:
    rows: list[PortfolioRow]  # the page shown
    total: int  # accounts matching the filter
    seats: int  # their licensed seats
    spend: int  # their monthly spend
    page: int
    pages: int


def portfolio_page(
    session: Session,
    *,
    sort: str = "health",
    query: str = "",
    page: int = 1,
    page_size: int = PAGE_SIZE,
    now: datetime | None = None,
) -> PortfolioPage:
    """One page of the portfolio, filtered by a name fragment and sorted (health: the accounts that need a CSM
    first). The aggregates cover every account at once, so the number of queries stays the same."""
    rows = portfolio_rows(session, now)
    if needle := query.strip().casefold():
        rows = [r for r in rows if needle in r.account.name.casefold()]
    keys = {
        "health": lambda r: (r.health.score if r.health.score is not None else -1, r.account.name),
        "name": lambda r: r.account.name,
        "density": lambda r: (-(r.use_case_density or 0), r.account.name),
        "seats": lambda r: (-r.account.licensed_seats, r.account.name),
    }
    rows.sort(key=keys.get(sort, keys["health"]))
    pages = max(1, -(-len(rows) // page_size))
    page = min(max(1, page), pages)
    return PortfolioPage(
        rows=rows[(page - 1) * page_size : page * page_size],
        total=len(rows),
        seats=sum(r.account.licensed_seats for r in rows),
        spend=sum(r.account.monthly_spend_yen for r in rows),
        page=page,
        pages=pages,
    )
