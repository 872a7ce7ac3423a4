"""A WTForms form built from a questionnaire definition, and its data turned into answers.

The same rendered markup serves respondents without JavaScript (posted as is) and with it
(enhanced by the sealing script); validation messages live here once."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask_babel import get_locale, gettext, lazy_gettext
from wtforms import BooleanField, Form, RadioField, SelectMultipleField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.widgets import CheckboxInput, ListWidget

from survey.core.languages import sort_key
from survey.core.questionnaire import (
    CHOICE,
    CONSTRAINT,
    LENGTH,
    NUMBER,
    PNTS_ALONE,
    PREFER_NOT_TO_SAY,
    RANGE,
    REQUIRED,
    RESERVED,
    AnswerError,
    Answers,
    EntryRefused,
    Question,
    Questionnaire,
    read_entry,
)
from survey.server.questionnaire_texts import respondent_translator

PNTS_SUFFIX = "__pnts"

#: The words for each kind of problem (survey.core.questionnaire), on both paths: the server
#: shows them next to the field, the browser gets them as the question's data-msg-<kind>.
MESSAGES = {
    REQUIRED: lazy_gettext("Answer this question, or choose “Prefer not to say”."),
    CHOICE: lazy_gettext("Choose one of the options."),
    NUMBER: lazy_gettext("Enter a whole number, like 42."),
    RANGE: lazy_gettext("Enter a number from %(min)s to %(max)s."),
    LENGTH: lazy_gettext("Use %(max)s characters or fewer."),
    PNTS_ALONE: lazy_gettext("Choose “Prefer not to say” on its own, or the other answers without it."),
    RESERVED: lazy_gettext("Please write this answer in other words: this exact text cannot be stored."),
    #: For a constraint without its own constraint_message.
    CONSTRAINT: lazy_gettext("Check this answer: the survey cannot take it as it is."),
}


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def _pnts_label() -> str:
    return gettext("Prefer not to say")


def build_form_class(q: Questionnaire, translate: Callable[[str], str] = gettext, lang: str = "en") -> type[Form]:
    """A Form subclass with one field per question (plus a prefer-not-to-say box where needed).
    The fields only render and carry what was posted: what it means, and what is refused, is
    :func:`answers_from_form`'s job, by the rules of survey.core.questionnaire."""
    class QuestionnaireForm(Form):
        pass

    for question in q.questions():
        for name, field in _fields_for(question, translate, lang):
            setattr(QuestionnaireForm, name, field)
    return QuestionnaireForm


def _choices(question: Question, t: Callable[[str], str], lang: str) -> list[SelectChoice]:
    """The options in the respondent's language; with ``sort_options``, in its alphabetical order
    (options marked ``last`` stay at the end, as the definition orders them)."""
    if question.type == "scale":
        choices = [(False, SelectChoice(code, t(text))) for code, text in question.choices()]
    else:
        choices = [(o.last, SelectChoice(o.code, t(o.label))) for o in question.options]
    if question.sort_options:
        head = sorted((c for last, c in choices if not last), key=lambda c: sort_key(c.label, lang))
        ordered = head + [c for last, c in choices if last]
    else:
        ordered = [c for _last, c in choices]
    if question.prefer_not_to_say:
        ordered.append(SelectChoice(PREFER_NOT_TO_SAY, _pnts_label()))
    return ordered


def _fields_for(question: Question, t: Callable[[str], str], lang: str) -> list[tuple[str, Any]]:
    label = t(question.text)
    description = t(question.help) if question.help else ""
    render = {"autocomplete": "off"}
    if question.type in ("single", "scale"):
        return [(question.code, RadioField(
            label, choices=_choices(question, t, lang), description=description, render_kw=render, validate_choice=False,
        ))]
    if question.type == "multiple":
        return [(question.code, MultiCheckboxField(
            label, choices=_choices(question, t, lang), description=description, render_kw=render, validate_choice=False,
        ))]
    # A number is typed as text (inputmode numeric): what was typed reaches the server as typed,
    # so both paths refuse "thirty" with the same words (a type=number field would send nothing).
    extra = {"inputmode": "numeric"} if question.type == "number" else {"spellcheck": "false"}
    fields: list[tuple[str, Any]] = [
        (question.code, StringField(label, description=description, render_kw={**render, **extra}))
    ]
    if question.prefer_not_to_say:
        fields.append((question.code + PNTS_SUFFIX, BooleanField(_pnts_label(), render_kw=render)))
    return fields


def question_messages(question: Question, translate: Callable[[str], str] = gettext) -> dict[str, str]:
    """The messages validation can give this question, worded exactly as the server words them.
    Rendered as ``data-msg-*`` attributes so the script shows the same words as the server.
    ``translate`` shows the definition's own texts (the constraint's message)."""
    out: dict[str, str] = {CHOICE: str(MESSAGES[CHOICE])} if question.type in ("single", "scale", "multiple") else {}
    if question.required:
        out[REQUIRED] = str(MESSAGES[REQUIRED])
    if question.prefer_not_to_say:
        out[PNTS_ALONE] = str(MESSAGES[PNTS_ALONE])
    if question.type == "number":
        out[NUMBER] = str(MESSAGES[NUMBER])
        out[RANGE] = str(MESSAGES[RANGE]) % {"min": question.minimum, "max": question.maximum}
    if question.type == "text":
        out[LENGTH] = str(MESSAGES[LENGTH]) % {"min": -1, "max": question.max_length}
        out[RESERVED] = str(MESSAGES[RESERVED])
    if question.constraint is not None:
        out[CONSTRAINT] = translate(question.constraint_message) if question.constraint_message else str(MESSAGES[CONSTRAINT])
    return out


def field_names(form: Form) -> set[str]:
    return set(form._fields)


def _posted(field: Any) -> list[str]:
    return [str(v) for v in (field.raw_data or [])]


def answers_from_form(q: Questionnaire, form: Form) -> Answers:
    """Turn a posted form into answers by the rules of survey.core.questionnaire (read_entry,
    then validate_answers). Adds messages to the form's fields and raises AnswerError when
    something does not fit."""
    raw: dict[str, Any] = {}
    kinds: dict[str, str] = {}
    for question in q.questions():
        posted = _posted(form[question.code])
        pnts_field = form._fields.get(question.code + PNTS_SUFFIX)
        try:
            if question.type in ("single", "scale", "multiple"):
                value = read_entry(question, chosen=posted)
            else:
                value = read_entry(question, text=posted[0] if posted else "", pnts=bool(pnts_field and pnts_field.data))
        except EntryRefused as exc:
            kinds[question.code] = exc.kind
            continue
        if value is not None:
            raw[question.code] = value
    # A question whose condition is false was not meant for this respondent: without
    # JavaScript every question is on the page, so its answer (or mistake) is dropped.
    for code in q.not_shown(raw):
        raw.pop(code, None)
        kinds.pop(code, None)
    try:
        answers = q.validate_answers(raw)
    except AnswerError as exc:
        kinds.update({k: v for k, v in exc.kinds.items() if k not in kinds})
    if kinds:
        problems = {}
        for code, kind in kinds.items():
            messages = question_messages(q.question(code), respondent_translator(q, str(get_locale())))
            problems[code] = messages.get(kind, str(MESSAGES[CHOICE]))
            form[code].errors = [*form[code].errors, problems[code]]
        raise AnswerError(problems, kinds)
    return answers


__all__ = ["build_form_class", "answers_from_form", "field_names", "question_messages", "PNTS_SUFFIX", "MESSAGES"]
