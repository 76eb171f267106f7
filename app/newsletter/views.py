"""The wins newsletter: preview this month's composition, edit the intro, send (a second send in a month asks
for a confirmation), settings (Slack webhook, auto-send), the archive of frozen issues, retry, unsubscribe."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from app.access import EVERYONE_SIGNED_IN, PUBLIC, account_or_404, allow
from app.extensions import db
from app.forms import save_or_show_errors
from app.newsletter.forms import IssueForm, SettingsForm
from app.newsletter_jobs import (
    day_label,
    month_label,
    read_unsubscribe_token,
    start_sending,
    webhook_prefixes,
)
from playbooks import newsletter as nl
from playbooks.recurrence import tokyo_today
from tenants.accounts import get_account
from tenants.roles import Role
from tenants.scoping import Scope, scoped
from tenants.users import User

bp = Blueprint("newsletter", __name__)
bp.add_app_template_filter(month_label, "month_label")
bp.add_app_template_filter(day_label, "day_label")

# Who composes and sends: the client admin and champions (the curators), and the vendor's staff.
CURATORS = frozenset({Role.OWNER, Role.CSM, Role.CLIENT_ADMIN, Role.CHAMPION})
# The Slack webhook and auto-send: the client admin and the vendor's staff.
SETTERS = frozenset({Role.OWNER, Role.CSM, Role.CLIENT_ADMIN})


def _issue_or_404(issue_id: int) -> nl.NewsletterIssue:
    return db.session.get(nl.NewsletterIssue, issue_id) or abort(404)


def _lang() -> str:
    return "ja" if str(get_locale()) == "ja" else "en"


def _month(value: str | None):
    return nl.parse_month(value) or nl.first_of_month(tokyo_today())


def _render_page(account, month, issue_form=None, settings_form=None, status=200):
    settings = nl.find_settings(db.session, account)
    if issue_form is None:
        issue_form = IssueForm(month=month.strftime("%Y-%m"), intro=settings.intro_draft if settings else "")
    if settings_form is None:
        settings_form = SettingsForm(
            slack_webhook_url=settings.slack_webhook_url if settings else "",
            auto_send=settings.auto_send if settings else False,
        )
    issues = nl.issues_of(db.session, account)
    return render_template(
        "newsletter/page.html",
        account=account,
        month=month,
        content=nl.compose(db.session, account, month),
        intro=issue_form.intro.data or "",
        issue_form=issue_form,
        settings_form=settings_form,
        already=any(i.month == month for i in issues),
        issues=issues,
        recipients=len(nl.recipients(db.session, account)),
        slack_on=bool(settings and settings.slack_webhook_url),
        lang=_lang(),
    ), status


@bp.get("/accounts/<int:account_id>/newsletter")
@allow(CURATORS)
def page(account_id: int):
    account = account_or_404(account_id)
    return _render_page(account, _month(request.args.get("month")))


@bp.post("/accounts/<int:account_id>/newsletter/intro")
@allow(CURATORS)
def save_intro(account_id: int):
    account = account_or_404(account_id)
    form = IssueForm()
    month = _month(form.month.data)
    if form.validate_on_submit() and save_or_show_errors(
        form, lambda: nl.save_intro(db.session, account, form.intro.data or "")
    ):
        flash(_("The intro is saved as a draft."), "success")
        return redirect(url_for("newsletter.page", account_id=account.id, month=month.strftime("%Y-%m")))
    return _render_page(account, month, issue_form=form, status=422)


@bp.post("/accounts/<int:account_id>/newsletter/send")
@allow(CURATORS)
def send(account_id: int):
    account = account_or_404(account_id)
    form = IssueForm()
    month = _month(form.month.data)
    issue = None
    if form.validate_on_submit():
        issue = save_or_show_errors(
            form,
            lambda: nl.start_issue(
                db.session, account, current_user, month, form.intro.data or "", bool(form.confirm.data)
            ),
        )
    if issue is None:
        return _render_page(account, month, issue_form=form, status=422)
    people = len(issue.deliveries)
    issue_id = issue.id
    start_sending(issue)
    flash(_("The newsletter is on its way to %(n)d people.", n=people), "success")
    return redirect(url_for("newsletter.issue", issue_id=issue_id))


@bp.post("/accounts/<int:account_id>/newsletter/settings")
@allow(SETTERS)
def save_settings(account_id: int):
    account = account_or_404(account_id)
    form = SettingsForm()
    month = _month(request.args.get("month"))
    if form.validate_on_submit() and save_or_show_errors(
        form,
        lambda: nl.save_settings(
            db.session,
            account,
            slack_webhook_url=form.slack_webhook_url.data or "",
            auto_send=bool(form.auto_send.data),
            allowed_prefixes=webhook_prefixes(),
        ),
    ):
        flash(_("The newsletter settings are saved."), "success")
        return redirect(url_for("newsletter.page", account_id=account.id))
    return _render_page(account, month, settings_form=form, status=422)


@bp.get("/newsletters/<int:issue_id>")
@allow(EVERYONE_SIGNED_IN)
def issue(issue_id: int):
    found = _issue_or_404(issue_id)
    return render_template(
        "newsletter/issue.html",
        issue=found,
        account=found.account,
        content=found.content,
        counts=found.counts(),
        lang=_lang(),
    )


@bp.post("/newsletters/<int:issue_id>/retry")
@allow(CURATORS)
def retry(issue_id: int):
    found = _issue_or_404(issue_id)
    if nl.may_retry(found):
        nl.reset_for_retry(db.session, found)
        db.session.commit()
        start_sending(found)
        flash(_("Sending again what failed; what was sent is not sent twice."), "success")
    else:
        flash(_("Only an issue that failed can be retried."), "error")
    return redirect(url_for("newsletter.issue", issue_id=issue_id))


@bp.route("/newsletter/unsubscribe/<token>", methods=["GET", "POST"])
@allow(PUBLIC)
def unsubscribe(token: str):
    """Opened from the link in a newsletter: GET asks, POST unsubscribes (or subscribes again)."""
    data = read_unsubscribe_token(token)
    if data is None:
        return _invalid_link()
    with scoped(db.session, Scope(tenant_id=data["t"])):
        person = db.session.get(User, data["u"])
        account = get_account(db.session, data["a"])
        if person is None or account is None or person.account_id != account.id:
            db.session.rollback()
            return _invalid_link()
        done = None
        if request.method == "POST":
            if request.form.get("action") == "subscribe":
                nl.opt_in(db.session, account.id, person.id)
                done = "subscribed"
            else:
                nl.opt_out(db.session, account.id, person.tenant_id, person.id)
                done = "unsubscribed"
            db.session.commit()
        values = dict(
            name=person.name,
            email=person.email,
            account_name=account.name,
            opted_out=nl.is_opted_out(db.session, account.id, person.id),
        )
    return render_template("newsletter/unsubscribe.html", token=token, done=done, **values)


def _invalid_link():
    """A 404 that says what happened: the link is damaged, or its person or account no longer exists."""
    return render_template("newsletter/unsubscribe.html", invalid=True), 404
