"""Translation catalogs are complete and consistent; the locale is chosen from the URL, then the
browser; Arabic is right-to-left; answers in any language decrypt to the same codes."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import write_po
from click.testing import CliRunner
from flask import Flask
from flask.cli import FlaskGroup

from survey.core.languages import LANGUAGES
from survey.core.questionnaire import load_directory
from survey.devtools.translation_fill import placeholders
from survey.devtools.translation_status import (
    MACHINE_DRAFT,
    POT,
    REVIEWED,
    TRANSLATIONS,
    po_path,
    questionnaire_status,
    read_catalog,
    review_status,
)
from tests.conftest import ROOT, AnalystKey, AppFactory, add_survey, export_survey, run_analyst
from tests.helpers import read_rows

TRANSLATED = [code for code in LANGUAGES if code != "en"]


def pot_ids() -> set[str]:
    return {m.id for m in read_catalog(POT) if m.id and isinstance(m.id, str)}


def test_at_least_twelve_languages_besides_english_are_shipped() -> None:
    assert len(TRANSLATED) >= 12
    for lang in TRANSLATED:
        assert po_path(lang).is_file(), lang


def test_template_is_up_to_date_with_code_templates_and_questionnaires() -> None:
    """`make translations` was run after the last interface or questionnaire string changed."""
    with open(ROOT / "babel.cfg", encoding="utf-8") as fh:
        method_map, options_map = parse_mapping_cfg(fh)
    keywords = {"_": None, "gettext": None, "lazy_gettext": None, "_l": None, "ngettext": (1, 2)}
    found = {msg[2] if isinstance(msg[2], str) else msg[2][0]
             for msg in extract_from_dir(str(ROOT), method_map, options_map, keywords=keywords)}
    found.discard("")
    assert found - pot_ids() == set(), "run `make translations`: messages.pot misses these"


def test_no_questionnaire_string_was_missed_by_extraction() -> None:
    ids = pot_ids()
    for q in load_directory().values():
        missed = {text for text, _where in q.strings()} - ids
        assert not missed, f"{q.key}: extraction missed {sorted(missed)[:5]}"


@pytest.mark.parametrize("lang", TRANSLATED)
def test_catalog_has_no_untranslated_or_fuzzy_entry(lang: str) -> None:
    catalog = read_catalog(po_path(lang), lang)
    ids = {m.id for m in catalog if m.id}
    assert pot_ids() <= ids, f"{lang}: catalog lacks messages of the template (run `make translations`)"
    untranslated = [m.id for m in catalog if m.id and not m.string]
    fuzzy = [m.id for m in catalog if m.id and m.fuzzy]
    assert not untranslated, f"{lang}: {len(untranslated)} untranslated, e.g. {untranslated[:3]}"
    assert not fuzzy, f"{lang}: {len(fuzzy)} fuzzy, e.g. {fuzzy[:3]}"


def _singular(text: str | tuple[str, ...] | list[str]) -> str:
    """A message's text: the catalogs hold no plural messages."""
    assert isinstance(text, str), text
    return text


@pytest.mark.parametrize("lang", TRANSLATED)
def test_catalog_placeholders_match_their_message_ids(lang: str) -> None:
    catalog = read_catalog(po_path(lang), lang)
    wrong = [m.id for m in catalog if m.id and m.string and placeholders(_singular(m.id)) != placeholders(_singular(m.string))]
    # A bare % breaks only a message that is formatted (python-format: it has placeholders or
    # %%); "Interval (95%)" is shown as it is (gettext formats only when given values).
    stray = [m.id for m in catalog if m.id and m.string and "python-format" in m.flags
             and re.search(r"%(?!\(\w+\)[sd])", _singular(m.string).replace("%%", ""))]
    assert not wrong, f"{lang}: placeholders differ in {wrong[:3]}"
    assert not stray, f"{lang}: a bare % would break formatting in {stray[:3]}"


@pytest.mark.parametrize("lang", TRANSLATED)
def test_every_catalog_records_its_review_status(lang: str) -> None:
    data = tomllib.loads((TRANSLATIONS / lang / "REVIEW.toml").read_text(encoding="utf-8"))
    assert data["status"] in (MACHINE_DRAFT, REVIEWED)
    if data["status"] == REVIEWED:
        assert data.get("reviewer"), f"{lang}: a reviewed catalog names the organisation that reviewed it"


