"""Console: questionnaires imported from XLSForms (admins only).

Upload an XLSForm (stored as a draft, the next version of its ``form_id``), preview it in each of
its languages, publish it (new surveys may then use it), and mark each imported language reviewed
once a native speaker has checked it. What the import refuses is listed by sheet, row and column.
"""

from __future__ import annotations

from typing import Any

from flask import Response, abort, render_template, request
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from werkzeug.datastructures import CombinedMultiDict
from werkzeug.exceptions import RequestEntityTooLarge
from wtforms import FileField, HiddenField
from wtforms.validators import AnyOf, InputRequired

from survey.core.languages import LANGUAGES, text_direction
from survey.server import questionnaire_store as store
from survey.server.console.blueprint import bp
from survey.server.console.common import admin_only, done, one_button, refused_csrf
from survey.server.console.forms import ActionForm, ConsoleForm
from survey.server.database import session
from survey.server.questionnaire_texts import translations_for
from survey.server.questionnaire_xlsform import xlsform_file
from survey.server.xlsform_import import FormRefused, read_xlsform
from survey.server.xlsform_limits import MAX_FORM_BYTES


class QuestionnaireUploadForm(ConsoleForm):
    file = FileField(_l("XLSForm file (.xlsx)"), validators=[InputRequired()])


class ReviewLanguageForm(ConsoleForm):
    lang = HiddenField(validators=[AnyOf(list(LANGUAGES))])


def _page(form: QuestionnaireUploadForm | None = None, problems: list[str] | None = None,
          status: int = 200) -> tuple[str, int]:
    reg = store.registry()
    rows = []
    for key, texts, published in store.imported_list(session()):
        rows.append({"key": key, "q": reg[key], "texts": texts, "published": published})
    builtin = sorted(reg.builtin)
    return render_template("console/questionnaires.html", form=form or QuestionnaireUploadForm(), rows=rows,
                           builtin=builtin, problems=problems or [], languages=LANGUAGES), status


@bp.get("/questionnaires")
@admin_only
def questionnaires() -> Any:
    return _page()


@bp.post("/questionnaires")
@admin_only
def questionnaire_upload() -> Any:
    request.max_content_length = MAX_FORM_BYTES + 64 * 1024  # this form only: an XLSForm, not an answer
    try:
        form = QuestionnaireUploadForm(CombinedMultiDict((request.files, request.form)))
    except RequestEntityTooLarge:
        return _page(problems=[gettext("The file is larger than %(mb)d MB.", mb=MAX_FORM_BYTES // 1024 // 1024)],
                     status=413)
    if not form.validate():
        if form.csrf_token.errors:
            return refused_csrf()
        return _page(form, status=400)
    data = form.file.data.read(MAX_FORM_BYTES + 1)
    try:
        stored = store.store_form(session(), read_xlsform(data), published=False)
    except FormRefused as exc:
        session().rollback()
        return _page(form, problems=exc.problems, status=400)
    return done("questionnaire import", stored.key, "console.questionnaire_preview", key=stored.key)


@bp.get("/questionnaires/<key>")
@admin_only
def questionnaire_preview(key: str) -> Any:
    reg = store.registry()
    texts = reg.texts(key)
    if texts is None:
        abort(404)
    q = reg[key]
    lang = request.args.get("lang", texts.language)
    if lang not in texts.languages:
        lang = texts.language
    shown = translations_for(q, [lang]).get(lang, {})

    def t(text: str) -> str:
        return shown.get(text, text)

    return render_template("console/questionnaire.html", q=q, key=key, texts=texts, lang=lang, t=t,
                           direction=text_direction(lang), languages=LANGUAGES, published=store.is_published(session(), key),
                           action=ActionForm(), review_form=ReviewLanguageForm(data={"lang": lang}))


@bp.get("/questionnaires/<key>/xlsform")
@admin_only
def questionnaire_xlsform(key: str) -> Any:
    """Any questionnaire, built in or imported, as an XLSForm in all its languages (for ODK, Kobo...)."""
    try:
        written = xlsform_file(key)
    except KeyError:
        abort(404)
    return Response(written.data, mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    headers={"Content-Disposition": f'attachment; filename="{written.name}"'})


@bp.post("/questionnaires/<key>/publish")
@admin_only
@one_button
def questionnaire_publish(key: str) -> Any:
    try:
        store.publish(session(), key)
    except KeyError:
        abort(404)
    return done("questionnaire publish", key, "console.questionnaire_preview", key=key)


@bp.post("/questionnaires/<key>/review")
@admin_only
def questionnaire_review(key: str) -> Any:
    form = ReviewLanguageForm(request.form)
    if not form.validate():
        return refused_csrf()
    lang = form.lang.data or ""
    try:
        store.mark_reviewed(session(), key, lang)
    except KeyError:
        abort(404)
    return done("questionnaire review", f"{key} {lang}", "console.questionnaire_preview", key=key, lang=lang)
