"""A client admin uploads a usage sheet whose headers the app does not know, maps them in the preview,
imports it, and sees the adoption chart (drawn by plotly) with its table."""

import re

import pytest
from playwright.sync_api import expect

from tests.factories import PASSWORD, make_world

SHEET = (
    "when,who,section,uses,saved min\n"
    "2026-10-01,taro@client.example.jp,Sales,4,30\n"
    "2026-10-02,hana@client.example.jp,Ops,2,15\n"
    "2026-10-03,jiro@client.example.jp,Sales,1,45\n"
)


@pytest.mark.browser
def test_upload_fix_the_mapping_import_and_see_the_chart(app, live_server, page, tmp_path):
    world = make_world(app, "browser-usage")
    sheet = tmp_path / "usage.csv"
    sheet.write_text(SHEET, encoding="utf-8")
    page.goto(f"{live_server}/login")
    page.locator("input[name=email]").fill(world.email("client_admin"))
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("form:has(input[name=email]) button[type=submit]").click()
    page.wait_for_load_state()

    account = world.account_ids[0]
    page.goto(f"{live_server}/accounts/{account}/usage")
    page.locator("input[type=file][name=file]").set_input_files(str(sheet))
    page.locator("form:has(input[name=file]) button[type=submit]").click()
    expect(page.get_by_text("no column is mapped to this field").first).to_be_visible()

    for header, field in (
        ("when", "day"),
        ("who", "user"),
        ("section", "team"),
        ("uses", "actions"),
        ("saved min", "minutes_saved"),
    ):
        page.locator(f"select[aria-label='{header}']").select_option(field)
    page.locator("button", has_text="Check again with this mapping").click()
    expect(page.get_by_text("taro@client.example.jp")).to_be_visible()
    expect(page.get_by_text("no column is mapped to this field")).to_have_count(0)
    page.locator("[data-testid=usage-import]").click()
    expect(page.get_by_text("3 rows imported")).to_be_visible()

    page.goto(f"{live_server}/accounts/{account}/metrics?from=2026-10-01&to=2026-10-31")
    chart = page.locator("[data-testid=chart-usage-trend]")
    expect(chart.locator("svg.main-svg").first).to_be_visible()  # plotly drew it, under the strict CSP
    # The numbers stay as a table for screen readers.
    expect(chart.locator(".chart-table")).to_have_class(re.compile("visually-hidden"))
    chart.get_by_role("button", name="Show as a table").click()
    expect(chart.locator(".chart-table table")).to_be_visible()
    expect(chart.locator(".chart-table")).to_contain_text("1.5")  # 90 minutes saved in October, in hours
    expect(page.locator("[data-testid=team-table]")).to_contain_text("Sales")
