"""Fixtures. The database and Redis are opt-in: a test that asks for ``app`` (or ``client``, ``live_server``)
gets PostgreSQL (database ``test``, migrated) and Redis, emptied after it; a test that does not (the pure
modules: rules, ROI model, date engine, CSV readers) touches neither and runs in milliseconds.

TEST_DATABASE_URL / TEST_REDIS_URL override the defaults. A missing service fails the run loudly rather
than skipping tests.
"""

import os

import pytest
from redis import Redis
from sqlalchemy import create_engine, text

from tests.helpers import TEST_DATABASE_URL, TEST_REDIS_URL, app_config


def _reset_schema(url: str) -> None:
    engine = create_engine(url)
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


@pytest.fixture(scope="session")
def _migrated_app():
    from app import create_app

    os.environ.setdefault("FAST_PASSWORD_HASH", "1")
    _reset_schema(TEST_DATABASE_URL)
    app = create_app(app_config())
    with app.app_context():
        from flask_migrate import upgrade

        upgrade()  # the schema under test is the one the migrations build
    return app


@pytest.fixture
def app(_migrated_app):
    """The app on PostgreSQL and Redis; every table and the Redis database are emptied after the test."""
    yield _migrated_app
    from tenants.db import db

    with _migrated_app.app_context():
        db.session.remove()
        tables = ", ".join(t.name for t in db.metadata.sorted_tables)
        with db.engine.begin() as conn:
            conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    Redis.from_url(TEST_REDIS_URL).flushdb()


@pytest.fixture
def client(app):
    return app.test_client()


def pytest_sessionfinish(session, exitstatus):
    """Under bin/test a skipped test means a missing service or tool: fail the run instead of hiding it."""
    if os.environ.get("ADOPTLOOP_FAIL_ON_SKIP") != "1":
        return
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    skipped = len(reporter.stats.get("skipped", [])) if reporter else 0
    if skipped and exitstatus == 0:
        reporter.write_line(f"{skipped} test(s) skipped: every test must run here", red=True)
        session.exitstatus = 1
