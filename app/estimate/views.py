"""The CSM's ROI estimate: type the figures, watch the result change, download the PDF."""

import unicodedata
from datetime import date

from flask import Blueprint, Response, jsonify, render_template, request
from flask_babel import get_locale
from flask_babel import gettext as _

from app.access import VENDOR_STAFF, account_or_404, allow
from app.extensions import db
from reports.estimate_pdf import render_estimate_pdf
from reports.roi import ROIInputError, compute, parse_inputs, to_json
from reports.roi_inputs import DEFAULT_ASSUMPTIONS, inputs_from_account

bp = Blueprint("estimate", __name__, url_prefix="/estimate")

USE_CASE_ROWS = 8
MONEY = ("monthly_spend", "hourly_labor_cost", "enablement_cost")
PERCENT = ("realization_rate", "risk_adjustment", "discount_rate")
PLAIN = ("internal_hours_per_month", "horizon_years", "licensed_seats")
UC_FIELDS = ("minutes_per_run", "runs_per_month", "people")


def _clean(value: str) -> str:
    return (
        unicodedata.normalize("NFKC", value or "").replace("¥", "").replace("円", "").replace(",", "").strip()
    )


def _raw_from_form(form) -> dict:
    """The JSON shape the ROI model reads, from the page's fields (percentages typed as 50 mean 0.5)."""
    raw: dict = {"title": (form.get("title") or "").strip()}
    for name in MONEY + PLAIN:
        if (value := _clean(form.get(name, ""))) != "":
            raw[name] = value
    for name in PERCENT:
        if (value := _clean(form.get(name, "")).rstrip("%")) != "":
            try:
                raw[name] = str(float(value) / 100)
            except ValueError:
                raw[name] = value
    raw["use_cases"] = []
    for i in range(USE_CASE_ROWS):
        title = (form.get(f"uc-{i}-title") or "").strip()
        numbers = {f: _clean(form.get(f"uc-{i}-{f}", "")) for f in UC_FIELDS}
        if title or any(numbers.values()):
            raw["use_cases"].append({"title": title, **{k: v or None for k, v in numbers.items()}})
    return raw


def _field_name(key: str) -> str:
    """``use_cases[2].people`` (the model's key) -> ``uc-2-people`` (the page's field)."""
    if key.startswith("use_cases["):
        index, _, rest = key.removeprefix("use_cases[").partition("].")
        return f"uc-{index}-{rest}"
    return key


def _message(error: ROIInputError) -> str:
    percent = error.key.split(".")[-1] in PERCENT
    limit = error.limit * 100 if percent and error.limit is not None else error.limit
    return {
        "required": _("Enter a value."),
        "number": _("Enter a number."),
        "min": _("Enter %(n)s or more.", n=f"{limit:,}" if limit is not None else ""),
        "max": _("Enter %(n)s or less.", n=f"{limit:,}" if limit is not None else ""),
        "whole": _("Enter a whole number."),
    }.get(error.code, _("Check this value."))


def _form_values(raw: dict) -> dict[str, str]:
    """What the fields show for a raw input dict (percentages back as 50, not 0.5)."""
    values = {"title": raw.get("title", "")}
    for name in MONEY + PLAIN:
        if raw.get(name) not in (None, ""):
            values[name] = str(raw[name])
    for name in PERCENT:
        if raw.get(name) not in (None, ""):
            try:
                values[name] = f"{float(raw[name]) * 100:g}"
            except ValueError:
                values[name] = str(raw[name])
    for i, case in enumerate(raw.get("use_cases", [])[:USE_CASE_ROWS]):
        values[f"uc-{i}-title"] = case.get("title") or ""
        for f in UC_FIELDS:
            values[f"uc-{i}-{f}"] = "" if case.get(f) is None else str(case[f])
    return values


def _evaluate(raw: dict):
    try:
        return compute(parse_inputs(raw)), None
    except ROIInputError as error:
        return None, {_field_name(error.key): _message(error)}


@bp.get("")
@allow(VENDOR_STAFF)
def index():
    raw = {**DEFAULT_ASSUMPTIONS, "title": "", "use_cases": []}
    account = None
    if account_id := request.args.get("account", type=int):
        account = account_or_404(account_id)
        raw = {**inputs_from_account(db.session, account), "title": account.name}
    result, errors = _evaluate(raw) if "monthly_spend" in raw else (None, {})
    return _render(raw, result, errors or {}, account)


@bp.post("")
@allow(VENDOR_STAFF)
def calculate():
    raw = _raw_from_form(request.form)
    result, errors = _evaluate(raw)
    if result is not None and "pdf" in request.form:
        pdf = render_estimate_pdf(result, locale=str(get_locale()), title=raw["title"])
        name = f"roi-estimate-{date.today():%Y%m%d}.pdf"
        return Response(
            pdf, mimetype="application/pdf", headers={"Content-Disposition": f'attachment; filename="{name}"'}
        )
    return _render(raw, result, errors or {}, None, 422 if errors else 200)


@bp.post("/figures")
@allow(VENDOR_STAFF)
def figures():
    """The live figures for the page's script: the same parsing, as JSON."""
    raw = _raw_from_form(request.form)
    result, errors = _evaluate(raw)
    if errors:
        return jsonify({"errors": errors}), 422
    html = render_template("estimate/_results.html", r=to_json(result))
    return jsonify({"figures": to_json(result), "html": html})


def _render(raw: dict, result, errors: dict, account, status: int = 200):
    return render_template(
        "estimate/index.html",
        values=_form_values(raw),
        r=to_json(result) if result else None,
        errors=errors,
        account=account,
        rows=USE_CASE_ROWS,
    ), status
