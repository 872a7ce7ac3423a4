"""Conditions and constraints (survey/core/expression.py): the shared table of cases, the bounds
that keep a hostile definition from exhausting memory or the stack, and the checks that tie an
expression to its questionnaire. The same table runs in Chromium (tests/test_browser_expression.py)."""

from __future__ import annotations

import html
import json
import random
import time
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from survey.core import expression
from survey.core.expression import ExpressionError, evaluate, parse, to_json, to_source
from survey.core.questionnaire import (
    CONSTRAINT,
    PREFER_NOT_TO_SAY,
    AnswerError,
    DefinitionError,
    Questionnaire,
    load_directory,
)
from survey.core.questionnaire import parse as parse_definition
from tests.conftest import add_survey
from tests.helpers import count_responses

CASES: list[dict[str, Any]] = json.loads((Path(__file__).parent / "data" / "expression_cases.json").read_text("utf-8"))


def _id(case: dict[str, Any]) -> str:
    text = case["expression"]
    return text if len(text) < 50 else text[:40] + f"…({len(text)})"


def test_the_table_covers_what_it_must() -> None:
    ok = [c for c in CASES if "refused" not in c]
    refused = [c for c in CASES if "refused" in c]
    assert len(CASES) >= 60 and len(refused) >= 20 and len(ok) >= 40
    text = " ".join(c["expression"] for c in ok)
    for needed in ("selected(", "count-selected(", "string-length(", "not(", " or ", " and ", "!=", "<=", ">=", "'", '"', "."):
        assert needed in text
    assert any(not c["answers"] and "${" in c["expression"] for c in ok)  # missing answers
    assert any(isinstance(v, list) for c in ok for v in c["answers"].values())  # multiple choice
    assert any(v == PREFER_NOT_TO_SAY for c in ok for v in c["answers"].values())


@pytest.mark.parametrize("case", CASES, ids=_id)
def test_shared_case(case: dict[str, Any]) -> None:
    if "refused" in case:
        with pytest.raises(ExpressionError) as caught:
            parse(case["expression"])
        assert case["refused"] in str(caught.value)
        if "at" in case:
            assert caught.value.position == case["at"]
            assert str(caught.value).endswith(f"at character {case['at']}")
        return
    tree = parse(case["expression"])
    value = evaluate(tree, case["answers"], case.get("current"))
    expected = case["expected"]
    assert value == expected and type(value) is type(expected) or (
        isinstance(expected, int | float) and not isinstance(expected, bool) and type(value) is float
    ), (value, expected)
    # The browser's form is plain JSON, and the text form parses back to the same tree.
    assert json.loads(json.dumps(to_json(tree), allow_nan=False)) == to_json(tree)
    assert parse(to_source(tree)) == tree


@pytest.mark.parametrize(
    "hostile",
    [
        "(" * 100_000,
        "not(" * 50_000,
        "(" * 3000 + "1" + ")" * 3000,
        " or ".join(["${a} = 1"] * 2000),
        "'" + "x" * 1_000_000,
        "${" + "a" * 100_000 + "}",
        "9" * 5000,
    ],
    ids=["open-parens", "nested-not", "deep-parens", "long-or", "megabyte", "long-code", "long-number"],
)
def test_hostile_expressions_are_refused_quickly_without_exhausting_the_stack(hostile: str) -> None:
    start = time.perf_counter()
    with pytest.raises(ExpressionError):
        parse(hostile)
    assert time.perf_counter() - start < 1.0


def test_the_tree_has_no_names_but_answer_codes() -> None:
    tree = parse("selected(${a}, 'x') and count-selected(${b}) >= 2 or not(${c} = .)")
    kinds = {type(n).__name__ for n in expression.walk(tree)}
    assert kinds <= {"Literal", "Ref", "Current", "Compare", "All", "Any_", "Not", "Selected", "CountSelected", "StringLength"}
    assert expression.references(tree) == ["a", "b", "c"]
    assert expression.uses_current(tree)


