"""Issued reports and the links that let procurement read one without an account.

A report's inputs and results are frozen when it is requested; the PDF rendered later from them never
changes either. Nothing here is ever updated after the report is done, except share links (revocation)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, ForeignKey, Index, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, deferred, mapped_column, relationship

from tenants.accounts import Account
from tenants.db import as_utc, db, utcnow
from tenants.scoping import AccountOwned
from tenants.users import User

QUEUED, RUNNING, DONE, FAILED = "queued", "running", "done", "failed"
STATUSES = (QUEUED, RUNNING, DONE, FAILED)


class Report(AccountOwned, db.Model):
    """One ROI report of one account for one period, in one language."""

    __tablename__ = "reports"
    __table_args__ = (
        # The form carries a one-time key: a double click or a resubmitted form finds the first report.
        UniqueConstraint("tenant_id", "request_key"),
        Index("ix_reports_account_created", "account_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    request_key: Mapped[str] = mapped_column(String(64))
    period_start: Mapped[date]
    period_end: Mapped[date]
    locale: Mapped[str] = mapped_column(String(5))
    status: Mapped[str] = mapped_column(String(16), default=QUEUED)
    error: Mapped[str | None] = mapped_column(Text)
    attempts: Mapped[int] = mapped_column(default=0)
    inputs: Mapped[dict] = mapped_column(JSON)  # frozen ROI inputs, as parse_inputs reads them
    results: Mapped[dict] = mapped_column(JSON)  # frozen ROI results (to_json) and the account's measures
    notes: Mapped[str] = mapped_column(Text, default="")  # what matters but can't be measured
    inputs_sha256: Mapped[str] = mapped_column(String(64))
    pdf: Mapped[bytes | None] = deferred(mapped_column(LargeBinary))
    pdf_sha256: Mapped[str | None] = mapped_column(String(64))
    pages: Mapped[int | None]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]

    account: Mapped[Account] = relationship()
    created_by: Mapped[User | None] = relationship()
    share_links: Mapped[list[ShareLink]] = relationship(
        back_populates="report", cascade="all, delete-orphan", order_by="ShareLink.id"
    )

    @property
    def is_done(self) -> bool:
        return self.status == DONE


class ShareLink(AccountOwned, db.Model):
    """An expiring, revocable link to one report's PDF; only a hash of its token is stored."""

    __tablename__ = "report_share_links"

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    expires_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    open_count: Mapped[int] = mapped_column(default=0)
    last_opened_at: Mapped[datetime | None]

    report: Mapped[Report] = relationship(back_populates="share_links")

    def status(self, now: datetime | None = None) -> str:
        """``active``, ``expired`` or ``revoked``."""
        if self.revoked_at is not None:
            return "revoked"
        return "expired" if (now or utcnow()) >= as_utc(self.expires_at) else "active"
