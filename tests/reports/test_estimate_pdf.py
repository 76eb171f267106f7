"""The ROI estimate PDF: real PDFs, read back with pdftotext (no database needed)."""

import re
import subprocess

import pytest

from reports.estimate_pdf import inputs_digest, render_estimate_pdf
from reports.pdf import html_to_pdf
from reports.render import number, yen
from reports.roi import compute, parse_inputs, to_json

INPUTS = {
    "monthly_spend": 1_200_000,
    "hourly_labor_cost": 4_800,
    "enablement_cost": 2_000_000,
    "licensed_seats": 1_200,
    "use_cases": [
        {"title": "稟議書の下書きを自動作成", "minutes_per_run": 25, "runs_per_month": 4, "people": 300},
        {"title": "Drafting approval requests", "minutes_per_run": 20, "runs_per_month": 3, "people": 50},
    ],
}


def pdf_text(pdf: bytes) -> str:
    done = subprocess.run(["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True, check=True)
    return done.stdout.decode("utf-8")


@pytest.mark.parametrize("locale", ["ja", "en"])
def test_the_estimate_shows_the_figures_the_model_computed(locale):
    result = compute(parse_inputs(INPUTS))
    figures = to_json(result)
    pdf = render_estimate_pdf(result, locale=locale, title="株式会社さくら製作所 御中")
    assert pdf.startswith(b"%PDF")
    text = pdf_text(pdf)
    for value in (figures["realized_value_per_year"], figures["npv"], figures["cost_per_month"]):
        assert yen(value, locale) in text
    assert number(figures["realized_hours_per_year"], locale) in text
    assert (
        "株式会社さくら製作所 御中" in text and "稟議書の下書きを自動作成" in text
    )  # Japanese glyphs extracted
    headline = "月額" if locale == "ja" else "For "
    assert headline in text
    assert ("算出方法と前提条件" if locale == "ja" else "Method and assumptions") in text
    digest = inputs_digest(result)
    assert f"sha256 {digest[:16]}" in text  # footer: the digest of the inputs
    assert re.search(r"\b1\s*/\s*[3-9]\b", text)  # page numbers


def test_user_text_is_escaped_and_nothing_outside_the_assets_is_fetched():
    result = compute(
        parse_inputs(
            {
                **INPUTS,
                "use_cases": [
                    {
                        "title": '<img src="file:///etc/passwd"><script>x</script>',
                        "minutes_per_run": 1,
                        "runs_per_month": 1,
                        "people": 1,
                    },
                ],
            }
        )
    )
    text = pdf_text(render_estimate_pdf(result, locale="en", title="<b>Acme</b>", with_charts=False))
    assert "<b>Acme</b>" in text and '<img src="file:///etc/passwd">' in text  # shown as text


def test_the_fetcher_refuses_files_and_network():
    html = (
        '<img src="file:///etc/hostname"><img src="http://127.0.0.1:9/x.png">'
        '<link rel="stylesheet" href="asset:../pdf.py"><p>ok</p>'
    )
    rendered = html_to_pdf(html)
    assert rendered.pdf.startswith(b"%PDF") and rendered.pages == 1
    assert sorted(rendered.refused) == ["asset:../pdf.py", "file:///etc/hostname", "http://127.0.0.1:9/x.png"]
