"""The use-case library as people use it: posting, listing with filters, views and runs, stage moves, and
the quarterly wiki day.

Curation is about findability, not order: nothing is deleted to pick a winner, and the wiki day lists only
cases nobody has viewed, run or discussed for 90 days, so a champion archives what is truly dead.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ForeignKey, func, or_, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from playbooks.search.embedders import Embedder
from playbooks.search.index import store_embeddings
from playbooks.search.service import SearchFilters, default_embedder
from playbooks.usecase_comments import UseCaseComment
from playbooks.usecase_history import record_revision
from playbooks.usecases import Stage, UseCase, create_use_case
from tenants import permissions
from tenants.accounts import Account
from tenants.db import db, utcnow
from tenants.errors import N_, FieldErrors
from tenants.scoping import AccountOwned
from tenants.users import User

WIKI_DAY_QUIET_DAYS = 90
PAGE_SIZE = 50


class UseCaseActivity(AccountOwned, db.Model):
    """How alive a case is: views of its page and runs people report ("I used this")."""

    __tablename__ = "use_case_activity"

    use_case_id: Mapped[int] = mapped_column(ForeignKey("use_cases.id", ondelete="CASCADE"), primary_key=True)
    views: Mapped[int] = mapped_column(default=0)
    runs: Mapped[int] = mapped_column(default=0)
    last_viewed_at: Mapped[datetime | None]
    last_run_at: Mapped[datetime | None]


def visible_account_ids(session: Session, actor: User) -> list[int]:
    """Accounts whose library ``actor`` reads: their own, or every account of the vendor for its staff."""
    if actor.role.is_vendor:
        return list(session.scalars(select(Account.id).order_by(Account.id)))
    return [actor.account_id] if actor.account_id else []


def reader_filters(actor: User, filters: SearchFilters | None = None) -> SearchFilters:
    """``filters`` narrowed to what ``actor`` may read (procurement: production cases)."""
    filters = filters or SearchFilters()
    stages = permissions.library_stages(actor)
    if stages is None:
        return filters
    return SearchFilters(**{**filters.__dict__, "stages": stages})


def post_use_case(
    session: Session, account: Account, actor: User, *, embedder: Embedder | None = None, **fields
) -> UseCase:
    """A person writes up a win (a draft unless ``publish``); its vector is computed now, so the next search
    finds it by meaning. FieldErrors as :func:`playbooks.usecases.create_use_case`."""
    if not permissions.may_post_use_case(actor):
        raise PermissionError("not allowed to post use cases")
    use_case = create_use_case(session, account, actor, **fields)
    store_embeddings(session, [use_case], embedder or default_embedder())
    return use_case


def _activity(session: Session, use_case: UseCase) -> UseCaseActivity:
    activity = session.get(UseCaseActivity, use_case.id)
    if activity is None:
        activity = UseCaseActivity(
            tenant_id=use_case.tenant_id,
            account_id=use_case.account_id,
            use_case_id=use_case.id,
            views=0,
            runs=0,
        )
        session.add(activity)
    return activity


def record_view(session: Session, use_case: UseCase) -> UseCaseActivity:
    activity = _activity(session, use_case)
    activity.views = (activity.views or 0) + 1
    activity.last_viewed_at = utcnow()
    return activity


def record_run(session: Session, use_case: UseCase) -> UseCaseActivity:
    """Someone reports they ran this case's prompt: the strongest sign a case is alive."""
    activity = _activity(session, use_case)
    activity.runs = (activity.runs or 0) + 1
    activity.last_run_at = utcnow()
    return activity


def activity_of(session: Session, use_case: UseCase) -> UseCaseActivity | None:
    return session.get(UseCaseActivity, use_case.id)


STAGE_ORDER = (Stage.SHARED, Stage.PILOT, Stage.PRODUCTION, Stage.ARCHIVED)


def set_stage(session: Session, use_case: UseCase, actor: User, stage: str) -> None:
    """Champions and client admins promote (shared -> pilot -> production), archive, or restore."""
    if not permissions.may_curate_use_case(actor, use_case):
        raise PermissionError("not allowed to change this case's stage")
    if stage not in set(Stage):
        raise FieldErrors({"stage": N_("Choose a stage from the list.")})
    if use_case.published_at is None:
        raise FieldErrors({"stage": N_("Publish the draft first.")})
    if stage == use_case.stage:
        return
    old = use_case.stage
    use_case.stage = str(stage)
    record_revision(session, use_case, actor, {"stage": (old, str(stage))})


@dataclass
class Listing:
    use_cases: list[UseCase]
    total: int
    page: int
    pages: int


def list_use_cases(
    session: Session,
    account_ids: list[int],
    filters: SearchFilters,
    page: int = 1,
    author: User | None = None,
) -> Listing:
    """Published cases matching ``filters``, newest first (plus ``author``'s own drafts when given)."""
    clauses = filters.clauses(drafts_of=author.id if author else None)
    query = select(UseCase).where(UseCase.account_id.in_(account_ids), *clauses)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(max(1, page), pages)
    rows = session.scalars(
        query.order_by(UseCase.used_on.desc(), UseCase.id.desc())
        .offset((page - 1) * PAGE_SIZE)
        .limit(PAGE_SIZE)
    )
    return Listing(use_cases=[u for u in rows if filters.admits(u)], total=total, page=page, pages=pages)


def drafts_of(session: Session, author: User) -> list[UseCase]:
    return list(
        session.scalars(
            select(UseCase)
            .where(UseCase.author_id == author.id, UseCase.published_at.is_(None))
            .order_by(UseCase.id.desc())
        )
    )


def wiki_day(session: Session, account_ids: list[int], now: datetime | None = None) -> list[UseCase]:
    """Published, unarchived cases with no views, runs or comments in the last 90 days (and older than
    that), oldest first: the candidates a champion reviews on the quarterly wiki day."""
    cutoff = (now or utcnow()) - timedelta(days=WIKI_DAY_QUIET_DAYS)
    recent_comment = select(UseCaseComment.use_case_id).where(UseCaseComment.created_at >= cutoff)
    lively = select(UseCaseActivity.use_case_id).where(
        or_(UseCaseActivity.last_viewed_at >= cutoff, UseCaseActivity.last_run_at >= cutoff)
    )
    return list(
        session.scalars(
            select(UseCase)
            .where(
                UseCase.account_id.in_(account_ids),
                UseCase.published_at.is_not(None),
                UseCase.published_at < cutoff,
                UseCase.stage != Stage.ARCHIVED.value,
                UseCase.id.not_in(recent_comment),
                UseCase.id.not_in(lively),
            )
            .order_by(UseCase.published_at, UseCase.id)
        )
    )
