"""Pages on a 390-px phone and at 1280 px, in Japanese and English: nothing scrolls sideways, labels never
stack one character per line, errors take focus, amounts preview in yen, destructive actions ask first."""

from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.factories import PASSWORD, make_world

SHOTS = Path("/tmp/adoptloop-screens")

NO_SIDEWAYS_SCROLL = "document.documentElement.scrollWidth <= window.innerWidth"
# A label squeezed to one character per line is taller than it is wide by several lines of text.
LABELS = "th, .tag, .badge, button, .button, label, .facts span, .table td"
# The text's own box (a cell is as tall as its row): several lines high and barely wider than a character.
STACKED_LABELS = (
    "() => [...document.querySelectorAll('" + LABELS + "')]"
    ".filter(e => e.offsetParent && e.textContent.trim().length > 1)"
    ".filter(e => { const range = document.createRange(); range.selectNodeContents(e);"
    "  const r = range.getBoundingClientRect();"
    "  const lh = parseFloat(getComputedStyle(e).lineHeight) || 20;"
    "  return r.height > 2.5 * lh && r.width < 3 * lh; })"
    ".map(e => e.textContent.trim())"
)
JAPANESE_IN_ITALIC = """() => [...document.querySelectorAll('body *')]
  .filter(e => e.offsetParent && getComputedStyle(e).fontStyle === 'italic'
               && /[\\u3040-\\u30ff\\u4e00-\\u9fff]/.test(e.textContent))
  .map(e => e.textContent.trim())"""


def sign_in(page, base: str, email: str, lang: str) -> None:
    page.goto(f"{base}/login")
    page.locator("input[name=email]").fill(email)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("form:has(input[name=email]) button[type=submit]").click()
    page.wait_for_load_state()
    page.locator(f".langswitch button[value={lang}]").click()
    page.wait_for_load_state()


@pytest.mark.browser
@pytest.mark.parametrize("lang", ["ja", "en"])
@pytest.mark.parametrize("width", [390, 1280])
def test_pages_fit_the_screen_in_both_languages(app, live_server, browser, lang, width):
    world = make_world(app, f"phone{lang}{width}")
    context = browser.new_context(
        locale="ja-JP" if lang == "ja" else "en-US", viewport={"width": width, "height": 844}
    )
    page = context.new_page()
    try:
        pages = {
            "portfolio": "/accounts",
            "account": f"/accounts/{world.account_ids[0]}",
            "team": "/team",
            "profile": "/profile",
            "onboard": "/accounts/new",
            "newsletter": f"/accounts/{world.account_ids[0]}/newsletter",
            "newsletter-issue": f"/newsletters/{world.newsletter_issue_ids[0]}",
        }
        sign_in(page, live_server, world.email("owner"), lang)
        SHOTS.mkdir(exist_ok=True)
        for name, path in pages.items():
            page.goto(live_server + path)
            page.screenshot(path=str(SHOTS / f"i12-{name}-{lang}-{width}.png"), full_page=True)
            assert page.evaluate(NO_SIDEWAYS_SCROLL), f"{name} scrolls sideways at {width} px ({lang})"
            assert page.evaluate(STACKED_LABELS) == [], f"{name}: labels stacked one character per line"
            assert page.evaluate(JAPANESE_IN_ITALIC) == [], f"{name}: Japanese set in italic"
    finally:
        context.close()


@pytest.mark.browser
def test_forms_help_on_a_phone(app, live_server, browser):
    world = make_world(app, "phoneform")
    context = browser.new_context(locale="ja-JP", viewport={"width": 390, "height": 844})
    page = context.new_page()
    try:
        sign_in(page, live_server, world.email("csm"), "ja")
        page.goto(f"{live_server}/accounts/new")
        spend = page.locator("#monthly_spend_yen")
        spend.fill("450万")
        expect(page.locator("[data-preview-for=monthly_spend_yen]")).to_have_text("= ¥4,500,000")
        page.locator("#licensed_seats").fill("0")
        page.locator("form[data-testid=onboard-form] button[type=submit]:not([name])").click()
        page.wait_for_load_state()
        summary = page.locator("[data-error-summary]")
        expect(summary).to_be_focused()
        summary.locator("a[href='#licensed_seats']").click()
        assert page.evaluate("location.hash") == "#licensed_seats"
        assert page.evaluate(NO_SIDEWAYS_SCROLL)
        page.screenshot(path=str(SHOTS / "i12-onboard-errors-ja-390.png"), full_page=True)

        page.goto(f"{live_server}/accounts/{world.account_ids[0]}")
        asked = []
        page.on("dialog", lambda d: (asked.append(d.message), d.dismiss()))
        page.locator("form[data-confirm] button").first.click()
        assert (
            asked
            and "member phoneform" in asked[0]
            or "client_admin phoneform" in asked[0]
            or "champion" in asked[0]
        )
        # Dismissed: nobody was deactivated.
        expect(page.locator(".badge-off")).to_have_count(0)
    finally:
        context.close()
