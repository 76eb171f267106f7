"""A member searches the library in Japanese, opens the English write-up and links it as a variation."""

from datetime import date
from pathlib import Path

import yaml
from playwright.sync_api import expect
from sqlalchemy import select

from app.extensions import db
from playbooks.usecase_links import UseCaseLink
from playbooks.usecases import UseCase, create_use_case
from tenants.accounts import get_account
from tenants.scoping import Scope, scoped
from tests.factories import PASSWORD, make_world

DATA = Path(__file__).resolve().parents[1] / "playbooks" / "data" / "usecase_relevance.yaml"
SHOTS = Path("/tmp/adoptloop-screens")


def load_library(app, world) -> dict[str, int]:
    cases = yaml.safe_load(DATA.read_text(encoding="utf-8"))["cases"]
    ids = {}
    with app.app_context(), scoped(db.session, Scope(world.tenant_id)):
        for case in db.session.scalars(select(UseCase).where(UseCase.id.in_(world.use_case_ids))):
            case.stage = "archived"  # the world's sample cases stay out of the way
        account = get_account(db.session, world.account_ids[0])
        for key, case in cases.items():
            ids[key] = create_use_case(
                db.session,
                account,
                None,
                title=case["title"],
                problem=case["problem"],
                prompt=case["prompt"],
                result=case["result"],
                tags=case["tags"],
                model_name="GPT-4o",
                used_on=date(2026, 10, 1),
            ).id
        db.session.commit()
    return ids


def test_member_finds_english_case_in_japanese_and_links_a_variation(app, live_server, page):
    world = make_world(app, "browse")
    ids = load_library(app, world)
    page.goto(f"{live_server}/login")
    page.get_by_label("Email").fill(world.email("member"))
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    page.get_by_role("link", name="Use-case library").click()
    page.get_by_label("Search in Japanese or English").fill("稟議書 下書き")
    page.get_by_role("button", name="Search").click()
    results = page.get_by_role("region", name="Search results")
    english = results.get_by_role("link", name="Drafting approval requests")
    expect(english).to_be_visible()
    expect(results.get_by_role("link", name="決裁申請の文面づくりを時短")).to_be_visible()
    expect(results.locator("mark", has_text="下書").first).to_be_visible()  # why the Japanese one matched
    expect(results.get_by_text("Similar meaning").first).to_be_visible()  # why the English one did
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / "library-search.png"), full_page=True)

    english.click()
    expect(page.get_by_role("heading", name="Drafting approval requests")).to_be_visible()
    page.get_by_placeholder("Find a case to link").fill("決裁申請")
    page.get_by_role("button", name="Find", exact=True).click()
    page.get_by_label("決裁申請の文面づくりを時短").check()
    page.get_by_label("Relation").select_option("variation")
    page.get_by_label("Context: when does each fit?").fill(
        "English template for global purchasing; 総務 uses the Japanese one"
    )
    page.get_by_role("button", name="Link these cases").click()

    expect(page.get_by_role("heading", name="Case A / Case B")).to_be_visible()
    expect(page.get_by_text("Linked. Both cases stay, side by side.")).to_be_visible()
    expect(page.get_by_role("link", name="Drafting approval requests")).to_be_visible()
    expect(page.get_by_role("link", name="決裁申請の文面づくりを時短")).to_be_visible()
    page.screenshot(path=str(SHOTS / "library-compare.png"), full_page=True)

    page.get_by_role("link", name="決裁申請の文面づくりを時短").click()
    variations = page.locator("h3", has_text="Known variations").locator("xpath=following-sibling::ul[1]")
    expect(variations.get_by_role("link", name="Drafting approval requests")).to_be_visible()
    with app.app_context(), scoped(db.session, Scope(world.tenant_id)):
        link = db.session.scalar(select(UseCaseLink).where(UseCaseLink.from_id == ids["approval_en"]))
        assert (
            link.to_id == ids["kessai_ja"] and link.kind == "variation" and "global purchasing" in link.note
        )
