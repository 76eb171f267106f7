"""A vendor signs up, onboards a client, and the client admin joins through the invitation link."""

import re
from pathlib import Path

from playwright.sync_api import expect

SHOTS = Path("/tmp/adoptloop-screens")


def shot(page, name: str) -> None:
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def test_signup_onboard_and_join_as_client_admin(live_server, page):
    page.goto(f"{live_server}/signup")
    page.get_by_label("Company name").fill("Kaizen AI")
    page.get_by_label("Your name").fill("Ken Owner")
    page.get_by_label("Work email").fill("ken@kaizen-ai.example.com")
    page.get_by_label("Password").fill("a-long-password")
    page.get_by_role("button", name="Create workspace").click()
    # The address is confirmed through the mailed link (shown here: no mail leaves the embedded default).
    expect(page.get_by_role("heading", name="Check your mail")).to_be_visible()
    verify = re.search(r"http://\S+/verify/[\w-]+", page.locator("[data-mail-preview]").inner_text()).group(0)
    page.goto(verify)
    page.get_by_role("button", name="Confirm and sign in").click()
    expect(page.get_by_role("heading", name="Portfolio")).to_be_visible()
    expect(page.get_by_text("No client accounts yet")).to_be_visible()

    page.get_by_role("link", name="Onboard a client").first.click()
    page.get_by_label("Client name").fill("株式会社ひかり銀行")
    page.get_by_label("Industry").select_option("finance")
    page.get_by_label("Licensed seats").fill("500")
    page.get_by_label("Monthly spend").fill("1,500,000")
    page.get_by_label("Fully loaded hourly labor cost").fill("6000")
    page.get_by_label("Kickoff date").fill("2026-12-01")
    page.get_by_label("Client admin's email").fill("dx@hikari-bank.example.jp")
    teams = page.get_by_label("Team", exact=True)
    heads = page.get_by_label("Headcount")
    teams.nth(0).fill("法人営業部")
    heads.nth(0).fill("200")
    # A typo first: the form comes back with the error next to the field and keeps what was typed.
    heads.nth(1).fill("-3")
    teams.nth(1).fill("事務センター")
    page.get_by_role("button", name="Onboard client").click()
    expect(page.locator("#teams-1-headcount-error")).to_contain_text("cannot be negative")
    expect(page.get_by_label("Client name")).to_have_value("株式会社ひかり銀行")
    page.get_by_label("Headcount").nth(1).fill("80")
    # "Add a team" adds a row in place (JavaScript), without submitting.
    rows_before = page.locator("[data-team-row]").count()
    page.get_by_role("button", name="Add a team").click()
    expect(page.locator("[data-team-row]")).to_have_count(rows_before + 1)
    page.get_by_label("Team", exact=True).last.fill("リスク管理部")
    page.get_by_label("Headcount").last.fill("40")
    page.get_by_role("button", name="Onboard client").click()

    expect(page.get_by_role("heading", name="株式会社ひかり銀行")).to_be_visible()
    for team in ("法人営業部", "事務センター", "リスク管理部"):
        expect(page.get_by_role("cell", name=team)).to_be_visible()
    expect(page.get_by_text("¥1,500,000")).to_be_visible()
    link = page.locator("[data-invite-link]").input_value()
    assert re.fullmatch(rf"{re.escape(live_server)}/invite/[\w-]{{40,}}", link)
    shot(page, "account-detail")

    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()

    page.goto(link)
    expect(page.get_by_text("dx@hikari-bank.example.jp")).to_be_visible()
    page.get_by_label("Your name").fill("光 太郎")
    page.get_by_label("Choose a password").fill("client-admin-pass")
    page.get_by_label("Repeat the password").fill("client-admin-pass")
    page.get_by_role("button", name="Join and sign in").click()

    # A client admin lands on the account's checklist (issue 13); the account page is one click away.
    expect(page.get_by_role("heading", name="Checklist", exact=True)).to_be_visible()
    nav = page.get_by_role("navigation", name="Main")
    nav.get_by_role("link", name="My account").click()
    expect(page.get_by_role("heading", name="株式会社ひかり銀行")).to_be_visible()
    expect(page.locator(".people").get_by_text("光 太郎")).to_be_visible()
    expect(nav.get_by_role("link", name="Portfolio")).to_have_count(0)
    # The client admin cannot open the vendor's portfolio.
    response = page.goto(f"{live_server}/accounts")
    assert response.status == 403

    # The same page in Japanese.
    page.goto(f"{live_server}/")
    page.get_by_role("button", name="日本語").click()
    expect(page.locator("html")).to_have_attribute("lang", "ja")
    expect(page.get_by_role("button", name="ログアウト")).to_be_visible()
    shot(page, "client-admin-ja")
