"""Console views. Staff see surveys, links and counts; never an answer, a response or a time."""

from __future__ import annotations

import csv
import io
import tempfile
from typing import Any

from flask import (Response, abort, current_app, flash, g, redirect, render_template, request, send_file,
                   url_for)
from flask_babel import force_locale, gettext
from sqlalchemy import select

from .. import access_codes, audit, auth, counts, qr
from ..db import session
from ..envelope import format_key_id
from ..export import write_export
from ..i18n import LANGUAGES
from ..links import LinkState, link_state
from ..models import Assignment, Survey, User
from ..surveys import create_link, create_survey
from . import bp
from .access import link_or_404, require_admin, survey_or_404, visible_surveys
from .forms import (ActionForm, AssignForm, CodesForm, LinkForm, LoginForm, PasswordChangeForm, SurveyForm,
                    UserForm)

#: Endpoints reachable without logging in.
PUBLIC = {"coordinate.login"}


def _me() -> User:
    user = g.get("console_user")
    assert user is not None
    return user


@bp.before_request
def require_login() -> Any:
    if request.endpoint in PUBLIC:
        return None
    if auth.current_user(session()) is None:
        return redirect(url_for("coordinate.login"))
    return None


def _refused_csrf() -> tuple[str, int]:
    return render_template("console/error.html", title=gettext("This form has expired"),
                           message=gettext("Nothing was changed. Go back, reload the page and try again.")), 400


def _action() -> bool:
    """True when a one-button action carries a valid CSRF token."""
    return ActionForm(request.form).validate()


@bp.context_processor
def _console_context() -> dict[str, Any]:
    return {"logout_form": ActionForm()}


@bp.errorhandler(403)
def forbidden(_exc: Any) -> tuple[str, int]:
    return render_template("console/error.html", title=gettext("Not allowed"),
                           message=gettext("Your account cannot do this.")), 403


@bp.errorhandler(404)
def missing(_exc: Any) -> tuple[str, int]:
    return render_template("console/error.html", title=gettext("Not found"),
                           message=gettext("There is nothing here that your account can see.")), 404


@bp.errorhandler(400)
def bad(_exc: Any) -> tuple[str, int]:
    return _refused_csrf()


# -- logging in and out ---------------------------------------------------------------------------

@bp.route("/login", methods=["GET", "POST"])
def login() -> Any:
    form = LoginForm(request.form if request.method == "POST" else None)
    problem = ""
    if request.method == "POST":
        if not form.validate():
            if form.csrf_token.errors:
                return _refused_csrf()
            problem = gettext("Enter your account name and password.")
        else:
            s = session()
            result = auth.authenticate(s, form.username.data or "", form.password.data or "")
            if result.throttled:
                problem = gettext("Too many failed attempts for this account. Wait 15 minutes and try again.")
            elif result.user is None:
                problem = gettext("The account name or password is not right.")
            else:
                auth.log_in(result.user)
                audit.record(s, result.user.username, "log in")
                s.commit()
                return redirect(url_for("coordinate.index"), code=303)
        return render_template("console/login.html", form=form, problem=problem), 401 if problem else 400
    return render_template("console/login.html", form=form, problem=problem)


@bp.post("/logout")
def logout() -> Any:
    if not _action():
        return _refused_csrf()
    auth.log_out()
    return redirect(url_for("coordinate.login"), code=303)


@bp.route("/password", methods=["GET", "POST"])
def password() -> Any:
    me = _me()
    form = PasswordChangeForm(request.form if request.method == "POST" else None)
    if request.method == "POST":
        if not form.validate():
            if form.csrf_token.errors:
                return _refused_csrf()
        elif not auth.verify_password(me.password_hash, form.current.data or ""):
            form.current.errors = [gettext("This is not your current password.")]
        else:
            s = session()
            auth.set_password(me, form.new.data or "")
            audit.record(s, me.username, "change password")
            s.commit()
            auth.log_in(me)  # this session goes on; every other one of the account ends
            flash(gettext("Your password is changed. Other sessions of your account are logged out."))
            return redirect(url_for("coordinate.index"), code=303)
        return render_template("console/password.html", form=form), 400
    return render_template("console/password.html", form=form)


# -- surveys --------------------------------------------------------------------------------------

@bp.get("/")
def index() -> Any:
    s = session()
    surveys = visible_surveys(s, _me())
    return render_template("console/index.html", surveys=surveys, counts=counts.per_survey(s, surveys),
                           action=ActionForm())


