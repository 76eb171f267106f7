"""What one request may carry, refused cheaply before anything is read or queried.

- Body size: ``MAX_CONTENT_LENGTH`` (forms) is checked against Content-Length before the body is read, so a
  300 MB body is a 413 at once; a view marked :func:`accepts_upload` gets ``MAX_UPLOAD_LENGTH`` instead.
  ``MAX_FORM_MEMORY_SIZE`` and ``MAX_FORM_PARTS`` bound what a multipart form keeps in memory.
- Ids in URLs: the ``int`` converter stops at 2**31 - 1 (the largest id an INTEGER column holds), so
  ``/accounts/2**63`` is a 404 instead of a database overflow.
- Links in mail: outside the embedded default, ``PUBLIC_URL`` (or ``TRUSTED_HOSTS``) must be set, so a forged
  Host header cannot put another site into an invitation or reset link.
"""

from collections.abc import Callable

from flask import Flask, current_app, request
from werkzeug.routing import IntegerConverter

# Ids are INTEGER columns; anything larger cannot name a row (and PostgreSQL would refuse the query).
ID_MAX = 2**31 - 1


class BoundedIntConverter(IntegerConverter):
    """``<int:...>`` that matches only ids a database integer column can hold."""

    def __init__(self, map, fixed_digits=0, min=None, max=ID_MAX, signed=False):  # noqa: A002
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


# Room for the multipart envelope and the form's other fields around a file of a declared size.
FORM_ENVELOPE = 64 * 1024


def accepts_upload(view: Callable | None = None, *, file_bytes: int | None = None):
    """Mark a view that takes file uploads: its requests may be as large as ``MAX_UPLOAD_LENGTH``, or, with
    ``file_bytes``, as large as a file of that size (the domain's own limit) plus the form around it.
    Anything larger is a 413 before the body is read. Use as ``@accepts_upload`` or
    ``@accepts_upload(file_bytes=...)``."""

    def mark(view: Callable) -> Callable:
        view.accepts_upload = True
        view.upload_file_bytes = file_bytes
        return view

    return mark(view) if view is not None else mark


def upload_limit(view: Callable) -> int | None:
    """The largest file ``view`` takes (bytes), or None for a view that takes no uploads."""
    if not getattr(view, "accepts_upload", False):
        return None
    return view.upload_file_bytes or current_app.config["MAX_UPLOAD_LENGTH"]


def _raise_limit_for_uploads() -> None:
    view = current_app.view_functions.get(request.endpoint or "")
    if view is not None and getattr(view, "accepts_upload", False):
        declared = view.upload_file_bytes
        request.max_content_length = (
            declared + FORM_ENVELOPE if declared else current_app.config["MAX_UPLOAD_LENGTH"]
        )


class ConfigurationError(RuntimeError):
    """A setting production needs is missing."""


def host_from_request_is_unsafe(app: Flask) -> bool:
    """True for a production-like app (PostgreSQL, or a real mail server) with neither ``PUBLIC_URL`` nor
    ``TRUSTED_HOSTS``: the Host header of a request is whatever its sender wrote."""
    from app.mail import is_real_backend

    embedded = app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite") and not is_real_backend(
        app.config["MAIL_URL"]
    )
    return not (embedded or app.config.get("PUBLIC_URL") or app.config.get("TRUSTED_HOSTS"))


MISSING_PUBLIC_URL = (
    "set PUBLIC_URL (e.g. https://adoptloop.example.com) or TRUSTED_HOSTS: links in mail must not take their "
    "host from the request"
)


def require_public_url(app: Flask) -> None:
    """Refuse to start a production-like web server without ``PUBLIC_URL`` or ``TRUSTED_HOSTS``.

    Command-line runs (migrations, the rq worker) serve no requests and only get a warning; links built
    without a safe host are refused anyway (:func:`app.invites.public_link`).
    """
    import click

    if app.testing or not host_from_request_is_unsafe(app):
        return
    if click.get_current_context(silent=True) is not None:
        app.logger.warning(MISSING_PUBLIC_URL)
        return
    raise ConfigurationError(MISSING_PUBLIC_URL)


def init_app(app: Flask) -> None:
    """Install the converter (before any blueprint is registered) and the per-request size limit."""
    app.url_map.converters["int"] = BoundedIntConverter
    app.before_request(_raise_limit_for_uploads)
    require_public_url(app)
