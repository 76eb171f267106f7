"""The loop's records in an account: champions, events (study sessions, LT days, hackathons), talks, entries,
scores, the calendar feed; and the vendor owner's custom playbook uploads."""

from datetime import date

from flask import Blueprint, Response, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from app.access import EVERYONE_SIGNED_IN, OWNER_ONLY, PUBLIC, account_or_404, allow
from app.extensions import db
from app.forms import save_or_show_errors
from app.i18n import translate
from app.limits import accepts_upload
from app.loop.forms import EntryForm, EventForm, MarkForm, PlaybookUploadForm, ScoreForm, TalkForm
from playbooks import calendar_feed, champions, custom_playbooks, newsletter
from playbooks import events as ev
from playbooks.definitions import MAX_FILE_BYTES as PLAYBOOK_MAX_BYTES
from playbooks.definitions import PlaybookFileError
from playbooks.usecases import UseCase
from tenants.accounts import get_account
from tenants.errors import FieldErrors
from tenants.roles import Role
from tenants.scoping import Scope, scoped
from tenants.users import Membership, User

bp = Blueprint("loop", __name__)

ORGANISERS = frozenset({Role.OWNER, Role.CSM, Role.CLIENT_ADMIN})  # create events, appoint, manage the feed
RECORDERS = ORGANISERS | {Role.CHAMPION}  # record talks and attendance, judge
NOMINEES = frozenset({Role.CLIENT_ADMIN, Role.CHAMPION, Role.MEMBER})


def _event_or_404(event_id: int) -> ev.Event:
    return db.session.get(ev.Event, event_id) or abort(404)


def _flash_errors(errors: FieldErrors) -> None:
    db.session.rollback()
    for message in dict.fromkeys(errors.errors.values()):
        flash(translate(message), "error")


@bp.get("/accounts/<int:account_id>/loop")
@allow(EVERYONE_SIGNED_IN)
def account(account_id: int):
    return _render_account(account_or_404(account_id), EventForm())


def _render_account(account, form, status=200):
    teams, share = champions.coverage(db.session, account)
    return render_template(
        "loop/account.html",
        account=account,
        teams=teams,
        coverage=share,
        events=ev.list_events(db.session, account),
        form=form,
        feeds=calendar_feed.active_feeds(db.session, account),
        newsletters=newsletter.archived(db.session, account, limit=6),
        new_feed_url=g.pop("new_feed_url", None),
        may_organise=current_user.role in ORGANISERS,
        may_nominate=current_user.role in NOMINEES,
    ), status


@bp.post("/accounts/<int:account_id>/events")
@allow(ORGANISERS)
def create_event(account_id: int):
    account = account_or_404(account_id)
    form = EventForm()
    if form.validate_on_submit():
        event = save_or_show_errors(
            form,
            lambda: ev.create_event(
                db.session, account, current_user, form.kind.data, form.title.data, form.held_on.data
            ),
        )
        if event is not None:
            return redirect(url_for("loop.event", event_id=event.id))
    return _render_account(account, form, 422)


@bp.post("/accounts/<int:account_id>/champions/nominate")
@allow(NOMINEES)
def nominate(account_id: int):
    account = account_or_404(account_id)
    try:
        champions.nominate_self(db.session, account, current_user, request.form.get("team_id", type=int))
        db.session.commit()
        flash(_("Thank you: your self-nomination is recorded."), "success")
    except FieldErrors as errors:
        _flash_errors(errors)
    return redirect(url_for("loop.account", account_id=account.id))


@bp.post("/accounts/<int:account_id>/champions/appoint")
@allow(ORGANISERS)
def appoint(account_id: int):
    account = account_or_404(account_id)
    try:
        day = date.fromisoformat(request.form.get("appointed_on", ""))
    except ValueError:
        day = None
    try:
        champions.appoint(db.session, account, current_user, request.form.get("champion_id", type=int), day)
        db.session.commit()
    except FieldErrors as errors:
        _flash_errors(errors)
    return redirect(url_for("loop.account", account_id=account.id))


