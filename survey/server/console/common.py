"""What every console view shares, written once: the signed-in user, the survey or link it may
see, the CSRF check of one-button actions, and "record in the audit log, commit, go back"."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import current_app, g, redirect, render_template, request, url_for
from flask_babel import gettext
from werkzeug.wrappers import Response as WerkzeugResponse

from survey.server import audit, staff_auth
from survey.server.console.blueprint import bp
from survey.server.console.forms import ActionForm
from survey.server.console.permissions import link_or_404, require_admin, survey_or_404
from survey.server.database import session
from survey.server.models import Link, Survey, User

#: Endpoints reachable without signing in.
PUBLIC = {"console.login"}

View = TypeVar("View", bound=Callable[..., Any])


def me() -> User:
    """The signed-in user (every view but the public ones runs after :func:`require_login`)."""
    user = g.get("console_user")
    assert user is not None
    return user


@bp.before_request
def require_login() -> Any:
    if request.endpoint in PUBLIC:
        return None
    if staff_auth.current_user(session()) is None:
        return redirect(url_for("console.login"))
    return None


@bp.context_processor
def _console_context() -> dict[str, Any]:
    return {"logout_form": ActionForm()}


@bp.app_context_processor
def _demo_key_context() -> dict[str, Any]:
    """Whether keys/ holds the demo key (demo_key.py): every console page then warns, error pages
    and the login page included (templates/console/base.html), hence app-wide."""
    return {"demo_key_in_use": bool(current_app.extensions["keyring"].demo_ids())}


def refused_csrf() -> tuple[str, int]:
    """The page for a form whose CSRF token is missing, wrong or expired: nothing changed."""
    return render_template("console/error.html", title=gettext("This form has expired"),
                           message=gettext("Nothing was changed. Go back, reload the page and try again.")), 400


def action_confirmed() -> bool:
    """True when a one-button action carries a valid CSRF token."""
    return ActionForm(request.form).validate()


def one_button(view: View) -> View:
    """A POST that changes something from a one-button form: refused unless its CSRF token holds."""

    @wraps(view)
    def checked(*args: Any, **kwargs: Any) -> Any:
        if not action_confirmed():
            return refused_csrf()
        return view(*args, **kwargs)

    return checked  # type: ignore[return-value]


def admin_only(view: View) -> View:
    """A view only admins may open (403 for everyone else)."""

    @wraps(view)
    def checked(*args: Any, **kwargs: Any) -> Any:
        require_admin(me())
        return view(*args, **kwargs)

    return checked  # type: ignore[return-value]


def my_survey(survey_id: int) -> Survey:
    """The survey if the signed-in user may see it; 404 otherwise."""
    return survey_or_404(session(), me(), survey_id)


def my_link(link_id: int) -> Link:
    """The link if the signed-in user may see its survey; 404 otherwise."""
    return link_or_404(session(), me(), link_id)


def record(action: str, detail: str = "") -> None:
    """Record ``action`` by the signed-in user in the audit log and commit it with the change."""
    s = session()
    audit.record(s, me().username, action, detail)
    s.commit()


def done(action: str, detail: str, endpoint: str, **values: Any) -> WerkzeugResponse:
    """:func:`record` ``action``, then go to ``endpoint`` (303, so a reload does not repeat it)."""
    record(action, detail)
    return redirect(url_for(endpoint, **values), code=303)
