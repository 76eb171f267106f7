"""The second brain end to end: import real-shaped exports, re-import, search, refuse bad files, promote."""

import io
import json

from sqlalchemy import func, select

from app.extensions import db
from playbooks import note_samples
from playbooks.notes import Note, NoteImport
from playbooks.usecases import UseCase
from tenants.scoping import Scope, scoped
from tests.factories import PASSWORD, add_use_case, make_world
from tests.helpers import login, post


def signed_in(app, world, role):
    client = app.test_client()
    login(client, world.email(role), PASSWORD)
    return client


def upload(client, account_id, data: bytes, filename: str):
    return post(
        client,
        f"/accounts/{account_id}/notes/import",
        {"file": (io.BytesIO(data), filename)},
        content_type="multipart/form-data",
    )


def stored(app, world, account_index=0):
    """The account's notes as (external id, flagged, author hash, raw) and its import records."""
    with app.app_context(), scoped(db.session, Scope(world.tenant_id)):
        account_id = world.account_ids[account_index]
        notes = db.session.execute(
            # The factory's own note (slack:C1:...) is left out: these are the imported ones.
            select(Note.external_id, Note.flagged, Note.author_hash, Note.raw, Note.source).where(
                Note.account_id == account_id, Note.external_id.not_like("slack:C1:%")
            )
        ).all()
        imports = db.session.scalars(select(NoteImport).where(NoteImport.account_id == account_id)).all()
        return notes, [(i.source, i.added, i.already_there, i.flagged) for i in imports]


def test_a_slack_export_imports_once_and_an_overlapping_one_adds_only_what_is_new(app):
    world = make_world(app, "slack")
    account_id = world.account_ids[0]
    client = signed_in(app, world, "champion")
    response = upload(client, account_id, note_samples.slack_export("2026-11"), "export.zip")
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    notes, imports = stored(app, world)
    assert len(notes) == 8 and sum(f for _, f, *_ in notes) == 4
    assert imports == [("slack", 8, 0, 4)]
    assert all(len(h) == 64 and "@" not in h for _, _, h, *_ in notes)  # authors hashed, never stored plain
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "8 new notes imported (4 look like wins)" in page

    # The same export again: nothing new. A later export overlapping it: only its new message.
    upload(client, account_id, note_samples.slack_export("2026-11"), "export.zip")
    messages = note_samples.slack_messages("2026-11")
    messages["random/2026-11-25.json"] = [
        {"type": "message", "user": "U01BBB", "text": "30分→5分、助かった", "ts": "1795000000.000100"}
    ]
    upload(client, account_id, note_samples.slack_export(messages=messages), "export-later.zip")
    notes, imports = stored(app, world)
    assert len(notes) == 9
    assert sorted(imports) == sorted([("slack", 8, 0, 4), ("slack", 0, 8, 0), ("slack", 1, 8, 1)])


def test_teams_and_markdown_exports_import_and_show_escaped(app):
    world = make_world(app, "teams")
    account_id = world.account_ids[0]
    client = signed_in(app, world, "client_admin")
    assert (
        upload(client, account_id, note_samples.teams_export("2026-11"), "ai-use-cases.json").status_code
        == 302
    )
    assert upload(client, account_id, note_samples.markdown_notes("2026-11"), "vault.zip").status_code == 302
    notes, imports = stored(app, world)
    assert sorted(i[:2] for i in imports) == [("markdown", 3), ("teams", 4)]
    assert any(raw.startswith("<p>稟議書") for _, _, _, raw, _ in notes)  # Teams HTML kept as it came

    listing = client.get(f"/accounts/{account_id}/notes").get_data(as_text=True)
    assert "<script>alert" not in listing and "&lt;script&gt;alert" in listing
    with app.app_context(), scoped(db.session, Scope(world.tenant_id)):
        note_id = db.session.scalar(select(Note.id).where(Note.title == "Weekly report digest"))
    detail = client.get(f"/notes/{note_id}").get_data(as_text=True)
    assert "<script>alert" not in detail and "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in detail
    assert "Says the AI helped" in detail  # the reason is shown


def test_search_and_filters_find_notes_like_use_cases(app):
    world = make_world(app, "search")
    account_id = world.account_ids[0]
    client = signed_in(app, world, "csm")
    upload(client, account_id, note_samples.slack_export("2026-11"), "export.zip")
    found = client.get(f"/accounts/{account_id}/notes?q=議事録").get_data(as_text=True)
    assert "<mark>議事録</mark>" in found and "見積チェック" not in found
    english = client.get(f"/accounts/{account_id}/notes?q=supplier+emails").get_data(as_text=True)
    assert "<mark>supplier</mark>" in english and "要約をChatGPT" not in english
    flagged = client.get(f"/accounts/{account_id}/notes?flagged=1&channel=random").get_data(as_text=True)
    assert "週報の集計" in flagged and "明日の会議" not in flagged
    assert "1 notes match" in flagged


