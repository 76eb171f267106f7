"""The CSM's ROI estimate page: live figures, field errors, the PDF, and starting from an account."""

import subprocess

from playbooks.usecases import Stage
from tests.factories import PASSWORD, add_use_case, make_world
from tests.helpers import login, post

FORM = {
    "title": "株式会社テスト 御中",
    "monthly_spend": "1,200,000",
    "hourly_labor_cost": "¥4,800",
    "realization_rate": "50",
    "risk_adjustment": "0",
    "discount_rate": "10",
    "horizon_years": "3",
    "uc-0-title": "稟議書の下書き",
    "uc-0-minutes_per_run": "30",
    "uc-0-runs_per_month": "6",
    "uc-0-people": "１００",  # full-width digits, as typed with a Japanese IME
}


def csm_client(app, label="est"):
    world = make_world(app, label)
    client = app.test_client()
    login(client, world.email("csm"), PASSWORD)
    return world, client


def test_figures_follow_the_inputs_as_json(app):
    _, client = csm_client(app)
    response = post(client, "/estimate/figures", FORM)
    assert response.status_code == 200
    figures = response.get_json()["figures"]
    assert figures["gross_hours_per_year"] == 3600.0
    assert figures["realized_value_per_month"] == 150 * 4_800
    assert "3,600" in response.get_json()["html"]


def test_a_bad_value_is_shown_beside_its_field(app):
    _, client = csm_client(app)
    response = post(client, "/estimate", {**FORM, "realization_rate": "150"})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="realization_rate-error"' in html and "100 or less" in html
    assert 'value="1200000"' in html or 'value="1,200,000"' in html  # nothing typed is lost
    bad = post(client, "/estimate/figures", {**FORM, "uc-0-people": "-3"})
    assert bad.status_code == 422 and "uc-0-people" in bad.get_json()["errors"]


def test_the_pdf_downloads_with_the_headline_figures(app):
    _, client = csm_client(app)
    response = post(client, "/estimate", {**FORM, "pdf": "1"})
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    text = subprocess.run(["pdftotext", "-", "-"], input=response.data, capture_output=True).stdout.decode()
    assert "3,600" in text and "株式会社テスト 御中" in text


def test_starting_from_an_account_uses_its_production_use_cases_only(app):
    world, client = csm_client(app, "est-acct")
    for stage, title in ((Stage.PRODUCTION, "本番の要約"), (Stage.PILOT, "試行中のもの")):
        add_use_case(app, world, title, stage=stage, minutes_saved_per_run=60, runs_per_month=10, people=3)
    html = client.get(f"/estimate?account={world.account_ids[0]}").get_data(as_text=True)
    assert "本番の要約" in html and "試行中のもの" not in html
    assert "300,000" in html  # the account's monthly spend, from the factory


def test_another_tenants_account_cannot_seed_an_estimate(app):
    _, client = csm_client(app, "est-a")
    other = make_world(app, "est-b")
    assert client.get(f"/estimate?account={other.account_ids[0]}").status_code == 404
