"""Choosing which membership to work in, for a person who belongs to several vendors.

A request always runs as one membership (a ``User``), so tenant scoping is unchanged; switching ends this
browser's sign-in into one membership and starts one into the other.
"""

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.access import EVERYONE_SIGNED_IN, allow
from app.extensions import db
from app.redirects import safe_local_path
from app.signin import kept_signed_in, start_session
from tenants import sessions
from tenants.scoping import set_scope
from tenants.users import membership_choices, scope_for

bp = Blueprint("memberships", __name__, url_prefix="/memberships")


def my_memberships():
    """The signed-in person's active memberships (once per request; the header's switcher reads it)."""
    if not current_user.is_authenticated:
        return []
    if "memberships" not in g:
        g.memberships = membership_choices(db.session, current_user.person_id)
    return g.memberships


@bp.get("")
@allow(EVERYONE_SIGNED_IN)
def choose():
    """Pick where to work; shown right after sign-in to a person with more than one membership."""
    return render_template(
        "memberships/choose.html",
        choices=my_memberships(),
        next_path=safe_local_path(request.args.get("next")) or "",
    )


@bp.post("/<int:user_id>")
@allow(EVERYONE_SIGNED_IN)
def switch(user_id: int):
    """Continue as another of the same person's memberships (a 404 for anyone else's)."""
    if user_id == current_user.id:
        return redirect(safe_local_path(request.form.get("next")) or url_for("home.index"))
    remember = kept_signed_in()  # a browser kept signed in stays so in the other membership
    target = sessions.leave_for(
        db.session, current_user._get_current_object(), current_user.get_id(), user_id
    )
    if target is None:
        abort(404)
    # From here the request acts as the membership it moves to (the rows reloaded after commit are its own).
    set_scope(db.session, scope_for(target))
    account = target.membership.account
    # One client may buy from two vendors: name the vendor too, or both memberships read the same.
    where = f"{account.name} ({target.tenant.name})" if account else target.tenant.name
    start_session(target, remember=remember)
    flash(_("You are now working as %(role)s at %(where)s.", role=_(target.role.label), where=where), "info")
    return redirect(safe_local_path(request.form.get("next")) or url_for("home.index"))


def register(app) -> None:
    app.register_blueprint(bp)
    app.jinja_env.globals["my_memberships"] = my_memberships
