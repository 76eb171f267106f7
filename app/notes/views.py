"""The second brain pages: import a chat export, browse and search the raw notes, promote one to a case."""

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.access import account_or_404, allow
from app.extensions import db
from app.forms import form_status, save_or_show_errors
from app.i18n import translate
from app.library.forms import UseCaseForm
from app.limits import accepts_upload
from playbooks import notes
from playbooks.note_formats import FORMAT_LABELS, MAX_FILE_BYTES, NoteFormatError
from playbooks.note_samples import SAMPLES, sample
from playbooks.search.service import similar_use_cases
from playbooks.search.terms import highlight, snippet
from playbooks.win_rules import LABELS as REASON_LABELS
from tenants.permissions import NOTE_PROMOTERS, NOTE_READERS

bp = Blueprint("notes", __name__)


def _note_or_404(note_id: int) -> notes.Note:
    # Scoping hides other tenants' and accounts' notes: "not yours" is "missing".
    return db.session.get(notes.Note, note_id) or abort(404)


def _filters() -> notes.NoteFilters:
    promoted = request.args.get("promoted")
    return notes.NoteFilters(
        query=request.args.get("q", "")[:500],
        flagged_only=request.args.get("flagged") == "1",
        channel=(request.args.get("channel") or "").strip()[:120] or None,
        promoted={"1": True, "0": False}.get(promoted or ""),
    )


def _page_arg() -> int:
    value = request.args.get("page", "")
    return int(value) if value.isdigit() and len(value) < 7 else 1


def _snippet(text: str, terms: tuple[str, ...]) -> list[tuple[str, bool]]:
    """Around the matched words when searching; else the start, line breaks kept (a prompt reads whole)."""
    if terms:
        return highlight(snippet(text, terms, 240), terms)
    return [(text if len(text) <= 300 else text[:300] + "…", False)]


def _index_page(account, status: int = 200, outcome=None):
    filters = _filters()
    found = notes.find_notes(db.session, account.id, filters, page=_page_arg())
    snippets = {n.id: _snippet(n.text, found.terms) for n in found.notes}
    return render_template(
        "notes/index.html",
        account=account,
        found=found,
        snippets=snippets,
        filters=filters,
        channels=notes.channels_of(db.session, account.id),
        imports=notes.imports_of(db.session, account),
        outcome=outcome,
        format_labels=FORMAT_LABELS,
        reason_labels=REASON_LABELS,
        samples=SAMPLES,
        max_mb=MAX_FILE_BYTES // 2**20,
        page_args={k: v for k, v in request.args.items() if k != "page"},
    ), status


@bp.get("/accounts/<int:account_id>/notes")
@allow(NOTE_READERS)
def index(account_id: int):
    return _index_page(account_or_404(account_id))


@bp.post("/accounts/<int:account_id>/notes/import")
@allow(NOTE_READERS)
@accepts_upload(file_bytes=MAX_FILE_BYTES)
def import_file(account_id: int):
    account = account_or_404(account_id)
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        flash(_("Choose a Slack export (.zip), a Teams channel export (.json) or Markdown notes."), "error")
        return _index_page(account, 422)
    try:
        outcome = notes.import_notes(
            db.session,
            account,
            current_user,
            upload.read(),
            filename=upload.filename,
            secret=current_app.config["SECRET_KEY"],
        )
        db.session.commit()
    except NoteFormatError as error:
        db.session.rollback()
        flash(_("Nothing was imported: %(reason)s", reason=translate(error.message)), "error")
        return _index_page(account, 422)
    record = outcome.record
    flash(
        _(
            "%(added)s new notes imported (%(flagged)s look like wins); %(old)s were already here, "
            "%(skipped)s joins, bot posts and other files skipped.",
            added=record.added,
            flagged=record.flagged,
            old=record.already_there,
            skipped=record.skipped,
        ),
        "success",
    )
    return redirect(url_for("notes.index", account_id=account.id, flagged="1" if record.flagged else None))


@bp.get("/accounts/<int:account_id>/notes/sample")
@allow(NOTE_READERS)
def sample_file(account_id: int):
    """A sample export to try the import with (and to see which shape each tool writes)."""
    account_or_404(account_id)
    kind = request.args.get("kind", "slack")
    if kind not in SAMPLES:
        abort(404)
    filename, data = sample(kind)
    mimetype = "application/json" if filename.endswith(".json") else "application/zip"
    return Response(
        data, mimetype=mimetype, headers={"Content-Disposition": f'attachment; filename="{filename}"'}
    )


@bp.get("/notes/<int:note_id>")
@allow(NOTE_READERS)
def detail(note_id: int):
    note = _note_or_404(note_id)
    may_promote = current_user.role in NOTE_PROMOTERS
    return render_template(
        "notes/detail.html",
        note=note,
        thread=notes.thread_of(db.session, note),
        reason_labels=REASON_LABELS,
        format_labels=FORMAT_LABELS,
        draft=notes.draft_from_note(note) if may_promote and note.use_case_id is None else None,
        may_promote=may_promote,
    )


@bp.route("/notes/<int:note_id>/promote", methods=["GET", "POST"])
@allow(NOTE_PROMOTERS)
def promote(note_id: int):
    note = _note_or_404(note_id)
    if note.use_case_id is not None:
        flash(_("This note is already a use case."), "info")
        return redirect(url_for("library.detail", use_case_id=note.use_case_id))
    form = UseCaseForm(teams=note.account.teams)
    draft = notes.draft_from_note(note)
    if request.method == "GET":
        for name in (
            "title",
            "problem",
            "prompt",
            "result",
            "model_name",
            "used_on",
            "minutes_saved_per_run",
        ):
            getattr(form, name).data = draft[name]
        form.runs_per_month.data, form.people.data = None, 1
    suggest = request.method == "GET" or request.form.get("action") == "suggest"
    if request.method == "POST" and form.validate_on_submit() and not suggest:
        publish = request.form.get("action") != "draft"
        case = save_or_show_errors(
            form, lambda: notes.promote_note(db.session, note, current_user, publish=publish, **form.values())
        )
        if case is not None:
            flash(_("Published. The note links to it.") if publish else _("Saved as a draft."), "success")
            return redirect(url_for("library.detail", use_case_id=case.id))
    suggestions = []
    if (
        suggest
    ):  # the library's similar-case check runs on the draft, so a duplicate is seen before it is made
        text = f"{form.title.data or ''}. {form.problem.data or ''}"
        suggestions = similar_use_cases(db.session, [note.account_id], text, limit=5)
        db.session.commit()  # vectors computed for cases saved without one
    return render_template(
        "library/form.html",
        form=form,
        case=None,
        note=note,
        draft=draft,
        suggestions=suggestions,
        reason_labels=REASON_LABELS,
    ), form_status(form)
