"""One person, many memberships: a consultant who works for two vendors signs in once, picks where to work,
switches in the header, and each vendor still sees only its own work."""

from app.extensions import db
from tenants.users import Person, User
from tests.factories import PASSWORD, make_world
from tests.helpers import invitation_link_in, login, post


def _invite_path(client, url: str, data: dict) -> str:
    link = invitation_link_in(post(client, url, data, follow_redirects=True).get_data(as_text=True))
    return link.split("localhost", 1)[-1]


def _join_second_vendor(app, a, b) -> str:
    """Vendor B's owner invites vendor A's CSM as a CSM; the CSM accepts with their existing password."""
    email = a.email("csm")
    owner_b = app.test_client()
    login(owner_b, b.email("owner"), PASSWORD)
    path = _invite_path(owner_b, "/team/invitations", {"email": email, "role": "csm", "locale": "en"})
    invitee = app.test_client()
    page = invitee.get(path).get_data(as_text=True)
    assert "already signs in to AdoptLoop" in page and 'name="confirm"' not in page
    wrong = post(invitee, path, {"name": "Consultant", "password": "not-the-password"})
    assert wrong.status_code == 422 and "The password is not correct." in wrong.get_data(as_text=True)
    joined = post(invitee, path, {"name": "Consultant", "password": PASSWORD})
    assert joined.status_code == 302
    return email


def _person_and_users(app, email: str):
    with app.app_context():
        from tenants.scoping import unscoped

        with unscoped(db.session, "test reads one person's memberships"):
            person = db.session.scalar(db.select(Person).where(Person.email == email))
            users = db.session.scalars(db.select(User).where(User.person_id == person.id)).all()
            return person.id, sorted((u.tenant_id, u.id) for u in users)


def test_one_person_joins_a_second_vendor_with_one_login(app):
    a, b = make_world(app, "vendora"), make_world(app, "vendorb")
    email = _join_second_vendor(app, a, b)
    _, users = _person_and_users(app, email)
    assert [tenant for tenant, _ in users] == sorted([a.tenant_id, b.tenant_id])


def test_sign_in_asks_where_to_work_and_the_switch_follows_scoping(app, client):
    a, b = make_world(app, "worka"), make_world(app, "workb")
    email = _join_second_vendor(app, a, b)
    _, users = _person_and_users(app, email)
    user_in = {tenant: uid for tenant, uid in users}

    response = login(client, email, PASSWORD)
    assert "/memberships" in response.headers["Location"]
    chooser = client.get("/memberships").get_data(as_text=True)
    assert "Vendor worka" in chooser and "Vendor workb" in chooser

    post(client, f"/memberships/{user_in[a.tenant_id]}")
    assert client.get(f"/accounts/{a.account_ids[0]}").status_code == 200
    assert client.get(f"/accounts/{b.account_ids[0]}").status_code == 404
    portfolio = client.get("/accounts").get_data(as_text=True)
    assert a.account_names[0] in portfolio and b.account_names[0] not in portfolio
    # The header offers the other vendor, by name only.
    assert "Vendor workb" in client.get("/", follow_redirects=True).get_data(as_text=True)

    switched = post(client, f"/memberships/{user_in[b.tenant_id]}", follow_redirects=True)
    assert "You are now working as" in switched.get_data(as_text=True)
    assert client.get(f"/accounts/{b.account_ids[0]}").status_code == 200
    assert client.get(f"/accounts/{a.account_ids[0]}").status_code == 404
    portfolio = client.get("/accounts").get_data(as_text=True)
    assert b.account_names[0] in portfolio and a.account_names[0] not in portfolio


def test_switching_old_cookie_dies_and_foreign_memberships_are_404(app, client):
    a, b = make_world(app, "cooka"), make_world(app, "cookb")
    email = _join_second_vendor(app, a, b)
    _, users = _person_and_users(app, email)
    user_in = {tenant: uid for tenant, uid in users}
    login(client, email, PASSWORD)
    post(client, f"/memberships/{user_in[a.tenant_id]}")
    copied = client.get_cookie("session").value
    post(client, f"/memberships/{user_in[b.tenant_id]}")
    # Someone else's membership, or one of another vendor's staff: nothing to switch to.
    assert post(client, f"/memberships/{a.user_ids['owner']}").status_code == 404
    assert post(client, f"/memberships/{b.user_ids['owner']}").status_code == 404
    # The cookie of the membership left behind no longer signs anyone in.
    thief = app.test_client()
    thief.set_cookie("session", copied)
    assert thief.get(f"/accounts/{a.account_ids[0]}").status_code == 302


