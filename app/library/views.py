"""The use-case library pages: search and browse, write, read and discuss, keep both with context, wiki day,
import and export."""

from datetime import date

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from app.access import EVERYONE_SIGNED_IN, VENDOR_STAFF, allow
from app.extensions import db
from app.forms import apply_field_errors, form_status, save_or_show_errors
from app.i18n import translate
from app.library.forms import STAGE_LABELS, CommentForm, ImportForm, LinkForm, StageForm, UseCaseForm
from app.limits import accepts_upload
from playbooks import library
from playbooks.search.service import SearchFilters, search_use_cases, similar_use_cases
from playbooks.usecase_comments import add_comment, mark_mentions_read, mentions_for, mentions_in, thread
from playbooks.usecase_history import edit_use_case, history, line_diff, publish_use_case
from playbooks.usecase_import import MAX_FILE_BYTES, export_library, import_sheet
from playbooks.usecase_links import LINK_KIND_LABELS, UseCaseLink, link_use_cases, links_of
from playbooks.usecase_sheets import SheetError
from playbooks.usecases import Stage, UseCase
from tenants import permissions
from tenants.accounts import Account
from tenants.errors import FieldErrors
from tenants.roles import Role

bp = Blueprint("library", __name__, url_prefix="/library")

POSTERS = permissions.USE_CASE_POSTERS
CURATORS = permissions.USE_CASE_CURATORS
COMMENTERS = permissions.USE_CASE_COMMENTERS
IMPORTERS = CURATORS | VENDOR_STAFF


def _accounts() -> list[int]:
    return library.visible_account_ids(db.session, current_user)


def _case_or_404(use_case_id: int) -> UseCase:
    """A case the user may read; scoping hides other tenants' and accounts', so 'not yours' is 'missing'."""
    case = db.session.get(UseCase, use_case_id)
    if case is None or not permissions.may_read_use_case(current_user, case):
        abort(404)
    return case


def _require(rule, case) -> None:
    if not rule(current_user, case):
        abort(403)


def _date_arg(name: str) -> date | None:
    try:
        return date.fromisoformat(request.args.get(name, ""))
    except ValueError:
        return None


def _int_arg(name: str) -> int | None:
    value = request.args.get(name, "")
    return int(value) if value.isdigit() and len(value) < 10 else None


def _filters() -> SearchFilters:
    stage = request.args.get("stage") or None
    return library.reader_filters(
        current_user,
        SearchFilters(
            team_id=_int_arg("team"),
            stage=stage if stage in set(Stage) else None,
            model=(request.args.get("model") or "").strip()[:120] or None,
            date_from=_date_arg("from"),
            date_to=_date_arg("to"),
            tag=(request.args.get("tag") or "").strip()[:50] or None,
        ),
    )


def _selected_accounts() -> list[int]:
    accounts = _accounts()
    chosen = _int_arg("account")
    return [chosen] if chosen in accounts else accounts


@bp.get("")
@allow(EVERYONE_SIGNED_IN)
def index():
    filters = _filters()
    account_ids = _selected_accounts()
    query = request.args.get("q", "")
    results = listing = None
    if query.strip():
        results = search_use_cases(db.session, account_ids, query, filters, limit=30)
        db.session.commit()  # vectors computed for cases saved without one
    else:
        listing = library.list_use_cases(
            db.session, account_ids, filters, page=_int_arg("page") or 1, author=current_user
        )
    accounts = db.session.scalars(
        db.select(Account).where(Account.id.in_(_accounts())).order_by(Account.name)
    )
    accounts = list(accounts)
    return render_template(
        "library/index.html",
        query=query,
        results=results,
        listing=listing,
        filters=filters,
        accounts=accounts,
        teams=[t for a in accounts if a.id in account_ids for t in a.teams],
        stage_labels=STAGE_LABELS,
        mentions=mentions_for(db.session, current_user),
        drafts=library.drafts_of(db.session, current_user),
        notice=translate(results.notice) if results and results.notice else None,
        page_args={k: v for k, v in request.args.items() if k != "page"},
    )


@bp.route("/new", methods=["GET", "POST"])
@allow(POSTERS)
def new():
    account = db.session.get(Account, current_user.account_id) or abort(404)
    form = UseCaseForm(teams=account.teams)
    suggestions = []
    if request.method == "POST" and form.validate_on_submit():
        if request.form.get("action") == "suggest":
            text = f"{form.title.data or ''}. {form.problem.data or ''}"
            suggestions = similar_use_cases(db.session, [account.id], text, limit=5)
            db.session.commit()
        else:
            publish = request.form.get("action") != "draft"
            case = save_or_show_errors(
                form,
                lambda: library.post_use_case(
                    db.session, account, current_user, publish=publish, source="post", **form.values()
                ),
            )
            if case is not None:
                flash(_("Published.") if publish else _("Saved as a draft."), "success")
                return redirect(url_for("library.detail", use_case_id=case.id))
    return render_template("library/form.html", form=form, case=None, suggestions=suggestions), form_status(
        form
    )


