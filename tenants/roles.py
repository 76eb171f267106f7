"""Roles a user can hold and what each one reaches."""

import enum

from tenants.errors import N_


class Role(enum.StrEnum):
    OWNER = "owner"
    CSM = "csm"
    CLIENT_ADMIN = "client_admin"
    CHAMPION = "champion"
    MEMBER = "member"
    PROCUREMENT = "procurement"

    @property
    def is_vendor(self) -> bool:
        """Vendor staff see every account of their tenant."""
        return self in VENDOR_ROLES

    @property
    def label(self) -> str:
        return ROLE_LABELS[self]


VENDOR_ROLES = frozenset({Role.OWNER, Role.CSM})
CLIENT_ROLES = frozenset({Role.CLIENT_ADMIN, Role.CHAMPION, Role.MEMBER, Role.PROCUREMENT})
ALL_ROLES = VENDOR_ROLES | CLIENT_ROLES

# English source strings; the web shell translates them.
ROLE_LABELS = {
    Role.OWNER: N_("Vendor owner"),
    Role.CSM: N_("Customer success manager"),
    Role.CLIENT_ADMIN: N_("Client admin"),
    Role.CHAMPION: N_("AI champion"),
    Role.MEMBER: N_("Member"),
    Role.PROCUREMENT: N_("Procurement"),
}
