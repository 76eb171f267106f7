"""Account ROI reports: request (inputs frozen), render (an rq job), retry, history, and the figures export.

A report row exists, with its frozen inputs and results, before its job is enqueued; the job only turns
those into a PDF. A retried, double-clicked or re-delivered job therefore finds the same row and never makes
a second report (DESIGN: "a Report row with a unique key exists before enqueue").
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from playbooks.usecases import UseCase
from reports.models import DONE, FAILED, QUEUED, RUNNING, Report
from reports.roi import compute, parse_inputs, to_json
from reports.roi_inputs import inputs_from_account, production_use_cases
from tenants import audit
from tenants.accounts import Account, Team
from tenants.billing.state import check_limit, month_start
from tenants.db import as_utc, db, utcnow
from tenants.errors import N_, FieldErrors
from tenants.jobs import enqueue, job, sweeper
from tenants.scoping import Scope, scoped, unscoped
from tenants.tenant import Tenant
from tenants.users import User

BUSINESS_TZ = ZoneInfo("Asia/Tokyo")
RENDER_TIMEOUT = 300  # seconds; a report still "running" after this was abandoned by a dead worker
MAX_PERIOD_DAYS = 731
TOP_USE_CASES = 5


@dataclass(frozen=True)
class ReportRequest:
    period_start: date
    period_end: date
    locale: str
    request_key: str
    enablement_cost: int = 0
    internal_hours_per_month: float = 0
    realization_rate: float = 0.5
    risk_adjustment: float = 0.0
    discount_rate: float = 0.10
    notes: str = ""


def _check(req: ReportRequest) -> None:
    errors = {}
    if req.period_end < req.period_start:
        errors["period_end"] = N_("The period must end on or after its first day.")
    elif (req.period_end - req.period_start).days > MAX_PERIOD_DAYS:
        errors["period_end"] = N_("A report covers at most two years.")
    if req.locale not in ("ja", "en"):
        errors["locale"] = N_("Choose Japanese or English.")
    if len(req.notes) > 5_000:
        errors["notes"] = N_("Keep the notes under 5,000 characters.")
    if "\x00" in req.notes:
        errors["notes"] = N_("This text contains a NUL character; paste it again as plain text.")
    if errors:
        raise FieldErrors(errors)


def months_of(start: date, end: date) -> list[date]:
    """First days of the months that the period touches."""
    months, current = [], start.replace(day=1)
    while current <= end:
        months.append(current)
        current = (current + timedelta(days=32)).replace(day=1)
    return months


def _month_end(month: date) -> date:
    return (month + timedelta(days=32)).replace(day=1) - timedelta(days=1)


def account_measures(session: Session, account: Account, start: date, end: date) -> dict:
    """What the loop produced in the period: cases shared, density, production cases, team coverage, and a
    month-by-month trend. Counts of use cases, never of people (teams are measured, people are not ranked)."""
    in_period = (
        UseCase.account_id == account.id,
        UseCase.published_at >= _day_start(start),
        UseCase.published_at < _day_start(end + timedelta(days=1)),
    )
    shared = session.scalar(select(func.count(UseCase.id)).where(*in_period)) or 0
    teams_with_cases = (
        session.scalar(
            select(func.count(func.distinct(UseCase.team_id))).where(*in_period, UseCase.team_id.is_not(None))
        )
        or 0
    )
    team_count = session.scalar(select(func.count(Team.id)).where(Team.account_id == account.id)) or 0
    months = months_of(start, end)
    production = production_use_cases(session, account)
    published = _published(session, account)
    trend = []
    for month in months:
        last = _month_end(month)
        count = sum(1 for day in published if month <= day <= last)
        # A production case saves time from the day it was first used, whenever it was written up.
        minutes = sum(c.minutes_saved_per_month for c in production if c.used_on <= last)
        trend.append(
            {
                "month": month.isoformat(),
                "shared": count,
                "density": round(count * 100 / account.licensed_seats, 2),
                "gross_hours": round(minutes / 60, 2),
            }
        )
    return {
        "use_cases_shared": shared,
        "use_case_density": round(shared * 100 / account.licensed_seats / max(len(months), 1), 2),
        "production_use_cases": len(production),
        "team_coverage": round(teams_with_cases / team_count, 3) if team_count else None,
        "teams": team_count,
        "teams_with_cases": teams_with_cases,
        "trend": trend,
        "top_use_cases": [
            {
                "id": c.id,
                "title": c.title,
                "problem": c.problem,
                "prompt": c.prompt,
                "result": c.result,
                "model_name": c.model_name,
                "minutes_saved_per_month": c.minutes_saved_per_month,
                "team": c.team.name if c.team else None,
            }
            for c in production[:TOP_USE_CASES]
        ],
    }


def _published(session: Session, account: Account) -> list[date]:
    dates = session.scalars(
        select(UseCase.published_at).where(
            UseCase.account_id == account.id, UseCase.published_at.is_not(None)
        )
    )
    return [_local_day(d) for d in dates]


def _day_start(day: date) -> datetime:
    """Midnight of ``day`` where the client works: periods are business days in Japan, not UTC days."""
    return datetime.combine(day, time.min, tzinfo=BUSINESS_TZ)


def _local_day(moment: datetime) -> date:
    return as_utc(moment).astimezone(BUSINESS_TZ).date()


def digest(inputs: dict) -> str:
    return hashlib.sha256(
        json.dumps(inputs, sort_keys=True, ensure_ascii=False, default=str).encode()
    ).hexdigest()


def request_report(
    session: Session, account: Account, actor: User, req: ReportRequest
) -> tuple[Report, bool]:
    """The report for ``req.request_key``: the existing one (False) or a new one with frozen inputs (True).

    Raises :class:`FieldErrors` for a bad period, language or notes. The caller commits and enqueues.
    """
    if existing := session.scalar(select(Report).where(Report.request_key == req.request_key)):
        return existing, False
    _check(req)
    this_month = session.scalar(select(func.count(Report.id)).where(Report.created_at >= month_start())) or 0
    check_limit(session.get(Tenant, account.tenant_id), "reports_per_month", this_month)
    inputs = inputs_from_account(
        session,
        account,
        enablement_cost=req.enablement_cost,
        internal_hours_per_month=req.internal_hours_per_month,
        realization_rate=str(req.realization_rate),
        risk_adjustment=str(req.risk_adjustment),
        discount_rate=str(req.discount_rate),
    )
    results = {
        "roi": to_json(compute(parse_inputs(inputs))),
        "measures": account_measures(session, account, req.period_start, req.period_end),
        "account": {
            "name": account.name,
            "licensed_seats": account.licensed_seats,
            "kickoff_date": account.kickoff_date.isoformat(),
        },
    }
    report = Report(
        tenant_id=account.tenant_id,
        account_id=account.id,
        request_key=req.request_key,
        period_start=req.period_start,
        period_end=req.period_end,
        locale=req.locale,
        status=QUEUED,
        inputs=inputs,
        results=results,
        notes=req.notes.strip(),
        inputs_sha256=digest({"inputs": inputs, "period": [str(req.period_start), str(req.period_end)]}),
        created_by_id=actor.id,
    )
    session.add(report)
    session.flush()
    audit.record(session, account.tenant_id, actor.id, "report.requested", f"report:{report.id}", account.id)
    return report, True


def is_stalled(report: Report, now: datetime | None = None) -> bool:
    """A report left "running" by a worker that died (killed, out of memory) longer than the job timeout."""
    return (
        report.status == RUNNING
        and report.started_at is not None
        and (now or utcnow()) - as_utc(report.started_at) > timedelta(seconds=RENDER_TIMEOUT)
    )


def may_retry(report: Report, now: datetime | None = None) -> bool:
    return report.status == FAILED or is_stalled(report, now)


def job_key(report: Report) -> str:
    """The rq job id for the report's next attempt: a double click while queued finds the same job, while a
    retry after a dead worker (whose job rq still lists as started) gets a fresh one. Either way the job
    fills the same report row."""
    return f"report-{report.id}-{report.attempts}"


def reset_for_retry(report: Report) -> None:
    """Put a failed or stalled report back in the queue (same row: a retry never makes a second report)."""
    report.status, report.error, report.started_at = QUEUED, None, None


@job("reports", timeout=RENDER_TIMEOUT, retries=2, retry_intervals=(5, 30))
def render_report(report_id: int, tenant_id: int) -> str:
    """Job: render the PDF of a queued report from its frozen inputs. Returns the report's status."""
    from reports.report_pdf import render_account_report_pdf

    session = db.session
    with scoped(session, Scope(tenant_id=tenant_id)):
        report = session.get(Report, report_id)
        if report is None:
            return "missing"
        if report.status == DONE:
            return DONE  # a re-delivered job: the report exists once, unchanged
        report.status, report.started_at, report.error = RUNNING, utcnow(), None
        report.attempts += 1
        session.commit()
        try:
            pdf, pages = render_account_report_pdf(report)
        except Exception as error:
            session.rollback()
            report = session.get(Report, report_id)
            report.status, report.error = FAILED, f"{type(error).__name__}: {error}"[:1000]
            report.finished_at = utcnow()
            session.commit()
            raise
        report.pdf, report.pages = pdf, pages
        report.pdf_sha256 = hashlib.sha256(pdf).hexdigest()
        report.status, report.finished_at = DONE, utcnow()
        session.commit()
        return DONE


