"""Sign-up, sign-in and invitation-acceptance forms."""

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, EmailField, PasswordField, StringField
from wtforms.validators import DataRequired, Email, EqualTo, Length

from app.forms import AppForm
from app.i18n import translate
from tenants.errors import Message
from tenants.rules import MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH, PASSWORD_TOO_SHORT

REQUIRED = _l("This field is required.")


class _PasswordLength(Length):
    """The password rule of :mod:`tenants.rules`, its message translated when the form validates."""

    def __init__(self):
        super().__init__(min=MIN_PASSWORD_LENGTH, max=MAX_PASSWORD_LENGTH)

    def __call__(self, form, field):
        self.message = translate(Message(PASSWORD_TOO_SHORT, n=MIN_PASSWORD_LENGTH))
        super().__call__(form, field)


def password_field(label):
    """A new password, held to the one password rule."""
    return PasswordField(label, validators=[DataRequired(REQUIRED), _PasswordLength()])


class SignupForm(AppForm):
    vendor_name = StringField(
        _l("Company name (your AI product vendor)"), [DataRequired(REQUIRED), Length(max=200)]
    )
    name = StringField(_l("Your name"), [DataRequired(REQUIRED), Length(max=200)])
    email = EmailField(_l("Work email"), [DataRequired(REQUIRED), Email(_l("Enter a valid email address."))])
    password = password_field(_l("Password"))


class LoginForm(AppForm):
    email = EmailField(_l("Email"), [DataRequired(REQUIRED), Email(_l("Enter a valid email address."))])
    password = PasswordField(_l("Password"), [DataRequired(REQUIRED)])
    remember = BooleanField(_l("Keep me signed in"))


class AcceptInvitationForm(AppForm):
    name = StringField(_l("Your name"), [DataRequired(REQUIRED), Length(max=200)])
    password = password_field(_l("Choose a password"))
    confirm = PasswordField(
        _l("Repeat the password"), [DataRequired(REQUIRED), EqualTo("password", _l("The passwords differ."))]
    )


class JoinWithLoginForm(AppForm):
    """Accepting an invitation with an address that already signs in (at another vendor)."""

    name = StringField(_l("Your name"), [DataRequired(REQUIRED), Length(max=200)])
    password = PasswordField(_l("Your AdoptLoop password"), [DataRequired(REQUIRED)])


class ConfirmForm(AppForm):
    """Only the CSRF token: a button that turns a mailed link into a POST."""


class ForgotPasswordForm(AppForm):
    email = EmailField(_l("Email"), [DataRequired(REQUIRED), Email(_l("Enter a valid email address."))])


class ResetPasswordForm(AppForm):
    password = password_field(_l("New password"))
    confirm = PasswordField(
        _l("Repeat the new password"),
        [DataRequired(REQUIRED), EqualTo("password", _l("The passwords differ."))],
    )
