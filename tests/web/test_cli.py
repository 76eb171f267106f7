"""Administration from the command line."""

from app.extensions import db
from tenants.scoping import unscoped
from tenants.tenant import Tenant
from tenants.users import Person, User
from tests.helpers import login


def test_create_tenant_and_add_user(app):
    runner = app.test_cli_runner()
    result = runner.invoke(
        args=[
            "tenant",
            "create",
            "--name",
            "Acme AI",
            "--owner-email",
            "boss@acme.example.com",
            "--owner-name",
            "Boss",
            "--password",
            "long-password-1",
            "--locale",
            "en",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "tenant acme-ai" in result.output
    result = runner.invoke(
        args=[
            "tenant",
            "add-user",
            "--tenant",
            "acme-ai",
            "--email",
            "csm@acme.example.com",
            "--name",
            "C",
            "--role",
            "csm",
            "--password",
            "long-password-2",
        ],
    )
    assert result.exit_code == 0, result.output
    with app.app_context(), unscoped(db.session, "test"):
        user = db.session.scalar(db.select(User).where(User.email == "csm@acme.example.com"))
        assert user.role.value == "csm"
    login(app.test_client(), "csm@acme.example.com", "long-password-2")


def test_cli_errors_are_clear(app):
    runner = app.test_cli_runner()
    args = [
        "tenant",
        "create",
        "--name",
        "X",
        "--owner-email",
        "x@x.example.com",
        "--owner-name",
        "X",
        "--password",
        "long-password-1",
    ]
    assert runner.invoke(args=args).exit_code == 0
    again = runner.invoke(args=args)
    assert again.exit_code == 1 and "already exists" in again.output
    missing = runner.invoke(
        args=[
            "tenant",
            "add-user",
            "--tenant",
            "nope",
            "--email",
            "a@b.example.com",
            "--name",
            "A",
            "--role",
            "csm",
            "--password",
            "long-password-1",
        ]
    )
    assert missing.exit_code == 1 and "no tenant with slug 'nope'" in missing.output
    no_account = runner.invoke(
        args=[
            "tenant",
            "add-user",
            "--tenant",
            "x",
            "--email",
            "a@b.example.com",
            "--name",
            "A",
            "--role",
            "member",
            "--password",
            "long-password-1",
        ]
    )
    assert no_account.exit_code == 1 and "client roles need an account" in no_account.output


def test_seed_demo_is_idempotent(app):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["seed-demo"])
    second = runner.invoke(args=["seed-demo"])
    assert first.exit_code == second.exit_code == 0
    assert "csm@demo-ai.example.com" in second.output
    with app.app_context(), unscoped(db.session, "test"):
        # The demo vendor with five people; a second vendor (its owner) where the champion is a member too.
        assert db.session.scalar(db.select(db.func.count(Tenant.id))) == 2
        assert db.session.scalar(db.select(db.func.count(User.id))) == 7
        assert db.session.scalar(db.select(db.func.count(Person.id))) == 6
