"""Options in a random order: a question's ``randomize`` (XLSForm's ``parameters`` ``randomize=true``).

Each rendering of the page shuffles the question's options anew (the system's random source);
options marked ``last`` ("Something else") and "Prefer not to say" stay at the end in their order.
Only the order on screen changes: each option keeps its code, its value and its element id."""

from __future__ import annotations

import random
from typing import Any

from survey.core.questionnaire import PREFER_NOT_TO_SAY, Question
from survey.server.respond.blueprint import bp

_RANDOM = random.SystemRandom()


@bp.app_template_filter("option_order")
def option_order(field: Any, question: Question) -> list[Any]:
    """The rendered options of ``field`` in the order to show them."""
    options = list(field)
    if not question.randomize:
        return options
    kept = {o.code for o in question.options if o.last} | {PREFER_NOT_TO_SAY}
    head = [o for o in options if o.data not in kept]
    _RANDOM.shuffle(head)
    return head + [o for o in options if o.data in kept]
