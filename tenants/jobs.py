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

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

from redis import Redis
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from rq import Queue, Retry

log = logging.getLogger(__name__)
# Redis being away must not hang a page: fail fast, and ask again at most every few seconds.
REDIS_TIMEOUT = 1.0
HEALTH_TTL = 5.0
REDIS_DOWN = (RedisConnectionError, RedisTimeoutError)

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
    return Redis.from_url(
        _backend.redis_url, socket_connect_timeout=REDIS_TIMEOUT, socket_timeout=REDIS_TIMEOUT * 5
    )


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
        try:
            func(*args, **kwargs)
        except Exception:
            # As with a worker, a failed job has recorded its failure on its row (shown, with a retry);
            # it must not also fail the request that asked for it.
            log.exception("inline job %s failed", job_id or func.__qualname__)
        return None
    q = queue(spec.queue)
    try:
        existing = q.fetch_job(job_id) if job_id is not None else None
        if existing is not None and existing.get_status(refresh=True) in _PENDING:
            return existing
        retry = Retry(max=spec.retries, interval=list(spec.retry_intervals)) if spec.retries else None
        return q.enqueue_call(
            func, args=args, kwargs=kwargs, timeout=spec.timeout, retry=retry, job_id=job_id
        )
    except REDIS_DOWN as error:
        # The work is not lost: its row is already committed as queued, and sweep() enqueues it again once
        # Redis answers (at the next page after the outage, and when a worker starts).
        _health.mark(False)
        log.warning("jobs paused, %s not enqueued yet (%s)", job_id or func.__qualname__, error)
        return None


def setting(name: str):
    """A configuration value inside a job (the worker and the inline runner both have the app's context).
    Secrets are read here rather than passed as job arguments, which Redis would keep in clear."""
    from flask import current_app

    return current_app.config[name]


# Functions that find committed-but-unqueued work and enqueue it; each domain registers its own.
_sweepers: list[Callable[[], int]] = []


def sweeper(func: Callable[[], int]) -> Callable[[], int]:
    """Register ``func`` (no arguments, returns how many jobs it enqueued) to run in :func:`sweep`."""
    _sweepers.append(func)
    return func


def sweep() -> int:
    """Enqueue every piece of queued work whose job Redis lost or never got (an outage, a restart).

    Safe to run any time: the sweepers enqueue with the row's job id, so a job still waiting is not doubled.
    """
    if _backend.kind != "rq":
        return 0
    return sum(s() for s in _sweepers)


@dataclass
class _Health:
    up: bool = True
    checked_at: float = 0.0

    def mark(self, up: bool) -> None:
        self.up, self.checked_at = up, time.monotonic()


_health = _Health()


def recheck() -> None:
    """Ask Redis at the next :func:`paused` call instead of trusting the last answer."""
    _health.checked_at = 0.0


def paused() -> bool:
    """True when background work cannot be queued (rq configured, Redis not answering).

    Pings at most every few seconds. When Redis answers again after an outage, the work requested
    meanwhile is swept into the queues, so pages can say "paused" and nothing waits forever.
    """
    if _backend.kind != "rq":
        return False
    if time.monotonic() - _health.checked_at < HEALTH_TTL:
        return not _health.up
    was_up = _health.up
    try:
        redis_connection().ping()
        _health.mark(True)
    except REDIS_DOWN:
        _health.mark(False)
        return True
    if not was_up:
        log.info("Redis answers again: sweeping queued work into the queues")
        try:
            sweep()
        except REDIS_DOWN:
            _health.mark(False)
            return True
    return False
