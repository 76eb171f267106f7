"""Uploading a usage export: check it first (format, encoding, first rows, mapping, problems), then import."""

import secrets
import time
from pathlib import Path

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.access import account_or_404, allow
from app.extensions import db
from app.limits import accepts_upload
from reports import usage_jobs
from reports.importers import COLUMNS, read
from reports.importers.text import auto_mapping
from reports.usage import UsageImport, import_usage, remembered_mapping
from tenants.roles import Role

bp = Blueprint("usage", __name__)
UPLOADERS = frozenset({Role.OWNER, Role.CSM, Role.CLIENT_ADMIN})
PENDING_TTL = 3600  # seconds an uploaded file waits for its import to be confirmed
PREVIEW_ROWS = 10


def _pending_dir() -> Path:
    path = Path(current_app.instance_path) / "pending-uploads"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _pending_path(account_id: int, token: str) -> Path:
    # The token is ours (token_urlsafe); the account id in the name keeps one client's file from another's.
    if not token.replace("-", "").replace("_", "").isalnum():
        abort(400)
    return _pending_dir() / f"{account_id}-{token}"


def _stored_dir() -> Path:
    return Path(current_app.instance_path) / "usage-files"


def _history(account):
    return db.session.scalars(
        db.select(UsageImport)
        .where(UsageImport.account_id == account.id)
        .order_by(UsageImport.id.desc())
        .limit(20)
    ).all()


@bp.get("/accounts/<int:account_id>/usage")
@allow(UPLOADERS)
def index(account_id: int):
    account = account_or_404(account_id)
    return render_template("usage/index.html", account=account, history=_history(account), preview=None)


@bp.post("/accounts/<int:account_id>/usage/preview")
@allow(UPLOADERS)
@accepts_upload
def preview(account_id: int):
    account = account_or_404(account_id)
    upload = request.files.get("file")
    token = request.form.get("token", "")
    if upload and upload.filename:
        data, filename, token = upload.read(), upload.filename, secrets.token_urlsafe(16)
        _pending_path(account.id, token).write_bytes(data)
    elif token and (path := _pending_path(account.id, token)).exists():
        data, filename = path.read_bytes(), request.form.get("filename", "upload")
    else:
        flash(_("Choose a file to upload."), "error")
        return redirect(url_for("usage.index", account_id=account.id))
    chosen = _mapping_from_form()
    remembered = {} if chosen else remembered_mapping(db.session, account)
    mapping = {h: f for h, f in (chosen or remembered).items() if f}
    partial = usage_jobs.count_lines(data) > current_app.config["USAGE_INLINE_MAX_ROWS"]
    try:
        if partial:  # a large file: its first rows now, the rest during the import
            result = usage_jobs.preview_large(data, request.form.get("format", "auto"), mapping or None)
        else:
            result = read(data, request.form.get("format", "auto"), mapping or None)
    except ValueError as error:
        flash(str(error), "error")
        return redirect(url_for("usage.index", account_id=account.id))
    headers = _headers(data) if result.format == "generic" else []
    known_teams = {t.name for t in account.teams}
    unknown_teams = sorted({t for t in result.frame.team.dropna() if t not in known_teams})
    return render_template(
        "usage/index.html",
        account=account,
        history=_history(account),
        token=token,
        filename=filename,
        preview=result,
        rows=result.frame.head(PREVIEW_ROWS).to_dict("records"),
        headers=headers,
        mapping={**auto_mapping(headers), **mapping},
        fields=COLUMNS,
        unknown_teams=unknown_teams,
        partial=partial,
    )


def _mapping_from_form() -> dict[str, str]:
    return {key.removeprefix("map:"): value for key, value in request.form.items() if key.startswith("map:")}


def _headers(data: bytes) -> list[str]:
    from reports.importers.generic import _rows_of

    rows, _ = _rows_of(data)
    first = next((r for r in rows if any(str(c or "").strip() for c in r)), [])
    return [str(h).strip() for h in first if h is not None]


@bp.post("/accounts/<int:account_id>/usage/import")
@allow(UPLOADERS)
def commit(account_id: int):
    account = account_or_404(account_id)
    path = _pending_path(account.id, request.form.get("token", ""))
    if not path.exists() or time.time() - path.stat().st_mtime > PENDING_TTL:
        flash(_("The checked file has expired; upload it again."), "error")
        return redirect(url_for("usage.index", account_id=account.id))
    mapping = {h: f for h, f in _mapping_from_form().items() if f}
    data = path.read_bytes()
    options = dict(
        filename=request.form.get("filename", "upload"),
        fmt=request.form.get("format", "auto"),
        mapping=mapping or None,
        only_valid=bool(request.form.get("only_valid")),
        create_teams=bool(request.form.get("create_teams")),
    )
    if usage_jobs.count_lines(data) > current_app.config["USAGE_INLINE_MAX_ROWS"]:
        # A large file: a job reads it in chunks while the page shows how far it got.
        record = usage_jobs.queue_import(
            db.session, account, current_user, data, folder=_stored_dir(), **options
        )
        db.session.commit()
        path.unlink(missing_ok=True)
        usage_jobs.start(record)
        flash(_("The file is being imported in the background; this page shows its progress."), "info")
        return redirect(url_for("usage.index", account_id=account.id))
    try:
        record = import_usage(
            db.session, account, current_user, data, secret=current_app.config["SECRET_KEY"], **options
        )
    except ValueError as error:  # the form's format or mapping makes the checked file unreadable
        db.session.rollback()
        flash(str(error), "error")
        return redirect(url_for("usage.index", account_id=account.id))
    db.session.commit()
    if record.status == "refused":
        flash(
            _("Nothing was imported: the file has problems. Fix them, or import only the valid rows."),
            "error",
        )
    else:
        path.unlink(missing_ok=True)
        flash(
            _(
                "%(n)s rows imported (%(r)s replaced rows already imported).",
                n=record.imported,
                r=record.replaced,
            ),
            "success",
        )
    return redirect(url_for("usage.index", account_id=account.id))


@bp.post("/usage-imports/<int:import_id>/retry")
@allow(UPLOADERS)
def retry(import_id: int):
    """Run a failed import job again, on the same row and the same stored file."""
    record = db.session.get(UsageImport, import_id) or abort(404)
    if usage_jobs.may_retry(record):
        usage_jobs.reset_for_retry(record)
        db.session.commit()
        usage_jobs.start(record)
        flash(_("The import is queued again."), "info")
    return redirect(url_for("usage.index", account_id=record.account_id))
