"""Sign-up, sign-in, sign-out, invitations, and the protections around them."""

import re
from datetime import timedelta

from app.extensions import db
from tenants.db import utcnow
from tenants.invitations import find_pending, invite
from tenants.roles import Role
from tenants.scoping import Scope, scoped, unscoped
from tenants.tenant import Tenant
from tenants.users import User
from tests.factories import PASSWORD, invitation_status, make_world
from tests.helpers import csrf_token, invitation_link_in, login, post


def signup(client, **overrides):
    data = {
        "vendor_name": "Acme AI",
        "name": "Aiko Owner",
        "email": "aiko@acme.example.com",
        "password": "longenough-1",
    }
    data.update(overrides)
    return post(client, "/signup", data)


def verification_path(html: str) -> str:
    """The verification link the page shows (no mail leaves the embedded default), as a path."""
    match = re.search(r"http://[^/\s]+(/verify/[\w-]+)", html)
    assert match, "no verification link on the page"
    return match.group(1)


def test_signup_creates_tenant_and_owner_who_signs_in_by_the_mailed_link(app, client):
    response = signup(client)
    assert response.status_code == 200 and "Check your mail" in response.get_data(as_text=True)
    assert client.get("/accounts").status_code == 302  # not signed in before the address is confirmed
    path = verification_path(response.get_data(as_text=True))
    assert client.get(path).status_code == 200  # a button, so a mail scanner's GET confirms nothing
    assert post(client, path).status_code == 302
    page = client.get("/accounts").get_data(as_text=True)
    assert "Aiko Owner" in page and "Acme AI" in page
    assert post(client, path).status_code == 404  # single use
    with app.app_context(), unscoped(db.session, "test"):
        user = db.session.scalar(db.select(User).where(User.email == "aiko@acme.example.com"))
        assert user.role == Role.OWNER
        assert user.password_hash.startswith("$argon2id$")
        tenant = db.session.get(Tenant, user.tenant_id)
        assert tenant.slug == "acme-ai" and tenant.verified_at is not None


def test_signup_never_reveals_a_taken_address_and_rejects_short_passwords(app, client):
    first = signup(client)
    again = signup(app.test_client(), vendor_name="Other AI")
    assert again.status_code == first.status_code == 200

    def strip(html):
        return re.sub(r'<div class="flashes".*?</div>\s*</div>|name="csrf_token"[^>]*>', "", html, flags=re.S)

    assert strip(again.get_data(as_text=True)).replace("Other AI", "Acme AI") == strip(
        first.get_data(as_text=True)
    )
    assert "already has a login" in again.get_data(as_text=True)  # only in the mail (shown: embedded default)
    response = signup(client, email="x@y.example.com", password="short")
    assert response.status_code == 422 and "at least 10 characters" in response.get_data(as_text=True)
    with app.app_context(), unscoped(db.session, "test"):
        assert db.session.scalar(db.select(db.func.count(Tenant.id))) == 1


def test_login_wrong_password_then_right(app, client):
    world = make_world(app, "a")
    token = csrf_token(client)
    bad = client.post("/login", data={"email": world.email("csm"), "password": "nope", "csrf_token": token})
    assert bad.status_code == 401 and "incorrect" in bad.get_data(as_text=True)
    login(client, world.email("csm"), PASSWORD)
    assert client.get("/accounts").status_code == 200


def test_login_is_rate_limited(app, client):
    world = make_world(app, "a")
    token = csrf_token(client)
    codes = [
        client.post(
            "/login", data={"email": world.email("csm"), "password": "x", "csrf_token": token}
        ).status_code
        for _ in range(11)
    ]
    assert codes[:10] == [401] * 10
    assert codes[10] == 429


def test_forms_require_csrf(app, client):
    world = make_world(app, "a")
    response = client.post("/login", data={"email": world.email("csm"), "password": PASSWORD})
    assert response.status_code == 400
    login(client, world.email("csm"), PASSWORD)
    assert client.post("/logout").status_code == 400


