"""Playbooks a vendor owner uploads: their own, or a new version of a shipped one, scoped to their tenant.

Uploads are validated exactly like shipped files (:func:`playbooks.definitions.parse`). A version number must
grow: runs already started keep the frozen copy they began with, so a new version only affects new runs.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint, func, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from playbooks.definitions import PlaybookFileError, PlaybookSpec, Problem, parse, shipped
from tenants.db import db, utcnow
from tenants.scoping import TenantOwned
from tenants.users import User


class PlaybookDefinition(TenantOwned, db.Model):
    """One uploaded version of a playbook."""

    __tablename__ = "playbook_definitions"
    __table_args__ = (UniqueConstraint("tenant_id", "key", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(63))
    version: Mapped[int]
    spec: Mapped[dict] = mapped_column(JSON)
    source: Mapped[str] = mapped_column(Text)
    filename: Mapped[str] = mapped_column(String(200), default="")
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    uploaded_at: Mapped[datetime] = mapped_column(default=utcnow)

    @property
    def playbook(self) -> PlaybookSpec:
        return PlaybookSpec.model_validate(self.spec)


def upload_playbook(
    session: Session, tenant_id: int, actor: User, content: bytes, filename: str
) -> PlaybookDefinition:
    """Validate and store an uploaded playbook; raises :class:`PlaybookFileError` (file, key path, reason)."""
    spec = parse(content, file=filename or "upload.yaml")
    latest = latest_version(session, spec.key)
    if spec.version <= latest:
        raise PlaybookFileError(
            [
                Problem(
                    filename,
                    "version",
                    f"version {spec.version} must be greater than {latest}, the current one",
                )
            ]
        )
    definition = PlaybookDefinition(
        tenant_id=tenant_id,
        key=spec.key,
        version=spec.version,
        spec=spec.model_dump(mode="json"),
        source=content.decode("utf-8"),
        filename=filename[:200],
        uploaded_by_id=actor.id,
    )
    session.add(definition)
    session.flush()
    return definition


def latest_version(session: Session, key: str) -> int:
    """The highest version of ``key`` known to this tenant (shipped or uploaded; 0 if none)."""
    uploaded = session.scalar(
        select(func.max(PlaybookDefinition.version)).where(PlaybookDefinition.key == key)
    )
    spec = shipped().get(key)
    return max(uploaded or 0, spec.version if spec else 0)


def uploads(session: Session) -> list[PlaybookDefinition]:
    return list(
        session.scalars(
            select(PlaybookDefinition).order_by(PlaybookDefinition.key, PlaybookDefinition.version)
        )
    )


def available_playbooks(session: Session) -> dict[str, PlaybookSpec]:
    """Every playbook this tenant can start, each at its newest version (uploads override shipped ones)."""
    specs = dict(shipped())
    for definition in uploads(session):
        if definition.version >= (specs[definition.key].version if definition.key in specs else 0):
            specs[definition.key] = definition.playbook
    return specs
