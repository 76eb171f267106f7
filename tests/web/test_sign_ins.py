"""Sign-ins that end on the server, deactivation that reaches what a person left behind, and login limits
that stop guessers without stopping an office."""

from app import create_app
from app.extensions import db
from tenants.roles import Role
from tenants.scoping import Scope, scoped, unscoped
from tenants.tenant import Tenant
from tenants.users import add_user
from tests.factories import PASSWORD, invitation_status, make_world
from tests.helpers import app_config, csrf_token, invitation_link_in, login, post


def cookie_value(client, name: str) -> str | None:
    cookie = client.get_cookie(name)
    return cookie.value if cookie else None


def test_a_copied_session_cookie_dies_at_logout(app, client):
    world = make_world(app, "copy")
    login(client, world.email("csm"), PASSWORD)
    thief = app.test_client()
    thief.set_cookie("session", cookie_value(client, "session"))
    assert thief.get("/profile").status_code == 200  # the copy works while the sign-in is open
    post(client, "/logout")
    assert thief.get("/profile").status_code == 302  # ...and dies with it
    assert "/login" in thief.get("/profile").location


def test_a_copied_remember_cookie_dies_at_logout(app, client):
    world = make_world(app, "remember")
    token = csrf_token(client)
    client.post(
        "/login",
        data={"email": world.email("csm"), "password": PASSWORD, "remember": "y", "csrf_token": token},
    )
    remembered = cookie_value(client, "remember_token")
    assert remembered
    thief = app.test_client()
    thief.set_cookie("remember_token", remembered)
    assert thief.get("/profile").status_code == 200
    thief2 = app.test_client()
    thief2.set_cookie("remember_token", remembered)
    post(client, "/logout")
    assert thief2.get("/profile").status_code == 302


def test_profile_lists_sign_ins_and_signs_out_everywhere(app):
    world = make_world(app, "everywhere")
    laptop, phone = app.test_client(), app.test_client()
    login(laptop, world.email("member"), PASSWORD)
    login(phone, world.email("member"), PASSWORD)
    page = laptop.get("/profile").get_data(as_text=True)
    assert page.count("this browser") == 1
    assert page.split('data-testid="sign-ins"')[1].count("<tr><td>") == 2
    post(laptop, "/logout", {"everywhere": "1"})
    assert phone.get("/profile").status_code == 302
    login(laptop, world.email("member"), PASSWORD)
    page = laptop.get("/profile").get_data(as_text=True)
    assert page.split('data-testid="sign-ins"')[1].count("<tr><td>") == 1


def test_the_ex_csms_invitation_link_dies_with_their_access(app, client):
    world = make_world(app, "excsm")
    login(client, world.email("csm"), PASSWORD)
    response = post(
        client,
        f"/accounts/{world.account_ids[0]}/invitations",
        {"email": "friend@client.example.jp", "role": "member", "locale": "en"},
        follow_redirects=True,
    )
    link = invitation_link_in(response.get_data(as_text=True))
    owner = app.test_client()
    login(owner, world.email("owner"), PASSWORD)
    assert post(owner, f"/users/{world.user_ids['csm']}/deactivate").status_code == 302
    visitor = app.test_client()
    assert visitor.get(link.split("localhost", 1)[-1]).status_code == 404
    assert invitation_status(app, world.invitation_ids[0]) == "revoked"  # the client admin's, sent by them


def test_a_vendor_deactivation_cannot_be_undone_by_a_client_admin(app):
    world = make_world(app, "undo")
    csm, admin = app.test_client(), app.test_client()
    login(csm, world.email("csm"), PASSWORD)
    login(admin, world.email("client_admin"), PASSWORD)
    member = world.user_ids["member"]
    assert post(csm, f"/users/{member}/deactivate").status_code == 302
    page = admin.get(f"/accounts/{world.account_ids[0]}").get_data(as_text=True)
    assert f"/users/{member}/reactivate" not in page
    assert post(admin, f"/users/{member}/reactivate").status_code == 403
    assert post(csm, f"/users/{member}/reactivate").status_code == 302
    # A client admin's own deactivation is theirs to undo.
    assert post(admin, f"/users/{member}/deactivate").status_code == 302
    assert post(admin, f"/users/{member}/reactivate").status_code == 302


def _people(app, world, n: int) -> list[str]:
    emails = []
    with app.app_context(), unscoped(db.session, "test adds a crowd"):
        tenant = db.session.get(Tenant, world.tenant_id)
        with scoped(db.session, Scope(tenant_id=tenant.id)):
            for i in range(n):
                email = f"person{i}@kickoff.example.jp"
                add_user(
                    db.session,
                    tenant,
                    email=email,
                    name=f"社員 {i}",
                    password=PASSWORD,
                    role=Role.MEMBER,
                    account_id=world.account_ids[0],
                )
                emails.append(email)
        db.session.commit()
    return emails


def test_thirty_people_at_a_kickoff_all_get_in_from_one_office(app):
    world = make_world(app, "kickoff")
    emails = _people(app, world, 30)
    codes = []
    for i, email in enumerate(emails):
        client = app.test_client()  # one browser each, all behind the office's one IP
        token = csrf_token(client)
        if i % 5 == 0:  # some mistype first
            client.post("/login", data={"email": email, "password": "typo-typo-1", "csrf_token": token})
        response = client.post("/login", data={"email": email, "password": PASSWORD, "csrf_token": token})
        codes.append(response.status_code)
    assert codes == [302] * 30


def test_a_targeted_lockout_does_not_lock_the_owner_out(app):
    proxied = create_app(app_config(TRUSTED_PROXIES=1))
    world = make_world(proxied, "target")
    victim = world.email("client_admin")
    attacker = proxied.test_client()
    token = csrf_token(attacker)
    for i in range(40):  # forty wrong passwords from forty addresses
        attacker.post(
            "/login",
            data={"email": victim, "password": f"guess-{i}", "csrf_token": token},
            headers={"X-Forwarded-For": f"203.0.113.{i + 1}"},
        )
    owner = proxied.test_client()
    response = owner.post(
        "/login",
        data={"email": victim, "password": PASSWORD, "csrf_token": csrf_token(owner)},
        headers={"X-Forwarded-For": "198.51.100.20"},
    )
    assert response.status_code == 302
    # One address guessed from one IP is still stopped after ten failures.
    codes = [
        attacker.post(
            "/login",
            data={"email": victim, "password": "x", "csrf_token": token},
            headers={"X-Forwarded-For": "192.0.2.99"},
        ).status_code
        for _ in range(11)
    ]
    assert codes[-1] == 429