def random_expression(rng: random.Random, depth: int = 0) -> str:
    """A random expression of the language (for the Python/Chromium agreement check)."""
    atoms = ["${a}", "${b}", ".", "''", "'x'", "'a b'", "'5'", "'05'", "'prefer_not_to_say'", "5", "0", "-1", "0.5", "10"]
    kind = rng.randrange(8 if depth < 3 else 3)
    if kind == 0:
        return rng.choice(atoms)
    if kind == 1:
        return f"{rng.choice(atoms)} {rng.choice(['=', '!=', '<', '<=', '>', '>='])} {rng.choice(atoms)}"
    if kind == 2:
        return rng.choice(["selected(${m}, 'x')", "selected(${a}, 'b')", "count-selected(${m})", "string-length(${a})",
                           "count-selected(.) >= 2", "string-length(.) < 3"])
    if kind in (3, 4):
        joiner = " and " if kind == 3 else " or "
        return joiner.join(random_expression(rng, depth + 1) for _ in range(rng.randint(2, 3)))
    if kind == 5:
        return f"not({random_expression(rng, depth + 1)})"
    if kind == 6:
        return f"({random_expression(rng, depth + 1)})"
    return f"({random_expression(rng, depth + 1)}) {rng.choice(['=', '!=', '<', '>='])} {rng.choice(atoms)}"


def random_answers(rng: random.Random) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for code, values in (
        ("a", ["x", "5", " 5 ", "05", "1e3", "+5", "a b", 5, 0, -1, "prefer_not_to_say", ""]),
        ("b", ["b", "10", 10, 3, "prefer_not_to_say"]),
        ("m", [["x"], ["x", "y"], ["y", "z", "x"], "prefer_not_to_say"]),
    ):
        if rng.random() < 0.75:
            out[code] = rng.choice(values)
    return out


def test_random_expressions_print_back_to_the_same_tree() -> None:
    rng = random.Random(18)
    for _ in range(2000):
        tree = parse(random_expression(rng))
        assert parse(to_source(tree)) == tree
        evaluate(tree, random_answers(rng), rng.choice(["a", "m", None]))  # never raises


# -- tied to a questionnaire --------------------------------------------------------------------

BASE = """id = "t"
version = 1
title = "T"
[[sections]]
code = "s"
title = "S"
[[sections.questions]]
code = "used"
type = "single"
text = "Used?"
prefer_not_to_say = true
options = [{ code = "yes", value = 1, label = "Yes" }, { code = "no", value = 2, label = "No" }]
[[sections.questions]]
code = "kinds"
type = "multiple"
text = "Which?"
options = [{ code = "a", value = 1, label = "A" }, { code = "b", value = 2, label = "B" }, { code = "c", value = 3, label = "C" }]
[[sections.questions]]
code = "age"
type = "number"
text = "Age?"
min = 0
max = 120
prefer_not_to_say = true
"""


def _with(extra: str) -> str:
    return BASE + extra


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ('relevant = "${later} = 1"', "question age: 'relevant' refers to ${later}, which is not an earlier question"),
        ('relevant = "${age} > 3"', "'relevant' refers to ${age}, which is not an earlier question"),
        ('relevant = ". > 3"', "'relevant' cannot use '.'"),
        ('relevant = "selected(${used}, \'maybe\')"', "${used} has no option 'maybe'"),
        ('constraint = "count-selected(.) > 1"', "count-selected() needs a choice question, not ${age}"),
        ('relevant = "${used} = \'yes\' or"', "'relevant': expected a value, found the end at character 19"),
        ('relevant = "eval(1)"', "unknown name 'eval'"),
        ("relevant = 3", "'relevant' must be text"),
        ('relevant = "${used} = \'yes\'"\nshow_if = { question = "used", any_of = ["yes"] }', "not both"),
        ('constraint_message = "Too old."', "'constraint_message' needs a 'constraint'"),
        ('constraint = "selected(., \'x\')"', "selected() needs a choice question, not ${age}"),
        ('constraint = "${nope} > 1"', "'constraint' refers to ${nope}"),
    ],
)
def test_a_bad_condition_or_constraint_is_a_definition_error_naming_the_question(extra: str, message: str) -> None:
    source = BASE.replace('code = "age"\n', 'code = "age"\n' + extra + "\n")
    with pytest.raises(DefinitionError) as caught:
        parse_definition(source, "mine.toml")
    assert str(caught.value).startswith("mine.toml: question age: ")
    assert message in str(caught.value)


