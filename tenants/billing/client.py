"""The Stripe client, configured once by the web shell: keys, and the API address (the local fake in tests
and the demo; Stripe itself in production)."""

from __future__ import annotations

from dataclasses import dataclass

import stripe


@dataclass
class _Config:
    secret_key: str = ""
    webhook_secret: str = ""
    api_base: str = ""


_config = _Config()


def configure(secret_key: str, webhook_secret: str, api_base: str) -> None:
    _config.secret_key, _config.webhook_secret, _config.api_base = secret_key, webhook_secret, api_base


def configured() -> bool:
    return bool(_config.secret_key)


def webhook_secret() -> str:
    return _config.webhook_secret


def stripe_client() -> stripe.StripeClient:
    """A client for the configured account; the real ``stripe`` library, pointed at ``STRIPE_API_BASE``."""
    if not _config.secret_key:
        raise RuntimeError("Stripe is not configured (STRIPE_SECRET_KEY)")
    base = {"api": _config.api_base} if _config.api_base else None
    return stripe.StripeClient(_config.secret_key, base_addresses=base, max_network_retries=1)


def verify_webhook(payload: bytes, signature: str | None) -> dict:
    """The event in a webhook request, after checking its signature with Stripe's own code (default tolerance
    of five minutes). Raises ``ValueError`` for anything unsigned, tampered or stale."""
    if not signature or not _config.webhook_secret:
        raise ValueError("missing Stripe-Signature")
    try:
        event = stripe.Webhook.construct_event(payload, signature, _config.webhook_secret)
    except stripe.SignatureVerificationError as error:
        raise ValueError(str(error)) from None
    return event.to_dict() if hasattr(event, "to_dict") else dict(event)
