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

# What a person invited with each role will do in AdoptLoop (said in the invitation mail).
ROLE_DUTIES = {
    Role.OWNER: N_("manage your company's colleagues, plan and billing, and every client account"),
    Role.CSM: N_(
        "onboard client accounts, follow their adoption, lead their hackathons and issue ROI reports"
    ),
    Role.CLIENT_ADMIN: N_(
        "follow the adoption playbook's checklists, appoint AI champions, record lightning talks and "
        "hackathon entries, and invite your colleagues"
    ),
    Role.CHAMPION: N_(
        "share the use cases your team finds (problem, prompt, result, time saved), help colleagues and "
        "present at the monthly lightning talks"
    ),
    Role.MEMBER: N_("read and post use cases, comment on them and search your company's use-case library"),
    Role.PROCUREMENT: N_("read the ROI report: what your company's AI spend saves in labor cost"),
}
