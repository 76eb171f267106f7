"""The web shell: access rules are mandatory, errors render, languages and yen formatting."""

import pytest

from app import create_app
from app.access import check_every_route_has_a_rule
from tests.factories import PASSWORD, make_world
from tests.helpers import app_config, csrf_token, login, post


def test_a_route_without_an_access_rule_stops_start_up(app):
    fresh = create_app(app_config())
    fresh.add_url_rule("/forgotten", "forgotten", lambda: "open?")
    with pytest.raises(RuntimeError, match="forgotten"):
        check_every_route_has_a_rule(fresh)
    # Even if it were served, it would be closed.
    assert fresh.test_client().get("/forgotten").status_code == 403


def test_unexpected_error_shows_the_error_page(app):
    fresh = create_app(app_config(PROPAGATE_EXCEPTIONS=False))
    from app.access import public

    fresh.add_url_rule("/boom", "boom", public(lambda: 1 / 0))
    response = fresh.test_client().get("/boom", headers={"Accept-Language": "en"})
    assert response.status_code == 500
    assert "Something went wrong" in response.get_data(as_text=True)


def test_japanese_is_the_default_and_english_can_be_chosen(app):
    client = app.test_client()
    ja = client.get("/login", headers={"Accept-Language": "ja"}).get_data(as_text=True)
    assert '<html lang="ja">' in ja and "ログイン" in ja
    en = client.get("/login", headers={"Accept-Language": "en-US"}).get_data(as_text=True)
    assert '<html lang="en">' in en and "Sign in" in en
    post(client, "/language", {"lang": "ja", "next": "/login"})
    chosen = client.get("/login", headers={"Accept-Language": "en-US"}).get_data(as_text=True)
    assert '<html lang="ja">' in chosen


EVIL_TARGETS = [
    "//evil.example.com/x",
    "/\t/evil.example.com",
    "/\\evil.example.com",
    "https://evil.example.com",
    "/\n/evil.example.com",
    "evil.example.com",
]


@pytest.mark.parametrize("target", EVIL_TARGETS)
def test_language_switch_never_redirects_off_site(app, target):
    client = app.test_client()
    response = post(client, "/language", {"lang": "en", "next": target})
    assert response.status_code == 302 and response.location == "/"


@pytest.mark.parametrize("target", EVIL_TARGETS)
def test_login_next_never_leaves_the_site(app, target):
    world = make_world(app, "next")
    client = app.test_client()
    token = csrf_token(client)
    response = client.post(
        "/login",
        query_string={"next": target},
        data={"email": world.email("csm"), "password": PASSWORD, "csrf_token": token},
    )
    assert response.status_code == 302 and response.location == "/"


def test_login_next_keeps_local_paths(app):
    world = make_world(app, "next")
    client = app.test_client()
    token = csrf_token(client)
    response = client.post(
        "/login",
        query_string={"next": f"/accounts/{world.account_ids[1]}"},
        data={"email": world.email("csm"), "password": PASSWORD, "csrf_token": token},
    )
    assert response.location == f"/accounts/{world.account_ids[1]}"


def test_yen_and_numbers_follow_the_locale(app):
    world = make_world(app, "yen")
    client = app.test_client()
    login(client, world.email("csm"), PASSWORD)
    post(client, "/language", {"lang": "en"})
    en = client.get("/accounts").get_data(as_text=True)
    assert "¥300,000" in en and "¥600,000 per month" in en
    post(client, "/language", {"lang": "ja"})
    ja = client.get("/accounts").get_data(as_text=True)
    assert "￥300,000" in ja and "要対応" in ja  # the health band, translated (no case shared yet)


@pytest.mark.parametrize("locale", ["ja", "en"])
def test_the_short_way_to_format_numbers_reads_exactly_as_babel(app, locale):
    from babel.numbers import format_currency, format_decimal
    from flask_babel import force_locale

    from app.i18n import number, yen

    values = [0, 7, -7, 999, 1000, 1_234_567, -1_234_567, 10**12]
    decimals = [0.0, 2.5, 2.675, 0.05, 0.15, 1234.5678, -3.25, 99.95, 1e7 / 3]
    with app.test_request_context(), force_locale(locale):
        for v in values:
            assert yen(v) == format_currency(v, "JPY", locale=locale)
            assert number(v) == format_decimal(v, locale=locale)
        for v in values + decimals:
            for digits in (0, 1, 2):
                pattern = "#,##0" + ("." + "0" * digits if digits else "")
                assert number(v, digits) == format_decimal(v, format=pattern, locale=locale), (v, digits)


def test_postgresql_connections_run_without_jit(app):
    """JIT costs the aggregate queries more than it saves (tenants/db.py tune_connections)."""
    from sqlalchemy import text

    from app.extensions import db

    with app.app_context():
        assert db.session.execute(text("SHOW jit")).scalar() == "off"
