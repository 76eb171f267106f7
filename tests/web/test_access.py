"""Who reaches what: the role matrix, and tenant/account isolation across every URL rule of the app.

Both tests walk ``app.url_map``, so a new route is covered the day it is added: the isolation test fills
its ids by parameter name (and fails on a name it does not know), the matrix fails until the route's
expected outcome per role is written down below.
"""

import secrets

import pytest

from app.extensions import db
from tenants.accounts import Account
from tenants.invitations import Invitation
from tenants.scoping import unscoped
from tenants.users import User
from tests.factories import PASSWORD, World, invitation_status, make_world
from tests.helpers import CSRF_RE, login

ROLES = ["owner", "csm", "client_admin", "champion", "member", "procurement"]
VENDOR = {"owner", "csm"}
EVERYONE = set(ROLES)
INVITERS = {"owner", "csm", "client_admin"}
READERS = {"owner", "csm", "client_admin", "procurement"}
PUBLIC = "public"

# endpoint -> roles that get through (everyone else: 403, anonymous: sent to sign in), or PUBLIC.
MATRIX: dict[str, set[str] | str] = {
    "home.index": PUBLIC,
    "home.set_language": PUBLIC,
    "home.healthz": PUBLIC,
    "auth.signup": PUBLIC,
    "auth.login": PUBLIC,
    "auth.accept_invitation": PUBLIC,
    "auth.verify_email": PUBLIC,
    "auth.forgot_password": PUBLIC,
    "auth.reset_password": PUBLIC,
    "auth.logout": EVERYONE,
    "accounts.portfolio": VENDOR,
    "checklists.account": EVERYONE,
    "checklists.set_status": {"owner", "csm", "client_admin", "champion"},
    "checklists.start": VENDOR,
    "checklists.assign": INVITERS,
    "checklists.due": VENDOR,
    "loop.account": EVERYONE,
    "loop.create_event": INVITERS,
    "loop.nominate": {"client_admin", "champion", "member"},
    "loop.appoint": INVITERS,
    "loop.new_feed": INVITERS,
    "loop.revoke_feed": INVITERS,
    "loop.calendar": PUBLIC,
    "loop.event": EVERYONE,
    "loop.record_talk": {"owner", "csm", "client_admin", "champion"},
    "loop.attendance": {"owner", "csm", "client_admin", "champion"},
    "loop.add_entry": INVITERS,
    "loop.score": {"owner", "csm", "client_admin", "champion"},
    "loop.mark": INVITERS,
    "loop.playbook_uploads": {"owner"},
    "accounts.new": VENDOR,
    "accounts.edit": VENDOR,
    "accounts.detail": EVERYONE,
    "accounts.invite": INVITERS,
    "team.index": VENDOR,
    "team.invite": {"owner"},
    "team.reissue": INVITERS,
    "team.revoke": INVITERS,
    "team.deactivate_user": INVITERS,
    "team.reactivate_user": INVITERS,
    "estimate.index": VENDOR,
    "estimate.calculate": VENDOR,
    "estimate.figures": VENDOR,
    "reports.index": READERS,
    "reports.create": VENDOR,
    "reports.detail": READERS,
    "reports.pdf": READERS,
    "reports.figures_csv": READERS,
    "reports.figures_xlsx": READERS,
    "reports.retry": VENDOR,
    "reports.share": VENDOR,
    "reports.revoke_link": VENDOR,
    "reports.shared": PUBLIC,
    "team.send_sign_in_link": INVITERS,
    "usage.index": INVITERS,
    "usage.preview": INVITERS,
    "usage.commit": INVITERS,
    "billing.index": {"owner"},
    "billing.checkout": {"owner"},
    "billing.portal": {"owner"},
    "billing.webhook": PUBLIC,
    "metrics.account": EVERYONE,
    "usage.retry": INVITERS,
    # The API authenticates by token, not by session (tests/web/test_api.py; 401 without one).
    "api.accounts": PUBLIC,
    "api.account": PUBLIC,
    "api.metrics": PUBLIC,
    "api.use_cases": PUBLIC,
    "api.post_use_case": PUBLIC,
    "api.post_usage": PUBLIC,
    "api.openapi": PUBLIC,
    "api_pages.docs": PUBLIC,
    "api_pages.tokens": {"owner"},
    "api_pages.create": {"owner"},
    "api_pages.revoke": {"owner"},
    "metrics.plotly_js": PUBLIC,
    "notes.index": VENDOR | {"client_admin", "champion"},
    "notes.import_file": VENDOR | {"client_admin", "champion"},
    "notes.sample_file": VENDOR | {"client_admin", "champion"},
    "notes.detail": VENDOR | {"client_admin", "champion"},
    "notes.promote": {"client_admin", "champion"},
    "memberships.choose": EVERYONE,
    "memberships.switch": EVERYONE,
    "profile.index": EVERYONE,
    "profile.save_profile": EVERYONE,
    "profile.save_password": EVERYONE,
    "library.index": EVERYONE,
    "library.new": {"client_admin", "champion", "member"},
    "library.detail": EVERYONE,
    "library.edit": {"client_admin", "champion", "member"},  # member: the author of the world's case
    "library.publish": {"client_admin", "champion", "member"},
    "library.stage": {"client_admin", "champion"},
    "library.comment": {"owner", "csm", "client_admin", "champion", "member"},
    "library.link": {"client_admin", "champion", "member"},
    "library.ran": {"client_admin", "champion", "member"},
    "library.revisions": EVERYONE,
    "library.compare": EVERYONE,
    "library.wiki_day": {"owner", "csm", "client_admin", "champion"},
    "library.import_cases": {"owner", "csm", "client_admin", "champion"},
    "library.export_csv": EVERYONE,
    "library.export_xlsx": EVERYONE,
    "newsletter.page": {"owner", "csm", "client_admin", "champion"},
    "newsletter.save_intro": {"owner", "csm", "client_admin", "champion"},
    "newsletter.send": {"owner", "csm", "client_admin", "champion"},
    "newsletter.save_settings": INVITERS,
    "newsletter.issue": EVERYONE,
    "newsletter.retry": {"owner", "csm", "client_admin", "champion"},
    "newsletter.unsubscribe": PUBLIC,
}


