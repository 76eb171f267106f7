"""Inputs that must never cost memory or a 500: huge bodies, NUL bytes, huge ids, forged hosts, invisible
characters, and a form with far more rows than allowed."""

import pytest
from flask_migrate import upgrade
from sqlalchemy import text
from werkzeug.test import EnvironBuilder, run_wsgi_app

from app import create_app
from app.access import EVERYONE_SIGNED_IN, allow, public
from app.extensions import db
from app.limits import ConfigurationError, accepts_upload
from tenants.accounts import account_name_taken
from tenants.scoping import Scope, scoped, unscoped
from tenants.users import Person, User, sign_up_vendor
from tests.factories import PASSWORD, draft, make_world
from tests.helpers import app_config, login, post

MB = 1024 * 1024


class Body:
    """A request body of ``size`` bytes that is produced only as it is read, counting what was read."""

    def __init__(self, size: int, chunk: bytes = b"a=1&"):
        self.size, self.chunk, self.read_bytes = size, chunk, 0

    def read(self, n: int = -1) -> bytes:
        left = self.size - self.read_bytes
        n = left if n is None or n < 0 else min(n, left)
        if self.read_bytes > 8 * MB:
            raise AssertionError("the server kept reading a body it should have refused")
        self.read_bytes += n
        return (self.chunk * (n // len(self.chunk) + 1))[:n]

    def tell(self) -> int:
        return self.read_bytes

    def readline(self, limit: int = -1) -> bytes:
        return self.read(min(limit, 65536) if limit and limit > 0 else 65536)


def send_body(client, path: str, body: Body, content_type: str):
    """POST ``body`` as a server would hand it over: a stream with a Content-Length header."""
    environ = EnvironBuilder(path=path, method="POST", content_type=content_type).get_environ()
    environ.update({"wsgi.input": body, "CONTENT_LENGTH": str(body.size)})
    _, status, _ = run_wsgi_app(client.application, environ, buffered=True)
    return int(status.split()[0])


def test_300_mb_body_is_refused_before_it_is_read(app, client):
    for content_type in ("application/x-www-form-urlencoded", "multipart/form-data; boundary=xyz"):
        body = Body(300 * MB)
        assert send_body(client, "/login", body, content_type) == 413
        assert body.read_bytes == 0


def test_million_field_body_is_refused_with_413(app, client):
    fields = b"a=&" * 1_000_000
    response = client.post("/login", data=fields, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 413
    assert "too large" in response.get_data(as_text=True)


def test_uploads_get_their_own_larger_limit(app):
    upload_app = create_app(app_config(MAX_UPLOAD_LENGTH=4 * MB))

    @public
    @accepts_upload
    def upload():
        from flask import request

        return str(len(request.files["file"].read()))

    upload_app.add_url_rule("/_upload", "upload", upload, methods=["POST"])
    upload_app.config["WTF_CSRF_ENABLED"] = False
    client = upload_app.test_client()
    from io import BytesIO

    ok = client.post("/_upload", data={"file": (BytesIO(b"x" * (2 * MB)), "usage.csv")})
    assert ok.status_code == 200 and ok.get_data(as_text=True) == str(2 * MB)
    assert send_body(client, "/_upload", Body(5 * MB), "multipart/form-data; boundary=xyz") == 413
    assert send_body(client, "/login", Body(2 * MB), "application/x-www-form-urlencoded") == 413


def test_nul_byte_in_a_text_field_is_a_field_error_on_postgresql(app, client):
    response = post(
        client,
        "/signup",
        {"vendor_name": "Acme\x00AI", "name": "Aiko", "email": "aiko@acme.example.com", "password": "x" * 12},
    )
    assert response.status_code == 422
    assert "cannot be saved" in response.get_data(as_text=True)
    world = make_world(app, "nul")
    login(client, world.email("csm"), PASSWORD)
    response = post(client, "/accounts/new", onboarding_form(name="Nul\x00KK", **{"teams-0-name": "O\x00ps"}))
    assert response.status_code == 422
    assert response.get_data(as_text=True).count("cannot be saved") >= 2
    response = post(client, "/profile", {"profile-name": "A\x00", "profile-locale": "en"})
    assert response.status_code == 422


def onboarding_form(**overrides) -> dict:
    values = {
        "name": "Client KK",
        "industry": "other",
        "licensed_seats": "10",
        "monthly_spend_yen": "1000",
        "hourly_labor_cost_yen": "4000",
        "kickoff_date": "2026-12-01",
        "teams-0-name": "Ops",
        "teams-0-headcount": "5",
        "admin_email": "admin@client.example.jp",
        "admin_locale": "en",
    }
    values.update(overrides)
    return values


@pytest.mark.parametrize("path", ["/accounts/{}", "/accounts/{}/edit", "/users/{}/deactivate"])
def test_an_id_of_2_63_or_more_is_a_404(app, client, path):
    world = make_world(app, "big")
    login(client, world.email("owner"), PASSWORD)
    for big in (2**31, 2**63, 2**64 + 5, 10**30):
        url = path.format(big)
        response = post(client, url) if "deactivate" in url else client.get(url)
        assert response.status_code == 404, url
    assert client.get(f"/accounts/{2**31 - 1}").status_code == 404


def test_error_page_survives_an_aborted_transaction(app):
    failing_app = create_app(app_config(PROPAGATE_EXCEPTIONS=False, TESTING=True))

    @allow(EVERYONE_SIGNED_IN)
    def breaks():
        db.session.execute(text("SELECT 1/0"))

    failing_app.add_url_rule("/_breaks", "breaks", breaks)
    failing_app.testing = False  # let the 500 handler answer, as in production
    world = make_world(app, "err")
    client = failing_app.test_client()
    login(client, world.email("champion"), PASSWORD)
    response = client.get("/_breaks")
    html = response.get_data(as_text=True)
    assert response.status_code == 500
    assert "Something went wrong on our side" in html
    assert world.account_names[0] in html  # the header's account name loaded after the rollback


def test_a_production_like_app_needs_public_url(app):
    with pytest.raises(ConfigurationError, match="PUBLIC_URL"):
        create_app(app_config(TESTING=False, PUBLIC_URL=""))
    assert create_app(app_config(TESTING=False, PUBLIC_URL="https://adoptloop.example.com"))
    assert create_app(app_config(TESTING=False, TRUSTED_HOSTS=["adoptloop.example.com"]))


def test_a_forged_host_cannot_reach_mailed_links(app, tmp_path):
    outbox = tmp_path / "mail"
    prod = create_app(
        app_config(TESTING=False, PUBLIC_URL="https://adoptloop.example.com", MAIL_URL=f"file:{outbox}")
    )
    world = make_world(app, "host")
    client = prod.test_client()
    evil = {"base_url": "http://evil.example"}  # every request of this visitor names the forged host
    token = csrf_token_at(client, **evil)
    signed_in = client.post(
        "/login", data={"email": world.email("csm"), "password": PASSWORD, "csrf_token": token}, **evil
    )
    assert signed_in.status_code == 302
    token = csrf_token_at(client, **evil)  # a new session after sign-in, so a new token
    response = client.post(
        f"/accounts/{world.account_ids[0]}/invitations",
        data={"email": "new@client.example.jp", "role": "member", "locale": "en", "csrf_token": token},
        **evil,
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    [mail] = list(outbox.glob("*.eml"))
    body = mail.read_text()
    assert "https://adoptloop.example.com/invite/" in body and "evil.example" not in body
    trusted = create_app(app_config(TESTING=False, TRUSTED_HOSTS=["adoptloop.example.com"]))
    assert trusted.test_client().get("/login", headers={"Host": "evil.example"}).status_code == 400


def csrf_token_at(client, **kwargs) -> str:
    import re

    html = client.get("/login", follow_redirects=True, **kwargs).get_data(as_text=True)
    return re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', html).group(1)


def test_10000_team_rows_say_200_is_the_limit(app, client):
    world = make_world(app, "rows")
    login(client, world.email("csm"), PASSWORD)
    rows = {}
    for i in range(10_000):
        rows[f"teams-{i}-name"] = f"Team {i}"
        rows[f"teams-{i}-headcount"] = "3"
    response = post(client, "/accounts/new", onboarding_form(**rows))
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "at most 200 teams" in html and "10,000" in html


def test_zero_width_characters_are_dropped_and_bidi_refused_in_names(app, client):
    world = make_world(app, "zw")
    login(client, world.email("csm"), PASSWORD)
    response = post(client, "/accounts/new", onboarding_form(name="Zero\u200bWidth KK"))
    assert response.status_code == 302
    page = client.get(response.location).get_data(as_text=True)
    assert "ZeroWidth KK" in page and "\u200b" not in page
    response = post(client, "/accounts/new", onboarding_form(name="Evil\u202eKK"))
    assert response.status_code == 422 and "direction-changing" in response.get_data(as_text=True)
    response = post(client, "/accounts/new", onboarding_form(name="zerowidth kk"))
    assert response.status_code == 422 and "already exists" in response.get_data(as_text=True)


def test_duplicate_account_names_ignore_case_on_sqlite_too(tmp_path):
    lite = create_app(app_config(SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path}/lite.sqlite3"))
    with lite.app_context():
        upgrade()
        owner = sign_up_vendor(
            db.session, vendor_name="Lite AI", name="Owner", email="o@lite.example.com", password=PASSWORD
        )
        with scoped(db.session, Scope(owner.tenant_id)):
            from tenants.onboarding import onboard_account

            onboard_account(db.session, owner.tenant, owner, draft("ÄBC Holdings", "a@abc.example.com"))
            assert account_name_taken(db.session, "äbc holdings")
            assert account_name_taken(db.session, "ＡＢＣ holdings") is False  # Ä is not A
            assert account_name_taken(db.session, "ä\u200bbc HOLDINGS")


def test_older_password_hashes_are_upgraded_at_sign_in(app, client):
    from argon2 import PasswordHasher

    world = make_world(app, "rehash")
    with app.app_context(), unscoped(db.session, "test plants an old hash"):
        user = db.session.scalar(db.select(User).where(User.email == world.email("member")))
        user.password_hash = PasswordHasher().hash(PASSWORD)  # the earlier default parameters
        db.session.commit()
    login(client, world.email("member"), PASSWORD)
    with app.app_context(), unscoped(db.session, "test reads the hash"):
        encoded = db.session.scalar(
            db.select(Person.password_hash).where(Person.email == world.email("member"))
        )
    assert "m=65536,t=3,p=4" not in encoded and encoded.startswith("$argon2id$")