def test_show_if_is_the_same_tree_as_relevant() -> None:
    demo = load_directory()["demo@1"].question("barriers")
    assert demo.show_if is not None
    assert demo.relevant == parse("selected(${needed_treatment}, 'yes')")
    assert demo.show_if.holds({"needed_treatment": "yes"}) and not demo.show_if.holds({"needed_treatment": "no"})
    written = parse_definition(_with('relevant = "selected(${kinds}, \'a\') or selected(${kinds}, \'b\')"\n'))
    as_show_if = parse_definition(_with('show_if = { question = "kinds", any_of = ["a", "b"] }\n'))
    assert written == as_show_if  # the same meaning is the same definition


def test_answers_to_questions_not_shown_are_dropped_and_constraints_refuse_with_their_message() -> None:
    q = parse_definition(_with(
        'relevant = "${used} = \'yes\' and count-selected(${kinds}) >= 2"\n'
        'constraint = ". >= 16 and . != 99"\n'
        'constraint_message = "People under 16 cannot take part."\n'
    ))
    assert q.validate_answers({"used": "no", "age": 40}) == {"used": "no"}
    assert q.validate_answers({"used": "yes", "kinds": ["a"], "age": 40}) == {"used": "yes", "kinds": ["a"]}
    full = {"used": "yes", "kinds": ["c", "a"], "age": 40}
    assert q.validate_answers(full) == {"used": "yes", "kinds": ["a", "c"], "age": 40}
    for age in (15, 99):
        with pytest.raises(AnswerError) as caught:
            q.validate_answers({**full, "age": age})
        assert caught.value.kinds == {"age": CONSTRAINT}
        assert caught.value.problems == {"age": "People under 16 cannot take part."}
    # Prefer-not-to-say is never refused by a constraint.
    assert q.validate_answers({**full, "age": PREFER_NOT_TO_SAY})["age"] == PREFER_NOT_TO_SAY


def test_a_condition_sees_only_answers_that_were_shown() -> None:
    q = parse_definition(BASE.replace(
        'code = "kinds"\n', 'code = "kinds"\nrelevant = "${used} = \'yes\'"\n'
    ).replace('code = "age"\n', 'code = "age"\nrelevant = "selected(${kinds}, \'a\')"\n'))
    # kinds is not shown (used = no), so its answer is dropped and age, which depends on it, too.
    assert q.validate_answers({"used": "no", "kinds": ["a"], "age": 30}) == {"used": "no"}


# -- on the server, without JavaScript ----------------------------------------------------------

FORM = """id = "conditions"
version = 1
title = "Conditions"
[[sections]]
code = "s"
title = "Section"
[[sections.questions]]
code = "used"
type = "single"
text = "Did you use the service?"
prefer_not_to_say = true
options = [{ code = "yes", value = 1, label = "Yes" }, { code = "no", value = 2, label = "No" }]
[[sections.questions]]
code = "kinds"
type = "multiple"
text = "Which kinds?"
relevant = "${used} = 'yes'"
options = [{ code = "a", value = 1, label = "Kind A" }, { code = "b", value = 2, label = "Kind B" }, { code = "c", value = 3, label = "Kind C" }]
[[sections.questions]]
code = "age"
type = "number"
text = "How old are you?"
min = 0
max = 120
prefer_not_to_say = true
relevant = "count-selected(${kinds}) >= 2"
constraint = ". >= 16"
constraint_message = "People under 16 cannot take part in this survey."
"""


