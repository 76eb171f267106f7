"""Uploading a usage export: check first (nothing stored), fix the mapping, import; other accounts refused."""

import io

from reports.usage import UsageImport, UsageRow
from tenants.db import db
from tenants.scoping import unscoped
from tests.factories import PASSWORD, make_world
from tests.helpers import csrf_token, login

SHEET = "when,who,部署,利用回数\n2026/9/1,taro@x.jp,Sales,3\n2026/9/2,hana@x.jp,Ops,4\n".encode("cp932")


def counts(app):
    with app.app_context(), unscoped(db.session, "test counts stored rows"):
        return (
            db.session.scalar(db.select(db.func.count(UsageRow.id))),
            # The factory's world holds one failed import per account; count only this test's.
            db.session.scalar(
                db.select(db.func.count(UsageImport.id)).where(UsageImport.filename != "world.csv")
            ),
        )


def test_check_map_and_import_a_sheet(app):
    world = make_world(app, "upl")
    client = app.test_client()
    login(client, world.email("client_admin"), PASSWORD)
    url = f"/accounts/{world.account_ids[0]}/usage"
    page = client.post(
        f"{url}/preview",
        data={"csrf_token": csrf_token(client), "format": "auto", "file": (io.BytesIO(SHEET), "usage.csv")},
        content_type="multipart/form-data",
    ).get_data(as_text=True)
    assert "cp932" in page and "no column is mapped to this field" in page
    assert counts(app) == (0, 0)  # checking stores nothing
    token = page.split('name="token" value="')[1].split('"')[0]
    mapping = {"map:when": "day", "map:who": "user", "map:部署": "team", "map:利用回数": "actions"}
    form = {"token": token, "filename": "usage.csv", "format": "generic", **mapping}
    page = client.post(f"{url}/preview", data={"csrf_token": csrf_token(client), **form}).get_data(
        as_text=True
    )
    assert "no column is mapped" not in page and "taro@x.jp" in page
    response = client.post(f"{url}/import", data={"csrf_token": csrf_token(client), **form})
    assert response.status_code == 302
    assert counts(app) == (2, 1)
    assert "2 rows imported" in client.get(url).get_data(as_text=True)
    # The next upload of the same sheet is mapped the way the account chose last time.
    page = client.post(
        f"{url}/preview",
        data={"csrf_token": csrf_token(client), "format": "auto", "file": (io.BytesIO(SHEET), "october.csv")},
        content_type="multipart/form-data",
    ).get_data(as_text=True)
    assert "no column is mapped" not in page and '<option value="day" selected>' in page


def test_another_accounts_upload_page_is_not_reachable(app):
    world = make_world(app, "upl-iso")
    client = app.test_client()
    login(client, world.email("client_admin"), PASSWORD)
    assert client.get(f"/accounts/{world.account_ids[1]}/usage").status_code == 404
