"""Password hashing cost (pure): OWASP's Argon2id parameters, rehash of older hashes, nothing at import."""

import subprocess
import sys
from pathlib import Path

from argon2 import PasswordHasher

from tenants import passwords

ROOT = Path(__file__).resolve().parents[2]


def test_hashes_use_owasp_argon2id_parameters():
    passwords.configure(fast=False)
    try:
        encoded = passwords.hash_password("correct-horse-battery")
    finally:
        passwords.configure(fast=True)
    assert encoded.startswith("$argon2id$v=19$m=19456,t=2,p=1$")


def test_hashes_from_the_earlier_defaults_still_verify_and_need_a_rehash():
    old = PasswordHasher().hash("correct-horse-battery")  # argon2-cffi defaults: m=65536, t=3, p=4
    passwords.configure(fast=False)
    try:
        assert passwords.verify_password(old, "correct-horse-battery")
        assert passwords.needs_rehash(old)
        assert not passwords.needs_rehash(passwords.hash_password("x" * 12))
    finally:
        passwords.configure(fast=True)


def test_importing_the_module_computes_no_hash():
    # A hash at import time costs every process start (CLI, workers) a full Argon2 run.
    code = (
        "import argon2\n"
        "def refuse(*a, **k):\n"
        "    raise SystemExit('hashed at import')\n"
        "argon2.PasswordHasher.hash = refuse\n"
        "import tenants.passwords, tenants.users\n"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr + result.stdout


def test_unknown_email_check_spends_one_verification():
    passwords.configure(fast=True)
    passwords.verify_dummy("anything")  # makes the dummy hash on first use, with the current parameters
    assert next(iter(passwords._dummy.values())).startswith("$argon2id$v=19$m=8,t=1,p=1$")
