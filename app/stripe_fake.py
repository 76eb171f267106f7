"""A small local fake of the Stripe API: only the endpoints AdoptLoop uses, with Stripe's object shapes and
error format, a hosted Checkout and Customer Portal page, and signed webhooks sent to the app.

The real ``stripe`` library talks to it through its base-address setting, so tests and the demo exercise the
same client code as production. Start it with ``flask --app wsgi stripe-fake`` (bin/stripe-fake); it lives in
the web shell because it is a web server of its own. Test-only control endpoints live under ``/_fake/``
(move a subscription to past_due, cancel it...).
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import threading
import time
import urllib.request
from html import escape

from flask import Flask, jsonify, redirect, request

MONTH = 30 * 24 * 3600


def sign(payload: str, secret: str, timestamp: int | None = None) -> str:
    """A ``Stripe-Signature`` header value for ``payload``, computed as Stripe documents it."""
    t = int(time.time()) if timestamp is None else timestamp
    mac = hmac.new(secret.encode(), f"{t}.{payload}".encode(), hashlib.sha256).hexdigest()
    return f"t={t},v1={mac}"


class FakeStripe:
    """In-memory state of the fake account, and the webhook sender."""

    def __init__(self, webhook_url: str | None, webhook_secret: str, trial_days: int = 0):
        self.webhook_url, self.webhook_secret, self.trial_days = webhook_url, webhook_secret, trial_days
        self.customers: dict[str, dict] = {}
        self.sessions: dict[str, dict] = {}
        self.subscriptions: dict[str, dict] = {}
        self.invoices: dict[str, dict] = {}
        self.sent: list[dict] = []  # every event sent, for tests
        self._ids = itertools.count(1)
        self._lock = threading.Lock()

    def new_id(self, prefix: str) -> str:
        with self._lock:
            return f"{prefix}_fake{next(self._ids):06d}"

    # -- objects --

    def subscription(self, customer: str, price: str) -> dict:
        now = int(time.time())
        sub = {
            "id": self.new_id("sub"),
            "object": "subscription",
            "customer": customer,
            "status": "trialing" if self.trial_days else "active",
            "trial_end": now + self.trial_days * 86400 if self.trial_days else None,
            "cancel_at_period_end": False,
            "current_period_end": now + MONTH,
            "items": {
                "object": "list",
                "data": [
                    {
                        "id": self.new_id("si"),
                        "object": "subscription_item",
                        "price": {"id": price, "object": "price"},
                        "current_period_end": now + MONTH,
                    },
                ],
            },
            "created": now,
        }
        self.subscriptions[sub["id"]] = sub
        return sub

    def invoice(self, sub: dict, status: str) -> dict:
        inv = {
            "id": self.new_id("in"),
            "object": "invoice",
            "customer": sub["customer"],
            "subscription": sub["id"],
            "status": status,
            "amount_due": 50_000,
            "amount_paid": 50_000 if status == "paid" else 0,
            "currency": "jpy",
            "created": int(time.time()),
            "hosted_invoice_url": None,
            "number": f"FAKE-{len(self.invoices) + 1:04d}",
        }
        self.invoices[inv["id"]] = inv
        return inv

    # -- webhooks --

    def event(self, type_: str, obj: dict) -> dict:
        return {
            "id": self.new_id("evt"),
            "object": "event",
            "type": type_,
            "created": int(time.time()),
            "data": {"object": obj},
            "livemode": False,
            "api_version": "2025-01-01",
        }

    def send(self, type_: str, obj: dict) -> dict:
        """Sign and POST an event to the app's webhook (a failure is recorded, not raised)."""
        event = self.event(type_, obj)
        payload = json.dumps(event)
        event["delivery"] = "not sent"
        if self.webhook_url:
            req = urllib.request.Request(
                self.webhook_url,
                data=payload.encode(),
                method="POST",
                headers={
                    "Content-Type": "application/json",
                    "Stripe-Signature": sign(payload, self.webhook_secret),
                },
            )
            try:
                with urllib.request.urlopen(req, timeout=10) as response:
                    event["delivery"] = response.status
            except Exception as error:  # noqa: BLE001 - the fake reports, it does not fail the caller
                event["delivery"] = repr(error)
        self.sent.append(event)
        return event

    def set_status(self, sub_id: str, status: str) -> dict:
        """Move a subscription, sending the events Stripe would."""
        sub = self.subscriptions[sub_id]
        sub["status"] = status
        if status == "past_due":
            self.send("invoice.payment_failed", self.invoice(sub, "open"))
        elif status == "active":
            self.send("invoice.paid", self.invoice(sub, "paid"))
        if status == "canceled":
            self.send("customer.subscription.deleted", sub)
        else:
            self.send("customer.subscription.updated", sub)
        return sub


def _error(message: str, status: int = 400, code: str | None = None, param: str | None = None):
    body = {"error": {"type": "invalid_request_error", "message": message}}
    if code:
        body["error"]["code"] = code
    if param:
        body["error"]["param"] = param
    return jsonify(body), status


