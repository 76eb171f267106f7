"""Test fixtures against the real services: PostgreSQL (database ``test``) and Redis.

TEST_DATABASE_URL / TEST_REDIS_URL override the defaults. A missing service fails the run loudly rather
than skipping tests.
"""

import os
import re

import pytest
from redis import Redis
from sqlalchemy import create_engine, text

from app import create_app
from tenants.db import db

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
TEST_REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/14")

CSRF_RE = re.compile(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"')


def _reset_schema(url: str) -> None:
    engine = create_engine(url)
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


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


@pytest.fixture(scope="session")
def app():
    os.environ.setdefault("FAST_PASSWORD_HASH", "1")
    _reset_schema(TEST_DATABASE_URL)
    app = create_app(app_config())
    with app.app_context():
        from flask_migrate import upgrade

        upgrade()  # the schema under test is the one the migrations build
    return app


@pytest.fixture(autouse=True)
def _clean_state(request, app):
    """Each test starts with empty tables, no rate-limit counters and no scope left behind."""
    yield
    with app.app_context():
        db.session.remove()
        tables = ", ".join(t.name for t in db.metadata.sorted_tables)
        with db.engine.begin() as conn:
            conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    Redis.from_url(TEST_REDIS_URL).flushdb()


@pytest.fixture
def client(app):
    return app.test_client()


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


def pytest_sessionfinish(session, exitstatus):
    """Under bin/test a skipped test means a missing service or tool: fail the run instead of hiding it."""
    if os.environ.get("ADOPTLOOP_FAIL_ON_SKIP") != "1":
        return
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    skipped = len(reporter.stats.get("skipped", [])) if reporter else 0
    if skipped and exitstatus == 0:
        reporter.write_line(f"{skipped} test(s) skipped: every test must run here", red=True)
        session.exitstatus = 1
