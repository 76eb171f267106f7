"""The embedded default a newcomer gets: SQLite file, in-process jobs, demo data, a real server process."""

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from app import create_app
from tenants.db import db
from tenants.scoping import unscoped
from tenants.tenant import Tenant
from tests.helpers import login

ROOT = Path(__file__).resolve().parents[2]
FLASK = [sys.executable, "-m", "flask", "--app", "wsgi"]


def embedded_env(instance: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL", "JOBS_BACKEND"}}
    env.update(ADOPTLOOP_INSTANCE=str(instance), FAST_PASSWORD_HASH="1")
    return env


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def instance(tmp_path_factory):
    instance = tmp_path_factory.mktemp("instance")
    env = embedded_env(instance)
    for _ in range(2):  # migrations and seeding are idempotent
        subprocess.run([*FLASK, "db", "upgrade"], cwd=ROOT, env=env, check=True, capture_output=True)
        seeded = subprocess.run(
            [*FLASK, "seed-demo"], cwd=ROOT, env=env, check=True, capture_output=True, text=True
        )
    assert "csm@demo-ai.example.com" in seeded.stdout
    return instance


def test_embedded_default_uses_sqlite_and_inline_jobs(instance, monkeypatch):
    for name, value in embedded_env(instance).items():
        monkeypatch.setenv(name, value)
    for name in ("DATABASE_URL", "REDIS_URL", "JOBS_BACKEND"):
        monkeypatch.delenv(name, raising=False)
    app = create_app()
    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{instance / 'adoptloop.sqlite3'}"
    assert app.config["JOBS_BACKEND"] == "inline"
    assert app.config["RATELIMIT_STORAGE_URI"] == "memory://"
    with app.app_context(), unscoped(db.session, "test counts tenants"):
        # Seeding twice made the demo vendor and its partner vendor once each.
        assert db.session.scalar(db.select(db.func.count(Tenant.id))) == 2

    client = app.test_client()
    login(client, "csm@demo-ai.example.com", "adoptloop-demo")
    portfolio = client.get("/accounts").get_data(as_text=True)
    for name in ("株式会社さくら製作所", "Northwind Logistics KK", "みどり会計事務所"):
        assert name in portfolio
    assert "data-health=" in portfolio  # every account has a health score with its parts

    admin = app.test_client()
    login(admin, "admin@sakura-mfg.example.jp", "adoptloop-demo")
    page = admin.get("/", follow_redirects=True).get_data(as_text=True)
    assert "株式会社さくら製作所" in page and "Northwind" not in page


def test_server_process_serves_pages(instance):
    port = free_port()
    server = subprocess.Popen(
        [*FLASK, "run", "--port", str(port)],
        cwd=ROOT,
        env=embedded_env(instance),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as response:
                    assert response.status == 200 and b'"ok"' in response.read()
                    break
            except OSError:
                assert time.monotonic() < deadline, (
                    server.stderr.read1().decode() if server.poll() else "timeout"
                )
                time.sleep(0.2)
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/login", timeout=5) as response:
            html = response.read().decode()
        assert 'name="csrf_token"' in html and "/static/app.css" in html
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/static/app.css", timeout=5) as response:
            assert response.status == 200
    finally:
        server.terminate()
        server.wait(10)
