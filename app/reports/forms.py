"""The form a CSM fills in to issue an account's ROI report."""

import secrets
from datetime import date, timedelta

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, DecimalField, HiddenField, SelectField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from app.auth.forms import REQUIRED
from app.forms import LenientIntegerField
from reports.account_reports import ReportRequest

PERCENT = [NumberRange(min=0, max=100, message=_l("Enter a percentage from 0 to 100."))]
NOT_NEGATIVE = [NumberRange(min=0, message=_l("Enter 0 or more."))]


class ReportForm(FlaskForm):
    request_key = HiddenField()
    period_start = DateField(_l("Period from"), [InputRequired(REQUIRED)])
    period_end = DateField(_l("Period to"), [InputRequired(REQUIRED)])
    locale = SelectField(
        _l("Language"), choices=[SelectChoice("ja", "日本語"), SelectChoice("en", "English")]
    )
    enablement_cost = LenientIntegerField(
        _l("One-off enablement (¥)"), [Optional(), *NOT_NEGATIVE], default=0
    )
    internal_hours_per_month = DecimalField(
        _l("Internal hours per month"), [Optional(), *NOT_NEGATIVE], default=0
    )
    # Python-side labels are not %-formatted (templates are), hence "%" here and "%%" in templates.
    realization_rate = DecimalField(
        _l("Realization rate (%)"), [InputRequired(REQUIRED), *PERCENT], default=50
    )
    risk_adjustment = DecimalField(_l("Risk adjustment (%)"), [InputRequired(REQUIRED), *PERCENT], default=0)
    discount_rate = DecimalField(_l("Discount rate (%)"), [InputRequired(REQUIRED), *PERCENT], default=10)
    notes = TextAreaField(_l("What matters but can't be measured"), [Length(max=5000)])

    def __init__(self, *args, locale: str = "ja", **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_submitted():
            # A fresh key per form shown: a double click or a resubmission finds the report the first made.
            self.request_key.data = secrets.token_urlsafe(24)
            today = date.today()
            first_of_month = today.replace(day=1)
            self.period_end.data = first_of_month - timedelta(days=1)
            self.period_start.data = self.period_end.data.replace(day=1)
            self.locale.data = locale

    def to_request(self) -> ReportRequest:
        return ReportRequest(
            period_start=self.period_start.data,
            period_end=self.period_end.data,
            locale=self.locale.data,
            request_key=(self.request_key.data or secrets.token_urlsafe(24))[:64],
            enablement_cost=self.enablement_cost.data or 0,
            internal_hours_per_month=float(self.internal_hours_per_month.data or 0),
            realization_rate=float(self.realization_rate.data) / 100,
            risk_adjustment=float(self.risk_adjustment.data) / 100,
            discount_rate=float(self.discount_rate.data) / 100,
            notes=self.notes.data or "",
        )
