"""A CSM tries an estimate, issues the account's ROI report, shares it; procurement opens the link."""

from datetime import date

from playwright.sync_api import expect

from tests.factories import PASSWORD, add_use_case, make_world


def sign_in(page, base: str, email: str) -> None:
    page.goto(f"{base}/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.locator("form[action$='/login'] button[type=submit], main form button[type=submit]").first.click()


def test_csm_issues_and_shares_a_report_that_procurement_opens(app, live_server, page, browser):
    world = make_world(app, "browser-report")
    add_use_case(
        app,
        world,
        "稟議書の下書きを自動作成",
        used_on=date(2026, 10, 6),
        minutes_saved_per_run=25,
        runs_per_month=4,
        people=60,
    )

    sign_in(page, live_server, world.email("csm"))
    # The estimate changes as the CSM types, without a page load.
    page.goto(f"{live_server}/estimate?account={world.account_ids[0]}")
    expect(page.locator("[data-figure=gross_hours_per_year]")).to_have_text("1,200")  # 25 x 4 x 60 / 60 x 12
    page.locator("#uc-0-people").fill("120")
    expect(page.locator("[data-figure=gross_hours_per_year]")).to_have_text("2,400")

    page.goto(f"{live_server}/accounts/{world.account_ids[0]}/reports")
    page.get_by_label("Period from").fill("2026-10-01")
    page.get_by_label("Period to").fill("2026-10-31")
    page.get_by_role("button", name="Issue the report").click()
    expect(page.locator("[data-testid=report-status]")).to_have_attribute(
        "data-status", "done", timeout=30_000
    )
    page.get_by_test_id("share").click()
    link = page.locator("[data-invite-link]").input_value()
    assert "/r/" in link

    buyer = browser.new_context(locale="ja-JP").new_page()
    response = buyer.request.get(link)
    assert response.status == 200 and response.headers["content-type"] == "application/pdf"
    assert response.body().startswith(b"%PDF")

    page.once("dialog", lambda dialog: dialog.accept())  # "Revoke this link? ..."
    page.get_by_role("button", name="Revoke link").click()
    expect(page.get_by_text("The share link is revoked.")).to_be_visible()
    assert buyer.request.get(link).status == 410
