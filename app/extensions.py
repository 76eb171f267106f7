"""Flask extensions, created unbound and initialised in :func:`app.create_app`."""

from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_wtf.csrf import CSRFProtect

from tenants.db import db

login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()
migrate = Migrate(compare_type=True, render_as_batch=True)
# Limits are declared per route (login, sign-up, invitation); nothing is limited by default.
limiter = Limiter(key_func=get_remote_address, default_limits=[])

__all__ = ["db", "login_manager", "csrf", "babel", "migrate", "limiter"]
