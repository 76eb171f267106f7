"""Mail about a person's own login: confirm a new vendor's address, choose a new password, or learn that the
address already has a login. Each mail says who it is for and why it came."""

from flask import current_app, flash
from flask_babel import force_locale
from flask_babel import gettext as _

from app import mail
from app.invites import public_link
from tenants.users import User


def mail_leaves_the_machine() -> bool:
    return mail.is_real_backend(current_app.config["MAIL_URL"])


def _send(to: str, subject: str, body: str) -> None:
    """Send; on the embedded default (no mail leaves the machine) also show the mail, marked as such."""
    mail.send(to=to, subject=subject, body=body)
    if not mail_leaves_the_machine():
        flash(f"{subject}\n\n{body}", "mail-preview")


def send_verification(user: User, token: str) -> None:
    link = public_link("auth.verify_email", token=token)
    with force_locale(user.locale or "ja"):
        _send(
            user.email,
            _("Confirm your address to start %(vendor)s on AdoptLoop", vendor=user.tenant.name),
            _(
                "Hello %(name)s,\n\nyou created the workspace %(vendor)s on AdoptLoop. Open this link to "
                "confirm that %(email)s is your address and to sign in (valid 2 days):\n%(link)s\n\nUntil "
                "then the workspace cannot invite anyone. If you did not sign up, ignore this mail.",
                name=user.name,
                vendor=user.tenant.name,
                email=user.email,
                link=link,
            ),
        )


def send_already_registered(email: str, locale: str) -> None:
    """Someone signed up with an address that has a login: tell the mailbox, not the person at the form."""
    with force_locale(locale):
        _send(
            email,
            _("Your AdoptLoop login"),
            _(
                "Someone (perhaps you) tried to create a new AdoptLoop workspace with %(email)s, which "
                "already has a login. Sign in here: %(login)s\nForgot the password? Choose a new one here: "
                "%(forgot)s\n\nIf it was not you, ignore this mail; nothing was changed.",
                email=email,
                login=public_link("auth.login"),
                forgot=public_link("auth.forgot_password"),
            ),
        )


def send_reset(user: User, token: str, by: User | None = None) -> None:
    link = public_link("auth.reset_password", token=token)
    with force_locale(user.locale or user.tenant.default_locale or "ja"):
        if by is not None and by.id != user.id:
            intro = _(
                "%(admin)s asked AdoptLoop to send you a new sign-in link for %(vendor)s.",
                admin=by.name,
                vendor=user.tenant.name,
            )
            valid = _("It works once, for 3 days.")
        else:
            intro = _("You asked for a new AdoptLoop password.")
            valid = _("It works once, for 1 hour.")
        _send(
            user.email,
            _("Choose a new AdoptLoop password"),
            "\n\n".join(
                [
                    intro,
                    _("Open this link to choose a new password and sign in:") + f"\n{link}",
                    valid + " " + _("Other devices are signed out when you use it."),
                    _("If you did not expect this mail, ignore it; your password stays as it is."),
                ]
            ),
        )
