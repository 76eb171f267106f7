"""Settings from the environment, with defaults that run a newcomer's machine with nothing else installed."""

import os
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def instance_dir() -> Path:
    """Where the embedded SQLite file and the generated development secret live (ADOPTLOOP_INSTANCE)."""
    return Path(os.environ.get("ADOPTLOOP_INSTANCE", ROOT / "instance"))


def _bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    return default if value is None else value.strip().lower() in {"1", "true", "yes", "on"}


def _secret_key() -> str:
    """SECRET_KEY from the environment; otherwise one generated once and kept in instance/ for development."""
    if key := os.environ.get("SECRET_KEY"):
        return key
    path = instance_dir() / "secret_key"
    if not path.exists():
        import secrets

        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()


def from_env() -> dict:
    """Flask config built from environment variables (read at app creation, not import)."""
    database_url = os.environ.get("DATABASE_URL") or f"sqlite:///{instance_dir() / 'adoptloop.sqlite3'}"
    if database_url.startswith("postgres://"):
        database_url = "postgresql+psycopg://" + database_url.removeprefix("postgres://")
    elif database_url.startswith("postgresql://"):
        database_url = "postgresql+psycopg://" + database_url.removeprefix("postgresql://")
    redis_url = os.environ.get("REDIS_URL", "")
    secure_cookies = _bool("SESSION_COOKIE_SECURE", False)
    mail_url = os.environ.get("MAIL_URL") or os.environ.get("MAIL_BACKEND") or "log"
    return {
        "SECRET_KEY": _secret_key(),
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "REDIS_URL": redis_url,
        # Billing: no key = the embedded default, billing "not configured" and no plan limits.
        "STRIPE_SECRET_KEY": os.environ.get("STRIPE_SECRET_KEY", ""),
        "STRIPE_WEBHOOK_SECRET": os.environ.get("STRIPE_WEBHOOK_SECRET", ""),
        "STRIPE_API_BASE": os.environ.get("STRIPE_API_BASE", ""),  # e.g. http://127.0.0.1:12111 for the fake
        # Jobs run on rq workers when Redis is configured, else in the web process.
        "JOBS_BACKEND": os.environ.get("JOBS_BACKEND", "rq" if redis_url else "inline"),
        "RATELIMIT_STORAGE_URI": os.environ.get("RATELIMIT_STORAGE_URI", redis_url or "memory://"),
        "RATELIMIT_HEADERS_ENABLED": True,
        # Redis away must not turn every page into a 500: count in memory until it is back.
        "RATELIMIT_IN_MEMORY_FALLBACK_ENABLED": True,
        "RATELIMIT_SWALLOW_ERRORS": True,
        "LOGIN_RATE_LIMIT": os.environ.get("LOGIN_RATE_LIMIT", "10 per minute"),
        # Per target email, from any IP: slows a distributed guess without letting one person lock a user out
        # for more than a few minutes.
        "INVITE_RATE_LIMIT": os.environ.get("INVITE_RATE_LIMIT", "60 per hour"),
        "LOGIN_EMAIL_RATE_LIMIT": os.environ.get("LOGIN_EMAIL_RATE_LIMIT", "100 per hour"),
        # Sign-in counts failures only: per address and IP (a guesser), per IP (one machine trying many
        # addresses); a correct password is never slowed, so a whole office behind one IP gets in.
        "LOGIN_PAIR_RATE_LIMIT": os.environ.get("LOGIN_PAIR_RATE_LIMIT", "10 per 10 minutes"),
        # Reset mails per target address, whoever asks: the same answer for known and unknown addresses.
        "RESET_EMAIL_RATE_LIMIT": os.environ.get("RESET_EMAIL_RATE_LIMIT", "3 per hour"),
        "LOGIN_IP_RATE_LIMIT": os.environ.get("LOGIN_IP_RATE_LIMIT", "50 per 10 minutes"),
        # "log" writes mail to the application log; "file:/path" also drops .eml files there;
        # "smtp://", "smtp+tls://" (STARTTLS) or "smtps://" hand it to a mail server (see app/mail.py).
        "MAIL_URL": mail_url,
        "MAIL_BACKEND": mail_url,  # the earlier name, kept so existing deployments keep working
        "MAIL_FROM": os.environ.get("MAIL_FROM", "AdoptLoop <no-reply@adoptloop.local>"),
        "PUBLIC_URL": os.environ.get("PUBLIC_URL", ""),
        # Where the newsletter may post (comma-separated URL prefixes): Slack only, so a webhook URL typed in
        # the settings can never make the app post into the internal network.
        "NEWSLETTER_WEBHOOK_PREFIXES": tuple(
            p.strip()
            for p in os.environ.get("NEWSLETTER_WEBHOOK_PREFIXES", "https://hooks.slack.com/").split(",")
            if p.strip()
        ),
        # Flask answers 400 to a Host header not listed (comma-separated); PUBLIC_URL or this is required
        # outside the embedded default (app/limits.py).
        "TRUSTED_HOSTS": [h.strip() for h in os.environ.get("TRUSTED_HOSTS", "").split(",") if h.strip()]
        or None,
        # Request bodies: forms are small (a 200-team account is ~15 KB) but a use case may carry a long
        # prompt (20,000 Japanese characters are 540 KB URL-encoded; a pasted 200 KB prompt 1.8 MB, which
        # must reach the form to be refused with a field error); uploads get their own limit.
        "MAX_CONTENT_LENGTH": int(os.environ.get("MAX_CONTENT_LENGTH", 2_000_000)),
        "MAX_UPLOAD_LENGTH": int(os.environ.get("MAX_UPLOAD_LENGTH", 50 * 1024 * 1024)),
        # Calls a minute per API token (Flask-Limiter syntax).
        "API_RATE_LIMIT": os.environ.get("API_RATE_LIMIT", "120 per minute"),
        # Usage files with more rows than this import as a background job, with progress on the page.
        "USAGE_INLINE_MAX_ROWS": int(os.environ.get("USAGE_INLINE_MAX_ROWS", 50_000)),
        "MAX_FORM_MEMORY_SIZE": 2_000_000,
        "MAX_FORM_PARTS": 2000,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": secure_cookies,
        "REMEMBER_COOKIE_SECURE": secure_cookies,
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_DURATION": timedelta(days=14),
        # Number of reverse proxies in front of the app whose X-Forwarded-* headers are trusted (client IP for
        # rate limits, https for cookies). 0 = none; never more than really exist, or clients can spoof IPs.
        "TRUSTED_PROXIES": int(os.environ.get("TRUSTED_PROXIES", "0")),
        "WTF_CSRF_TIME_LIMIT": None,  # tied to the session instead, so a long onboarding form never expires
        "BABEL_DEFAULT_LOCALE": os.environ.get("DEFAULT_LOCALE", "ja"),
        "BABEL_DEFAULT_TIMEZONE": os.environ.get("DEFAULT_TIMEZONE", "Asia/Tokyo"),
        "LANGUAGES": ("ja", "en"),
        "FAST_PASSWORD_HASH": _bool("FAST_PASSWORD_HASH", False),
    }
