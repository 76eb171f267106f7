"""The AI Champion registry: per team, who nominated themselves, who was appointed (and when), who is active.

Self-nomination is the rule of the program (domain text 3-1): a person who did not raise their own hand
cannot be appointed, because only volunteers keep teaching their peers. Coverage is measured per team.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import ForeignKey, UniqueConstraint, select
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from tenants.accounts import Account, Team
from tenants.db import db, utcnow
from tenants.errors import N_, FieldErrors
from tenants.scoping import AccountOwned
from tenants.users import User


class Champion(AccountOwned, db.Model):
    """A person's place in the champion program of one team."""

    __tablename__ = "champions"
    __table_args__ = (UniqueConstraint("user_id", "team_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"), index=True)
    self_nominated_at: Mapped[datetime | None]
    appointed_on: Mapped[date | None]
    appointed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    active: Mapped[bool] = mapped_column(default=False)

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    team: Mapped[Team] = relationship()


def _team_of(account: Account, team_id: int | None) -> Team:
    team = next((t for t in account.teams if t.id == team_id), None)
    if team is None:
        raise FieldErrors({"team_id": N_("Choose a team of this account.")})
    return team


def nominate_self(session: Session, account: Account, person: User, team_id: int | None) -> Champion:
    """``person`` volunteers as champion of a team of their own account (recorded once)."""
    team = _team_of(account, team_id)
    if person.account_id != account.id:
        raise FieldErrors({"user_id": N_("Only people of this account can nominate themselves.")})
    champion = session.scalar(
        select(Champion).where(Champion.user_id == person.id, Champion.team_id == team.id)
    )
    if champion is None:
        champion = Champion(
            tenant_id=account.tenant_id, account_id=account.id, user_id=person.id, team_id=team.id
        )
        session.add(champion)
    champion.self_nominated_at = champion.self_nominated_at or utcnow()
    session.flush()
    return champion


def appoint(
    session: Session, account: Account, actor: User, champion_id: int | None, on: date | None
) -> Champion:
    """Appoint a self-nominated person; refuses anyone who did not nominate themselves."""
    champion = session.get(Champion, champion_id) if champion_id else None
    errors = {}
    if champion is None or champion.account_id != account.id:
        raise FieldErrors({"champion_id": N_("Choose a person who nominated themselves.")})
    if champion.self_nominated_at is None:
        errors["champion_id"] = N_("Only people who nominated themselves can be appointed.")
    if on is None:
        errors["appointed_on"] = N_("Enter the appointment date.")
    elif on < account.kickoff_date:
        errors["appointed_on"] = N_("The date cannot be before the account's kickoff date.")
    if errors:
        raise FieldErrors(errors)
    champion.appointed_on, champion.appointed_by_id, champion.active = on, actor.id, True
    session.flush()
    return champion


def set_active(session: Session, champion: Champion, active: bool) -> None:
    """Step a champion down (or back up) without losing the record."""
    if active and champion.appointed_on is None:
        raise FieldErrors({"champion_id": N_("Appoint the person first.")})
    champion.active = active
    session.flush()


@dataclass
class TeamCoverage:
    """A team with its active champions (coverage counts teams with at least one)."""

    team: Team
    champions: list[Champion]
    candidates: list[Champion]


def coverage(session: Session, account: Account) -> tuple[list[TeamCoverage], float]:
    """Per team: active champions and self-nominated candidates; and the share of teams covered."""
    rows = session.scalars(
        select(Champion).where(Champion.account_id == account.id).order_by(Champion.id)
    ).all()
    teams = [
        TeamCoverage(
            team,
            [c for c in rows if c.team_id == team.id and c.active],
            [c for c in rows if c.team_id == team.id and not c.active and c.self_nominated_at],
        )
        for team in account.teams
    ]
    covered = sum(1 for t in teams if t.champions)
    return teams, (covered / len(teams) if teams else 0.0)
