"""The one place where tenant scoping is enforced.

Every model that belongs to a vendor inherits :class:`TenantOwned`; every model that belongs to one client
account inherits :class:`AccountOwned`. A session carries a :class:`Scope` in ``session.info`` and two
ORM events do the rest:

* ``do_orm_execute`` adds ``WHERE tenant_id = :scope`` (and, for client users, ``account_id IN (...)``) to
  every ORM SELECT, UPDATE and DELETE that touches those models, including relationship lazy loads;
* ``before_flush`` refuses to write an object that lies outside the scope.

A session with no scope refuses to touch tenant data at all (fail closed). Code that must cross tenants
(login by email, accepting an invitation, the CLI, tests building fixtures) says so with
:func:`unscoped`, which is greppable and names its reason.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from flask_sqlalchemy.session import Session as FlaskSQLAlchemySession
from sqlalchemy import ColumnElement, ForeignKey, column, event, inspect, select
from sqlalchemy.orm import (
    Mapped,
    Mapper,
    ORMExecuteState,
    Session,
    declared_attr,
    mapped_column,
    with_loader_criteria,
)

SCOPE_KEY = "adoptloop.scope"
UNSCOPED_KEY = "adoptloop.unscoped"


class ScopeError(RuntimeError):
    """Raised when code touches tenant data without a scope, or writes outside its scope."""


@dataclass(frozen=True)
class Scope:
    """What one session may see.

    ``account_ids`` is ``None`` for vendor staff (every account of the tenant) and a set of account ids for
    client users (only their own accounts).
    """

    tenant_id: int
    account_ids: frozenset[int] | None = None

    @property
    def account_restricted(self) -> bool:
        return self.account_ids is not None

    def allows_account(self, account_id: int | None) -> bool:
        return self.account_ids is None or account_id in self.account_ids


class ScopeRoot:
    """Marker for the tenant row itself: a scoped session sees only its own tenant."""


class TenantOwned:
    """Mixin for rows that belong to one vendor."""

    @declared_attr
    def tenant_id(cls) -> Mapped[int]:  # noqa: N805 - declared_attr receives the class
        return mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"), index=True)

    @classmethod
    def visible_to_accounts(cls, account_ids: list[int]) -> ColumnElement[bool] | None:
        """Hook for tenant-wide rows that client users may see in part (people): return the criterion that
        selects the part visible to ``account_ids``. None (the default) adds nothing."""
        return None


class AccountKeyed(TenantOwned):
    """Rows client users see only for their own accounts; ``__account_key__`` names the column that holds
    the account id. Use one of the three subclasses below, which say which column that is."""

    __account_key__: str


class AccountOwned(AccountKeyed):
    """Mixin for rows that belong to one client account (and therefore to its vendor)."""

    __account_key__ = "account_id"

    @declared_attr
    def account_id(cls) -> Mapped[int]:  # noqa: N805
        return mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"), index=True)


class MaybeAccountOwned(AccountKeyed):
    """Mixin for rows whose ``account_id`` is optional (a vendor-level membership, invitation or audit event
    has none): rows with no account are vendor data, hidden from client users. The class declares the
    nullable ``account_id`` column itself."""

    __account_key__ = "account_id"


class AccountRow(AccountKeyed):
    """Mixin for the account row itself: its own ``id`` is the account id."""

    __account_key__ = "id"


def set_scope(session: Session, scope: Scope | None) -> None:
    """Give ``session`` the scope of the current actor (``None`` to forget it)."""
    session.info.pop(UNSCOPED_KEY, None)
    if scope is None:
        session.info.pop(SCOPE_KEY, None)
    else:
        session.info[SCOPE_KEY] = scope


def get_scope(session: Session) -> Scope | None:
    """The scope ``session`` currently enforces, if any."""
    return session.info.get(SCOPE_KEY)


@contextmanager
def unscoped(session: Session, reason: str) -> Iterator[Session]:
    """Let ``session`` cross tenants for the duration of the block.

    ``reason`` is required so that every use documents why it is safe.
    """
    if not reason:
        raise ValueError("unscoped() needs a reason")
    # Changes made under the scope are written (and checked) now: a query inside the block would otherwise
    # autoflush them past the write guard.
    if session.new or session.dirty or session.deleted:
        session.flush()
    previous = session.info.get(UNSCOPED_KEY)
    session.info[UNSCOPED_KEY] = reason
    try:
        yield session
    finally:
        if previous is None:
            session.info.pop(UNSCOPED_KEY, None)
        else:
            session.info[UNSCOPED_KEY] = previous


@contextmanager
def scoped(session: Session, scope: Scope) -> Iterator[Session]:
    """Run a block (a job, a CLI command) as ``scope``, restoring the previous scope afterwards."""
    previous_scope = session.info.get(SCOPE_KEY)
    previous_unscoped = session.info.pop(UNSCOPED_KEY, None)
    session.info[SCOPE_KEY] = scope
    try:
        yield session
    finally:
        set_scope(session, previous_scope)
        if previous_unscoped is not None:
            session.info[UNSCOPED_KEY] = previous_unscoped


def _is_unscoped(session: Session) -> bool:
    return UNSCOPED_KEY in session.info


def _touches_tenant_data(state: ORMExecuteState) -> bool:
    return any(issubclass(m.class_, TenantOwned | ScopeRoot) for m in state.all_mappers)


_mapped_cache: dict[object, list[type]] = {}
_PARTLY_VISIBLE = "partly visible"


@event.listens_for(Mapper, "after_configured")
def _forget_mapped_models() -> None:
    """A newly configured model may use a mixin: recompute the lists on the next query."""
    _mapped_cache.clear()


def _mapped(mixin: type) -> list[type]:
    """Mapped models using ``mixin`` (asked on every query, so cached until the mappers change)."""
    if mixin not in _mapped_cache:
        found: dict[type, None] = {}
        pending = [mixin]
        while pending:
            for sub in pending.pop().__subclasses__():
                pending.append(sub)
                if inspect(sub, raiseerr=False) is not None:
                    found[sub] = None
        _mapped_cache[mixin] = list(found)
    return _mapped_cache[mixin]


def _account_column(cls):
    """The account column of a model. SQLAlchemy first calls a mixin's criterion with the mixin itself, to
    analyse it; the mixin has no column, so it gets a stand-in of the same shape."""
    if inspect(cls, raiseerr=False) is None:
        return column("account_id")
    return getattr(cls, cls.__account_key__)


def _account_of(obj_or_cls):
    """The account id of a row, or the account column of a model."""
    return getattr(obj_or_cls, obj_or_cls.__account_key__)


def _criteria_options(scope: Scope) -> list:
    """The loader criteria of ``scope``: one per mixin, so every model using it is covered.

    Lambdas, because SQLAlchemy caches a lambda criterion's SQL per class and turns the ids into bound
    parameters; plain expressions built per statement made every query pay for every scoped model (about a
    millisecond a query with forty of them).
    """
    tenant_id = scope.tenant_id
    options = [
        with_loader_criteria(cls, lambda cls: cls.id == tenant_id, include_aliases=True)
        for cls in _mapped(ScopeRoot)
    ]
    options.append(
        with_loader_criteria(TenantOwned, lambda cls: cls.tenant_id == tenant_id, include_aliases=True)
    )
    if scope.account_ids is not None:
        account_ids = sorted(scope.account_ids)
        options.append(
            with_loader_criteria(
                AccountKeyed,
                lambda cls: _account_column(cls).in_(account_ids),
                include_aliases=True,
            )
        )
        # Tenant-wide rows that client users may see only in part (people) say which part themselves.
        for cls in _partly_visible():
            options.append(
                with_loader_criteria(cls, cls.visible_to_accounts(account_ids), include_aliases=True)
            )
    return options


_DEFAULT_HOOK = TenantOwned.visible_to_accounts.__func__


def _partly_visible() -> list[type]:
    """Tenant-wide models that override the ``visible_to_accounts`` hook."""
    if _PARTLY_VISIBLE not in _mapped_cache:
        _mapped_cache[_PARTLY_VISIBLE] = [
            cls for cls in _mapped(TenantOwned) if cls.visible_to_accounts.__func__ is not _DEFAULT_HOOK
        ]
    return _mapped_cache[_PARTLY_VISIBLE]


@event.listens_for(Session, "do_orm_execute")
def _scope_statement(state: ORMExecuteState) -> None:
    if not (state.is_select or state.is_update or state.is_delete):
        return
    # Lazy loads and deferred columns inherit the criteria of the statement that loaded the parent.
    if state.is_column_load or state.is_relationship_load:
        return
    session = state.session
    if _is_unscoped(session):
        return
    scope = get_scope(session)
    if scope is None:
        if _touches_tenant_data(state):
            raise ScopeError("tenant data queried without a scope; set one or use unscoped(session, reason)")
        return
    state.statement = state.statement.options(*_criteria_options(scope))


def in_scope(obj: object, scope: Scope) -> bool:
    """Whether an already-loaded object lies inside ``scope`` (for identity-map hits, which run no SQL)."""
    if isinstance(obj, ScopeRoot):
        return obj.id == scope.tenant_id
    if not isinstance(obj, TenantOwned):
        return True
    if obj.tenant_id != scope.tenant_id:
        return False
    # A row with no account is vendor-level data, outside every client scope.
    return not (scope.account_restricted and isinstance(obj, AccountKeyed)) or scope.allows_account(
        _account_of(obj)
    )


class ScopedSession(FlaskSQLAlchemySession):
    """Session whose ``get()`` honours the scope even when the object is already in the identity map.

    ``Session.get`` answers from the identity map without SQL, so the loader criteria never see it; an object
    loaded earlier under ``unscoped()`` would otherwise be handed to a scoped caller.
    """

    def get(self, entity, ident, **kwargs):
        obj = super().get(entity, ident, **kwargs)
        scope = get_scope(self)
        if obj is None or scope is None or _is_unscoped(self):
            return obj
        if not in_scope(obj, scope):
            return None
        if (
            scope.account_restricted
            and isinstance(obj, TenantOwned)
            and type(obj).visible_to_accounts(sorted(scope.account_ids)) is not None
        ):
            # Visibility defined by a query (people of the client's accounts) is asked of the database.
            mapper = inspect(type(obj))
            pk = [getattr(type(obj), c.key) == getattr(obj, c.key) for c in mapper.primary_key]
            return self.scalar(select(type(obj)).where(*pk))
        return obj


@event.listens_for(Session, "before_flush")
def _guard_writes(session: Session, flush_context, instances) -> None:
    if _is_unscoped(session):
        return
    scope = get_scope(session)
    touched = [o for o in (*session.new, *session.dirty, *session.deleted) if isinstance(o, TenantOwned)]
    if not touched:
        return
    if scope is None:
        raise ScopeError("tenant data written without a scope")
    for obj in touched:
        if obj.tenant_id is None and obj in session.new:
            obj.tenant_id = scope.tenant_id
        if obj.tenant_id != scope.tenant_id:
            raise ScopeError(f"{type(obj).__name__} belongs to another tenant")
        # A new Account row has no id yet, so it is outside every client scope: client users never create one.
        if not in_scope(obj, scope):
            raise ScopeError(f"{type(obj).__name__} lies outside the actor's accounts")
