"""Helpers shared by the tests: the test services' URLs, an app config, and acting like a browser (CSRF
tokens, signing in, posting forms). Test modules import from here, never from each other."""

import os
import re
import subprocess
import sys
from pathlib import Path

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
TEST_REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/14")

CSRF_RE = re.compile(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"')


def app_config(**extra) -> dict:
    config = {
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "SQLALCHEMY_DATABASE_URI": TEST_DATABASE_URL,
        "REDIS_URL": TEST_REDIS_URL,
        "RATELIMIT_STORAGE_URI": TEST_REDIS_URL,
        "JOBS_BACKEND": "inline",
        "FAST_PASSWORD_HASH": True,
        "SERVER_NAME": None,
        # Tests read English messages; Japanese is checked explicitly (test_app.py) with Accept-Language.
        "BABEL_DEFAULT_LOCALE": "en",
    }
    config.update(extra)
    return config


def csrf_token(client) -> str:
    """The CSRF token of the client's session, read from a page the way a browser would."""
    response = client.get("/login", follow_redirects=True)
    match = CSRF_RE.search(response.get_data(as_text=True))
    assert match, "no CSRF token on the page"
    return match.group(1)


def invitation_link_in(html: str) -> str:
    """The invitation link a page shows the inviter (there is no mail server to read it from)."""
    match = re.search(r'value="([^"]+)"[^>]*data-invite-link', html)
    assert match, "no invitation link on the page"
    return match.group(1)


def login(client, email: str, password: str):
    token = csrf_token(client)
    response = client.post("/login", data={"email": email, "password": password, "csrf_token": token})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return response


def post(client, url: str, data: dict | None = None, **kwargs):
    """POST with the session's CSRF token, as a form on the page would."""
    payload = {"csrf_token": csrf_token(client), **(data or {})}
    return client.post(url, data=payload, **kwargs)


def onboarding_form(**overrides) -> dict:
    """What a CSM types into the onboarding form: Japanese names, separators, full-width digits."""
    data = {
        "name": "株式会社テスト商事",
        "industry": "trading",
        "licensed_seats": "250",
        "monthly_spend_yen": "1,200,000",
        "hourly_labor_cost_yen": "¥4,800",
        "kickoff_date": "2026-12-01",
        "teams-0-name": "営業部",
        "teams-0-headcount": "120",
        "teams-1-name": "経理部",
        "teams-1-headcount": "２０",  # full-width digits, as typed with a Japanese IME
        "teams-2-name": "",
        "teams-2-headcount": "",
        "admin_email": "dx-lead@test-shoji.example.jp",
    }
    data.update(overrides)
    return data


ROOT = Path(__file__).resolve().parents[1]
WORKER_COMMAND = [sys.executable, "-m", "flask", "--app", "wsgi", "worker"]


def worker_env(**extra: str) -> dict:
    """The environment of a real rq worker process against the test services."""
    env = dict(os.environ, DATABASE_URL=TEST_DATABASE_URL, REDIS_URL=TEST_REDIS_URL, FAST_PASSWORD_HASH="1")
    env.update(extra)  # a test may point the worker at a Redis of its own
    return env


def run_worker_burst(*queues: str, timeout: int = 120, **env: str) -> None:
    """Run a real rq worker process until its queues are empty; fail the test with its stderr if it fails."""
    args = [*WORKER_COMMAND, "--burst", *(a for q in queues for a in ("--queue", q))]
    done = subprocess.run(
        args, cwd=ROOT, env=worker_env(**env), capture_output=True, text=True, timeout=timeout
    )
    assert done.returncode == 0, done.stderr


def report_form(client, account_id: int) -> dict:
    """What a CSM submits on the report page for October 2026 (the form's request key included)."""
    form = client.get(f"/accounts/{account_id}/reports").get_data(as_text=True)
    key = form.split('name="request_key" type="hidden" value="')[1].split('"')[0]
    return {
        "request_key": key,
        "period_start": "2026-10-01",
        "period_end": "2026-10-31",
        "locale": "ja",
        "realization_rate": "50",
        "risk_adjustment": "0",
        "discount_rate": "10",
    }
