"""The guided onboarding form and the invite-a-person form of an account."""

import re
from datetime import UTC, datetime

from flask import request
from flask_babel import get_locale, gettext, to_user_timezone
from flask_babel import lazy_gettext as _l
from wtforms import DateField, EmailField, FieldList, Form, FormField, HiddenField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, InputRequired, Length, Optional

from app.auth.forms import REQUIRED
from app.forms import AppForm, LenientIntegerField, Within
from tenants.accounts import INDUSTRIES
from tenants.onboarding import AccountDraft, TeamDraft
from tenants.roles import CLIENT_ROLES, ROLE_LABELS, Role
from tenants.rules import ACCOUNT_BOUNDS, MAX_TEAMS

INDUSTRY_LABELS = {
    "manufacturing": _l("Manufacturing"),
    "finance": _l("Banking & finance"),
    "insurance": _l("Insurance"),
    "retail": _l("Retail & consumer"),
    "it_services": _l("IT services"),
    "telecom": _l("Telecommunications"),
    "healthcare": _l("Healthcare & pharma"),
    "public_sector": _l("Public sector"),
    "construction": _l("Construction & real estate"),
    "logistics": _l("Logistics"),
    "trading": _l("Trading company"),
    "other": _l("Other"),
}
assert set(INDUSTRY_LABELS) == set(INDUSTRIES)


def industry_names() -> dict[str, str]:
    """Industry labels translated once for a page (lazy strings would translate on every use)."""
    return {key: str(label) for key, label in INDUSTRY_LABELS.items()}


MIN_TEAM_ROWS = 3
TEAM_ROW_KEY = re.compile(r"teams-(\d+)-")


def _optional_int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


class TeamRow(Form):
    """One department/team line; a row left entirely blank is ignored."""

    id = HiddenField(filters=[_optional_int])
    name = StringField(_l("Team"), [Optional(), Length(max=120)])
    headcount = LenientIntegerField(
        _l("Headcount"),
        [Optional(), Within(ACCOUNT_BOUNDS["headcount"])],
    )

    def validate(self, extra_validators=None):
        ok = super().validate(extra_validators)
        if self.name.data and self.headcount.data is None and not self.headcount.errors:
            self.headcount.errors.append(_l("Enter the team's headcount."))
            ok = False
        if not self.name.data and self.headcount.data is not None:
            self.name.errors.append(_l("Enter the team's name."))
            ok = False
        return ok