def create_fake_app(state: FakeStripe) -> Flask:
    """The fake as a WSGI app (serve it with ``werkzeug.serving.make_server`` or ``flask run``)."""
    app = Flask("stripe_fake")
    app.extensions["fake_stripe"] = state

    def missing(kind: str, id_: str):
        return _error(f"No such {kind}: '{id_}'", 404, "resource_missing", "id")

    @app.post("/v1/customers")
    def create_customer():
        customer = {
            "id": state.new_id("cus"),
            "object": "customer",
            "email": request.form.get("email"),
            "name": request.form.get("name"),
            "metadata": {k[9:-1]: v for k, v in request.form.items() if k.startswith("metadata[")},
        }
        state.customers[customer["id"]] = customer
        return jsonify(customer)

    @app.get("/v1/customers/<cid>")
    def get_customer(cid):
        return jsonify(state.customers[cid]) if cid in state.customers else missing("customer", cid)

    @app.post("/v1/checkout/sessions")
    def create_checkout():
        price = request.form.get("line_items[0][price]")
        customer = request.form.get("customer")
        if customer not in state.customers:
            return _error(f"No such customer: '{customer}'", 400, "resource_missing", "customer")
        if not price:
            return _error(
                "Missing required param: line_items[0][price].", 400, "parameter_missing", "line_items"
            )
        session = {
            "id": state.new_id("cs"),
            "object": "checkout.session",
            "mode": request.form.get("mode"),
            "customer": customer,
            "client_reference_id": request.form.get("client_reference_id"),
            "success_url": request.form.get("success_url"),
            "cancel_url": request.form.get("cancel_url"),
            "status": "open",
            "payment_status": "unpaid",
            "subscription": None,
            "price": price,
        }
        session["url"] = f"{request.host_url}checkout/{session['id']}"
        state.sessions[session["id"]] = session
        return jsonify(session)

    @app.get("/checkout/<sid>")
    def checkout_page(sid):
        s = state.sessions.get(sid)
        if s is None or s["status"] != "open":
            return "This checkout session is closed.", 404
        return (
            "<!doctype html><title>Fake Checkout</title><h1>Fake Stripe Checkout</h1>"
            f"<p>Subscribe to <b>{escape(s['price'])}</b> (test mode, no card needed).</p>"
            f"<form method=post action='/checkout/{sid}/pay'>"
            "<button type=submit>Pay and subscribe</button></form>"
            f"<p><a href='{escape(s['cancel_url'] or '/')}'>Cancel</a></p>"
        )

    @app.post("/checkout/<sid>/pay")
    def checkout_pay(sid):
        s = state.sessions.get(sid)
        if s is None or s["status"] != "open":
            return "This checkout session is closed.", 404
        sub = state.subscription(s["customer"], s["price"])
        s.update(status="complete", payment_status="paid", subscription=sub["id"])
        state.send("checkout.session.completed", {k: v for k, v in s.items() if k != "price"})
        state.send("customer.subscription.created", sub)
        state.send("invoice.paid", state.invoice(sub, "paid"))
        return redirect(s["success_url"] or "/")

    @app.post("/v1/billing_portal/sessions")
    def create_portal():
        customer = request.form.get("customer")
        if customer not in state.customers:
            return _error(f"No such customer: '{customer}'", 400, "resource_missing", "customer")
        pid = state.new_id("bps")
        return jsonify(
            {
                "id": pid,
                "object": "billing_portal.session",
                "customer": customer,
                "return_url": request.form.get("return_url"),
                "url": f"{request.host_url}portal/{customer}?return={request.form.get('return_url', '')}",
            }
        )

    @app.get("/portal/<customer>")
    def portal_page(customer):
        subs = [s for s in state.subscriptions.values() if s["customer"] == customer]
        back = escape(request.args.get("return", "/"))
        rows = "".join(
            f"<li>{escape(s['id'])}: {escape(s['status'])} "
            f"<form method=post action='/_fake/subscriptions/{s['id']}/status?return={back}'>"
            f"<input type=hidden name=status value=canceled><button>Cancel subscription</button></form></li>"
            for s in subs
        )
        return (
            "<!doctype html><title>Fake Portal</title><h1>Fake Customer Portal</h1>"
            f"<ul>{rows}</ul><a href='{back}'>Back</a>"
        )

    @app.get("/v1/subscriptions/<sub_id>")
    def get_subscription(sub_id):
        return (
            jsonify(state.subscriptions[sub_id])
            if sub_id in state.subscriptions
            else missing("subscription", sub_id)
        )

    @app.get("/v1/invoices")
    def list_invoices():
        customer = request.args.get("customer")
        data = sorted(
            (i for i in state.invoices.values() if i["customer"] == customer), key=lambda i: -i["created"]
        )
        limit = int(request.args.get("limit", 10))
        return jsonify(
            {"object": "list", "data": data[:limit], "has_more": len(data) > limit, "url": "/v1/invoices"}
        )

    @app.post("/_fake/subscriptions/<sub_id>/status")
    def control_status(sub_id):
        if sub_id not in state.subscriptions:
            return missing("subscription", sub_id)
        sub = state.set_status(sub_id, request.form["status"])
        if back := request.args.get("return"):
            return redirect(back)
        return jsonify(sub)

    @app.get("/_fake/events")
    def control_events():
        return jsonify(state.sent)

    return app
