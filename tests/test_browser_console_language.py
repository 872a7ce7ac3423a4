"""The Bosnian console shows no English, checked against the catalog rather than by eye.

With the console switched to Bosanski through its header switcher, Chromium walks every console
page an admin can reach (following every /console link of every page it sees, plus the states
only a form reaches: errors on each form, a wrong password, confirmation pages, a fresh sheet of
code slips, the flyer, an unknown address). On each page it collects:

- every text node of the document (visible or for screen readers only; not script or style),
  whitespace collapsed, and the document's title;
- every user-facing attribute: title, aria-label, placeholder, alt, and the value of
  submit/button/reset inputs.

A text fails when it is an English message (exactly, or with its %(placeholders)s filled in)
and not itself a Bosnian translation, where the English messages are: every message of the
Bosnian catalog whose translation is missing, fuzzy or different; every message the code and
templates hold today (extracted as `make translations` does) that the catalog lacks; and
WTForms' own English messages ("This field is required.", from WTForms' wtforms.pot), which the
console must never show. User data (survey titles, link labels, account names, key ids, counts,
codes, addresses) is no message and passes. Text inside an element whose ``lang`` is another
language is meant to be in that language and is left out: the language names of the switcher
(each in its own language) and the flyer and slips, printed in the language chosen for them.
"""

from __future__ import annotations

import re
from collections import deque
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import pytest
import wtforms
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from flask import Flask
from sqlalchemy import select

from survey.devtools.translation_status import po_path, read_catalog
from survey.server.database import session
from survey.server.models import Link, Survey
from survey.server.surveys import create_link
from tests.conftest import ROOT, LiveServer, add_survey, artifact
from tests.test_console_support import PASSWORD, make_user

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

pytestmark = pytest.mark.browser

LANG = "bs"
PLACEHOLDER = re.compile(r"%\((\w+)\)[sdif]|%[sdif]")

COLLECT = """() => {
  const out = [];
  const walker = document.createTreeWalker(document.documentElement, NodeFilter.SHOW_TEXT);
  const page = document.documentElement.lang;
  const own = el => (el.closest('[lang]') || document.documentElement).lang === page;
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const parent = node.parentElement;
    if (!parent || parent.closest('script, style, noscript, template') || !own(parent)) continue;
    out.push(['text', parent.tagName.toLowerCase(), node.textContent]);
  }
  for (const el of document.querySelectorAll('[title], [aria-label], [placeholder], [alt]')) {
    if (!own(el)) continue;
    for (const name of ['title', 'aria-label', 'placeholder', 'alt']) {
      if (el.hasAttribute(name)) out.push([name, el.tagName.toLowerCase(), el.getAttribute(name)]);
    }
  }
  for (const el of document.querySelectorAll('input[type=submit], input[type=button], input[type=reset]')) {
    out.push(['value', 'input', el.value]);
  }
  return out;
}"""


def _pattern(text: str) -> re.Pattern[str] | None:
    """``text`` with its placeholders as wildcards; None for a text of placeholders only."""
    literal = PLACEHOLDER.sub("", text).replace("%%", "%")
    if sum(c.isalpha() for c in literal) < 2:
        return None
    parts = PLACEHOLDER.split(text)
    # split() gives literal, name, literal, name, ...: keep the literals, join with wildcards.
    literals = [part.replace("%%", "%") for part in parts[::2]]
    return re.compile(".+?".join(re.escape(" ".join(lit.split())) for lit in literals), re.S)