def _survey_form(data: Any = None) -> SurveyForm:
    form = SurveyForm(data)
    questionnaires = current_app.extensions["questionnaires"]
    form.questionnaire.choices = [(key, f"{q.title} ({key})") for key, q in sorted(questionnaires.items())]
    form.key_id.choices = [(kid, format_key_id(kid)) for kid in current_app.extensions["keyring"].ids()]
    form.languages.choices = [(code, LANGUAGES.get(code, code)) for code in current_app.extensions["survey_languages"]]
    if data is None:
        form.languages.data = ["en"]
    return form


@bp.route("/surveys/new", methods=["GET", "POST"])
def survey_new() -> Any:
    me = _me()
    require_admin(me)
    form = _survey_form(request.form if request.method == "POST" else None)
    if request.method == "POST":
        if form.validate():
            s = session()
            q = current_app.extensions["questionnaires"][form.questionnaire.data]
            survey = create_survey(s, q, form.key_id.data or "", form.title.data or "", list(form.languages.data or []))
            audit.record(s, me.username, "create survey", f"{survey.title} ({q.key}, key {survey.key_id})")
            s.commit()
            return redirect(url_for("coordinate.survey", survey_id=survey.id), code=303)
        if form.csrf_token.errors:
            return _refused_csrf()
        return render_template("console/survey_new.html", form=form), 400
    return render_template("console/survey_new.html", form=form)


def _assign_form(survey: Survey, data: Any = None) -> AssignForm:
    form = AssignForm(data)
    assigned = set(session().scalars(select(Assignment.user_id).where(Assignment.survey_id == survey.id)))
    form.user_id.choices = [
        (u.id, u.username)
        for u in session().scalars(select(User).where(User.is_admin.is_(False), User.is_active.is_(True)).order_by(User.username))
        if u.id not in assigned
    ]
    return form


def _assigned(survey: Survey) -> list[User]:
    return list(session().scalars(
        select(User).join(Assignment, Assignment.user_id == User.id).where(Assignment.survey_id == survey.id).order_by(User.username)
    ))


def _link_form(data: Any = None) -> LinkForm:
    return LinkForm(data, threshold=counts.threshold())


def _render_survey(survey: Survey, link_form: LinkForm | None = None, status: int = 200) -> tuple[str, int]:
    s = session()
    me = _me()
    states = {link.id: link_state(s, link) for link in survey.links}
    return render_template(
        "console/survey.html",
        survey=survey,
        key_id=format_key_id(survey.key_id),
        links=sorted(survey.links, key=lambda l: l.id),
        states=states,
        urls={link.id: qr.respondent_url(link) for link in survey.links},
        LinkState=LinkState,
        link_counts=counts.per_link(s, survey),
        total=counts.per_survey(s, [survey])[survey.id],
        link_form=link_form or _link_form(),
        assign_form=_assign_form(survey) if me.is_admin else None,
        assigned=_assigned(survey),
        action=ActionForm(),
        export_allowed=counts.export_allowed(s, survey),
        language_names=LANGUAGES,
        k=counts.threshold(),
    ), status


@bp.get("/surveys/<int:survey_id>")
def survey(survey_id: int) -> Any:
    return _render_survey(survey_or_404(session(), _me(), survey_id))


def _set_open(survey_id: int, is_open: bool) -> Any:
    me = _me()
    s = session()
    survey = survey_or_404(s, me, survey_id)
    if not _action():
        return _refused_csrf()
    survey.is_open = is_open
    audit.record(s, me.username, "open survey" if is_open else "close survey", survey.title)
    s.commit()
    return redirect(url_for("coordinate.survey", survey_id=survey.id), code=303)


@bp.post("/surveys/<int:survey_id>/close")
def survey_close(survey_id: int) -> Any:
    return _set_open(survey_id, False)


@bp.post("/surveys/<int:survey_id>/open")
def survey_open(survey_id: int) -> Any:
    return _set_open(survey_id, True)


@bp.post("/surveys/<int:survey_id>/assign")
def survey_assign(survey_id: int) -> Any:
    me = _me()
    require_admin(me)
    s = session()
    survey = survey_or_404(s, me, survey_id)
    form = _assign_form(survey, request.form)
    if not form.validate():
        if form.csrf_token.errors:
            return _refused_csrf()
        return redirect(url_for("coordinate.survey", survey_id=survey.id), code=303)
    user = s.get(User, form.user_id.data)
    assert user is not None
    s.add(Assignment(user_id=user.id, survey_id=survey.id))
    audit.record(s, me.username, "assign coordinator", f"{user.username} to {survey.title}")
    s.commit()
    return redirect(url_for("coordinate.survey", survey_id=survey.id), code=303)