class AccountForm(AppForm):
    """The account's facts and teams: edited after onboarding with the same rules."""

    name = StringField(_l("Client name"), [DataRequired(REQUIRED), Length(max=200)])
    industry = SelectField(
        _l("Industry"),
        choices=[SelectChoice("", "—")] + [SelectChoice(k, v) for k, v in INDUSTRY_LABELS.items()],
        validators=[DataRequired(REQUIRED)],
    )
    licensed_seats = LenientIntegerField(
        _l("Licensed seats"),
        [InputRequired(REQUIRED), Within(ACCOUNT_BOUNDS["licensed_seats"])],
    )
    monthly_spend_yen = LenientIntegerField(
        _l("Monthly spend, excl. tax (¥)"),
        [InputRequired(REQUIRED), Within(ACCOUNT_BOUNDS["monthly_spend_yen"])],
    )
    hourly_labor_cost_yen = LenientIntegerField(
        _l("Fully loaded hourly labor cost (¥)"),
        [InputRequired(REQUIRED), Within(ACCOUNT_BOUNDS["hourly_labor_cost_yen"])],
    )
    kickoff_date = DateField(_l("Kickoff date"), [InputRequired(_l("Enter the kickoff date."))])
    # Checked against the tenant's staff by the domain (a tampered id must not name another tenant's user).
    csm_id = SelectField(_l("Responsible CSM"), coerce=_optional_int, validate_choice=False)
    teams = FieldList(FormField(TeamRow), min_entries=MIN_TEAM_ROWS, max_entries=MAX_TEAMS)

    def __init__(self, *args, csm_choices: list[tuple[int, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.csm_id.choices = [SelectChoice(value, label) for value, label in csm_choices]
        if not self.is_submitted() and self.kickoff_date.data is None:
            # Today where the people are (BABEL_DEFAULT_TIMEZONE), not on the server's clock.
            self.kickoff_date.data = to_user_timezone(datetime.now(UTC)).date()

    def validate(self, extra_validators=None):
        ok = super().validate(extra_validators)
        # FieldList keeps the first max_entries rows and drops the rest without a word; say so instead.
        sent = len({m.group(1) for key in request.form if (m := TEAM_ROW_KEY.match(key))})
        if sent > self.teams.max_entries:
            self.form_errors.append(
                gettext(
                    "An account can have at most %(n)s teams; this form sent %(sent)s. Nothing was saved.",
                    n=self.teams.max_entries,
                    sent=f"{sent:,}",
                )
            )
            return False
        return ok

    def to_draft(self) -> AccountDraft:
        return AccountDraft(
            name=self.name.data,
            industry=self.industry.data,
            licensed_seats=self.licensed_seats.data,
            monthly_spend_yen=self.monthly_spend_yen.data,
            hourly_labor_cost_yen=self.hourly_labor_cost_yen.data,
            kickoff_date=self.kickoff_date.data,
            admin_email=self.admin_email.data if "admin_email" in self else None,
            csm_id=self.csm_id.data,
            teams=[
                TeamDraft(
                    name=row.form.name.data.strip(), headcount=row.form.headcount.data, id=row.form.id.data
                )
                for row in self.teams
                if (row.form.name.data or "").strip()
            ],
        )

    def fill_from(self, account) -> None:
        """Show an existing account, its teams first and one blank row for a new team."""
        for name in (
            "name",
            "industry",
            "licensed_seats",
            "monthly_spend_yen",
            "hourly_labor_cost_yen",
            "kickoff_date",
            "csm_id",
        ):
            self[name].data = getattr(account, name)
        while len(self.teams):
            self.teams.pop_entry()
        for team in account.teams:
            self.teams.append_entry({"id": team.id, "name": team.name, "headcount": team.headcount})
        if len(self.teams) < self.teams.max_entries:
            self.teams.append_entry()


LANGUAGE_CHOICES = [SelectChoice("ja", "日本語"), SelectChoice("en", "English")]


def _language_field(label):
    """The language the invitee reads their mail and pages in; the inviter chooses it, not a browser."""
    return SelectField(label, choices=LANGUAGE_CHOICES, default=lambda: str(get_locale()))


class OnboardAccountForm(AccountForm):
    admin_email = EmailField(
        _l("Client admin's email"), [DataRequired(REQUIRED), Email(_l("Enter a valid email address."))]
    )
    admin_locale = _language_field(_l("Language of the invitation"))

    def to_draft(self) -> AccountDraft:
        draft = super().to_draft()
        draft.admin_locale = self.admin_locale.data
        return draft


# Least powerful first: an invite form starts on the role that can do the least harm.
LEAST_POWERFUL_FIRST = [Role.MEMBER, Role.CHAMPION, Role.PROCUREMENT, Role.CLIENT_ADMIN, Role.CSM, Role.OWNER]


class InvitePersonForm(AppForm):
    email = EmailField(_l("Email"), [DataRequired(REQUIRED), Email(_l("Enter a valid email address."))])
    role = SelectField(_l("Role"))
    locale = _language_field(_l("Language of the invitation"))

    def __init__(self, *args, roles: frozenset[Role] = CLIENT_ROLES, **kwargs):
        super().__init__(*args, **kwargs)
        ordered = [r for r in LEAST_POWERFUL_FIRST if r in roles]
        self.role.choices = [SelectChoice(r.value, _l(ROLE_LABELS[r])) for r in ordered]
        if not self.is_submitted() and ordered:
            self.role.data = ordered[0].value
