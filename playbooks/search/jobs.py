"""Background embedding: bulk imports and model changes leave many cases without a current vector."""

from __future__ import annotations

import os
from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from playbooks.search.embedders import embedder_for
from playbooks.search.index import pending_embeddings, store_embeddings
from tenants import jobs
from tenants.accounts import Account
from tenants.db import db
from tenants.jobs import job
from tenants.scoping import Scope, scoped

BATCH = 256


@job("imports", timeout=3600, retries=2)
def embed_account(tenant_id: int, account_id: int, embedder_setting: str | None = None) -> int:
    """Compute every missing or stale vector of one account, committing batch by batch (a retry resumes
    where the last run stopped: finished cases are no longer pending). Returns how many were embedded."""
    embedder = embedder_for(embedder_setting or os.environ.get("USECASE_EMBEDDER", "use"))
    done = 0
    with scoped(db.session, Scope(tenant_id=tenant_id)):
        while batch := pending_embeddings(db.session, [account_id], embedder, BATCH):
            store_embeddings(db.session, batch, embedder)
            db.session.commit()
            done += len(batch)
    return done


def enqueue_embedding(session: Session, account_ids: Iterable[int]) -> None:
    """Queue :func:`embed_account` for the accounts (rq only: inline, each search embeds a batch itself)."""
    if jobs.backend() != "rq":
        return
    setting = os.environ.get("USECASE_EMBEDDER", "use")
    for account_id, tenant_id in session.execute(
        select(Account.id, Account.tenant_id).where(Account.id.in_(list(account_ids)))
    ):
        jobs.enqueue(embed_account, tenant_id, account_id, setting, job_id=f"embed-account-{account_id}")
