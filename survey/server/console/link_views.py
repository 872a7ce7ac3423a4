"""Console: making and revoking links (what is printed for them: survey.server.console.paper_views)."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, request, url_for
from flask_babel import gettext

from survey.server import one_time_codes
from survey.server.console.blueprint import bp
from survey.server.console.common import Confirmation, done, my_link, my_survey, refused_csrf, unconfirmed
from survey.server.console.survey_views import link_form, render_survey
from survey.server.database import session
from survey.server.models import Link
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
    if link.revoked:  # nothing to confirm
        return redirect(url_for("console.survey", survey_id=link.survey_id, _anchor=f"link-{link.id}"), code=303)
    if (answer := unconfirmed(_revoke_page(link))) is not None:
        return answer
    link.revoked = True
    response = done("revoke link", f"{link.label} in {link.survey.title}", "console.survey", survey_id=link.survey_id)
    flash(gettext("The link “%(label)s” is revoked.", label=link.label))
    return response
