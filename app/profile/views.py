"""A person's own profile: name, language, password."""

from flask import Blueprint, current_app, flash, redirect, render_template, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms import PasswordField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, EqualTo, Length

from app.access import EVERYONE_SIGNED_IN, allow
from app.auth.forms import REQUIRED, password_field
from app.extensions import db, limiter
from app.forms import AppForm, save_or_show_errors
from app.signin import kept_signed_in, start_session
from tenants import sessions
from tenants.user_admin import change_password, update_profile

bp = Blueprint("profile", __name__)


class ProfileForm(AppForm):
    name = StringField(_l("Your name"), [DataRequired(REQUIRED), Length(max=200)])
    locale = SelectField(
        _l("Language"), choices=[SelectChoice("ja", "日本語"), SelectChoice("en", "English")]
    )


class PasswordForm(AppForm):
    current_password = PasswordField(_l("Current password"), [DataRequired(REQUIRED)])
    new_password = password_field(_l("New password"))
    confirm = PasswordField(
        _l("Repeat the new password"),
        [DataRequired(REQUIRED), EqualTo("new_password", _l("The passwords differ."))],
    )


def _render(profile: ProfileForm, password: PasswordForm, status: int = 200):
    user = current_user._get_current_object()
    return render_template(
        "profile/index.html",
        profile=profile,
        password=password,
        sign_ins=sessions.open_sign_ins(db.session, user),
        is_current=lambda row: sessions.is_current(row, user.get_id()),
    ), status


@bp.get("/profile")
@allow(EVERYONE_SIGNED_IN)
def index():
    return _render(ProfileForm(obj=current_user, prefix="profile"), PasswordForm(prefix="password"))


@bp.post("/profile")
@allow(EVERYONE_SIGNED_IN)
def save_profile():
    form = ProfileForm(prefix="profile")
    if form.validate_on_submit():
        update_profile(current_user, name=form.name.data, locale=form.locale.data)
        db.session.commit()
        session["lang"] = form.locale.data
        flash(_("Your profile is saved."), "success")
        return redirect(url_for("profile.index"))
    return _render(form, PasswordForm(prefix="password"), 422)


@bp.post("/profile/password")
@allow(EVERYONE_SIGNED_IN)
@limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT"], key_func=lambda: f"password:{current_user.id}")
def save_password():
    form = PasswordForm(prefix="password")
    user = current_user._get_current_object()
    if form.validate_on_submit():
        saved = save_or_show_errors(
            form,
            lambda: change_password(user, current=form.current_password.data, new=form.new_password.data),
        )
        if saved is not None:
            # Every other session ended with the old session version; this one continues under the new one.
            start_session(user, remember=kept_signed_in())
            current_app.logger.info("user %s changed their password", user.id)
            flash(_("Your password is changed. Other devices are signed out."), "success")
            return redirect(url_for("profile.index"))
    return _render(ProfileForm(obj=current_user, prefix="profile"), form, 422)
