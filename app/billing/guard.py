"""What billing changes outside the billing page: a banner while a payment is overdue, and read-only mode
after the grace period or a cancellation (reading and billing keep working; nothing is deleted)."""

from flask import Flask, appcontext_pushed, g, render_template, request
from flask_login import current_user

from tenants.billing import client as stripe_config
from tenants.billing import state

# Writes that stay open in read-only mode: paying, signing out, the language, one's own profile.
ALWAYS_OPEN = ("billing.", "auth.", "home.", "profile.")


def _configure(app: Flask, **_extra) -> None:
    config = app.config
    stripe_config.configure(
        config["STRIPE_SECRET_KEY"], config["STRIPE_WEBHOOK_SECRET"], config["STRIPE_API_BASE"]
    )
    state.configure(bool(config["STRIPE_SECRET_KEY"]))


def refuse_writes_when_read_only():
    if request.method in ("GET", "HEAD", "OPTIONS") or not current_user.is_authenticated:
        return None
    if (request.endpoint or "").startswith(ALWAYS_OPEN) or g.get("tenant") is None:
        return None
    if state.access_mode(g.tenant) == "read_only":
        return render_template("billing/read_only.html"), 403
    return None


def banner() -> dict:
    tenant = g.get("tenant")
    if tenant is None or not current_user.is_authenticated or not current_user.role.is_vendor:
        return {}
    mode = state.access_mode(tenant)
    return {"billing_mode": mode, "billing_grace_ends": state.grace_ends(tenant)} if mode != "full" else {}


def init_app(app: Flask) -> None:
    appcontext_pushed.connect(_configure, app, weak=False)
    _configure(app)
    app.before_request(refuse_writes_when_read_only)
    app.context_processor(banner)
