"""Every domain module that defines tables, imported once so the metadata (migrations, create_app) is whole.

Add a line here when a domain package gains a module with models.
"""

import playbooks.calendar_feed  # noqa: F401
import playbooks.champions  # noqa: F401
import playbooks.checklists  # noqa: F401
import playbooks.custom_playbooks  # noqa: F401
import playbooks.events  # noqa: F401
import playbooks.library  # noqa: F401
import playbooks.newsletter  # noqa: F401
import playbooks.notes  # noqa: F401
import playbooks.reminders  # noqa: F401
import playbooks.search.index  # noqa: F401
import playbooks.usecase_comments  # noqa: F401
import playbooks.usecase_history  # noqa: F401
import playbooks.usecase_links  # noqa: F401
import playbooks.usecases  # noqa: F401
import reports.models  # noqa: F401
import reports.usage  # noqa: F401
import reports.usage_jobs  # noqa: F401 - registers its job and sweeper
import tenants.accounts  # noqa: F401
import tenants.api_tokens  # noqa: F401
import tenants.audit  # noqa: F401
import tenants.billing.events  # noqa: F401
import tenants.invitations  # noqa: F401
import tenants.login_links  # noqa: F401
import tenants.sessions  # noqa: F401
import tenants.tenant  # noqa: F401
import tenants.users  # noqa: F401
