"""``flask usecase import`` and ``flask usecase search``: one JSON object on stdout, clear errors."""

import json

from sqlalchemy import select

from app.extensions import db
from playbooks.usecases import UseCase
from tenants.scoping import Scope, scoped
from tests.factories import make_world

SHEET = (
    "タイトル,課題,プロンプト,結果,モデル名,日付,削減時間(分),月間実行回数,利用人数,部署,タグ\r\n"
    "決裁申請の文面づくりを時短,決裁申請の説明文に時間がかかる,決裁申請の本文を作成して,下書きが数分で完成,"
    "GPT-4o,2026/9/1,40,4,3,Sales,context:finance\r\n"
    "Drafting approval requests,Writing approval requests took an hour,Draft an approval request,"
    "First draft in two minutes,Claude,2026-09-02,50,2,1,,\r\n"
    "モデルなし,,,,,2026/9/3,5,1,1,,\r\n"
    "日付なし,,,,GPT-4o,,5,1,1,存在しない部署,\r\n"
)


def run(app, *args):
    return app.test_cli_runner().invoke(args=["usecase", *args])


def test_import_reports_row_errors_and_imports_only_when_asked(app, tmp_path):
    world = make_world(app, "cli")
    path = tmp_path / "cases.csv"
    path.write_bytes(SHEET.encode("cp932"))
    account_id = world.account_ids[0]

    refused = run(app, "import", str(account_id), str(path))
    assert refused.exit_code == 1
    payload = json.loads(refused.stdout)
    assert payload["imported"] == 0
    assert {(e["row"], e["column"]) for e in payload["errors"]} == {(4, "モデル名"), (5, "日付"), (5, "部署")}
    assert all(e["reason"] for e in payload["errors"])
    assert "nothing imported" in refused.stderr

    done = run(app, "import", str(account_id), str(path), "--only-valid")
    assert done.exit_code == 0, done.stderr
    assert json.loads(done.stdout)["imported"] == 2
    with app.app_context(), scoped(db.session, Scope(world.tenant_id)):
        titles = set(db.session.scalars(select(UseCase.title).where(UseCase.source == "import")))
    assert titles == {"決裁申請の文面づくりを時短", "Drafting approval requests"}

    found = run(app, "search", str(account_id), "稟議書 下書き", "approval", "!!!", "--limit", "2")
    assert found.exit_code == 0, found.stderr
    result = json.loads(found.stdout)
    assert list(result) == ["稟議書 下書き", "approval", "!!!"]
    assert {r["title"] for r in result["稟議書 下書き"]} == titles
    assert set(result["稟議書 下書き"][0]) == {"id", "title", "score"}
    assert result["approval"][0]["title"] == "Drafting approval requests"
    assert result["!!!"] == [] and "Type a few words" in found.stderr


def test_bad_account_file_and_sheet_fail_clearly(app, tmp_path):
    world = make_world(app, "cli-bad")
    missing = run(app, "search", "999999", "x")
    assert missing.exit_code == 1 and "ACCOUNT_ID 999999" in missing.stderr and missing.stdout == ""
    nofile = run(app, "import", str(world.account_ids[0]), str(tmp_path / "nope.csv"))
    assert nofile.exit_code == 1 and "no such file" in nofile.stderr
    junk = tmp_path / "junk.csv"
    junk.write_bytes(b"foo,bar\n1,2\n")
    bad = run(app, "import", str(world.account_ids[0]), str(junk))
    assert bad.exit_code == 1 and "No header row" in bad.stderr and "Traceback" not in bad.stderr
