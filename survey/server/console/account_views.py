"""Console: signing in and out, and changing one's own password."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext

from survey.server import audit, staff_auth
from survey.server.console.blueprint import bp
from survey.server.console.common import done, me, one_button, refused_csrf
from survey.server.console.forms import LoginForm, PasswordChangeForm
from survey.server.database import session
from survey.server.web.ratelimit import request_client


@bp.route("/login", methods=["GET", "POST"])
def login() -> Any:
    form = LoginForm(request.form if request.method == "POST" else None)
    problem = ""
    if request.method == "POST":
        if not form.validate():
            if form.csrf_token.errors:
                return refused_csrf()
            problem = gettext("Enter your account name and password.")
        else:
            s = session()
            result = staff_auth.authenticate(s, form.username.data or "", form.password.data or "", request_client())
            if result.throttled:
                problem = gettext("Too many failed attempts for this account. Wait 15 minutes and try again.")
            elif result.user is None:
                problem = gettext("The account name or password is not right.")
            else:
                staff_auth.log_in(result.user)
                audit.record(s, result.user.username, "log in")
                s.commit()
                return redirect(url_for("console.index"), code=303)
        return render_template("console/login.html", form=form, problem=problem), 401 if problem else 400
    return render_template("console/login.html", form=form, problem=problem)


@bp.post("/logout")
@one_button
def logout() -> Any:
    """Log out here and everywhere else the account is open (see staff_auth.log_out)."""
    staff_auth.log_out(me())
    response = done("log out", "", "console.login")
    flash(gettext("You are logged out, on this device and on every other one where your account was open."))
    return response


@bp.route("/password", methods=["GET", "POST"])
def password() -> Any:
    user = me()
    form = PasswordChangeForm(request.form if request.method == "POST" else None)
    if request.method == "POST":
        if not form.validate():
            if form.csrf_token.errors:
                return refused_csrf()
        elif not staff_auth.verify_password(user.password_hash, form.current.data or ""):
            form.current.errors = [gettext("This is not your current password.")]
        else:
            staff_auth.set_password(user, form.new.data or "")
            response = done("change password", "", "console.index")
            staff_auth.log_in(user)  # this session goes on; every other one of the account ends
            flash(gettext("Your password is changed. Other sessions of your account are logged out."))
            return response
        return render_template("console/password.html", form=form), 400
    return render_template("console/password.html", form=form)
