"""Account reports: frozen inputs, one report per request, rendering, failure and retry, history, sharing,
exports (PostgreSQL; the job runs inline here, in a real rq worker in tests/web/test_report_jobs.py)."""

import io
import subprocess
from datetime import date, timedelta

import pytest
from jinja2 import UndefinedError
from openpyxl import load_workbook

from playbooks.usecases import Stage, create_use_case
from reports import account_reports as ar
from reports import exports, sharing
from reports.models import DONE, FAILED, QUEUED, Report
from reports.render import yen
from tenants.accounts import get_account
from tenants.db import db, utcnow
from tenants.errors import FieldErrors
from tenants.scoping import Scope, scoped
from tenants.users import User
from tests.factories import make_world

OCT = (date(2026, 10, 1), date(2026, 10, 31))


def pdf_text(pdf: bytes) -> str:
    return subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True, check=True
    ).stdout.decode()


@pytest.fixture
def world(app):
    return make_world(app, "rep")


def _scope(world):
    return scoped(db.session, Scope(world.tenant_id))


def _setup(world, *cases):
    account = get_account(db.session, world.account_ids[0])
    csm = db.session.get(User, world.user_ids["csm"])
    for title, stage, minutes in cases:
        create_use_case(
            db.session,
            account,
            csm,
            title=title,
            model_name="GPT-4o",
            used_on=date(2026, 10, 2),
            problem="稟議の文面づくりに毎回30分",
            prompt="以下の要件で稟議書を…",
            result="5分で初稿",
            minutes_saved_per_run=minutes,
            runs_per_month=4,
            people=50,
            stage=stage,
            team_id=account.teams[0].id,
        )
    return account, csm


def _request(account, csm, key, **kw):
    return ar.request_report(
        db.session, account, csm, ar.ReportRequest(*OCT, kw.pop("locale", "ja"), key, **kw)
    )


@pytest.mark.parametrize("locale", ["ja", "en"])
def test_a_report_freezes_its_inputs_and_renders_the_figures(app, world, locale):
    with app.app_context(), _scope(world):
        account, csm = _setup(world, ("稟議書の下書き", Stage.PRODUCTION, 30), ("試行中", Stage.PILOT, 60))
        report, created = _request(
            account, csm, f"k-{locale}", locale=locale, notes="新人の立ち上がりが早くなった"
        )
        db.session.commit()
        assert created and report.status == QUEUED
        roi = report.results["roi"]
        assert roi["gross_hours_per_month"] == 100.0  # 30 min x 4 x 50 people / 60; the pilot is left out
        titles = [c["title"] for c in roi["use_cases"]]
        assert titles[0] == "稟議書の下書き" and "試行中" not in titles  # pilots are not production
        assert ar.render_report(report.id, world.tenant_id) == DONE
        db.session.refresh(report)
        assert report.status == DONE and report.pages >= 3 and len(report.pdf_sha256) == 64
        text = pdf_text(report.pdf)
        assert yen(roi["realized_value_per_month"], locale) in text
        assert yen(300_000, locale) in text  # the account's monthly spend, from the factory
        assert "新人の立ち上がりが早くなった" in text and "稟議の文面づくりに毎回30分" in text
        assert f"sha256 {report.inputs_sha256[:16]}" in text
        # Issued reports never change: new use cases do not move the frozen figures.
        _setup(world, ("新しい本番ケース", Stage.PRODUCTION, 90))
        db.session.commit()
        db.session.refresh(report)
        assert report.results["roi"]["gross_hours_per_month"] == 100.0


def test_the_same_request_key_never_makes_a_second_report(app, world):
    with app.app_context(), _scope(world):
        account, csm = _setup(world)
        first, created = _request(account, csm, "double-click")
        again, created_again = _request(account, csm, "double-click")
        db.session.commit()
        assert created and not created_again and first.id == again.id
        assert ar.render_report(first.id, world.tenant_id) == DONE
        assert ar.render_report(first.id, world.tenant_id) == DONE  # a re-delivered job changes nothing
        assert (
            db.session.scalar(db.select(db.func.count(Report.id)).where(Report.request_key == "double-click"))
            == 1
        )


