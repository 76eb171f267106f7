"""Form pieces shared by several blueprints."""

import re
import unicodedata
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import TypeVar

from flask_babel import gettext
from flask_wtf import FlaskForm
from sqlalchemy.exc import IntegrityError
from wtforms import Field
from wtforms.fields import IntegerField
from wtforms.validators import StopValidation, ValidationError
from wtforms.widgets import TextInput

from app.extensions import db
from app.i18n import translate
from tenants.errors import FieldErrors
from tenants.rules import Bound
from tenants.text import strip_invisible, text_problem

T = TypeVar("T")


def _leaf_fields(fields):
    """Every input field of a form, looking inside field lists and sub-forms."""
    from wtforms.fields import FieldList, FormField

    for f in fields:
        if isinstance(f, FieldList):
            yield from _leaf_fields(f.entries)
        elif isinstance(f, FormField):
            yield from _leaf_fields(f.form)
        else:
            yield f


_ROW_NUMBER = re.compile(r"-(\d+)-")


def error_list(form) -> list[tuple[str, str, str]]:
    """(field id, label, message) for every field error, rows of a list numbered, in page order: the error
    summary links each one to its field."""
    found = []
    for f in _leaf_fields(form):
        if not f.errors or f.type == "CSRFTokenField":
            continue
        label = str(f.label.text)
        if match := _ROW_NUMBER.search(f.id):
            label = f"{label} ({gettext('row %(n)s', n=int(match.group(1)) + 1)})"
        found.extend((f.id, label, str(message)) for message in f.errors)
    return found


class AppForm(FlaskForm):
    """Base of every form: text that cannot be stored is a field error, never a database error.

    A NUL byte (which PostgreSQL refuses), a control character, a line break in a one-line field or a bidi
    override is reported next to the field; zero-width characters are dropped from what was typed.
    Text areas (``multiline``) keep their line breaks.
    """

    def validate(self, extra_validators=None):
        problems = {}
        for f in _leaf_fields(self):
            if not isinstance(f.data, str) or f.type == "CSRFTokenField":
                continue
            problem = text_problem(f.data, multiline=f.type == "TextAreaField")
            if problem:
                problems[f] = problem
                f.data = ""  # no later check or query ever sees the raw value
            elif f.type in {"StringField", "EmailField", "SearchField"}:
                f.data = strip_invisible(f.data)
        ok = super().validate(extra_validators)
        for f, problem in problems.items():
            f.errors = [translate(problem)]  # instead of "required": the text was refused, not missing
        return ok and not problems


_JAPANESE_UNITS = {"億": 100_000_000, "万": 10_000, "千": 1_000}


def parse_amount(text: str) -> int:
    """A whole number as people in Japan write it: '1,200,000', '¥1,200,000', '1200000円', '450万',
    '1億2000万', '1.5万' (= 15,000). Raises ValueError for anything else, or a fraction of one.

    Pure: the browser's live preview (app.js) follows the same rules.
    """
    cleaned = unicodedata.normalize("NFKC", text)
    for ch in (",", "¥", "円", " "):
        cleaned = cleaned.replace(ch, "")
    if not cleaned:
        raise ValueError("empty")
    if not any(unit in cleaned for unit in _JAPANESE_UNITS):
        return int(cleaned)
    total = Decimal(0)
    rest = cleaned
    for unit, size in _JAPANESE_UNITS.items():
        if unit in rest:
            head, _, rest = rest.partition(unit)
            total += _decimal(head) * size
    if rest:
        total += _decimal(rest)
    if total != total.to_integral_value():
        raise ValueError("not a whole number")
    return int(total)


def _decimal(text: str) -> Decimal:
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise ValueError(text) from None
    if not value.is_finite() or value < 0:
        raise ValueError(text)
    return value


class LenientIntegerField(IntegerField):
    """An integer typed the way people in Japan type numbers: '1,200,000', '¥1,200,000', full-width digits.

    Rendered as a text box (inputmode numeric): a number input would refuse the thousands separators.
    """

    widget = TextInput()

    def process_formdata(self, valuelist):
        if not valuelist:
            return
        raw = unicodedata.normalize("NFKC", valuelist[0] or "").strip()
        self.raw_data = [raw]
        if raw.replace(" ", "") == "":
            self.data = None
            return
        try:
            self.data = parse_amount(raw)
        except ValueError:
            self.data = None
            raise ValueError(gettext("Enter a whole number, e.g. 1,200,000 or 450万.")) from None

    def _value(self):
        # Show what the person typed; a stored amount reads with separators (1,200,000).
        if self.raw_data:
            return self.raw_data[0]
        return f"{self.data:,}" if isinstance(self.data, int) else ""

    def pre_validate(self, form):
        # An unreadable number already says so; range checks on the missing value would only add noise.
        if self.process_errors:
            raise StopValidation()


class Within:
    """Form validator reading a domain :class:`~tenants.rules.Bound`, so the form and the domain validator
    share one range and one message."""

    def __init__(self, bound: Bound):
        self.bound = bound

    def __call__(self, form, field) -> None:
        if message := self.bound.message_for(field.data):
            raise ValidationError(translate(message))


def save_or_show_errors(form: FlaskForm, action: Callable[[], T]) -> T | None:
    """Run a domain action and commit it; on :class:`FieldErrors` roll back, put the messages on the form
    and return None, so the view re-renders the form with what was typed and nothing half-saved."""
    try:
        result = action()
        db.session.commit()
    except FieldErrors as error:
        db.session.rollback()
        apply_field_errors(form, error)
        return None
    except IntegrityError:
        # The checks passed but the database refused: someone saved a clashing change at the same moment
        # (same account name, same email). Nothing was saved; the form keeps what was typed.
        db.session.rollback()
        form.form_errors.append(
            gettext("Someone saved a conflicting change at the same moment. Check the values and save again.")
        )
        return None
    return result


def form_status(form: FlaskForm) -> int:
    """422 for a form coming back with errors (field or form-wide), 200 otherwise."""
    return 422 if form.errors or form.form_errors else 200


def apply_field_errors(form: FlaskForm, error: FieldErrors) -> None:
    """Show domain validation errors next to the fields they belong to (others at the top of the form)."""
    for name, message in error.errors.items():
        field: Field | None = getattr(form, name, None)
        translated = translate(message)
        if field is not None and isinstance(field.errors, list) and not _is_field_list(field):
            field.errors.append(translated)
        else:
            form.form_errors.append(translated)


def _is_field_list(field: Field) -> bool:
    from wtforms.fields import FieldList

    return isinstance(field, FieldList)
