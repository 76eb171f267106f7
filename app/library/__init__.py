"""The use-case library in the web shell: pages, forms and the ``usecase`` CLI commands."""

import logging
import os

from flask import Flask

log = logging.getLogger(__name__)


def check_search_setup(app: Flask) -> None:
    """At start-up: refuse an unknown USECASE_EMBEDDER, and warn when PostgreSQL's lc_ctype is C (pg_trgm then
    builds no trigrams for Japanese, so Japanese lexical search would silently find nothing)."""
    from playbooks.search.embedders import embedder_for
    from playbooks.search.index import check_database_locale
    from tenants.db import db

    embedder_for(os.environ.get("USECASE_EMBEDDER", "use"))  # ValueError names the setting
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        return
    try:
        with app.app_context():
            warning = check_database_locale(db.engine)
    except Exception as error:  # the database may not be up yet; the app starts and retries per request
        log.info("use-case search: database locale not checked (%s)", error.__class__.__name__)
        return
    if warning:
        app.logger.warning("use-case search: %s", warning)
