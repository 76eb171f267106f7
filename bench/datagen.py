"""A demo dataset at scale on PostgreSQL, for the load run (bench/load.sh):

    .venv/bin/python bench/datagen.py [--vendors 50] [--accounts 1000] [--use-cases 100000]
                                      [--usage-rows 10000000]

Vendors, their staff and accounts are made with the app's own functions (sign-up, onboarding); the large
tables (use cases, usage rows) are filled by PostgreSQL itself (generate_series), which is how an operator
would load them too. Use cases made this way are not in the library's search index (embedding 100,000 texts
takes minutes; bench/bench_search.py measures search on its own). Prints one JSON object: the sizes and the
seconds each phase took. BENCH_DATABASE_URL names the database (its public schema is wiped).
"""

import argparse
import json
import sys
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from _setup import BENCH_PASSWORD, bench_app  # noqa: E402
from sqlalchemy import text  # noqa: E402

from app.extensions import db  # noqa: E402
from tenants.onboarding import AccountDraft, TeamDraft, onboard_account  # noqa: E402
from tenants.roles import Role  # noqa: E402
from tenants.scoping import Scope, scoped  # noqa: E402
from tenants.users import add_user, sign_up_vendor  # noqa: E402

TEAMS = ["営業部", "経理部", "開発部", "人事部", "Support"]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--vendors", type=int, default=50)
    parser.add_argument("--accounts", type=int, default=1000)
    parser.add_argument("--use-cases", type=int, default=100_000)
    parser.add_argument("--usage-rows", type=int, default=10_000_000)
    args = parser.parse_args()
    timings = {}
    started = time.perf_counter()
    app = bench_app(FAST_PASSWORD_HASH=True)
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        sys.exit("set BENCH_DATABASE_URL to a PostgreSQL database")
    timings["schema"] = time.perf_counter() - started
    per_vendor = max(1, args.accounts // args.vendors)
    with app.app_context():
        t = time.perf_counter()
        for v in range(args.vendors):
            owner = sign_up_vendor(
                db.session,
                vendor_name=f"Vendor {v:02d}",
                name=f"Owner {v}",
                email=f"owner{v}@vendor{v}.example.com",
                password=BENCH_PASSWORD,
            )
            with scoped(db.session, Scope(owner.tenant_id)):
                csm = add_user(
                    db.session,
                    owner.tenant,
                    email=f"csm{v}@vendor{v}.example.com",
                    name=f"CSM {v}",
                    password=BENCH_PASSWORD,
                    role=Role.CSM,
                )
                db.session.flush()
                for a in range(per_vendor):
                    onboard_account(
                        db.session,
                        owner.tenant,
                        csm,
                        AccountDraft(
                            name=f"顧客 {v:02d}-{a:03d} 株式会社",
                            industry="manufacturing",
                            licensed_seats=200 + 10 * a,
                            monthly_spend_yen=600_000,
                            hourly_labor_cost_yen=5_000,
                            kickoff_date=date(2026, 1, 1),
                            admin_email=f"admin{a}@client{v}-{a}.example.jp",
                            teams=[TeamDraft(name, 40) for name in TEAMS],
                        ),
                    )
            db.session.commit()
        timings["vendors_and_accounts"] = time.perf_counter() - t
        t = time.perf_counter()
        db.session.execute(
            text(
                """
                INSERT INTO use_cases (team_id, author_id, title, problem, prompt, result, model_name,
                    used_on, minutes_saved_per_run, runs_per_month, people, stage, source, tags, created_at,
                    published_at, account_id, tenant_id)
                SELECT NULL, NULL, '議事録の要約 ' || n, '会議のたびに30分かけて議事録を書いていた',
                    '次の文字起こしを要約して', '5分で初稿ができる', 'GPT-4o',
                    DATE '2026-01-01' + (n % 300), 5 + n % 40, 4 + n % 20, 1 + n % 50,
                    (ARRAY['shared','pilot','production'])[1 + n % 3], 'import', '[]',
                    now(), now() - ((n % 300) || ' days')::interval, a.id, a.tenant_id
                FROM generate_series(1, :n) AS n
                JOIN (SELECT id, tenant_id, row_number() OVER (ORDER BY id) - 1 AS k,
                             count(*) OVER () AS total FROM accounts) a
                  ON a.k = n % a.total
                """
            ),
            {"n": args.use_cases},
        )
        db.session.commit()
        timings["use_cases"] = time.perf_counter() - t
        t = time.perf_counter()
        accounts = db.session.execute(text("SELECT count(*) FROM accounts")).scalar()
        per_account = max(1, args.usage_rows // accounts)
        people = 500
        days = -(-per_account // people)  # enough days for the rows each account gets
        db.session.execute(
            text(
                """
                INSERT INTO usage_rows (day, user_hash, team_id, app, active, actions, minutes_saved,
                    import_id, account_id, tenant_id)
                SELECT DATE '2026-11-24' - d, md5(a.id || ':' || p), NULL, 'copilot', 1, (p % 9), (p % 31),
                    NULL, a.id, a.tenant_id
                FROM accounts a, generate_series(0, :days - 1) AS d, generate_series(1, :people) AS p
                WHERE d * :people + p <= :per_account
                """
            ),
            {"days": days, "people": people, "per_account": per_account},
        )
        db.session.commit()
        db.session.execute(text("ANALYZE"))
        db.session.commit()
        timings["usage_rows"] = time.perf_counter() - t
        sizes = {
            table: db.session.execute(text(f"SELECT count(*) FROM {table}")).scalar()
            for table in ("tenants", "users", "accounts", "use_cases", "usage_rows")
        }
    print(json.dumps({"sizes": sizes, "seconds": {k: round(v, 1) for k, v in timings.items()}}))


if __name__ == "__main__":
    main()
