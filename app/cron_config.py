"""rq cron configuration (``rq cron app.cron_config`` or ``flask playbooks cron``): what runs when."""

from rq import cron

from app.playbook_jobs import DAILY_CRON, daily_tick

cron.register(daily_tick, "default", cron=DAILY_CRON, name="playbooks-daily-tick", job_timeout=900)
