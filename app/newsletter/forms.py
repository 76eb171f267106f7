"""Forms of the newsletter page: the issue (intro, month, confirmation) and the account's settings."""

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, HiddenField, StringField, TextAreaField

from app.forms import AppForm


class IssueForm(AppForm):
    """The intro (a draft, or sent with the issue), the month it tells, a second send's confirmation."""

    month = HiddenField()
    intro = TextAreaField(_l("Intro"))
    confirm = BooleanField(_l("Yes, send another newsletter for this month"))


class SettingsForm(AppForm):
    slack_webhook_url = StringField(_l("Slack incoming-webhook URL"))
    auto_send = BooleanField(_l("Send last month's newsletter by itself on the first of each month"))
