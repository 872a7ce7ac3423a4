"""Any questionnaire of the registry as an XLSForm file, in all its languages: a built-in one in
the 13 languages of the catalogs, an imported one in its own (the command line and the console)."""

from __future__ import annotations

from dataclasses import dataclass

from survey.core.languages import LANGUAGES
from survey.core.questionnaire import Questionnaire
from survey.server.questionnaire_store import BUILTIN_LANGUAGE, registry
from survey.server.questionnaire_texts import translations_for
from survey.server.xlsform_export import xlsform_bytes


@dataclass(frozen=True, slots=True)
class XLSFormFile:
    questionnaire: Questionnaire
    languages: tuple[str, ...]
    data: bytes

    @property
    def name(self) -> str:
        return f"{self.questionnaire.id}-{self.questionnaire.version}.xlsx"


def xlsform_file(key: str) -> XLSFormFile:
    """The XLSForm of questionnaire ``key`` (``id@version``); KeyError if there is none."""
    reg = registry()
    q = reg[key]
    texts = reg.texts(key, fresh=False)
    if texts is None:
        language, languages = BUILTIN_LANGUAGE, list(LANGUAGES)
    else:
        language, languages = texts.language, list(texts.languages)
    data = xlsform_bytes(q, language, languages, translations_for(q, languages))
    return XLSFormFile(q, (language, *(lang for lang in languages if lang != language)), data)
