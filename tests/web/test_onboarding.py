"""The guided onboarding form: everything is created together, or nothing is."""

import pytest

from app.accounts.forms import OnboardAccountForm
from app.extensions import db
from tenants.accounts import Account, Team
from tenants.invitations import Invitation
from tenants.scoping import Scope, scoped
from tenants.users import User
from tests.factories import PASSWORD, make_world
from tests.helpers import invitation_link_in, login, onboarding_form, post


def counts(app, tenant_id):
    with app.app_context(), scoped(db.session, Scope(tenant_id)):
        return tuple(
            db.session.scalar(db.select(db.func.count(model.id))) for model in (Account, Team, Invitation)
        )


@pytest.fixture
def world(app):
    return make_world(app, "a")


def test_onboarding_creates_account_teams_and_admin_invitation(app, client, world):
    before = counts(app, world.tenant_id)
    login(client, world.email("csm"), PASSWORD)
    response = post(client, "/accounts/new", onboarding_form())
    assert response.status_code == 302, response.get_data(as_text=True)
    page = client.get(response.location).get_data(as_text=True)
    assert "株式会社テスト商事" in page and "営業部" in page and "経理部" in page
    assert "/invite/" in page  # the link is shown, since no mail server exists
    assert counts(app, world.tenant_id) == (before[0] + 1, before[1] + 2, before[2] + 1)
    with app.app_context(), scoped(db.session, Scope(world.tenant_id)):
        account = db.session.scalar(db.select(Account).where(Account.name == "株式会社テスト商事"))
        assert (account.licensed_seats, account.monthly_spend_yen, account.hourly_labor_cost_yen) == (
            250,
            1_200_000,
            4_800,
        )
        assert {(t.name, t.headcount) for t in account.teams} == {("営業部", 120), ("経理部", 20)}
        invitation = db.session.scalar(db.select(Invitation).where(Invitation.account_id == account.id))
        assert (invitation.email, invitation.role) == ("dx-lead@test-shoji.example.jp", "client_admin")


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"licensed_seats": "-5"}, "licensed_seats", "Licensed seats must be at least 1."),
        ({"monthly_spend_yen": "a lot"}, "monthly_spend_yen", "Enter a whole number"),
        ({"kickoff_date": ""}, "kickoff_date", "Enter the kickoff date."),
        ({"hourly_labor_cost_yen": "0"}, "hourly_labor_cost_yen", "Hourly labor cost must be more than"),
        ({"admin_email": "not-an-email"}, "admin_email", "Enter a valid email address."),
        ({"teams-0-headcount": ""}, "teams-0-headcount", "Enter the team"),
        ({"industry": ""}, "industry", "This field is required."),
    ],
)
def test_bad_input_shows_field_error_and_creates_nothing(app, client, world, overrides, field, message):
    before = counts(app, world.tenant_id)
    login(client, world.email("csm"), PASSWORD)
    response = post(client, "/accounts/new", onboarding_form(**overrides))
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert f'id="{field}-error"' in html or 'aria-label="' in html
    assert message in html
    assert 'value="株式会社テスト商事"' in html  # what was typed is kept
    assert counts(app, world.tenant_id) == before


def test_duplicate_account_name_is_a_field_error(app, client, world):
    login(client, world.email("owner"), PASSWORD)
    before = counts(app, world.tenant_id)
    response = post(client, "/accounts/new", onboarding_form(name=world.account_names[0].upper()))
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="name-error"' in html and "An account with this name already exists." in html
    assert counts(app, world.tenant_id) == before


def test_same_account_name_is_fine_in_another_tenant(app, client, world):
    other = make_world(app, "b")
    login(client, other.email("owner"), PASSWORD)
    response = post(client, "/accounts/new", onboarding_form(name=world.account_names[0]))
    assert response.status_code == 302


def test_teams_are_required_and_distinct(app, client, world):
    login(client, world.email("csm"), PASSWORD)
    before = counts(app, world.tenant_id)
    no_teams = onboarding_form(
        **{"teams-0-name": "", "teams-0-headcount": "", "teams-1-name": "", "teams-1-headcount": ""}
    )
    assert "Add at least one department or team." in post(client, "/accounts/new", no_teams).get_data(
        as_text=True
    )
    twins = onboarding_form(**{"teams-1-name": "営業部"})
    assert "Team names must be different." in post(client, "/accounts/new", twins).get_data(as_text=True)
    assert counts(app, world.tenant_id) == before


