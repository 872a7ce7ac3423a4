"""Conditions and constraints in Chromium: the shared table of cases evaluated by the page's own
expression.js (inline in the questionnaire page, allowed by its hash in the CSP), and a
questionnaire with a condition and a constraint answered with JavaScript on, where questions appear
and disappear as the server's validation decides and a refused answer gets the constraint's words."""

from __future__ import annotations

import json
import random
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from flask import Flask
from werkzeug.serving import make_server

from survey.core.expression import ExpressionError, evaluate, parse, to_json
from tests.conftest import LiveServer, add_survey, artifact
from tests.helpers import count_responses, review_text
from tests.test_expression import field, random_answers, random_expression

if TYPE_CHECKING:
    from playwright.sync_api import BrowserContext

pytestmark = pytest.mark.browser
CASES: list[dict[str, Any]] = json.loads((Path(__file__).parent / "data" / "expression_cases.json").read_text("utf-8"))


def test_the_shared_table_gives_the_same_values_in_chromium(app: Flask, live_server: LiveServer, phone: BrowserContext) -> None:
    _uid, token = add_survey(app)
    page = phone.new_page()
    response = page.goto(f"{live_server.url}/s/{token}")
    assert response is not None
    csp = response.headers["content-security-policy"]
    assert "unsafe-eval" not in csp and "unsafe-inline" not in csp
    page.wait_for_selector("html.enhanced")
    trees, expected = [], []
    for case in CASES:
        if "refused" in case:  # refused by the server's parser: no tree ever reaches a browser
            with pytest.raises(ExpressionError):
                parse(case["expression"])
            continue
        trees.append({"tree": to_json(parse(case["expression"])), "answers": case["answers"], "current": case.get("current")})
        expected.append(case["expected"])
    got = page.evaluate(
        "cases => cases.map(c => window.surveyExpression.evaluate(c.tree, c.answers, c.current))", trees
    )
    assert len(got) == len(expected) >= 60
    wrong = [
        (case["expression"], g, e) for case, g, e in zip([c for c in CASES if "refused" not in c], got, expected, strict=True)
        if g != e or isinstance(g, bool) != isinstance(e, bool)
    ]
    assert not wrong