@bp.post("/surveys/<int:survey_id>/unassign/<int:user_id>")
def survey_unassign(survey_id: int, user_id: int) -> Any:
    me = _me()
    require_admin(me)
    s = session()
    survey = survey_or_404(s, me, survey_id)
    if not _action():
        return _refused_csrf()
    row = s.scalar(select(Assignment).where(Assignment.survey_id == survey.id, Assignment.user_id == user_id))
    if row is None:
        abort(404)
    user = s.get(User, user_id)
    s.delete(row)
    audit.record(s, me.username, "unassign coordinator", f"{user.username if user else user_id} from {survey.title}")
    s.commit()
    return redirect(url_for("coordinate.survey", survey_id=survey.id), code=303)


@bp.post("/surveys/<int:survey_id>/export")
def survey_export(survey_id: int) -> Any:
    """The same file as `flask --app wsgi export`, once no count in it is below k."""
    me = _me()
    s = session()
    survey = survey_or_404(s, me, survey_id)
    if not _action():
        return _refused_csrf()
    if not counts.export_allowed(s, survey):
        return render_template("console/error.html", title=gettext("Not yet"),
                               message=gettext("The export opens when the survey and each of its links have at least %(k)d responses (or none).",
                                               k=counts.threshold())), 409
    q = current_app.extensions["questionnaires"][survey.questionnaire_key]
    # Ciphertexts only; spooled in memory up to 32 MiB before a private temp file is used.
    out = tempfile.SpooledTemporaryFile(max_size=32 * 1024 * 1024)
    write_export(s, survey, q, out)
    audit.record(s, me.username, "export", survey.title)
    s.commit()
    out.seek(0)
    return send_file(out, mimetype="application/x-ndjson", as_attachment=True,
                     download_name=f"survey-{survey.uid}.export.jsonl")


@bp.get("/surveys/<int:survey_id>/counts.csv")
def survey_counts(survey_id: int) -> Any:
    """Counts per link as a spreadsheet, with the same "fewer than k" rule as the pages."""
    s = session()
    survey = survey_or_404(s, _me(), survey_id)
    per_link = counts.per_link(s, survey)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([gettext("Link"), gettext("Responses")])
    for link in sorted(survey.links, key=lambda l: l.id):
        writer.writerow([_csv_safe(link.label), str(per_link[link.id])])
    writer.writerow([gettext("All links"), str(counts.per_survey(s, [survey])[survey.id])])
    return Response(out.getvalue(), mimetype="text/csv",
                    headers={"Content-Disposition": f"attachment; filename=survey-{survey.uid}-counts.csv"})


