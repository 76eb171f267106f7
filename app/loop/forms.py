"""Forms of the loop's records: events, talks (the mandatory LT template), entries, scores, champions."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, DateField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Optional

from app.forms import LenientIntegerField, Within
from playbooks.usecases import USE_CASE_BOUNDS


class EventForm(FlaskForm):
    kind = SelectField(
        _l("Kind"),
        choices=[
            SelectChoice("lt_day", _l("Lightning-talk day")),
            SelectChoice("study_session", _l("Study session")),
            SelectChoice("hackathon", _l("Hackathon")),
        ],
    )
    title = StringField(_l("Title"))
    held_on = DateField(_l("Date"), validators=[Optional()])


class TalkForm(FlaskForm):
    """A talk in the mandatory template Problem -> Prompt -> Result -> Time saved (or an existing case)."""

    title = StringField(_l("Title"))
    problem = TextAreaField(_l("Problem"))
    prompt = TextAreaField(_l("Prompt"))
    result = TextAreaField(_l("Result"))
    minutes_saved_per_run = LenientIntegerField(
        _l("Time saved (minutes per run)"),
        validators=[Optional(), Within(USE_CASE_BOUNDS["minutes_saved_per_run"])],
    )
    runs_per_month = LenientIntegerField(
        _l("Runs per month"), default=0, validators=[Optional(), Within(USE_CASE_BOUNDS["runs_per_month"])]
    )
    people = LenientIntegerField(
        _l("People using it"), default=1, validators=[Optional(), Within(USE_CASE_BOUNDS["people"])]
    )
    model_name = StringField(_l("AI model"))
    team_id = SelectField(_l("Team"), coerce=lambda v: int(v) if v else None, validate_choice=False)
    use_case_id = SelectField(
        _l("Or link an existing use case"), coerce=lambda v: int(v) if v else None, validate_choice=False
    )


class EntryForm(FlaskForm):
    team_name = StringField(_l("Team"))
    problem = TextAreaField(_l("Work problem"))
    prototype = TextAreaField(_l("Prototype"))
    demo_url = StringField(_l("Demo link"))
    use_case_id = SelectField(_l("Use case"), coerce=lambda v: int(v) if v else None, validate_choice=False)


class ScoreForm(FlaskForm):
    impact = LenientIntegerField(_l("Impact"), validators=[InputRequired()])
    feasibility = LenientIntegerField(_l("Feasibility"), validators=[InputRequired()])
    reusability = LenientIntegerField(_l("Reusability"), validators=[InputRequired()])
    presentation = LenientIntegerField(_l("Presentation"), validators=[InputRequired()])


class MarkForm(FlaskForm):
    winner = BooleanField(_l("Winner"))
    production_candidate = BooleanField(_l("Considered for production"))


class PlaybookUploadForm(FlaskForm):
    file = FileField(_l("Playbook file (YAML)"))