class CatalogCheck:
    """English messages that must not appear on a Bosnian page, and Bosnian ones that may."""

    def __init__(self, catalog: Catalog, extra_english: list[str]) -> None:
        self.exact: dict[str, str] = {}
        self.english: list[tuple[str, re.Pattern[str]]] = []
        self.bosnian: list[re.Pattern[str]] = []
        for message in catalog:
            if not message.id:
                continue
            ids = list(message.id) if isinstance(message.id, tuple | list) else [message.id]
            strings = list(message.string) if isinstance(message.string, tuple | list) else [message.string]
            translated = [s for s in strings if s] if not message.fuzzy else []
            for text in translated:
                pattern = _pattern(text)
                if pattern is not None:
                    self.bosnian.append(pattern)
            for msgid in ids:
                if msgid in translated:
                    continue  # the same word in both languages ("OK", a name)
                self._add(msgid, msgid)
        for msgid in extra_english:
            self._add(msgid, msgid)

    def _add(self, msgid: str, name: str) -> None:
        self.exact.setdefault(" ".join(msgid.split()), name)
        pattern = _pattern(msgid)
        if pattern is not None and PLACEHOLDER.search(msgid):
            self.english.append((name, pattern))

    def english_in(self, text: str) -> str | None:
        text = " ".join(text.split())
        if not text or any(p.fullmatch(text) for p in self.bosnian):
            return None
        if text in self.exact:
            return self.exact[text]
        for msgid, pattern in self.english:
            if pattern.fullmatch(text):
                return msgid
        return None


def _wtforms_messages() -> list[str]:
    pot = Path(wtforms.__file__).parent / "locale" / "wtforms.pot"
    return [m.id for m in read_catalog(pot) if m.id and isinstance(m.id, str)]


def _current_messages() -> set[str]:
    """Every message the code, templates and questionnaires hold now (as `make translations`
    extracts them), so that a message added since the catalog was last merged counts too."""
    with open(ROOT / "babel.cfg", encoding="utf-8") as fh:
        method_map, options_map = parse_mapping_cfg(fh)
    keywords = {"_": None, "gettext": None, "lazy_gettext": None, "_l": None, "ngettext": (1, 2)}
    found: set[str] = set()
    for message in extract_from_dir(str(ROOT), method_map, options_map, keywords=keywords):
        found.update(m for m in (message[2] if isinstance(message[2], tuple) else (message[2],)) if m)
    return found


def english_check() -> CatalogCheck:
    catalog = read_catalog(po_path(LANG), LANG)
    missing = sorted(_current_messages() - {m.id for m in catalog if isinstance(m.id, str)})
    return CatalogCheck(catalog, missing + _wtforms_messages())


@pytest.fixture
def console_world(app: Flask) -> dict[str, int]:
    """An admin, a coordinator, a survey in three languages with an open link needing codes, a
    revoked link and a closed second survey: every state the console's pages have."""
    make_user(app, "admin", admin=True)
    make_user(app, "koordinator")
    uid, token = add_survey(app, requires_code=True, label="Terenski rad")
    with app.app_context():
        s = session()
        survey = s.scalars(select(Survey).where(Survey.uid == uid)).one()
        survey.languages = "en bs ar"
        revoked = create_link(s, survey, "Stari letak")
        revoked.revoked = True
        closed_uid, _ = uid, token
        s.commit()
        link = s.scalars(select(Link).where(Link.token == token)).one()
        ids = {"survey": survey.id, "link": link.id, "revoked": revoked.id}
    other_uid, _other = add_survey(app, label="Savjetovalište")
    with app.app_context():
        s = session()
        other = s.scalars(select(Survey).where(Survey.uid == other_uid)).one()
        other.is_open = False
        s.commit()
        ids["closed"] = other.id
    del closed_uid
    return ids


def _switch_to_bosnian(page: Page, base: str) -> None:
    page.goto(f"{base}/console/login")
    page.select_option("#console-language", LANG)
    page.click("[data-language-submit]")
    page.wait_for_url(f"{base}/console/login")
    assert page.locator("html").get_attribute("lang") == LANG


