"""The respondent's pages: the questionnaire, its two submit paths and the one-time code step.

No cookies, no session, nothing about the visitor is read or kept."""

from survey.server.respond import code_step, condition_words, option_order, submit_limit, views
from survey.server.respond.blueprint import bp

__all__ = ["bp", "code_step", "condition_words", "option_order", "submit_limit", "views"]