def _detail_page(case: UseCase, comment_form=None, link_form=None, status=200):
    comment_form = comment_form or CommentForm(formdata=None)
    link_form = link_form or LinkForm(formdata=None)
    link_query = request.args.get("link_q", "")
    candidates = []
    if not permissions.may_link_use_cases(current_user, case):
        pass  # nothing to offer: the link form is not shown
    elif link_query.strip():
        found = search_use_cases(
            db.session, [case.account_id], link_query, library.reader_filters(current_user)
        )
        candidates = [h for h in found.hits if h.use_case.id != case.id]
    else:
        candidates = similar_use_cases(
            db.session, [case.account_id], f"{case.title}. {case.problem}", exclude=[case.id], limit=5
        )
    links = links_of(db.session, case)
    linked = {link.other(case.id).id for link in links}
    page = render_template(
        "library/detail.html",
        case=case,
        activity=library.activity_of(db.session, case),
        comments=thread(db.session, case),
        links=links,
        link_labels=LINK_KIND_LABELS,
        candidates=[h for h in candidates if h.use_case.id not in linked],
        link_query=link_query,
        comment_form=comment_form,
        link_form=link_form,
        stage_form=StageForm(formdata=None, stage=case.stage),
        stage_labels=STAGE_LABELS,
    )
    db.session.commit()  # the view count, read mentions and any vectors computed for the suggestions
    return page, status


@bp.get("/<int:use_case_id>")
@allow(EVERYONE_SIGNED_IN)
def detail(use_case_id: int):
    case = _case_or_404(use_case_id)
    library.record_view(db.session, case)
    mark_mentions_read(db.session, current_user, case)
    return _detail_page(case)


@bp.route("/<int:use_case_id>/edit", methods=["GET", "POST"])
@allow(POSTERS)
def edit(use_case_id: int):
    case = _case_or_404(use_case_id)
    _require(permissions.may_edit_use_case, case)
    body = permissions.may_edit_use_case_body(current_user, case)
    form = UseCaseForm(teams=case.account.teams)
    if request.method == "GET":
        form.fill_from(case)
    elif form.validate_on_submit():
        saved = save_or_show_errors(
            form, lambda: edit_use_case(db.session, case, current_user, **form.values(body=body)) or True
        )
        if saved is not None:
            flash(_("Saved. The change is in the history."), "success")
            return redirect(url_for("library.detail", use_case_id=case.id))
    return render_template("library/form.html", form=form, case=case, body_editable=body), form_status(form)


@bp.post("/<int:use_case_id>/publish")
@allow(POSTERS)
def publish(use_case_id: int):
    case = _case_or_404(use_case_id)
    if case.published_at is None:
        _require(permissions.may_edit_use_case_body, case)
        publish_use_case(db.session, case, current_user)
        db.session.commit()
        flash(_("Published. The body is now frozen; discussion goes to the comments."), "success")
    return redirect(url_for("library.detail", use_case_id=case.id))


@bp.post("/<int:use_case_id>/stage")
@allow(CURATORS)
def stage(use_case_id: int):
    case = _case_or_404(use_case_id)
    _require(permissions.may_curate_use_case, case)
    form = StageForm()
    try:
        library.set_stage(db.session, case, current_user, form.stage.data or "")
        db.session.commit()
        flash(_("Stage changed to %(stage)s.", stage=STAGE_LABELS[Stage(case.stage)]), "success")
    except FieldErrors as error:
        db.session.rollback()
        for message in error.errors.values():
            flash(translate(message), "error")
    return redirect(url_for("library.detail", use_case_id=case.id))


@bp.post("/<int:use_case_id>/comments")
@allow(COMMENTERS)
def comment(use_case_id: int):
    case = _case_or_404(use_case_id)
    _require(permissions.may_comment_on_use_case, case)
    form = CommentForm()
    parent_id = int(form.parent_id.data) if (form.parent_id.data or "").isdigit() else None
    if form.validate_on_submit():
        saved = save_or_show_errors(
            form, lambda: add_comment(db.session, case, current_user, form.body.data or "", parent_id)
        )
        if saved is not None:
            _mail_mentions(saved, case)
            return redirect(url_for("library.detail", use_case_id=case.id) + f"#comment-{saved.id}")
    return _detail_page(case, comment_form=form, status=422)


def _mail_mentions(comment, case: UseCase) -> None:
    """Tell each mentioned person by mail too, in their language, with a link to the comment."""
    from flask_babel import force_locale

    from app.mail import send

    link = url_for("library.detail", use_case_id=case.id, _external=True) + f"#comment-{comment.id}"
    for mention in mentions_in(db.session, comment):
        user = mention.user
        with force_locale(user.locale or "ja"):
            subject = _(
                "%(name)s mentioned you on “%(title)s”", name=current_user.name, title=case.title[:80]
            )
            body = f"{comment.body[:2000]}\n\n{link}\n"
        send(user.email, subject, body)