@bp.post("/accounts/<int:account_id>/calendar")
@allow(ORGANISERS)
def new_feed(account_id: int):
    account = account_or_404(account_id)
    _, token = calendar_feed.create_feed(db.session, account, current_user)
    db.session.commit()
    g.new_feed_url = url_for("loop.calendar", token=token, _external=True)
    return _render_account(account, EventForm())


@bp.post("/accounts/<int:account_id>/calendar/revoke")
@allow(ORGANISERS)
def revoke_feed(account_id: int):
    account = account_or_404(account_id)
    calendar_feed.revoke_feeds(db.session, account)
    db.session.commit()
    flash(_("The calendar link no longer works."), "success")
    return redirect(url_for("loop.account", account_id=account.id))


@bp.get("/calendar/<token>.ics")
@allow(PUBLIC)
def calendar(token: str):
    feed = calendar_feed.feed_for_token(db.session, token)
    if feed is None:
        abort(404)
    with scoped(db.session, Scope(tenant_id=feed.tenant_id, account_ids=frozenset({feed.account_id}))):
        account = get_account(db.session, feed.account_id)
        locale = request.args.get("lang") if request.args.get("lang") in ("ja", "en") else "ja"
        body = calendar_feed.build_ics(db.session, account, locale)
    return Response(body, mimetype="text/calendar", headers={"Cache-Control": "private, max-age=900"})


def _use_case_choices(account_id: int):
    cases = db.session.scalars(
        db.select(UseCase).where(UseCase.account_id == account_id).order_by(UseCase.id.desc()).limit(200)
    )
    return [SelectChoice("", "—")] + [SelectChoice(str(c.id), c.title) for c in cases]


def _talk_form(event, form=None) -> TalkForm:
    form = form or TalkForm()
    form.team_id.choices = [SelectChoice("", "—")] + [
        SelectChoice(str(t.id), t.name) for t in event.account.teams
    ]
    form.use_case_id.choices = _use_case_choices(event.account_id)
    return form


def _entry_form(event, form=None) -> EntryForm:
    form = form or EntryForm()
    form.use_case_id.choices = _use_case_choices(event.account_id)
    return form


@bp.get("/events/<int:event_id>")
@allow(EVERYONE_SIGNED_IN)
def event(event_id: int):
    return _render_event(_event_or_404(event_id))


def _render_event(event, talk_form=None, entry_form=None, status=200):
    return render_template(
        "loop/event.html",
        event=event,
        account=event.account,
        talk_form=_talk_form(event, talk_form),
        entry_form=_entry_form(event, entry_form),
        ranking=ev.ranking(event.entries),
        attendance=ev.attendance_count(db.session, event),
        people=_people(event.account_id),
        may_record=current_user.role in RECORDERS,
        may_organise=current_user.role in ORGANISERS,
        rubric=ev.RUBRIC,
        score_form=ScoreForm(),
        mark_form=MarkForm(),
    ), status


def _people(account_id: int):
    return db.session.scalars(
        db.select(User).join(Membership).where(Membership.account_id == account_id).order_by(User.name)
    ).all()


@bp.post("/events/<int:event_id>/talks")
@allow(RECORDERS)
def record_talk(event_id: int):
    event = _event_or_404(event_id)
    form = _talk_form(event)
    if form.validate_on_submit():
        talk = save_or_show_errors(
            form,
            lambda: ev.record_talk(
                db.session,
                event,
                current_user,
                title=form.title.data or "",
                problem=form.problem.data or "",
                prompt=form.prompt.data or "",
                result=form.result.data or "",
                minutes_saved_per_run=form.minutes_saved_per_run.data,
                runs_per_month=form.runs_per_month.data or 0,
                people=form.people.data if form.people.data is not None else 1,
                model_name=form.model_name.data or "",
                team_id=form.team_id.data,
                speaker_id=current_user.id if current_user.account_id == event.account_id else None,
                use_case_id=form.use_case_id.data,
            ),
        )
        if talk is not None:
            flash(_("Talk recorded; its use case is in the library."), "success")
            return redirect(url_for("loop.event", event_id=event.id) + "#talks")
    return _render_event(event, talk_form=form, status=422)


