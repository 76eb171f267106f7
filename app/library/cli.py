"""``flask --app wsgi usecase import|search``: the library from scripts, one JSON object on stdout."""

import json
import sys
from pathlib import Path

import click
from flask.cli import AppGroup

from app.extensions import db
from playbooks.search.jobs import embed_account
from playbooks.search.service import default_embedder, search_use_cases
from playbooks.usecase_import import import_sheet
from playbooks.usecase_sheets import SheetError, plain
from tenants.accounts import Account
from tenants.scoping import Scope, scoped, unscoped

usecase_cli = AppGroup("usecase", help="Import and search the use-case library of a client account.")


def _fail(message: str) -> None:
    click.echo(f"error: {message}", err=True)
    sys.exit(1)


def _account_scope(account_id: int) -> Scope:
    with unscoped(db.session, "the CLI names an account by id and acts inside its tenant"):
        account = db.session.get(Account, account_id)
    if account is None:
        _fail(f"ACCOUNT_ID {account_id}: no such account")
    return Scope(tenant_id=account.tenant_id, account_ids=frozenset({account_id}))


def _emit(payload: dict) -> None:
    click.echo(json.dumps(payload, ensure_ascii=False))


@usecase_cli.command("import")
@click.argument("account_id", type=int)
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--only-valid", is_flag=True, help="Import the valid rows even when others have errors.")
def import_command(account_id: int, file: Path, only_valid: bool):
    """Import a CSV or .xlsx sheet of use cases (UTF-8 or CP932, Japanese or English headers).

    Prints {"imported": n, "errors": [{"row", "column", "reason"}]}. Without --only-valid nothing is imported
    when any row has an error (exit status 1).
    """
    if not file.is_file():
        _fail(f"FILE {file}: no such file")
    scope = _account_scope(account_id)
    with scoped(db.session, scope):
        account = db.session.get(Account, account_id)
        try:
            outcome = import_sheet(
                db.session, account, None, file.read_bytes(), file.name, only_valid=only_valid
            )
        except SheetError as error:
            db.session.rollback()
            _fail(f"FILE {file.name}: {error}")
        db.session.commit()
        if outcome.imported:
            embed_account(
                scope.tenant_id, account_id
            )  # vectors now, so the next search finds them by meaning
    _emit(outcome.as_dict())
    if outcome.errors and not only_valid:
        click.echo(f"{len(outcome.errors)} error(s); nothing imported (use --only-valid)", err=True)
        sys.exit(1)


@usecase_cli.command("search")
@click.argument("account_id", type=int)
@click.argument("queries", nargs=-1, required=True)
@click.option("--limit", type=click.IntRange(1, 100), default=10, show_default=True)
def search_command(account_id: int, queries: tuple[str, ...], limit: int):
    """Search an account's library; prints {"QUERY": [{"id", "title", "score"}, ...], ...}."""
    scope = _account_scope(account_id)
    embedder = default_embedder()
    out = {}
    with scoped(db.session, scope):
        for query in queries:
            found = search_use_cases(db.session, [account_id], query, limit=limit, embedder=embedder)
            out[query] = [hit.as_dict() for hit in found.hits]
            if found.notice:
                click.echo(f"{query[:40]!r}: {plain(found.notice)}", err=True)
        db.session.commit()  # vectors computed for cases saved without one
    _emit(out)
