"""Discussion of a use case: threaded comments, and @mentions that notify the person named.

The body of a published case is frozen; debate ("this prompt fails for our data", "try the other model")
goes here. A mention is ``@`` followed by the part of someone's email before the ``@`` (or the whole
address); it notifies people who can see the case: its account's people and the vendor's staff.
"""

from __future__ import annotations

import re
from datetime import datetime

from sqlalchemy import ForeignKey, Text, select
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from playbooks.usecases import UseCase
from tenants import people, permissions
from tenants.db import db, utcnow
from tenants.errors import N_, FieldErrors
from tenants.scoping import AccountOwned
from tenants.users import User

MAX_COMMENT = 10_000
MAX_DEPTH = 4  # replies to replies are shown flat beyond this
_MENTION_RE = re.compile(r"(?<![\w.])@([\w.+-]+(?:@[\w.-]+)?)")


class UseCaseComment(AccountOwned, db.Model):
    """One comment; ``parent_id`` makes it a reply."""

    __tablename__ = "use_case_comments"

    id: Mapped[int] = mapped_column(primary_key=True)
    use_case_id: Mapped[int] = mapped_column(ForeignKey("use_cases.id", ondelete="CASCADE"), index=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("use_case_comments.id", ondelete="CASCADE"))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    author: Mapped[User | None] = relationship()


class Mention(AccountOwned, db.Model):
    """A notification: ``user`` was mentioned in a comment; unread until they open it."""

    __tablename__ = "use_case_mentions"

    id: Mapped[int] = mapped_column(primary_key=True)
    comment_id: Mapped[int] = mapped_column(
        ForeignKey("use_case_comments.id", ondelete="CASCADE"), index=True
    )
    use_case_id: Mapped[int] = mapped_column(ForeignKey("use_cases.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    read_at: Mapped[datetime | None]

    comment: Mapped[UseCaseComment] = relationship()
    use_case: Mapped[UseCase] = relationship()
    user: Mapped[User] = relationship()


def mentioned_handles(body: str) -> list[str]:
    """The handles written as @handle in ``body``, lower-cased, in order, without repeats."""
    seen: dict[str, None] = {}
    for handle in _MENTION_RE.findall(body or ""):
        seen.setdefault(handle.rstrip(".").lower(), None)
    return list(seen)


def _audience(session: Session, use_case: UseCase) -> list[User]:
    return [
        u
        for u in people.account_members(session, use_case.account) + people.vendor_staff(session)
        if u.active
    ]


def add_comment(
    session: Session, use_case: UseCase, actor: User, body: str, parent_id: int | None = None
) -> UseCaseComment:
    """Add a comment (or a reply to ``parent_id``) and notify the people it mentions; FieldErrors if bad."""
    if not permissions.may_comment_on_use_case(actor, use_case):
        raise PermissionError("not allowed to comment on this use case")
    body = (body or "").strip()
    if not body:
        raise FieldErrors({"body": N_("Write a comment first.")})
    if len(body) > MAX_COMMENT:
        raise FieldErrors({"body": N_("A comment is at most 10,000 characters.")})
    if "\x00" in body:
        raise FieldErrors({"body": N_("This text contains a NUL character; paste it again as plain text.")})
    if parent_id is not None:
        parent = session.get(UseCaseComment, parent_id)
        if parent is None or parent.use_case_id != use_case.id:
            raise FieldErrors({"parent_id": N_("Reply to a comment of this use case.")})
    comment = UseCaseComment(
        tenant_id=use_case.tenant_id,
        account_id=use_case.account_id,
        use_case_id=use_case.id,
        parent_id=parent_id,
        author_id=actor.id,
        body=body,
    )
    session.add(comment)
    session.flush()
    handles = set(mentioned_handles(body))
    if handles:
        for user in _audience(session, use_case):
            email = user.email.lower()
            if user.id != actor.id and (email in handles or email.split("@")[0] in handles):
                session.add(
                    Mention(
                        tenant_id=use_case.tenant_id,
                        account_id=use_case.account_id,
                        comment_id=comment.id,
                        use_case_id=use_case.id,
                        user_id=user.id,
                    )
                )
        session.flush()
    return comment


def mentions_in(session: Session, comment: UseCaseComment) -> list[Mention]:
    """The notifications one comment made (the web shell mails each mentioned person)."""
    return list(session.scalars(select(Mention).where(Mention.comment_id == comment.id).order_by(Mention.id)))


def thread(session: Session, use_case: UseCase) -> list[tuple[UseCaseComment, int]]:
    """Comments in reading order with their depth (replies under their parent, oldest first)."""
    comments = list(
        session.scalars(
            select(UseCaseComment)
            .where(UseCaseComment.use_case_id == use_case.id)
            .order_by(UseCaseComment.created_at, UseCaseComment.id)
        )
    )
    children: dict[int | None, list[UseCaseComment]] = {}
    for comment in comments:
        children.setdefault(comment.parent_id, []).append(comment)
    ordered: list[tuple[UseCaseComment, int]] = []

    def walk(parent_id, depth):
        for comment in children.get(parent_id, []):
            ordered.append((comment, min(depth, MAX_DEPTH)))
            walk(comment.id, depth + 1)

    walk(None, 0)
    return ordered


def mentions_for(session: Session, user: User, unread_only: bool = True, limit: int = 20) -> list[Mention]:
    """The user's mentions, newest first."""
    query = select(Mention).where(Mention.user_id == user.id)
    if unread_only:
        query = query.where(Mention.read_at.is_(None))
    return list(session.scalars(query.order_by(Mention.id.desc()).limit(limit)))


def mark_mentions_read(session: Session, user: User, use_case: UseCase) -> None:
    """Opening the case reads its mentions of ``user``."""
    for mention in session.scalars(
        select(Mention).where(
            Mention.user_id == user.id, Mention.use_case_id == use_case.id, Mention.read_at.is_(None)
        )
    ):
        mention.read_at = utcnow()
