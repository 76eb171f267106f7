"""Invitations a person can trust and pages that say what they mean: who invites, for what, in which
language; no raw link once real mail is sent; money only for those who negotiate it; readable activity."""

import re
from email import message_from_bytes, policy

from app import create_app
from app.forms import parse_amount
from tests.factories import PASSWORD, make_world
from tests.helpers import app_config, invitation_link_in, login, post
from tests.web.smtp_server import smtp_server


def invite(client, world, **overrides):
    data = {"email": "newbie@client.example.jp", "role": "champion", "locale": "ja"}
    data.update(overrides)
    return post(client, f"/accounts/{world.account_ids[0]}/invitations", data, follow_redirects=True)


def test_invitation_mail_names_inviter_vendor_role_and_duties(app, tmp_path):
    outbox = tmp_path / "mail"
    mailing = create_app(app_config(MAIL_URL=f"file:{outbox}"))
    world = make_world(mailing, "mailtext")
    client = mailing.test_client()
    login(client, world.email("csm"), PASSWORD)
    invite(client, world, locale="ja")
    [eml] = outbox.glob("*.eml")
    mail = message_from_bytes(eml.read_bytes(), policy=policy.default)
    body = mail.get_content()
    assert "csm mailtext" in mail["Subject"] and world.account_names[0] in mail["Subject"]
    assert "Vendor mailtext" in body and "csm mailtext" in body
    assert "AIチャンピオン" in body or "チャンピオン" in body  # the role, in the language the inviter chose
    assert "活用事例" in body  # what a champion will do
    assert "/invite/" in body and "newbie@client.example.jp" in body


def test_invitee_language_comes_from_the_inviter_not_the_browser(app, client):
    world = make_world(app, "lang")
    inviter = app.test_client()
    login(inviter, world.email("client_admin"), PASSWORD)
    link = invitation_link_in(invite(inviter, world, locale="ja").get_data(as_text=True))
    path = link.split("localhost", 1)[-1]
    page = client.get(path, headers={"Accept-Language": "en-US,en"}).get_data(as_text=True)
    assert 'lang="ja"' in page and "パスワード" in page
    response = post(
        client,
        path,
        {"name": "新人 花子", "password": "long-enough-pw", "confirm": "long-enough-pw"},
        headers={"Accept-Language": "en-US,en"},
    )
    assert response.status_code == 302
    assert 'lang="ja"' in client.get("/profile").get_data(as_text=True)


def test_invitation_pages_hide_the_vendor_sign_up_button(app, client):
    world = make_world(app, "nosignup")
    inviter = app.test_client()
    login(inviter, world.email("csm"), PASSWORD)
    link = invitation_link_in(invite(inviter, world, locale="en").get_data(as_text=True))
    assert 'href="/signup"' in client.get("/").get_data(as_text=True)
    assert 'href="/signup"' not in client.get(link.split("localhost", 1)[-1]).get_data(as_text=True)
    assert 'href="/signup"' not in client.get("/invite/" + "x" * 43).get_data(as_text=True)


def test_with_a_real_mail_server_the_inviter_never_sees_the_link(app):
    with smtp_server("plain") as (inbox, port):
        mailing = create_app(app_config(MAIL_URL=f"smtp://127.0.0.1:{port}"))
        world = make_world(mailing, "realmail")
        client = mailing.test_client()
        login(client, world.email("csm"), PASSWORD)
        html = invite(client, world, locale="en").get_data(as_text=True)
    assert "data-invite-link" not in html and "/invite/" not in html
    assert "Invitation mailed to newbie@client.example.jp" in html
    [got] = inbox.messages
    assert b"/invite/" in got["data"]


def test_on_the_embedded_default_the_link_is_shown_and_marked(app, client):
    world = make_world(app, "embedded")
    login(client, world.email("csm"), PASSWORD)
    html = invite(client, world, locale="en").get_data(as_text=True)
    assert invitation_link_in(html)
    assert "Not mailed: embedded default" in html and "No mail leaves this machine" in html


