"""JSON errors for /api/v1, always shaped
``{"status", "error": {"code", "message", "fields": [{"path", "message"}]}}``."""

from flask import jsonify
from werkzeug.exceptions import HTTPException

from app.i18n import translate

MESSAGES = {
    400: "The request is not valid JSON or has the wrong shape.",
    401: "Send a valid API token: Authorization: Bearer al_...",
    403: "This token may only read; ask the owner for a write token.",
    404: "No such resource for this token.",
    405: "This method is not allowed here.",
    413: "The request body is too large.",
    422: "Some fields are not valid.",
    429: "Too many requests for this token; wait and retry.",
    500: "Something went wrong on our side.",
}


class ApiError(Exception):
    """Raised by API views; answered as JSON with ``status``."""

    def __init__(self, status: int, message: str | None = None, fields: list[dict] | None = None):
        super().__init__(message or MESSAGES.get(status, ""))
        self.status, self.message, self.fields = status, message or MESSAGES.get(status, ""), fields or []


def field_errors(errors: dict, prefix: str = "body") -> list[dict]:
    """A domain FieldErrors mapping as [{path, message}], messages translated."""
    return [{"path": f"{prefix}.{name}", "message": translate(message)} for name, message in errors.items()]


def respond(status: int, message: str | None = None, fields: list[dict] | None = None, headers=None):
    body = {
        "status": status,
        "error": {"code": status, "message": message or MESSAGES.get(status, ""), "fields": fields or []},
    }
    response = jsonify(body)
    response.status_code = status
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def register(bp) -> None:
    @bp.errorhandler(ApiError)
    def _api_error(error: ApiError):
        return respond(error.status, error.message, error.fields)

    @bp.errorhandler(HTTPException)
    def _http_error(error: HTTPException):
        headers = {}
        if error.code == 429 and error.get_response().headers.get("Retry-After"):
            headers["Retry-After"] = error.get_response().headers["Retry-After"]
        return respond(error.code or 500, None, None, headers)
