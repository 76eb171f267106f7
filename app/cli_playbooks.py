"""``flask playbooks tick``: the daily pass (recurring tasks to the horizon, one digest per person a day)."""

from datetime import date

import click
from flask.cli import AppGroup
from sqlalchemy.exc import IntegrityError

from app.cli_json import CommandError, emit, json_command
from app.extensions import db
from app.mail import send
from app.playbook_jobs import finish_day
from playbooks.recurrence import tokyo_today
from playbooks.reminders import run_daily_pass

playbooks_cli = AppGroup("playbooks", help="Adoption playbooks and checklists.")


@playbooks_cli.command("tick")
@click.option("--today", help="Run as if today were this Tokyo day (YYYY-MM-DD).")
@json_command
def tick(today):
    """Generate recurring tasks and send today's digests; prints one JSON object. Safe to run twice a day."""
    try:
        day: date = date.fromisoformat(today) if today else tokyo_today()
    except ValueError:
        raise CommandError(f"--today: {today!r} is not a date like 2026-12-20") from None
    try:
        result = run_daily_pass(db.session, day, send)
    except IntegrityError:
        db.session.rollback()
        raise CommandError("another pass for this day committed first; nothing was sent twice") from None
    emit(finish_day(day, result))


@playbooks_cli.command("cron")
def cron():
    """Start rq's cron scheduler: it enqueues the daily pass every morning (needs REDIS_URL, a worker)."""
    from flask import current_app
    from rq.cron import CronScheduler

    from tenants.jobs import redis_connection

    if not current_app.config["REDIS_URL"]:
        raise click.ClickException("REDIS_URL is not set; run 'flask playbooks tick' from cron instead")
    scheduler = CronScheduler(connection=redis_connection())
    scheduler.load_config_from_file("app.cron_config")
    scheduler.start()