def write_language(root: Path, lang: str, strings: list[str], review: str | None, missing: int = 0) -> None:
    """A catalog for ``lang`` in ``root`` translating all of ``strings`` but the last ``missing``,
    and its REVIEW.toml (``review`` is the file's text; None: no REVIEW.toml)."""
    catalog = Catalog(locale=lang)
    for i, text in enumerate(strings):
        catalog.add(text, "" if i >= len(strings) - missing else f"[{lang}] {text}")
    folder = root / lang / "LC_MESSAGES"
    folder.mkdir(parents=True)
    with open(folder / "messages.po", "wb") as fh:
        write_po(fh, catalog)
    if review is not None:
        (root / lang / "REVIEW.toml").write_text(review, encoding="utf-8")


def test_draft_translations_mark_questionnaires_as_not_ready(tmp_path: Path) -> None:
    """Only a complete catalog that a named reviewer has reviewed makes a questionnaire ready
    to field in that language; a complete machine draft, an incomplete reviewed catalog and a
    catalog with no review record are not ready."""
    q = load_directory()["stigma@1"]
    strings = list(dict.fromkeys(text for text, _where in q.strings()))
    assert len(strings) > 10
    write_language(tmp_path, "de", strings, f'status = "{MACHINE_DRAFT}"\nreviewer = ""\n')
    write_language(tmp_path, "fr", strings, f'status = "{REVIEWED}"\nreviewer = "Example Peer Network"\ndate = "2024-05-01"\n')
    write_language(tmp_path, "it", strings, f'status = "{REVIEWED}"\nreviewer = "Example Peer Network"\n', missing=1)
    write_language(tmp_path, "es", strings, None)
    states = questionnaire_status(q, ["en", "de", "fr", "it", "es"], root=tmp_path)
    assert {lang: state.ready for lang, state in states.items()} == {
        "en": True, "de": False, "fr": True, "it": False, "es": False}
    assert states["de"].completeness.complete and states["de"].describe() == MACHINE_DRAFT
    assert states["fr"].describe() == "reviewed by Example Peer Network (2024-05-01)"
    assert not states["it"].completeness.complete
    assert states["it"].describe() == f"incomplete ({len(strings) - 1}/{len(strings)})"
    assert states["es"].completeness.complete and states["es"].review.is_draft


def test_translations_status_command_prints_completeness_and_review(app: Flask) -> None:
    """`flask translations status` comes from survey.devtools through the "flask.commands" entry
    point: FlaskGroup (what the `flask` command runs) finds it; the app itself never imports it."""
    result = CliRunner().invoke(FlaskGroup(create_app=lambda: app), ["translations", "status"])
    assert result.exit_code == 0, result.output
    for lang in TRANSLATED:
        line = next(row for row in result.output.splitlines() if row.startswith(f"{lang} "))
        assert "100.0%" in line and review_status(lang).describe() in line
    assert "stigma@1" in result.output and "service_access@1" in result.output


def test_lang_parameter_then_accept_language_then_english(app: Flask) -> None:
    _uid, token = add_survey(app, "stigma@1")
    client = app.test_client()
    page = client.get(f"/s/{token}?lang=ar").get_data(as_text=True)
    assert '<html lang="ar" dir="rtl">' in page
    page = client.get(f"/s/{token}", headers={"Accept-Language": "de-AT,de;q=0.9,en;q=0.5"}).get_data(as_text=True)
    assert '<html lang="de" dir="ltr">' in page
    page = client.get(f"/s/{token}?lang=sr", headers={"Accept-Language": "de"}).get_data(as_text=True)
    assert '<html lang="sr" dir="ltr">' in page and "Српски" in page
    page = client.get(f"/s/{token}?lang=xx", headers={"Accept-Language": "tlh"}).get_data(as_text=True)
    assert '<html lang="en" dir="ltr">' in page
    assert "Set-Cookie" not in client.get(f"/s/{token}?lang=fr").headers


