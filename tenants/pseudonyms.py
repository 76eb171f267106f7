"""People in imported data are stored as a keyed hash, never as an email or a chat handle.

The key is per tenant (HMAC of the tenant id with the installation's secret), so the same person hashes
differently at two vendors and nobody can reverse a hash by hashing a list of addresses. Usage exports
(reports/) and chat notes (playbooks/) both call :func:`hash_user`, so one person is one hash across both.
"""

from __future__ import annotations

import hashlib
import hmac


def hash_user(secret: str, tenant_id: int, user: str) -> str:
    """The stored identity of ``user`` (an email, a login, a concealed id) at this tenant."""
    key = hmac.new(secret.encode(), f"tenant:{tenant_id}".encode(), hashlib.sha256).digest()
    return hmac.new(key, user.strip().lower().encode(), hashlib.sha256).hexdigest()
