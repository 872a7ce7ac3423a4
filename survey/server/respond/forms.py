"""A WTForms form built from a questionnaire definition, and its data turned into answers.

The same rendered markup serves respondents without JavaScript (posted as is) and with it
(enhanced by the sealing script); validation messages live here once."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from flask_babel import gettext, lazy_gettext
from wtforms import BooleanField, Form, IntegerField, RadioField, SelectMultipleField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, NumberRange, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from survey.core.questionnaire import PREFER_NOT_TO_SAY, AnswerError, Answers, Question, Questionnaire

PNTS_SUFFIX = "__pnts"
_INTEGER = re.compile(r"-?[0-9]{1,9}")

MESSAGES = {
    "required": lazy_gettext("Answer this question, or choose “Prefer not to say”."),
    "choice": lazy_gettext("Choose one of the options."),
    "number": lazy_gettext("Enter a whole number, like 42."),
    "range": lazy_gettext("Enter a number from %(min)s to %(max)s."),
    "length": lazy_gettext("Use %(max)s characters or fewer."),
    "pnts_alone": lazy_gettext("Choose “Prefer not to say” on its own, or the other answers without it."),
    "condition": lazy_gettext("Leave this question empty: it only applies to another answer above."),
}


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class WholeNumberField(IntegerField):
    """An IntegerField whose parse error is our translated message."""

    def process_formdata(self, valuelist: list[Any]) -> None:
        if not valuelist or valuelist[0] in ("", None):
            self.data = None
            return
        text = str(valuelist[0]).strip()
        if not _INTEGER.fullmatch(text):
            self.data = None
            raise ValueError(str(MESSAGES["number"]))
        self.data = int(text)


def _pnts_label() -> str:
    return gettext("Prefer not to say")


def build_form_class(q: Questionnaire, translate: Callable[[str], str] = gettext) -> type[Form]:
    """A Form subclass with one field per question (plus a prefer-not-to-say box where needed)."""

    class QuestionnaireForm(Form):
        pass

    for question in q.questions():
        for name, field in _fields_for(question, translate):
            setattr(QuestionnaireForm, name, field)
    return QuestionnaireForm


def _fields_for(question: Question, t: Callable[[str], str]) -> list[tuple[str, Any]]:
    label = t(question.text)
    description = t(question.help) if question.help else ""
    conditional = question.show_if is not None
    presence = (
        [InputRequired(message=MESSAGES["required"])]
        if question.required and not conditional
        else [Optional()]
    )
    render = {"autocomplete": "off"}
    choices = [SelectChoice(code, t(text)) for code, text in question.choices()]
    if question.prefer_not_to_say and question.type in ("single", "scale", "multiple"):
        choices.append(SelectChoice(PREFER_NOT_TO_SAY, _pnts_label()))
    if question.type in ("single", "scale"):
        field = RadioField(
            label, choices=choices, validators=presence, description=description,
            render_kw=render, invalid_choice_message=MESSAGES["choice"],
        )
        return [(question.code, field)]
    if question.type == "multiple":
        field = MultiCheckboxField(
            label, choices=choices, validators=presence, description=description,
            render_kw=render, invalid_choice_message=lambda _n: str(MESSAGES["choice"]),
        )
        return [(question.code, field)]
    fields: list[tuple[str, Any]] = []
    if question.type == "number":
        fields.append((question.code, WholeNumberField(
            label,
            validators=[
                Optional(),
                NumberRange(question.minimum, question.maximum, message=MESSAGES["range"]),
            ],
            description=description,
            render_kw={**render, "inputmode": "numeric"},
        )))
    else:
        fields.append((question.code, StringField(
            label,
            validators=[Optional(), Length(max=question.max_length, message=MESSAGES["length"])],
            description=description,
            render_kw={**render, "spellcheck": "false"},
        )))
    if question.prefer_not_to_say:
        fields.append((question.code + PNTS_SUFFIX, BooleanField(_pnts_label(), render_kw=render)))
    return fields


def question_messages(question: Question) -> dict[str, str]:
    """The messages validation can give this question, worded exactly as the server words them.

    Rendered as ``data-msg-*`` attributes so the script shows the same words as the server."""
    out: dict[str, str] = {}
    if question.required:
        out["required"] = str(MESSAGES["required"])
    if question.prefer_not_to_say:
        out["pnts-alone"] = str(MESSAGES["pnts_alone"])
    if question.type == "number":
        out["number"] = str(MESSAGES["number"])
        out["range"] = str(MESSAGES["range"]) % {"min": question.minimum, "max": question.maximum}
    if question.type == "text":
        out["length"] = str(MESSAGES["length"]) % {"min": -1, "max": question.max_length}
    return out


def field_names(form: Form) -> set[str]:
    return set(form._fields)


def answers_from_form(q: Questionnaire, form: Form) -> Answers:
    """Turn a validated form into answers and check them against the definition.

    Adds messages to the form's fields and raises AnswerError when something does not fit
    (prefer-not-to-say mixed with answers, a required answer missing, a conditional question
    answered though its condition does not hold)."""
    raw: dict[str, Any] = {}
    problems: dict[str, str] = {}
    for question in q.questions():
        field = form[question.code]
        pnts_field = form._fields.get(question.code + PNTS_SUFFIX)
        value = field.data
        if question.type == "multiple":
            value = list(value or [])
            if PREFER_NOT_TO_SAY in value:
                if len(value) > 1:
                    problems[question.code] = str(MESSAGES["pnts_alone"])
                    continue
                value = PREFER_NOT_TO_SAY
            elif not value:
                value = None
        elif question.type == "scale" and value not in (None, "", PREFER_NOT_TO_SAY):
            value = int(value)
        elif question.type == "text":
            value = (value or "").strip() or None
        if value == "":
            value = None
        if pnts_field is not None and pnts_field.data:
            if value is not None:
                problems[question.code] = str(MESSAGES["pnts_alone"])
                continue
            value = PREFER_NOT_TO_SAY
        if value is not None:
            raw[question.code] = value
    # A question whose condition does not hold was not meant for this respondent: without
    # JavaScript every question is on the page, so drop such answers rather than refuse them.
    for question in q.questions():
        if question.show_if is not None and question.code in raw and not question.show_if.holds(raw):
            del raw[question.code]
    try:
        answers = q.validate_answers(raw)
    except AnswerError as exc:
        problems.update({k: _message_for(k, v) for k, v in exc.problems.items()})
    if problems:
        for code, message in problems.items():
            if code in form._fields:
                form[code].errors = [*form[code].errors, message]
        raise AnswerError(problems)
    return answers


def _message_for(code: str, problem: str) -> str:
    if "required" in problem:
        return str(MESSAGES["required"])
    return str(MESSAGES["choice"])


__all__ = ["build_form_class", "answers_from_form", "field_names", "question_messages", "PNTS_SUFFIX", "MESSAGES",
           "ValidationError"]
