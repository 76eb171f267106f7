"""Page cost against a floor measured in the same run.

Floor: a plain Flask route that queries 50 rows (accounts, by name) and renders them in a bare template,
through the same app and database: what any Flask page that lists 50 things costs. Each page is reported
as its throughput relative to that floor (floor p50 / page p50; the target is >= 0.5x).

    .venv/bin/python bench/bench_pages.py                 # SQLite in a temp dir
    BENCH_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/test .venv/bin/python bench/bench_pages.py
      (PostgreSQL: the database's public schema is wiped)
"""

import os
import sys
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("FAST_PASSWORD_HASH", "1")

from _report import figure, percentiles  # noqa: E402
from _setup import BENCH_PASSWORD, bench_app, bench_owner  # noqa: E402
from flask import render_template_string  # noqa: E402
from sqlalchemy import text  # noqa: E402

from app.access import public  # noqa: E402
from app.extensions import db  # noqa: E402
from tenants.onboarding import AccountDraft, TeamDraft, onboard_account  # noqa: E402
from tenants.scoping import Scope, scoped  # noqa: E402

ACCOUNTS = int(os.environ.get("BENCH_ACCOUNTS", "100"))
FLOOR_TEMPLATE = (
    "<!doctype html><title>floor</title><table>"
    "{% for id, name in rows %}<tr><td>{{ id }}</td><td>{{ name }}</td></tr>{% endfor %}</table>"
)
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "200"))


def build_app():
    app = bench_app(WTF_CSRF_ENABLED=False)

    @public
    def floor():
        rows = db.session.execute(text("SELECT id, name FROM accounts ORDER BY name LIMIT 50")).all()
        return render_template_string(FLOOR_TEMPLATE, rows=rows)

    app.add_url_rule("/_floor", "floor", floor)
    with app.app_context():
        owner = bench_owner()
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


def timed(client, path: str) -> list[float]:
    """Seconds per request, one sample per request, after one warm-up request."""
    assert client.get(path).status_code == 200, path
    samples = []
    for _ in range(ROUNDS):
        start = time.perf_counter()
        client.get(path)
        samples.append(time.perf_counter() - start)
    return samples


def main() -> None:
    app = build_app()
    client = app.test_client()
    client.post("/login", data={"email": "o@bench.example.com", "password": BENCH_PASSWORD})
    f50, f99 = percentiles(timed(client, "/_floor"))
    backend = app.config["SQLALCHEMY_DATABASE_URI"].split(":")[0]
    print(f"database: {backend}, {ACCOUNTS} accounts, {ROUNDS} rounds, signed in as the vendor owner")
    print(f"{'floor (50-row Flask route)':<34} p50 {f50 * 1000:7.2f} ms  p99 {f99 * 1000:7.2f} ms   1.00x")
    pages = [
        ("login page (anonymous)", "/login", app.test_client()),
        (f"portfolio ({ACCOUNTS} accounts)", "/accounts", client),
        ("account page", "/accounts/1", client),
        ("onboarding form", "/accounts/new", client),
    ]
    for label, path, who in pages:
        p50, p99 = percentiles(timed(who, path))
        ratio = f50 / p50  # throughput relative to the floor
        print(f"{label:<34} p50 {p50 * 1000:7.2f} ms  p99 {p99 * 1000:7.2f} ms  {ratio:5.2f}x")
        figure(
            f"{label}, {backend}",
            floor="50-row Flask route",
            ratio=ratio,
            target=">= 0.5x throughput",
            met=ratio >= 0.5,
            unit="ms",
            measured_p50=round(p50 * 1000, 2),
            measured_p99=round(p99 * 1000, 2),
            floor_p50=round(f50 * 1000, 2),
            floor_p99=round(f99 * 1000, 2),
        )


if __name__ == "__main__":
    main()
