"""The library pages end to end through the test client: writing, bad input, discussion, links, history."""

import io
from datetime import timedelta

from openpyxl import load_workbook
from sqlalchemy import select

from app.extensions import db
from playbooks.library import UseCaseActivity, wiki_day
from playbooks.usecase_comments import Mention
from playbooks.usecase_history import UseCaseRevision
from playbooks.usecase_links import UseCaseLink
from playbooks.usecases import UseCase
from tenants.db import utcnow
from tenants.scoping import Scope, scoped
from tests.factories import PASSWORD, make_world
from tests.helpers import login, post

CASE = {
    "title": "議事録の要約",
    "problem": "会議の記録に時間がかかる",
    "prompt": "次の文字起こしを要約して",
    "result": "10分で共有",
    "model_name": "GPT-4o",
    "used_on": "2026-11-02",
    "minutes_saved_per_run": "３０",
    "runs_per_month": "4",
    "people": "1,200",
    "tags": "context:sales、議事録",
    "team_id": "",
    "action": "publish",
}


def signed_in(app, world, role):
    client = app.test_client()
    login(client, world.email(role), PASSWORD)
    return client


def cases(app, world, **where):
    with app.app_context(), scoped(db.session, Scope(world.tenant_id)):
        query = select(UseCase).where(*(getattr(UseCase, k) == v for k, v in where.items()))
        return [(c.id, c.title, c.stage, c.published_at is not None) for c in db.session.scalars(query)]


def test_member_posts_a_case_and_finds_it_in_japanese(app):
    world = make_world(app, "post")
    client = signed_in(app, world, "member")
    response = post(client, "/library/new", CASE)
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    [(case_id, title, stage, published)] = cases(app, world, title="議事録の要約")
    assert stage == "shared" and published
    page = client.get("/library?q=議事録").get_data(as_text=True)
    assert f"/library/{case_id}" in page and "<mark>議事録</mark>" in page
    english = client.get("/library?q=summarize+meeting+notes").get_data(as_text=True)
    assert f"/library/{case_id}" in english and "Similar meaning" in english


