"""An XLSForm written here with openpyxl (not by our export) imported, fielded in Chromium with
JavaScript on and off, and read back exactly by ``survey-analyst report`` with the form's labels."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from flask import Flask

from survey.server.database import session
from survey.server.surveys import create_link, create_survey
from tests.conftest import AnalystKey, LiveServer, artifact, export_survey, run_analyst
from tests.xlsform_files import workbook

if TYPE_CHECKING:
    from playwright.sync_api import BrowserContext, Page

pytestmark = pytest.mark.browser

EN, BS, AR = "label::English (en)", "label::Bosanski (bs)", "label::العربية (ar)"
HINT_EN, HINT_BS, HINT_AR = "hint::English (en)", "hint::Bosanski (bs)", "hint::العربية (ar)"
MSG_EN, MSG_BS, MSG_AR = ("constraint_message::English (en)", "constraint_message::Bosanski (bs)",
                          "constraint_message::العربية (ar)")


def t(en: str, bs: str, ar: str, kind: str = "label") -> dict[str, str]:
    columns = {"label": (EN, BS, AR), "hint": (HINT_EN, HINT_BS, HINT_AR), "message": (MSG_EN, MSG_BS, MSG_AR)}[kind]
    return dict(zip(columns, (en, bs, ar), strict=True))


SURVEY = [
    {"type": "note", "name": "welcome_note", **t("Questions about the drop-in centre.", "Pitanja o dnevnom centru.",
                                                  "أسئلة عن مركز الاستقبال.")},
    {"type": "begin group", "name": "visits", **t("Your visits", "Vaše posjete", "زياراتك")},
    {"type": "select_one yesno", "name": "visited", "required": "yes",
     **t("Did you visit the drop-in centre this year?", "Jeste li ove godine posjetili dnevni centar?",
         "هل زرت مركز الاستقبال هذا العام؟")},
    {"type": "select_multiple services", "name": "used", "relevant": "selected(${visited}, 'yes')",
     "parameters": "randomize=true",
     **t("Which services did you use?", "Koje ste usluge koristili?", "ما الخدمات التي استخدمتها؟"),
     **t("Choose all that apply.", "Izaberite sve što važi.", "اختر كل ما ينطبق.", "hint")},
    {"type": "text", "name": "used_other", "relevant": "selected(${used}, 'other')",
     **t("Which other service?", "Koja druga usluga?", "ما الخدمة الأخرى؟")},
    {"type": "integer", "name": "visits_n",
     "relevant": "selected(${visited}, 'yes') and (selected(${used}, 'meal') or selected(${used}, 'shower'))",
     "constraint": ". >= 1 and . <= 365 and (. <= 52 or selected(${used}, 'meal'))",
     **t("How many times did you come?", "Koliko puta ste došli?", "كم مرة أتيت؟"),
     **t("More than 52 times? Only for meals.", "Više od 52 puta? Samo za obroke.", "أكثر من 52 مرة؟ للوجبات فقط.",
         "message")},
    {"type": "end group", "name": "visits"},
    {"type": "begin_group", "name": "views", **t("What you think", "Šta mislite", "رأيك")},
    {"type": "select_one agree", "name": "welcome", "appearance": "likert", "prefer_not_to_say": "yes",
     **t("Staff made me feel welcome.", "Osoblje me lijepo primilo.", "جعلني الموظفون أشعر بالترحيب.")},
    {"type": "text", "name": "comment", **t("Anything else?", "Još nešto?", "أي شيء آخر؟")},
    {"type": "end_group", "name": "views"},
]
CHOICES = [
    {"list_name": "yesno", "name": "yes", **t("Yes", "Da", "نعم")},
    {"list_name": "yesno", "name": "no", **t("No", "Ne", "لا")},
    {"list_name": "services", "name": "shower", **t("Shower", "Tuš", "استحمام")},
    {"list_name": "services", "name": "meal", **t("A meal", "Obrok", "وجبة")},
    {"list_name": "services", "name": "nurse", **t("The nurse", "Medicinska sestra", "الممرضة")},
    {"list_name": "services", "name": "other", **t("Something else", "Nešto drugo", "شيء آخر"), "last": "yes"},
    *({"list_name": "agree", "name": str(v), **t(en, bs, ar)} for v, en, bs, ar in (
        (1, "Strongly disagree", "Uopće se ne slažem", "لا أوافق بشدة"), (2, "Disagree", "Ne slažem se", "لا أوافق"),
        (3, "Not sure", "Nisam siguran/na", "لست متأكدًا"), (4, "Agree", "Slažem se", "أوافق"),
        (5, "Strongly agree", "Potpuno se slažem", "أوافق بشدة"))),
]
SETTINGS = {"form_title": "Drop-in centre", "form_id": "dropin", "version": "3", "default_language": "English (en)"}


def answer(page: Page, answers: dict[str, str | list[str]], js: bool) -> None:
    """Answer what is shown, step by step (or page by page), until the thank-you page."""
    done: set[str] = set()
    for _ in range(8):
        if "/thanks" in page.url:
            break
        for code, value in answers.items():
            values = value if isinstance(value, list) else [value]
            if code in done:
                continue
            choice = page.locator(f'input[name="{code}"][value="{values[0]}"]')
            if choice.count() and choice.first.is_visible():
                for v in values:
                    page.check(f'input[name="{code}"][value="{v}"]')
                done.add(code)
                continue
            box = page.locator(f'[name="{code}"]:not([type=radio]):not([type=checkbox])')
            if box.count() and box.first.is_visible():
                box.first.fill(values[0])
                done.add(code)
        if js and page.is_visible("#review"):
            with page.expect_response("**/sealed"):
                page.click("[data-submit]")
        else:
            page.click("[data-submit]")
        page.wait_for_load_state()
        if "/thanks" in page.url:
            break
        page.wait_for_timeout(150)
    page.wait_for_url("**/thanks**")
    assert done == set(answers), done


def test_an_independent_xlsform_is_fielded_and_reported_exactly(
    app: Flask, live_server: LiveServer, phone: BrowserContext, phone_no_js: BrowserContext,
    analyst_key: AnalystKey, tmp_path: Path,
) -> None:
    path = tmp_path / "dropin.xlsx"
    path.write_bytes(workbook(SURVEY, CHOICES, SETTINGS))
    result = app.test_cli_runner().invoke(args=["questionnaires", "import", str(path)])
    assert result.exit_code == 0 and "imported dropin@3 (published)" in result.output, result.output
    with app.app_context():
        s = session()
        q = app.extensions["questionnaires"]["dropin@3"]
        survey = create_survey(s, q, app.extensions["keyring"].ids()[0], "Drop-in", ["en", "bs", "ar"])
        token = create_link(s, survey, "Centre").token
        s.commit()
        uid = survey.uid

    orders = set()
    for _ in range(6):  # randomised choices: a new order each time, "Something else" last
        shown = phone.new_page()
        shown.goto(f"{live_server.url}/s/{token}?lang=en")
        order = tuple(shown.locator('input[name="used"]').evaluate_all("(els) => els.map((e) => e.value)"))
        assert sorted(order) == ["meal", "nurse", "other", "shower"] and order[-1] == "other"
        orders.add(order)
        shown.close()
    assert len(orders) > 1

    page = phone.new_page()
    errors: list[object] = []
    page.on("pageerror", lambda e: errors.append(e))
    page.goto(f"{live_server.url}/s/{token}?lang=en")
    assert "Questions about the drop-in centre." in page.inner_text("body")
    # The constraint refuses with the form's own message, then takes a good answer.
    page.check('input[name="visited"][value="yes"]')
    page.check('input[name="used"][value="shower"]')
    page.fill('[name="visits_n"]', "60")
    page.click("[data-submit]")
    assert "More than 52 times? Only for meals." in page.inner_text("#q-visits_n")
    page.screenshot(path=str(artifact("xlsform-constraint.png")), full_page=True)
    page.uncheck('input[name="used"][value="shower"]')
    answer(page, {"visited": "yes", "used": ["meal", "other"], "used_other": "canary laundry room",
                  "visits_n": "60", "welcome": "4", "comment": "canary-dropin-1"}, js=True)
    assert errors == []
    bosnian = phone.new_page()
    bosnian.goto(f"{live_server.url}/s/{token}?lang=bs")
    assert "Jeste li ove godine posjetili dnevni centar?" in bosnian.inner_text("body")
    assert 'data-msg-constraint="Više od 52 puta? Samo za obroke."' in bosnian.content()

    plain = phone_no_js.new_page()
    plain.goto(f"{live_server.url}/s/{token}?lang=ar")  # right to left, in the form's own Arabic
    assert plain.get_attribute("html", "dir") == "rtl"
    body = plain.inner_text("body")
    assert "أسئلة عن مركز الاستقبال." in body and "هل زرت مركز الاستقبال هذا العام؟" in body and "زياراتك" in body
    assert "Did you visit" not in body
    plain.screenshot(path=str(artifact("xlsform-no-js-ar.png")), full_page=True)
    answer(plain, {"visited": "no", "welcome": "prefer_not_to_say", "comment": "canary-dropin-2"}, js=False)

    export = export_survey(app, uid, tmp_path / "export.jsonl")
    out = tmp_path / "report"
    done = run_analyst("report", export, "--key", analyst_key.private, "--out", out, "--k", "2")
    assert done.returncode == 0, done.stderr
    with open(out / "responses.csv", newline="", encoding="utf-8") as fh:
        rows = sorted(csv.DictReader(fh), key=lambda r: r["comment"])
    columns = ("visited", "used", "used_other", "visits_n", "welcome", "comment")
    assert [tuple(r[c] for c in columns) for r in rows] == [
        ("yes", "meal;other", "canary laundry room", "60", "4", "canary-dropin-1"),
        ("no", "", "", "", "prefer_not_to_say", "canary-dropin-2"),
    ]
    report = (out / "report.html").read_text(encoding="utf-8")
    assert "Did you visit the drop-in centre this year?" in report and "Staff made me feel welcome." in report

    arabic = tmp_path / "report_ar"
    done = run_analyst("report", export, "--key", analyst_key.private, "--out", arabic, "--k", "2", "--lang", "ar")
    assert done.returncode == 0, done.stderr
    report_ar = (arabic / "report.html").read_text(encoding="utf-8")
    assert "هل زرت مركز الاستقبال هذا العام؟" in report_ar and "جعلني الموظفون أشعر بالترحيب." in report_ar
