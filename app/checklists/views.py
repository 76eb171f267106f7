"""Checklists: the account's playbook tasks (the client admin's landing page), ticking, starting playbooks,
and the CSM's list of overdue and due-this-week tasks across accounts."""

from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.access import EVERYONE_SIGNED_IN, VENDOR_STAFF, account_or_404, allow
from app.extensions import db
from app.i18n import translate
from playbooks import checklists as cl
from playbooks.recurrence import tokyo_today
from tenants import permissions
from tenants.accounts import list_accounts
from tenants.errors import FieldErrors
from tenants.roles import ROLE_LABELS, Role

bp = Blueprint("checklists", __name__)
TICKERS = frozenset({Role.OWNER, Role.CSM, Role.CLIENT_ADMIN, Role.CHAMPION})
ASSIGNERS = frozenset({Role.OWNER, Role.CSM, Role.CLIENT_ADMIN})
ROLE_LABEL_BY_VALUE = {role.value: label for role, label in ROLE_LABELS.items()}


@bp.app_context_processor
def _home_tasks():
    """``tasks_due_for_home()`` for the CSM's home (the portfolio): every account's overdue and due-this-week
    tasks, computed only when a page asks for it."""

    def tasks_due_for_home(limit: int = 15):
        tasks = cl.open_tasks(db.session, tokyo_today())
        return tasks[:limit], len(tasks)

    return {
        "tasks_due_for_home": tasks_due_for_home,
        "task_role_labels": ROLE_LABEL_BY_VALUE,
        "tasks_today": tokyo_today(),
    }


@bp.get("/accounts/<int:account_id>/checklist")
@allow(EVERYONE_SIGNED_IN)
def account(account_id: int):
    account = account_or_404(account_id)
    today = tokyo_today()
    started = {run.playbook_key for run in account_runs(account)}
    return render_template(
        "checklists/account.html",
        account=account,
        today=today,
        runs=cl.account_checklist(db.session, account, today),
        focus=cl.open_tasks(db.session, today, account_id=account.id),
        startable=[p for k, p in cl.available_playbooks(db.session).items() if k not in started],
        role_labels=ROLE_LABEL_BY_VALUE,
        people=_people(account),
    )


def _people(account):
    """Who a task can be assigned to: the account's people and its CSM."""
    from tenants.users import Membership, User

    people = list(
        db.session.scalars(
            db.select(User).join(Membership).where(Membership.account_id == account.id).order_by(User.name)
        )
    )
    if account.csm is not None:
        people.append(account.csm)
    return people


def account_runs(account):
    return db.session.scalars(db.select(cl.PlaybookRun).where(cl.PlaybookRun.account_id == account.id)).all()


@bp.post("/tasks/<int:task_id>/status")
@allow(TICKERS)
def set_status(task_id: int):
    """Tick (done / skipped / back to do). Answers JSON to fetch, redirects a plain form post."""
    task = db.session.get(cl.Task, task_id)
    if task is None:
        abort(404)
    if not permissions.may_tick_task(current_user, task):
        abort(403)
    wants_json = request.accept_mimetypes.best == "application/json"
    try:
        cl.set_status(
            db.session, task, current_user, request.form.get("status", ""), request.form.get("note", "")
        )
    except FieldErrors as errors:
        db.session.rollback()
        messages = {k: translate(v) for k, v in errors.errors.items()}
        if wants_json:
            return jsonify(ok=False, errors=messages), 422
        for message in messages.values():
            flash(message, "error")
        return redirect(url_for("checklists.account", account_id=task.account_id) + f"#task-{task.id}")
    db.session.commit()
    if wants_json:
        return jsonify(ok=True, status=task.status, who=current_user.name)
    return redirect(url_for("checklists.account", account_id=task.account_id) + f"#task-{task.id}")


@bp.post("/tasks/<int:task_id>/assignee")
@allow(ASSIGNERS)
def assign(task_id: int):
    """Name the person who does a task (client admins for their account, vendor staff for any)."""
    task = db.session.get(cl.Task, task_id) or abort(404)
    if not permissions.may_tick_task(current_user, task):
        abort(403)
    try:
        cl.assign(db.session, task, request.form.get("assignee_id", type=int))
        db.session.commit()
    except FieldErrors as errors:
        db.session.rollback()
        for message in errors.errors.values():
            flash(translate(message), "error")
    return redirect(url_for("checklists.account", account_id=task.account_id) + f"#task-{task.id}")


@bp.post("/accounts/<int:account_id>/playbooks")
@allow(VENDOR_STAFF)
def start(account_id: int):
    account = account_or_404(account_id)
    spec = cl.available_playbooks(db.session).get(request.form.get("playbook", ""))
    if spec is None:
        flash(_("Choose a playbook."), "error")
    else:
        try:
            cl.start_playbook(db.session, account, current_user, spec, tokyo_today())
            db.session.commit()
        except FieldErrors as errors:
            db.session.rollback()
            for message in errors.errors.values():
                flash(translate(message), "error")
    return redirect(url_for("checklists.account", account_id=account.id))


@bp.get("/checklists/due")
@allow(VENDOR_STAFF)
def due():
    """All accounts' overdue and due-this-week tasks, filterable by account."""
    today = tokyo_today()
    accounts = list_accounts(db.session)
    account_id = request.args.get("account_id", type=int)
    if account_id is not None and account_id not in {a.id for a in accounts}:
        account_id = None
    return render_template(
        "checklists/due.html",
        today=today,
        accounts=accounts,
        account_id=account_id,
        tasks=cl.open_tasks(db.session, today, account_id=account_id),
        role_labels=ROLE_LABEL_BY_VALUE,
    )
