"""Codebook rows: every question's code, wording, options, type, condition and scoring.

The analyst's output uses the codes, so answers given in any language aggregate together; the
codebook is where a code's English wording is looked up. The analyst writes these rows to its
own ``codebook.csv``; :mod:`survey.devtools.codebook_docs` writes them to ``docs/codebook/``.
"""

from __future__ import annotations

from survey.core.questionnaire import PREFER_NOT_TO_SAY, Question, Questionnaire

COLUMNS = (
    "questionnaire", "version", "section", "code", "type", "text", "options", "condition",
    "required", "prefer_not_to_say", "scoring",
)


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


def condition_text(question: Question) -> str:
    if question.show_if is None:
        return ""
    return f"{question.show_if.question} in ({', '.join(question.show_if.any_of)})"


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
                "condition": condition_text(question),
                "required": "yes" if question.required else "no",
                "prefer_not_to_say": "yes" if question.prefer_not_to_say else "no",
                "scoring": scoring_of(q, question.code),
            })
    return rows
