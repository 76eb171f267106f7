"""Sign-up, sign-in and invitation-acceptance forms."""

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, EmailField, PasswordField, StringField
from wtforms.validators import DataRequired, Email, EqualTo, Length

from app.forms import AppForm
from tenants.passwords import MIN_PASSWORD_LENGTH

REQUIRED = _l("This field is required.")


def _password_field(label):
    return PasswordField(
        label,
        validators=[
            DataRequired(REQUIRED),
            Length(min=MIN_PASSWORD_LENGTH, max=200, message=_l("Use at least 10 characters.")),
        ],
    )


class SignupForm(AppForm):
    vendor_name = StringField(
        _l("Company name (your AI product vendor)"), [DataRequired(REQUIRED), Length(max=200)]
    )
    name = StringField(_l("Your name"), [DataRequired(REQUIRED), Length(max=200)])
    email = EmailField(_l("Work email"), [DataRequired(REQUIRED), Email(_l("Enter a valid email address."))])
    password = _password_field(_l("Password"))


class LoginForm(AppForm):
    email = EmailField(_l("Email"), [DataRequired(REQUIRED), Email(_l("Enter a valid email address."))])
    password = PasswordField(_l("Password"), [DataRequired(REQUIRED)])
    remember = BooleanField(_l("Keep me signed in"))


class AcceptInvitationForm(AppForm):
    name = StringField(_l("Your name"), [DataRequired(REQUIRED), Length(max=200)])
    password = _password_field(_l("Choose a password"))
    confirm = PasswordField(
        _l("Repeat the password"), [DataRequired(REQUIRED), EqualTo("password", _l("The passwords differ."))]
    )
