"""Password hashing with Argon2id (the current OWASP recommendation)."""

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from tenants.rules import MIN_PASSWORD_LENGTH  # noqa: F401 - re-exported: where passwords are, people look

_hasher = PasswordHasher()


def configure(*, fast: bool) -> None:
    """Use cheap parameters (tests only); production keeps argon2-cffi's RFC 9106 defaults."""
    global _hasher
    _hasher = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1) if fast else PasswordHasher()


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


# Verifying against this when the email is unknown keeps login time the same for known and unknown emails.
DUMMY_HASH = PasswordHasher().hash("adoptloop-timing-equaliser")
