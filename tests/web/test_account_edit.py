"""Editing an account after onboarding: same rules, teams renamed or added but never silently dropped."""

import re

import pytest

from app.extensions import db
from tenants.accounts import Account
from tenants.scoping import Scope, scoped
from tests.factories import PASSWORD, make_world
from tests.helpers import login, post


@pytest.fixture
def world(app):
    return make_world(app, "edit")


def edit_form(client, account_id: int) -> dict:
    """The edit form as the browser would submit it, read from the page."""
    html = client.get(f"/accounts/{account_id}/edit").get_data(as_text=True)
    data = dict(re.findall(r'<input[^>]*?name="([^"]+)"[^>]*?value="([^"]*)"', html))
    for select, value in re.findall(
        r'<select[^>]*name="([^"]+)".*?<option selected value="([^"]*)"', html, re.S
    ):
        data[select] = value
    data.pop("csrf_token", None)
    return data


def account(app, world, index=0) -> dict:
    with app.app_context(), scoped(db.session, Scope(world.tenant_id)):
        acc = db.session.get(Account, world.account_ids[index])
        return {
            "name": acc.name,
            "seats": acc.licensed_seats,
            "teams": [(t.name, t.headcount) for t in acc.teams],
        }


def test_edit_changes_facts_renames_and_adds_teams(app, client, world):
    login(client, world.email("csm"), PASSWORD)
    data = edit_form(client, world.account_ids[0])
    assert data["teams-0-name"] == "Sales" and data["teams-2-name"] == ""  # one blank row for a new team
    data.update(
        {
            "licensed_seats": "1,500",
            "teams-0-name": "Sales & Marketing",
            "teams-2-name": "Legal",
            "teams-2-headcount": "5",
            "industry": "retail",
        }
    )
    response = post(client, f"/accounts/{world.account_ids[0]}/edit", data)
    assert response.status_code == 302, response.get_data(as_text=True)
    after = account(app, world)
    assert after["seats"] == 1500
    assert after["teams"] == [("Sales & Marketing", 40), ("Ops", 60), ("Legal", 5)]


def test_edit_keeps_its_own_name_but_refuses_another_accounts(app, client, world):
    login(client, world.email("owner"), PASSWORD)
    data = edit_form(client, world.account_ids[0])
    data["industry"] = "retail"
    assert post(client, f"/accounts/{world.account_ids[0]}/edit", data).status_code == 302
    data["name"] = world.account_names[1]
    response = post(client, f"/accounts/{world.account_ids[0]}/edit", data)
    assert response.status_code == 422
    assert "An account with this name already exists." in response.get_data(as_text=True)


def test_teams_cannot_be_dropped_or_borrowed(app, client, world):
    login(client, world.email("csm"), PASSWORD)
    before = account(app, world)
    data = edit_form(client, world.account_ids[0])
    cleared = dict(data, **{"teams-1-name": "", "teams-1-headcount": ""})
    response = post(client, f"/accounts/{world.account_ids[0]}/edit", cleared)
    assert response.status_code == 422 and "Teams cannot be removed" in response.get_data(as_text=True)
    other = make_world(app, "other")
    with app.app_context(), scoped(db.session, Scope(other.tenant_id)):
        foreign_team = db.session.get(Account, other.account_ids[0]).teams[0].id
    borrowed = dict(
        data, **{"teams-2-id": str(foreign_team), "teams-2-name": "Stolen", "teams-2-headcount": "1"}
    )
    response = post(client, f"/accounts/{world.account_ids[0]}/edit", borrowed)
    assert response.status_code == 422 and "does not belong to this account" in response.get_data(
        as_text=True
    )
    assert account(app, world) == before


def test_bad_input_on_edit_changes_nothing(app, client, world):
    login(client, world.email("csm"), PASSWORD)
    before = account(app, world)
    data = dict(edit_form(client, world.account_ids[0]), licensed_seats="0", name="Renamed")
    response = post(client, f"/accounts/{world.account_ids[0]}/edit", data)
    assert response.status_code == 422
    assert "Licensed seats must be at least 1." in response.get_data(as_text=True)
    assert account(app, world) == before


def test_two_teams_can_swap_names(app, client, world):
    login(client, world.email("csm"), PASSWORD)
    data = dict(edit_form(client, world.account_ids[0]), **{"teams-0-name": "Ops", "teams-1-name": "Sales"})
    response = post(client, f"/accounts/{world.account_ids[0]}/edit", data)
    assert response.status_code == 302, response.get_data(as_text=True)
    assert account(app, world)["teams"] == [("Ops", 40), ("Sales", 60)]


def test_a_team_sent_twice_is_refused(app, client, world):
    login(client, world.email("csm"), PASSWORD)
    before = account(app, world)
    data = edit_form(client, world.account_ids[0])
    twice = dict(data, **{"teams-2-id": data["teams-0-id"], "teams-2-name": "Copy", "teams-2-headcount": "1"})
    response = post(client, f"/accounts/{world.account_ids[0]}/edit", twice)
    assert response.status_code == 422 and "appears twice" in response.get_data(as_text=True)
    assert account(app, world) == before


def test_an_account_with_the_most_teams_can_still_be_edited(app, client, world):
    login(client, world.email("csm"), PASSWORD)
    data = edit_form(client, world.account_ids[0])
    data.update({f"teams-{i}-name": f"Team {i}" for i in range(2, 200)})
    data.update({f"teams-{i}-headcount": "1" for i in range(2, 200)})
    assert post(client, f"/accounts/{world.account_ids[0]}/edit", data).status_code == 302
    page = client.get(f"/accounts/{world.account_ids[0]}/edit")
    assert page.status_code == 200 and 'name="teams-199-name"' in page.get_data(as_text=True)
