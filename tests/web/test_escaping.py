"""HTML, JavaScript and template syntax typed into any text field is shown as text: in every page each role
can open, in mails and in the PDFs.

A world's text fields (vendor, accounts, teams, people, use cases and their tags and links, comments, an LT
day's talk, a hackathon entry, an uploaded playbook, a usage upload's file name and teams, a report's notes)
are filled with a payload; then every GET route of ``app.url_map`` is opened by every role, its parameters
filled by name as in tests/web/test_access.py. The payload must never come back as markup, ``{{7*7}}`` must
never become 49, and no link may point at ``javascript:``.
"""

import json
import re
import subprocess
from datetime import date
from email import message_from_bytes, policy
from pathlib import Path

import pytest
import yaml

from app.extensions import db
from tests.factories import PASSWORD, World, make_world
from tests.helpers import csrf_token, login, post

SCRIPT = "<script>alert(1)</script>"
IMG = '"><img src=x onerror=alert(1)>'
SSTI = "x{{7*7}}y"
PAYLOAD = SCRIPT + IMG + SSTI
RAW = (SCRIPT, "<img src=x onerror", "x49y")  # what a page, mail part or PDF must never contain
ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"  # what a page shows instead
JS_LINK = re.compile(r"""(?:href|src|action|formaction)\s*=\s*["']?\s*javascript:""", re.IGNORECASE)
SHIPPED = Path(__file__).resolve().parents[2] / "playbooks" / "shipped"
ROLES = ["owner", "csm", "client_admin", "champion", "member", "procurement"]


def poison(app, world: World) -> None:
    """Every text field of ``world`` that a person can type gets the payload (through the ORM, so that even
    text the forms would refuse today is proven to be escaped on the way out)."""
    from playbooks.custom_playbooks import upload_playbook
    from playbooks.events import HackathonEntry, create_event, record_talk
    from playbooks.newsletter import NewsletterIssue, save_intro
    from playbooks.notes import Note
    from playbooks.usecase_comments import add_comment
    from playbooks.usecase_links import UseCaseLink
    from playbooks.usecases import UseCase
    from reports.usage import import_usage
    from tenants.accounts import Account, Team
    from tenants.scoping import Scope, scoped, unscoped
    from tenants.tenant import Tenant
    from tenants.users import User

    with app.app_context():
        with unscoped(db.session, "test writes hostile text into every field of its own world"):
            db.session.get(Tenant, world.tenant_id).name = "Vendor " + PAYLOAD
            for i, account in enumerate(db.session.scalars(db.select(Account))):
                account.name = f"Account{i} {PAYLOAD}"
            for i, team in enumerate(db.session.scalars(db.select(Team))):
                team.name = f"Team{i} {PAYLOAD}"
            for user in db.session.scalars(db.select(User)):
                user.name = f"{user.name} {PAYLOAD}"
            for case in db.session.scalars(db.select(UseCase)):
                case.title, case.problem, case.prompt = f"{case.title} {PAYLOAD}", PAYLOAD, PAYLOAD
                case.result, case.model_name, case.tags = PAYLOAD, "GPT " + SSTI, ["<b>tag</b>", SSTI]
            for link in db.session.scalars(db.select(UseCaseLink)):
                link.note = PAYLOAD
            for entry in db.session.scalars(db.select(HackathonEntry)):
                entry.team_name, entry.problem, entry.prototype = PAYLOAD, PAYLOAD, PAYLOAD
            for note in db.session.scalars(db.select(Note)):
                note.title, note.text, note.raw, note.channel = PAYLOAD, PAYLOAD, PAYLOAD, PAYLOAD[:120]
                note.attachments, note.meta = [PAYLOAD], {"links": [PAYLOAD]}
                note.reasons = [{"kind": "helped", "text": PAYLOAD}]
            for issue in db.session.scalars(db.select(NewsletterIssue)):
                top = {"name": PAYLOAD, "names": [PAYLOAD], "count": 1}
                issue.intro, issue.slack_error = PAYLOAD, PAYLOAD
                issue.content = dict(issue.content, account=PAYLOAD, top_team=top)
            db.session.commit()
        with scoped(db.session, Scope(world.tenant_id)):
            from tenants.accounts import get_account

            account = get_account(db.session, world.account_ids[0])
            csm = db.session.get(User, world.user_ids["csm"])
            member = db.session.get(User, world.user_ids["member"])
            case = db.session.get(UseCase, world.use_case_ids[0])
            add_comment(db.session, case, member, "A comment " + PAYLOAD)
            save_intro(db.session, account, "Intro " + PAYLOAD)  # the newsletter page's preview and editor
            talk_day = create_event(db.session, account, csm, "lt_day", "LT " + PAYLOAD, date(2026, 10, 20))
            record_talk(db.session, talk_day, csm, use_case_id=case.id, speaker_id=member.id)
            shipped = yaml.safe_load((SHIPPED / "ai_champion.yaml").read_text(encoding="utf-8"))
            shipped.update(version=2, title={"ja": PAYLOAD, "en": PAYLOAD}, summary={"ja": SSTI, "en": SSTI})
            owner = db.session.get(User, world.user_ids["owner"])
            upload_playbook(
                db.session, world.tenant_id, owner, yaml.safe_dump(shipped).encode(), f"{PAYLOAD}.yaml"
            )
            team = PAYLOAD.replace('"', "")  # a CSV cell without quotes of its own
            usage = f"日付,ユーザー,部署\n2026-10-01,u1@x.jp,{team}\n".encode()
            import_usage(db.session, account, csm, usage, filename=PAYLOAD, secret="s", create_teams=True)
            db.session.commit()


