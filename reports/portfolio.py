"""The CSM's portfolio read model: one row per client account with what is known about it so far.

It lives in reports/ because its measured columns (use-case density, health) come from the metrics here;
tenants/ must not import reports.
"""

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from tenants.accounts import Account, Team
from tenants.users import Membership


@dataclass(frozen=True)
class PortfolioRow:
    account: Account
    team_count: int
    headcount: int
    people: int
    # Measured values arrive with usage imports and the use-case library; until then they are None and the
    # page says "no data yet" rather than showing a made-up number.
    use_case_density: float | None = None
    health: float | None = None


def portfolio_rows(session: Session) -> list[PortfolioRow]:
    """Every account in scope with team and people counts, in four queries regardless of size."""
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
    return [
        PortfolioRow(
            account=a,
            team_count=teams.get(a.id, (0, 0))[0],
            headcount=teams.get(a.id, (0, 0))[1],
            people=people.get(a.id, 0),
        )
        for a in accounts
    ]
