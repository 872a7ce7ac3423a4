"""Our instruments written as XLSForm, converted by pyxform, and read back to equal definitions."""

from __future__ import annotations

import io
import shutil

import pytest
from openpyxl import load_workbook
from pyxform.xls2xform import convert

from survey.core.languages import LANGUAGES
from survey.core.questionnaire import load_directory, parse
from survey.server.questionnaire_texts import translations_for
from survey.server.xlsform_export import xlsform_bytes
from survey.server.xlsform_import import read_xlsform
from tests.xlsform_files import EN, workbook

BUILTIN = load_directory()


@pytest.mark.parametrize("key", sorted(BUILTIN))  # stigma, service_access (both versions), demo
def test_export_converts_and_imports_back_equal(key: str) -> None:
    q = BUILTIN[key]
    translations = translations_for(q, list(LANGUAGES))
    data = xlsform_bytes(q, "en", list(LANGUAGES), translations)

    result = convert(data, file_type=".xlsx")  # pyxform, as ODK and Kobo use it
    assert "<h:title>" in result.xform and f'id="{q.id}"' in result.xform
    for lang in LANGUAGES:
        assert f'lang="{LANGUAGES[lang]} ({lang})"' in result.xform

    back = read_xlsform(data)
    assert back.questionnaire == q
    assert parse(back.questionnaire.source) == q  # the stored TOML is a definition like ours
    assert back.language == "en" and back.languages == tuple(LANGUAGES)
    # Every translation comes back, except that pyxform's reader turns no-break spaces into spaces.
    assert back.translations == {
        lang: {k: v.replace("\xa0", " ") for k, v in texts.items()} for lang, texts in translations.items()
    }
    assert sum(len(t) for t in back.translations.values()) > 12 * len(list(q.strings())) // 2


@pytest.mark.skipif(shutil.which("java") is None, reason="ODK Validate (bundled with pyxform) needs Java")
@pytest.mark.parametrize("key", ["stigma@1", "service_access@1", "service_access@2"])
def test_odk_validate_accepts_the_export(key: str) -> None:
    """JavaRosa, the engine of ODK Collect, through the ODK Validate that pyxform bundles: the
    exported form (scores' XPath, relevance, constraints, 13 languages) is one ODK can field."""
    q = BUILTIN[key]
    data = xlsform_bytes(q, "en", list(LANGUAGES), translations_for(q, list(LANGUAGES)))
    convert(data, file_type=".xlsx", validate=True)  # raises on any ODK Validate error


def test_every_condition_option_value_and_score_survive() -> None:
    q = BUILTIN["service_access@1"]
    back = read_xlsform(xlsform_bytes(q, "en", ["en"], {})).questionnaire
    conditions = [x.show_if for x in q.questions() if x.show_if is not None]
    assert conditions and conditions == [x.show_if for x in back.questions() if x.show_if is not None]
    assert [o.value for x in q.questions() for o in x.options] == [o.value for x in back.questions() for o in x.options]
    stigma = BUILTIN["stigma@1"]
    assert stigma.scores and read_xlsform(xlsform_bytes(stigma, "en", ["en"], {})).questionnaire.scores == stigma.scores


def test_a_text_that_looks_like_a_formula_is_written_as_text() -> None:
    q = parse(BUILTIN["demo@1"].source.replace('title = "Your experience of services"', 'title = "=HYPERLINK(\\"http://x\\")"'))
    data = xlsform_bytes(q, "en", ["en"], {})
    ws = load_workbook(io.BytesIO(data))["survey"]
    cell = ws.cell(row=2, column=3)
    assert cell.value == '=HYPERLINK("http://x")' and cell.data_type == "s"
    assert read_xlsform(data).questionnaire.title == '=HYPERLINK("http://x")'


WITH_EXPRESSIONS = '''
id = "conditions"
version = 2
title = "Conditions"

[[sections]]
code = "main"
title = "Main"

[[sections.questions]]
code = "used"
type = "multiple"
text = "Which services did you use?"
options = [
  { code = "shelter", value = 1, label = "Shelter" },
  { code = "clinic", value = 2, label = "Clinic" },
  { code = "other", value = 9, label = "Other" },
]
constraint = "count-selected(.) <= 2"
constraint_message = "Choose at most two."
randomize = true

[[sections.questions]]
code = "used_other"
type = "text"
text = "Which other service?"
max_length = 200
relevant = "selected(${used}, 'other')"

[[sections.questions]]
code = "age"
type = "number"
text = "How old are you?"
min = 16
max = 99
constraint = ". != 50 or not(selected(${used}, 'clinic'))"
constraint_message = "Check the age."

[[sections.questions]]
code = "why"
type = "text"
text = "Why?"
max_length = 300
relevant = "(${age} >= 18 and selected(${used}, 'shelter')) or count-selected(${used}) > 1"
constraint = "string-length(.) >= 3"
'''


def test_conditions_and_constraints_survive() -> None:
    q = parse(WITH_EXPRESSIONS)
    data = xlsform_bytes(q, "en", ["en"], {})
    assert "randomize(instance('used')" in convert(data, file_type=".xlsx").xform  # ODK shuffles it too
    back = read_xlsform(data).questionnaire
    assert back == q and back.question("used").randomize


def test_a_range_with_its_own_message_is_the_range_and_a_constraint() -> None:
    survey = [{"type": "begin_group", "name": "g", EN: "G"},
              {"type": "integer", "name": "age", EN: "Age?", "constraint": ". >= 16 and . <= 99",
               "constraint_message::English (en)": "From 16 to 99, please."},
              {"type": "end_group", "name": "g"}]
    q = read_xlsform(workbook(survey, settings={"form_id": "ages"})).questionnaire
    age = q.question("age")
    assert (age.minimum, age.maximum) == (16, 99)
    assert age.constraint is not None and age.constraint_message == "From 16 to 99, please."
    assert q.validate_answers({"age": 30}) == {"age": 30}
    assert read_xlsform(xlsform_bytes(q, "en", ["en"], {})).questionnaire == q
