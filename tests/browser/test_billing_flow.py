"""The owner subscribes through the fake Stripe Checkout and the billing page shows the new plan."""

import threading

from playwright.sync_api import expect
from werkzeug.serving import make_server

from app import create_app
from app.stripe_fake import FakeStripe, create_fake_app
from tests.factories import PASSWORD, make_world
from tests.helpers import app_config

SECRET = "whsec_browser"


def serve(wsgi_app):
    server = make_server("127.0.0.1", 0, wsgi_app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_port}"


def test_subscribe_through_checkout_and_see_the_billing_page_change(app, page):
    world = make_world(app, "browser-billing")
    fake = FakeStripe(webhook_url=None, webhook_secret=SECRET)
    fake_server, fake_url = serve(create_fake_app(fake))
    billed = create_app(
        app_config(
            STRIPE_SECRET_KEY="sk_test_browser", STRIPE_WEBHOOK_SECRET=SECRET, STRIPE_API_BASE=fake_url
        )
    )
    app_server, base = serve(billed)
    fake.webhook_url = f"{base}/billing/webhook"  # the fake signs and posts its events to the app
    try:
        page.goto(f"{base}/login")
        page.locator("input[name=email]").fill(world.email("owner"))
        page.locator("input[name=password]").fill(PASSWORD)
        page.locator("form:has(input[name=email]) button[type=submit]").click()
        page.goto(f"{base}/billing")
        expect(page.get_by_test_id("billing-status")).to_have_attribute("data-plan", "trial")
        page.get_by_test_id("subscribe-growth").click()
        expect(page.get_by_role("heading", name="Fake Stripe Checkout")).to_be_visible()
        page.get_by_role("button", name="Pay and subscribe").click()
        status = page.get_by_test_id("billing-status")
        expect(status).to_have_attribute("data-plan", "growth")
        expect(status).to_have_attribute("data-status", "active")
        assert all(event["delivery"] == 200 for event in fake.sent), fake.sent
    finally:
        app_server.shutdown()
        fake_server.shutdown()
