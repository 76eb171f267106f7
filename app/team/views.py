"""The vendor's own people: owners and CSMs, their invitations, and managing any invitation."""

from flask import Blueprint, abort, flash, g, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app import account_mail
from app.access import INVITERS, OWNER_ONLY, VENDOR_STAFF, allow
from app.accounts.forms import InvitePersonForm
from app.audit_text import sentences
from app.extensions import db
from app.forms import save_or_show_errors
from app.i18n import translate
from app.invites import invite_limit, send_and_show
from tenants import audit, invitations, login_links, people, permissions, user_admin
from tenants.errors import FieldErrors
from tenants.roles import VENDOR_ROLES, Role

bp = Blueprint("team", __name__)


def _render(form: InvitePersonForm, status: int = 200):
    return render_template(
        "team/index.html",
        staff=people.vendor_staff(db.session),
        pending=invitations.list_invitations(db.session),
        form=form,
        events=sentences(audit.recent(db.session, 20)) if permissions.may_read_audit(current_user) else [],
    ), status


@bp.get("/team")
@allow(VENDOR_STAFF)
def index():
    return _render(InvitePersonForm(roles=VENDOR_ROLES))


@bp.post("/team/invitations")
@allow(OWNER_ONLY)
@invite_limit
def invite():
    form = InvitePersonForm(roles=VENDOR_ROLES)
    if form.validate_on_submit():
        created = save_or_show_errors(
            form,
            lambda: invitations.invite(
                db.session,
                g.tenant,
                inviter=current_user,
                email=form.email.data,
                role=Role(form.role.data),
                locale=form.locale.data,
            ),
        )
        if created is not None:
            send_and_show(*created)
            return redirect(url_for("team.index"))
    return _render(form, 422)


def _manageable_invitation_or_404(invitation_id: int):
    invitation = invitations.get_invitation(db.session, invitation_id)
    if invitation is None:
        abort(404)
    if not permissions.may_manage_invitation(current_user, invitation):
        abort(403)
    return invitation


def _back_to(invitation) -> str:
    if invitation.account_id:
        return url_for("accounts.detail", account_id=invitation.account_id)
    return url_for("team.index")


@bp.post("/invitations/<int:invitation_id>/reissue")
@allow(INVITERS)
@invite_limit
def reissue(invitation_id: int):
    invitation = _manageable_invitation_or_404(invitation_id)
    try:
        token = invitations.reissue(db.session, invitation, current_user)
        db.session.commit()
    except FieldErrors as error:
        db.session.rollback()
        flash(translate(error.errors["invitation"]), "error")
    else:
        send_and_show(invitation, token)
    return redirect(_back_to(invitation))


@bp.post("/invitations/<int:invitation_id>/revoke")
@allow(INVITERS)
def revoke(invitation_id: int):
    invitation = _manageable_invitation_or_404(invitation_id)
    invitations.revoke(invitation)
    db.session.commit()
    flash(_("The invitation for %(email)s is revoked.", email=invitation.email), "info")
    return redirect(_back_to(invitation))


def _set_active(user_id: int, active: bool):
    target = user_admin.get_user(db.session, user_id)
    if target is None:
        abort(404)
    try:
        user_admin.set_active(db.session, current_user, target, active)
    except PermissionError:
        abort(403)
    db.session.commit()
    if active:
        flash(_("%(name)s can sign in again.", name=target.name), "success")
    else:
        flash(_("%(name)s is deactivated and signed out everywhere.", name=target.name), "info")
    if target.account_id and not target.role.is_vendor:
        return redirect(url_for("accounts.detail", account_id=target.account_id))
    return redirect(url_for("team.index"))


@bp.post("/users/<int:user_id>/deactivate")
@allow(INVITERS)
def deactivate_user(user_id: int):
    return _set_active(user_id, active=False)


@bp.post("/users/<int:user_id>/reactivate")
@allow(INVITERS)
def reactivate_user(user_id: int):
    return _set_active(user_id, active=True)


@bp.post("/users/<int:user_id>/sign-in-link")
@allow(INVITERS)
@invite_limit
def send_sign_in_link(user_id: int):
    """A CSM or client admin sends one of their people a link to choose a new password (mailed to them)."""
    target = user_admin.get_user(db.session, user_id)
    if target is None:
        abort(404)
    if not permissions.may_manage_user(current_user, target) or not target.active:
        abort(403)
    token = login_links.issue(db.session, target, login_links.Purpose.RESET, by=current_user)
    db.session.commit()
    account_mail.send_reset(target, token, by=current_user)
    flash(
        _("A new sign-in link is on its way to %(name)s (%(email)s).", name=target.name, email=target.email),
        "success",
    )
    if target.account_id and not target.role.is_vendor:
        return redirect(url_for("accounts.detail", account_id=target.account_id))
    return redirect(url_for("team.index"))