def test_bad_periods_are_refused(app, world):
    with app.app_context(), _scope(world):
        account, csm = _setup(world)
        with pytest.raises(FieldErrors) as caught:
            ar.request_report(
                db.session, account, csm, ar.ReportRequest(date(2026, 10, 31), date(2026, 10, 1), "ja", "x")
            )
        assert "period_end" in caught.value.errors


def test_a_failed_render_is_visible_and_retryable(app, world):
    with app.app_context(), _scope(world):
        account, csm = _setup(world, ("要約", Stage.PRODUCTION, 10))
        report, _ = _request(account, csm, "breaks")
        broken = dict(report.results)
        broken["measures"] = {}  # corrupt the frozen data the template needs
        report.results = broken
        db.session.commit()
        with pytest.raises((KeyError, TypeError, UndefinedError)):
            ar.render_report(report.id, world.tenant_id)
        db.session.refresh(report)
        assert report.status == FAILED and report.error and ar.may_retry(report)
        good, _ = _request(account, csm, "good")
        report.results = good.results
        ar.reset_for_retry(report)
        db.session.commit()
        assert ar.render_report(report.id, world.tenant_id) == DONE


def test_a_report_left_running_by_a_dead_worker_is_stalled(app, world):
    with app.app_context(), _scope(world):
        account, csm = _setup(world)
        report, _ = _request(account, csm, "stall")
        report.status, report.started_at = "running", utcnow() - timedelta(seconds=ar.RENDER_TIMEOUT + 1)
        assert ar.is_stalled(report) and ar.may_retry(report)
        report.started_at = utcnow()
        assert not ar.may_retry(report)


def test_history_shows_the_change_since_the_previous_report(app, world):
    with app.app_context(), _scope(world):
        account, csm = _setup(world, ("要約", Stage.PRODUCTION, 30))
        first, _ = _request(account, csm, "h1")
        db.session.commit()
        ar.render_report(first.id, world.tenant_id)
        _setup(world, ("追加", Stage.PRODUCTION, 30))
        second, _ = _request(account, csm, "h2")
        db.session.commit()
        ar.render_report(second.id, world.tenant_id)
        rows = [r for r in ar.report_history(db.session, account) if r["report"].request_key in ("h1", "h2")]
        assert rows[0]["report"].id == second.id
        assert rows[0]["delta"]["realized_hours_per_month"] == 50.0  # 100 h gross more, 50 % realized


def test_share_links_open_once_live_and_not_after_expiry_or_revocation(app, world):
    with app.app_context(), _scope(world):
        account, csm = _setup(world)
        report, _ = _request(account, csm, "share")
        report.status, report.pdf = DONE, b"%PDF-1.4 x"
        link, token = sharing.create_share_link(db.session, report, csm)
        db.session.commit()
        link_id = link.id
    with app.app_context():
        assert sharing.open_share_link(db.session, token)[0] == "ok"
        assert sharing.open_share_link(db.session, "nope")[0] == "missing"
        db.session.commit()
    with app.app_context(), _scope(world):
        link = sharing.get_share_link(db.session, link_id)
        assert link.open_count == 1
        link.expires_at = utcnow() - timedelta(seconds=1)
        db.session.commit()
    with app.app_context():
        assert sharing.open_share_link(db.session, token)[0] == "gone"


def test_exports_neutralise_formula_cells(app, world):
    with app.app_context(), _scope(world):
        account, csm = _setup(
            world, ('=HYPERLINK("http://x")', Stage.PRODUCTION, 30), ("@SUM(A1)", Stage.PRODUCTION, 5)
        )
        report, _ = _request(account, csm, "export")
        csv_text = exports.to_csv(report).decode("utf-8-sig")
        assert "'=HYPERLINK" in csv_text and "'@SUM" in csv_text
        assert ",=" not in csv_text and ",@" not in csv_text
        sheet = load_workbook(io.BytesIO(exports.to_xlsx(report))).active
        cells = [cell for row in sheet.iter_rows(values_only=True) for cell in row if isinstance(cell, str)]
        assert "'=HYPERLINK(\"http://x\")" in cells and "'@SUM(A1)" in cells
        assert not [c for c in cells if c[:1] in "=+-@"]
