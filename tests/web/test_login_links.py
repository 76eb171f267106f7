"""Mailed one-time links: password reset, a new sign-in link from a CSM or client admin, and the vendor's
address check. None of them tells the asker whether an address has a login."""

import re
from datetime import timedelta

import pytest

from app.extensions import db
from tenants import login_links
from tenants.db import utcnow
from tenants.errors import FieldErrors
from tenants.invitations import invite
from tenants.login_links import LoginLink
from tenants.roles import Role
from tenants.scoping import Scope, scoped, unscoped
from tenants.users import User, sign_up_vendor
from tests.factories import PASSWORD, make_world
from tests.helpers import login, post

NEW_PASSWORD = "a-brand-new-password"


def mailed_path(html: str, kind: str) -> str:
    match = re.search(rf"http://[^/\s]+(/{kind}/[\w-]+)", html)
    assert match, f"no {kind} link in the mail preview"
    return match.group(1)


def forgot(client, email: str):
    return post(client, "/password/forgot", {"email": email})


def test_password_reset_by_mail_is_single_use_and_signs_out_elsewhere(app, client):
    world = make_world(app, "reset")
    elsewhere = app.test_client()
    login(elsewhere, world.email("member"), PASSWORD)
    response = forgot(client, world.email("member"))
    assert response.status_code == 200
    path = mailed_path(response.get_data(as_text=True), "password/reset")
    assert post(client, path, {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD}).status_code == 302
    assert client.get("/profile").status_code == 200  # signed in with the new password
    assert elsewhere.get("/profile").status_code == 302  # the other device is signed out
    assert (
        post(
            app.test_client(), path, {"password": "another-password-1", "confirm": "another-password-1"}
        ).status_code
        == 404
    )
    login(app.test_client(), world.email("member"), NEW_PASSWORD)
    with app.app_context(), unscoped(db.session, "test reads what is stored"):
        stored = db.session.scalars(db.select(LoginLink.token_hash)).all()
    assert path.rsplit("/", 1)[1] not in stored and all(len(h) == 64 for h in stored)


def test_reset_links_expire(app, client):
    world = make_world(app, "expire")
    path = mailed_path(forgot(client, world.email("member")).get_data(as_text=True), "password/reset")
    with app.app_context(), unscoped(db.session, "test ages the link"):
        for link in db.session.scalars(db.select(LoginLink)):
            link.expires_at = utcnow() - timedelta(seconds=1)
        db.session.commit()
    assert client.get(path).status_code == 404


def test_forgot_password_never_hints_whether_the_address_exists(app, client):
    world = make_world(app, "hint")
    known = forgot(client, world.email("member"))
    unknown = forgot(app.test_client(), "nobody@nowhere.example.com")
    assert known.status_code == unknown.status_code == 200

    def page_without_mail(response, email):
        html = re.sub(
            r'<div class="flashes".*?</div>\s*</div>', "", response.get_data(as_text=True), flags=re.S
        )
        return " ".join(re.sub(r'name="csrf_token"[^>]*>', "", html).replace(email, "EMAIL").split())

    assert page_without_mail(known, world.email("member")) == page_without_mail(
        unknown, "nobody@nowhere.example.com"
    )


def test_reset_requests_are_rate_limited_per_address_whoever_asks(app):
    world = make_world(app, "flood")
    codes = [forgot(app.test_client(), world.email("member")).status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    codes = [forgot(app.test_client(), "ghost@nowhere.example.com").status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]  # the same for an address without a login


def test_a_client_admin_sends_their_member_a_new_sign_in_link(app, client):
    world = make_world(app, "resend")
    login(client, world.email("client_admin"), PASSWORD)
    member = world.user_ids["member"]
    response = post(client, f"/users/{member}/sign-in-link", follow_redirects=True)
    html = response.get_data(as_text=True)
    assert "A new sign-in link is on its way" in html and "client_admin resend asked AdoptLoop" in html
    path = mailed_path(html, "password/reset")
    invitee = app.test_client()
    assert post(invitee, path, {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD}).status_code == 302
    # Not over people who are not theirs: the other account's member, or vendor staff.
    assert post(client, f"/users/{world.user_ids['other_member']}/sign-in-link").status_code == 404
    assert post(client, f"/users/{world.user_ids['csm']}/sign-in-link").status_code in {403, 404}
    champion = app.test_client()
    login(champion, world.email("champion"), PASSWORD)
    assert post(champion, f"/users/{member}/sign-in-link").status_code == 403


def test_an_unverified_vendor_cannot_invite(app):
    with app.app_context():
        owner = sign_up_vendor(
            db.session,
            vendor_name="Fresh AI",
            name="Fresh",
            email="fresh@ai.example.com",
            password=PASSWORD,
            verified=False,
        )
        with (
            scoped(db.session, Scope(owner.tenant_id)),
            pytest.raises(FieldErrors, match="Confirm your email"),
        ):
            invite(db.session, owner.tenant, inviter=owner, email="csm@ai.example.com", role=Role.CSM)
        token = login_links.issue(db.session, owner, login_links.Purpose.VERIFY)
        login_links.confirm_address(
            db.session, login_links.find(db.session, token, login_links.Purpose.VERIFY)
        )
        with scoped(db.session, Scope(owner.tenant_id)):
            invitation, _ = invite(
                db.session, owner.tenant, inviter=owner, email="csm@ai.example.com", role=Role.CSM
            )
            assert invitation.email == "csm@ai.example.com"
        db.session.rollback()


def test_deactivated_people_get_no_reset_link(app, client):
    world = make_world(app, "gone")
    with app.app_context(), unscoped(db.session, "test deactivates directly"):
        db.session.scalar(db.select(User).where(User.email == world.email("member"))).active = False
        db.session.commit()
    html = forgot(client, world.email("member")).get_data(as_text=True)
    assert "/password/reset/" not in html
