"""The analyst's own words: one generated table, current with the catalogs, read without Babel;
labels of a questionnaire's codes in the report's language, from the export's translations."""

from __future__ import annotations

from pathlib import Path

import pytest

from survey.analyst.interface import Interface
from survey.analyst.labels import Labels
from survey.core.questionnaire import load_directory
from survey.devtools.analyst_catalog import OUTPUT, analyst_message_ids, catalog_text


def test_the_shipped_table_is_what_the_catalogs_give() -> None:
    assert OUTPUT.read_text(encoding="utf-8") == catalog_text(), (
        "survey/analyst/interface_texts.json is out of date: run python -m survey.devtools.analyst_catalog")


def test_message_ids_come_from_the_analyst_source() -> None:
    ids = analyst_message_ids()
    assert "Prefer not to say" in ids and "Bosnian" in ids


def test_unknown_language_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown language"):
        Interface("xx")


def test_labels_translate_questions_options_and_language_names() -> None:
    q = load_directory()["stigma@1"]
    question = q.question("exp_family")
    point = question.scale[0]
    translations = {"bs": {question.text: "Porodica", point.label: "Nikad", q.title: "Naslov"}}
    bs = Labels(q, translations, "bs")
    assert bs.question("exp_family") == "Porodica"
    assert bs.option("exp_family", str(point.value)) == "Nikad"
    assert bs.title == "Naslov"
    assert bs.scale_points("exp_family")[point.value] == "Nikad"
    # no translation: the definition's own text; an export without translations reports in English
    en = Labels(q, {}, "en")
    assert en.question("exp_family") == question.text
    assert en.language_name("bs") == "Bosnian"
    assert en.group("lang", "ar") == "Arabic"
    assert en.option("exp_family", "prefer_not_to_say") == "Prefer not to say"
    assert Labels(q, None, "ar").question("exp_health") == q.question("exp_health").text


def _export_with(tmp_path: Path, questionnaire: dict[str, object]) -> Path:
    from survey.core import export_format

    path = tmp_path / "export.jsonl"
    manifest = {"survey": {"uid": "u1", "title": "t"}, "key_id": "k", "questionnaire": questionnaire}
    with open(path, "wb") as fh:
        export_format.write(fh, manifest, [])
    return path


def test_the_manifest_check_takes_translations_of_the_right_shape_or_none(tmp_path: Path) -> None:
    from survey.analyst.labels import translations_in
    from survey.core.export_format import ExportFileError, read_manifest

    base = {"id": "demo", "version": 1, "definition": "x"}
    old = read_manifest(_export_with(tmp_path, base))  # an export made before translations
    assert translations_in(old) == {}
    good = read_manifest(_export_with(tmp_path, {**base, "translations": {"bs": {"Yes": "Da"}}}))
    assert translations_in(good) == {"bs": {"Yes": "Da"}}
    wrongs: list[object] = [[], {"bs": ["Da"]}, {"bs": {"Yes": 1}}, "bs"]
    for wrong in wrongs:
        with pytest.raises(ExportFileError, match="questionnaire.translations"):
            read_manifest(_export_with(tmp_path, {**base, "translations": wrong}))
