"""Turning a new invitation into a mail the invitee can trust, and telling the inviter what happened."""

from datetime import timedelta

from flask import current_app, flash, url_for
from flask_babel import force_locale, format_date
from flask_babel import gettext as _
from flask_login import current_user

from app import mail
from app.extensions import limiter
from app.limits import MISSING_PUBLIC_URL, ConfigurationError, host_from_request_is_unsafe
from tenants.invitations import INVITATION_TTL, Invitation
from tenants.roles import ROLE_DUTIES, ROLE_LABELS


def _inviter_key() -> str:
    return f"invite:{current_user.id}"


# Every route that sends an invitation shares one budget per signed-in user (invitations are mail to
# strangers); only requests that sent one (and so redirect) are counted, not "add a team" or a form error.
invite_limit = limiter.shared_limit(
    lambda: current_app.config["INVITE_RATE_LIMIT"],
    scope="invite",
    methods=["POST"],
    key_func=_inviter_key,
    deduct_when=lambda response: response.status_code == 302,
)


def public_link(endpoint: str, **values) -> str:
    """Absolute URL for a link in a mail: PUBLIC_URL when set (required in production), else this host."""
    path = url_for(endpoint, **values)
    base = current_app.config.get("PUBLIC_URL", "").rstrip("/")
    if base:
        return base + path
    if host_from_request_is_unsafe(current_app) and not current_app.testing:
        raise ConfigurationError(MISSING_PUBLIC_URL)
    return url_for(endpoint, _external=True, **values)


def invitation_link(token: str) -> str:
    """Absolute URL of the acceptance page."""
    return public_link("auth.accept_invitation", token=token)


def invitation_mail(invitation: Invitation, link: str) -> tuple[str, str]:
    """Subject and body in the invitee's language: who invites them, for which vendor and client, in which
    role, what that role does, and until when the link works."""
    inviter = invitation.invited_by.name if invitation.invited_by else invitation.tenant.name
    vendor = invitation.tenant.name
    role = invitation.role_enum
    with force_locale(invitation.locale or invitation.tenant.default_locale):
        where = invitation.account.name if invitation.account else vendor
        subject = _("%(inviter)s invited you to %(where)s on AdoptLoop", inviter=inviter, where=where)
        if invitation.account:
            intro = _(
                "%(inviter)s of %(vendor)s invited you to join %(account)s on AdoptLoop as %(role)s.",
                inviter=inviter,
                vendor=vendor,
                account=invitation.account.name,
                role=_(ROLE_LABELS[role]),
            )
        else:
            intro = _(
                "%(inviter)s invited you to join %(vendor)s on AdoptLoop as %(role)s.",
                inviter=inviter,
                vendor=vendor,
                role=_(ROLE_LABELS[role]),
            )
        # The last day the link still works, in the reader's calendar.
        until = format_date(invitation.expires_at - timedelta(seconds=1), "long")
        body = "\n\n".join(
            [
                intro,
                _("As %(role)s you will %(duties)s.", role=_(ROLE_LABELS[role]), duties=_(ROLE_DUTIES[role])),
                _("Open this link to choose your password (it works until %(date)s):", date=until)
                + "\n"
                + link,
                _(
                    "The link is for %(email)s only. If you did not expect this invitation, ignore this "
                    "mail; nothing happens without you.",
                    email=invitation.email,
                ),
            ]
        )
    return subject, body + "\n"


def send_invitation(invitation: Invitation, token: str) -> str:
    """Mail the invitation link; returns the link."""
    link = invitation_link(token)
    subject, body = invitation_mail(invitation, link)
    mail.send(to=invitation.email, subject=subject, body=body)
    return link


def mail_leaves_the_machine() -> bool:
    return mail.is_real_backend(current_app.config["MAIL_URL"])


def send_and_show(invitation: Invitation, token: str) -> None:
    """Send the invitation; show the raw link to the inviter only when no mail really leaves the machine.

    With a real mail server the link reaches only the invitee's inbox, so knowing the inviter's password is
    not enough to join as someone else. On the embedded default (no mail server) the inviter sees it,
    marked as such, and passes it on by hand.
    """
    link = send_invitation(invitation, token)
    if mail_leaves_the_machine():
        flash(
            _(
                "Invitation mailed to %(email)s (valid %(days)d days).",
                email=invitation.email,
                days=INVITATION_TTL.days,
            ),
            "success",
        )
        return
    flash(
        _(
            "No mail leaves this machine (embedded default): send this link to %(email)s yourself. "
            "It is valid %(days)d days.",
            email=invitation.email,
            days=INVITATION_TTL.days,
        ),
        "invite",
    )
    flash(link, "invite-link")
