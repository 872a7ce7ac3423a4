"""Console: making and revoking links, their QR codes and flyers, and one-time codes."""

from __future__ import annotations

from typing import Any

from flask import Response, current_app, flash, render_template, request, url_for
from flask_babel import force_locale, gettext

from survey.core.languages import LANGUAGES
from survey.server import counts, one_time_codes, qr
from survey.server.console.blueprint import bp
from survey.server.console.common import Confirmation, done, my_link, my_survey, record, refused_csrf, unconfirmed
from survey.server.console.forms import CodesForm
from survey.server.console.survey_views import link_form, render_survey
from survey.server.database import session
from survey.server.models import Link, Survey
from survey.server.surveys import create_link


@bp.post("/surveys/<id:survey_id>/links")
def link_new(survey_id: int) -> Any:
    survey = my_survey(survey_id)
    form = link_form(request.form)
    if not form.validate():
        if form.csrf_token.errors:
            return refused_csrf()
        return render_survey(survey, form, 400)
    link = create_link(session(), survey, form.label.data or "", expires_on=form.expires_on.data,
                       response_cap=form.response_cap.data, requires_code=bool(form.requires_code.data))
    return done("create link", f"{link.label} in {survey.title}", "console.survey",
                survey_id=survey.id, _anchor=f"link-{link.id}")


def _revoke_page(link: Link) -> Confirmation:
    """What revoking ``link`` stops. Codes are counted as made, used or not: how many are unused
    would tell how many were used, a count of responses the console never shows below k."""
    made, _used = one_time_codes.tally(session(), link)
    happens = [gettext("Every flyer, poster and QR code printed for this link stops working, and so does its "
                       "address wherever it was shared: people who open it are told it is no longer in use."),
               gettext("The responses already received through it stay, and the export for the analyst still "
                       "holds them.")]
    if made:
        happens.insert(1, gettext("The one-time codes made for this link (%(n)d, used or not) stop working: "
                                  "slips not yet handed out become useless.", n=made))
    return Confirmation(
        title=gettext("Revoke the link “%(label)s”?", label=link.label),
        happens=happens,
        undo=gettext("This cannot be undone. To reach people again, make a new link and print new flyers."),
        button=gettext("Revoke link"),
        action=url_for("console.link_revoke", link_id=link.id),
        cancel=url_for("console.survey", survey_id=link.survey_id, _anchor=f"link-{link.id}"),
    )


@bp.route("/links/<id:link_id>/revoke", methods=["GET", "POST"])
def link_revoke(link_id: int) -> Any:
    link = my_link(link_id)
    if (answer := unconfirmed(_revoke_page(link))) is not None:
        return answer
    link.revoked = True
    response = done("revoke link", f"{link.label} in {link.survey.title}", "console.survey", survey_id=link.survey_id)
    flash(gettext("The link “%(label)s” is revoked.", label=link.label))
    return response


@bp.get("/links/<id:link_id>/qr.svg")
def link_qr(link_id: int) -> Any:
    link = my_link(link_id)
    return Response(qr.svg(qr.respondent_url(link), title=gettext("QR code of the survey link")),
                    mimetype="image/svg+xml")


def _print_language(survey: Survey) -> str:
    """The language a flyer or slip is printed in: ``?lang=`` if the survey offers it."""
    wanted = request.args.get("lang", "")
    offered = survey.language_list or ["en"]
    return wanted if wanted in offered else offered[0]


@bp.get("/links/<id:link_id>/flyer")
def link_flyer(link_id: int) -> Any:
    link = my_link(link_id)
    lang = _print_language(link.survey)
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


@bp.route("/links/<id:link_id>/codes", methods=["GET", "POST"])
def link_codes(link_id: int) -> Any:
    """Generate one-time codes; they are shown once, on a sheet to print and cut, and never again."""
    s = session()
    link = my_link(link_id)
    form = CodesForm(request.form if request.method == "POST" else None)
    if request.method == "POST":
        if not form.validate():
            if form.csrf_token.errors:
                return refused_csrf()
            return render_template("console/codes.html", link=link, form=form, codes=None), 400
        codes = one_time_codes.generate(s, current_app.config["SECRET_KEY"], link, int(form.count.data or 0))
        link.requires_code = True
        record("generate codes", f"{len(codes)} for {link.label} in {link.survey.title}")  # shown once, here
        lang = _print_language(link.survey)
        with force_locale(lang):
            slip = {"title": gettext("Your one-time code"),
                    "hint": gettext("Open the address below and enter this code. It works once.")}
        return render_template("console/codes.html", link=link, form=form, codes=codes, url=qr.respondent_url(link),
                               slip=slip, lang=lang)
    # No tally of codes used: it counts the responses that came with a code, and beside the
    # link's count it would give away how many came before codes were required. The link's own
    # figure, protected with the rest of the survey's (survey.server.counts), stands instead.
    made, _used = one_time_codes.tally(s, link)
    return render_template("console/codes.html", link=link, form=form, codes=None, made=made,
                           responses=counts.survey_counts(s, link.survey).links[link.id])
