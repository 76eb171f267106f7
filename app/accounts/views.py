"""The CSM's portfolio, guided onboarding of a client account, and an account's own page."""

from flask import Blueprint, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.access import EVERYONE_SIGNED_IN, INVITERS, VENDOR_STAFF, account_or_404, allow, may_open
from app.accounts.forms import AccountForm, InvitePersonForm, OnboardAccountForm, industry_names
from app.extensions import db
from app.forms import form_status, save_or_show_errors
from app.i18n import translate
from app.invites import invite_limit, send_and_show
from reports.metrics import PART_LABELS
from reports.portfolio import SORTS, portfolio_page
from tenants import invitations, people, permissions
from tenants.onboarding import onboard_account, update_account
from tenants.roles import VENDOR_ROLES, Role

bp = Blueprint("accounts", __name__, url_prefix="/accounts")


@bp.get("")
@allow(VENDOR_STAFF)
def portfolio():
    sort = request.args.get("sort", "health")
    query = request.args.get("q", "")[:100]
    result = portfolio_page(db.session, sort=sort, query=query, page=request.args.get("page", 1, type=int))
    # Labels translated once per page, not once per cell.
    return render_template(
        "accounts/portfolio.html",
        result=result,
        rows=result.rows,
        sort=sort if sort in SORTS else "health",
        query=query,
        industries=industry_names(),
        bands={"good": _("Good"), "watch": _("Watch"), "at_risk": _("At risk")},
        part_labels={key: translate(label) for key, label in PART_LABELS.items()},
        no_data=_("no data yet"),
        adoption_label=_("Adoption"),
    )


@bp.route("/new", methods=["GET", "POST"])
@allow(VENDOR_STAFF)
@invite_limit
def new():
    form = OnboardAccountForm(csm_choices=_csm_choices())
    if request.method == "GET":
        form.csm_id.data = permissions.default_csm_for(current_user)
    if request.method == "POST" and request.form.get("add_team"):
        return _add_team_row(form, account=None)
    if form.validate_on_submit():
        result = save_or_show_errors(
            form, lambda: onboard_account(db.session, g.tenant, current_user, form.to_draft())
        )
        if result is not None:
            flash(_("%(name)s is onboarded.", name=result.account.name), "success")
            send_and_show(result.invitation, result.token)
            return redirect(url_for("accounts.detail", account_id=result.account.id))
    return render_template("accounts/form.html", form=form, account=None), form_status(form)


def _add_team_row(form, account):
    """'Add a team' without JavaScript: one more blank row, nothing validated or saved yet."""
    if len(form.teams) < form.teams.max_entries:
        form.teams.append_entry()
    else:
        form.form_errors.append(_("An account can have at most %(n)s teams.", n=form.teams.max_entries))
    return render_template("accounts/form.html", form=form, account=account)


def _csm_choices() -> list[tuple[int, str]]:
    return [(u.id, u.name) for u in people.vendor_staff(db.session, active_only=True)]


@bp.route("/<int:account_id>/edit", methods=["GET", "POST"])
@allow(VENDOR_STAFF)
def edit(account_id: int):
    account = account_or_404(account_id)
    form = AccountForm(csm_choices=_csm_choices())
    if request.method == "GET":
        form.fill_from(account)
    elif request.form.get("add_team"):
        return _add_team_row(form, account)
    elif form.validate_on_submit():
        saved = save_or_show_errors(
            form, lambda: update_account(db.session, account, current_user, form.to_draft())
        )
        if saved is not None:
            flash(_("Changes to %(name)s are saved.", name=account.name), "success")
            return redirect(url_for("accounts.detail", account_id=account.id))
    return render_template("accounts/form.html", form=form, account=account), form_status(form)


def _invite_form() -> InvitePersonForm:
    # Vendor roles are granted on the team page; an account's page invites the client's people.
    return InvitePersonForm(roles=permissions.invitable_roles(current_user) - VENDOR_ROLES)


def _render_detail(account, form: InvitePersonForm, status: int = 200):
    can_invite = may_open("accounts.invite")
    return render_template(
        "accounts/detail.html",
        account=account,
        members=people.account_members(db.session, account),
        pending=invitations.list_invitations(db.session, account) if can_invite else [],
        form=form,
        can_invite=can_invite,
        industries=industry_names(),
    ), status


@bp.get("/<int:account_id>")
@allow(EVERYONE_SIGNED_IN)
def detail(account_id: int):
    return _render_detail(account_or_404(account_id), _invite_form())


@bp.post("/<int:account_id>/invitations")
@allow(INVITERS)
@invite_limit
def invite(account_id: int):
    account = account_or_404(account_id)
    form = _invite_form()
    if form.validate_on_submit():
        created = save_or_show_errors(
            form,
            lambda: invitations.invite(
                db.session,
                g.tenant,
                inviter=current_user,
                email=form.email.data,
                role=Role(form.role.data),
                account=account,
                locale=form.locale.data,
            ),
        )
        if created is not None:
            send_and_show(*created)
            return redirect(url_for("accounts.detail", account_id=account.id))
    return _render_detail(account, form, 422)
