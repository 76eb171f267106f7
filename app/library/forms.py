"""Forms of the use-case library: writing a case, commenting, linking, moving a stage, importing a sheet."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, DateField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Optional

from app.forms import LenientIntegerField, Within
from playbooks.usecase_links import LINK_KIND_LABELS, LinkKind
from playbooks.usecases import USE_CASE_BOUNDS, Stage

STAGE_LABELS = {
    Stage.SHARED: _l("Shared"),
    Stage.PILOT: _l("Pilot"),
    Stage.PRODUCTION: _l("Production"),
    Stage.ARCHIVED: _l("Archived"),
}


def _int_or_none(value):
    try:
        return int(value) if value not in (None, "", "None") else None
    except (TypeError, ValueError):
        return None


class UseCaseForm(FlaskForm):
    """Problem -> Prompt -> Result -> Time saved, with the model and date it was used on."""

    title = StringField(_l("Title"))
    problem = TextAreaField(_l("Problem"))
    prompt = TextAreaField(_l("Prompt"))
    result = TextAreaField(_l("Result"))
    model_name = StringField(_l("Model"))
    used_on = DateField(_l("Date used"), validators=[Optional()])
    minutes_saved_per_run = LenientIntegerField(
        _l("Minutes saved per run"), validators=[Optional(), Within(USE_CASE_BOUNDS["minutes_saved_per_run"])]
    )
    runs_per_month = LenientIntegerField(
        _l("Runs per month"), validators=[Optional(), Within(USE_CASE_BOUNDS["runs_per_month"])]
    )
    people = LenientIntegerField(
        _l("People using it"), validators=[Optional(), Within(USE_CASE_BOUNDS["people"])]
    )
    team_id = SelectField(_l("Team"), coerce=_int_or_none, validate_choice=False)
    tags = StringField(_l("Context tags"))

    def __init__(self, *args, teams=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.team_id.choices = [SelectChoice("", "—")] + [SelectChoice(t.id, t.name) for t in teams]

    def values(self, body: bool = True) -> dict:
        """Keyword arguments for the domain functions (body fields only when they may change)."""
        values = {
            "team_id": self.team_id.data,
            "tags": [t for t in (self.tags.data or "").replace("、", ",").split(",") if t.strip()],
            "minutes_saved_per_run": self.minutes_saved_per_run.data or 0,
            "runs_per_month": self.runs_per_month.data or 0,
            "people": self.people.data if self.people.data is not None else 1,
        }
        if body:
            values |= {
                "title": self.title.data or "",
                "problem": self.problem.data or "",
                "prompt": self.prompt.data or "",
                "result": self.result.data or "",
                "model_name": self.model_name.data or "",
                "used_on": self.used_on.data,
            }
        return values

    def fill_from(self, use_case) -> None:
        for name in ("title", "problem", "prompt", "result", "model_name", "used_on", "team_id"):
            getattr(self, name).data = getattr(use_case, name)
        for name in ("minutes_saved_per_run", "runs_per_month", "people"):
            getattr(self, name).data = getattr(use_case, name)
        self.tags.data = ", ".join(use_case.tags or [])


class CommentForm(FlaskForm):
    body = TextAreaField(_l("Comment"))
    parent_id = HiddenField()


class LinkForm(FlaskForm):
    other_id = HiddenField()
    kind = SelectField(
        _l("Relation"),
        choices=[SelectChoice(k.value, LINK_KIND_LABELS[k]) for k in LinkKind],
        default=LinkKind.VARIATION.value,
        validate_choice=False,
    )
    note = TextAreaField(_l("Context: when does each fit? (team, data size, constraints)"))


class StageForm(FlaskForm):
    stage = SelectField(
        _l("Stage"), choices=[SelectChoice(s.value, STAGE_LABELS[s]) for s in Stage], validate_choice=False
    )


class ImportForm(FlaskForm):
    file = FileField(_l("CSV or .xlsx file"))
    account_id = SelectField(_l("Account"), coerce=_int_or_none, validate_choice=False)
    only_valid = BooleanField(_l("Import the valid rows even if others have errors"))
