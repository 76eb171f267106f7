"""The start-up check of the database locale: Japanese trigrams need a lc_ctype that is not C."""

import pytest
from sqlalchemy import create_engine, text

from playbooks.search.index import check_database_locale
from tests.helpers import TEST_DATABASE_URL


@pytest.fixture
def c_locale_database():
    admin = create_engine(TEST_DATABASE_URL, isolation_level="AUTOCOMMIT")
    name = admin.url.database + "_c_locale"
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        conn.execute(text(f"CREATE DATABASE \"{name}\" LC_CTYPE 'C' LC_COLLATE 'C' TEMPLATE template0"))
    engine = create_engine(admin.url.set(database=name))
    yield engine
    engine.dispose()
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
    admin.dispose()


def test_warns_when_lc_ctype_is_c(c_locale_database):
    warning = check_database_locale(c_locale_database)
    assert warning and "lc_ctype is C" in warning and "Japanese" in warning
    with c_locale_database.connect() as conn:
        # Why it matters: under C, pg_trgm sees no letters in Japanese and extracts no trigrams.
        conn.execute(text("CREATE EXTENSION IF NOT EXISTS pg_trgm"))
        assert conn.execute(text("SELECT show_trgm('議事録の要約')")).scalar() == []


def test_no_warning_for_a_utf8_locale_or_sqlite():
    assert check_database_locale(create_engine(TEST_DATABASE_URL)) is None
    assert check_database_locale(create_engine("sqlite://")) is None
