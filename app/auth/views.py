"""Signing up a vendor, signing in and out, and joining through an invitation link."""

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from app.access import EVERYONE_SIGNED_IN, allow, public
from app.extensions import db, limiter
from app.forms import form_status, save_or_show_errors
from app.i18n import select_locale, use_invitation_locale
from app.redirects import safe_local_path
from tenants import invitations
from tenants.users import authenticate, sign_up_vendor

from .forms import AcceptInvitationForm, LoginForm, SignupForm

bp = Blueprint("auth", __name__)


def _login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


def _email_limit() -> str:
    return current_app.config["LOGIN_EMAIL_RATE_LIMIT"]


def _email_key() -> str:
    # A second limit per target email stops one address being guessed from many IPs.
    return "login-email:" + request.form.get("email", "").strip().lower()


def _start_session(user, remember: bool = False) -> None:
    session.clear()  # a fresh session on sign-in defeats session fixation
    login_user(user, remember=remember)
    if user.locale:
        session["lang"] = user.locale


@bp.route("/signup", methods=["GET", "POST"])
@public
@limiter.limit(_login_limit, methods=["POST"])
def signup():
    form = SignupForm()
    if form.validate_on_submit():
        user = save_or_show_errors(
            form,
            lambda: sign_up_vendor(
                db.session,
                vendor_name=form.vendor_name.data,
                name=form.name.data,
                email=form.email.data,
                password=form.password.data,
                locale=select_locale(),
            ),
        )
        if user is not None:
            _start_session(user)
            flash(_("Welcome to AdoptLoop. Onboard your first client account."), "success")
            return redirect(url_for("accounts.portfolio"))
    return render_template("auth/signup.html", form=form), form_status(form)


@bp.route("/login", methods=["GET", "POST"])
@public
@limiter.limit(_login_limit, methods=["POST"])
@limiter.limit(_email_limit, methods=["POST"], key_func=_email_key)
def login():
    if current_user.is_authenticated:
        return redirect(url_for("home.index"))
    form = LoginForm()
    if form.validate_on_submit():
        user = authenticate(db.session, form.email.data, form.password.data)
        if user is not None:
            db.session.commit()
            _start_session(user, remember=form.remember.data)
            return redirect(safe_local_path(request.args.get("next")) or url_for("home.index"))
        form.form_errors.append(_("Email or password is incorrect."))
    return render_template("auth/login.html", form=form), 401 if form.form_errors else 200


@bp.post("/logout")
@allow(EVERYONE_SIGNED_IN)
def logout():
    # Clear first: logout_user() leaves the instruction to delete the remember-me cookie in the session.
    session.clear()
    logout_user()
    flash(_("You have signed out."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/invite/<token>", methods=["GET", "POST"])
@public
@limiter.limit(_login_limit, methods=["POST"])
def accept_invitation(token: str):
    invitation = invitations.find_pending(db.session, token)
    if invitation is None:
        return render_template("auth/invitation_invalid.html"), 404
    use_invitation_locale(invitation.locale)
    form = AcceptInvitationForm()
    if form.validate_on_submit():
        user = save_or_show_errors(
            form,
            lambda: invitations.accept(
                db.session,
                invitation,
                name=form.name.data,
                password=form.password.data,
                locale=select_locale(),
            ),
        )
        if user is not None:
            _start_session(user)
            flash(_("Welcome, %(name)s.", name=user.name), "success")
            return redirect(url_for("home.index"))
    return render_template("auth/accept.html", form=form, invitation=invitation), form_status(form)
