"""Client accounts of a vendor and their departments/teams."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, String, UniqueConstraint, select
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from tenants.db import db, utcnow
from tenants.scoping import AccountOwned, AccountRow
from tenants.text import name_key

if TYPE_CHECKING:
    from tenants.users import User

INDUSTRIES = (
    "manufacturing",
    "finance",
    "insurance",
    "retail",
    "it_services",
    "telecom",
    "healthcare",
    "public_sector",
    "construction",
    "logistics",
    "trading",
    "other",
)


class Account(AccountRow, db.Model):
    """A client company of the vendor. Money is integer yen."""

    __tablename__ = "accounts"
    __table_args__ = (
        UniqueConstraint("tenant_id", "name"),
        CheckConstraint("licensed_seats > 0", name="seats_positive"),
        CheckConstraint("monthly_spend_yen >= 0", name="spend_not_negative"),
        CheckConstraint("hourly_labor_cost_yen > 0", name="labor_cost_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    industry: Mapped[str] = mapped_column(String(40))
    licensed_seats: Mapped[int]
    monthly_spend_yen: Mapped[int] = mapped_column(BigInteger)
    hourly_labor_cost_yen: Mapped[int]
    kickoff_date: Mapped[date]
    csm_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    csm: Mapped[User | None] = relationship(foreign_keys=[csm_id])
    teams: Mapped[list[Team]] = relationship(
        back_populates="account", cascade="all, delete-orphan", order_by="Team.id"
    )

    @property
    def total_headcount(self) -> int:
        return sum(t.headcount for t in self.teams)

    def __repr__(self) -> str:
        return f"<Account {self.name}>"


class Team(AccountOwned, db.Model):
    """A department or team inside a client account; team-level KPIs are measured per team."""

    __tablename__ = "teams"
    __table_args__ = (
        UniqueConstraint("account_id", "name"),
        CheckConstraint("headcount >= 0", name="headcount_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    headcount: Mapped[int]

    account: Mapped[Account] = relationship(back_populates="teams")


def list_accounts(session: Session) -> list[Account]:
    """Accounts visible in the session's scope, by name."""
    return list(session.scalars(select(Account).order_by(Account.name)))


def get_account(session: Session, account_id: int) -> Account | None:
    """The account with this id if the session's scope reaches it, else None."""
    return session.scalar(select(Account).where(Account.id == account_id))


def account_name_taken(session: Session, name: str, except_id: int | None = None) -> bool:
    """True when the scoped tenant has another account called ``name``: case, width and invisible characters
    ignored (ÄBC = äbc), the same on SQLite, whose lower() only folds ASCII, and PostgreSQL."""
    key = name_key(name)
    query = select(Account.id, Account.name)
    if except_id is not None:
        query = query.where(Account.id != except_id)
    return any(name_key(other) == key for _, other in session.execute(query))
