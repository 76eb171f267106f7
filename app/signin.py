"""Starting and ending a sign-in in the browser, each backed by a row on the server (tenants.sessions)."""

from flask import current_app, request, session
from flask_login import login_user, logout_user

from app.extensions import db
from tenants import sessions


def start_session(user, remember: bool = False, fresh: bool = True) -> None:
    """Sign ``user`` in on this browser with a new server-side sign-in."""
    sessions.start(db.session, user, ip=request.remote_addr or "", user_agent=request.user_agent.string)
    db.session.commit()
    session.clear()  # a fresh session on sign-in defeats session fixation
    login_user(user, remember=remember, fresh=fresh)
    if user.locale:
        session["lang"] = user.locale


def kept_signed_in() -> bool:
    """Whether this browser carries a remember-me cookie (a new sign-in on it should keep one too)."""
    return current_app.config.get("REMEMBER_COOKIE_NAME", "remember_token") in request.cookies


def end_session(user, everywhere: bool = False) -> None:
    """Sign out: this sign-in ends on the server, so a copied cookie dies (``everywhere``: every sign-in)."""
    if everywhere:
        user.sign_out_everywhere()
    else:
        sessions.end(db.session, user.get_id())
    db.session.commit()
    # Clear first: logout_user() leaves the instruction to delete the remember-me cookie in the session.
    session.clear()
    logout_user()
