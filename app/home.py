"""The front door: landing page, each role's start page, language switch, health check."""

from flask import Blueprint, current_app, redirect, render_template, request, session, url_for
from flask_login import current_user

from app.access import public
from app.extensions import db
from app.redirects import safe_local_path

bp = Blueprint("home", __name__)


@bp.get("/")
@public
def index():
    if not current_user.is_authenticated:
        return render_template("landing.html")
    if current_user.role.is_vendor:
        return redirect(url_for("accounts.portfolio"))
    if current_user.role.value in ("client_admin", "champion"):
        return redirect(url_for("checklists.account", account_id=current_user.account_id))
    return redirect(url_for("accounts.detail", account_id=current_user.account_id))


@bp.post("/language")
@public
def set_language():
    """Remember the chosen language for this browser (and the signed-in user's profile)."""
    lang = request.form.get("lang", "")
    if lang in current_app.config["LANGUAGES"]:
        session["lang"] = lang
        if current_user.is_authenticated:
            current_user.locale = lang
            db.session.commit()
    return redirect(safe_local_path(request.form.get("next")) or url_for("home.index"))


@bp.get("/healthz")
@public
def healthz():
    """Liveness for load balancers: the database answers."""
    db.session.execute(db.text("SELECT 1"))
    return {"status": "ok"}
