"""Storing usage exports: hashed people, no double counting, all-or-nothing unless asked, teams; the CLIs."""

import json
from types import SimpleNamespace

from reports.usage import UsageRow, hash_user, import_usage
from tenants.accounts import get_account
from tenants.db import db
from tenants.scoping import Scope, scoped
from tests.factories import make_world

SHEET = (
    "日付,ユーザー,部署,利用回数,削減時間(分)\n2026/9/1,taro@x.jp,Sales,10,30\n2026/9/2,hana@x.jp,Ops,5,15\n"
)


def _import(app, world, text, **kw):
    with app.app_context(), scoped(db.session, Scope(world.tenant_id)):
        account = get_account(db.session, world.account_ids[0])
        record = import_usage(
            db.session, account, None, text.encode("cp932"), filename="u.csv", secret="s", **kw
        )
        db.session.commit()
        rows = db.session.scalars(db.select(UsageRow).where(UsageRow.account_id == account.id)).all()
        summary = SimpleNamespace(
            status=record.status, imported=record.imported, replaced=record.replaced, errors=record.errors
        )
        return summary, [(r.day.isoformat(), r.user_hash, r.actions, r.team_id is not None) for r in rows]


def test_people_are_hashed_per_tenant_and_reimports_never_double_count(app):
    world = make_world(app, "use")
    record, rows = _import(app, world, SHEET)
    assert record.imported == 2 and record.status == "done" and len(rows) == 2
    assert all("@" not in r[1] for r in rows) and all(r[3] for r in rows)  # hashed; teams matched
    assert hash_user("s", 1, "taro@x.jp") != hash_user("s", 2, "taro@x.jp")  # keyed per tenant
    overlap = SHEET.replace("hana@x.jp,Ops,5", "hana@x.jp,Ops,7") + "2026/9/3,jiro@x.jp,Sales,1,1\n"
    again, rows = _import(app, world, overlap)
    assert again.imported == 3 and again.replaced == 2 and len(rows) == 3
    assert sorted(r[2] for r in rows) == [1.0, 7.0, 10.0]  # the newer file's values, once each


def test_a_file_with_problems_imports_nothing_unless_only_valid(app):
    world = make_world(app, "use-bad")
    bad = SHEET + "2026/9/4,,Sales,1,1\n2026/9/5,x@x.jp,Legal,1,1\n"
    record, rows = _import(app, world, bad)
    assert record.status == "refused" and rows == []
    assert {(e["row"], e["column"]) for e in record.errors} == {(4, "ユーザー"), (0, "team")}
    record, rows = _import(app, world, bad, only_valid=True)
    assert record.imported == 2 and len(rows) == 2
    record, rows = _import(app, world, bad, only_valid=True, create_teams=True)
    assert len(rows) == 3  # Legal was created from the preview's choice


def test_cli_import_and_metrics_print_one_json_object(app, tmp_path):
    world = make_world(app, "use-cli")
    path = tmp_path / "usage.csv"
    path.write_bytes(SHEET.encode("utf-8-sig"))
    runner = app.test_cli_runner()
    result = runner.invoke(args=["usage", "import", str(world.account_ids[0]), str(path)])
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert out["format"] == "generic" and out["encoding"] == "utf-8-sig" and out["imported"] == 2
    assert out["errors"] == [] and out["duplicates"] == 0
    result = runner.invoke(
        args=["metrics", str(world.account_ids[0]), "--from", "2026-09-01", "--to", "2026-09-30"]
    )
    metrics = json.loads(result.stdout)
    assert metrics["active_users"] == 2 and metrics["breadth"] == 0.02  # 2 of 100 seats
    assert metrics["minutes_saved_by_team"] == {"Sales": 30.0, "Ops": 15.0} and metrics["frequency"] == 1.0
    assert set(metrics["health"]["parts"]) >= {"breadth", "use_case_density", "team_coverage"}
    bad = runner.invoke(
        args=["metrics", str(world.account_ids[0]), "--from", "2026-13-01", "--to", "2026-09-30"]
    )
    assert bad.exit_code == 1 and "--from" in json.loads(bad.stdout)["error"]
    missing = runner.invoke(args=["usage", "import", "999999", str(path)])
    assert missing.exit_code == 1 and "account_id" in json.loads(missing.stdout)["error"]


def test_cli_account_create_follows_the_form_rules(app):
    world = make_world(app, "acct-cli")
    with app.app_context():
        from tenants.scoping import unscoped
        from tenants.tenant import Tenant

        with unscoped(db.session, "test reads the slug"):
            slug = db.session.get(Tenant, world.tenant_id).slug
    runner = app.test_cli_runner()
    base = [
        "account",
        "create",
        "--tenant",
        slug,
        "--seats",
        "250",
        "--monthly-spend",
        "1200000",
        "--hourly-cost",
        "4800",
        "--admin-email",
        "dx@cli.example.jp",
        "--csm",
        world.email("csm"),
    ]
    result = runner.invoke(
        args=[
            *base,
            "--name",
            "株式会社シーエルアイ",
            "--team",
            "営業部=120",
            "--team",
            "経理部=20",
            "--kickoff",
            "2026-12-01",
        ]
    )
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert out["id"] > 0 and out["teams"] == ["営業部", "経理部"]
    again = runner.invoke(args=[*base, "--name", "株式会社シーエルアイ", "--team", "営業部=1"])
    assert again.exit_code == 1 and json.loads(again.stdout)["error"].startswith("name:")
    zero = runner.invoke(args=[*base[:5], "0", *base[6:], "--name", "ゼロ席", "--team", "A=1"])
    assert zero.exit_code == 1 and "licensed_seats" in json.loads(zero.stdout)["error"]
    bad_team = runner.invoke(args=[*base, "--name", "チーム不正", "--team", "営業部"])
    assert bad_team.exit_code == 1 and "--team" in json.loads(bad_team.stdout)["error"]
