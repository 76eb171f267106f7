"""Signing up a vendor, signing in and out, and joining through an invitation link."""

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_limiter.util import get_remote_address
from flask_login import current_user

from app.access import EVERYONE_SIGNED_IN, allow, public
from app.extensions import db, limiter
from app.forms import form_status, save_or_show_errors
from app.i18n import select_locale, use_invitation_locale
from app.redirects import safe_local_path
from app.signin import end_session, start_session
from tenants import invitations
from tenants.users import authenticate, sign_up_vendor

from .forms import AcceptInvitationForm, LoginForm, SignupForm

bp = Blueprint("auth", __name__)


def _login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


def _failed(response) -> bool:
    """Only failed attempts count: a sign-in or acceptance that worked redirects (302)."""
    return response.status_code != 302


def _email() -> str:
    return request.form.get("email", "").strip().lower()


def _pair_key() -> str:
    # Failures per address *and* IP: a guesser is stopped early without locking the owner out elsewhere.
    return f"login-pair:{_email()}:{get_remote_address()}"


def _email_key() -> str:
    # A far higher ceiling per address from every IP together slows a guess spread over many IPs.
    return "login-email:" + _email()


def _ip_key() -> str:
    return "login-ip:" + get_remote_address()


# Sign-in: failures only, three ways. An office behind one IP (a 30-person LT kickoff) signs in freely;
# ten wrong passwords for one address from one IP wait ten minutes; one address attacked from many IPs
# stays open to its owner until the much higher per-address ceiling.
_login_limits = [
    limiter.limit(
        lambda: current_app.config["LOGIN_PAIR_RATE_LIMIT"],
        methods=["POST"],
        key_func=_pair_key,
        deduct_when=_failed,
    ),
    limiter.limit(
        lambda: current_app.config["LOGIN_EMAIL_RATE_LIMIT"],
        methods=["POST"],
        key_func=_email_key,
        deduct_when=_failed,
    ),
    limiter.limit(
        lambda: current_app.config["LOGIN_IP_RATE_LIMIT"],
        methods=["POST"],
        key_func=_ip_key,
        deduct_when=_failed,
    ),
]


def login_limits(view):
    for limit in reversed(_login_limits):
        view = limit(view)
    return view


@bp.route("/signup", methods=["GET", "POST"])
@public
@limiter.limit(_login_limit, methods=["POST"], deduct_when=_failed)
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
            start_session(user)
            flash(_("Welcome to AdoptLoop. Onboard your first client account."), "success")
            return redirect(url_for("accounts.portfolio"))
    return render_template("auth/signup.html", form=form), form_status(form)


@bp.route("/login", methods=["GET", "POST"])
@public
@login_limits
def login():
    if current_user.is_authenticated:
        return redirect(url_for("home.index"))
    form = LoginForm()
    if form.validate_on_submit():
        user = authenticate(db.session, form.email.data, form.password.data)
        if user is not None:
            db.session.commit()
            start_session(user, remember=form.remember.data)
            return redirect(safe_local_path(request.args.get("next")) or url_for("home.index"))
        form.form_errors.append(_("Email or password is incorrect."))
    return render_template("auth/login.html", form=form), 401 if form.form_errors else 200


@bp.post("/logout")
@allow(EVERYONE_SIGNED_IN)
def logout():
    everywhere = request.form.get("everywhere") == "1"
    end_session(current_user._get_current_object(), everywhere=everywhere)
    if everywhere:
        flash(_("You have signed out on every device."), "info")
    else:
        flash(_("You have signed out."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/invite/<token>", methods=["GET", "POST"])
@public
@limiter.limit(_login_limit, methods=["POST"], deduct_when=_failed)
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
            start_session(user)
            flash(_("Welcome, %(name)s.", name=user.name), "success")
            return redirect(url_for("home.index"))
    return render_template("auth/accept.html", form=form, invitation=invitation), form_status(form)
