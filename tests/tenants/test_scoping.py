"""The scoping mechanism itself: reads are filtered, unscoped access fails closed, writes are guarded."""

import pytest

from app.extensions import db
from tenants.accounts import Account, Team, list_accounts
from tenants.audit import AuditEvent
from tenants.invitations import Invitation
from tenants.scoping import Scope, ScopeError, scoped, unscoped
from tenants.tenant import Tenant
from tenants.users import Membership, User, email_taken
from tests.factories import make_world


@pytest.fixture
def worlds(app):
    return make_world(app, "one"), make_world(app, "two")


def test_vendor_scope_sees_only_its_tenant(app, worlds):
    one, two = worlds
    with app.app_context(), scoped(db.session, Scope(one.tenant_id)):
        assert {a.id for a in list_accounts(db.session)} == set(one.account_ids)
        assert {t.id for t in db.session.scalars(db.select(Tenant))} == {one.tenant_id}
        emails = set(db.session.scalars(db.select(User.email)))
        assert emails == set(one.emails) and not emails & set(two.emails)
        # The criteria reach joined entities too: accounts reached through teams are this tenant's only.
        joined = db.session.scalars(
            db.select(Account.id).select_from(Team).join(Account, Team.account_id == Account.id).distinct()
        )
        assert set(joined) == set(one.account_ids)
        assert db.session.scalar(db.select(Account).where(Account.id == two.account_ids[0])) is None


def test_client_scope_sees_only_its_account(app, worlds):
    one, _ = worlds
    scope = Scope(one.tenant_id, account_ids=frozenset({one.account_ids[0]}))
    with app.app_context(), scoped(db.session, scope):
        assert [a.id for a in list_accounts(db.session)] == [one.account_ids[0]]
        assert {t.account_id for t in db.session.scalars(db.select(Team))} == {one.account_ids[0]}
        invitations = list(db.session.scalars(db.select(Invitation)))
        assert [i.id for i in invitations] == [one.invitation_ids[0]]  # not account 1's, not vendor-level
        assert all(m.account_id == one.account_ids[0] for m in db.session.scalars(db.select(Membership)))


def test_unscoped_session_refuses_tenant_data(app, worlds):
    with app.app_context():
        with pytest.raises(ScopeError):
            db.session.scalars(db.select(Account)).all()
        with pytest.raises(ScopeError):
            db.session.execute(db.update(Account).values(licensed_seats=1))
        db.session.rollback()
        with unscoped(db.session, "test reads across tenants"):
            assert len(db.session.scalars(db.select(Account)).all()) == 4


def test_bulk_update_is_scoped(app, worlds):
    one, two = worlds
    with app.app_context():
        with scoped(db.session, Scope(one.tenant_id)):
            db.session.execute(db.update(Account).values(licensed_seats=7))
            db.session.commit()
        with unscoped(db.session, "test checks both tenants"):
            seats = dict(
                db.session.execute(
                    db.select(Account.tenant_id, db.func.max(Account.licensed_seats)).group_by(
                        Account.tenant_id
                    )
                ).all()
            )
    assert seats == {one.tenant_id: 7, two.tenant_id: 100}


def test_writes_outside_the_scope_are_refused(app, worlds):
    one, two = worlds
    with app.app_context():
        with scoped(db.session, Scope(one.tenant_id)):
            db.session.add(
                Team(tenant_id=two.tenant_id, account_id=two.account_ids[0], name="x", headcount=1)
            )
            with pytest.raises(ScopeError, match="another tenant"):
                db.session.flush()
            db.session.rollback()
        client_scope = Scope(one.tenant_id, account_ids=frozenset({one.account_ids[0]}))
        with scoped(db.session, client_scope):
            db.session.add(Team(account_id=one.account_ids[1], name="y", headcount=1))
            with pytest.raises(ScopeError, match="outside the actor's accounts"):
                db.session.flush()
            db.session.rollback()
            team = Team(account_id=one.account_ids[0], name="z", headcount=1)
            db.session.add(team)
            db.session.flush()
            assert team.tenant_id == one.tenant_id  # filled in from the scope
            db.session.rollback()
        db.session.add(Team(tenant_id=one.tenant_id, account_id=one.account_ids[0], name="w", headcount=1))
        with pytest.raises(ScopeError, match="without a scope"):
            db.session.flush()
        db.session.rollback()


def test_unscoped_requires_a_reason(app):
    with app.app_context(), pytest.raises(ValueError), unscoped(db.session, ""):
        pass


def test_changes_made_in_scope_are_checked_before_an_unscoped_block(app, worlds):
    one, _ = worlds
    client_scope = Scope(one.tenant_id, account_ids=frozenset({one.account_ids[0]}))
    with app.app_context(), scoped(db.session, client_scope):
        db.session.add(Team(account_id=one.account_ids[1], name="sneaky", headcount=1))
        # The unscoped email lookup would autoflush the team past the guard; it is flushed and refused first.
        with pytest.raises(ScopeError, match="outside the actor's accounts"):
            email_taken(db.session, "anyone@example.com")
        db.session.rollback()
    with app.app_context(), unscoped(db.session, "test"):
        assert db.session.scalar(db.select(Team).where(Team.name == "sneaky")) is None


def test_client_users_see_only_their_people_and_their_account_events(app, worlds):
    one, two = worlds
    client_scope = Scope(one.tenant_id, account_ids=frozenset({one.account_ids[0]}))
    with app.app_context(), scoped(db.session, client_scope):
        emails = set(db.session.scalars(db.select(User.email)))
        # Their own account's people and its CSM; not the vendor owner, nobody of account 1 or tenant two.
        assert one.email("champion") in emails and one.email("csm") in emails
        assert one.email("owner") not in emails and not emails & set(two.emails)
        events = list(db.session.scalars(db.select(AuditEvent)))
        assert events and {e.account_id for e in events} == {one.account_ids[0]}
        # Lazy loads inherit the criteria: the account's CSM loads, other rows stay hidden.
        account = db.session.scalar(db.select(Account))
        assert account.csm is not None and account.csm.email == one.email("csm")


def test_get_from_the_identity_map_respects_the_scope(app, worlds):
    one, two = worlds
    with app.app_context():
        with unscoped(db.session, "test loads a foreign account into the identity map"):
            foreign = db.session.get(Account, two.account_ids[0])
            assert foreign is not None
        with scoped(db.session, Scope(one.tenant_id)):
            assert db.session.get(Account, two.account_ids[0]) is None
            assert db.session.get(Account, one.account_ids[0]) is not None
        with scoped(db.session, Scope(one.tenant_id, account_ids=frozenset({one.account_ids[0]}))):
            assert db.session.get(Account, one.account_ids[1]) is None


def test_get_of_a_person_respects_client_visibility(app, worlds):
    one, _ = worlds
    with app.app_context():
        with unscoped(db.session, "test loads every user of tenant one"):
            db.session.scalars(db.select(User)).all()
        with scoped(db.session, Scope(one.tenant_id, account_ids=frozenset({one.account_ids[0]}))):
            assert db.session.get(User, one.user_ids["other_member"]) is None  # account 1's member
            assert db.session.get(User, one.user_ids["owner"]) is None  # vendor staff but not the CSM
            assert db.session.get(User, one.user_ids["champion"]) is not None
