"""Signing up a vendor, signing in and out, and joining through an invitation link."""

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_limiter.util import get_remote_address
from flask_login import current_user

from app import account_mail
from app.access import EVERYONE_SIGNED_IN, allow, public
from app.extensions import db, limiter
from app.forms import form_status, save_or_show_errors
from app.i18n import select_locale, use_invitation_locale
from app.redirects import safe_local_path
from app.signin import end_session, start_session
from tenants import invitations, login_links
from tenants.users import authenticate, email_taken, membership_choices, normalize_email, sign_up_vendor

from .forms import (
    AcceptInvitationForm,
    ConfirmForm,
    ForgotPasswordForm,
    JoinWithLoginForm,
    LoginForm,
    ResetPasswordForm,
    SignupForm,
)

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
@limiter.limit(_login_limit, methods=["POST"])
def signup():
    """Create a vendor, unverified until the owner opens the mailed link. The page answers the same whether
    or not the address already has a login; only the mailbox is told which."""
    form = SignupForm()
    if form.validate_on_submit():
        locale = select_locale()
        if email_taken(db.session, form.email.data):
            account_mail.send_already_registered(normalize_email(form.email.data), locale)
            return _check_mail(form.email.data)
        user = save_or_show_errors(
            form,
            lambda: sign_up_vendor(
                db.session,
                vendor_name=form.vendor_name.data,
                name=form.name.data,
                email=form.email.data,
                password=form.password.data,
                locale=locale,
                verified=False,
            ),
        )
        if user is not None:
            token = login_links.issue(db.session, user, login_links.Purpose.VERIFY)
            db.session.commit()
            account_mail.send_verification(user, token)
            return _check_mail(user.email)
    return render_template("auth/signup.html", form=form), form_status(form)


def _check_mail(email: str):
    return render_template("auth/check_mail.html", email=normalize_email(email))


@bp.route("/verify/<token>", methods=["GET", "POST"])
@public
def verify_email(token: str):
    """GET shows a button (mail scanners open links); POST confirms the address and signs the owner in."""
    link = login_links.find(db.session, token, login_links.Purpose.VERIFY)
    if link is None:
        return render_template("auth/link_invalid.html"), 404
    form = ConfirmForm()
    if form.validate_on_submit():
        user = login_links.confirm_address(db.session, link)
        db.session.commit()
        start_session(user)
        flash(_("Your address is confirmed. Onboard your first client account."), "success")
        return redirect(url_for("home.index"))
    return render_template("auth/verify.html", form=form, link=link)


def _forgot_key() -> str:
    return "forgot:" + _email()


@bp.route("/password/forgot", methods=["GET", "POST"])
@public
@limiter.limit(_login_limit, methods=["POST"])
@limiter.limit(lambda: current_app.config["RESET_EMAIL_RATE_LIMIT"], methods=["POST"], key_func=_forgot_key)
def forgot_password():
    """Mail a reset link if the address has a login; the page says the same either way."""
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        user = login_links.user_for_address(db.session, form.email.data)
        if user is not None:
            token = login_links.issue(db.session, user, login_links.Purpose.RESET)
            db.session.commit()
            account_mail.send_reset(user, token)
        return _check_mail(form.email.data)
    return render_template("auth/forgot.html", form=form), form_status(form)


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
@public
@limiter.limit(_login_limit, methods=["POST"], deduct_when=_failed)
def reset_password(token: str):
    link = login_links.find(db.session, token, login_links.Purpose.RESET)
    if link is None:
        return render_template("auth/link_invalid.html"), 404
    form = ResetPasswordForm()
    if form.validate_on_submit():
        user = save_or_show_errors(
            form, lambda: login_links.reset_password(db.session, link, form.password.data)
        )
        if user is not None:
            start_session(user)
            flash(_("Your new password is set. Other devices are signed out."), "success")
            return redirect(url_for("home.index"))
    return render_template("auth/reset.html", form=form, email=link.user.email), form_status(form)


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
            next_path = safe_local_path(request.args.get("next"))
            if len(membership_choices(db.session, user.person_id)) > 1:
                # Several vendors: the person says where to work (they land in the last one used).
                return redirect(url_for("memberships.choose", next=next_path))
            return redirect(next_path or url_for("home.index"))
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
    has_login = invitations.invitee_has_login(db.session, invitation)
    form = JoinWithLoginForm() if has_login else AcceptInvitationForm()
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
    return render_template(
        "auth/accept.html", form=form, invitation=invitation, has_login=has_login
    ), form_status(form)