def own_ids(world: World) -> dict:
    """URL parameters by name, as tests/web/test_access.py fills them (test modules never import another)."""
    return {
        "account_id": world.account_ids[0],
        "invitation_id": world.invitation_ids[0],
        "user_id": world.user_ids["member"],
        "token": "x" * 43,
        "report_id": world.report_ids[0],
        "share_link_id": world.share_link_ids[0],
        "use_case_id": world.use_case_ids[0],
        "link_id": world.link_ids[0],
        "task_id": world.task_ids[0],
        "event_id": world.event_ids[0],
        "entry_id": world.entry_ids[0],
        "issue_id": world.newsletter_issue_ids[0],
        "note_id": world.note_ids[0],
    }


def unescaped(body: str) -> list[str]:
    """What of the payload a page shows as markup (or evaluated), and javascript: links."""
    found = [raw for raw in RAW if raw in body]
    return found + JS_LINK.findall(body)


@pytest.fixture
def world(app):
    world = make_world(app, "esc", use_cases=True)
    poison(app, world)
    return world


@pytest.mark.parametrize("role", [None, *ROLES])
def test_every_page_shows_typed_markup_as_text(app, world, role):
    client = app.test_client()
    if role:
        login(client, world.email(role), PASSWORD)
    ids, shown, opened = own_ids(world), [], 0
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint in ("static", "auth.logout"):
            continue
        url = rule.build(ids, append_unknown=False)[1]
        response = client.get(url)
        assert response.status_code < 500, url
        kind = response.mimetype
        body = response.get_data(as_text=True) if kind in ("text/html", "application/json") else ""
        if kind == "application/json":  # fragments a script puts into the page are HTML too
            body = " ".join(v for v in _strings(json.loads(body or "null")) if "<" in v)
        elif kind != "text/html":
            continue  # CSV, .xlsx, PDF, iCalendar: not markup (the exports are tested for formulas)
        assert not unescaped(body), f"{role} {url}: {unescaped(body)}"
        opened += 1
        if ESCAPED in body:
            shown.append(rule.endpoint)
    print(f"escaping[{role}]: {opened} pages, payload shown on {len(shown)}")
    # The payload really was on the pages (escaped), so the assertion above was not vacuous.
    if role:
        assert len(shown) >= 5, shown
    if role in ("csm", "member"):
        assert {"library.detail", "loop.event"} <= set(shown), shown
    if role in ("csm", "champion"):
        assert {"notes.index", "notes.detail"} <= set(shown), shown
    assert opened >= 10