@bp.post("/<int:use_case_id>/links")
@allow(POSTERS)
def link(use_case_id: int):
    case = _case_or_404(use_case_id)
    _require(permissions.may_link_use_cases, case)
    form = LinkForm()
    other_id = int(form.other_id.data) if (form.other_id.data or "").isdigit() else None
    if form.validate_on_submit():
        saved = save_or_show_errors(
            form,
            lambda: link_use_cases(db.session, case, other_id, current_user, form.kind.data, form.note.data),
        )
        if saved is not None:
            flash(_("Linked. Both cases stay, side by side."), "success")
            return redirect(url_for("library.compare", link_id=saved.id))
    return _detail_page(case, link_form=form, status=422)


@bp.post("/<int:use_case_id>/ran")
@allow(POSTERS)
def ran(use_case_id: int):
    case = _case_or_404(use_case_id)
    library.record_run(db.session, case)
    db.session.commit()
    flash(_("Thanks: a run tells others this case is alive."), "success")
    return redirect(url_for("library.detail", use_case_id=case.id))


@bp.get("/<int:use_case_id>/history")
@allow(EVERYONE_SIGNED_IN)
def revisions(use_case_id: int):
    case = _case_or_404(use_case_id)
    return render_template(
        "library/history.html", case=case, revisions=history(db.session, case), line_diff=line_diff
    )


@bp.get("/links/<int:link_id>")
@allow(EVERYONE_SIGNED_IN)
def compare(link_id: int):
    link_row = db.session.get(UseCaseLink, link_id) or abort(404)
    for case in (link_row.case_a, link_row.case_b):
        if not permissions.may_read_use_case(current_user, case):
            abort(404)
    return render_template("library/compare.html", link=link_row, link_labels=LINK_KIND_LABELS)


@bp.get("/wiki-day")
@allow(CURATORS | VENDOR_STAFF)
def wiki_day():
    cases = library.wiki_day(db.session, _selected_accounts())
    return render_template("library/wiki_day.html", cases=cases, stage_form=StageForm(formdata=None))


@bp.route("/import", methods=["GET", "POST"])
@allow(IMPORTERS)
@accepts_upload(file_bytes=MAX_FILE_BYTES)  # the sheet limit, not the 2 MB of a plain form
def import_cases():
    accounts = list(
        db.session.scalars(db.select(Account).where(Account.id.in_(_accounts())).order_by(Account.name))
    )
    form = ImportForm()
    form.account_id.choices = [SelectChoice(a.id, a.name) for a in accounts]
    outcome = None
    if request.method == "POST" and form.validate_on_submit():
        account = next((a for a in accounts if a.id == form.account_id.data), None)
        if current_user.role not in (Role.OWNER, Role.CSM):
            account = db.session.get(Account, current_user.account_id)
        upload = form.file.data
        if account is None:
            form.account_id.errors.append(_("Choose an account."))
        elif upload is None or not getattr(upload, "filename", ""):
            form.file.errors.append(_("Choose a CSV or .xlsx file."))
        else:
            commit = request.form.get("action") == "import"
            try:
                outcome = import_sheet(
                    db.session,
                    account,
                    current_user,
                    upload.read(),
                    upload.filename,
                    only_valid=form.only_valid.data,
                    commit=commit,
                )
                db.session.commit()
            except SheetError as error:
                db.session.rollback()
                form.file.errors.append(translate(error.message))
            except FieldErrors as error:
                db.session.rollback()
                apply_field_errors(form, error)
            if outcome is not None and outcome.committed:
                from playbooks.search.jobs import embed_account
                from tenants.jobs import enqueue

                if outcome.imported:
                    enqueue(
                        embed_account, account.tenant_id, account.id, job_id=f"embed-account-{account.id}"
                    )
                flash(_("%(n)d use cases imported.", n=outcome.imported), "success")
    status = 422 if form.errors or (outcome and outcome.errors) else 200
    page = render_template(
        "library/import.html", form=form, outcome=outcome, accounts=accounts, translate=translate
    )
    return page, status


def _export(fmt: str) -> Response:
    data = export_library(db.session, _selected_accounts(), _filters(), fmt, locale=_locale())
    mimetype = (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" if fmt == "xlsx" else "text/csv"
    )
    return Response(
        data,
        mimetype=mimetype,
        headers={"Content-Disposition": f"attachment; filename=use-cases-{date.today().isoformat()}.{fmt}"},
    )


def _locale() -> str:
    from flask_babel import get_locale

    return str(get_locale())


@bp.get("/export.csv")
@allow(EVERYONE_SIGNED_IN)
def export_csv():
    return _export("csv")


@bp.get("/export.xlsx")
@allow(EVERYONE_SIGNED_IN)
def export_xlsx():
    return _export("xlsx")