def _csv_safe(text: str) -> str:
    """Labels are staff-typed, but still never start a spreadsheet formula."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


# -- links ----------------------------------------------------------------------------------------

@bp.post("/surveys/<int:survey_id>/links")
def link_new(survey_id: int) -> Any:
    me = _me()
    s = session()
    survey = survey_or_404(s, me, survey_id)
    form = _link_form(request.form)
    if not form.validate():
        if form.csrf_token.errors:
            return _refused_csrf()
        return _render_survey(survey, form, 400)
    link = create_link(s, survey, form.label.data or "", expires_on=form.expires_on.data,
                       response_cap=form.response_cap.data, requires_code=bool(form.requires_code.data))
    audit.record(s, me.username, "create link", f"{link.label} in {survey.title}")
    s.commit()
    return redirect(url_for("coordinate.survey", survey_id=survey.id, _anchor=f"link-{link.id}"), code=303)


@bp.post("/links/<int:link_id>/revoke")
def link_revoke(link_id: int) -> Any:
    me = _me()
    s = session()
    link = link_or_404(s, me, link_id)
    if not _action():
        return _refused_csrf()
    link.revoked = True
    audit.record(s, me.username, "revoke link", f"{link.label} in {link.survey.title}")
    s.commit()
    return redirect(url_for("coordinate.survey", survey_id=link.survey_id), code=303)


@bp.get("/links/<int:link_id>/qr.svg")
def link_qr(link_id: int) -> Any:
    link = link_or_404(session(), _me(), link_id)
    return Response(qr.svg(qr.respondent_url(link), title=gettext("QR code of the survey link")),
                    mimetype="image/svg+xml")


def _flyer_lang(survey: Survey) -> str:
    wanted = request.args.get("lang", "")
    offered = survey.language_list or ["en"]
    return wanted if wanted in offered else offered[0]


@bp.get("/links/<int:link_id>/flyer")
def link_flyer(link_id: int) -> Any:
    link = link_or_404(session(), _me(), link_id)
    lang = _flyer_lang(link.survey)
    size = request.args.get("size", "a4")
    size = size if size in ("a4", "a5") else "a4"
    url = qr.respondent_url(link)
    with force_locale(lang):
        invitation = {
            "heading": gettext("Your experience counts"),
            "body": gettext("Answer a short anonymous survey about stigma and access to services. "
                            "Your answers are encrypted, and no one can see who answered."),
            "scan": gettext("Scan the code with your phone camera, or type this address:"),
            "code": gettext("You will need a one-time code: ask the person who gave you this flyer."),
        }
    return render_template("console/flyer.html", link=link, survey=link.survey, url=url, lang=lang, size=size,
                           invitation=invitation, language_names=LANGUAGES)


@bp.route("/links/<int:link_id>/codes", methods=["GET", "POST"])
def link_codes(link_id: int) -> Any:
    """Generate one-time codes; they are shown once, on a sheet to print and cut, and never again."""
    me = _me()
    s = session()
    link = link_or_404(s, me, link_id)
    form = CodesForm(request.form if request.method == "POST" else None)
    if request.method == "POST":
        if not form.validate():
            if form.csrf_token.errors:
                return _refused_csrf()
            return render_template("console/codes.html", link=link, form=form, codes=None), 400
        codes = access_codes.generate(s, current_app.config["SECRET_KEY"], link, int(form.count.data or 0))
        if not link.requires_code:
            link.requires_code = True
        audit.record(s, me.username, "generate codes", f"{len(codes)} for {link.label} in {link.survey.title}")
        s.commit()
        lang = _flyer_lang(link.survey)
        with force_locale(lang):
            slip = {"title": gettext("Your one-time code"),
                    "hint": gettext("Open the address below and enter this code. It works once.")}
        return render_template("console/codes.html", link=link, form=form, codes=codes, url=qr.respondent_url(link),
                               slip=slip, lang=lang)
    made, used = access_codes.tally(s, link)
    return render_template("console/codes.html", link=link, form=form, codes=None, made=made,
                           used=counts.shown(used))


# -- accounts (admin) -----------------------------------------------------------------------------

@bp.route("/users", methods=["GET", "POST"])
def users() -> Any:
    me = _me()
    require_admin(me)
    s = session()
    form = UserForm(request.form if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        if form.validate():
            if auth.find_user(s, form.username.data or "") is not None:
                form.username.errors = [gettext("This account name is taken.")]
                status = 400
            else:
                user = auth.create_user(s, form.username.data or "", form.new.data or "", bool(form.is_admin.data))
                audit.record(s, me.username, "create account", f"{user.username}{' (admin)' if user.is_admin else ''}")
                s.commit()
                flash(gettext("Account %(name)s created.", name=user.username))
                return redirect(url_for("coordinate.users"), code=303)
        elif form.csrf_token.errors:
            return _refused_csrf()
        else:
            status = 400
    accounts = list(s.scalars(select(User).order_by(User.username)))
    return render_template("console/users.html", form=form, accounts=accounts, action=ActionForm()), status


def _set_active(user_id: int, active: bool) -> Any:
    me = _me()
    require_admin(me)
    s = session()
    if not _action():
        return _refused_csrf()
    user = s.get(User, user_id)
    if user is None:
        abort(404)
    if user.id == me.id:
        abort(403)
    user.is_active = active
    user.session_epoch = (user.session_epoch or 0) + 1  # any open session of the account ends now
    audit.record(s, me.username, "enable account" if active else "disable account", user.username)
    s.commit()
    return redirect(url_for("coordinate.users"), code=303)


@bp.post("/users/<int:user_id>/disable")
def user_disable(user_id: int) -> Any:
    return _set_active(user_id, False)


@bp.post("/users/<int:user_id>/enable")
def user_enable(user_id: int) -> Any:
    return _set_active(user_id, True)


@bp.get("/audit")
def audit_log() -> Any:
    me = _me()
    require_admin(me)
    return render_template("console/audit.html", entries=audit.recent(session()))
