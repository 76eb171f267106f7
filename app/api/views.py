"""/api/v1: a vendor's own systems read accounts and metrics and post use cases and daily usage rows.

Every call carries a token (``Authorization: Bearer al_...``); the request then runs under that vendor's
tenant scope exactly as a signed-in CSM's would, so a token never sees another vendor's rows. Writes need
a ``write`` token. Errors are JSON with the path of each bad field (app/api/errors.py).
"""

from datetime import date, timedelta

import pandas as pd
from flask import Blueprint, current_app, g, jsonify, request
from sqlalchemy.orm import selectinload

from app.access import public
from app.api import errors
from app.api.errors import ApiError
from app.extensions import csrf, db, limiter
from playbooks.recurrence import tokyo_today
from playbooks.usecases import Source, UseCase, create_use_case
from reports.account_metrics import account_metrics
from reports.importers.base import COLUMNS
from reports.importers.text import parse_day, parse_number, parse_text
from reports.usage import UsageImport, store
from tenants import api_tokens
from tenants.accounts import Account, get_account
from tenants.errors import FieldErrors
from tenants.scoping import Scope, set_scope

bp = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)
errors.register(bp)
MAX_ROWS = 10_000  # daily usage rows per call
PAGE_MAX = 100


def _token_key() -> str:
    token = g.get("api_token")
    return f"api-token:{token.id}" if token is not None else f"api-anon:{request.remote_addr}"


@bp.before_request
def _authenticate():
    if request.endpoint == "api.openapi":
        return  # the description of the API is public
    header = request.headers.get("Authorization", "")
    raw = header[7:].strip() if header.lower().startswith("bearer ") else ""
    token = api_tokens.authenticate(db.session, raw) if raw else None
    if token is None:
        raise ApiError(401)
    g.api_token = token
    set_scope(db.session, Scope(tenant_id=token.tenant_id))


def _writing() -> None:
    if not g.api_token.may_write:
        raise ApiError(403)


def _account(account_id: int) -> Account:
    account = get_account(db.session, account_id)
    if account is None:
        raise ApiError(404)
    return account


def _json_body() -> dict:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise ApiError(400, "Send a JSON object (Content-Type: application/json).")
    return body


def _account_json(account: Account) -> dict:
    return {
        "id": account.id,
        "name": account.name,
        "industry": account.industry,
        "licensed_seats": account.licensed_seats,
        "monthly_spend_yen": account.monthly_spend_yen,
        "kickoff_date": account.kickoff_date.isoformat(),
        "teams": [{"id": t.id, "name": t.name, "headcount": t.headcount} for t in account.teams],
    }


def _limit():
    return current_app.config["API_RATE_LIMIT"]


rate_limited = limiter.limit(_limit, key_func=_token_key)


@bp.get("/accounts")
@public  # token-authenticated: see _authenticate
@rate_limited
def accounts():
    page = _int_arg("page", 1, 1, 100_000)
    per_page = _int_arg("per_page", 50, 1, PAGE_MAX)
    query = db.select(Account).options(selectinload(Account.teams)).order_by(Account.id)
    total = db.session.scalar(db.select(db.func.count()).select_from(query.subquery()))
    rows = db.session.scalars(query.offset((page - 1) * per_page).limit(per_page)).all()
    return jsonify(
        {"page": page, "per_page": per_page, "total": total, "items": [_account_json(a) for a in rows]}
    )


@bp.get("/accounts/<int:account_id>")
@public
@rate_limited
def account(account_id: int):
    return jsonify(_account_json(_account(account_id)))


@bp.get("/accounts/<int:account_id>/metrics")
@public
@rate_limited
def metrics(account_id: int):
    acct = _account(account_id)
    end = _date_arg("to", tokyo_today())
    start = _date_arg("from", end - timedelta(days=29))
    if start > end or (end - start).days > 366:
        raise ApiError(
            422, fields=[{"path": "query.from", "message": "from must be on or before to, within 366 days"}]
        )
    return jsonify(account_metrics(db.session, acct, start, end))


@bp.get("/accounts/<int:account_id>/use-cases")
@public
@rate_limited
def use_cases(account_id: int):
    acct = _account(account_id)
    rows = db.session.scalars(
        db.select(UseCase)
        .where(UseCase.account_id == acct.id, UseCase.published_at.is_not(None))
        .order_by(UseCase.id.desc())
        .limit(_int_arg("limit", 50, 1, PAGE_MAX))
    ).all()
    return jsonify({"items": [_use_case_json(c) for c in rows]})


def _use_case_json(case: UseCase) -> dict:
    return {
        "id": case.id,
        "title": case.title,
        "problem": case.problem,
        "prompt": case.prompt,
        "result": case.result,
        "model_name": case.model_name,
        "used_on": case.used_on.isoformat(),
        "minutes_saved_per_run": case.minutes_saved_per_run,
        "runs_per_month": case.runs_per_month,
        "people": case.people,
        "stage": case.stage,
        "source": case.source,
        "tags": case.tags,
        "team_id": case.team_id,
    }


USE_CASE_FIELDS = {
    "title": str,
    "model_name": str,
    "used_on": str,
    "problem": str,
    "prompt": str,
    "result": str,
    "minutes_saved_per_run": int,
    "runs_per_month": int,
    "people": int,
    "team_id": int,
    "tags": list,
}


