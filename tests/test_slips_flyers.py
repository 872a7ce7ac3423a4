"""Paper that works: one-time code slips in one or two languages the coordinator picks, each with
the link's QR code and the code printed apart from it; flyers with the organisation's name, a
contact line, a one-line privacy promise in the chosen language and the key id in small print.
QR codes are read back with zxing-cpp from what Chromium draws."""

from __future__ import annotations

import io
import re
from typing import TYPE_CHECKING

import pytest
import zxingcpp
from flask import Flask
from flask.testing import FlaskClient
from PIL import Image
from sqlalchemy import select

from survey.core.envelope import format_key_id
from survey.devtools.translation_status import po_path, read_catalog
from survey.server import link_tokens
from survey.server.database import session
from survey.server.models import Link, Survey
from tests.conftest import LiveServer, add_survey, artifact
from tests.test_console_support import PASSWORD, csrf, login, make_user

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Locator, Page

PROMISE = "We never ask your name, and only the research team can read your answers."
SLIP_HINT = "Scan the QR code or open the address below, then enter this code. It works once."
CODE = re.compile(r"data-code dir=\"ltr\">([^<]+)<")


def translated(lang: str, msgid: str) -> str:
    """The catalog's translation of ``msgid`` (what the page must show), or "" if none yet."""
    message = read_catalog(po_path(lang), lang).get(msgid)
    return str(message.string) if message is not None and message.string and not message.fuzzy else ""


def _survey(app: Flask, languages: str = "en bs ar") -> tuple[int, str]:
    _uid, token = add_survey(app, requires_code=True)
    make_user(app, "admin", admin=True)
    with app.app_context():
        s = session()
        link = s.scalars(select(Link).where(Link.token == token)).one()
        link.survey.languages = languages
        s.commit()
        return link.id, token


def _codes(client: FlaskClient, link_id: int, **fields: str) -> tuple[int, str]:
    page = f"/console/links/{link_id}/codes"
    answer = client.post(page, data={"csrf_token": csrf(client, page), "count": "3", **fields})
    return answer.status_code, answer.get_data(as_text=True)


def test_slips_are_in_the_one_or_two_languages_picked(app: Flask) -> None:
    link_id, _token = _survey(app)
    client = login(app, "admin")
    form = client.get(f"/console/links/{link_id}/codes").get_data(as_text=True)
    assert 'name="lang"' in form and 'name="lang2"' in form
    status, sheet = _codes(client, link_id, lang="bs", lang2="ar")
    assert status == 200
    assert sheet.count('data-slip-lang="bs"') == 3 and sheet.count('data-slip-lang="ar"') == 3
    assert 'lang="ar" dir="rtl"' in sheet
    for lang in ("bs", "ar"):
        title = translated(lang, "Your one-time code")
        assert title and title in sheet, lang
        hint = translated(lang, SLIP_HINT)
        assert hint and hint in sheet, f"{lang}: the slip's instructions are not translated yet"
    assert "Your one-time code" not in sheet
    status, one = _codes(client, link_id, lang="bs", lang2="")
    assert status == 200 and 'data-slip-lang="ar"' not in one and one.count('data-slip-lang="bs"') == 3
    # A language the survey does not offer is refused, and no codes are made.
    status, refused = _codes(client, link_id, lang="de")
    assert status == 400 and not CODE.search(refused)


def test_each_slip_has_the_qr_code_and_address_of_the_link_and_the_code_apart(app: Flask) -> None:
    link_id, token = _survey(app)
    client = login(app, "admin")
    _status, sheet = _codes(client, link_id, lang="en")
    codes = CODE.findall(sheet)
    assert len(codes) == 3
    grouped = link_tokens.grouped(token)
    urls = re.findall(r'class="slip-url" data-url dir="ltr">([^<]+)<', sheet)
    assert urls == [f"http://localhost/s/{grouped}"] * 3
    assert sheet.count(f'src="/console/links/{link_id}/qr.svg"') == 3
    for code in codes:
        assert code.replace("-", "") not in sheet.replace(code, "").replace("-", "")  # printed once, nowhere else


