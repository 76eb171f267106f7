"""Every domain module that defines tables, imported once so the metadata (migrations, create_app) is whole.

Add a line here when a domain package gains a module with models.
"""

import playbooks.usecases  # noqa: F401
import tenants.accounts  # noqa: F401
import tenants.audit  # noqa: F401
import tenants.invitations  # noqa: F401
import tenants.login_links  # noqa: F401
import tenants.sessions  # noqa: F401
import tenants.tenant  # noqa: F401
import tenants.users  # noqa: F401