def test_logout_ends_the_session(app, client):
    world = make_world(app, "a")
    login(client, world.email("owner"), PASSWORD)
    assert post(client, "/logout").status_code == 302
    response = client.get("/accounts")
    assert response.status_code == 302 and "/login" in response.location


def test_session_cookie_and_security_headers(app, client):
    world = make_world(app, "a")
    response = login(client, world.email("owner"), PASSWORD)
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    page = client.get("/accounts")
    assert page.headers["X-Frame-Options"] == "DENY"
    assert page.headers["X-Content-Type-Options"] == "nosniff"
    assert "default-src 'self'" in page.headers["Content-Security-Policy"]
    assert page.headers["Cache-Control"] == "no-store"


def test_invitation_accept_expire_reuse(app, client):
    world = make_world(app, "a")
    with app.app_context(), scoped(db.session, Scope(world.tenant_id)):
        tenant = db.session.get(Tenant, world.tenant_id)
        invitation, token = invite(
            db.session, tenant, inviter=None, email="new.csm@a.example.com", role=Role.CSM
        )
        _, old_token = invite(
            db.session,
            tenant,
            inviter=None,
            email="late@a.example.com",
            role=Role.CSM,
            now=utcnow() - timedelta(days=8),
        )
        db.session.commit()
    page = client.get(f"/invite/{token}")
    assert page.status_code == 200 and "new.csm@a.example.com" in page.get_data(as_text=True)
    response = post(
        client, f"/invite/{token}", {"name": "New CSM", "password": "longenough-2", "confirm": "nope"}
    )
    assert response.status_code == 422 and "differ" in response.get_data(as_text=True)
    response = post(
        client, f"/invite/{token}", {"name": "New CSM", "password": "longenough-2", "confirm": "longenough-2"}
    )
    assert response.status_code == 302
    assert client.get("/accounts").status_code == 200  # signed in as the new CSM
    post(client, "/logout")
    assert client.get(f"/invite/{token}").status_code == 404  # single use
    assert client.get(f"/invite/{old_token}").status_code == 404  # expired
    with app.app_context():
        assert find_pending(db.session, "not-a-token") is None


def test_reissue_replaces_link_and_revoke_closes_it(app, client):
    world = make_world(app, "a")
    login(client, world.email("owner"), PASSWORD)
    vendor_invitation = world.invitation_ids[-1]
    response = post(client, f"/invitations/{vendor_invitation}/reissue", follow_redirects=True)
    link = invitation_link_in(response.get_data(as_text=True))
    assert "/invite/" in link
    assert client.get(link).status_code == 200
    post(client, f"/invitations/{vendor_invitation}/revoke")
    assert invitation_status(app, vendor_invitation) == "revoked"
    assert client.get(link).status_code == 404


def _set_user(app, email: str, **changes) -> None:
    with app.app_context(), unscoped(db.session, "test changes a user directly"):
        user = db.session.scalar(db.select(User).where(User.email == email))
        for name, value in changes.items():
            value(user) if callable(value) else setattr(user, name, value)
        db.session.commit()


def test_deactivated_user_is_signed_out_at_the_next_request(app, client):
    world = make_world(app, "a")
    login(client, world.email("member"), PASSWORD)
    assert client.get(f"/accounts/{world.account_ids[0]}").status_code == 200
    _set_user(app, world.email("member"), active=False)
    response = client.get(f"/accounts/{world.account_ids[0]}")
    assert response.status_code == 302 and "/login" in response.location