# Pages opened with a mailed or shared token: an unknown token is "missing", whoever asks.
TOKEN_PAGES = {
    "auth.accept_invitation",
    "auth.verify_email",
    "auth.reset_password",
    "reports.shared",
    "loop.calendar",
    "newsletter.unsubscribe",
}


# Routes that exist only when Stripe keys are configured.
STRIPE_ONLY = {"billing.checkout", "billing.portal", "billing.webhook"}


def rules(app):
    """(rule, method) pairs, signing out last so the rest run signed in."""
    found = [
        (rule, method)
        for rule in app.url_map.iter_rules()
        if rule.endpoint != "static"
        for method in sorted(rule.methods & {"GET", "POST"})
    ]
    return sorted(found, key=lambda pair: pair[0].endpoint == "auth.logout")


def role_client(app, world: World, role: str | None):
    client = app.test_client()
    if role:
        login(client, world.email(role), PASSWORD)
    page = client.get("/login", follow_redirects=True).get_data(as_text=True)
    client.csrf = CSRF_RE.search(page).group(1)
    return client


def call(client, method: str, url: str):
    if method == "GET":
        return client.get(url)
    return client.post(url, data={"csrf_token": client.csrf})


def outcome(response) -> str:
    if response.status_code in (302, 303) and "/login" in response.location:
        return "login"
    if response.status_code == 401:
        return "unauthorized"  # the API, asked without a token
    if response.status_code == 403:
        return "forbidden"
    if response.status_code == 404:
        return "missing"
    assert response.status_code < 500, response.get_data(as_text=True)[:2000]
    return "ok"


