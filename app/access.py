"""Who may open which route: every view declares a rule, and one before-request hook enforces it.

The rules say which roles reach a route; *which objects* they reach is the job of tenant scoping
(:mod:`tenants.scoping`), bound here to the signed-in user for the length of the request.
"""

from collections.abc import Callable, Iterable

from flask import Flask, abort, current_app, g, request
from flask_login import current_user

from app.extensions import db, login_manager
from tenants import permissions
from tenants.accounts import Account, get_account
from tenants.roles import ALL_ROLES, CLIENT_ROLES, VENDOR_ROLES, Role
from tenants.scoping import set_scope
from tenants.users import scope_for

PUBLIC = frozenset({"public"})

# Named rules, so the role matrix reads as a table.
EVERYONE_SIGNED_IN = ALL_ROLES
VENDOR_STAFF = VENDOR_ROLES
OWNER_ONLY = frozenset({Role.OWNER})
INVITERS = frozenset({Role.OWNER, Role.CSM, Role.CLIENT_ADMIN})
CLIENT_USERS = CLIENT_ROLES
# Contract figures (spend, ROI) are for the vendor, the client admin and procurement; not champions/members.
REPORT_READERS = frozenset({Role.OWNER, Role.CSM, Role.CLIENT_ADMIN, Role.PROCUREMENT})


def allow(roles: Iterable[Role] | frozenset[str]) -> Callable:
    """Declare which roles may call the decorated view (``PUBLIC`` for anyone, signed in or not)."""
    rule = frozenset(roles)

    def decorate(view: Callable) -> Callable:
        view.access_rule = rule
        return view

    return decorate


def public(view: Callable) -> Callable:
    """Declare a view open to anonymous visitors."""
    return allow(PUBLIC)(view)


def rule_for(app: Flask, endpoint: str) -> frozenset:
    """The declared rule of an endpoint (static files are public)."""
    if endpoint == "static":
        return PUBLIC
    return getattr(app.view_functions[endpoint], "access_rule", None)


def check_every_route_has_a_rule(app: Flask) -> None:
    """Refuse to start when a route forgot to declare its rule: a missing rule must never mean 'open'."""
    missing = sorted(e for e in app.view_functions if rule_for(app, e) is None)
    if missing:
        raise RuntimeError(f"routes without an access rule: {', '.join(missing)}")


def bind_scope() -> None:
    """Set the database scope to the signed-in user's tenant (and account), or to nothing."""
    user = current_user if current_user.is_authenticated else None
    g.tenant = user.tenant if user else None
    set_scope(db.session, scope_for(user) if user else None)


def enforce_rule():
    """Before-request hook: 401-redirect anonymous visitors, 403 roles the rule does not name."""
    if request.endpoint is None:
        return None  # Flask answers 404/405 itself
    rule = rule_for(current_app, request.endpoint)
    if rule is None:  # a route added after start-up without a rule: closed, never open
        current_app.logger.error("route %s has no access rule", request.endpoint)
        abort(403)
    if rule == PUBLIC:
        return None
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    if current_user.role not in rule:
        abort(403)
    return None


def may_open(endpoint: str) -> bool:
    """Whether the signed-in user passes ``endpoint``'s declared rule: templates show a link or button only
    when this says yes, so the page and the route can never disagree."""
    rule = rule_for(current_app, endpoint)
    if rule is None:
        return False
    if rule == PUBLIC:
        return True
    return current_user.is_authenticated and current_user.role in rule


def template_helpers() -> dict:
    """``may_open(endpoint)`` for route rules and ``may(rule, obj)`` for the object rules of
    :mod:`tenants.permissions` (the route rule still decides; these only hide what the user cannot use)."""
    helpers = {"may_open": may_open}
    if current_user.is_authenticated:
        helpers["may"] = lambda rule, obj: getattr(permissions, rule)(current_user, obj)
    return helpers


def init_app(app: Flask) -> None:
    app.before_request(bind_scope)
    app.before_request(enforce_rule)
    app.context_processor(template_helpers)

    @app.teardown_appcontext
    def _forget_scope(_exc):
        set_scope(db.session, None)


def account_or_404(account_id: int) -> Account:
    """The account if the signed-in user's scope reaches it, else 404: another tenant's or another client's
    account is "missing", never "forbidden"."""
    return get_account(db.session, account_id) or abort(404)
