"""Profiles, password changes and offboarding (deactivation)."""

import pytest

from tests.factories import PASSWORD, make_world
from tests.helpers import csrf_token, login, onboarding_form, post


@pytest.fixture
def world(app):
    return make_world(app, "people")


def test_profile_changes_name_and_language(app, client, world):
    login(client, world.email("champion"), PASSWORD)
    response = post(client, "/profile", {"profile-name": "鈴木 花子", "profile-locale": "ja"})
    assert response.status_code == 302
    page = client.get("/profile").get_data(as_text=True)
    assert '<html lang="ja">' in page and "鈴木 花子" in page


def test_password_change_keeps_this_session_and_ends_the_others(app, world):
    here, elsewhere = app.test_client(), app.test_client()
    login(here, world.email("csm"), PASSWORD)
    login(elsewhere, world.email("csm"), PASSWORD)
    wrong = post(
        here,
        "/profile/password",
        {
            "password-current_password": "nope",
            "password-new_password": "brand-new-pass-1",
            "password-confirm": "brand-new-pass-1",
        },
    )
    assert wrong.status_code == 422 and "current password is not correct" in wrong.get_data(as_text=True)
    ok = post(
        here,
        "/profile/password",
        {
            "password-current_password": PASSWORD,
            "password-new_password": "brand-new-pass-1",
            "password-confirm": "brand-new-pass-1",
        },
    )
    assert ok.status_code == 302
    assert here.get("/accounts").status_code == 200
    assert elsewhere.get("/accounts").status_code == 302  # signed out
    fresh = app.test_client()
    token = csrf_token(fresh)
    old = fresh.post("/login", data={"email": world.email("csm"), "password": PASSWORD, "csrf_token": token})
    assert old.status_code == 401
    login(fresh, world.email("csm"), "brand-new-pass-1")


def test_client_admin_offboards_a_member(app, world):
    member, admin = app.test_client(), app.test_client()
    login(member, world.email("member"), PASSWORD)
    login(admin, world.email("client_admin"), PASSWORD)
    account_page = f"/accounts/{world.account_ids[0]}"
    response = post(admin, f"/users/{world.user_ids['member']}/deactivate", follow_redirects=True)
    assert "deactivated and signed out everywhere" in response.get_data(as_text=True)
    assert member.get(account_page).status_code == 302  # the member's session is gone
    token = csrf_token(member)
    again = member.post(
        "/login", data={"email": world.email("member"), "password": PASSWORD, "csrf_token": token}
    )
    assert again.status_code == 401
    post(admin, f"/users/{world.user_ids['member']}/reactivate")
    login(member, world.email("member"), PASSWORD)


@pytest.mark.parametrize(
    ("actor", "target", "status"),
    [
        ("client_admin", "client_admin", 403),  # not yourself
        ("client_admin", "csm", 403),  # vendor staff are not the client's to manage
        ("client_admin", "other_member", 404),  # another account: not even visible
        ("csm", "owner", 403),  # CSMs manage client users only
        ("csm", "other_member", 302),
        ("owner", "csm", 302),
        ("champion", "member", 403),
    ],
)
def test_who_may_deactivate_whom(app, world, actor, target, status):
    client = app.test_client()
    login(client, world.email(actor), PASSWORD)
    assert post(client, f"/users/{world.user_ids[target]}/deactivate").status_code == status


def test_password_change_keeps_remember_me_on_this_device(app, world):
    client = app.test_client()
    token = csrf_token(client)
    client.post(
        "/login",
        data={"email": world.email("csm"), "password": PASSWORD, "remember": "y", "csrf_token": token},
    )
    response = post(
        client,
        "/profile/password",
        {
            "password-current_password": PASSWORD,
            "password-new_password": "brand-new-pass-1",
            "password-confirm": "brand-new-pass-1",
        },
    )
    renewed = [c for c in response.headers.getlist("Set-Cookie") if c.startswith("remember_token=")]
    assert renewed and not renewed[0].startswith("remember_token=;")
    restarted = app.test_client()  # a browser restart: only the remember-me cookie survives
    restarted.set_cookie("remember_token", renewed[0].split(";")[0].split("=", 1)[1])
    assert restarted.get("/accounts").status_code == 200


def test_deactivated_staff_cannot_be_made_csm(app, client, world):

    owner = app.test_client()
    login(owner, world.email("owner"), PASSWORD)
    post(owner, f"/users/{world.user_ids['csm']}/deactivate")
    page = owner.get("/accounts/new").get_data(as_text=True)
    assert f'value="{world.user_ids["csm"]}"' not in page
    response = post(owner, "/accounts/new", onboarding_form(csm_id=str(world.user_ids["csm"])))
    assert response.status_code == 422 and "Choose a CSM of your company." in response.get_data(as_text=True)
