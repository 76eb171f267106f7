"""Background jobs: declared beside their function, run by rq workers or in-process.

The convention (after Redash's ``@job("queries", timeout=...)``):

* a job is a plain module-level function in a domain package, taking ids and plain values, never ORM objects
  or request state, so an rq worker can import and call it and a test can call it directly;
* it declares its queue, timeout and retries with :func:`job` right above the function;
* it opens its own tenant scope (``with scoped(db.session, Scope(tenant_id=...))``) from the ids it was given;
* whatever the job produces has a row with a unique key *before* it is enqueued (a Report, an Import), so a
  retried or double-clicked job updates that row instead of making a second one.

Where jobs run is configured once by the web shell (:func:`configure`): ``rq`` with Redis in production, or
``inline`` (run at once, in the caller's process) on the embedded default and in most tests.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from redis import Redis
from rq import Queue, Retry

QUEUES = ("default", "mail", "imports", "reports")
_PENDING = ("queued", "started", "deferred", "scheduled")


@dataclass(frozen=True)
class JobSpec:
    queue: str
    timeout: int  # seconds before rq gives up on one run
    retries: int  # further attempts after a failure
    retry_intervals: tuple[int, ...]  # seconds between attempts


def job(queue: str = "default", *, timeout: int = 300, retries: int = 0, retry_intervals=(10, 60, 300)):
    """Declare the decorated function a background job on ``queue`` (one of :data:`QUEUES`)."""
    if queue not in QUEUES:
        raise ValueError(f"unknown queue {queue!r}; add it to tenants.jobs.QUEUES")

    def decorate(func: Callable) -> Callable:
        func.job_spec = JobSpec(queue, timeout, retries, tuple(retry_intervals))
        return func

    return decorate


@dataclass
class _Backend:
    kind: str = "inline"
    redis_url: str | None = None


_backend = _Backend()


def configure(kind: str, redis_url: str | None) -> None:
    """Choose where jobs run: ``rq`` (needs ``redis_url``) or ``inline``."""
    if kind not in ("rq", "inline"):
        raise ValueError(f"JOBS_BACKEND must be rq or inline, not {kind!r}")
    if kind == "rq" and not redis_url:
        raise ValueError("JOBS_BACKEND=rq needs REDIS_URL")
    _backend.kind, _backend.redis_url = kind, redis_url


def backend() -> str:
    """``rq`` or ``inline``."""
    return _backend.kind


def redis_connection() -> Redis:
    return Redis.from_url(_backend.redis_url)


def queue(name: str = "default") -> Queue:
    return Queue(name, connection=redis_connection())


def enqueue(func: Callable, *args, job_id: str | None = None, **kwargs):
    """Run the job ``func`` in the background (rq) or right away (inline). Returns the rq job or None.

    ``job_id`` makes the enqueue idempotent in rq: a second enqueue with the same id replaces nothing while
    the first is still queued (pass the key of the row the job fills in).
    """
    spec: JobSpec | None = getattr(func, "job_spec", None)
    if spec is None:
        raise TypeError(f"{func.__qualname__} is not declared with @job(queue, timeout=...)")
    if _backend.kind == "inline":
        func(*args, **kwargs)
        return None
    q = queue(spec.queue)
    existing = q.fetch_job(job_id) if job_id is not None else None
    if existing is not None and existing.get_status(refresh=True) in _PENDING:
        return existing
    retry = Retry(max=spec.retries, interval=list(spec.retry_intervals)) if spec.retries else None
    return q.enqueue_call(func, args=args, kwargs=kwargs, timeout=spec.timeout, retry=retry, job_id=job_id)
