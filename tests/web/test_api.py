"""/api/v1 with per-tenant tokens: the owner creates and revokes them, a token reads or also writes, sees
nothing of another vendor, gets JSON errors with field paths, is rate-limited; the OpenAPI document is valid
and lists every route."""

import re

from openapi_spec_validator import validate

from app import create_app
from reports.usage import UsageRow
from tenants.api_tokens import ApiToken
from tenants.db import db
from tenants.scoping import unscoped
from tests.factories import PASSWORD, add_use_case, make_world
from tests.helpers import app_config, login, post


def _token(app, world, scope="write") -> str:
    owner = app.test_client()
    login(owner, world.email("owner"), PASSWORD)
    page = post(owner, "/team/api-tokens", {"name": "telemetry", "scope": scope})
    assert page.status_code == 201
    return re.search(r'value="(al_[^"]+)"', page.get_data(as_text=True)).group(1)


def _auth(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def test_owner_creates_a_token_seen_once_stored_hashed_and_revokes_it(app, client):
    world = make_world(app, "apitok")
    token = _token(app, world)
    with app.app_context(), unscoped(db.session, "test reads tokens"):
        stored = db.session.scalars(db.select(ApiToken).where(ApiToken.name == "telemetry")).all()
        assert len(stored) == 1 and token not in (stored[0].token_hash, stored[0].prefix)
        assert token.startswith(stored[0].prefix)
    owner = app.test_client()
    login(owner, world.email("owner"), PASSWORD)
    listing = owner.get("/team/api-tokens").get_data(as_text=True)
    assert token not in listing and "telemetry" in listing  # never shown again
    assert client.get("/api/v1/accounts", headers=_auth(token)).status_code == 200
    post(owner, f"/team/api-tokens/{stored[0].id}/revoke")
    refused = client.get("/api/v1/accounts", headers=_auth(token))
    assert refused.status_code == 401 and refused.json["error"]["code"] == 401
    csm = app.test_client()
    login(csm, world.email("csm"), PASSWORD)
    assert csm.get("/team/api-tokens").status_code == 403  # the owner's alone


def test_reads_metrics_and_writes_use_cases_and_usage_rows(app, client):
    world = make_world(app, "apiuse")
    token = _token(app, world)
    account = world.account_ids[0]
    listing = client.get("/api/v1/accounts", headers=_auth(token)).json
    assert listing["total"] == 2 and {a["id"] for a in listing["items"]} == set(world.account_ids)
    rows = [
        {"day": "2026-10-01", "user": "taro@x.jp", "team": "Sales", "actions": 3, "minutes_saved": 30},
        {"day": "2026-10-02", "user": "hana@x.jp", "team": "Ops", "minutes_saved": 15},
    ]
    stored = client.post(f"/api/v1/accounts/{account}/usage", json={"rows": rows}, headers=_auth(token))
    assert stored.status_code == 201 and stored.json == {"rows": 2, "imported": 2, "replaced": 0}
    again = client.post(f"/api/v1/accounts/{account}/usage", json={"rows": rows}, headers=_auth(token))
    assert again.json["replaced"] == 2  # the same day, person and app: replaced, not counted twice
    with app.app_context(), unscoped(db.session, "test counts rows"):
        people = db.session.scalars(db.select(UsageRow.user_hash).where(UsageRow.account_id == account)).all()
        assert len(people) == 2 and not any("@" in p for p in people)
    figures = client.get(
        f"/api/v1/accounts/{account}/metrics?from=2026-10-01&to=2026-10-31", headers=_auth(token)
    ).json
    assert figures["active_users"] == 2 and figures["minutes_saved"] == 45.0
    case = {
        "title": "議事録の要約",
        "model_name": "GPT-4o",
        "used_on": "2026-10-05",
        "minutes_saved_per_run": 20,
    }
    created = client.post(f"/api/v1/accounts/{account}/use-cases", json=case, headers=_auth(token))
    assert created.status_code == 201 and created.json["source"] == "api"
    titles = [
        c["title"]
        for c in client.get(f"/api/v1/accounts/{account}/use-cases", headers=_auth(token)).json["items"]
    ]
    assert "議事録の要約" in titles


def test_errors_are_json_with_the_path_of_each_bad_field(app, client):
    world = make_world(app, "apierr")
    token = _token(app, world)
    url = f"/api/v1/accounts/{world.account_ids[0]}"
    bad_rows = client.post(
        f"{url}/usage",
        json={
            "rows": [{"day": "2026-10-01", "user": "a"}, {"day": "yesterday", "user": "b\x00", "extra": 1}]
        },
        headers=_auth(token),
    )
    assert bad_rows.status_code == 422
    paths = {f["path"] for f in bad_rows.json["error"]["fields"]}
    assert paths == {"body.rows[1].day", "body.rows[1].user", "body.rows[1].extra"}
    with app.app_context(), unscoped(db.session, "test counts rows"):
        assert db.session.scalar(db.select(db.func.count(UsageRow.id))) == 0  # all or nothing
    no_title = client.post(
        f"{url}/use-cases", json={"model_name": "x", "used_on": "2026-10-05"}, headers=_auth(token)
    )
    assert no_title.status_code == 422 and "body.title" in {
        f["path"] for f in no_title.json["error"]["fields"]
    }
    wrong_type = client.post(
        f"{url}/use-cases", json={"title": 5, "runs_per_month": "many"}, headers=_auth(token)
    )
    assert {f["path"] for f in wrong_type.json["error"]["fields"]} >= {"body.title", "body.runs_per_month"}
    assert client.post(f"{url}/usage", data="not json", headers=_auth(token)).status_code == 400
    assert client.get("/api/v1/accounts/99999999999999999999", headers=_auth(token)).status_code == 404
    assert (
        client.get("/api/v1/accounts?page=x", headers=_auth(token)).json["error"]["fields"][0]["path"]
        == "query.page"
    )
    too_many = client.post(
        f"{url}/usage", json={"rows": [{"day": "2026-10-01", "user": "a"}] * 10_001}, headers=_auth(token)
    )
    assert too_many.status_code == 413 and too_many.is_json


def test_a_read_token_cannot_write(app, client):
    world = make_world(app, "apiread")
    token = _token(app, world, scope="read")
    url = f"/api/v1/accounts/{world.account_ids[0]}/usage"
    refused = client.post(url, json={"rows": [{"day": "2026-10-01", "user": "a"}]}, headers=_auth(token))
    assert refused.status_code == 403 and refused.json["error"]["code"] == 403


def test_a_token_sees_nothing_of_another_vendor(app, client):
    mine, theirs = make_world(app, "apimine"), make_world(app, "apitheirs")
    add_use_case(app, theirs, "秘密の事例")
    token = _token(app, mine)
    listing = client.get("/api/v1/accounts?per_page=100", headers=_auth(token)).get_data(as_text=True)
    assert not any(name in listing for name in theirs.account_names)
    for account in theirs.account_ids:
        for path in ("", "/metrics", "/use-cases"):
            assert client.get(f"/api/v1/accounts/{account}{path}", headers=_auth(token)).status_code == 404
        for path, body in (
            ("/use-cases", {"title": "x", "model_name": "m", "used_on": "2026-10-01"}),
            ("/usage", {"rows": [{"day": "2026-10-01", "user": "a"}]}),
        ):
            assert (
                client.post(f"/api/v1/accounts/{account}{path}", json=body, headers=_auth(token)).status_code
                == 404
            )
    with app.app_context(), unscoped(db.session, "test counts rows"):
        assert db.session.scalar(db.select(db.func.count(UsageRow.id))) == 0


def test_each_token_is_rate_limited(app):
    limited = create_app(app_config(API_RATE_LIMIT="3 per minute"))
    world = make_world(limited, "apirate")
    token = _token(limited, world)
    client = limited.test_client()
    answers = [client.get("/api/v1/accounts", headers=_auth(token)) for _ in range(4)]
    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    assert answers[-1].is_json and answers[-1].headers.get("Retry-After")


def test_the_openapi_document_is_valid_and_lists_every_route(app, client):
    document = client.get("/api/v1/openapi.json").json
    validate(document)
    documented = {(path, method) for path, ops in document["paths"].items() for method in ops}
    routes = {
        (re.sub(r"<(?:int:)?(\w+)>", r"{\1}", rule.rule.removeprefix("/api/v1")), method.lower())
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith("/api/v1/")
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    assert routes == documented
    docs = client.get("/api/docs").get_data(as_text=True)
    assert all(f"{m.upper()} {p}" in docs for p, m in documented)
