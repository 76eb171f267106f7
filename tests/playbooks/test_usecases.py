"""Use cases: every source goes through create_use_case and its rules."""

from datetime import date

import pytest

from playbooks.usecases import Stage, UseCase, create_use_case, normalize_tags
from tenants.accounts import get_account
from tenants.db import db
from tenants.errors import FieldErrors
from tenants.scoping import Scope, scoped
from tests.factories import make_world


def test_tags_are_hints_trimmed_and_deduplicated():
    assert normalize_tags([" Context:Sales ", "context:sales", "", "稟議"]) == ["context:sales", "稟議"]


def test_create_use_case_publishes_and_computes_monthly_minutes(app):
    world = make_world(app, "uc")
    with app.app_context(), scoped(db.session, Scope(world.tenant_id)):
        account = get_account(db.session, world.account_ids[0])
        case = create_use_case(
            db.session,
            account,
            None,
            title="稟議書の下書き",
            model_name="GPT-4o",
            used_on=date(2026, 11, 2),
            minutes_saved_per_run=30,
            runs_per_month=4,
            people=25,
            team_id=account.teams[0].id,
            tags=["context:finance"],
        )
        db.session.commit()
        assert case.minutes_saved_per_month == 3000 and not case.is_draft
        assert case.stage == Stage.SHARED and case.tenant_id == world.tenant_id


def test_every_problem_is_reported_and_nothing_is_added(app):
    world = make_world(app, "uc-bad")
    other = make_world(app, "uc-other")
    with app.app_context():
        with scoped(db.session, Scope(other.tenant_id)):
            foreign_team = get_account(db.session, other.account_ids[0]).teams[0].id
        with scoped(db.session, Scope(world.tenant_id)):
            account = get_account(db.session, world.account_ids[0])
            with pytest.raises(FieldErrors) as caught:
                create_use_case(
                    db.session,
                    account,
                    None,
                    title=" ",
                    model_name="",
                    used_on=None,
                    prompt="x" * 200_000,
                    minutes_saved_per_run=-5,
                    team_id=foreign_team,
                )
            assert set(caught.value.errors) == {
                "title",
                "model_name",
                "used_on",
                "prompt",
                "minutes_saved_per_run",
                "team_id",
            }
            # The test world brings its own sample cases; none was added beside them.
            assert db.session.scalar(db.select(db.func.count(UseCase.id))) == len(world.use_case_ids)