def test_the_bosnian_console_shows_no_english_string_on_any_page(
    app: Flask, live_server: LiveServer, browser: Browser, console_world: dict[str, int]
) -> None:
    check = english_check()
    base = live_server.url
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="en-GB",
                                  extra_http_headers={"Accept-Language": "en"})
    page = context.new_page()
    found: dict[str, set[str]] = {}
    seen_pages: list[str] = []

    def look(label: str) -> None:
        seen_pages.append(label)
        assert page.locator("html").get_attribute("lang") == LANG, label
        for kind, tag, text in page.evaluate(COLLECT) + [["title", "title", page.title()]]:
            msgid = check.english_in(text)
            if msgid is not None:
                found.setdefault(f"{' '.join(text.split())!r} (English msgid {msgid!r}, {kind} of <{tag}>)", set()).add(label)

    _switch_to_bosnian(page, base)
    look("sign-in")
    page.fill("#username", "admin")
    page.fill("#password", "not the password")
    page.click("main button[type=submit]")
    look("sign-in, wrong password")
    page.click("main button[type=submit]")
    look("sign-in, empty")
    page.fill("#username", "admin")
    page.fill("#password", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(f"{base}/console/")

    # Every console page reachable by a link, from the list of surveys on.
    queue, visited = deque([f"{base}/console/"]), set[str]()
    while queue and len(visited) < 80:
        url = queue.popleft()
        if url in visited:
            continue
        visited.add(url)
        head = page.request.get(url, max_redirects=0)
        if "text/html" not in head.headers.get("content-type", ""):
            continue  # a download: the export, counts spreadsheet, a QR code
        page.goto(url)
        look(urlsplit(url).path + (f"?{urlsplit(url).query}" if urlsplit(url).query else ""))
        for href in page.eval_on_selector_all("a[href]", "els => els.map(a => a.href)"):
            target = href.split("#")[0]
            if target.startswith(f"{base}/console") and target not in visited:
                queue.append(target)

    # States only a form reaches.
    ids = console_world
    states = [
        (f"/console/surveys/{ids['survey']}", "form[action$='/links'] button[type=submit]", "new link, empty label"),
        ("/console/surveys/new", "main form button[type=submit]", "new survey, empty"),
        ("/console/users", "main form button[type=submit]", "new account, empty"),
        ("/console/password", "main form button[type=submit]", "password, empty"),
        (f"/console/links/{ids['link']}/codes", "main form button[type=submit]", "code slips"),
    ]
    for path, button, label in states:
        page.goto(base + path)
        if label == "code slips":
            page.fill("#count", "2")
            page.select_option("#lang", "bs")
            page.select_option("#lang2", "ar")
        page.click(button)
        look(label)
        if label == "code slips":
            page.screenshot(path=str(artifact("console-bs-slips.png")), full_page=True)
    page.goto(f"{base}/console/links/{ids['link']}/flyer")
    page.fill("#organisation", "x" * 130)
    page.click("main form button[type=submit]")
    look("flyer, too long a name")
    for path in (f"/console/links/{ids['link']}/revoke", f"/console/surveys/{ids['survey']}/close",
                 "/console/no-such-page", f"/console/surveys/{ids['closed']}"):
        page.goto(base + path)
        look(path)
    page.goto(f"{base}/console/surveys/{ids['survey']}")
    page.screenshot(path=str(artifact("console-bs-survey.png")), full_page=True)
    context.close()

    assert len(seen_pages) >= 20, seen_pages
    assert not found, f"{len(found)} English strings in the Bosnian console:\n" + "\n".join(
        f"  {text} on {', '.join(sorted(pages)[:4])}" for text, pages in sorted(found.items()))


def test_the_check_finds_english_where_the_catalog_has_none() -> None:
    """The checker itself: an untranslated message, a filled-in placeholder and WTForms' English
    are found; a Bosnian translation, user data and a word the same in both languages are not."""
    catalog = Catalog(locale=LANG)
    catalog.add("Surveys", "Ankete")
    catalog.add("Log out %(name)s", "Odjava %(name)s")
    catalog.add("Print", "")
    catalog.add("OK", "OK")
    check = CatalogCheck(catalog, ["This field is required."])
    assert check.english_in("Surveys") == "Surveys"
    assert check.english_in("  Log out\n  admin ") == "Log out %(name)s"
    assert check.english_in("Print") == "Print"
    assert check.english_in("This field is required.") == "This field is required."
    for fine in ("Ankete", "Odjava admin", "OK", "Terenski rad", "43f2 ec20", "12"):
        assert check.english_in(fine) is None, fine
