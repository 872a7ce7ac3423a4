"""Without JavaScript, the questionnaire in pages: the same steps as with it (pages.step_plan, each
about two screens), then "Send your answers" with its collapsed "Check your answers".

Each page is the answer to the POST of the one before, and carries every answer given so far in
the form itself: the questions of other pages are in the page's markup, not shown (class
``off-page``), so their fields are posted again with the next page. Nothing is kept on the server
between pages, nothing is put in the URL, and the form token (survey.server.sent_forms) travels
with the pages, so after the send no earlier page shows an answer again.

The button that posts a page says where to go (field :data:`GO`): ``next`` (this page's answers are
checked, the others not yet), ``back``, ``page-N`` (a "Change" link of the review), ``stay`` (the
same page in another language) or ``send`` (every answer is checked; the first page with a
problem is shown with its problems). A post without it is a send, as the single form was."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from flask_babel import gettext

from survey.core import expression
from survey.core.questionnaire import PREFER_NOT_TO_SAY, Questionnaire
from survey.server.respond.forms import PNTS_SUFFIX

GO = "go"
PAGE = "page"
NEXT, BACK, SEND, STAY = "next", "back", "send", "stay"
CHANGE_PREFIX = "page-"
FIELDS = frozenset({GO, PAGE})


def review_page(steps: Mapping[str, int]) -> int:
    """The number of the last page, "Send your answers": one after the last step of questions."""
    return max(steps.values()) + 1


def posted_page(steps: Mapping[str, int], form: Mapping[str, str]) -> int:
    """The page the respondent posted from (1 when missing or not a page number)."""
    value = form.get(PAGE, "")
    page = int(value) if value.isascii() and value.isdigit() and len(value) < 4 else 1
    return min(max(page, 1), review_page(steps))


def _change(go: str) -> int | None:
    number = go[len(CHANGE_PREFIX):] if go.startswith(CHANGE_PREFIX) else ""
    return int(number) if number.isascii() and number.isdigit() and len(number) < 4 else None


def sends(form: Mapping[str, str]) -> bool:
    """True when this post sends the answers (anything but moving between pages): what the
    submission rate limit counts (survey/server/respond/submit_limit.py)."""
    go = form.get(GO, SEND)
    return go not in (NEXT, BACK, STAY) and _change(go) is None


def where_to(steps: Mapping[str, int], form: Mapping[str, str]) -> str | int:
    """NEXT, SEND or STAY, or the number of the page asked for (BACK and "Change")."""
    if sends(form):
        return SEND
    go = form.get(GO, SEND)
    change = _change(go)
    if change is not None:
        return min(max(change, 1), review_page(steps))
    if go == BACK:
        return max(posted_page(steps, form) - 1, 1)
    return go


def on_page(steps: Mapping[str, int], page: int) -> set[str]:
    return {code for code, step in steps.items() if step == page}


def keep_errors_of(form: Any, codes: Iterable[str]) -> None:
    """Forget the messages of every field but those of ``codes``: a page shows its own problems."""
    keep = set(codes)
    for name, field in form._fields.items():
        if name.removesuffix(PNTS_SUFFIX) not in keep:
            field.errors = []


def first_page_with_errors(steps: Mapping[str, int], form: Any) -> int | None:
    pages = [steps[code] for code, field in form._fields.items() if field.errors and code in steps]
    return min(pages) if pages else None


@dataclass(frozen=True)
class ReviewRow:
    """One line of "Check your answers": the question, the answer as shown, the page to change it."""

    code: str
    question: str
    answer: str
    page: int


def review_rows(q: Questionnaire, steps: Mapping[str, int], form: Any, answers: Mapping[str, Any]) -> list[ReviewRow]:
    """The answers as the respondent gave them, in the page's language, for every question that
    was shown (a question whose condition is false is left out, as with JavaScript)."""
    rows = []
    for question in q.questions():
        answer = answers.get(question.code)
        if answer is None and question.relevant is not None and not expression.holds(question.relevant, answers):
            continue
        field = form[question.code]
        if answer is None:
            shown = gettext("Not answered")
        elif answer == PREFER_NOT_TO_SAY:
            shown = gettext("Prefer not to say")
        elif question.type in ("single", "scale", "multiple"):
            chosen = {str(a) for a in (answer if isinstance(answer, list) else [answer])}
            shown = ", ".join(str(label) for value, label, *_rest in field.iter_choices() if str(value) in chosen)
        else:
            shown = str(answer)
        rows.append(ReviewRow(question.code, str(field.label.text), shown, steps[question.code]))
    return rows
