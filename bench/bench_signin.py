"""Sign-in cost under gunicorn (2 workers, as production): sign-ins per second, and what a burst of sign-ins
does to everybody else, as ratios to the account page at rest measured in the same run.

    .venv/bin/python bench/bench_signin.py                         # SQLite in a temp dir, OWASP cost
    BENCH_ARGON2_DEFAULTS=1 .venv/bin/python bench/bench_signin.py    # argon2-cffi defaults, for comparison
    BENCH_SECONDS=8 BENCH_SIGNERS=8 ...                                # measuring window, concurrent sign-ins

Three windows: the account page alone (4 readers), sign-ins alone (BENCH_SIGNERS people signing in over and
over), both at once. Printed: sign-ins/s, page req/s at rest and during the burst, and the ratios.
"""

import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import requests
from _report import figure

ROOT = Path(__file__).resolve().parent.parent
SECONDS = float(os.environ.get("BENCH_SECONDS", "6"))
SIGNERS = int(os.environ.get("BENCH_SIGNERS", "8"))
READERS = 4
PEOPLE = 40
PASSWORD = "bench-password-1"
CSRF = re.compile(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"')


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def seed(env: dict) -> None:
    """A vendor with one account and PEOPLE members, with hashes made at the cost under test."""
    code = f"""
import os
from _signin_app import app
from flask_migrate import upgrade
from app.extensions import db
from tenants.onboarding import AccountDraft, TeamDraft, onboard_account
from tenants.roles import Role
from tenants.scoping import Scope, scoped
from tenants.users import add_user, sign_up_vendor
from datetime import date
with app.app_context():
    upgrade()
    owner = sign_up_vendor(db.session, vendor_name="Bench AI", name="Owner", email="o@bench.example.com",
                           password={PASSWORD!r})
    with scoped(db.session, Scope(owner.tenant_id)):
        done = onboard_account(db.session, owner.tenant, owner, AccountDraft(
            name="Client", industry="other", licensed_seats=100, monthly_spend_yen=300000,
            hourly_labor_cost_yen=5000, kickoff_date=date(2026, 10, 1), admin_email="a@bench.example.com",
            teams=[TeamDraft(f"Team {{t}}", 10) for t in range(5)]))
        for i in range({PEOPLE}):
            add_user(db.session, owner.tenant, email=f"p{{i}}@bench.example.com", name=f"P{{i}}",
                     password={PASSWORD!r}, role=Role.MEMBER, account_id=done.account.id)
        db.session.commit()
"""
    subprocess.run([sys.executable, "-c", code], env=env, cwd=ROOT / "bench", check=True)


def signed_in(base: str, email: str) -> requests.Session:
    s = requests.Session()
    token = CSRF.search(s.get(f"{base}/login").text).group(1)
    r = s.post(
        f"{base}/login",
        data={"email": email, "password": PASSWORD, "csrf_token": token},
        allow_redirects=False,
    )
    assert r.status_code == 302, r.status_code
    return s


def run_for(seconds: float, workers: list) -> list[int]:
    """Run each worker (a function doing one unit and returning) in its own thread; count units."""
    stop = time.monotonic() + seconds
    counts = [0] * len(workers)

    def loop(i, fn):
        while time.monotonic() < stop:
            fn()
            counts[i] += 1

    threads = [threading.Thread(target=loop, args=(i, fn)) for i, fn in enumerate(workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return counts


def main() -> None:
    tmp = tempfile.mkdtemp()
    env = dict(
        os.environ,
        ADOPTLOOP_INSTANCE=tmp,
        PYTHONPATH=f"{ROOT}:{ROOT / 'bench'}",
        SECRET_KEY="bench",
        DATABASE_URL=os.environ.get("BENCH_DATABASE_URL", f"sqlite:///{tmp}/bench.sqlite3"),
        # Many sign-ins from one IP are the point here; rate limits would measure themselves.
        LOGIN_PAIR_RATE_LIMIT="100000 per minute",
        LOGIN_IP_RATE_LIMIT="100000 per minute",
        LOGIN_EMAIL_RATE_LIMIT="100000 per minute",
        FAST_PASSWORD_HASH="0",
        PUBLIC_URL="http://bench",
    )
    seed(env)
    port = free_port()
    server = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "2",
            "--threads",
            "8",
            "--log-level",
            "warning",
            "_signin_app:app",
        ],
        env=env,
        cwd=ROOT / "bench",
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                requests.get(f"{base}/healthz", timeout=5)
                break
            except requests.RequestException:  # not listening yet, or still booting its workers
                time.sleep(0.1)
        readers = [signed_in(base, "o@bench.example.com") for _ in range(READERS)]
        page = f"{base}/accounts/1"

        def read(s=None):
            return lambda: s.get(page).raise_for_status()

        def sign_in(i):
            counter = {"n": i}

            def once():
                counter["n"] = (counter["n"] + SIGNERS) % PEOPLE
                s = requests.Session()
                token = CSRF.search(s.get(f"{base}/login").text).group(1)
                r = s.post(
                    f"{base}/login",
                    allow_redirects=False,
                    data={
                        "email": f"p{counter['n']}@bench.example.com",
                        "password": PASSWORD,
                        "csrf_token": token,
                    },
                )
                assert r.status_code == 302, r.status_code

            return once

        run_for(1, [read(s) for s in readers])  # warm up
        rest = sum(run_for(SECONDS, [read(s) for s in readers])) / SECONDS
        alone = sum(run_for(SECONDS, [sign_in(i) for i in range(SIGNERS)])) / SECONDS
        both = run_for(SECONDS, [read(s) for s in readers] + [sign_in(i) for i in range(SIGNERS)])
        during = sum(both[:READERS]) / SECONDS
        burst = sum(both[READERS:]) / SECONDS
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(10)
    label = (
        "argon2-cffi defaults (m=64 MiB, t=3, p=4)"
        if env.get("BENCH_ARGON2_DEFAULTS") == "1"
        else "OWASP Argon2id (m=19 MiB, t=2, p=1)"
    )
    print(f"gunicorn 2 workers, {os.cpu_count()} CPUs, {label}, {SECONDS:.0f} s windows")
    print(f"account page at rest ({READERS} readers)         {rest:7.1f} req/s   1.00x")
    print(
        f"sign-ins alone ({SIGNERS} people at once)          {alone:7.1f} /s      "
        f"{alone / rest:.3f}x of the page at rest"
    )
    print(f"account page during the sign-in burst       {during:7.1f} req/s   {during / rest:.2f}x of rest")
    print(f"sign-ins during that burst                  {burst:7.1f} /s")
    figure(
        "account page during a sign-in burst (gunicorn, 2 workers)",
        floor="the same page at rest",
        ratio=during / rest,
        target="stays usable (>= 0.25x)",
        met=during / rest >= 0.25,
        unit="req/s",
        measured_p50=round(during, 1),
        floor_p50=round(rest, 1),
        note=f"sign-ins: {alone:.1f}/s alone, {burst:.1f}/s during; {label}",
    )


if __name__ == "__main__":
    main()
