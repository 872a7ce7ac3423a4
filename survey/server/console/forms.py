"""Console forms: plain WTForms with session-bound CSRF tokens on every one of them."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from flask import current_app, session
from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateField,
    Form,
    HiddenField,
    IntegerField,
    PasswordField,
    SelectField,
    SelectMultipleField,
    StringField,
)
from wtforms.csrf.session import SessionCSRF
from wtforms.fields.choices import SelectChoice
from wtforms.validators import AnyOf, DataRequired, EqualTo, InputRequired, Length, NumberRange, Optional, Regexp, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from survey.server.console.form_messages import TRANSLATIONS, ConsoleTranslations
from survey.server.database import INTEGER_MAX, NUL
from survey.server.one_time_codes import MAX_BATCH
from survey.server.staff_auth import MIN_PASSWORD


class ConsoleForm(Form):
    """Every console form, including one-button actions, carries a CSRF token tied to the session."""

    class Meta:
        csrf = True
        csrf_class = SessionCSRF
        csrf_time_limit = dt.timedelta(hours=8)

        @property
        def csrf_secret(self) -> bytes:
            return current_app.config["SECRET_KEY"].encode()

        @property
        def csrf_context(self) -> Any:
            return session

        def get_translations(self, form: Form) -> ConsoleTranslations:
            return TRANSLATIONS  # WTForms' own messages in the console's language (form_messages.py)


class ActionForm(ConsoleForm):
    """A button that changes something: only the CSRF token."""


class ConfirmForm(ConsoleForm):
    """The button of a confirmation page (templates/console/confirm.html): the CSRF token and
    ``confirm=yes``, which only that page sends, so a POST from anywhere else (an old one-button
    form, a stray request) changes nothing and gets the confirmation page instead."""

    #: No default: a POST without it must fail (the page renders it with ``value="yes"``).
    confirm = HiddenField(validators=[AnyOf(["yes"])])


class LanguageForm(ConsoleForm):
    """The console's language switcher (survey.server.console.language_views): the language and
    the console page to go back to. The choices are set by the view, from the server's catalogs."""

    lang = SelectField(_l("Language of the console"), validators=[InputRequired()])
    next = HiddenField()


class ReviewedLanguagesForm(ConsoleForm):
    """A survey's setting: offer respondents only reviewed languages (or every language)."""

    reviewed_only = BooleanField(_l("Offer respondents only the languages a native speaker has reviewed"))


class LoginForm(ConsoleForm):
    username = StringField(_l("Account name"), validators=[InputRequired(), Length(max=80)],
                           render_kw={"autocomplete": "username", "autocapitalize": "none", "spellcheck": "false"})
    password = PasswordField(_l("Password"), validators=[InputRequired(), Length(max=200)],
                             render_kw={"autocomplete": "current-password"})


def _new_password() -> PasswordField:
    return PasswordField(_l("New password"),
                         validators=[InputRequired(), Length(min=MIN_PASSWORD, max=200,
                                     message=_l("Use between %(min)d and %(max)d characters."))],
                         render_kw={"autocomplete": "new-password"})


class PasswordChangeForm(ConsoleForm):
    current = PasswordField(_l("Current password"), validators=[InputRequired()],
                            render_kw={"autocomplete": "current-password"})
    new = _new_password()
    repeat = PasswordField(_l("New password again"),
                           validators=[InputRequired(), EqualTo("new", message=_l("The two new passwords differ."))],
                           render_kw={"autocomplete": "new-password"})


#: A whole number of at most 12 digits: enough for any Integer column (10 digits), and short enough
#: that no validator overflows on it.
_WHOLE_NUMBER = re.compile(r"\s*[+-]?[0-9]{1,12}\s*")


class BoundedIntegerField(IntegerField):
    """An IntegerField that refuses a number of more than 12 digits as not a number, before any
    validator sees it: WTForms' NumberRange turns the value into a float, and a 400-digit number
    overflows there (a 500 instead of a form error). The message is the respondent form's, so it
    is translated (WTForms' own is not)."""

    def process_formdata(self, valuelist: list[Any]) -> None:
        if valuelist and valuelist[0] not in ("", None) and not _WHOLE_NUMBER.fullmatch(str(valuelist[0])):
            self.data = None
            raise ValueError(str(_l("Enter a whole number, like 42.")))
        super().process_formdata(valuelist)


def _without_nul(text: str | None) -> str | None:
    """Drop NUL characters from free text before it is stored (PostgreSQL text cannot hold them)."""
    return text.replace(NUL, "") if text else text