def test_bad_input_keeps_what_was_typed_and_never_500s(app):
    world = make_world(app, "bad")
    client = signed_in(app, world, "member")
    before = len(cases(app, world))
    huge = "プロンプト" * 40_000  # 200,000 characters
    response = post(
        client, "/library/new", dict(CASE, model_name="", used_on="", prompt=huge, title="<b>x</b>")
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Name the AI model used" in page and "Enter the date the AI was used" in page
    assert "at most 20,000 characters" in page and huge in page  # nothing lost
    assert "&lt;b&gt;x&lt;/b&gt;" in page and "<b>x</b>" not in page
    assert len(cases(app, world)) == before
    # Script in every field is stored as text and shown escaped.
    script = "<script>alert(1)</script>"
    fields = {k: script for k in ("title", "problem", "prompt", "result", "model_name", "tags")}
    response = post(client, "/library/new", dict(CASE, **fields))
    assert response.status_code == 302
    page = client.get(response.location).get_data(as_text=True)
    assert script not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    for query in ("!!!???", "x" * 2000, "%' OR 1=1 --", "<script>"):
        response = client.get("/library", query_string={"q": query})
        assert response.status_code == 200 and "<script>alert" not in response.get_data(as_text=True)
    assert "Type a few words" in client.get("/library?q=。。。").get_data(as_text=True)
    assert "shortened" in client.get("/library", query_string={"q": "議事録 " * 400}).get_data(as_text=True)


def test_body_is_frozen_after_publishing_and_edits_make_revisions(app):
    world = make_world(app, "edit")
    member = signed_in(app, world, "member")
    draft = post(member, "/library/new", dict(CASE, action="draft"))
    case_id = int(draft.location.rsplit("/", 1)[1])
    assert post(member, f"/library/{case_id}/edit", dict(CASE, title="議事録の自動要約")).status_code == 302
    assert post(member, f"/library/{case_id}/publish").status_code == 302
    # After publishing the body fields are not offered; context edits still make revisions.
    edit_page = member.get(f"/library/{case_id}/edit").get_data(as_text=True)
    assert "frozen once published" in edit_page and 'name="prompt"' not in edit_page
    champion = signed_in(app, world, "champion")
    assert post(champion, f"/library/{case_id}/edit", dict(CASE, runs_per_month="8")).status_code == 302
    assert post(champion, f"/library/{case_id}/stage", {"stage": "pilot"}).status_code == 302
    assert cases(app, world, id=case_id)[0][1:3] == ("議事録の自動要約", "pilot")
    with app.app_context(), scoped(db.session, Scope(world.tenant_id)):
        revisions = list(
            db.session.scalars(select(UseCaseRevision).where(UseCaseRevision.use_case_id == case_id))
        )
    assert [sorted(r.changes) for r in revisions] == [
        ["title"],
        ["published_at"],
        ["runs_per_month"],
        ["stage"],
    ]
    history = member.get(f"/library/{case_id}/history").get_data(as_text=True)
    assert "- 議事録の要約" in history and "+ 議事録の自動要約" in history and "+ pilot" in history
    # A member may not promote; another member may not edit someone else's case.
    assert post(member, f"/library/{case_id}/stage", {"stage": "production"}).status_code == 403
    assert cases(app, world, id=case_id)[0][2] == "pilot"


def test_comments_thread_and_mentions_notify(app, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "MAIL_URL", f"file:{tmp_path}")
    world = make_world(app, "talk", use_cases=True)
    case_id = world.use_case_ids[0]
    champion = signed_in(app, world, "champion")
    handle = world.email("member").split("@")[0]
    response = post(champion, f"/library/{case_id}/comments", {"body": f"@{handle} does this work for Ops?"})
    assert response.status_code == 302
    assert post(champion, f"/library/{case_id}/comments", {"body": "   "}).status_code == 422
    [mail] = [p.read_text() for p in tmp_path.glob("*.eml")]
    assert (
        world.email("member") in mail and "mentioned you" in mail and f"/library/{case_id}#comment-" in mail
    )
    member = signed_in(app, world, "member")
    assert "You were mentioned" in member.get("/library").get_data(as_text=True)
    with app.app_context(), scoped(db.session, Scope(world.tenant_id)):
        mention = db.session.scalar(select(Mention))
        comment_id = mention.comment_id
        assert mention.user_id == world.user_ids["member"] and mention.read_at is None
    reply = post(
        member,
        f"/library/{case_id}/comments",
        {"body": "Yes, with the Ops template", "parent_id": comment_id},
    )
    assert reply.status_code == 302
    page = member.get(f"/library/{case_id}").get_data(as_text=True)
    assert 'class="comment depth-1"' in page and "Yes, with the Ops template" in page
    assert "You were mentioned" not in member.get("/library").get_data(as_text=True)  # opened, so read
    # A reply to a comment of another case is refused, not attached elsewhere.
    other = world.use_case_ids[2]
    assert (
        post(member, f"/library/{other}/comments", {"body": "x", "parent_id": comment_id}).status_code == 422
    )


def test_links_keep_both_and_refuse_other_accounts(app):
    world = make_world(app, "link", use_cases=True)
    other_world = make_world(app, "link-other", use_cases=True)
    member = signed_in(app, world, "member")
    a, b = world.use_case_ids[0], world.use_case_ids[2]
    compare = member.get(f"/library/links/{world.link_ids[0]}").get_data(as_text=True)
    assert "Case A" in compare and "Case B" in compare and "Context link" in compare
    assert "Known variations" in member.get(f"/library/{b}").get_data(as_text=True)
    for foreign in (world.use_case_ids[1], other_world.use_case_ids[0], a, 10**9, "x"):
        response = post(member, f"/library/{a}/links", {"other_id": foreign, "kind": "variation"})
        assert response.status_code == 422, foreign
    with app.app_context(), scoped(db.session, Scope(world.tenant_id)):
        assert db.session.scalar(select(db.func.count(UseCaseLink.id))) == 1


def test_wiki_day_lists_only_cases_quiet_for_90_days(app):
    world = make_world(app, "wiki", use_cases=True)
    a, _, b = world.use_case_ids
    with app.app_context(), scoped(db.session, Scope(world.tenant_id)):
        long_ago = utcnow() - timedelta(days=200)
        for case in db.session.scalars(select(UseCase)):
            case.published_at = long_ago
        db.session.add(
            UseCaseActivity(
                tenant_id=world.tenant_id,
                account_id=world.account_ids[0],
                use_case_id=a,
                views=3,
                runs=0,
                last_viewed_at=utcnow() - timedelta(days=10),
            )
        )
        db.session.commit()
        quiet = [c.id for c in wiki_day(db.session, [world.account_ids[0]])]
        assert quiet == [b]
        later = [
            c.id for c in wiki_day(db.session, [world.account_ids[0]], now=utcnow() + timedelta(days=100))
        ]
        assert later == [a, b]
    champion = signed_in(app, world, "champion")
    page = champion.get("/library/wiki-day").get_data(as_text=True)
    assert f"/library/{b}" in page and f'/library/{a}"' not in page
    assert post(champion, f"/library/{b}/stage", {"stage": "archived"}).status_code == 302
    assert cases(app, world, id=b)[0][2] == "archived"  # archived, never deleted


def test_procurement_reads_production_cases_only(app):
    world = make_world(app, "proc", use_cases=True)
    member = signed_in(app, world, "member")
    post(member, "/library/new", CASE)
    [(shared_id, *_)] = cases(app, world, title="議事録の要約")
    procurement = signed_in(app, world, "procurement")
    assert procurement.get(f"/library/{shared_id}").status_code == 404
    assert procurement.get(f"/library/{world.use_case_ids[0]}").status_code == 200
    assert f"/library/{shared_id}" not in procurement.get("/library?q=議事録").get_data(as_text=True)


def test_import_preview_then_commit_and_export_round_trip(app):
    world = make_world(app, "imp")
    champion = signed_in(app, world, "champion")
    sheet = (
        "タイトル,モデル,日付,部署\r\n"
        "請求書の明細抽出,GPT-4o,2026/9/1,Sales\r\n"
        "=1+1,Claude,2026/9/2,\r\n"
        "日付なし,GPT-4o,,\r\n"
    ).encode("cp932")

    def upload(action, only_valid=False):
        data = {"action": action, "file": (io.BytesIO(sheet), "cases.csv")}
        if only_valid:
            data["only_valid"] = "y"
        return post(champion, "/library/import", data, content_type="multipart/form-data")

    checked = upload("check")
    assert checked.status_code == 422
    page = checked.get_data(as_text=True)
    assert "2 rows are valid" in page and "日付" in page and "This field is required" in page
    refused = upload("import")
    assert "Nothing was imported" in refused.get_data(as_text=True)
    assert upload("import", only_valid=True).status_code == 422  # errors still listed
    imported = [c for c in cases(app, world, source="import")]
    assert sorted(c[1] for c in imported) == ["=1+1", "請求書の明細抽出"]

    export = champion.get("/library/export.xlsx")
    book = load_workbook(io.BytesIO(export.data))
    titles = [row[0].value for row in book.active.iter_rows(min_row=2)]
    assert "'=1+1" in titles and "=1+1" not in titles
    csv_text = champion.get("/library/export.csv").data.decode("utf-8-sig")
    assert "'=1+1" in csv_text and "請求書の明細抽出" in csv_text
