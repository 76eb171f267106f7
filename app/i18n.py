"""Japanese and English: choosing the locale, and formatting yen, dates and numbers for it."""

from decimal import ROUND_HALF_EVEN, Decimal

from babel.numbers import format_currency, format_decimal
from flask import Flask, current_app, g, request, session
from flask_babel import format_date, format_datetime, get_locale, gettext, refresh
from flask_login import current_user

from app.extensions import babel
from tenants.rules import MIN_PASSWORD_LENGTH


def select_locale() -> str:
    """The person's explicit choice, then their profile, then their vendor's default, then the browser."""
    languages = current_app.config["LANGUAGES"]
    if (chosen := session.get("lang")) in languages:
        return chosen
    if (invited := g.get("invitation_locale")) in languages:
        return invited
    if current_user and current_user.is_authenticated:
        if current_user.locale in languages:
            return current_user.locale
        tenant = g.get("tenant")
        if tenant is not None and tenant.default_locale in languages:
            return tenant.default_locale
    return request.accept_languages.best_match(languages) or current_app.config["BABEL_DEFAULT_LOCALE"]


def use_invitation_locale(locale: str | None) -> None:
    """Show this request in the language the inviter chose for the invitee (unless the visitor picked one
    with the language switch): the invitee's browser may well be set to another language."""
    g.invitation_locale = locale
    refresh()


# Babel spends ~40 µs a number; a portfolio page shows hundreds. For the two languages the UI speaks, whole
# numbers and fixed decimals read exactly as Python's own grouping writes them (tests/web/test_app.py checks
# both against Babel), so those take the short way.
_YEN_SIGN = {"ja": "￥", "en": "¥"}


def yen(value: int | None) -> str:
    """¥1,234,567 in the current locale; an em dash for no value."""
    if value is None:
        return "—"
    locale = str(get_locale())
    if isinstance(value, int) and locale in _YEN_SIGN:
        return ("-" if value < 0 else "") + _YEN_SIGN[locale] + f"{abs(value):,}"
    return format_currency(value, "JPY", locale=locale)


def number(value: int | float | None, digits: int | None = None) -> str:
    """1,234,567 in the current locale; ``digits`` fixes the decimals (1 -> 2.5); an em dash for no value."""
    if value is None:
        return "—"
    locale = str(get_locale())
    if locale in _YEN_SIGN:
        if isinstance(value, int) and digits is None:
            return f"{value:,}"
        if digits is not None and isinstance(value, int | float):
            # Through the decimal text, rounding half to even, as Babel does (2.675 -> 2.68, not 2.67).
            exact = Decimal(str(value)).quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_EVEN)
            return f"{exact:,.{digits}f}"
    pattern = None if digits is None else "#,##0" + ("." + "0" * digits if digits else "")
    return format_decimal(value, format=pattern, locale=locale)


def translate(message: str) -> str:
    """Translate a message marked with ``N_`` in a domain package (extraction found it there), filling in the
    parameters of a :class:`tenants.errors.Message`."""
    return gettext(str(message), **getattr(message, "params", {}))


def init_app(app: Flask) -> None:
    babel.init_app(app, locale_selector=select_locale)
    app.jinja_env.filters["yen"] = yen
    app.jinja_env.filters["number"] = number
    app.jinja_env.filters["datetime"] = lambda d: format_datetime(d, "short") if d else "—"
    app.jinja_env.filters["date"] = lambda d, fmt="medium": format_date(d, fmt) if d else "—"
    app.jinja_env.globals["current_locale"] = lambda: str(get_locale())
    app.jinja_env.globals["min_password_length"] = MIN_PASSWORD_LENGTH
