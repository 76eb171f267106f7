"""The WSGI app bench_signin.py runs under gunicorn; BENCH_ARGON2_DEFAULTS=1 hashes with argon2-cffi's own
defaults (the cost before issue 12), for a before/after comparison in the same run."""

import os

from tenants import passwords

if os.environ.get("BENCH_ARGON2_DEFAULTS") == "1":
    from argon2 import Type

    passwords.OWASP = {"time_cost": 3, "memory_cost": 64 * 1024, "parallelism": 4, "type": Type.ID}

from app import create_app  # noqa: E402

app = create_app()
