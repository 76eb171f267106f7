"""Background jobs: rq workers when Redis is configured, the web process itself otherwise.

Job functions are plain module-level functions taking plain arguments (ids, dicts), so rq can import and
call them and tests can call them directly.
"""

from collections.abc import Callable

from flask import Flask, current_app
from redis import Redis
from rq import Queue


def redis_connection() -> Redis:
    return Redis.from_url(current_app.config["REDIS_URL"])


def queue(name: str = "default") -> Queue:
    return Queue(name, connection=redis_connection())


def enqueue(func: Callable, *args, **kwargs):
    """Run ``func`` in the background (rq) or right away (embedded default). Returns the rq job or None."""
    if current_app.config["JOBS_BACKEND"] == "rq":
        return queue().enqueue(func, *args, **kwargs)
    func(*args, **kwargs)
    return None


def run_worker(app: Flask, queues: list[str], burst: bool = False) -> None:
    """Process jobs with the app's context pushed, so job functions can use the database and config."""
    from rq import Worker

    with app.app_context():
        worker = Worker(
            [Queue(q, connection=redis_connection()) for q in queues], connection=redis_connection()
        )
        worker.work(burst=burst, with_scheduler=False)
