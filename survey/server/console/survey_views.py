"""Console: the list of surveys, one survey's page, opening and closing, assigning
coordinators, the encrypted export and the counts spreadsheet."""

from __future__ import annotations

import csv
import io
import tempfile
from typing import Any

from flask import Response, abort, current_app, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext
from sqlalchemy import select

from survey.core.envelope import format_key_id
from survey.core.languages import LANGUAGES
from survey.core.spreadsheet_cells import cell
from survey.server import counts, qr
from survey.server.console.blueprint import bp
from survey.server.console.common import (
    Confirmation,
    admin_only,
    ask,
    done,
    me,
    my_survey,
    one_button,
    questionnaire_name,
    record,
    refused_csrf,
    unconfirmed,
)
from survey.server.console.forms import ActionForm, AssignForm, LeavePageForm, LinkForm, PurgeForm, SurveyForm
from survey.server.console.permissions import visible_surveys
from survey.server.database import engine, session
from survey.server.language_reviews import language_choices
from survey.server.links import LinkState, link_state
from survey.server.models import Assignment, Survey, User
from survey.server.purge import PurgeRefused, Refusal, purge
from survey.server.survey_export import write_export
from survey.server.surveys import create_survey


@bp.get("/")
def index() -> Any:
    s = session()
    surveys = visible_surveys(s, me())
    return render_template("console/index.html", surveys=surveys, counts=counts.survey_totals(s, surveys),
                           action=ActionForm(), k=counts.threshold())


def _survey_form(data: Any = None) -> SurveyForm:
    form = SurveyForm(data)
    questionnaires = current_app.extensions["questionnaires"]
    form.questionnaire.choices = [(key, questionnaire_name(key)) for key in sorted(questionnaires)]
    keyring = current_app.extensions["keyring"]
    form.demo_key_ids = frozenset(keyring.demo_ids())
    form.key_id.choices = [
        (kid, gettext("%(key_id)s (DEMO key, private half published)", key_id=format_key_id(kid))
         if kid in form.demo_key_ids else format_key_id(kid))
        for kid in keyring.ids()
    ]
    form.languages.choices = language_choices()  # own name and review status
    if data is None:
        form.languages.data = ["en"]
    return form


@bp.route("/surveys/new", methods=["GET", "POST"])
@admin_only
def survey_new() -> Any:
    form = _survey_form(request.form if request.method == "POST" else None)
    if request.method == "POST":
        if form.validate():
            q = current_app.extensions["questionnaires"][form.questionnaire.data]
            survey = create_survey(session(), q, form.key_id.data or "", form.title.data or "",
                                   list(form.languages.data or []))
            survey.reviewed_languages_only = bool(form.reviewed_only.data)
            return done("create survey", f"{survey.title} ({q.key}, key {survey.key_id})",
                        "console.survey", survey_id=survey.id)
        if form.csrf_token.errors:
            return refused_csrf()
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
        select(User).join(Assignment, Assignment.user_id == User.id)
        .where(Assignment.survey_id == survey.id).order_by(User.username)
    ))


def link_form(data: Any = None) -> LinkForm:
    """The form that makes a new link, shown on the survey's page."""
    return LinkForm(data, threshold=counts.threshold())


def render_survey(survey: Survey, new_link_form: LinkForm | None = None, status: int = 200,
                  leave_form: LeavePageForm | None = None) -> tuple[str, int]:
    """The survey's page; ``new_link_form`` and ``leave_form`` carry a refused form back with its errors."""
    s = session()
    figures = counts.survey_counts(s, survey)
    return render_template(
        "console/survey.html",
        survey=survey,
        leave_form=(leave_form or LeavePageForm(data={"leave_url": survey.leave_url or ""})) if me().is_admin else None,
        key_id=format_key_id(survey.key_id),
        links=sorted(survey.links, key=lambda link: link.id),
        states={link.id: link_state(s, link) for link in survey.links},
        urls={link.id: qr.respondent_url(link) for link in survey.links},
        LinkState=LinkState,
        link_counts=figures.links,
        total=figures.total,
        link_form=new_link_form or link_form(),
        assign_form=_assign_form(survey) if me().is_admin else None,
        assigned=_assigned(survey),
        action=ActionForm(),
        export_allowed=figures.export_allowed,
        language_names=LANGUAGES,
        k=counts.threshold(),
    ), status


