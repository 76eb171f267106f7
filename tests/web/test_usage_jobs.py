"""Large usage files import as a job on a real rq worker: progress, all-or-nothing, a failure shown and
retried, no double counting; on the embedded default the same job runs in-process."""

import re
from pathlib import Path

from app import create_app
from reports.usage import UsageImport, UsageRow
from tenants.db import db
from tenants.scoping import Scope, scoped
from tests.factories import PASSWORD, make_world
from tests.helpers import app_config, login, post, run_worker_burst

ROWS = 60_000


def _sheet(rows: int = ROWS, bad_line: int | None = None) -> bytes:
    lines = ["日付,ユーザー,部署,利用回数,削減時間(分)"]
    for i in range(rows):
        day = f"2026/{9 + (i % 2)}/{1 + i % 28}"
        lines.append(f"{day},user{i % 4000}@client.example.jp,{'Sales' if i % 3 else 'Ops'},{i % 7},{i % 13}")
    if bad_line is not None:
        lines[bad_line - 1] = "2026/9/1,someone@client.example.jp,Sales,many,5"
    return ("\n".join(lines) + "\n").encode("utf-8")


def _upload(client, world, data: bytes, **choices):
    account = world.account_ids[0]
    preview = post(
        client,
        f"/accounts/{account}/usage/preview",
        {"file": (__import__("io").BytesIO(data), "big.csv")},
        content_type="multipart/form-data",
    )
    html = preview.get_data(as_text=True)
    assert preview.status_code == 200, html[:500]
    token = re.search(r'name="token" value="([^"]+)"', html).group(1)
    return html, post(
        client,
        f"/accounts/{account}/usage/import",
        {"token": token, "filename": "big.csv", "format": "generic", **choices},
    )


def _state(app, world):
    with app.app_context(), scoped(db.session, Scope(world.tenant_id)):
        record = db.session.scalars(db.select(UsageImport).order_by(UsageImport.id.desc())).first()
        rows = db.session.scalar(
            db.select(db.func.count(UsageRow.id)).where(UsageRow.account_id == world.account_ids[0])
        )
        db.session.expunge(record)
        return record, rows


def test_a_large_file_is_imported_by_a_worker_with_progress_and_counted_once(app):
    rq_app = create_app(app_config(JOBS_BACKEND="rq"))
    world = make_world(rq_app, "bigjob")
    client = rq_app.test_client()
    login(client, world.email("client_admin"), PASSWORD)
    preview, committed = _upload(client, world, _sheet())
    assert 'data-testid="partial-preview"' in preview  # only the first rows were checked in the page
    assert committed.status_code == 302
    record, rows = _state(rq_app, world)
    assert record.status == "queued" and rows == 0 and Path(record.stored_file).is_file()
    page = client.get(f"/accounts/{world.account_ids[0]}/usage").get_data(as_text=True)
    assert 'http-equiv="refresh"' in page and "<progress" in page
    run_worker_burst("imports", SECRET_KEY="test-secret")
    record, rows = _state(rq_app, world)
    distinct = len({(f"2026/{9 + (i % 2)}/{1 + i % 28}", i % 4000) for i in range(ROWS)})
    assert record.status == "done" and record.rows == ROWS and rows == distinct
    assert record.stored_file is None
    page = client.get(f"/accounts/{world.account_ids[0]}/usage").get_data(as_text=True)
    assert 'http-equiv="refresh"' not in page and "Imported" in page
    # The same file again: every row replaced, none added.
    _upload(client, world, _sheet())
    run_worker_burst("imports", SECRET_KEY="test-secret")
    again, rows_after = _state(rq_app, world)
    assert again.status == "done" and rows_after == rows and again.replaced == again.imported == distinct


def test_a_problem_deep_in_a_large_file_stores_nothing_unless_only_valid(app):
    rq_app = create_app(app_config(JOBS_BACKEND="rq"))
    world = make_world(rq_app, "bigbad")
    client = rq_app.test_client()
    login(client, world.email("csm"), PASSWORD)
    _upload(client, world, _sheet(bad_line=55_000))
    run_worker_burst("imports", SECRET_KEY="test-secret")
    record, rows = _state(rq_app, world)
    assert record.status == "refused" and rows == 0
    assert record.errors == [{"row": 55_000, "column": "利用回数", "reason": "not a number: 'many'"}]
    _upload(client, world, _sheet(bad_line=55_000), only_valid="1")
    run_worker_burst("imports", SECRET_KEY="test-secret")
    record, rows = _state(rq_app, world)
    assert record.status == "done" and rows > 0 and len(record.errors) == 1


def test_a_failed_job_says_why_and_a_retry_finishes_it(app):
    rq_app = create_app(app_config(JOBS_BACKEND="rq"))
    world = make_world(rq_app, "bigfail")
    client = rq_app.test_client()
    login(client, world.email("csm"), PASSWORD)
    _upload(client, world, _sheet(rows=51_000))
    record, _ = _state(rq_app, world)
    stored = Path(record.stored_file)
    kept = stored.read_bytes()
    stored.unlink()  # the file went missing (a full disk, a cleaned folder)
    run_worker_burst("imports", SECRET_KEY="test-secret")
    record, rows = _state(rq_app, world)
    assert record.status == "failed" and "no longer there" in record.error and rows == 0
    page = client.get(f"/accounts/{world.account_ids[0]}/usage").get_data(as_text=True)
    assert "Failed" in page and "no longer there" in page and f"/usage-imports/{record.id}/retry" in page
    stored.write_bytes(kept)
    assert post(client, f"/usage-imports/{record.id}/retry").status_code == 302
    run_worker_burst("imports", SECRET_KEY="test-secret")
    record, rows = _state(rq_app, world)
    assert record.status == "done" and rows > 0


def test_on_the_embedded_default_the_same_job_runs_in_process(app, client):
    inline = create_app(app_config(USAGE_INLINE_MAX_ROWS=100))
    world = make_world(inline, "biginline")
    browser = inline.test_client()
    login(browser, world.email("csm"), PASSWORD)
    _upload(browser, world, _sheet(rows=500))
    record, rows = _state(inline, world)
    assert record.status == "done" and record.rows == 500 and rows > 0
