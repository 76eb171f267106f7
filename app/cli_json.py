"""Shared plumbing for commands that scripts call: exactly one JSON object on stdout, logs on stderr, a clear
message and a non-zero exit on bad input, never a traceback."""

import json
import sys
from collections.abc import Callable
from functools import wraps

import click


class CommandError(click.ClickException):
    """Bad input: printed as ``{"error": message}`` on stdout and the message on stderr; exit code 1."""

    def show(self, file=None) -> None:
        click.echo(json.dumps({"error": self.message}, ensure_ascii=False))
        click.echo(f"error: {self.message}", err=True)


def emit(payload: dict) -> None:
    """Print the command's one JSON object."""
    click.echo(json.dumps(payload, ensure_ascii=False, default=str))


def json_command(func: Callable) -> Callable:
    """Turn an unexpected exception into one JSON error line and exit 2: a script never parses a traceback."""

    @wraps(func)
    def run(*args, **kwargs):
        try:
            return func(*args, **kwargs)
        except click.ClickException:
            raise
        except Exception as error:  # noqa: BLE001 - the last line of defence for a scripted caller
            click.echo(json.dumps({"error": f"internal error: {type(error).__name__}"}))
            click.echo(f"internal error: {error!r}", err=True)
            sys.exit(2)

    return run
