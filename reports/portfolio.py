"""The CSM's portfolio read model: one row per client account with what is known about it so far.

It lives in reports/ because its measured columns (use-case density, health) come from the metrics here;
tenants/ must not import reports.

Sorting by health needs every account measured, but a page shows fifty. So the measures are computed on
plain tuples for all accounts (aggregates in SQL, a handful of arithmetic per account), and full rows (the
Account objects, their CSM, the health parts) are built only for the page shown: at 1,000 accounts this is
the difference between materialising 1,000 ORM objects and 50.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from playbooks.usecases import UseCase
from reports.metrics import Health, health, health_score, share, use_case_density
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


@dataclass(frozen=True)
class _Measured:
    """One account's measures, without its ORM object."""

    account_id: int
    name: str
    seats: int
    spend: int
    team_count: int
    headcount: int
    people: int
    cases_shared: int
    density: float | None
    coverage: float | None
    breadth: float | None

    def parts(self) -> dict[str, float | None]:
        return {"use_case_density": self.density, "team_coverage": self.coverage, "breadth": self.breadth}

    @property
    def score(self) -> int | None:
        return health_score(self.parts())


def _measure_all(session: Session, now: datetime | None) -> list[_Measured]:
    """Every account in scope, measured, in a constant number of queries whatever the number of accounts."""
    accounts = session.execute(
        select(Account.id, Account.name, Account.licensed_seats, Account.monthly_spend_yen).order_by(
            Account.name
        )
    ).all()
    teams = {
        account_id: (count, heads)
        for account_id, count, heads in session.execute(
            select(Team.account_id, func.count(Team.id), func.coalesce(func.sum(Team.headcount), 0)).group_by(
                Team.account_id
            )
        )
    }
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
    measured = []
    for account_id, name, seats, spend in accounts:
        team_count, headcount = teams.get(account_id, (0, 0))
        density = use_case_density(shared.get(account_id, 0), seats)
        coverage = share(covered.get(account_id, 0), team_count)
        breadth = share(active[account_id], seats) if account_id in active else None
        measured.append(
            _Measured(
                account_id,
                name,
                seats,
                spend,
                team_count,
                headcount,
                people.get(account_id, 0),
                shared.get(account_id, 0),
                density,
                coverage,
                breadth,
            )
        )
    return measured


def _rows(session: Session, measured: list[_Measured]) -> list[PortfolioRow]:
    """Full rows for ``measured`` (in that order): their Account objects and CSMs in two queries."""
    ids = [m.account_id for m in measured]
    accounts = (
        {
            a.id: a
            for a in session.scalars(
                select(Account).where(Account.id.in_(ids)).options(selectinload(Account.csm))
            )
        }
        if ids
        else {}
    )
    return [
        PortfolioRow(
            account=accounts[m.account_id],
            team_count=m.team_count,
            headcount=m.headcount,
            people=m.people,
            cases_shared=m.cases_shared,
            use_case_density=m.density,
            team_coverage=m.coverage,
            health=health(m.parts()),
        )
        for m in measured
        if m.account_id in accounts
    ]


def portfolio_rows(session: Session, now: datetime | None = None) -> list[PortfolioRow]:
    """Every account in scope (by name) with team and people counts and its adoption measures."""
    return _rows(session, _measure_all(session, now))


SORTS = ("health", "name", "density", "seats")
PAGE_SIZE = 50
_SORT_KEYS = {
    "health": lambda m: (m.score if m.score is not None else -1, m.name),
    "name": lambda m: m.name,
    "density": lambda m: (-(m.density or 0), m.name),
    "seats": lambda m: (-m.seats, m.name),
}


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
    first). The measures cover every account at once, so the number of queries stays the same."""
    measured = _measure_all(session, now)
    if needle := query.strip().casefold():
        measured = [m for m in measured if needle in m.name.casefold()]
    measured.sort(key=_SORT_KEYS.get(sort, _SORT_KEYS["health"]))
    pages = max(1, -(-len(measured) // page_size))
    page = min(max(1, page), pages)
    return PortfolioPage(
        rows=_rows(session, measured[(page - 1) * page_size : page * page_size]),
        total=len(measured),
        seats=sum(m.seats for m in measured),
        spend=sum(m.spend for m in measured),
        page=page,
        pages=pages,
    )
