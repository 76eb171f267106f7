"""The web shell's side of background jobs: configuring where they run, and the rq worker process.

Jobs themselves are declared in the domain packages with :func:`tenants.jobs.job` and enqueued with
:func:`tenants.jobs.enqueue` (see docs/conventions.md).
"""

from flask import Flask, appcontext_pushed

from tenants import jobs


def init_app(app: Flask) -> None:
    """Jobs go to rq when the app says so (JOBS_BACKEND=rq, the default with REDIS_URL), else run inline.

    Configured whenever one of this app's contexts is pushed, so two apps in one process (tests) each
    enqueue where their own configuration says.
    """

    def _configure(sender: Flask, **_extra) -> None:
        jobs.configure(sender.config["JOBS_BACKEND"], sender.config["REDIS_URL"])

    appcontext_pushed.connect(_configure, app, weak=False)
    _configure(app)
    app.jinja_env.globals["jobs_paused"] = jobs.paused


def run_worker(app: Flask, queues: list[str], burst: bool = False) -> None:
    """Process jobs with the app's context pushed, so job functions can use the database and config."""
    from rq import Worker

    with app.app_context():
        # Work requested while no worker or no Redis was there waits as "queued" rows: queue it now.
        swept = jobs.sweep()
        if swept:
            app.logger.info("queued %d waiting job(s) at worker start", swept)
        connection = jobs.redis_connection()
        worker = Worker([jobs.queue(q) for q in queues], connection=connection)
        worker.work(burst=burst, with_scheduler=True)
