"""The coordinator console, one module per area.

:mod:`~survey.server.console.account_views` (sign-in and account),
:mod:`~survey.server.console.survey_views` (surveys), :mod:`~survey.server.console.link_views`
(links), :mod:`~survey.server.console.paper_views` (QR codes, flyers and one-time code slips),
:mod:`~survey.server.console.language_views` (the language switcher, review statuses),
:mod:`~survey.server.console.questionnaire_views` (XLSForm import, preview, publish) and
:mod:`~survey.server.console.user_views` (accounts and the audit log);
:mod:`~survey.server.console.common` holds what they share."""

from survey.server.console import (
    account_views,
    language_views,
    link_views,
    paper_views,
    questionnaire_views,
    survey_views,
    user_views,
)
from survey.server.console.blueprint import bp

__all__ = ["bp", "account_views", "language_views", "link_views", "paper_views", "questionnaire_views", "survey_views",
           "user_views"]
