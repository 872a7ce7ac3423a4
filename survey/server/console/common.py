"""What every console view shares, written once: the signed-in user, the survey or link it may
see, the CSRF check of one-button actions, and "record in the audit log, commit, go back"."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import wraps
from typing import Any, TypeVar

from flask import current_app, g, redirect, render_template, request, url_for
from flask_babel import gettext
from werkzeug.wrappers import Response as WerkzeugResponse

from survey.server import audit, staff_auth
from survey.server.console.blueprint import bp
from survey.server.console.forms import ActionForm, ConfirmForm
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
    return {"logout_form": ActionForm(), "questionnaire_name": questionnaire_name}


def questionnaire_name(key: str) -> str:
    """A questionnaire as people name it, "Stigma and disclosure, version 1", in the console's
    language (its title is a catalog message), rather than its key ``stigma@1``."""
    q = current_app.extensions["questionnaires"].get(key)
    if q is None:
        return key
    return gettext("%(title)s, version %(version)s", title=gettext(q.title), version=q.version)


@bp.app_context_processor
def _demo_key_context() -> dict[str, Any]:
    """Whether keys/ holds the demo key (demo_key.py): every console page then warns, error pages
    and the login page included (templates/console/base.html), hence app-wide."""
    return {"demo_key_in_use": bool(current_app.extensions["keyring"].demo_ids())}


def refused_csrf() -> tuple[str, int]:
    """The page for a form whose CSRF token is missing, wrong or expired: nothing changed."""
    return render_template("console/error.html", title=gettext("This form has expired"),
                           message=gettext("Nothing was changed. Go back, reload the page and try again.")), 400


@dataclass(frozen=True)
class Confirmation:
    """A confirmation page (GOV.UK pattern, templates/console/confirm.html): the question, what
    will happen, whether and how it can be undone, the action's button and a way back."""

    title: str
    happens: Sequence[str]
    undo: str
    button: str
    action: str
    cancel: str
    #: Say "This cannot be undone." as a warning (otherwise ``undo`` says how to undo it).
    final: bool = True
    #: Fields of the form shown above the button (the purge's SHA-256), with their hints.
    fields: Sequence[tuple[str, str]] = field(default=())


def ask(page: Confirmation, form: ConfirmForm | None = None, status: int = 200) -> tuple[str, int]:
    """The confirmation page; ``form`` carries a refused form back with its errors."""
    return render_template("console/confirm.html", c=page, form=form or ConfirmForm()), status


def unconfirmed(page: Confirmation, form: ConfirmForm | None = None) -> Any:
    """None when this request is the POST of ``page``'s button with a valid CSRF token. Otherwise
    the answer, having changed nothing: ``page`` for a GET (one URL for the page and its action:
    two rules on one path would answer 405 rather than 404 for an id out of range), the
    form-expired page for a bad token, and ``page`` again for a POST without the confirmation
    (an old one-button form, a request from elsewhere)."""
    form = form or ConfirmForm(request.form)
    if request.method == "GET":
        return ask(page, form)
    if form.validate():
        return None
    if form.csrf_token.errors:
        return refused_csrf()
    if form.confirm.errors:
        return ask(page, type(form)())
    return ask(page, form, 400)


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
