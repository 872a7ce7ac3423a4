"""One rule set, two paths: for every kind of question, what the no-JavaScript form refuses the
browser refuses too, with the same words, and what one accepts the other accepts. The inputs are
generated from the questionnaire definitions, so a new rule or question type is covered here."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import pytest
from flask import Flask

from survey.core.questionnaire import PREFER_NOT_TO_SAY, Question, load_directory
from survey.server.respond.forms import PNTS_SUFFIX
from tests.conftest import LiveServer, add_survey

if TYPE_CHECKING:
    from playwright.sync_api import BrowserContext, Page

pytestmark = pytest.mark.browser
DEFINITIONS = load_directory()
#: Answers that open the conditional questions the cases need.
OPENERS = {"barriers": {"needed_treatment": "yes"}, "gender_self": {"gender": "self_describe"}}
#: Text that Python's str.strip() (the analyst's) and a browser's String.trim() treat differently.
ODD_SPACE = "\u0085\u3000 \u001c"


@dataclass
class Case:
    questionnaire: str
    question: Question
    #: What is entered: ticked option values, or typed text, and the prefer-not-to-say box.
    chosen: list[str] = field(default_factory=list)
    text: str | None = None
    pnts: bool = False
    #: The kind of problem both paths must name (None: both accept it).
    kind: str | None = None

    @property
    def id(self) -> str:
        what = self.chosen or repr(self.text if self.text is None or len(self.text) < 20 else self.text[:8] + "…")
        return f"{self.question.code}:{what}{'+box' if self.pnts else ''}->{self.kind}"


def _cases() -> list[Case]:
    out: list[Case] = []
    for key, q in (("demo@1", DEFINITIONS["demo@1"]), ("stigma@1", DEFINITIONS["stigma@1"])):
        for question in q.questions():
            if key == "stigma@1" and question.code not in ("gender", "gender_self"):
                continue
            add = lambda **kw: out.append(Case(key, question, **kw))  # noqa: B023, E731
            first = question.option_codes[0] if question.option_codes else ""
            if question.type in ("single", "scale", "multiple"):
                add(chosen=["bogus"], kind="choice")
                if question.required:
                    add(chosen=[], kind="required")
                if question.type == "multiple" and question.prefer_not_to_say:
                    add(chosen=[first, PREFER_NOT_TO_SAY], kind="pnts_alone")
                add(chosen=[first])
            elif question.type == "number":
                assert question.minimum is not None and question.maximum is not None
                for typed in ("thirty", "12.5", "1e3", "1234567890", "+5"):
                    add(text=typed, kind="number")
                for typed in (str(question.minimum - 1), str(question.maximum + 1)):
                    add(text=typed, kind="range")
                add(text=f" {question.minimum} ")
                if question.prefer_not_to_say:
                    add(text=str(question.minimum), pnts=True, kind="pnts_alone")
            else:
                assert question.max_length is not None
                add(text="x" * (question.max_length + 1), kind="length")
                add(text=PREFER_NOT_TO_SAY, kind="reserved")
                add(text=f"  {PREFER_NOT_TO_SAY}{ODD_SPACE}", kind="reserved")
                add(text=ODD_SPACE)  # only space: no answer, on both paths
                add(text="x" * question.max_length + ODD_SPACE)
                if question.prefer_not_to_say:
                    add(text="my own words", pnts=True, kind="pnts_alone")
    return out


CASES = _cases()
ERROR = re.compile(r'<p class="error-message" id="([a-z_]+)-error"><span class="visually-hidden">[^<]*</span> ([^<]*)</p>')


def _form_path(app: Flask, token: str, case: Case) -> dict[str, str]:
    """The field errors the server gives for the case, posted as the plain form posts it."""
    code = case.question.code
    data: dict[str, str | list[str]] = dict(OPENERS.get(code, {}))
    if case.question.type in ("single", "scale", "multiple"):
        data[code] = case.chosen
    else:
        data[code] = case.text or ""
    if case.pnts:
        data[code + PNTS_SUFFIX] = "y"
    if case.questionnaire == "demo@1" and code != "needed_treatment":
        data.setdefault("needed_treatment", "yes")
    response = app.test_client().post(f"/s/{token}", data=data)
    assert response.status_code in (303, 400)
    return {c: html.unescape(m) for c, m in ERROR.findall(response.get_data(as_text=True))}


def _browser_path(page: Page, url: str, case: Case) -> dict[str, str]:
    """The field errors the browser shows for the case, entered on its step and sent on."""
    code = case.question.code
    page.goto(url)
    page.wait_for_selector("html.enhanced")
    opener = dict(OPENERS.get(code, {}))
    if case.questionnaire == "demo@1" and code != "needed_treatment":
        opener.setdefault("needed_treatment", "yes")
    for _ in range(30):
        for name, value in opener.items():
            target = page.locator(f'input[name="{name}"][value="{value}"]')
            if target.is_visible():
                target.check()
        if page.is_visible(f"#q-{code}"):
            break
        page.click("[data-submit]")
    else:
        raise AssertionError(f"{code} never shown")
    page.evaluate(
        """([code, chosen, text, box]) => {
            const q = document.getElementById("q-" + code);
            if (text === null) {
                const inputs = [...q.querySelectorAll("input[name='" + code + "']")];
                chosen.forEach((value, i) => {
                    let input = inputs.find(el => el.value === value);
                    if (!input) { input = inputs[inputs.length - 1 - i]; input.value = value; }  // a forged option
                    input.checked = true;
                });
            } else {
                document.getElementById(code).value = text;  // as typed, past any maxlength
            }
            const pnts = q.querySelector("input[name='" + code + "__pnts']");
            if (pnts) pnts.checked = box;
            q.dispatchEvent(new Event("change", {bubbles: true}));
        }""",
        [code, case.chosen, case.text, case.pnts],
    )
    page.click("[data-submit]")
    return dict(page.evaluate(
        """() => [...document.querySelectorAll('.question:not([hidden]) .error-message')]
               .map(p => [p.id.replace(/-error$/, ''), p.lastChild.textContent.trim()])"""
    ))


@pytest.fixture
def tokens(app: Flask) -> dict[str, str]:
    return {key: add_survey(app, key)[1] for key in ("demo@1", "stigma@1")}


def test_the_browser_refuses_exactly_what_the_server_refuses_with_the_same_words(
    app: Flask, live_server: LiveServer, phone: BrowserContext, tokens: dict[str, str]
) -> None:
    page = phone.new_page()
    disagree: dict[str, tuple[dict[str, str], dict[str, str]]] = {}
    for case in CASES:
        token = tokens[case.questionnaire]
        server = _form_path(app, token, case)
        browser = _browser_path(page, f"{live_server.url}/s/{token}", case)
        code = case.question.code
        expected_kind = case.kind is not None
        if server != browser or (code in server) != expected_kind or (code in browser) != expected_kind:
            disagree[case.id] = (server, browser)
    assert len(CASES) > 25
    assert disagree == {}
