"""The pages around the API: the owner's tokens (create, see once, revoke) and the API's documentation,
rendered here from the OpenAPI document (no CDN, works offline)."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms import SelectField, StringField
from wtforms.validators import DataRequired, Length

from app.access import OWNER_ONLY, allow, public
from app.api.openapi import spec
from app.auth.forms import REQUIRED
from app.extensions import db
from app.forms import AppForm, form_status, save_or_show_errors
from tenants import api_tokens

bp = Blueprint("api_pages", __name__)


class TokenForm(AppForm):
    name = StringField(_l("What will use it"), [DataRequired(REQUIRED), Length(max=100)])
    scope = SelectField(
        _l("Access"), choices=[("read", _l("Read accounts and metrics")), ("write", _l("Read and write"))]
    )


def _render(form: TokenForm, secret: str | None = None, status: int = 200):
    return render_template(
        "api/tokens.html", form=form, tokens=api_tokens.list_tokens(db.session), secret=secret
    ), status


@bp.get("/team/api-tokens")
@allow(OWNER_ONLY)
def tokens():
    return _render(TokenForm())


@bp.post("/team/api-tokens")
@allow(OWNER_ONLY)
def create():
    form = TokenForm()
    if form.validate_on_submit():
        created = save_or_show_errors(
            form,
            lambda: api_tokens.create_token(
                db.session, current_user, name=form.name.data, scope=form.scope.data
            ),
        )
        if created is not None:
            _, secret = created
            # Shown on this response only: it is stored as a hash and cannot be shown again.
            return _render(TokenForm(formdata=None), secret=secret, status=201)
    return _render(form, status=form_status(form))


@bp.post("/team/api-tokens/<int:token_id>/revoke")
@allow(OWNER_ONLY)
def revoke(token_id: int):
    token = db.session.get(api_tokens.ApiToken, token_id) or abort(404)
    api_tokens.revoke_token(db.session, current_user, token)
    db.session.commit()
    flash(_("The token %(prefix)s… no longer works.", prefix=token.prefix), "info")
    return redirect(url_for("api_pages.tokens"))


@bp.get("/api/docs")
@public
def docs():
    return render_template("api/docs.html", spec=spec(request.host_url.rstrip("/")))
