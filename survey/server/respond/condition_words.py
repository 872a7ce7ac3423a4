"""A question's condition in words, for the page without JavaScript.

Without JavaScript every question is on the page, so a question shown only to some people says
whom it is for ("Only answer this if your answer to “Did you need…” was: Yes."), in the
respondent's language: the sentence from the catalogs, the question texts and option labels
through ``translate`` (the questionnaire's translations). The words are made from the condition's
tree (survey.core.expression); a shape they do not cover gets a general sentence, never the
expression itself. The server drops the answers of questions whose condition is false
(survey.core.questionnaire.Questionnaire.not_shown), so a wrong guess costs nothing."""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal

from babel.lists import format_list
from flask_babel import get_locale, gettext

from survey.core import expression as x
from survey.core.questionnaire import CHOICE_TYPES, Question, Questionnaire
from survey.server.questionnaire_texts import respondent_translator
from survey.server.respond.blueprint import bp

Translate = Callable[[str], str]
#: Comparisons read from the answer's side: ``5 < ${q}`` is ``${q} > 5``.
FLIPPED = {"=": "=", "!=": "!=", "<": ">", "<=": ">=", ">": "<", ">=": "<="}


@bp.app_template_global("condition_words")
def condition_words(q: Questionnaire, question: Question, translate: Translate | None = None) -> str:
    """The sentence for ``question``'s condition ("" when it has none). The definition's texts are
    shown by ``translate``; by default, as the respondent's page shows them (respondent_translator)."""
    if question.relevant is None:
        return ""
    words = _Words(q, translate or respondent_translator(q, str(get_locale())))
    group = words.selections(question.relevant)
    if group is not None and len(group) == 1:  # one question, one or more of its options
        (ref, codes), = group.items()
        return gettext(
            "Only answer this if your answer to “%(question)s” was: %(answers)s.",
            question=words.text(ref), answers=words.labels(ref, codes),
        )
    clause = words.clause(question.relevant)
    if clause is None:
        return gettext("This question is only for some people: answer it if it applies to you.")
    return gettext("Only answer this if %(condition)s.", condition=clause)


class _Words:
    def __init__(self, q: Questionnaire, translate: Translate) -> None:
        self.q = q
        self.t = translate
        self.locale = str(get_locale() or "en")

    def text(self, code: str) -> str:
        return self.t(self.q.question(code).text)

    def labels(self, code: str, values: list[str]) -> str:
        labels = dict(self.q.question(code).choices())
        return " / ".join(self.t(labels[v]) if v in labels else v for v in values)

    def join(self, clauses: list[str], style: Literal["standard", "or"]) -> str:
        return format_list(clauses, style=style, locale=self.locale)

    def selections(self, node: x.Node) -> dict[str, list[str]] | None:
        """``selected(${q}, 'a') or ${q} = 'b' or ...`` as {question: [options]}, else None."""
        items = node.items if isinstance(node, x.Any_) else (node,)
        out: dict[str, list[str]] = {}
        for item in items:
            if isinstance(item, x.Selected) and isinstance(item.answer, x.Ref):
                ref, code = item.answer.code, item.code
            elif (
                isinstance(item, x.Compare) and item.op == "=" and isinstance(item.left, x.Ref)
                and isinstance(item.right, x.Literal) and isinstance(item.right.value, str)
                and self.q.question(item.left.code).type == "single"
                and item.right.value in self.q.question(item.left.code).option_codes
            ):
                ref, code = item.left.code, item.right.value
            else:
                return None
            out.setdefault(ref, []).append(code)
        return out

    def clause(self, node: x.Node) -> str | None:
        group = self.selections(node)
        if group is not None:
            return self.chosen(group)
        if isinstance(node, x.All | x.Any_):
            parts = [self.clause(n) for n in node.items]
            if any(p is None for p in parts):
                return None
            return self.join([p for p in parts if p is not None], "standard" if isinstance(node, x.All) else "or")
        if isinstance(node, x.Not):
            inner = self.selections(node.operand)
            if inner is not None and len(inner) == 1:
                (ref, codes), = inner.items()
                return gettext("your answer to “%(question)s” was not: %(answers)s",
                               question=self.text(ref), answers=self.labels(ref, codes))
            return None
        if isinstance(node, x.Compare):
            return self.comparison(node)
        return None

    def chosen(self, group: dict[str, list[str]]) -> str:
        refs = list(group)
        same = all(group[r] == group[refs[0]] for r in refs)
        for section in self.q.sections:
            if same and len(refs) > 1 and refs == [s.code for s in section.questions]:
                return gettext("your answer to any question in “%(section)s” was: %(answers)s",
                               section=self.t(section.title), answers=self.labels(refs[0], group[refs[0]]))
        return self.join([
            gettext("your answer to “%(question)s” was: %(answers)s", question=self.text(r), answers=self.labels(r, group[r]))
            for r in refs
        ], "or")

    def comparison(self, node: x.Compare) -> str | None:
        left, op, right = node.left, node.op, node.right
        if isinstance(left, x.Literal):
            left, op, right = right, FLIPPED[op], left
        if not isinstance(right, x.Literal):
            return None
        value = right.value
        if isinstance(left, x.CountSelected) and isinstance(left.answer, x.Ref) and isinstance(value, float):
            return self.count(left.answer.code, op, value)
        if not isinstance(left, x.Ref):
            return None
        code, question = left.code, self.q.question(left.code)
        q = self.text(code)
        if value == "" and op == "=":
            return gettext("you did not answer “%(question)s”", question=q)
        if value == "" and op == "!=":
            return gettext("you answered “%(question)s”", question=q)
        if op in ("=", "!="):
            shown = self.labels(code, [value]) if isinstance(value, str) and question.type in CHOICE_TYPES else _number(value)
            if op == "=":
                return gettext("your answer to “%(question)s” was: %(answers)s", question=q, answers=shown)
            return gettext("your answer to “%(question)s” was not: %(answers)s", question=q, answers=shown)
        if not isinstance(value, float):
            return None
        n = _number(value)
        if op == "<":
            return gettext("your answer to “%(question)s” is less than %(value)s", question=q, value=n)
        if op == "<=":
            return gettext("your answer to “%(question)s” is %(value)s or less", question=q, value=n)
        if op == ">":
            return gettext("your answer to “%(question)s” is more than %(value)s", question=q, value=n)
        return gettext("your answer to “%(question)s” is %(value)s or more", question=q, value=n)

    def count(self, code: str, op: str, value: float) -> str | None:
        if value != int(value):
            return None
        n = int(value)
        least = {">=": n, ">": n + 1}.get(op)
        most = {"<=": n, "<": n - 1}.get(op)
        if least is not None:
            return gettext("you chose at least %(value)s answers to “%(question)s”", value=least, question=self.text(code))
        if most is not None:
            return gettext("you chose at most %(value)s answers to “%(question)s”", value=most, question=self.text(code))
        return None


def _number(value: str | float) -> str:
    if isinstance(value, str):
        return value
    return str(int(value)) if value == int(value) else str(value)
