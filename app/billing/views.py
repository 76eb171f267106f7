"""The owner's billing page, Stripe Checkout and Customer Portal redirects, and the Stripe webhook."""

from flask import Blueprint, abort, current_app, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.access import OWNER_ONLY, PUBLIC, allow
from app.extensions import csrf, db, limiter
from app.i18n import translate
from tenants.billing import client as stripe_config
from tenants.billing import service, state
from tenants.billing.events import process_stripe_event, record_event
from tenants.billing.plans import LIMIT_LABELS, PLANS
from tenants.errors import FieldErrors
from tenants.jobs import enqueue

bp = Blueprint("billing", __name__, url_prefix="/billing")


def _client_or_404():
    if not stripe_config.configured():
        abort(404)
    return stripe_config.stripe_client()


@bp.get("")
@allow(OWNER_ONLY)
def index():
    tenant = g.tenant
    configured = stripe_config.configured()
    plan = state.plan_of(tenant)
    used = {
        "accounts": state.account_count(db.session),
        "csm_seats": state.staff_seat_count(db.session),
        "reports_per_month": _reports_this_month(),
    }
    invoices = []
    if configured and tenant.stripe_customer_id:
        try:
            invoices = service.recent_invoices(stripe_config.stripe_client(), tenant)
        except Exception:  # noqa: BLE001 - Stripe being unreachable must not take the page down
            current_app.logger.exception("could not list invoices")
            flash(_("Invoices could not be loaded from Stripe just now."), "error")
    return render_template(
        "billing/index.html",
        tenant=tenant,
        configured=configured,
        plan=plan,
        plans=list(PLANS.values()),
        used=used,
        labels=LIMIT_LABELS,
        invoices=invoices,
        mode=state.access_mode(tenant),
        grace_ends=state.grace_ends(tenant),
    )


def _reports_this_month() -> int:
    from reports.models import Report

    return (
        db.session.scalar(db.select(db.func.count(Report.id)).where(Report.created_at >= state.month_start()))
        or 0
    )


@bp.post("/checkout")
@allow(OWNER_ONLY)
def checkout():
    client = _client_or_404()
    try:
        url = service.start_checkout(
            db.session,
            client,
            g.tenant,
            current_user,
            request.form.get("plan", ""),
            success_url=url_for("billing.index", checkout="done", _external=True),
            cancel_url=url_for("billing.index", _external=True),
        )
        db.session.commit()
    except FieldErrors as error:
        db.session.rollback()
        flash(translate(next(iter(error.errors.values()))), "error")
        return redirect(url_for("billing.index"))
    return redirect(url, code=303)


@bp.post("/portal")
@allow(OWNER_ONLY)
def portal():
    client = _client_or_404()
    try:
        url = service.portal_url(client, g.tenant, url_for("billing.index", _external=True))
    except FieldErrors as error:
        flash(translate(next(iter(error.errors.values()))), "error")
        return redirect(url_for("billing.index"))
    return redirect(url, code=303)


@bp.post("/webhook")
@allow(PUBLIC)
@csrf.exempt
@limiter.exempt
def webhook():
    """Verify, store the event id, answer 2xx at once; the work happens in a job."""
    if not stripe_config.configured():
        abort(404)
    try:
        event = stripe_config.verify_webhook(request.get_data(), request.headers.get("Stripe-Signature"))
    except ValueError:
        return {"error": "invalid signature"}, 400
    row, new = record_event(db.session, event)
    db.session.commit()
    if new:
        enqueue(process_stripe_event, row.id, job_id=f"stripe-{row.id}")
    return {"received": True, "duplicate": not new}, 200