@sweeper
def requeue_reports() -> int:
    """Enqueue the render of every report still waiting in "queued" (requested while Redis was away, or
    lost with a Redis restart). Returns how many."""
    with unscoped(db.session, "the sweeper re-enqueues queued reports of every tenant"):
        waiting = list(db.session.scalars(select(Report).where(Report.status == QUEUED)))
        for report in waiting:
            enqueue(render_report, report.id, report.tenant_id, job_id=job_key(report))
    return len(waiting)


def report_history(session: Session, account: Account) -> list[dict]:
    """The account's reports, newest first, each with the change in its headline figures since the previous
    finished one."""
    reports = list(
        session.scalars(
            select(Report).where(Report.account_id == account.id).order_by(Report.created_at, Report.id)
        )
    )
    rows, previous = [], None
    for report in reports:
        roi = report.results["roi"]
        delta = None
        if previous is not None and report.status == DONE:
            before = previous.results["roi"]
            delta = {
                key: (roi[key] - before[key]) if roi[key] is not None and before[key] is not None else None
                for key in ("realized_hours_per_month", "realized_value_per_month", "roi_pct")
            }
        rows.append({"report": report, "delta": delta})
        if report.status == DONE:
            previous = report
    return rows[::-1]


def list_reports(session: Session, account: Account) -> list[Report]:
    return list(
        session.scalars(select(Report).where(Report.account_id == account.id).order_by(Report.id.desc()))
    )


def get_report(session: Session, report_id: int) -> Report | None:
    return session.scalar(select(Report).where(Report.id == report_id))
