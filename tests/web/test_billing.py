"""Vendor billing against the local Stripe fake, through the real stripe library, with signed webhooks."""

import json
import threading
import time
from datetime import timedelta

import pytest
from werkzeug.serving import make_server

from app import create_app
from app.stripe_fake import FakeStripe, create_fake_app, sign
from tenants.billing.events import StripeEvent
from tenants.db import db, utcnow
from tenants.scoping import unscoped
from tenants.tenant import Tenant
from tests.factories import PASSWORD, make_world
from tests.helpers import app_config, login, onboarding_form, post

SECRET = "whsec_test_adoptloop"


@pytest.fixture
def fake():
    state = FakeStripe(webhook_url=None, webhook_secret=SECRET, trial_days=14)
    server = make_server("127.0.0.1", 0, create_fake_app(state), threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_port}"
    yield state
    server.shutdown()


@pytest.fixture
def billed(app, fake):
    """An app with Stripe configured (pointed at the fake) on the same database as ``app``."""
    return create_app(
        app_config(STRIPE_SECRET_KEY="sk_test_fake", STRIPE_WEBHOOK_SECRET=SECRET, STRIPE_API_BASE=fake.url)
    )


def deliver(client, event: dict, *, secret=SECRET, timestamp=None, tamper=False):
    """POST a signed event as Stripe would: with no session (a fresh client), whoever else is signed in."""
    client = client.application.test_client()
    payload = json.dumps(event)
    signature = sign(payload, secret, timestamp)
    if tamper:
        payload = payload.replace('"livemode": false', '"livemode": true')
    return client.post(
        "/billing/webhook",
        data=payload,
        headers={"Stripe-Signature": signature},
        content_type="application/json",
    )


def tenant_state(app, tenant_id):
    with app.app_context(), unscoped(db.session, "test reads billing state"):
        t = db.session.get(Tenant, tenant_id)
        return t.plan, t.subscription_status


def subscribe(billed, fake, world):
    """The owner goes through the fake Checkout; its webhooks are delivered to the app."""
    owner = billed.test_client()
    login(owner, world.email("owner"), PASSWORD)
    response = post(owner, "/billing/checkout", {"plan": "starter"})
    assert response.status_code == 303 and response.location.startswith(fake.url + "/checkout/")
    session_id = response.location.rsplit("/", 1)[1]
    fake_client = create_fake_app(fake).test_client()
    assert fake_client.post(f"/checkout/{session_id}/pay").status_code == 302
    for event in fake.sent:
        assert deliver(owner, event).status_code == 200
    return owner, fake.subscriptions[fake.sessions[session_id]["subscription"]]["id"]


def test_lifecycle_trial_active_past_due_canceled_reactivated(app, billed, fake):
    world = make_world(app, "bill")  # built before any limit applies
    owner, sub_id = subscribe(billed, fake, world)
    assert tenant_state(billed, world.tenant_id) == ("starter", "trialing")

    def move(status):
        before = len(fake.sent)
        fake.set_status(sub_id, status)
        for event in fake.sent[before:]:
            assert deliver(owner, event).status_code == 200
        return tenant_state(billed, world.tenant_id)

    assert move("active") == ("starter", "active")
    assert move("past_due") == ("starter", "past_due")
    page = owner.get("/accounts").get_data(as_text=True)
    assert 'data-testid="billing-banner"' in page  # grace period: a banner, everything works
    with billed.app_context(), unscoped(db.session, "the grace period passes"):
        db.session.get(Tenant, world.tenant_id).past_due_since = utcnow() - timedelta(days=8)
        db.session.commit()
    refused = post(owner, "/accounts/new", onboarding_form(admin_email="x@late.example.jp"))
    assert refused.status_code == 403 and "read-only" in refused.get_data(as_text=True)
    assert owner.get("/accounts").status_code == 200  # reading still works
    assert move("canceled") == ("starter", "canceled")
    assert owner.get(f"/accounts/{world.account_ids[0]}").status_code == 200  # nothing deleted
    assert move("active") == ("starter", "active")  # reactivated: everything back
    assert post(owner, "/accounts/new", onboarding_form(admin_email="x@back.example.jp")).status_code == 302


