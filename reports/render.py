"""Report templates: a Jinja environment of its own (reports are rendered by jobs and the CLI as well as the
web), translated with the project's catalog and formatting yen, numbers and dates for the report's locale."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from functools import cache
from pathlib import Path

from babel.dates import format_date
from babel.numbers import format_currency, format_decimal, format_percent
from babel.support import NullTranslations, Translations
from jinja2 import Environment, FileSystemLoader, select_autoescape

TEMPLATES = Path(__file__).resolve().parent / "templates"
# The one translation catalog of the project (extracted from every package by babel.cfg).
CATALOG = Path(__file__).resolve().parent.parent / "app" / "translations"
LOCALES = ("ja", "en")


@cache
def translations(locale: str) -> NullTranslations:
    return Translations.load(str(CATALOG), [locale]) if locale != "en" else NullTranslations()


def yen(value, locale: str) -> str:
    if value is None:
        return "—"
    return format_currency(Decimal(value).quantize(Decimal(1)), "JPY", locale=locale)


def number(value, locale: str, digits: int = 0) -> str:
    if value is None:
        return "—"
    pattern = "#,##0" + ("." + "0" * digits if digits else "")
    return format_decimal(value, format=pattern, locale=locale)


def percent(value, locale: str, digits: int = 0) -> str:
    """``value`` is already a percentage (127.2 -> 127 %)."""
    if value is None:
        return "—"
    pattern = "#,##0" + ("." + "0" * digits if digits else "") + "%"
    return format_percent(Decimal(value) / 100, format=pattern, locale=locale)


@cache
def environment(locale: str) -> Environment:
    """A Jinja environment for ``locale`` (cached: one per locale per process)."""
    if locale not in LOCALES:
        raise ValueError(f"unsupported locale {locale!r}")
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html"]),
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.install_gettext_translations(translations(locale), newstyle=True)
    env.filters["yen"] = lambda v: yen(v, locale)
    env.filters["number"] = lambda v, digits=0: number(v, locale, digits)
    env.filters["percent"] = lambda v, digits=0: percent(v, locale, digits)
    env.filters["date"] = lambda d: format_date(d, "long", locale=locale) if isinstance(d, date) else "—"
    env.globals["locale"] = locale
    # For messages held in variables (assumption sources): translated, never %-formatted.
    env.globals["translate"] = translations(locale).gettext
    return env


def render(template: str, locale: str, **context) -> str:
    return environment(locale).get_template(template).render(**context)
