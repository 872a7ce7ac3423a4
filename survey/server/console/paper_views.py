"""Console: what is printed for a link: its QR code, its flyer and one-time code slips.

Every printed address is the link's grouped form (survey.server.link_tokens), and every QR code
holds that address and nothing else: a one-time code is printed beside it, never inside it."""

from __future__ import annotations

from typing import Any

from flask import Response, current_app, render_template, request
from flask_babel import force_locale, gettext
from wtforms.fields.choices import SelectChoice

from survey.core.envelope import format_key_id
from survey.core.languages import LANGUAGES, text_direction
from survey.server import counts, one_time_codes, qr
from survey.server.console.blueprint import bp
from survey.server.console.common import done, my_link, record, refused_csrf
from survey.server.console.forms import CodesForm, FlyerForm
from survey.server.database import session
from survey.server.language_reviews import respondent_languages
from survey.server.models import Link, Survey


@bp.get("/links/<id:link_id>/qr.svg")
def link_qr(link_id: int) -> Any:
    link = my_link(link_id)
    return Response(qr.svg(qr.respondent_url(link), title=gettext("QR code of the survey link")),
                    mimetype="image/svg+xml")


def print_languages(survey: Survey) -> list[str]:
    """The languages a flyer or slip may be printed in: the survey's, as far as its respondents
    are offered them (a survey limited to reviewed languages prints in those only)."""
    offered = respondent_languages(survey)
    return [lang for lang in survey.language_list if lang in offered] or ["en"]


def _choices(survey: Survey) -> list[SelectChoice]:
    """Each language by its own name, marked as written in it (lang) for screen readers."""
    return [SelectChoice(code, LANGUAGES.get(code, code), {"lang": code}) for code in print_languages(survey)]


def _printed(lang: str, texts: dict[str, str]) -> dict[str, str]:
    """``texts`` with the language and direction they are printed in."""
    return {**texts, "lang": lang, "dir": text_direction(lang)}


def flyer_texts(link: Link, lang: str) -> dict[str, str]:
    """The flyer's words in ``lang`` (the coordinator's organisation and contact line as entered)."""
    with force_locale(lang):
        texts = {
            "heading": gettext("Your experience counts"),
            "body": gettext("Answer a short anonymous survey about stigma and access to services. "
                            "Your answers are encrypted, and no one can see who answered."),
            "promise": gettext("We never ask your name, and only the research team can read your answers."),
            "scan": gettext("Scan the code with your phone camera, or type this address:"),
            "code": gettext("You will need a one-time code: ask the person who gave you this flyer."),
            "key": gettext("Encryption key: %(key)s", key=format_key_id(link.survey.key_id)),
            "qr_alt": gettext("QR code of the survey link"),
        }
        if link.flyer_organisation:  # the name alone, as written: no sentence to decline it in
            texts["organisation"] = link.flyer_organisation
        if link.flyer_contact:
            texts["contact"] = gettext("Questions? %(contact)s", contact=link.flyer_contact)
    return _printed(lang, texts)


@bp.route("/links/<id:link_id>/flyer", methods=["GET", "POST"])
def link_flyer(link_id: int) -> Any:
    """The flyer: a small form (organisation, contact line, language, paper size), then the sheet."""
    link = my_link(link_id)
    if request.method == "POST":
        form = FlyerForm(request.form)
        form.lang.choices = _choices(link.survey)
        if not form.validate():
            if form.csrf_token.errors:
                return refused_csrf()
            return _flyer_page(link, form, 400)
        link.flyer_organisation = form.organisation.data or None
        link.flyer_contact = form.contact.data or None
        return done("set flyer details", f"{link.label} in {link.survey.title}", "console.link_flyer",
                    link_id=link.id, lang=form.lang.data, size=form.size.data, _anchor="flyer")
    form = FlyerForm(data={"organisation": link.flyer_organisation or "", "contact": link.flyer_contact or "",
                           "lang": request.args.get("lang", ""), "size": request.args.get("size", "a4")})
    form.lang.choices = _choices(link.survey)
    offered = print_languages(link.survey)
    if form.lang.data not in offered:
        form.lang.data = offered[0]
    if form.size.data not in ("a4", "a5"):
        form.size.data = "a4"
    return _flyer_page(link, form)


def _flyer_page(link: Link, form: FlyerForm, status: int = 200) -> tuple[str, int]:
    offered = print_languages(link.survey)
    lang = form.lang.data if form.lang.data in offered else offered[0]
    size = form.size.data if form.size.data in ("a4", "a5") else "a4"
    return render_template("console/flyer.html", link=link, survey=link.survey, url=qr.respondent_url(link),
                           form=form, lang=lang, size=size, flyer=flyer_texts(link, lang)), status


def slip_texts(lang: str) -> dict[str, str]:
    with force_locale(lang):
        return _printed(lang, {"title": gettext("Your one-time code"),
                               "hint": gettext("Scan the QR code or open the address below, then enter this code. "
                                               "It works once.")})


def _codes_form(link: Link) -> CodesForm:
    form = CodesForm(request.form if request.method == "POST" else None)
    form.lang.choices = _choices(link.survey)
    form.lang2.choices = [SelectChoice("", gettext("None")), *_choices(link.survey)]
    return form


@bp.route("/links/<id:link_id>/codes", methods=["GET", "POST"])
def link_codes(link_id: int) -> Any:
    """Generate one-time codes; they are shown once, on a sheet of slips to print and cut, and
    never again. Each slip: the link's QR code, its address, the code apart from both, and the
    words in one or two languages the coordinator picks."""
    s = session()
    link = my_link(link_id)
    form = _codes_form(link)
    if request.method == "POST":
        if not form.validate():
            if form.csrf_token.errors:
                return refused_csrf()
            return render_template("console/codes.html", link=link, form=form, codes=None), 400
        codes = one_time_codes.generate(s, current_app.config["SECRET_KEY"], link, int(form.count.data or 0))
        link.requires_code = True
        record("generate codes", f"{len(codes)} for {link.label} in {link.survey.title}")  # shown once, here
        langs = list(dict.fromkeys(code for code in (form.lang.data, form.lang2.data) if code))
        return render_template("console/codes.html", link=link, form=form, codes=codes, url=qr.respondent_url(link),
                               slips=[slip_texts(lang) for lang in langs])
    # No tally of codes used: it counts the responses that came with a code, and beside the
    # link's count it would give away how many came before codes were required. The link's own
    # figure, protected with the rest of the survey's (survey.server.counts), stands instead.
    made, _used = one_time_codes.tally(s, link)
    return render_template("console/codes.html", link=link, form=form, codes=None, made=made,
                           responses=counts.survey_counts(s, link.survey).links[link.id])