def test_the_flyer_carries_organisation_contact_promise_and_key_id(app: Flask) -> None:
    link_id, _token = _survey(app)
    client = login(app, "admin")
    page = f"/console/links/{link_id}/flyer"
    saved = client.post(page, data={"csrf_token": csrf(client, page), "organisation": "  Margina Tuzla ",
                                    "contact": "Amra, 061 123 456, Mon-Fri 9-17", "lang": "en", "size": "a5"})
    assert saved.status_code == 303 and "lang=en" in saved.headers["Location"] and "size=a5" in saved.headers["Location"]
    with app.app_context():
        link = session().get(Link, link_id)
        assert link is not None and (link.flyer_organisation, link.flyer_contact) == (
            "Margina Tuzla", "Amra, 061 123 456, Mon-Fri 9-17")
        key_id = session().scalars(select(Survey.key_id)).one()
    flyer = client.get(page + "?lang=en").get_data(as_text=True)
    assert '<p class="flyer-organisation" data-organisation>Margina Tuzla</p>' in flyer
    assert "Questions? Amra, 061 123 456, Mon-Fri 9-17" in flyer
    assert PROMISE in flyer
    assert re.search(rf'class="flyer-key" data-key-id dir="ltr"><small>Encryption key: {format_key_id(key_id)}</small>', flyer)
    # The form shows what was saved, for the next print.
    assert 'value="Margina Tuzla"' in flyer
    # Too long an organisation name is refused, with the error summary, and nothing is kept.
    long = client.post(page, data={"csrf_token": csrf(client, page), "organisation": "x" * 121, "contact": "",
                                   "lang": "en", "size": "a4"})
    assert long.status_code == 400 and "error-summary" in long.get_data(as_text=True)
    with app.app_context():
        assert session().get(Link, link_id).flyer_organisation == "Margina Tuzla"  # type: ignore[union-attr]


def test_the_flyer_is_in_the_chosen_language(app: Flask) -> None:
    link_id, _token = _survey(app)
    client = login(app, "admin")
    flyer = client.get(f"/console/links/{link_id}/flyer?lang=bs", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert 'lang="bs" dir="ltr" data-flyer' in flyer
    heading = translated("bs", "Your experience counts")
    assert heading and heading in flyer
    key = translated("bs", "Encryption key: %(key)s")
    assert key and key.split("%(key)s")[0] in flyer
    promise = translated("bs", PROMISE)
    assert promise and promise in flyer, "the privacy promise is not translated yet"
    arabic = client.get(f"/console/links/{link_id}/flyer?lang=ar").get_data(as_text=True)
    assert 'lang="ar" dir="rtl" data-flyer' in arabic


# -- in Chromium: the QR codes as drawn, read back --------------------------------------------------


def _decode(locator: Locator) -> list[str]:
    image = Image.open(io.BytesIO(locator.screenshot())).convert("L")
    return [found.text for found in zxingcpp.read_barcodes(image)]


def _sign_in(page: Page, base: str) -> None:
    page.goto(f"{base}/console/login")
    page.fill("#username", "admin")
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/console/")


@pytest.mark.browser
def test_slip_qr_codes_decode_to_the_link_and_never_hold_the_code(
    app: Flask, live_server: LiveServer, browser: Browser
) -> None:
    link_id, token = _survey(app)
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    _sign_in(page, live_server.url)
    page.goto(f"{live_server.url}/console/links/{link_id}/codes")
    page.fill("#count", "4")
    page.select_option("#lang", "bs")
    page.select_option("#lang2", "ar")
    page.click("button:has-text('Generate codes')")
    codes = page.locator("[data-code]").all_inner_texts()
    assert len(codes) == 4
    link = f"{live_server.url}/s/{link_tokens.grouped(token)}"
    for n, slip in enumerate(page.locator(".slip").all()):
        assert slip.locator("img.slip-qr").evaluate("img => img.naturalWidth > 0")
        assert _decode(slip.locator("img.slip-qr")) == [link]
        assert codes[n] not in link and codes[n].replace("-", "") not in link.upper()
    page.emulate_media(media="print")
    page.screenshot(path=str(artifact("slip-sheet.png")), full_page=True)
    page.pdf(path=str(artifact("slip-sheet.pdf")), format="A4")
    context.close()


@pytest.mark.browser
def test_the_flyer_qr_code_decodes_to_the_printed_address(app: Flask, live_server: LiveServer, browser: Browser) -> None:
    link_id, token = _survey(app)
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    _sign_in(page, live_server.url)
    page.goto(f"{live_server.url}/console/links/{link_id}/flyer")
    page.fill("#organisation", "Margina Tuzla")
    page.fill("#contact", "Amra, 061 123 456 (Mon-Fri 9-17)")
    page.select_option("#lang", "bs")
    page.click("button:has-text('Show the flyer')")
    flyer = page.locator("[data-flyer]")
    assert flyer.get_attribute("lang") == "bs"
    address = page.locator("[data-flyer] [data-url]").inner_text()
    assert address == f"{live_server.url}/s/{link_tokens.grouped(token)}"
    assert _decode(page.locator("[data-flyer] img.qr")) == [address]
    assert "Margina Tuzla" in flyer.inner_text() and "061 123 456" in flyer.inner_text()
    page.emulate_media(media="print")
    page.screenshot(path=str(artifact("flyer.png")), full_page=True)
    context.close()