def test_language_picker_links_every_language_without_javascript(app: Flask) -> None:
    _uid, token = add_survey(app, "service_access@1")
    page = app.test_client().get(f"/s/{token}?lang=uk").get_data(as_text=True)
    for code, name in LANGUAGES.items():
        assert f'href="/s/{token}?lang={code}"' in page and name in page
    assert f'href="/s/{token}?lang=uk" lang="uk" hreflang="uk" dir="ltr" aria-current="true"' in page
    assert 'lang="ar" hreflang="ar" dir="rtl"' in page


#: The same answers to the stigma questionnaire, as the no-JavaScript form posts them.
STIGMA_FORM = {
    "exp_family": "3", "exp_police": "prefer_not_to_say", "ant_friend": "2", "int_proud": "5",
    "dis_told": ["friends", "peers"], "stigma_comment": "canary-i18n-55 same words",
    "country": "ba", "age_band": "35_44", "gender": "self_describe", "gender_self": "canary",
    "recovery_status": "recovery_medication", "recovery_time": "3_5y",
}


def test_same_answers_in_english_arabic_and_serbian_decrypt_to_identical_rows(
    app: Flask, analyst_key: AnalystKey, tmp_path: Path
) -> None:
    uid, token = add_survey(app, "stigma@1")
    client = app.test_client()
    for lang in ("en", "ar", "sr"):
        response = client.post(f"/s/{token}?lang={lang}", data=STIGMA_FORM)
        assert response.status_code == 303, response.get_data(as_text=True)[:500]
        assert f"lang={lang}" in response.headers["Location"]
    export = export_survey(app, uid, tmp_path / "export.jsonl")
    result = run_analyst("decrypt", export, "--key", analyst_key.private, "--out", tmp_path / "rows.csv")
    assert result.returncode == 0, result.stderr
    rows = read_rows(tmp_path / "rows.csv")
    assert sorted(r["lang"] for r in rows) == ["ar", "en", "sr"]
    without_lang = [{k: v for k, v in r.items() if k not in ("lang", "response")} for r in rows]
    assert without_lang[0] == without_lang[1] == without_lang[2]
    assert without_lang[0]["dis_told"] == "friends;peers" and without_lang[0]["country"] == "ba"


def test_a_phone_whose_languages_the_survey_does_not_offer_is_asked_for_its_language_first(app: Flask) -> None:
    _uid, token = add_survey(app)
    client = app.test_client()
    page = client.get(f"/s/{token}", headers={"Accept-Language": "tlh, ja;q=0.8"}).get_data(as_text=True)
    assert 'id="questionnaire"' not in page
    for code, name in LANGUAGES.items():
        assert f'href="/s/{token}?lang={code}"' in page and f'lang="{code}"' in page and name in page
    assert 'id="leave-quickly"' in page
    chosen = client.get(f"/s/{token}?lang=sq", headers={"Accept-Language": "tlh"}).get_data(as_text=True)
    assert 'id="questionnaire"' in chosen and '<html lang="sq"' in chosen
    matched = client.get(f"/s/{token}", headers={"Accept-Language": "tlh, de;q=0.5"}).get_data(as_text=True)
    assert 'id="questionnaire"' in matched and '<html lang="de"' in matched
    assert 'id="questionnaire"' in client.get(f"/s/{token}").get_data(as_text=True)  # no header: English


def test_leave_quickly_opens_a_plain_page_in_the_respondents_language_unless_the_server_names_one(
    make_app: AppFactory,
) -> None:
    app = make_app()
    _uid, token = add_survey(app)
    client = app.test_client()
    leave = re.compile(r'id="leave-quickly" href="([^"]+)"')
    for lang, host in (("de", "de.m.wikipedia.org"), ("ar", "ar.m.wikipedia.org"), ("sr", "sr.m.wikipedia.org")):
        page = client.get(f"/s/{token}?lang={lang}").get_data(as_text=True)
        found = leave.search(page)
        assert found is not None and found.group(1).startswith(f"https://{host}/w/index.php?search="), lang
    own = make_app(leave_url="https://example.org/news")
    _uid, token = add_survey(own)
    found = leave.search(own.test_client().get(f"/s/{token}?lang=de").get_data(as_text=True))
    assert found is not None and found.group(1) == "https://example.org/news"
