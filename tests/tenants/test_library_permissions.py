"""The use-case library's object rules (pure): who posts, reads, edits, curates, comments and links."""

from datetime import UTC, datetime
from types import SimpleNamespace

from tenants import permissions
from tenants.roles import Role


def person(role: Role, id: int, account_id: int | None = None):
    return SimpleNamespace(id=id, role=role, account_id=account_id, membership=object())


OWNER, CSM = person(Role.OWNER, 1), person(Role.CSM, 2)
ADMIN, CHAMPION, AUTHOR = (
    person(Role.CLIENT_ADMIN, 3, 10),
    person(Role.CHAMPION, 4, 10),
    person(Role.MEMBER, 5, 10),
)
MEMBER, PROCUREMENT = person(Role.MEMBER, 6, 10), person(Role.PROCUREMENT, 7, 10)
OTHER_CHAMPION = person(Role.CHAMPION, 8, 11)
NOW = datetime(2026, 11, 1, tzinfo=UTC)


def case(stage="shared", published=True, account_id=10, author_id=5):
    return SimpleNamespace(
        stage=stage, published_at=NOW if published else None, account_id=account_id, author_id=author_id
    )


def test_members_and_champions_post_procurement_and_vendor_staff_do_not():
    assert all(permissions.may_post_use_case(p) for p in (ADMIN, CHAMPION, AUTHOR, MEMBER))
    assert not any(permissions.may_post_use_case(p) for p in (OWNER, CSM, PROCUREMENT))


def test_drafts_are_their_authors_and_procurement_reads_production_only():
    draft = case(published=False)
    assert permissions.may_read_use_case(AUTHOR, draft)
    assert not any(permissions.may_read_use_case(p, draft) for p in (MEMBER, CHAMPION, CSM))
    assert permissions.may_read_use_case(CSM, case()) and permissions.may_read_use_case(MEMBER, case())
    assert not permissions.may_read_use_case(PROCUREMENT, case("pilot"))
    assert permissions.may_read_use_case(PROCUREMENT, case("production"))
    assert (
        permissions.library_stages(PROCUREMENT) == {"production"} and permissions.library_stages(CSM) is None
    )


def test_authors_edit_their_drafts_body_curators_the_context_of_their_account():
    draft, published = case(published=False), case()
    assert permissions.may_edit_use_case_body(AUTHOR, draft)
    assert not permissions.may_edit_use_case_body(AUTHOR, published)  # frozen once published
    assert not permissions.may_edit_use_case_body(CHAMPION, draft)
    assert permissions.may_edit_use_case(AUTHOR, published) and permissions.may_edit_use_case(
        CHAMPION, published
    )
    assert not permissions.may_edit_use_case(MEMBER, published)
    assert not permissions.may_edit_use_case(OTHER_CHAMPION, published)
    assert not permissions.may_edit_use_case(CSM, published)


def test_champions_and_client_admins_promote_and_archive():
    assert permissions.may_curate_use_case(CHAMPION, case()) and permissions.may_curate_use_case(
        ADMIN, case()
    )
    for actor in (AUTHOR, MEMBER, CSM, OWNER, PROCUREMENT, OTHER_CHAMPION):
        assert not permissions.may_curate_use_case(actor, case())


def test_comments_and_links_on_published_cases():
    assert permissions.may_comment_on_use_case(CSM, case()) and permissions.may_comment_on_use_case(
        MEMBER, case()
    )
    assert not permissions.may_comment_on_use_case(PROCUREMENT, case())
    assert not permissions.may_comment_on_use_case(AUTHOR, case(published=False))
    assert permissions.may_link_use_cases(MEMBER, case()) and not permissions.may_link_use_cases(CSM, case())