@bp.get("/surveys/<id:survey_id>")
def survey(survey_id: int) -> Any:
    return render_survey(my_survey(survey_id))


def _set_open(survey: Survey, is_open: bool) -> Any:
    survey.is_open = is_open
    return done("open survey" if is_open else "close survey", survey.title, "console.survey", survey_id=survey.id)


def _close_page(survey: Survey) -> Confirmation:
    return Confirmation(
        title=gettext("Close the survey “%(title)s”?", title=survey.title),
        happens=[
            gettext("Every link of this survey stops taking answers: people who open a flyer's QR code or "
                    "address are told the survey is closed, and nothing they send is stored."),
            gettext("The responses already received stay, and the export for the analyst still holds them."),
        ],
        undo=gettext("You can undo this: the survey's page then offers “Reopen survey”, and the same links "
                     "and flyers work again."),
        final=False,
        button=gettext("Close survey"),
        action=url_for("console.survey_close", survey_id=survey.id),
        cancel=url_for("console.survey", survey_id=survey.id),
    )


@bp.route("/surveys/<id:survey_id>/close", methods=["GET", "POST"])
def survey_close(survey_id: int) -> Any:
    survey = my_survey(survey_id)
    if not survey.is_open:  # nothing to confirm: back to the survey's page, which offers to reopen it
        return redirect(url_for("console.survey", survey_id=survey.id), code=303)
    if (answer := unconfirmed(_close_page(survey))) is not None:
        return answer
    response = _set_open(survey, False)
    flash(gettext("The survey is closed. To undo this, use “Reopen survey” below."))
    return response


@bp.post("/surveys/<id:survey_id>/open")
@one_button
def survey_open(survey_id: int) -> Any:
    return _set_open(my_survey(survey_id), True)


@bp.post("/surveys/<id:survey_id>/leave-page")
@admin_only
def survey_leave_page(survey_id: int) -> Any:
    survey = my_survey(survey_id)
    form = LeavePageForm(request.form)
    if not form.validate():
        if form.csrf_token.errors:
            return refused_csrf()
        return render_survey(survey, status=400, leave_form=form)
    survey.leave_url = form.leave_url.data or None
    return done("set leave page", f"{survey.title}: {survey.leave_url or 'default'}", "console.survey",
                survey_id=survey.id)


@bp.post("/surveys/<id:survey_id>/assign")
@admin_only
def survey_assign(survey_id: int) -> Any:
    survey = my_survey(survey_id)
    form = _assign_form(survey, request.form)
    if not form.validate():
        if form.csrf_token.errors:
            return refused_csrf()
        return redirect(url_for("console.survey", survey_id=survey.id), code=303)
    s = session()
    user = s.get(User, form.user_id.data)
    assert user is not None
    s.add(Assignment(user_id=user.id, survey_id=survey.id))
    return done("assign coordinator", f"{user.username} to {survey.title}", "console.survey", survey_id=survey.id)


@bp.post("/surveys/<id:survey_id>/unassign/<id:user_id>")
@admin_only
@one_button
def survey_unassign(survey_id: int, user_id: int) -> Any:
    survey = my_survey(survey_id)
    s = session()
    row = s.scalar(select(Assignment).where(Assignment.survey_id == survey.id, Assignment.user_id == user_id))
    if row is None:
        abort(404)
    user = s.get(User, user_id)
    s.delete(row)
    return done("unassign coordinator", f"{user.username if user else user_id} from {survey.title}",
                "console.survey", survey_id=survey.id)


@bp.route("/surveys/<id:survey_id>/export", methods=["GET", "POST"])
def survey_export(survey_id: int) -> Any:
    """GET: what the export is and how to hand it over, with its download button. POST: the file."""
    if request.method == "POST":
        return _export_file(survey_id)
    survey = my_survey(survey_id)
    return render_template("console/export.html", survey=survey, action=ActionForm(),
                           export_allowed=counts.export_allowed(session(), survey, counts.counted_before()),
                           k=counts.threshold(), key_id=format_key_id(survey.key_id))


