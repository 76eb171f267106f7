"""Keep both, with context: two cases linked as duplicate, variation or alternative, never one deleted.

Sales and engineering can both be right with different prompts for the same task. A link records the
relation and a context note (department, data size, constraints: when each fits); the pair is shown side by
side as "Case A / Case B", and each case lists its known variations.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint, or_, select
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from playbooks.usecases import UseCase
from tenants import permissions
from tenants.db import db, utcnow
from tenants.errors import N_, FieldErrors
from tenants.scoping import AccountOwned
from tenants.users import User

MAX_NOTE = 2000


class LinkKind(enum.StrEnum):
    DUPLICATE = "duplicate"  # the same case from two teams: keep both, a champion decides each quarter
    VARIATION = "variation"  # same prompt, different result, or the same task done another way
    ALTERNATIVE = "alternative"  # a different approach to the same problem


LINK_KIND_LABELS = {
    LinkKind.DUPLICATE: N_("Duplicate"),
    LinkKind.VARIATION: N_("Variation"),
    LinkKind.ALTERNATIVE: N_("Alternative"),
}


class UseCaseLink(AccountOwned, db.Model):
    """Case A (``from``) and case B (``to``) of one account, with when each fits."""

    __tablename__ = "use_case_links"
    __table_args__ = (UniqueConstraint("from_id", "to_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    from_id: Mapped[int] = mapped_column(ForeignKey("use_cases.id", ondelete="CASCADE"), index=True)
    to_id: Mapped[int] = mapped_column(ForeignKey("use_cases.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    note: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    case_a: Mapped[UseCase] = relationship(foreign_keys=[from_id])
    case_b: Mapped[UseCase] = relationship(foreign_keys=[to_id])
    created_by: Mapped[User | None] = relationship()

    def other(self, use_case_id: int) -> UseCase:
        return self.case_b if self.from_id == use_case_id else self.case_a


def link_use_cases(
    session: Session, case: UseCase, other_id: int | None, actor: User, kind: str, note: str = ""
) -> UseCaseLink:
    """Link ``case`` (A) to the case ``other_id`` (B) of the same account; FieldErrors otherwise."""
    if not permissions.may_link_use_cases(actor, case):
        raise PermissionError("not allowed to link this use case")
    errors: dict[str, str] = {}
    # Scoping hides other tenants' and accounts' cases from get(); the account check covers vendor staff,
    # who see every account of the vendor but may only link within one.
    other = session.get(UseCase, other_id) if isinstance(other_id, int) else None
    if (
        other is None
        or other.account_id != case.account_id
        or not permissions.may_read_use_case(actor, other)
    ):
        errors["other_id"] = N_("Choose a use case of the same account.")
    elif other.id == case.id:
        errors["other_id"] = N_("A case cannot be linked to itself.")
    elif session.scalar(
        select(UseCaseLink.id).where(
            or_(
                (UseCaseLink.from_id == case.id) & (UseCaseLink.to_id == other.id),
                (UseCaseLink.from_id == other.id) & (UseCaseLink.to_id == case.id),
            )
        )
    ):
        errors["other_id"] = N_("These two cases are already linked.")
    if kind not in set(LinkKind):
        errors["kind"] = N_("Choose duplicate, variation or alternative.")
    note = (note or "").strip()
    if len(note) > MAX_NOTE:
        errors["note"] = N_("Keep the context note under 2,000 characters.")
    if errors:
        raise FieldErrors(errors)
    link = UseCaseLink(
        tenant_id=case.tenant_id,
        account_id=case.account_id,
        from_id=case.id,
        to_id=other.id,
        kind=str(kind),
        note=note,
        created_by_id=actor.id,
    )
    session.add(link)
    session.flush()
    return link


def links_of(session: Session, case: UseCase) -> list[UseCaseLink]:
    """Every link touching ``case``, newest first."""
    return list(
        session.scalars(
            select(UseCaseLink)
            .where(or_(UseCaseLink.from_id == case.id, UseCaseLink.to_id == case.id))
            .order_by(UseCaseLink.id.desc())
        )
    )


def known_variations(session: Session, case: UseCase) -> list[UseCaseLink]:
    return [link for link in links_of(session, case) if link.kind == LinkKind.VARIATION]
