"""Who is who inside the scope: vendor staff, an account's members."""

from sqlalchemy import select
from sqlalchemy.orm import Session

from tenants.accounts import Account
from tenants.roles import VENDOR_ROLES
from tenants.users import Membership, User


def vendor_staff(session: Session) -> list[User]:
    """Owners and CSMs of the scoped tenant, by name."""
    roles = [r.value for r in VENDOR_ROLES]
    return list(
        session.scalars(
            select(User).join(User.membership).where(Membership.role.in_(roles)).order_by(User.name)
        )
    )


def account_members(session: Session, account: Account) -> list[User]:
    """People of one client account, by name."""
    return list(
        session.scalars(
            select(User).join(User.membership).where(Membership.account_id == account.id).order_by(User.name)
        )
    )
