"""The daily playbook pass as an rq job, and its schedule for rq's cron scheduler.

The pass itself lives in :mod:`playbooks.reminders` and takes the mail sender as an argument; this shell
module hands it :func:`app.mail.send`. ``flask playbooks tick`` runs the same pass for a system cron on the
embedded default; with REDIS_URL set, ``flask playbooks cron`` starts rq's cron scheduler, which enqueues
:func:`daily_tick` every morning in Tokyo and a worker runs it. Running it twice a day is harmless.
"""

from datetime import date

from app.extensions import db
from app.mail import send
from app.newsletter_jobs import send_monthly
from playbooks.recurrence import tokyo_today
from playbooks.reminders import PassResult, run_daily_pass
from tenants.jobs import job

# 06:00 in Tokyo (UTC+9, no daylight saving) is 21:00 UTC the day before; rq's cron reads UTC.
DAILY_CRON = "0 21 * * *"


def finish_day(day: date, result: PassResult) -> dict:
    """What a daily pass did, as the job and ``flask playbooks tick`` report it; on the first of the month it
    also starts last month's newsletter for the accounts with auto-send on."""
    done = {
        "day": day.isoformat(),
        "tasks_generated": result.tasks_generated,
        "digests_sent": len(result.digests),
    }
    if day.day == 1:
        done["newsletters_started"] = send_monthly(db.session, day)
    return done


@job("default", timeout=900, retries=2)
def daily_tick() -> dict:
    """Job: generate recurring tasks and send today's digests for every tenant (and, on the first of the
    month, the monthly newsletters)."""
    day = tokyo_today()
    return finish_day(day, run_daily_pass(db.session, day, send))
