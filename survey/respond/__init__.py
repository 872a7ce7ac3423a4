"""The respondent blueprint: questionnaire pages and the two submit paths."""

from flask import Blueprint

bp = Blueprint("respond", __name__)

from . import routes  # noqa: E402,F401  (registers the views)