@pytest.fixture
def worlds(app):
    return make_world(app, "alpha", use_cases=True), make_world(app, "bravo", use_cases=True)


def own_ids(world: World) -> dict[str, int | str]:
    # Client users belong to account 0; its client-admin invitation may be managed by every inviter.
    return {
        "account_id": world.account_ids[0],
        "invitation_id": world.invitation_ids[0],
        "user_id": world.user_ids["member"],  # a member of account 0: every inviter may manage them
        "token": "x" * 43,
        "report_id": world.report_ids[0],
        "share_link_id": world.share_link_ids[0],
        "use_case_id": world.use_case_ids[0],
        "link_id": world.link_ids[0],
        "task_id": world.task_ids[0],
        "event_id": world.event_ids[0],
        "entry_id": world.entry_ids[0],
        "import_id": world.import_ids[0],
        "token_id": world.token_ids[0],
        "note_id": world.note_ids[0],
        "issue_id": world.newsletter_issue_ids[0],
    }


def test_every_route_is_in_the_matrix(app):
    endpoints = {rule.endpoint for rule, _ in rules(app)}
    assert endpoints == set(MATRIX), "add new routes to MATRIX with the roles that may use them"


@pytest.mark.parametrize("role", [None, *ROLES])
def test_role_matrix(app, worlds, role):
    alpha, _ = worlds
    client = role_client(app, alpha, role)
    for rule, method in rules(app):
        url = rule.build(own_ids(alpha), append_unknown=False)[1]
        got = outcome(call(client, method, url))
        allowed = MATRIX[rule.endpoint]
        if rule.endpoint in TOKEN_PAGES:
            expected = "missing"  # an unknown token, whoever asks
        elif rule.endpoint in STRIPE_ONLY and (allowed == PUBLIC or role in allowed):
            expected = "missing"  # Stripe is not configured in these tests (tests/web/test_billing.py has it)
        elif rule.endpoint == "memberships.switch" and role is not None:
            # The id filled in is account 0's member: only that person may "switch" to it (a no-op).
            expected = "ok" if role == "member" else "missing"
        elif rule.endpoint.startswith("api.") and rule.endpoint != "api.openapi":
            expected = "unauthorized"  # a session is not a token (tests/web/test_api.py signs with tokens)
        elif rule.endpoint == "auth.logout":
            expected = "login"  # signed-in users land on the sign-in page, signed out
        elif allowed == PUBLIC:
            expected = "ok"
        elif role is None:
            expected = "login"
        else:
            expected = "ok" if role in allowed else "forbidden"
        assert got == expected, f"{role} {method} {url}: {got}, expected {expected}"
    if role:  # signing out worked: the account page now asks to sign in
        assert outcome(client.get(f"/accounts/{alpha.account_ids[0]}")) == "login"


def foreign(app, me: World, other: World, role: str | None) -> tuple[dict[str, list], list[str]]:
    """Ids a user of ``me`` in ``role`` must not reach, and strings that must never appear in their pages."""
    ids = {
        "account_id": list(other.account_ids),
        "invitation_id": list(other.invitation_ids),
        "user_id": list(other.user_ids.values()),
        "report_id": list(other.report_ids),
        "share_link_id": list(other.share_link_ids),
    }
    ids["use_case_id"] = list(other.use_case_ids)
    ids["link_id"] = list(other.link_ids)
    ids["task_id"] = list(other.task_ids)
    ids["event_id"] = list(other.event_ids)
    ids["entry_id"] = list(other.entry_ids)
    ids["import_id"] = list(other.import_ids)
    ids["token_id"] = list(other.token_ids)
    ids["note_id"] = list(other.note_ids)
    ids["issue_id"] = list(other.newsletter_issue_ids)
    markers = [other.name, *other.account_names, *other.emails, *other.use_case_titles]
    if role not in VENDOR:
        # Client users (and anonymous visitors) must not reach the other account of their own vendor either.
        ids["account_id"].append(me.account_ids[1])
        ids["invitation_id"] += [me.invitation_ids[1], me.invitation_ids[2]]
        ids["user_id"] += [me.user_ids["other_member"], me.user_ids["owner"]]
        ids["report_id"].append(me.report_ids[1])
        ids["task_id"].append(me.task_ids[1])
        ids["event_id"].append(me.event_ids[1])
        ids["entry_id"].append(me.entry_ids[1])
        ids["import_id"].append(me.import_ids[1])
        ids["note_id"].append(me.note_ids[1])
        ids["share_link_id"].append(me.share_link_ids[1])
        ids["issue_id"].append(me.newsletter_issue_ids[1])
        markers += [me.account_names[1], me.email("other_member")]
        ids["use_case_id"].append(me.use_case_ids[1])  # the other account's case
        markers.append(me.use_case_titles[1])
    ids["token"] = [secrets.token_urlsafe(32)]
    return ids, markers