@pytest.fixture
def served(app: Flask) -> Iterator[str]:
    """The test's app itself in a real HTTP server (so a definition added to it is served)."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(5)


def test_conditions_and_constraints_apply_live_with_the_servers_words(app: Flask, served: str, phone: BrowserContext) -> None:
    field(app)
    _uid, token = add_survey(app, "conditions@1")
    page = phone.new_page()
    page.goto(f"{served}/s/{token}")
    page.wait_for_selector("html.enhanced")
    assert page.is_hidden("#q-kinds") and page.is_hidden("#q-age")
    page.check('input[name="used"][value="yes"]')
    assert page.is_visible("#q-kinds") and page.is_hidden("#q-age")
    page.check('input[name="kinds"][value="a"]')
    assert page.is_hidden("#q-age")  # one kind: count-selected(${kinds}) >= 2 is false
    page.check('input[name="kinds"][value="c"]')
    assert page.is_visible("#q-age")
    page.fill("#age", "12")
    page.click("[data-submit]")
    assert page.inner_text("#q-age .error-message").endswith("People under 16 cannot take part in this survey.")
    page.locator("#q-age").screenshot(path=artifact("constraint-refused-js.png"))
    page.check('input[name="age__pnts"]')  # prefer-not-to-say is never refused by a constraint
    page.fill("#age", "")
    page.click("[data-submit]")
    assert page.is_hidden("#q-age .error-message")
    # Back to the question: 30 meets the constraint; then "no" hides both questions again.
    page.go_back()
    page.uncheck('input[name="age__pnts"]')
    page.fill("#age", "30")
    page.check('input[name="used"][value="no"]')
    assert page.is_hidden("#q-kinds") and page.is_hidden("#q-age")
    page.click("[data-submit]")
    page.wait_for_selector("[data-review]:not([hidden])")
    review = review_text(page)
    assert "Did you use the service?" in review and "Which kinds?" not in review and "How old" not in review
    page.click("[data-submit]")
    page.wait_for_url("**/thanks**")
    assert count_responses(app) == 1


def test_service_access_2_shows_barriers_only_after_an_unmet_need(app: Flask, live_server: LiveServer, phone: BrowserContext) -> None:
    _uid, token = add_survey(app, "service_access@2")
    page = phone.new_page()
    page.goto(f"{live_server.url}/s/{token}")
    page.wait_for_selector("html.enhanced")
    barriers = page.locator("#q-barriers")
    assert barriers.get_attribute("hidden") is not None  # nothing answered: no unmet need
    page.check('input[name="svc_detox"][value="needed_and_used"]')
    assert barriers.get_attribute("hidden") is not None
    page.check('input[name="svc_detox"][value="tried_could_not_get"]')
    assert barriers.get_attribute("hidden") is None
    page.check('input[name="svc_detox"][value="not_needed"]')
    assert barriers.get_attribute("hidden") is not None
    page.check('input[name="svc_detox"][value="needed_did_not_try"]')
    assert barriers.get_attribute("hidden") is None


def test_without_javascript_the_barriers_question_says_whom_it_is_for(app: Flask, live_server: LiveServer, phone_no_js: BrowserContext) -> None:
    _uid, token = add_survey(app, "service_access@2")
    page = phone_no_js.new_page()
    page.goto(f"{live_server.url}/s/{token}")
    page.check('input[name="svc_detox"][value="tried_could_not_get"]')
    for _ in range(10):  # the pages of services, then the barriers
        if page.is_visible("#q-barriers"):
            break
        page.click("[data-submit]")
    words = page.locator("#barriers-condition")
    assert words.is_visible()
    assert words.inner_text() == (
        "Only answer this if your answer to any question in “Services you needed” was: "
        "I tried to get it but could not / I needed it but did not try to get it."
    )
    assert "barriers-condition" in (page.locator("#q-barriers fieldset").get_attribute("aria-describedby") or "")
    page.locator("#q-barriers").screenshot(path=artifact("condition-in-words-no-js.png"))


SORTED = """id = "sorted"
version = 1
title = "Sorted"
[[sections]]
code = "s"
title = "Section"
[[sections.questions]]
code = "pets"
type = "multiple"
text = "Which animals?"
sort_options = true
options = [{ code = "z", value = 1, label = "Zebra" }, { code = "a", value = 2, label = "Ant" }]
[[sections.questions]]
code = "both"
type = "text"
text = "Why both?"
max_length = 100
relevant = "${pets} = 'z a'"
"""


def test_a_condition_on_a_whole_multiple_choice_does_not_depend_on_the_order_shown(app: Flask, served: str, phone: BrowserContext) -> None:
    """The page shows Ant before Zebra (sorted); the answer is kept as the definition orders it."""
    q = field(app, SORTED)
    assert q.validate_answers({"pets": ["a", "z"], "both": "x"}) == {"pets": ["z", "a"], "both": "x"}
    _uid, token = add_survey(app, "sorted@1")
    page = phone.new_page()
    page.goto(f"{served}/s/{token}")
    page.wait_for_selector("html.enhanced")
    assert page.locator("#q-pets label").all_inner_texts()[:2] == ["Ant", "Zebra"]
    page.check('input[name="pets"][value="a"]')
    page.check('input[name="pets"][value="z"]')
    assert page.locator("#q-both").get_attribute("hidden") is None


def test_python_and_chromium_agree_on_random_expressions(app: Flask, live_server: LiveServer, phone: BrowserContext) -> None:
    rng = random.Random(18)
    cases = []
    for _ in range(1500):
        text = random_expression(rng)
        answers = random_answers(rng)
        current = rng.choice(["a", "m", None])
        tree = parse(text)
        cases.append({"text": text, "tree": to_json(tree), "answers": answers, "current": current,
                      "python": evaluate(tree, answers, current)})
    _uid, token = add_survey(app)
    page = phone.new_page()
    page.goto(f"{live_server.url}/s/{token}")
    page.wait_for_selector("html.enhanced")
    got = page.evaluate("cases => cases.map(c => window.surveyExpression.evaluate(c.tree, c.answers, c.current))", cases)
    wrong = [(c["text"], c["answers"], c["current"], c["python"], g) for c, g in zip(cases, got, strict=True)
             if g != c["python"] or isinstance(g, bool) != isinstance(c["python"], bool)]
    assert not wrong, wrong[:5]
