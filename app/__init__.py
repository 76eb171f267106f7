"""The web shell: the application factory wires configuration, extensions, access rules and blueprints."""

import logging

from flask import Flask, render_template
from werkzeug.middleware.proxy_fix import ProxyFix

from app import access, i18n, jobs, limits, logsafe, models, security  # noqa: F401 - models registers the tables
from app.billing import guard as billing_guard  # noqa: E402 - grouped with the shell's own modules
from app.config import ROOT, from_env, instance_dir
from app.extensions import csrf, db, limiter, login_manager, migrate
from tenants import passwords
from tenants.db import tune_connections
from tenants.sessions import load_user


def create_app(overrides: dict | None = None) -> Flask:
    """Build the Flask app from the environment, then ``overrides`` (tests pass theirs here)."""
    app = Flask(__name__, instance_path=str(instance_dir()))
    app.config.from_mapping(from_env())
    if overrides:
        app.config.update(overrides)
        if "MAIL_BACKEND" in overrides and "MAIL_URL" not in overrides:
            app.config["MAIL_URL"] = overrides["MAIL_BACKEND"]  # the earlier name of the setting
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logsafe.install(app.logger, logging.getLogger("adoptloop"), logging.getLogger("adoptloop.mail"))
    passwords.configure(fast=app.config["FAST_PASSWORD_HASH"])
    if proxies := app.config["TRUSTED_PROXIES"]:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies)

    limits.init_app(app)  # before the blueprints: their <int:…> rules use its converter
    _ensure_sqlite_folder(app)
    db.init_app(app)
    with app.app_context():
        tune_connections(db.engine)
    jobs.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"))
    _init_login(app)
    # First among the before-request hooks, so even a CSRF or rate-limit error page runs in the user's scope.
    access.init_app(app)
    csrf.init_app(app)
    limiter.init_app(app)
    i18n.init_app(app)
    security.init_app(app)
    billing_guard.init_app(app)  # after access: it reads the tenant bound to the request
    _register_blueprints(app)
    _register_error_pages(app)
    from app.forms import error_list

    app.jinja_env.globals["error_list"] = error_list

    from app.cli import register as register_cli

    register_cli(app)
    access.check_every_route_has_a_rule(app)
    _warn_about_development_settings(app)
    from app.library import check_search_setup

    check_search_setup(app)
    from playbooks.definitions import check_shipped

    check_shipped()  # a broken shipped playbook stops the start, naming file, key and reason
    return app


def _warn_about_development_settings(app: Flask) -> None:
    """Development defaults are fine on a laptop; on a shared database they deserve a loud line in the log."""
    if app.testing or app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        return
    if app.config["MAIL_URL"] == "log":
        app.logger.warning("MAIL_URL=log writes invitation links (login tokens) to the log")
    if not app.config["SESSION_COOKIE_SECURE"]:
        app.logger.warning("SESSION_COOKIE_SECURE is off; turn it on behind HTTPS")


def _ensure_sqlite_folder(app: Flask) -> None:
    uri = app.config["SQLALCHEMY_DATABASE_URI"]
    if uri.startswith("sqlite:///") and ":memory:" not in uri:
        from pathlib import Path

        Path(uri.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)


def _init_login(app: Flask) -> None:
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = None  # the login page says it itself
    login_manager.session_protection = "basic"

    @login_manager.user_loader
    def _load(user_id: str):
        return load_user(db.session, user_id)


def _register_blueprints(app: Flask) -> None:
    from app.accounts.views import bp as accounts_bp
    from app.auth.views import bp as auth_bp
    from app.billing.views import bp as billing_bp
    from app.estimate.views import bp as estimate_bp
    from app.home import bp as home_bp
    from app.library.views import bp as library_bp
    from app.profile.views import bp as profile_bp
    from app.reports.views import bp as reports_bp
    from app.team.views import bp as team_bp
    from app.usage.views import bp as usage_bp

    blueprints = (
        home_bp,
        auth_bp,
        accounts_bp,
        team_bp,
        profile_bp,
        estimate_bp,
        reports_bp,
        billing_bp,
        usage_bp,
    )
    for bp in blueprints:
        app.register_blueprint(bp)
    app.register_blueprint(library_bp)
    from app.checklists.views import bp as checklists_bp

    app.register_blueprint(checklists_bp)
    from app.loop.views import bp as loop_bp

    app.register_blueprint(loop_bp)
    from app.newsletter.views import bp as newsletter_bp

    app.register_blueprint(newsletter_bp)
    from app.api.pages import bp as api_pages_bp
    from app.api.views import bp as api_bp
    from app.metrics.views import bp as metrics_bp

    app.register_blueprint(api_bp)
    app.register_blueprint(api_pages_bp)

    app.register_blueprint(metrics_bp)
    from app.notes.views import bp as notes_bp

    app.register_blueprint(notes_bp)
    from app import memberships

    memberships.register(app)


def _register_error_pages(app: Flask) -> None:
    for code in (400, 403, 404, 405, 413, 429, 500):
        app.register_error_handler(code, lambda e, code=code: error_page(code))


FALLBACK_ERROR_PAGE = (
    '<!doctype html><html lang="en"><meta charset="utf-8"><title>{code} · AdoptLoop</title>'
    '<p>Error {code}. <a href="/">AdoptLoop</a></p></html>'
)


def error_page(code: int):
    """The error page, which must never fail itself.

    The session is rolled back first: after a database error the transaction is aborted (PostgreSQL refuses
    every further statement), and the page's header still loads the person's account name. Should the
    template fail anyway, a plain page answers instead of a second error.
    """
    try:
        db.session.rollback()
        upload_size = _upload_size() if code == 413 else None
        if _wants_json():
            return _json_error(code, upload_size)
        return render_template("error.html", code=code, upload_size=upload_size), code
    except Exception:
        logging.getLogger("adoptloop").exception("the error page for %s failed", code)
        return FALLBACK_ERROR_PAGE.format(code=code), code, {"Content-Type": "text/html; charset=utf-8"}


def _wants_json() -> bool:
    """API clients (paths under /api/, or an Accept header preferring JSON) get errors as JSON."""
    from flask import request

    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return request.path.startswith("/api/") or best == "application/json"


def _upload_size() -> str | None:
    """The largest file the refused route takes, as people write it ("10 MB"); None if it takes none."""
    from flask import current_app, request

    from app.limits import upload_limit

    view = current_app.view_functions.get(request.endpoint or "")
    limit = upload_limit(view) if view is not None else None
    if limit is None:
        return None
    return f"{limit // 2**20} MB" if limit >= 2**20 else f"{limit // 1024} KB"


def _json_error(code: int, upload_size: str | None):
    from flask import jsonify, request
    from flask_babel import gettext as _
    from werkzeug.http import HTTP_STATUS_CODES

    error = HTTP_STATUS_CODES.get(code, "Error")
    if upload_size:
        error = _("The file is too large: upload at most %(size)s.", size=upload_size)
    if request.path.startswith("/api/v1/"):  # the API's own shape, with a field list
        from app.api.errors import respond

        return respond(code, None if not upload_size else error)
    return jsonify({"error": error, "status": code}), code