def test_bad_files_are_refused_with_a_message_and_nothing_is_stored(app):
    world = make_world(app, "bad")
    account_id = world.account_ids[0]
    client = signed_in(app, world, "champion")
    bad = {
        "not-an-export.csv": b"date,user\n",
        "missing.zip": note_samples.slack_export(messages={"ai-use-cases/2026-11-04.json": []}),
        "broken.json": b'{"value": [ {"id": 1,, }',
    }
    for filename, data in bad.items():
        response = upload(client, account_id, data, filename)
        assert response.status_code == 422, filename
        assert "Nothing was imported" in response.get_data(as_text=True), filename
    assert "#random" in upload(client, account_id, bad["missing.zip"], "missing.zip").get_data(as_text=True)
    notes, imports = stored(app, world)
    assert notes == [] and imports == []


def test_a_champion_promotes_a_flagged_note_to_a_use_case(app):
    world = make_world(app, "promote")
    account_id = world.account_ids[0]
    add_use_case(app, world, "会議メモの要約", problem="議事録の要約に時間がかかる")  # a similar case exists
    client = signed_in(app, world, "champion")
    upload(client, account_id, note_samples.slack_export("2026-11"), "export.zip")
    with app.app_context(), scoped(db.session, Scope(world.tenant_id)):
        note_id = db.session.scalar(select(Note.id).where(Note.raw.like("議事録の要約を%")))
    form = client.get(f"/notes/{note_id}/promote").get_data(as_text=True)
    assert 'value="ChatGPT"' in form and "以下の会議メモを" in form
    assert 'value="25"' in form  # 30 min -> 5 min
    assert "Similar cases already in the library" in form and "会議メモの要約" in form
    response = post(
        client,
        f"/notes/{note_id}/promote",
        {
            "title": "議事録の要約",
            "problem": "会議メモの整理",
            "prompt": "以下の会議メモを、決定事項・宿題・期限の表にまとめて",
            "result": "30分→5分",
            "model_name": "ChatGPT",
            "used_on": "2026-11-04",
            "minutes_saved_per_run": "25",
            "runs_per_month": "8",
            "people": "3",
            "team_id": "",
            "tags": "",
            "action": "publish",
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    with app.app_context(), scoped(db.session, Scope(world.tenant_id)):
        note = db.session.get(Note, note_id)
        case = db.session.get(UseCase, note.use_case_id)
        assert case.source == "note" and case.published_at is not None and case.minutes_saved_per_run == 25
        assert response.headers["Location"].endswith(f"/library/{case.id}")
        count = db.session.scalar(select(func.count(UseCase.id)).where(UseCase.source == "note"))
    # The note links to its case; promoting again opens the case instead of making a second one.
    assert f"/library/{case.id}" in client.get(f"/notes/{note_id}").get_data(as_text=True)
    again = client.get(f"/notes/{note_id}/promote")
    assert again.status_code == 302 and again.headers["Location"].endswith(f"/library/{case.id}")
    assert count == 1


def test_promoting_without_a_model_shows_the_field_error_and_keeps_the_note_free(app):
    world = make_world(app, "nomodel")
    client = signed_in(app, world, "client_admin")
    response = post(
        client,
        f"/notes/{world.note_ids[0]}/promote",
        {"title": "x", "model_name": "", "used_on": "2026-11-04", "action": "publish"},
    )
    assert response.status_code == 422
    assert "Name the AI model used" in response.get_data(as_text=True)
    with app.app_context(), scoped(db.session, Scope(world.tenant_id)):
        assert db.session.get(Note, world.note_ids[0]).use_case_id is None


def test_the_sample_downloads_are_the_exports_the_import_reads(app):
    world = make_world(app, "samples")
    client = signed_in(app, world, "champion")
    for kind, name in (
        ("slack", "slack-export.zip"),
        ("teams", "teams-channel.json"),
        ("markdown", "notes.zip"),
    ):
        response = client.get(f"/accounts/{world.account_ids[0]}/notes/sample?kind={kind}")
        assert response.status_code == 200 and name in response.headers["Content-Disposition"]
        assert upload(client, world.account_ids[0], response.data, name).status_code == 302
    assert json.loads(client.get(f"/accounts/{world.account_ids[0]}/notes/sample?kind=teams").data)["value"]