class UserForm(ConsoleForm):
    username = StringField(_l("Account name"), validators=[
        InputRequired(), Length(min=2, max=80),
        Regexp(r"^[A-Za-z0-9._-]+$", message=_l("Use letters, digits, dots, dashes and underscores only."))],
        render_kw={"autocomplete": "off", "autocapitalize": "none", "spellcheck": "false"})
    new = _new_password()
    is_admin = BooleanField(_l("Administrator (can create accounts and surveys)"))


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class SurveyForm(ConsoleForm):
    title = StringField(_l("Title (seen by staff only)"), validators=[InputRequired(), Length(max=200)],
                        filters=[_without_nul])
    questionnaire = SelectField(_l("Questionnaire"), validators=[InputRequired()])
    key_id = SelectField(_l("Analyst public key"), validators=[InputRequired()])
    languages = MultiCheckboxField(_l("Languages offered to respondents"),
                                   validators=[DataRequired(message=_l("Choose at least one language."))])
    reviewed_only = BooleanField(_l("Offer respondents only the languages a native speaker has reviewed"))
    demo_ack = BooleanField(_l("I understand this is a demo: anyone can read answers sealed to this key."))
    #: The ids of demo keys in keys/ (set by the view, see demo_key.py): a survey on one needs demo_ack.
    demo_key_ids: frozenset[str] = frozenset()

    def validate_demo_ack(self, field: BooleanField) -> None:
        if self.key_id.data in self.demo_key_ids and not field.data:
            raise ValidationError(_l("This key is a demo key. Tick the box to confirm that this survey is only a "
                                     "demo, or choose another key."))


class LeavePageForm(ConsoleForm):
    """Where "Leave quickly" goes for this survey's respondents: a page that is plain, light and
    common where they are; empty for the default (Wikipedia's mobile site in their language)."""

    leave_url = StringField(
        _l("The page “Leave quickly” opens (empty: a plain page in the respondent's language)"),
        validators=[Optional(), Length(max=300, message=_l("Use an address of at most %(max)d characters.")),
                    Regexp(r"^https://[^\s\"'<>\\]+$", message=_l("Use a full address that starts with https://."))],
        filters=[lambda value: value.strip() if isinstance(value, str) else value],
        render_kw={"inputmode": "url", "spellcheck": "false", "autocapitalize": "none"},
    )


class AssignForm(ConsoleForm):
    user_id = SelectField(_l("Coordinator"), coerce=int, validators=[InputRequired()])


class LinkForm(ConsoleForm):
    label = StringField(_l("Label (the outreach channel, e.g. “Outreach van”)"),
                        validators=[InputRequired(message=_l("Enter a label, such as the place or group the link is for.")),
                                    Length(max=120)], filters=[_without_nul])
    expires_on = DateField(_l("Last day it works (optional)"), validators=[Optional()])
    response_cap = BoundedIntegerField(_l("Most responses it takes (optional)"),
                                       validators=[Optional(), NumberRange(max=INTEGER_MAX)])
    requires_code = BooleanField(_l("Respondents need a one-time code"))

    def __init__(self, *args: Any, threshold: int = 1, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._threshold = threshold

    def validate_response_cap(self, field: IntegerField) -> None:
        # A cap below k would let the link's "full" state reveal a count below k.
        if field.data is not None and field.data < self._threshold:
            raise ValidationError(_l("Use %(k)d or more.", k=self._threshold))

    def validate_expires_on(self, field: DateField) -> None:
        if field.data is not None and field.data < dt.datetime.now(dt.UTC).date():
            raise ValidationError(_l("Choose today or a later day."))


class PurgeForm(ConfirmForm):
    """The analyst's confirmation of an export, as the digest survey-analyst printed for it."""

    sha256 = StringField(_l("SHA-256 of the export"), validators=[InputRequired(), Length(max=200)],
                         render_kw={"autocomplete": "off", "spellcheck": "false", "autocapitalize": "none"})


class CodesForm(ConsoleForm):
    count = BoundedIntegerField(_l("How many codes"), default=20,
                                validators=[InputRequired(), NumberRange(1, MAX_BATCH)],
                                render_kw={"inputmode": "numeric"})
    #: The slips' languages: one, or two printed one under the other (choices set by the view).
    lang = SelectField(_l("Language of the slips"), validators=[InputRequired()])
    lang2 = SelectField(_l("Second language on the slips (optional)"), default="")


def _stripped(text: str | None) -> str | None:
    return _without_nul(text.strip()) if isinstance(text, str) else text


class FlyerForm(ConsoleForm):
    """What the coordinator puts on a link's flyer: kept on the link, so the next print is the same."""

    organisation = StringField(_l("Your organisation's name"), validators=[Optional(), Length(max=120)],
                               filters=[_stripped])
    contact = StringField(_l("Contact line (a phone number, an address or opening hours people can check)"),
                          validators=[Optional(), Length(max=200)], filters=[_stripped])
    lang = SelectField(_l("Language of the flyer"), validators=[InputRequired()])
    size = SelectField(_l("Paper size"), choices=[SelectChoice("a4", "A4"), SelectChoice("a5", "A5")], default="a4")
