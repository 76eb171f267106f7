"""Who is who inside the scope: vendor staff, an account's members."""

from sqlalchemy import select
from sqlalchemy.orm import Session

from tenants.accounts import Account
from tenants.roles import VENDOR_ROLES
from tenants.users import Membership, User


def vendor_staff(session: Session, active_only: bool = False) -> list[User]:
    """Owners and CSMs of the scoped tenant, by name (``active_only`` leaves out deactivated people)."""
    query = select(User).join(User.membership).where(Membership.role.in_([r.value for r in VENDOR_ROLES]))
    if active_only:
        query = query.where(User.active.is_(True))
    return list(session.scalars(query.order_by(User.name)))


def account_members(session: Session, account: Account) -> list[User]:
    """People of one client account, by name."""
    return list(
        session.scalars(
            select(User).join(User.membership).where(Membership.account_id == account.id).order_by(User.name)
        )
    )