def _strings(node):
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for value in node.values():
            yield from _strings(value)
    elif isinstance(node, list):
        for value in node:
            yield from _strings(value)


def test_posted_forms_echo_the_payload_as_text(app, world):
    """Forms that show what was typed back (a refused form, a search, the estimate) escape it too."""
    client = app.test_client()
    login(client, world.email("member"), PASSWORD)
    for url in ("/library?q=" + PAYLOAD, "/library?tag=" + SSTI + "&model=" + SCRIPT):
        assert not unescaped(client.get(url).get_data(as_text=True)), url
    refused = post(client, "/library/new", {"title": PAYLOAD, "problem": PAYLOAD, "model_name": ""})
    assert refused.status_code == 422
    body = refused.get_data(as_text=True)
    assert not unescaped(body) and ESCAPED in body
    csm = app.test_client()
    login(csm, world.email("csm"), PASSWORD)
    # The ROI estimate: filled from an account (its production cases' titles), and the live figures whose
    # HTML app.js puts into the page.
    page = csm.get(f"/estimate?account={world.account_ids[0]}").get_data(as_text=True)
    assert not unescaped(page) and ESCAPED in page
    form = {"csrf_token": csrf_token(csm), "title": PAYLOAD, "monthly_spend": "100000"}
    form |= {"hourly_labor_cost": "4000", "uc-0-title": PAYLOAD, "uc-0-minutes_per_run": "30"}
    form |= {"uc-0-runs_per_month": "4", "uc-0-people": "10"}
    for url in ("/estimate/figures", "/estimate"):
        response = csm.post(url, data=form)
        assert response.status_code == 200, response.get_data(as_text=True)[:500]
        body = response.json["html"] if url.endswith("figures") else response.get_data(as_text=True)
        assert not unescaped(body), url
        assert ESCAPED in body or url.endswith("figures")  # the fragment shows figures, not titles
    # A javascript: demo link is refused by the domain, never stored as a link.
    event_id = world.event_ids[0]
    response = post(
        csm,
        f"/events/{event_id}/entries",
        {"team_name": "T", "problem": "P", "demo_url": "javascript:alert(1)"},
        follow_redirects=True,
    )
    page = csm.get(f"/events/{event_id}").get_data(as_text=True)
    assert not JS_LINK.search(page) and response.status_code < 500


def test_mails_carry_typed_text_as_plain_text_and_cannot_grow_headers(app, world, tmp_path, monkeypatch):
    """Mail is plain text (no HTML part at all), so markup in it is inert; a CR/LF typed into a name that
    goes into a subject cannot start a header of its own."""
    from tenants.accounts import Account
    from tenants.scoping import unscoped

    monkeypatch.setitem(app.config, "MAIL_URL", f"file:{tmp_path}")
    with app.app_context(), unscoped(db.session, "test puts a header injection into an account name"):
        db.session.get(Account, world.account_ids[0]).name = "Acme\r\nBcc: victim@evil.example\r\n" + PAYLOAD
        db.session.commit()
    champion = app.test_client()
    login(champion, world.email("champion"), PASSWORD)
    handle = world.email("member").split("@")[0]
    case_id = world.use_case_ids[0]
    response = post(champion, f"/library/{case_id}/comments", {"body": f"@{handle} {PAYLOAD}"})
    assert response.status_code == 302
    admin = app.test_client()
    login(admin, world.email("client_admin"), PASSWORD)
    invited = post(
        admin,
        f"/accounts/{world.account_ids[0]}/invitations",
        {
            "csrf_token": csrf_token(admin),
            "email": "new-person@esc.example.com",
            "role": "member",
            "locale": "en",
        },
    )
    assert invited.status_code < 500
    mails = [message_from_bytes(p.read_bytes(), policy=policy.default) for p in tmp_path.glob("*.eml")]
    assert len(mails) >= 2, [m["Subject"] for m in mails]  # the mention and the invitation
    for mail in mails:
        assert not mail.is_multipart() and mail.get_content_type() == "text/plain"
        assert "Bcc" not in mail and "evil.example" not in (mail["To"] or "")
        for name, value in mail.items():
            assert "\n" not in value and "\r" not in value, name
    assert any(PAYLOAD in m.get_content() for m in mails)  # shown as the text it is