def test_one_vendor_deactivating_its_membership_leaves_the_other(app, client):
    a, b = make_world(app, "deacta"), make_world(app, "deactb")
    email = _join_second_vendor(app, a, b)
    _, users = _person_and_users(app, email)
    user_in = {tenant: uid for tenant, uid in users}
    login(client, email, PASSWORD)
    post(client, f"/memberships/{user_in[b.tenant_id]}")
    owner_a = app.test_client()
    login(owner_a, a.email("owner"), PASSWORD)
    assert post(owner_a, f"/users/{user_in[a.tenant_id]}/deactivate").status_code == 302
    # Still at work in vendor B; vendor A is gone from the switcher and refuses a switch.
    assert client.get(f"/accounts/{b.account_ids[0]}").status_code == 200
    assert "Vendor deacta" not in client.get("/", follow_redirects=True).get_data(as_text=True)
    assert post(client, f"/memberships/{user_in[a.tenant_id]}").status_code == 404
    # A fresh sign-in lands straight in B: one membership left, no chooser.
    fresh = app.test_client()
    assert login(fresh, email, PASSWORD).headers["Location"].endswith("/")


def test_one_password_and_sign_out_everywhere_hold_for_every_membership(app, client):
    a, b = make_world(app, "pwa"), make_world(app, "pwb")
    email = _join_second_vendor(app, a, b)
    _, users = _person_and_users(app, email)
    user_in = {tenant: uid for tenant, uid in users}
    other_browser = app.test_client()
    login(other_browser, email, PASSWORD)
    post(other_browser, f"/memberships/{user_in[b.tenant_id]}")
    login(client, email, PASSWORD)
    post(client, f"/memberships/{user_in[a.tenant_id]}")
    changed = post(
        client,
        "/profile/password",
        {
            "password-current_password": PASSWORD,
            "password-new_password": "a-brand-new-pass",
            "password-confirm": "a-brand-new-pass",
        },
    )
    assert changed.status_code == 302
    # The other browser, working in the other vendor, is signed out too: the password is the person's.
    assert other_browser.get(f"/accounts/{b.account_ids[0]}").status_code == 302
    fresh = app.test_client()
    login(fresh, email, "a-brand-new-pass")
    post(fresh, f"/memberships/{user_in[b.tenant_id]}")
    assert fresh.get(f"/accounts/{b.account_ids[0]}").status_code == 200


def test_inviting_someone_already_here_is_a_field_error_but_elsewhere_says_nothing(app, client):
    a, b = make_world(app, "dupa"), make_world(app, "dupb")
    login(client, a.email("owner"), PASSWORD)
    here = post(client, "/team/invitations", {"email": a.email("csm"), "role": "csm", "locale": "en"})
    assert "This person is already a member here." in here.get_data(as_text=True)
    elsewhere = post(
        client,
        "/team/invitations",
        {"email": b.email("csm"), "role": "csm", "locale": "en"},
        follow_redirects=True,
    )
    page = elsewhere.get_data(as_text=True)
    assert "already" not in page and b.email("csm") in page


def test_a_second_membership_at_the_same_vendor_is_refused_at_acceptance(app, client):
    a = make_world(app, "samev")
    admin = app.test_client()
    login(admin, a.email("client_admin"), PASSWORD)
    # The other account's member: the client admin cannot see them, so the invitation itself goes out.
    path = _invite_path(
        admin,
        f"/accounts/{a.account_ids[0]}/invitations",
        {"email": a.email("other_member"), "role": "champion", "locale": "en"},
    )
    refused = post(client, path, {"name": "Twice", "password": PASSWORD})
    assert refused.status_code == 422
    assert "already a member of this vendor" in refused.get_data(as_text=True)
    _, users = _person_and_users(app, a.email("other_member"))
    assert len(users) == 1
