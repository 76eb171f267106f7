"""A champion imports the #ai-use-cases channel, opens a flagged message and publishes it as a use case."""

from pathlib import Path

from playwright.sync_api import expect
from sqlalchemy import select

from app.extensions import db
from playbooks import note_samples
from playbooks.notes import Note
from playbooks.usecases import UseCase
from tenants.scoping import Scope, scoped
from tests.factories import PASSWORD, make_world

SHOTS = Path("/tmp/adoptloop-screens")


def test_champion_imports_a_slack_export_and_promotes_a_win(app, live_server, page, tmp_path):
    world = make_world(app, "brain")
    account_id = world.account_ids[0]
    export = tmp_path / "slack-export.zip"
    export.write_bytes(note_samples.slack_export("2026-11"))

    page.goto(f"{live_server}/login")
    page.get_by_label("Email").fill(world.email("champion"))
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.goto(f"{live_server}/accounts/{account_id}/notes")
    page.get_by_label("File").set_input_files(str(export))
    page.get_by_test_id("notes-import").click()
    expect(page.get_by_text("8 new notes imported (4 look like wins)")).to_be_visible()

    # Only the flagged ones are listed after an import; find the supplier email win and open it.
    page.get_by_label("Search in Japanese or English").fill("supplier")
    page.get_by_role("button", name="Search").click()
    card = page.get_by_test_id("note-list").locator("article").first
    expect(card.locator("mark", has_text="supplier").first).to_be_visible()
    expect(card.get_by_text("States a time before and after")).to_be_visible()
    card.get_by_role("link", name="Open").click()
    expect(page.get_by_test_id("win-reasons")).to_contain_text("from 2 hours to 10 minutes")
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / "note-detail.png"), full_page=True)

    page.get_by_test_id("promote").click()
    expect(page.get_by_label("Model")).to_have_value("Claude")
    expect(page.get_by_label("Minutes saved per run")).to_have_value("110")
    expect(page.get_by_label("Prompt")).to_have_value(
        "You are a procurement assistant. Draft a polite email to <supplier> asking for a revised quote"
        " by Friday."
    )
    page.get_by_label("Title").fill("Supplier emails drafted with Claude")
    page.get_by_label("Runs per month").fill("20")
    page.get_by_role("button", name="Publish").click()
    expect(page.get_by_role("heading", name="Supplier emails drafted with Claude")).to_be_visible()

    with app.app_context(), scoped(db.session, Scope(world.tenant_id)):
        note = db.session.scalar(select(Note).where(Note.raw.like("Drafting supplier%")))
        case = db.session.get(UseCase, note.use_case_id)
        assert case.source == "note" and case.runs_per_month == 20 and case.minutes_saved_per_run == 110
    page.goto(f"{live_server}/notes/{note.id}")
    expect(page.get_by_test_id("promoted-link")).to_be_visible()
