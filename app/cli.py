"""Command-line administration: ``flask --app wsgi <command>``."""

import click
from flask import Flask, current_app
from flask.cli import AppGroup, with_appcontext

from app.extensions import db
from tenants.errors import FieldErrors
from tenants.jobs import QUEUES
from tenants.roles import Role
from tenants.scoping import Scope, scoped, unscoped
from tenants.tenant import Tenant
from tenants.users import add_user, sign_up_vendor

tenant_cli = AppGroup("tenant", help="Create vendors (tenants) and their users.")


@tenant_cli.command("create")
@click.option("--name", required=True, help="Vendor name.")
@click.option("--owner-email", required=True)
@click.option("--owner-name", required=True)
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
@click.option("--locale", type=click.Choice(["ja", "en"]), default="ja", show_default=True)
def create_tenant(name, owner_email, owner_name, password, locale):
    """Create a vendor and its first owner."""
    try:
        user = sign_up_vendor(
            db.session, vendor_name=name, name=owner_name, email=owner_email, password=password, locale=locale
        )
        db.session.commit()
    except FieldErrors as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"tenant {user.tenant.slug} (id {user.tenant_id}) created; owner {user.email}")


@tenant_cli.command("add-user")
@click.option("--tenant", "slug", required=True, help="Tenant slug.")
@click.option("--email", required=True)
@click.option("--name", required=True)
@click.option("--role", type=click.Choice([r.value for r in Role]), required=True)
@click.option("--account-id", type=int, help="Client account id (client roles only).")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
def add_tenant_user(slug, email, name, role, account_id, password):
    """Add a user with a role to an existing tenant."""
    with unscoped(db.session, "the CLI picks a tenant by slug"):
        tenant = db.session.scalar(db.select(Tenant).where(Tenant.slug == slug))
    if tenant is None:
        raise click.ClickException(f"no tenant with slug {slug!r}")
    try:
        with scoped(db.session, Scope(tenant_id=tenant.id)):
            if account_id is not None:
                from tenants.accounts import get_account

                if get_account(db.session, account_id) is None:
                    raise click.ClickException(f"tenant {slug} has no account {account_id}")
            user = add_user(
                db.session,
                tenant,
                email=email,
                name=name,
                password=password,
                role=Role(role),
                account_id=account_id,
            )
            db.session.commit()
    except (FieldErrors, ValueError) as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"user {user.email} ({role}) added to {slug}")


@click.command("seed-demo")
@with_appcontext
def seed_demo():
    """Create the demo vendor, staff and three client accounts (does nothing if they exist)."""
    from app.demo import seed

    logins = seed(db.session)
    db.session.commit()
    click.echo(f"Demo logins (password for all: {logins[0].password}):")
    for login in logins:
        click.echo(f"  {login.role:<13} {login.email}")


@click.command("worker")
@with_appcontext
@click.option("--queue", "queues", multiple=True, default=QUEUES, show_default=True)
@click.option("--burst", is_flag=True, help="Stop when the queues are empty.")
def worker(queues, burst):
    """Run an rq worker for background jobs (needs REDIS_URL)."""
    from app.jobs import run_worker

    if not current_app.config["REDIS_URL"]:
        raise click.ClickException("REDIS_URL is not set; jobs run in the web process without a worker")
    run_worker(current_app._get_current_object(), list(queues), burst=burst)


def register(app: Flask) -> None:
    app.cli.add_command(tenant_cli)
    app.cli.add_command(seed_demo)
    app.cli.add_command(worker)
    from app.library.cli import usecase_cli

    app.cli.add_command(usecase_cli)
    from app.cli_roi import roi_cli

    app.cli.add_command(roi_cli)
    from app.cli_playbooks import playbooks_cli

    app.cli.add_command(playbooks_cli)
    app.cli.add_command(stripe_fake)
    from app.cli_usage import account_cli, metrics_command, usage_cli

    app.cli.add_command(usage_cli)
    app.cli.add_command(metrics_command)
    app.cli.add_command(account_cli)


@click.command("stripe-fake")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=12111, show_default=True)
@click.option("--webhook-url", default="http://127.0.0.1:5000/billing/webhook", show_default=True)
@click.option("--trial-days", default=0, show_default=True, help="Start new subscriptions in a trial.")
def stripe_fake(host, port, webhook_url, trial_days):
    """Serve the local fake of the Stripe API (set STRIPE_API_BASE=http://HOST:PORT in the app)."""
    from werkzeug.serving import run_simple

    from app.stripe_fake import FakeStripe, create_fake_app

    secret = current_app.config["STRIPE_WEBHOOK_SECRET"] or "whsec_adoptloop_fake"
    click.echo(f"Stripe fake on http://{host}:{port}, webhooks to {webhook_url} ({secret})", err=True)
    run_simple(host, port, create_fake_app(FakeStripe(webhook_url, secret, trial_days)), threaded=True)