@one_button
def _export_file(survey_id: int) -> Any:
    """The file of `flask --app wsgi export` with the responses the console counts (those that
    arrived before today), once every count in it is shown on the survey's page."""
    survey = my_survey(survey_id)
    s = session()
    day = counts.counted_before()
    if not counts.export_allowed(s, survey, day):
        return render_template("console/error.html", title=gettext("Not yet"),
                               message=gettext("The export opens once the total and every link's count are shown: "
                                               "each link needs at least %(k)d responses, counted up to yesterday.",
                                               k=counts.threshold())), 409
    q = current_app.extensions["questionnaires"][survey.questionnaire_key]
    # Ciphertexts only; spooled in memory up to 32 MiB before a private temp file is used.
    out = tempfile.SpooledTemporaryFile(max_size=32 * 1024 * 1024)
    write_export(s, survey, q, out, before=day)
    record("export", survey.title)
    out.seek(0)
    return send_file(out, mimetype="application/x-ndjson", as_attachment=True,
                     download_name=f"survey-{survey.uid}.export.jsonl")


def _purge_refusal(reason: Refusal) -> str:
    return {
        Refusal.OPEN: gettext("Close the survey first, so that no response arrives after the removal."),
        Refusal.NO_EXPORT: gettext("Download an export for the analyst first."),
        Refusal.OTHER_DIGEST: gettext("This is not the SHA-256 of this survey's latest export."),
        Refusal.NEWER_RESPONSES: gettext("Responses arrived after the latest export: "
                                         "download a new export for the analyst first."),
    }[reason]


def _purge_page(survey: Survey) -> Confirmation:
    return Confirmation(
        title=gettext("Remove the responses of “%(title)s” from the server?", title=survey.title),
        happens=[
            gettext("Every encrypted response of this survey is deleted from the server's database."),
            gettext("Only the export the analyst already holds keeps them. The counts and links stay."),
            gettext("Do this once the analyst has decrypted the latest export and checked it, with the survey "
                    "closed."),
        ],
        undo=gettext("This cannot be undone."),
        button=gettext("Remove the responses"),
        action=url_for("console.survey_purge", survey_id=survey.id),
        cancel=url_for("console.survey", survey_id=survey.id),
        fields=[("sha256", gettext("The analyst's tool prints it for each export it reads."))],
    )


@bp.route("/surveys/<id:survey_id>/purge", methods=["GET", "POST"])
@admin_only
def survey_purge(survey_id: int) -> Any:
    """Remove the survey's ciphertexts once the analyst confirmed its latest export (its SHA-256)."""
    survey = my_survey(survey_id)
    form = PurgeForm(request.form)
    if (answer := unconfirmed(_purge_page(survey), form)) is not None:
        return answer
    try:
        purge(session(), engine(), survey, form.sha256.data or "")
    except PurgeRefused as exc:
        form.sha256.errors = [_purge_refusal(exc.reason)]
        return ask(_purge_page(survey), form, 409)
    # No count in the audit entry: the audit log must not show a count below k either.
    return done("purge responses", f"{survey.title} (export sha256 {(survey.export_sha256 or '')[:16]}…)",
                "console.survey", survey_id=survey.id)


@bp.get("/surveys/<id:survey_id>/counts.csv")
def survey_counts(survey_id: int) -> Any:
    """Counts per link as a spreadsheet: the figures of the survey's page, no others."""
    s = session()
    survey = my_survey(survey_id)
    figures = counts.survey_counts(s, survey)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([gettext("Link"), gettext("Responses")])
    for link in sorted(survey.links, key=lambda link: link.id):
        writer.writerow([cell(link.label), str(figures.links[link.id])])
    writer.writerow([gettext("All links"), str(figures.total)])
    return Response(out.getvalue(), mimetype="text/csv",
                    headers={"Content-Disposition": f"attachment; filename=survey-{survey.uid}-counts.csv"})
