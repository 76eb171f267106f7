"""Object-level rules in tenants/permissions.py, on plain actors (pure, no database)."""

from types import SimpleNamespace

import pytest

from tenants import permissions
from tenants.roles import Role


def person(role: Role, id: int, account_id: int | None = None):
    return SimpleNamespace(id=id, role=role, account_id=account_id, membership=object())


OWNER, CSM = person(Role.OWNER, 1), person(Role.CSM, 2)
ADMIN_A, MEMBER_A = person(Role.CLIENT_ADMIN, 3, 10), person(Role.MEMBER, 4, 10)
MEMBER_B, CHAMPION_A = person(Role.MEMBER, 5, 11), person(Role.CHAMPION, 6, 10)


@pytest.mark.parametrize(
    ("actor", "target", "allowed"),
    [
        (OWNER, CSM, True),
        (OWNER, OWNER, False),  # nobody deactivates themselves
        (CSM, OWNER, False),
        (CSM, MEMBER_B, True),
        (ADMIN_A, MEMBER_A, True),
        (ADMIN_A, MEMBER_B, False),  # another account's person
        (ADMIN_A, CSM, False),
        (CHAMPION_A, MEMBER_A, False),
    ],
)
def test_who_manages_whom(actor, target, allowed):
    assert permissions.may_manage_user(actor, target) is allowed


def test_invitation_rules_follow_the_roles_each_actor_may_grant():
    assert permissions.may_invite_vendor_staff(OWNER) and not permissions.may_invite_vendor_staff(CSM)
    assert permissions.may_grant(ADMIN_A, Role.CHAMPION) and not permissions.may_grant(ADMIN_A, Role.CSM)
    assert permissions.invitable_roles(MEMBER_A) == frozenset()
    csm_invitation = SimpleNamespace(role_enum=Role.CSM)
    assert permissions.may_manage_invitation(OWNER, csm_invitation)
    assert not permissions.may_manage_invitation(CSM, csm_invitation)


def test_audit_and_default_csm():
    assert permissions.may_read_audit(OWNER) and not permissions.may_read_audit(CSM)
    assert permissions.default_csm_for(CSM) == CSM.id and permissions.default_csm_for(OWNER) is None
