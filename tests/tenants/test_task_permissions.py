"""Who may tick a checklist task (pure): vendor staff any; client admins client-side tasks of their account;
champions champion tasks and tasks assigned to them; members and procurement none."""

from types import SimpleNamespace

import pytest

from tenants import permissions
from tenants.roles import Role


def person(role: Role, id: int, account_id: int | None = None):
    return SimpleNamespace(id=id, role=role, account_id=account_id)


def task(owner_role: str, account_id: int = 10, assignee_id: int | None = None):
    return SimpleNamespace(owner_role=owner_role, account_id=account_id, assignee_id=assignee_id)


OWNER, CSM = person(Role.OWNER, 1), person(Role.CSM, 2)
ADMIN, CHAMPION = person(Role.CLIENT_ADMIN, 3, 10), person(Role.CHAMPION, 4, 10)
MEMBER, PROCUREMENT = person(Role.MEMBER, 5, 10), person(Role.PROCUREMENT, 6, 10)
OTHER_ADMIN = person(Role.CLIENT_ADMIN, 7, 11)


@pytest.mark.parametrize(
    ("actor", "the_task", "allowed"),
    [
        (OWNER, task("csm"), True),
        (CSM, task("champion"), True),
        (ADMIN, task("client_admin"), True),
        (ADMIN, task("champion"), True),
        (ADMIN, task("csm"), False),
        (ADMIN, task("csm", assignee_id=3), True),
        (OTHER_ADMIN, task("client_admin"), False),
        (CHAMPION, task("champion"), True),
        (CHAMPION, task("client_admin"), False),
        (CHAMPION, task("client_admin", assignee_id=4), True),
        (CHAMPION, task("champion", account_id=11), False),
        (MEMBER, task("champion", assignee_id=5), False),
        (PROCUREMENT, task("client_admin"), False),
    ],
)
def test_may_tick_task(actor, the_task, allowed):
    assert permissions.may_tick_task(actor, the_task) is allowed