def test_duplicates_and_out_of_order_events_change_nothing(app, billed, fake):
    world = make_world(app, "dup")
    owner, sub_id = subscribe(billed, fake, world)
    first = fake.sent[0]
    again = deliver(owner, first)
    assert again.status_code == 200 and again.get_json()["duplicate"] is True
    fake.set_status(sub_id, "canceled")
    for event in fake.sent[-1:]:
        deliver(owner, event)
    # An older "updated" event that still says trialing arrives late: the current state wins.
    stale = fake.event("customer.subscription.updated", dict(fake.subscriptions[sub_id], status="trialing"))
    assert deliver(owner, stale).status_code == 200
    assert tenant_state(billed, world.tenant_id) == ("starter", "canceled")
    with billed.app_context():
        ids = [e.event_id for e in db.session.scalars(db.select(StripeEvent))]
        assert len(ids) == len(set(ids)) == len(fake.sent) + 1


def test_unknown_customer_is_recorded_not_applied(billed, fake):
    client = billed.test_client()
    event = fake.event(
        "invoice.paid",
        {"id": "in_x", "object": "invoice", "customer": "cus_nobody", "subscription": "sub_nobody"},
    )
    assert deliver(client, event).status_code == 200
    with billed.app_context():
        row = db.session.scalar(db.select(StripeEvent).where(StripeEvent.event_id == event["id"]))
        assert row.outcome == "unknown customer" and row.tenant_id is None


@pytest.mark.parametrize("kind", ["tampered", "stale", "unsigned", "wrong secret"])
def test_bad_signatures_are_refused_and_change_nothing(billed, fake, kind):
    client = billed.test_client()
    event = fake.event("invoice.paid", {"id": "in_y", "object": "invoice", "customer": "cus_y"})
    if kind == "unsigned":
        response = client.post("/billing/webhook", data=json.dumps(event), content_type="application/json")
    else:
        response = deliver(
            client,
            event,
            tamper=kind == "tampered",
            secret="whsec_other" if kind == "wrong secret" else SECRET,
            timestamp=int(time.time()) - 600 if kind == "stale" else None,
        )
    assert response.status_code == 400
    with billed.app_context():
        assert db.session.scalar(db.select(db.func.count(StripeEvent.id))) == 0


def test_limits_bite_where_they_apply_and_show_the_plan(app, billed, fake):
    world = make_world(app, "lim")  # two accounts, two finished reports, an owner and a CSM + 1 invited
    owner = billed.test_client()
    login(owner, world.email("owner"), PASSWORD)
    assert post(owner, "/accounts/new", onboarding_form(admin_email="a3@lim.example.jp")).status_code == 302
    fourth = post(owner, "/accounts/new", onboarding_form(name="四社目", admin_email="a4@lim.example.jp"))
    assert fourth.status_code == 422
    assert "Trial plan includes 3 active client accounts" in fourth.get_data(as_text=True)
    seat = post(owner, "/team/invitations", {"email": "csm9@lim.example.com", "role": "csm", "locale": "ja"})
    assert seat.status_code == 422 and "owner and CSM seats" in seat.get_data(as_text=True)
    page = owner.get("/billing").get_data(as_text=True)
    assert 'data-plan="trial"' in page and "Subscribe" in page


def test_without_keys_billing_is_not_configured_and_nothing_is_limited(app):
    world = make_world(app, "free")
    owner = app.test_client()
    login(owner, world.email("owner"), PASSWORD)
    assert 'data-testid="billing-not-configured"' in owner.get("/billing").get_data(as_text=True)
    for i in range(3):
        form = onboarding_form(name=f"無制限{i}", admin_email=f"f{i}@free.example.jp")
        assert post(owner, "/accounts/new", form).status_code == 302


def test_reports_a_month_are_limited_too(app, billed, fake):
    from datetime import date

    from reports.account_reports import ReportRequest, request_report
    from tenants.accounts import get_account
    from tenants.billing.state import PlanLimitReached
    from tenants.scoping import Scope, scoped
    from tenants.users import User

    world = make_world(app, "rep-lim")  # two reports issued this month already
    with billed.app_context(), scoped(db.session, Scope(world.tenant_id)):
        account = get_account(db.session, world.account_ids[0])
        csm = db.session.get(User, world.user_ids["csm"])
        period = (date(2026, 10, 1), date(2026, 10, 31))
        for i in range(3):  # up to the Trial's five
            request_report(db.session, account, csm, ReportRequest(*period, "ja", f"ok-{i}"))
        with pytest.raises(PlanLimitReached) as caught:
            request_report(db.session, account, csm, ReportRequest(*period, "ja", "one-too-many"))
        assert caught.value.limit == 5 and caught.value.limit_key == "reports_per_month"
