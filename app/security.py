"""HTTP security headers for every response."""

from flask import Flask, Response, current_app, request

# Everything is served by the app itself (no CDN), so the policy can be strict. The one exception is where a
# form's answer redirects: the billing forms hand the owner over to Stripe's hosted Checkout and Portal.
STRIPE_HOSTED = "https://checkout.stripe.com https://billing.stripe.com"


def csp(form_targets: str = "") -> str:
    return (
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
        f"object-src 'none'; base-uri 'self'; form-action 'self' {form_targets}".rstrip()
        + "; frame-ancestors 'none'"
    )


CSP = csp()


def add_security_headers(response: Response) -> Response:
    headers = response.headers
    headers.setdefault("Content-Security-Policy", _policy())
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    if response.mimetype == "text/html":
        # Pages show tenant data: never keep them in shared caches or the back-forward cache after logout.
        headers.setdefault("Cache-Control", "no-store")
    return response


def _policy() -> str:
    """The billing page may send its forms on to Stripe (or, in tests and the demo, to the local fake)."""
    if request.endpoint and request.endpoint.startswith("billing."):
        fake = current_app.config.get("STRIPE_API_BASE") or ""
        return csp(f"{STRIPE_HOSTED} {fake}".strip())
    return CSP


def init_app(app: Flask) -> None:
    app.after_request(add_security_headers)
    if app.config.get("SESSION_COOKIE_SECURE"):

        @app.after_request
        def _hsts(response: Response) -> Response:
            response.headers.setdefault("Strict-Transport-Security", "max-age=63072000; includeSubDomains")
            return response