def field(app: Flask, source: str = FORM) -> Questionnaire:
    """Add a definition (the one above) to the app's registry of definitions (as an import would)."""
    q = parse_definition(source, "test.toml")
    registry = app.extensions["questionnaires"]
    getattr(registry, "builtin", registry)[q.key] = q
    return q




def test_without_javascript_conditions_are_in_words_answers_not_asked_are_dropped_constraints_refuse(app: Flask) -> None:
    field(app)
    _uid, token = add_survey(app, "conditions@1")
    client = app.test_client()
    page = html.unescape(client.get(f"/s/{token}").get_data(as_text=True))
    assert "Only answer this if your answer to “Did you use the service?” was: Yes." in page
    assert "Only answer this if you chose at least 2 answers to “Which kinds?”." in page
    assert 'aria-describedby="age-condition' in page or "age-condition" in page
    # The constraint, with its own words, on an answer the condition asks for.
    refused = client.post(f"/s/{token}", data={"used": "yes", "kinds": ["a", "b"], "age": "12"})
    assert refused.status_code == 400
    assert "People under 16 cannot take part in this survey." in html.unescape(refused.get_data(as_text=True))
    assert count_responses(app) == 0
    # Answers to questions whose condition is false were not asked: dropped, not refused.
    assert client.post(f"/s/{token}", data={"used": "no", "kinds": ["a", "b"], "age": "12"}).status_code == 303
    assert count_responses(app) == 1
    # ... even a mistake in one: "thirty" is not a number, but the question was not asked.
    assert client.post(f"/s/{token}", data={"used": "yes", "kinds": ["a"], "age": "thirty"}).status_code == 303
    assert count_responses(app) == 2


def test_service_access_2_asks_about_barriers_only_after_an_unmet_need_and_version_1_is_unchanged() -> None:
    definitions = load_directory()
    v1, v2 = definitions["service_access@1"], definitions["service_access@2"]
    assert v1.question("barriers").relevant is None  # surveys made with version 1 keep asking everyone
    assert [s.code for s in v1.sections] == [s.code for s in v2.sections] and v1.codes == v2.codes
    services = [q.code for q in v2.sections[0].questions]
    assert len(services) == 14
    for code in services:
        for answer, asked in (("tried_could_not_get", True), ("needed_did_not_try", True),
                              ("needed_and_used", False), ("not_needed", False), (PREFER_NOT_TO_SAY, False)):
            answers = {**dict.fromkeys(services, "not_needed"), code: answer, "barriers": ["cost"]}
            assert ("barriers" in v2.validate_answers(answers)) is asked, (code, answer)
    assert "barriers" not in v2.validate_answers({"barriers": ["cost"]})  # no services answered


def test_service_access_2_says_its_condition_in_words_by_section(app: Flask) -> None:
    _uid, token = add_survey(app, "service_access@2")
    page = html.unescape(app.test_client().get(f"/s/{token}").get_data(as_text=True))
    assert ("Only answer this if your answer to any question in “Services you needed” was: "
            "I tried to get it but could not / I needed it but did not try to get it.") in page


@pytest.mark.parametrize(
    ("lang", "start"),
    [
        ("de", "Beantworten Sie dies nur, wenn Ihre Antwort auf eine der Fragen unter „"),
        ("ar", "أجب عن هذا فقط إذا كانت إجابتك عن أي سؤال في «"),
        ("sr", "Одговорите на ово само ако је ваш одговор на било које питање у делу „"),
    ],
    ids=["de", "ar", "sr"],
)
def test_the_words_of_a_condition_are_in_the_respondents_language(app: Flask, lang: str, start: str) -> None:
    _uid, token = add_survey(app, "service_access@2")
    page = html.unescape(app.test_client().get(f"/s/{token}?lang={lang}").get_data(as_text=True))
    words = page.split('id="barriers-condition">', 1)[1].split("</p>", 1)[0]
    assert words.startswith(start), words
    assert "Services you needed" not in words and "I tried to get it" not in words  # all translated