@bp.post("/events/<int:event_id>/attendance")
@allow(RECORDERS)
def attendance(event_id: int):
    event = _event_or_404(event_id)
    ids = [int(v) for v in request.form.getlist("user_id") if v.isdigit()]
    try:
        ev.record_attendance(db.session, event, ids)
        db.session.commit()
    except FieldErrors as errors:
        _flash_errors(errors)
    return redirect(url_for("loop.event", event_id=event.id))


@bp.post("/events/<int:event_id>/entries")
@allow(ORGANISERS)
def add_entry(event_id: int):
    event = _event_or_404(event_id)
    form = _entry_form(event)
    if form.validate_on_submit():
        entry = save_or_show_errors(
            form,
            lambda: ev.add_entry(
                db.session,
                event,
                team_name=form.team_name.data or "",
                problem=form.problem.data or "",
                prototype=form.prototype.data or "",
                demo_url=(form.demo_url.data or "").strip(),
                use_case_id=form.use_case_id.data,
            ),
        )
        if entry is not None:
            return redirect(url_for("loop.event", event_id=event.id) + "#entries")
    return _render_event(event, entry_form=form, status=422)


def _entry_or_404(entry_id: int) -> ev.HackathonEntry:
    return db.session.get(ev.HackathonEntry, entry_id) or abort(404)


@bp.post("/entries/<int:entry_id>/scores")
@allow(RECORDERS)
def score(entry_id: int):
    entry = _entry_or_404(entry_id)
    form = ScoreForm()
    form.validate_on_submit()
    try:
        ev.score_entry(db.session, entry, current_user, {c: getattr(form, c).data for c in ev.RUBRIC})
        db.session.commit()
    except FieldErrors as errors:
        _flash_errors(errors)
    return redirect(url_for("loop.event", event_id=entry.event_id) + "#entries")


@bp.post("/entries/<int:entry_id>/mark")
@allow(ORGANISERS)
def mark(entry_id: int):
    entry = _entry_or_404(entry_id)
    form = MarkForm()
    form.validate_on_submit()
    try:
        ev.mark_entry(
            db.session,
            entry,
            current_user,
            winner=form.winner.data,
            production_candidate=form.production_candidate.data,
        )
        db.session.commit()
    except FieldErrors as errors:
        _flash_errors(errors)
    return redirect(url_for("loop.event", event_id=entry.event_id) + "#entries")


@bp.route("/playbooks", methods=["GET", "POST"])
@allow(OWNER_ONLY)
@accepts_upload(file_bytes=PLAYBOOK_MAX_BYTES)  # a playbook is a small YAML file: refuse more unread
def playbook_uploads():
    """The vendor owner uploads its own playbook or a new version (errors listed per key)."""
    form = PlaybookUploadForm()
    problems, status = [], 200
    if form.validate_on_submit():
        upload = request.files.get("file")
        content = upload.read() if upload else b""
        try:
            definition = custom_playbooks.upload_playbook(
                db.session, current_user.tenant_id, current_user, content, upload.filename if upload else ""
            )
            db.session.commit()
            message = _(
                "Playbook %(key)s version %(version)d uploaded.",
                key=definition.key,
                version=definition.version,
            )
            flash(message, "success")
            return redirect(url_for("loop.playbook_uploads"))
        except PlaybookFileError as error:
            db.session.rollback()
            problems, status = error.problems, 422
    return render_template(
        "loop/playbooks.html",
        form=form,
        problems=problems,
        available=custom_playbooks.available_playbooks(db.session),
        uploads=custom_playbooks.uploads(db.session),
    ), status