def test_sign_out_everywhere_kills_session_and_remember_cookie(app, client):
    world = make_world(app, "a")
    token = csrf_token(client)
    response = client.post(
        "/login",
        data={"email": world.email("csm"), "password": PASSWORD, "remember": "y", "csrf_token": token},
    )
    remember = [c for c in response.headers.getlist("Set-Cookie") if c.startswith("remember_token=")]
    assert remember and "HttpOnly" in remember[0] and "SameSite=Lax" in remember[0]
    other_browser = app.test_client()
    other_browser.set_cookie("remember_token", remember[0].split(";")[0].split("=", 1)[1])
    assert other_browser.get("/accounts").status_code == 200  # remember-me works on its own
    _set_user(app, world.email("csm"), sign_out_everywhere=lambda u: u.sign_out_everywhere())
    assert client.get("/accounts").status_code == 302
    assert app.test_client().get("/accounts").status_code == 302
    fresh = app.test_client()
    fresh.set_cookie("remember_token", remember[0].split(";")[0].split("=", 1)[1])
    assert fresh.get("/accounts").status_code == 302


def test_secure_cookies_when_configured(app, monkeypatch):
    from app import create_app
    from tests.helpers import app_config

    monkeypatch.setenv("SESSION_COOKIE_SECURE", "true")
    secure = create_app(app_config())
    assert secure.config["SESSION_COOKIE_SECURE"] and secure.config["REMEMBER_COOKIE_SECURE"]
    response = secure.test_client().get("/login", base_url="https://localhost")
    assert "Secure" in response.headers["Set-Cookie"]
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")


def test_rate_limit_counts_the_client_behind_a_trusted_proxy(app):
    from app import create_app
    from tests.helpers import app_config

    proxied = create_app(app_config(TRUSTED_PROXIES=1))
    world = make_world(proxied, "a")

    def attempts(client, ip):
        token = csrf_token(client)
        return [
            client.post(
                "/login",
                data={"email": world.email("csm"), "password": "x", "csrf_token": token},
                headers={"X-Forwarded-For": ip},
            ).status_code
            for _ in range(11)
        ]

    assert attempts(proxied.test_client(), "203.0.113.7")[-1] == 429
    assert attempts(proxied.test_client(), "198.51.100.9")[:10] == [401] * 10  # another client is not blocked


def test_sign_out_also_forgets_remember_me(app, client):
    world = make_world(app, "a")
    token = csrf_token(client)
    client.post(
        "/login",
        data={"email": world.email("csm"), "password": PASSWORD, "remember": "y", "csrf_token": token},
    )
    response = post(client, "/logout")
    assert any(c.startswith("remember_token=;") for c in response.headers.getlist("Set-Cookie"))
    assert client.get("/accounts").status_code == 302


def test_invite_budget_is_shared_and_counts_only_sent_invitations(app):
    from app import create_app
    from tests.helpers import app_config

    limited = create_app(app_config(INVITE_RATE_LIMIT="2 per hour"))
    world = make_world(limited, "a")
    client = limited.test_client()
    login(client, world.email("owner"), PASSWORD)
    account = f"/accounts/{world.account_ids[0]}/invitations"
    assert post(client, account, {"email": "bad", "role": "member"}).status_code == 422  # not counted
    assert post(client, account, {"email": "one@a.example.com", "role": "member"}).status_code == 302
    assert post(client, "/team/invitations", {"email": "two@a.example.com", "role": "csm"}).status_code == 302
    assert post(client, account, {"email": "three@a.example.com", "role": "member"}).status_code == 429


def test_a_csm_cannot_revoke_an_owners_invitation_by_inviting_the_same_person(app):
    world = make_world(app, "a")
    owner, csm = app.test_client(), app.test_client()
    login(owner, world.email("owner"), PASSWORD)
    login(csm, world.email("csm"), PASSWORD)
    link = invitation_link_in(
        post(
            owner, "/team/invitations", {"email": "carol@a.example.com", "role": "csm"}, follow_redirects=True
        ).get_data(as_text=True)
    )
    post(
        csm,
        f"/accounts/{world.account_ids[0]}/invitations",
        {"email": "carol@a.example.com", "role": "member"},
    )
    assert app.test_client().get(link).status_code == 200  # the owner's invitation still works
