"""Console (admins only): staff accounts and the audit log."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from sqlalchemy import select

from survey.server import audit, staff_auth
from survey.server.console.blueprint import bp
from survey.server.console.common import (
    Confirmation,
    admin_only,
    done,
    me,
    one_button,
    record,
    refused_csrf,
    unconfirmed,
)
from survey.server.console.forms import ActionForm, UserForm
from survey.server.database import session
from survey.server.models import User


@bp.route("/users", methods=["GET", "POST"])
@admin_only
def users() -> Any:
    s = session()
    form = UserForm(request.form if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        if form.validate():
            if staff_auth.find_user(s, form.username.data or "") is not None:
                form.username.errors = [gettext("This account name is taken.")]
                status = 400
            else:
                user = staff_auth.create_user(s, form.username.data or "", form.new.data or "", bool(form.is_admin.data))
                record("create account", f"{user.username}{' (admin)' if user.is_admin else ''}")
                flash(gettext("Account %(name)s created.", name=user.username))
                return redirect(url_for("console.users"), code=303)
        elif form.csrf_token.errors:
            return refused_csrf()
        else:
            status = 400
    accounts = list(s.scalars(select(User).order_by(User.username)))
    return render_template("console/users.html", form=form, accounts=accounts, action=ActionForm()), status


def _other_account(user_id: int) -> User:
    """Another account than the signed-in one (404 if none, 403 for one's own)."""
    user = session().get(User, user_id)
    if user is None:
        abort(404)
    if user.id == me().id:
        abort(403)
    return user


def _set_active(user: User, active: bool) -> Any:
    user.is_active = active
    user.session_epoch = (user.session_epoch or 0) + 1  # any open session of the account ends now
    return done("enable account" if active else "disable account", user.username, "console.users")


def _disable_page(user: User) -> Confirmation:
    return Confirmation(
        title=gettext("Disable the account “%(name)s”?", name=user.username),
        happens=[gettext("%(name)s can no longer log in, and is logged out now wherever the account is open.",
                         name=user.username),
                 gettext("Nothing else changes: the surveys, links and counts stay as they are.")],
        undo=gettext("You can undo this: “Enable” on the accounts page lets the account log in again with "
                     "the same password."),
        final=False,
        button=gettext("Disable account"),
        action=url_for("console.user_disable", user_id=user.id),
        cancel=url_for("console.users"),
    )


@bp.route("/users/<id:user_id>/disable", methods=["GET", "POST"])
@admin_only
def user_disable(user_id: int) -> Any:
    user = _other_account(user_id)
    if (answer := unconfirmed(_disable_page(user))) is not None:
        return answer
    response = _set_active(user, False)
    flash(gettext("The account “%(name)s” is disabled. To undo this, use “Enable %(name)s” below.", name=user.username))
    return response


@bp.post("/users/<id:user_id>/enable")
@admin_only
@one_button
def user_enable(user_id: int) -> Any:
    return _set_active(_other_account(user_id), True)


@bp.get("/audit")
@admin_only
def audit_log() -> Any:
    return render_template("console/audit.html", entries=audit.recent(session()))