def test_invite_forms_default_to_the_least_powerful_role(app, client):
    world = make_world(app, "least")
    login(client, world.email("owner"), PASSWORD)
    account_page = client.get(f"/accounts/{world.account_ids[0]}").get_data(as_text=True)
    assert re.search(r'<option selected value="member">', account_page)
    team_page = client.get("/team").get_data(as_text=True)
    assert re.search(r'<option selected value="csm">', team_page)


def test_champions_and_members_do_not_see_contract_money(app):
    world = make_world(app, "money")
    seen = {}
    for role in ("champion", "member", "client_admin", "procurement", "csm"):
        client = app.test_client()
        login(client, world.email(role), PASSWORD)
        page = client.get(f"/accounts/{world.account_ids[0]}").get_data(as_text=True)
        seen[role] = "300,000" in page or "5,000" in page
    assert seen == {
        "champion": False,
        "member": False,
        "client_admin": True,
        "procurement": True,
        "csm": True,
    }


def test_audit_list_reads_as_sentences(app, client):
    world = make_world(app, "audit")
    login(client, world.email("owner"), PASSWORD)
    post(client, f"/users/{world.user_ids['member']}/deactivate")
    page = client.get("/team").get_data(as_text=True)
    activity = page.split('data-testid="activity"')[1]
    assert f"csm audit onboarded {world.account_names[0]}." in activity
    assert "Owner audit deactivated member audit." in activity
    assert "account.onboarded" not in activity and "user.deactivated" not in activity


def test_amounts_accept_man_and_oku():
    assert parse_amount("450万") == 4_500_000
    assert parse_amount("１億２０００万円") == 120_000_000
    assert parse_amount("1.5万") == 15_000
    assert parse_amount("¥1,200,000") == 1_200_000
    for bad in ("1.5", "万", "abc", "1.23456万"):
        try:
            parse_amount(bad)
        except ValueError:
            continue
        raise AssertionError(bad)


def test_onboarding_takes_450_man_and_says_zeinuki(app, client):
    world = make_world(app, "man")
    login(client, world.email("csm"), PASSWORD)
    response = post(
        client,
        "/accounts/new",
        {
            "name": "万円商事",
            "industry": "trading",
            "licensed_seats": "100",
            "monthly_spend_yen": "450万",
            "hourly_labor_cost_yen": "5千",
            "kickoff_date": "2026-12-01",
            "teams-0-name": "営業部",
            "teams-0-headcount": "10",
            "admin_email": "admin@man.example.jp",
            "admin_locale": "ja",
        },
    )
    assert response.status_code == 302
    page = client.get(response.location, headers={"Accept-Language": "ja"}).get_data(as_text=True)
    assert "4,500,000" in page and "5,000" in page
    ja = app.test_client()
    login(ja, world.email("csm"), PASSWORD)
    post(ja, "/language", {"lang": "ja"})
    assert "税抜" in ja.get(response.location).get_data(as_text=True)
    assert "税抜" in ja.get("/accounts").get_data(as_text=True)


def test_error_summary_links_each_error_to_its_field(app, client):
    world = make_world(app, "summary")
    login(client, world.email("csm"), PASSWORD)
    response = post(
        client,
        "/accounts/new",
        {
            "name": "",
            "industry": "other",
            "licensed_seats": "0",
            "monthly_spend_yen": "x",
            "hourly_labor_cost_yen": "1",
            "kickoff_date": "2026-12-01",
            "teams-0-name": "A",
            "teams-0-headcount": "-1",
            "admin_email": "a@b.example.jp",
        },
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    summary = html.split("data-error-summary")[1].split("</div>")[0]
    for field_id in ("name", "licensed_seats", "monthly_spend_yen", "teams-0-headcount"):
        assert f'href="#{field_id}"' in summary
    assert 'class="row-error"' in html
