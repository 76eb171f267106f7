"""Commands for scripts and cron: create an account, import a usage export, print an account's metrics.
Each prints one JSON object on stdout and exits non-zero with a message naming the bad field or row."""

from datetime import date
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from app.cli_json import CommandError, emit, json_command
from app.extensions import db
from reports.account_metrics import account_metrics
from reports.importers import COLUMNS
from reports.usage import import_usage
from tenants.accounts import Account, get_account
from tenants.errors import FieldErrors
from tenants.onboarding import AccountDraft, TeamDraft, onboard_account
from tenants.scoping import Scope, scoped, unscoped
from tenants.tenant import Tenant
from tenants.users import User


def _account_scope(account_id: int):
    """The scope of the tenant that owns ``account_id`` (the CLI acts for the operator, not a user)."""
    with unscoped(db.session, "the CLI finds an account's tenant by the account id"):
        tenant_id = db.session.scalar(db.select(Account.tenant_id).where(Account.id == account_id))
    if tenant_id is None:
        raise CommandError(f"account_id: no account {account_id}")
    return scoped(db.session, Scope(tenant_id=tenant_id))


def _day(value: str, name: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"{name}: {value!r} is not a date (YYYY-MM-DD)") from None


@click.group("usage", help="Usage exports: import them into an account.")
def usage_cli():
    pass


@usage_cli.command("import")
@click.argument("account_id", type=int)
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["auto", "m365_copilot", "github_copilot", "generic"]),
    default="auto",
    show_default=True,
)
@click.option("--map", "maps", multiple=True, metavar="HEADER=field", help=f"fields: {', '.join(COLUMNS)}")
@click.option("--only-valid", is_flag=True, help="Import the valid rows even if others have problems.")
@click.option("--create-teams", is_flag=True, help="Create the teams the file names and the account lacks.")
@with_appcontext
@json_command
def import_command(account_id, file, fmt, maps, only_valid, create_teams):
    """Import FILE into ACCOUNT_ID; exit 1 when problems stopped the import."""
    mapping = {}
    for item in maps:
        header, sep, field = item.partition("=")
        if not sep or field not in COLUMNS:
            raise CommandError(f"--map: {item!r} must be HEADER=field with field one of {', '.join(COLUMNS)}")
        mapping[header] = field
    with _account_scope(account_id):
        account = get_account(db.session, account_id)
        try:
            record = import_usage(
                db.session,
                account,
                None,
                file.read_bytes(),
                filename=file.name,
                secret=current_app.config["SECRET_KEY"],
                fmt=fmt,
                mapping=mapping,
                only_valid=only_valid,
                create_teams=create_teams,
            )
        except ValueError as error:
            raise CommandError(f"{file.name}: {error}") from None
        db.session.commit()
        emit(
            {
                "id": record.id,
                "format": record.format,
                "encoding": record.encoding,
                "rows": record.rows,
                "imported": record.imported,
                "duplicates": record.replaced,
                "errors": record.errors,
                "status": record.status,
            }
        )
        if record.status == "refused":
            raise SystemExit(1)


@click.command("metrics")
@click.argument("account_id", type=int)
@click.option("--from", "start", required=True, help="YYYY-MM-DD")
@click.option("--to", "end", required=True, help="YYYY-MM-DD")
@with_appcontext
@json_command
def metrics_command(account_id, start, end):
    """Print ACCOUNT_ID's adoption metrics for the period as one JSON object."""
    first, last = _day(start, "--from"), _day(end, "--to")
    if last < first:
        raise CommandError("--to: the period ends before it starts")
    with _account_scope(account_id):
        emit(account_metrics(db.session, get_account(db.session, account_id), first, last))


@click.group("account", help="Client accounts.")
def account_cli():
    pass


@account_cli.command("create")
@click.option("--tenant", "slug", required=True)
@click.option("--name", required=True)
@click.option("--seats", type=int, required=True)
@click.option("--monthly-spend", type=int, required=True, help="Whole yen, tax excluded.")
@click.option("--hourly-cost", type=int, required=True, help="Fully loaded hourly labor cost in yen.")
@click.option("--kickoff", default=None, help="YYYY-MM-DD (default: today)")
@click.option("--csm", "csm_email", default=None)
@click.option("--team", "teams", multiple=True, metavar="NAME=HEADCOUNT")
@click.option("--admin-email", required=True, help="The client admin to invite (the form requires one too).")
@click.option("--industry", default="other", show_default=True)
@with_appcontext
@json_command
def create_account(
    slug, name, seats, monthly_spend, hourly_cost, kickoff, csm_email, teams, admin_email, industry
):
    """Create a client account with the onboarding form's rules."""
    with unscoped(db.session, "the CLI picks a tenant by slug"):
        tenant = db.session.scalar(db.select(Tenant).where(Tenant.slug == slug))
    if tenant is None:
        raise CommandError(f"--tenant: no tenant {slug!r}")
    drafts = []
    for item in teams:
        team, sep, headcount = item.rpartition("=")
        if not sep or not headcount.strip().isdigit():
            raise CommandError(f"--team: {item!r} must be NAME=HEADCOUNT")
        drafts.append(TeamDraft(team, int(headcount)))
    with scoped(db.session, Scope(tenant_id=tenant.id)):
        staff = db.session.scalars(db.select(User).where(User.tenant_id == tenant.id)).all()
        actor = next(
            (u for u in staff if u.role.is_vendor and (csm_email is None or u.email == csm_email)), None
        )
        if actor is None:
            raise CommandError(f"--csm: no CSM or owner {csm_email!r} at {slug}")
        draft = AccountDraft(
            name=name,
            industry=industry,
            licensed_seats=seats,
            monthly_spend_yen=monthly_spend,
            hourly_labor_cost_yen=hourly_cost,
            kickoff_date=_day(kickoff, "--kickoff") if kickoff else date.today(),
            admin_email=admin_email,
            csm_id=actor.id,
            teams=drafts,
        )
        try:
            result = onboard_account(db.session, tenant, actor, draft)
            db.session.commit()
        except FieldErrors as error:
            db.session.rollback()
            field, message = next(iter(error.errors.items()))
            raise CommandError(f"{field}: {message}") from None
        emit(
            {
                "id": result.account.id,
                "name": result.account.name,
                "tenant": slug,
                "teams": [t.name for t in result.account.teams],
            }
        )
