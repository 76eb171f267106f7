"""The audit trail read as sentences ("佐藤 美咲 onboarded さくら製作所"), not event codes."""

from flask_babel import gettext as _
from sqlalchemy import select

from app.extensions import db
from app.i18n import number, yen
from tenants.accounts import Account
from tenants.audit import AuditEvent
from tenants.users import User

_FIELDS = {
    "licensed_seats": ("Licensed seats", number),
    "monthly_spend_yen": ("Monthly spend (excl. tax)", yen),
    "hourly_labor_cost_yen": ("Hourly labor cost", yen),
}


def _target_id(target: str, kind: str) -> int | None:
    prefix, _, value = target.partition(":")
    return int(value) if prefix == kind and value.isdigit() else None


def sentences(events: list[AuditEvent]) -> list[tuple[AuditEvent, str]]:
    """Each event with a sentence in the current language; names are looked up in the current scope."""
    user_ids = {e.actor_id for e in events if e.actor_id} | {
        uid for e in events if (uid := _target_id(e.target, "user"))
    }
    account_ids = {e.account_id for e in events if e.account_id}
    users = {}
    if user_ids:
        users = dict(db.session.execute(select(User.id, User.name).where(User.id.in_(user_ids))).all())
    accounts = (
        dict(db.session.execute(select(Account.id, Account.name).where(Account.id.in_(account_ids))).all())
        if account_ids
        else {}
    )
    return [(e, describe(e, users, accounts)) for e in events]


def describe(event: AuditEvent, users: dict[int, str], accounts: dict[int, str]) -> str:
    """One event as a sentence."""
    someone = _("someone")
    actor = users.get(event.actor_id, someone)
    account = accounts.get(event.account_id) or event.data.get("name") or someone
    target = users.get(_target_id(event.target, "user"), someone)
    match event.action:
        case "tenant.created":
            return _("%(actor)s created this workspace.", actor=actor)
        case "account.onboarded":
            return _("%(actor)s onboarded %(account)s.", actor=actor, account=account)
        case "account.updated":
            changes = [
                _("%(field)s %(old)s → %(new)s", field=_(label), old=fmt(old), new=fmt(new))
                for key, (label, fmt) in _FIELDS.items()
                if isinstance(change := event.data.get(key), list) and len(change) == 2
                for old, new in [change]
            ]
            sentence = _("%(actor)s edited %(account)s.", actor=actor, account=account)
            return f"{sentence} {', '.join(changes)}" if changes else sentence
        case "user.deactivated":
            return _("%(actor)s deactivated %(person)s.", actor=actor, person=target)
        case "user.reactivated":
            return _("%(actor)s reactivated %(person)s.", actor=actor, person=target)
    return _("%(actor)s: %(action)s", actor=actor, action=event.action)