def test_add_team_row_without_javascript_keeps_input(app, client, world):
    login(client, world.email("csm"), PASSWORD)
    response = post(client, "/accounts/new", onboarding_form(add_team="1"))
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'name="teams-3-name"' in html and 'value="営業部"' in html
    assert counts(app, world.tenant_id)[0] == 2


def test_inviting_an_existing_login_reveals_nothing_to_the_inviter(app, client, world):
    """Another vendor must not learn who uses AdoptLoop: the invitee is told when accepting instead, and
    joins with the password they already have (one person, a membership per vendor)."""
    other = make_world(app, "other")
    login(client, world.email("csm"), PASSWORD)
    response = post(
        client, "/accounts/new", onboarding_form(admin_email=other.email("champion")), follow_redirects=True
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "already" not in html
    link = invitation_link_in(html)
    invitee = app.test_client()
    data = {"name": "X", "password": "long-password-9", "confirm": "long-password-9"}
    accepted = post(invitee, link, data)
    assert accepted.status_code == 422
    assert "The password is not correct." in accepted.get_data(as_text=True)
    assert post(invitee, link, {"name": "X", "password": PASSWORD}).status_code == 302


def test_a_new_invitation_replaces_the_pending_one(app, client, world):
    login(client, world.email("csm"), PASSWORD)
    first = post(
        client,
        f"/accounts/{world.account_ids[0]}/invitations",
        {"email": "x@y.example.com", "role": "member"},
        follow_redirects=True,
    )
    first_link = invitation_link_in(first.get_data(as_text=True))
    post(
        client,
        f"/accounts/{world.account_ids[0]}/invitations",
        {"email": "x@y.example.com", "role": "champion"},
    )
    assert app.test_client().get(first_link).status_code == 404


@pytest.mark.parametrize(
    "overrides",
    [
        {"monthly_spend_yen": "99,999,999,999,999,999,999"},
        {"hourly_labor_cost_yen": "3,000,000,000"},
        {"licensed_seats": "99999999999"},
        {"teams-0-headcount": "99999999999"},
    ],
)
def test_absurdly_large_numbers_are_field_errors_not_crashes(app, client, world, overrides):
    login(client, world.email("csm"), PASSWORD)
    before = counts(app, world.tenant_id)
    response = post(client, "/accounts/new", onboarding_form(**overrides))
    assert response.status_code == 422
    assert "check for an extra digit" in response.get_data(as_text=True)
    assert counts(app, world.tenant_id) == before


def test_a_csm_of_another_tenant_cannot_be_assigned(app, client, world):
    other = make_world(app, "other")
    with app.app_context(), scoped(db.session, Scope(other.tenant_id)):
        foreign_csm = db.session.scalar(db.select(User.id).where(User.email == other.email("csm")))
    login(client, world.email("owner"), PASSWORD)
    before = counts(app, world.tenant_id)
    response = post(client, "/accounts/new", onboarding_form(csm_id=str(foreign_csm)))
    assert response.status_code == 422 and "Choose a CSM of your company." in response.get_data(as_text=True)
    assert counts(app, world.tenant_id) == before


def test_a_clash_the_checks_could_not_see_is_a_form_error(app, world):
    """Two people saving the same name at the same moment: the database's unique constraint decides."""
    from app.forms import save_or_show_errors
    from tenants.accounts import Team

    with app.test_request_context(), scoped(db.session, Scope(world.tenant_id)):
        form_ = OnboardAccountForm(csm_choices=[], meta={"csrf": False})
        result = save_or_show_errors(
            form_,
            lambda: db.session.add(Team(account_id=world.account_ids[0], name="Sales", headcount=1)),
        )
        assert result is None
        assert "conflicting change" in form_.form_errors[0]
    assert counts(app, world.tenant_id)[1] == 4


def test_add_team_stops_at_the_limit(app, client, world):
    login(client, world.email("csm"), PASSWORD)
    rows = {f"teams-{i}-name": "" for i in range(200)}
    response = post(client, "/accounts/new", onboarding_form(add_team="1", **rows))
    assert response.status_code == 200
    assert "at most 200 teams" in response.get_data(as_text=True)
