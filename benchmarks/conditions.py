"""What conditions cost the analyst: validate_answers per response, with and without conditions.

    .venv/bin/python benchmarks/conditions.py

The analyst validates every decrypted response (survey.core.questionnaire.validate_answers), which
evaluates each question's condition (survey.core.expression). The costliest built-in condition is
service_access version 2's "any of the 14 services needed but not obtained" (28 selected()); a
response with no unmet need makes it look at all 14 answers. This prints, best of 7 runs: that
condition alone, and a whole response of service_access@1 (no such condition) against @2, measured
in the same run. Not part of the test suite."""

from __future__ import annotations

import sys
import timeit
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from survey.core import expression  # noqa: E402
from survey.core.questionnaire import Questionnaire, load_directory  # noqa: E402

N = 20_000


def best_us(call: Callable[[], object]) -> float:
    return min(timeit.repeat(call, number=N, repeat=7)) / N * 1e6


def typical(q: Questionnaire) -> dict[str, object]:
    """Every service needed and used (no unmet need), every other choice its first option."""
    answers: dict[str, object] = {}
    for question in q.questions():
        if question.type == "single":
            answers[question.code] = question.option_codes[0]
        elif question.type == "scale":
            answers[question.code] = int(question.option_codes[0])
    return answers


def main() -> int:
    definitions = load_directory()
    v1, v2 = definitions["service_access@1"], definitions["service_access@2"]
    tree = v2.question("barriers").relevant
    assert tree is not None
    answers = typical(v2)
    print(f"barriers condition alone:          {best_us(lambda: expression.holds(tree, answers)):6.2f} us")
    print(f"validate_answers, service_access@1: {best_us(lambda: v1.validate_answers(answers)):6.2f} us per response")
    print(f"validate_answers, service_access@2: {best_us(lambda: v2.validate_answers(answers)):6.2f} us per response")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
