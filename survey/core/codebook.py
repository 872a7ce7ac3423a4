"""Codebook rows: every question's code, wording, options, type, condition and scoring.

The analyst's output uses the codes, so answers given in any language aggregate together; the
codebook is where a code's English wording is looked up. The analyst writes these rows to its
own ``codebook.csv``; :mod:`survey.devtools.codebook_docs` writes them to ``docs/codebook/``.
"""

from __future__ import annotations

from survey.core import expression
from survey.core.questionnaire import PREFER_NOT_TO_SAY, Question, Questionnaire

COLUMNS = (
    "questionnaire", "version", "section", "code", "type", "text", "options", "values", "condition",
    "required", "prefer_not_to_say", "scoring",
)
#: The numbers of the two kinds of missing answer in the analyst's SPSS, Stata and XLSX files
#: (user-missing in SPSS, .a and .b in Stata). Option values are never negative, so they never clash.
PREFER_NOT_TO_SAY_VALUE = -99
NOT_SHOWN_VALUE = -98
NOT_SHOWN = "not shown"


def option_text(question: Question) -> str:
    if question.type in ("single", "multiple", "scale"):
        pairs = [f"{code}={label}" for code, label in question.choices()]
        if question.prefer_not_to_say:
            pairs.append(f"{PREFER_NOT_TO_SAY}=Prefer not to say")
        return " | ".join(pairs)
    if question.type == "number":
        extra = f" | {PREFER_NOT_TO_SAY}=Prefer not to say" if question.prefer_not_to_say else ""
        return f"whole number {question.minimum}..{question.maximum}{extra}"
    extra = f" | {PREFER_NOT_TO_SAY}=Prefer not to say" if question.prefer_not_to_say else ""
    return f"free text, at most {question.max_length} characters{extra}"


def value_text(question: Question) -> str:
    """Each option's number in the SPSS, Stata and XLSX files, and the missing codes it can take."""
    pairs = [f"{code}={value}" for code, value in option_values(question)]
    if question.prefer_not_to_say:
        pairs.append(f"{PREFER_NOT_TO_SAY}={PREFER_NOT_TO_SAY_VALUE}")
    if question.relevant is not None:
        pairs.append(f"{NOT_SHOWN}={NOT_SHOWN_VALUE}")
    return " | ".join(pairs)


def option_values(question: Question) -> tuple[tuple[str, int], ...]:
    """(code, number) of a choice question's options: a scale point's number is its value."""
    if question.type == "scale":
        return tuple((str(p.value), p.value) for p in question.scale)
    return tuple((o.code, o.value) for o in question.options)


def condition_text(question: Question) -> str:
    if question.show_if is not None:
        return f"{question.show_if.question} in ({', '.join(question.show_if.any_of)})"
    return "" if question.relevant is None else expression.to_source(question.relevant)


def scoring_of(q: Questionnaire, code: str) -> str:
    """Which scores use a question, and whether it is reverse-scored in each."""
    uses = []
    for sc in q.scores:
        if code in sc.items:
            uses.append(f"{sc.code} (reversed)" if code in sc.reverse else sc.code)
    return "; ".join(uses)


def codebook_rows(q: Questionnaire) -> list[dict[str, str]]:
    """One row per question, in questionnaire order, with the columns of :data:`COLUMNS`."""
    rows = []
    for section in q.sections:
        for question in section.questions:
            rows.append({
                "questionnaire": q.id,
                "version": str(q.version),
                "section": section.code,
                "code": question.code,
                "type": question.type,
                "text": question.text,
                "options": option_text(question),
                "values": value_text(question),
                "condition": condition_text(question),
                "required": "yes" if question.required else "no",
                "prefer_not_to_say": "yes" if question.prefer_not_to_say else "no",
                "scoring": scoring_of(q, question.code),
            })
    return rows