@bp.post("/accounts/<int:account_id>/use-cases")
@public
@rate_limited
def post_use_case(account_id: int):
    _writing()
    acct = _account(account_id)
    body = _json_body()
    problems = [{"path": f"body.{k}", "message": "unknown field"} for k in body if k not in USE_CASE_FIELDS]
    for key, kind in USE_CASE_FIELDS.items():
        value = body.get(key)
        if value is None:
            continue
        if kind is int and (isinstance(value, bool) or not isinstance(value, int) or abs(value) > 10**9):
            problems.append({"path": f"body.{key}", "message": "must be a whole number"})
        elif kind is str and (not isinstance(value, str) or "\x00" in value):
            problems.append({"path": f"body.{key}", "message": "must be text without NUL characters"})
        elif kind is list and not (isinstance(value, list) and all(isinstance(t, str) for t in value)):
            problems.append({"path": f"body.{key}", "message": "must be a list of strings"})
    used_on = None
    if isinstance(body.get("used_on"), str):
        try:
            used_on = date.fromisoformat(body["used_on"])
        except ValueError:
            problems.append({"path": "body.used_on", "message": "must be a date (YYYY-MM-DD)"})
    if problems:
        raise ApiError(422, fields=problems)
    fields = {"title": "", "model_name": "", **{k: v for k, v in body.items() if v is not None}}
    fields.pop("used_on", None)
    try:
        case = create_use_case(db.session, acct, None, used_on=used_on, source=Source.API, **fields)
    except FieldErrors as error:
        db.session.rollback()
        raise ApiError(422, fields=errors.field_errors(error.errors)) from None
    db.session.commit()
    return jsonify(_use_case_json(case)), 201


USAGE_FIELDS = {"day", "user", "team", "app", "actions", "minutes_saved", "active"}


@bp.post("/accounts/<int:account_id>/usage")
@public
@rate_limited
def post_usage(account_id: int):
    """Daily usage rows as JSON; all or nothing; a row for the same day, person and app replaces the last."""
    _writing()
    acct = _account(account_id)
    body = _json_body()
    rows = body.get("rows")
    if not isinstance(rows, list) or not rows:
        raise ApiError(422, fields=[{"path": "body.rows", "message": "must be a non-empty list of rows"}])
    if len(rows) > MAX_ROWS:
        raise ApiError(413, f"At most {MAX_ROWS:,} rows per call.")
    checked, problems = [], []
    teams = {t.name for t in acct.teams}
    for i, row in enumerate(rows):
        path = f"body.rows[{i}]"
        if not isinstance(row, dict):
            problems.append({"path": path, "message": "must be an object"})
            continue
        problems += [
            {"path": f"{path}.{k}", "message": "unknown field"} for k in row if k not in USAGE_FIELDS
        ]
        record = {"team": None, "app": "api", "active": 1, "actions": 0.0, "minutes_saved": 0.0}
        for key in ("day", "user", "team", "app", "actions", "minutes_saved", "active"):
            value = row.get(key)
            if value is None:
                continue
            try:
                if key == "day":
                    record["day"] = parse_day(value if isinstance(value, str) else "")
                elif key in ("actions", "minutes_saved", "active"):
                    if isinstance(value, bool) or not isinstance(value, int | float):
                        raise ValueError("must be a number")
                    record[key] = parse_number(value)
                    if key == "active":
                        record[key] = int(record[key])
                else:
                    if not isinstance(value, str):  # JSON's own type; the text rules are the importers'
                        raise ValueError("must be text")
                    record[key] = parse_text(value, required=True)[: 120 if key == "team" else 64]
            except ValueError as error:
                problems.append({"path": f"{path}.{key}", "message": str(error)})
        for required in ("day", "user"):
            if row.get(required) is None:
                problems.append({"path": f"{path}.{required}", "message": "is required"})
        if record["team"] is not None and record["team"] not in teams:
            problems.append(
                {"path": f"{path}.team", "message": f"the account has no team {record['team']!r}"}
            )
        checked.append(record)
    if problems:
        raise ApiError(422, fields=problems[:1000])
    imported = UsageImport(
        tenant_id=acct.tenant_id,
        account_id=acct.id,
        filename=f"api:{g.api_token.prefix}",
        sha256="-" * 64,
        format="api",
        rows=len(checked),
        status="done",
    )
    db.session.add(imported)
    db.session.flush()
    frame = pd.DataFrame(checked, columns=COLUMNS)
    imported.imported, imported.replaced = store(
        db.session, acct, imported.id, frame, current_app.config["SECRET_KEY"]
    )
    db.session.commit()
    return jsonify({"rows": len(checked), "imported": imported.imported, "replaced": imported.replaced}), 201


def _int_arg(name: str, default: int, low: int, high: int) -> int:
    raw = request.args.get(name)
    if raw is None:
        return default
    if not raw.isdigit() or not low <= int(raw) <= high:
        raise ApiError(
            422, fields=[{"path": f"query.{name}", "message": f"must be a whole number {low}..{high}"}]
        )
    return int(raw)


def _date_arg(name: str, default: date) -> date:
    raw = request.args.get(name)
    if raw is None:
        return default
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise ApiError(
            422, fields=[{"path": f"query.{name}", "message": "must be a date (YYYY-MM-DD)"}]
        ) from None


@bp.get("/openapi.json")
@public
def openapi():
    """The OpenAPI 3.1 description of this API."""
    from app.api.openapi import spec

    return jsonify(spec(request.host_url.rstrip("/")))