def pdf_text(pdf: bytes) -> str:
    return subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True).stdout.decode()


def test_pdfs_print_typed_markup_as_literal_text(app, world):
    """WeasyPrint renders HTML: a payload that reached it unescaped would vanish (or load an image)."""
    from reports import account_reports as ar
    from reports.estimate_pdf import render_estimate_pdf
    from reports.models import DONE
    from reports.roi import compute, parse_inputs
    from tenants.accounts import get_account
    from tenants.scoping import Scope, scoped
    from tenants.users import User

    with app.app_context(), scoped(db.session, Scope(world.tenant_id)):
        account = get_account(db.session, world.account_ids[0])
        csm = db.session.get(User, world.user_ids["csm"])
        request = ar.ReportRequest(date(2026, 10, 1), date(2026, 10, 31), "en", "esc-pdf", notes=PAYLOAD)
        report, _ = ar.request_report(db.session, account, csm, request)
        db.session.commit()
        assert ar.render_report(report.id, world.tenant_id) == DONE
        db.session.refresh(report)
        text = " ".join(pdf_text(report.pdf).split())
    assert SCRIPT in text and "onerror=alert(1)>" in text and SSTI in text
    assert "x49y" not in text
    inputs = {
        "monthly_spend": 100000,
        "hourly_labor_cost": 4000,
        "enablement_cost": 0,
        "licensed_seats": 100,
        "use_cases": [{"title": PAYLOAD, "minutes_per_run": 30, "runs_per_month": 4, "people": 10}],
    }
    estimate = render_estimate_pdf(compute(parse_inputs(inputs)), locale="ja", title=PAYLOAD)
    text = " ".join(pdf_text(estimate).split())
    assert text.count(SCRIPT) >= 2 and SSTI in text and "x49y" not in text


def test_the_calendar_feed_keeps_typed_line_breaks_inside_their_property(app, world):
    """An event title with CR/LF cannot add properties (an ATTENDEE, an alarm) to the .ics feed."""
    from icalendar import Calendar

    from playbooks.calendar_feed import build_ics
    from playbooks.events import Event
    from tenants.accounts import get_account
    from tenants.scoping import Scope, scoped

    injected = "Demo\r\nATTENDEE:mailto:victim@evil.example\r\nBEGIN:VALARM\r\n" + PAYLOAD
    with app.app_context(), scoped(db.session, Scope(world.tenant_id)):
        db.session.get(Event, world.event_ids[0]).title = injected
        account = get_account(db.session, world.account_ids[0])
        account.name = "Acme\r\nX-INJECTED:1"
        ics = build_ics(db.session, account, "en")
        db.session.rollback()
    calendar = Calendar.from_ical(ics)
    assert "X-INJECTED" not in calendar and not calendar.walk("VALARM")
    events = calendar.walk("VEVENT")
    assert all("ATTENDEE" not in e for e in events)
    summaries = " ".join(str(e["SUMMARY"]) for e in events)
    assert "ATTENDEE:mailto:victim@evil.example" in summaries and SCRIPT in summaries  # text, kept whole
    assert "X-INJECTED" in str(calendar["X-WR-CALNAME"])
