"""Turning a new invitation into a link the invitee can open, and sending it."""

from flask import current_app, flash, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app import mail
from app.extensions import limiter
from tenants.invitations import INVITATION_TTL, Invitation


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


def invitation_link(token: str) -> str:
    """Absolute URL of the acceptance page (PUBLIC_URL when set, else the current host)."""
    path = url_for("auth.accept_invitation", token=token)
    base = current_app.config.get("PUBLIC_URL", "").rstrip("/")
    return base + path if base else url_for("auth.accept_invitation", token=token, _external=True)


def send_invitation(invitation: Invitation, token: str) -> str:
    """Mail (or log) the invitation link and return it for the inviter to see."""
    link = invitation_link(token)
    where = invitation.account.name if invitation.account else invitation.tenant.name
    mail.send(
        to=invitation.email,
        subject=_("You are invited to %(where)s on AdoptLoop", where=where),
        body=_(
            "You have been invited to join %(where)s on AdoptLoop.\n\nOpen this link to choose your password "
            "(it expires in %(days)d days):\n%(link)s\n",
            where=where,
            link=link,
            days=INVITATION_TTL.days,
        ),
    )
    return link


def send_and_show(invitation: Invitation, token: str) -> None:
    """Send the invitation and, since no mail server runs here, also show the link to the inviter."""
    link = send_invitation(invitation, token)
    flash(
        _(
            "Invitation for %(email)s — send them this link (valid %(days)d days):",
            email=invitation.email,
            days=INVITATION_TTL.days,
        ),
        "invite",
    )
    flash(link, "invite-link")
