"""Every shipped language really reaches the pages: the respondent questionnaire, the console's
login page and a signed-in console survey page, rendered by the real app from the real catalogs.

For each of the 12 languages besides English, the page must carry the catalog's own msgstr
(read from the .po file with Babel) for a set of message ids the page shows, and not the English
message id where the two differ. A language whose catalog directory is missing falls back to
English, and a catalog that was not compiled (no messages.mo) is never loaded by the app: both
make these tests fail rather than pass on English pages. `make compile-translations` compiles
the catalogs; this suite does not do it for you.
"""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from babel.messages.catalog import Catalog
from babel.messages.mofile import read_mo
from flask import Flask
from flask.testing import FlaskClient
from markupsafe import escape

from survey.core.languages import LANGUAGES
from survey.devtools.translation_status import TRANSLATIONS, po_path, read_catalog
from tests.conftest import add_survey
from tests.test_console_support import PASSWORD, assign, csrf, make_user

TRANSLATED = [code for code in LANGUAGES if code != "en"]

#: Interface strings of the respondent questionnaire page (besides the questionnaire's own).
RESPONDENT_IDS = [
    "Leave quickly",
    "Send my answers",
    "Check your answers before sending",
    "Your answers are encrypted on this device before they are sent, and only the research team's offline key can read them.",
]
LOGIN_IDS = [
    "Log in",
    "Survey console",
    "Account name",
    "The console shows counts only. No one can read answers here.",
]
SURVEY_PAGE_IDS = [
    "Surveys",
    "Distribution links",
    "New link",
    "Create link",
    "Counts as a spreadsheet",
    "Close survey",
]


def test_twelve_languages_besides_english_are_checked() -> None:
    assert len(TRANSLATED) == 12 and "en" not in TRANSLATED


def catalog(lang: str) -> Catalog:
    path = po_path(lang)
    assert path.is_file(), f"{lang}: catalog {path.relative_to(TRANSLATIONS.parent)} is missing"
    return read_catalog(path, lang)


class Text(HTMLParser):
    """The text a reader sees (title included), without tags or attributes."""

    def __init__(self, page: str) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.feed(page)

    def handle_data(self, data: str) -> None:
        self.parts.append(data)

    def __str__(self) -> str:
        return " ".join(self.parts)


def assert_translated(page: str, lang: str, msgids: list[str]) -> None:
    """Each msgid's msgstr from the .po catalog is in ``page``; the English msgid is not in the
    page's text where the translation differs from it."""
    assert f'<html lang="{lang}"' in page, f"{lang}: the page was not rendered in {lang}"
    cat = catalog(lang)
    text = str(Text(page))
    for msgid in msgids:
        message = cat.get(msgid)
        assert message is not None and message.string and not message.fuzzy, f"{lang}: {msgid!r} not translated"
        assert str(escape(message.string)) in page, f"{lang}: {message.string!r} (for {msgid!r}) not on the page"
        if message.string != msgid:
            assert msgid not in text, f"{lang}: English {msgid!r} on the page"


@pytest.mark.parametrize("lang", TRANSLATED)
def test_the_compiled_catalog_holds_what_the_source_catalog_says(lang: str) -> None:
    """The app reads messages.mo; one that is missing or older than its .po shows stale text."""
    mo = po_path(lang).with_suffix(".mo")
    assert mo.is_file(), f"{lang}: {mo.name} is missing; run `make compile-translations`"
    with open(mo, "rb") as fh:
        compiled = {m.id: m.string for m in read_mo(fh) if m.id}
    source = {m.id: m.string for m in catalog(lang) if m.id and m.string and not m.fuzzy}
    assert compiled == source, f"{lang}: messages.mo is stale; run `make compile-translations`"


@pytest.mark.parametrize("lang", TRANSLATED)
def test_the_questionnaire_page_is_rendered_in_every_language(app: Flask, lang: str) -> None:
    _uid, token = add_survey(app)
    response = app.test_client().get(f"/s/{token}?lang={lang}")
    assert response.status_code == 200
    q = app.extensions["questionnaires"]["demo@1"]
    own = [q.title, q.sections[0].title, next(q.questions()).text]
    assert_translated(response.get_data(as_text=True), lang, RESPONDENT_IDS + own)


def browser_in(app: Flask, lang: str) -> FlaskClient:
    """A test client whose every request says the browser prefers ``lang``, as the console's
    language comes from Accept-Language."""
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = f"{lang},en;q=0.5"
    return client


@pytest.mark.parametrize("lang", TRANSLATED)
def test_the_console_login_page_is_rendered_in_every_language(app: Flask, lang: str) -> None:
    response = browser_in(app, lang).get("/console/login")
    assert response.status_code == 200
    assert_translated(response.get_data(as_text=True), lang, LOGIN_IDS)


@pytest.mark.parametrize("lang", TRANSLATED)
def test_a_signed_in_console_survey_page_is_rendered_in_every_language(app: Flask, lang: str) -> None:
    uid, _token = add_survey(app)
    survey_id = assign(app, make_user(app, "coordinator"), uid)
    client = browser_in(app, lang)
    signed_in = client.post("/console/login", data={"csrf_token": csrf(client), "username": "coordinator",
                                                    "password": PASSWORD})
    assert signed_in.status_code == 303
    response = client.get(f"/console/surveys/{survey_id}")
    assert response.status_code == 200
    assert_translated(response.get_data(as_text=True), lang, SURVEY_PAGE_IDS)
