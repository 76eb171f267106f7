"""Password hashing with Argon2id at OWASP's recommended cost, and nothing more.

OWASP's Password Storage Cheat Sheet lists Argon2id with 19 MiB of memory, 2 iterations and 1 lane as the
baseline. argon2-cffi's own defaults (64 MiB, t=3, p=4) cost about ten times the CPU per check: on two cores
that capped sign-ins near 8 per second and starved every other page while people signed in. Hashes made with
other parameters (the earlier defaults) still verify, and are replaced on the next successful sign-in
(:func:`needs_rehash`).
"""

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError

from tenants.rules import MIN_PASSWORD_LENGTH  # noqa: F401 - re-exported: where passwords are, people look

# OWASP Password Storage Cheat Sheet: Argon2id, m=19 MiB, t=2, p=1.
OWASP = {"time_cost": 2, "memory_cost": 19 * 1024, "parallelism": 1, "type": Type.ID}
# Tests only (FAST_PASSWORD_HASH): still Argon2id, a thousand times cheaper.
FAST = {"time_cost": 1, "memory_cost": 8, "parallelism": 1, "type": Type.ID}

_hasher = PasswordHasher(**OWASP)
_dummy: dict[int, str] = {}


def configure(*, fast: bool) -> None:
    """Choose the cost: OWASP's parameters, or cheap ones for tests."""
    global _hasher
    _hasher = PasswordHasher(**(FAST if fast else OWASP))


def hash_password(password: str) -> str:
    """Return an encoded Argon2id hash of ``password``."""
    return _hasher.hash(password)


def verify_password(encoded: str | None, password: str) -> bool:
    """True when ``password`` matches ``encoded``; never raises on a malformed or missing hash."""
    if not encoded:
        return False
    try:
        return _hasher.verify(encoded, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(encoded: str) -> bool:
    """Whether ``encoded`` was made with other parameters than the current ones (rehash it on sign-in)."""
    try:
        return _hasher.check_needs_rehash(encoded)
    except InvalidHashError:
        return True


def verify_dummy(password: str) -> None:
    """Spend the time of one real check, for an unknown email, so sign-in time does not tell which exist.

    The dummy hash is made on first use with the current parameters (not at import, which would add a
    hash's cost to every process start and CLI command).
    """
    key = id(_hasher)
    if key not in _dummy:
        _dummy.clear()
        _dummy[key] = _hasher.hash("adoptloop-timing-equaliser")
    verify_password(_dummy[key], password)
