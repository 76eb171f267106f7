"""Page cost against a floor measured in the same run.

Floor: a bare public Flask route that runs ``SELECT 1`` through the same session. Each page is reported as a
ratio to it, so the numbers mean the same on a fast or a slow machine.

    .venv/bin/python bench/bench_pages.py                 # SQLite in a temp dir
    BENCH_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/test .venv/bin/python bench/bench_pages.py
      (PostgreSQL: the database's public schema is wiped)
"""

import os
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("FAST_PASSWORD_HASH", "1")

from flask_migrate import upgrade  # noqa: E402
from sqlalchemy import create_engine, text  # noqa: E402

from app import create_app  # noqa: E402
from app.access import public  # noqa: E402
from app.extensions import db  # noqa: E402
from tenants.onboarding import AccountDraft, TeamDraft, onboard_account  # noqa: E402
from tenants.scoping import Scope, scoped  # noqa: E402
from tenants.users import sign_up_vendor  # noqa: E402

ACCOUNTS = int(os.environ.get("BENCH_ACCOUNTS", "100"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "200"))


def build_app():
    url = os.environ.get("BENCH_DATABASE_URL")
    if url:
        engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE; CREATE SCHEMA public"))
        engine.dispose()
    else:
        url = f"sqlite:///{tempfile.mkdtemp()}/bench.sqlite3"
    app = create_app(
        {
            "WTF_CSRF_ENABLED": False,
            "SQLALCHEMY_DATABASE_URI": url.replace("postgresql://", "postgresql+psycopg://", 1),
            "RATELIMIT_ENABLED": False,
            "SECRET_KEY": "bench",
            "JOBS_BACKEND": "inline",
        }
    )

    @public
    def floor():
        return str(db.session.execute(text("SELECT 1")).scalar())

    app.add_url_rule("/_floor", "floor", floor)
    with app.app_context():
        upgrade()
        owner = sign_up_vendor(
            db.session,
            vendor_name="Bench AI",
            name="Owner",
            email="o@bench.example.com",
            password="bench-password",
        )
        with scoped(db.session, Scope(owner.tenant_id)):
            for i in range(ACCOUNTS):
                onboard_account(
                    db.session,
                    owner.tenant,
                    owner,
                    AccountDraft(
                        name=f"Client {i:04d}",
                        industry="other",
                        licensed_seats=100 + i,
                        monthly_spend_yen=300_000,
                        hourly_labor_cost_yen=5_000,
                        kickoff_date=date(2026, 10, 1),
                        admin_email=f"admin{i}@bench.example.com",
                        teams=[TeamDraft(f"Team {t}", 10) for t in range(5)],
                    ),
                )
        db.session.commit()
    return app


def timed(client, path: str) -> float:
    assert client.get(path).status_code == 200, path
    start = time.perf_counter()
    for _ in range(ROUNDS):
        client.get(path)
    return (time.perf_counter() - start) / ROUNDS


def main() -> None:
    app = build_app()
    client = app.test_client()
    client.post("/login", data={"email": "o@bench.example.com", "password": "bench-password"})
    floor = timed(client, "/_floor")
    backend = app.config["SQLALCHEMY_DATABASE_URI"].split(":")[0]
    print(f"database: {backend}, {ACCOUNTS} accounts, {ROUNDS} rounds, signed in as the vendor owner")
    print(f"{'floor (SELECT 1 route)':<34} {floor * 1000:7.2f} ms   1.0x")
    anonymous = app.test_client()
    cost = timed(anonymous, "/login")
    print(f"{'login page (anonymous)':<34} {cost * 1000:7.2f} ms  {cost / floor:5.1f}x")
    for label, path in [
        (f"portfolio ({ACCOUNTS} accounts)", "/accounts"),
        ("account page", "/accounts/1"),
        ("onboarding form", "/accounts/new"),
    ]:
        cost = timed(client, path)
        print(f"{label:<34} {cost * 1000:7.2f} ms  {cost / floor:5.1f}x")


if __name__ == "__main__":
    main()