def fills(rule, ids: dict[str, list]):
    """Every way of filling the rule's parameters with foreign ids."""
    params = sorted(rule.arguments)
    unknown = [p for p in params if p not in ids]
    assert not unknown, f"{rule.rule}: teach the isolation test which objects {unknown} name"
    if not params:
        yield {}
        return
    combos = [{}]
    for p in params:
        combos = [dict(c, **{p: v}) for c in combos for v in ids[p]]
    yield from combos


def page_text(response) -> str:
    """What a response shows: its text, or the cell text of a spreadsheet download."""
    data = response.get_data()
    if data[:4] == b"PK\x03\x04":
        import io
        import zipfile

        with zipfile.ZipFile(io.BytesIO(data)) as book:
            return " ".join(book.read(n).decode("utf-8") for n in book.namelist() if n.endswith(".xml"))
    return data.decode("utf-8", errors="replace")


def snapshot(app, world: World) -> tuple:
    with app.app_context(), unscoped(db.session, "test compares another tenant's rows before and after"):
        invitations = db.session.scalars(
            db.select(Invitation).where(Invitation.tenant_id == world.tenant_id).order_by(Invitation.id)
        )
        accounts = db.session.scalars(db.select(Account).where(Account.tenant_id == world.tenant_id))
        users = db.session.scalars(db.select(User).where(User.tenant_id == world.tenant_id))
        return (
            [(i.id, i.token_hash, i.revoked_at, i.accepted_at) for i in invitations],
            sorted((a.id, a.name, a.licensed_seats) for a in accounts),
            sorted((u.id, u.active, u.session_version, u.name, u.password_hash) for u in users),
        )


@pytest.mark.parametrize("role", [None, *ROLES])
def test_no_route_reaches_another_tenant_or_account(app, worlds, role):
    alpha, bravo = worlds
    before = snapshot(app, bravo), snapshot(app, alpha)
    client = role_client(app, alpha, role)
    ids, markers = foreign(app, alpha, bravo, role)
    checked = 0
    for rule, method in rules(app):
        for values in fills(rule, ids):
            url = rule.build(values, append_unknown=False)[1]
            response = call(client, method, url)
            body = page_text(response)
            leaked = [m for m in markers if m in body]
            assert not leaked, f"{role} {method} {url} shows {leaked}"
            if values and rule.endpoint != "auth.logout":
                refused = {"forbidden", "missing", "login", "unauthorized"}
                assert outcome(response) in refused, f"{role} {method} {url}"
            checked += 1
    after = snapshot(app, bravo), snapshot(app, alpha)
    assert after[0] == before[0], "another tenant's rows changed"
    # Only foreign ids and empty forms were sent: alpha's own rows (account 1, its invitations) are untouched.
    assert after[1] == before[1], "the user's own tenant changed"
    assert invitation_status(app, alpha.invitation_ids[1]) == "pending"
    assert checked >= sum(1 for _ in rules(app))
    print(f"isolation[{role}]: {checked} requests over {len(MATRIX)} endpoints")
