"""Uploads over a route's limit get 413 before the body is read, on every upload route of ``app.url_map``,
with the page that route's users expect (HTML, or JSON for API clients); every view that reads a file
declares its limit with ``@accepts_upload``."""

import inspect
import io

import pytest
from flask_wtf import FlaskForm
from flask_wtf.file import FileField as WTFFileField
from wtforms import FileField
from wtforms.fields.core import UnboundField

from app.limits import FORM_ENVELOPE, upload_limit
from tests.factories import PASSWORD, World, make_world
from tests.helpers import csrf_token, login

KB = 1024
# Signed in as the first of these the route admits (uploads belong to vendor staff and client admins).
UPLOADERS = ("owner", "csm", "client_admin")


def upload_views(app) -> dict[str, object]:
    return {e: v for e, v in app.view_functions.items() if getattr(v, "accepts_upload", False)}


def file_forms() -> set[str]:
    """Names of the app's form classes that have a file field."""
    found, todo = set(), [FlaskForm]
    while todo:
        cls = todo.pop()
        todo += cls.__subclasses__()
        fields = [f for f in vars(cls).values() if isinstance(f, UnboundField)]
        if any(issubclass(f.field_class, FileField | WTFFileField) for f in fields):
            found.add(cls.__name__)
    return found


def test_every_view_that_reads_a_file_declares_its_upload_limit(app):
    forms = file_forms()
    assert {"ImportForm", "PlaybookUploadForm"} <= forms
    readers = set()
    for endpoint, view in app.view_functions.items():
        source = inspect.getsource(inspect.unwrap(view))
        if "request.files" in source or any(f"{name}(" in source for name in forms):
            readers.add(endpoint)
    assert {"usage.preview", "library.import_cases", "loop.playbook_uploads"} <= readers
    assert readers <= set(upload_views(app)), "mark these views @accepts_upload"


def own_ids(world: World) -> dict:
    return {
        "account_id": world.account_ids[0],
        "use_case_id": world.use_case_ids[0],
        "event_id": world.event_ids[0],
        "entry_id": world.entry_ids[0],
        "report_id": world.report_ids[0],
        "user_id": world.user_ids["member"],
    }


@pytest.fixture
def world(app):
    return make_world(app, "big", use_cases=True)


def send(client, url: str, size: int, fields: dict | None = None, content: bytes = b"x", **headers):
    body = (content * (size // len(content) + 1))[:size]
    data = {"csrf_token": client.csrf, "file": (io.BytesIO(body), "big.csv"), **(fields or {})}
    return client.post(url, data=data, content_type="multipart/form-data", headers=headers)


def clients(app, world):
    for role in UPLOADERS:
        client = app.test_client()
        login(client, world.email(role), PASSWORD)
        client.csrf = csrf_token(client)
        yield client


def test_uploads_over_the_limit_get_413_on_every_upload_route(app, world, monkeypatch):
    monkeypatch.setitem(app.config, "MAX_UPLOAD_LENGTH", 300 * KB)  # keeps the bodies of this test small
    views = upload_views(app)
    assert len(views) >= 3
    for endpoint, view in views.items():
        [rule] = [r for r in app.url_map.iter_rules() if r.endpoint == endpoint and "POST" in r.methods]
        url = rule.build(own_ids(world), append_unknown=False)[1]
        with app.app_context():
            limit = upload_limit(view)
        too_big = limit + (FORM_ENVELOPE if view.upload_file_bytes else 0) + 1
        api = rule.rule.startswith("/api/")
        refused = [send(c, url, too_big) for c in clients(app, world)]
        assert any(r.status_code == 413 for r in refused), (url, [r.status_code for r in refused])
        for response in refused:
            assert response.status_code in (413, 401, 403), url  # 413 whoever asks; never read, never 500
            if response.status_code != 413:
                continue
            if api:
                assert response.mimetype == "application/json" and response.json["status"] == 413, url
            else:
                assert response.mimetype == "text/html", url
                assert "The file is too large: upload at most" in response.get_data(as_text=True), url
            # An API client asking for JSON gets JSON on any upload route.
        as_json = send(next(clients(app, world)), url, too_big, Accept="application/json")
        if as_json.status_code == 413:
            assert as_json.json["status"] == 413 and "too large" in as_json.json["error"], url


def test_a_file_within_the_route_limit_is_read_not_refused(app, world):
    """The use-case import takes sheets up to 10 MB: a 3 MB one is over the 2 MB of a plain form, and was a
    413 before the route declared its own limit; the playbook upload refuses 320 KB+ unread."""
    client = next(clients(app, world))
    fields = {"account_id": str(world.account_ids[0]), "action": "check"}
    rows = b"Title,Model,Date\n" + b"Summaries,GPT-4o,2026-09-01\n" * 120_000  # 3.2 MB
    sheet = send(client, "/library/import", len(rows), fields, content=rows)
    assert sheet.status_code != 413 and sheet.status_code < 500
    # Read and checked by the domain, which has its own row limit for a sheet this long.
    assert "more than 5000 rows" in sheet.get_data(as_text=True)
    small = send(client, "/playbooks", 200 * KB)
    assert small.status_code != 413 and small.status_code < 500
    big = send(client, "/playbooks", 400 * KB)
    assert big.status_code == 413 and "upload at most 256 KB" in big.get_data(as_text=True)
