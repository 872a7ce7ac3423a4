"""Labels for codes, in the report's language: questions, options, sections, scores, languages.

Built from a questionnaire, the translations its export carries (``manifest.questionnaire.
translations``: ``{lang: {source_text: translated_text}}``, see survey.server.questionnaire_texts)
and a language. A text without a translation, and every text of an export made before exports
carried translations, is shown as written in the definition (English for the built-ins). The
analyst's own words ("Prefer not to say", "No answer", language names) come from
:mod:`survey.analyst.interface`. Used by the report and by the XLSX, SPSS and Stata writers.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from survey.analyst.aggregate import ALL, ANSWERED, NO_ANSWER, NO_SCORE, TOTAL
from survey.analyst.interface import Interface
from survey.core.questionnaire import CHOICE_TYPES, PREFER_NOT_TO_SAY, Question, Questionnaire


def translations_in(manifest: Mapping[str, Any]) -> dict[str, dict[str, str]]:
    """The translations an export's manifest carries (none for an export made before they were)."""
    found = manifest.get("questionnaire", {}).get("translations", {})
    return found if isinstance(found, dict) else {}


class Labels:
    """Labels of one questionnaire's codes in one language."""

    def __init__(self, q: Questionnaire, translations: Mapping[str, Mapping[str, str]] | None = None,
                 lang: str = "en", ui: Interface | None = None) -> None:
        self.q = q
        self.lang = lang
        self.ui = ui if ui is not None and ui.lang == lang else Interface(lang)
        self.texts: Mapping[str, str] = (translations or {}).get(lang, {})
        self._questions = {question.code: question for question in q.questions()}
        _ = self.ui.gettext
        self.special = {
            PREFER_NOT_TO_SAY: _("Prefer not to say"),
            NO_ANSWER: _("No answer"),
            ANSWERED: _("Answered"),
            NO_SCORE: _("No score"),
            ALL: _("All responses"),
            TOTAL: _("Total"),
        }

    def text(self, source: str) -> str:
        """A text of the definition in this language (as written where it has no translation)."""
        return self.texts.get(source) or source

    @property
    def title(self) -> str:
        return self.text(self.q.title)

    def question(self, code: str) -> str:
        """A question's text, a score's label, or the code itself when it is neither."""
        found = self._questions.get(code)
        if found is not None:
            return self.text(found.text)
        for sc in self.q.scores:
            if sc.code == code:
                return self.text(sc.label)
        return code

    def score(self, code: str) -> str:
        return self.question(code)

    def section(self, code: str) -> str:
        for s in self.q.sections:
            if s.code == code:
                return self.text(s.title)
        return code

    def option(self, question_code: str, option_code: str) -> str:
        """An option's (or scale point's) label; "Prefer not to say", "No answer" and the other
        table categories in the interface's words; the code itself when it is none of these."""
        if option_code in self.special:
            return self.special[option_code]
        found = self._questions.get(question_code)
        if found is not None and found.type in CHOICE_TYPES:
            for code, label in found.choices():
                if code == option_code:
                    return self.text(label)
        return option_code

    def options(self, question_code: str) -> dict[str, str]:
        """Every option code of a question (and the special categories) to its label."""
        out = dict(self.special)
        found = self._questions.get(question_code)
        if found is not None and found.type in CHOICE_TYPES:
            out.update((code, self.text(label)) for code, label in found.choices())
        return out

    def scale_points(self, question_code: str) -> dict[int, str]:
        """A scale question's point values to their labels (empty for other questions)."""
        found: Question | None = self._questions.get(question_code)
        return {p.value: self.text(p.label) for p in found.scale} if found is not None else {}

    def language_name(self, code: str) -> str:
        """A language's name in this language (``bs`` is "Bosnian" in an English report)."""
        return self.ui.language_name(code)

    def country(self, code: str) -> str:
        """A country's name, when the questionnaire asks for the country (its options)."""
        return self.option("country", code)

    def group(self, dimension: str, group: str) -> str:
        """A breakdown group's label: a language's name, an option's label, or the channel's
        own label (link labels are written by the coordinators, in no particular language)."""
        if group in self.special:
            return self.special[group]
        if dimension == "lang":
            return self.language_name(group)
        if dimension in self._questions:
            return self.option(dimension, group)
        return group
