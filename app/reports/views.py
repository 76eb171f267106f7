"""Account ROI reports: issue one (rendered by a job), follow it, read it, share it, export its figures."""

from flask import Blueprint, Response, abort, flash, g, redirect, render_template, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from app.access import PUBLIC, REPORT_READERS, VENDOR_STAFF, account_or_404, allow, may_open
from app.extensions import db
from app.forms import save_or_show_errors
from app.i18n import translate
from app.reports.forms import ReportForm
from reports import account_reports as ar
from reports import exports, sharing
from reports.models import DONE
from tenants import permissions
from tenants.errors import FieldErrors
from tenants.jobs import enqueue

bp = Blueprint("reports", __name__)


def _report_or_404(report_id: int):
    report = ar.get_report(db.session, report_id)
    if report is None or not permissions.may_read_report(current_user, report):
        abort(404)
    return report


def _render_index(account, form, status=200):
    return render_template(
        "reports/index.html",
        account=account,
        history=ar.report_history(db.session, account),
        form=form if may_open("reports.create") else None,
        may_retry=ar.may_retry,
    ), status


@bp.get("/accounts/<int:account_id>/reports")
@allow(REPORT_READERS)
def index(account_id: int):
    return _render_index(account_or_404(account_id), ReportForm(locale=str(get_locale())))


@bp.post("/accounts/<int:account_id>/reports")
@allow(VENDOR_STAFF)
def create(account_id: int):
    account = account_or_404(account_id)
    form = ReportForm()
    if form.validate_on_submit():
        outcome = save_or_show_errors(
            form, lambda: ar.request_report(db.session, account, current_user, form.to_request())
        )
        if outcome is not None:
            report, created = outcome
            if created:
                enqueue(ar.render_report, report.id, report.tenant_id, job_id=ar.job_key(report))
            return redirect(url_for("reports.detail", report_id=report.id))
    return _render_index(account, form, 422)


@bp.get("/reports/<int:report_id>")
@allow(REPORT_READERS)
def detail(report_id: int):
    report = _report_or_404(report_id)
    return render_template(
        "reports/detail.html",
        report=report,
        account=report.account,
        may_retry=ar.may_retry(report),
        may_share=permissions.may_share_report(current_user, report),
        new_link=g.pop("new_share_link", None),
    )


@bp.get("/reports/<int:report_id>/pdf")
@allow(REPORT_READERS)
def pdf(report_id: int):
    report = _report_or_404(report_id)
    if report.status != DONE:
        abort(404)
    return _pdf_response(report)


def _pdf_response(report, inline: bool = True):
    name = f"adoptloop-roi-{report.id}-{report.period_end:%Y%m}.pdf"
    disposition = "inline" if inline else "attachment"
    return Response(
        report.pdf,
        mimetype="application/pdf",
        headers={"Content-Disposition": f'{disposition}; filename="{name}"'},
    )


@bp.get("/reports/<int:report_id>/figures.csv")
@allow(REPORT_READERS)
def figures_csv(report_id: int):
    report = _report_or_404(report_id)
    return Response(
        exports.to_csv(report),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="roi-{report.id}.csv"'},
    )


@bp.get("/reports/<int:report_id>/figures.xlsx")
@allow(REPORT_READERS)
def figures_xlsx(report_id: int):
    report = _report_or_404(report_id)
    return Response(
        exports.to_xlsx(report),
        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": f'attachment; filename="roi-{report.id}.xlsx"'},
    )


@bp.post("/reports/<int:report_id>/retry")
@allow(VENDOR_STAFF)
def retry(report_id: int):
    report = _report_or_404(report_id)
    if ar.may_retry(report):
        ar.reset_for_retry(report)
        db.session.commit()
        enqueue(ar.render_report, report.id, report.tenant_id, job_id=ar.job_key(report))
        flash(_("The report is queued again."), "info")
    else:
        flash(_("This report is not failed or stalled, so there is nothing to retry."), "info")
    return redirect(url_for("reports.detail", report_id=report.id))


@bp.post("/reports/<int:report_id>/share")
@allow(VENDOR_STAFF)
def share(report_id: int):
    report = _report_or_404(report_id)
    try:
        _link, token = sharing.create_share_link(db.session, report, current_user)
        db.session.commit()
    except FieldErrors as error:
        db.session.rollback()
        flash(translate(next(iter(error.errors.values()))), "error")
        return redirect(url_for("reports.detail", report_id=report.id))
    flash(_("Share link created. It is shown once; copy it now:"), "invite")
    flash(url_for("reports.shared", token=token, _external=True), "invite-link")
    return redirect(url_for("reports.detail", report_id=report.id))


@bp.post("/reports/share-links/<int:share_link_id>/revoke")
@allow(VENDOR_STAFF)
def revoke_link(share_link_id: int):
    link = sharing.get_share_link(db.session, share_link_id) or abort(404)
    sharing.revoke_share_link(db.session, link, current_user)
    db.session.commit()
    flash(_("The share link is revoked."), "info")
    return redirect(url_for("reports.detail", report_id=link.report_id))


@bp.get("/r/<token>")
@allow(PUBLIC)
def shared(token: str):
    status, report = sharing.open_share_link(db.session, token)
    db.session.commit()
    if status == "missing":
        abort(404)
    if status == "gone":
        return render_template("reports/link_gone.html"), 410
    return _pdf_response(report)
