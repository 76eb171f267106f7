"""What every benchmark starts from: an app on a fresh database (BENCH_DATABASE_URL, whose public schema is
wiped, or a temporary SQLite file), migrated, with one vendor and its owner."""

import os
import tempfile

from flask_migrate import upgrade
from sqlalchemy import create_engine, text

from app import create_app
from app.extensions import db
from tenants.users import sign_up_vendor

BENCH_PASSWORD = "bench-password"


def database_url() -> str:
    """The benchmark's database, emptied: PostgreSQL from BENCH_DATABASE_URL, else a new SQLite file."""
    url = os.environ.get("BENCH_DATABASE_URL", "")
    if not url:
        return f"sqlite:///{tempfile.mkdtemp()}/bench.sqlite3"
    url = url.replace("postgresql://", "postgresql+psycopg://", 1)
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE; CREATE SCHEMA public"))
    engine.dispose()
    return url


def bench_app(**config):
    """A migrated app on :func:`database_url` with jobs inline; ``config`` adds or overrides settings."""
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": database_url(),
            "SECRET_KEY": "bench",
            "JOBS_BACKEND": "inline",
            "RATELIMIT_ENABLED": False,
            "PUBLIC_URL": "http://bench.localhost",
            **config,
        }
    )
    with app.app_context():
        upgrade()
    return app


def bench_owner(email: str = "o@bench.example.com"):
    """Sign up the benchmark's vendor (inside an app context); returns its owner."""
    return sign_up_vendor(
        db.session, vendor_name="Bench AI", name="Owner", email=email, password=BENCH_PASSWORD
    )
