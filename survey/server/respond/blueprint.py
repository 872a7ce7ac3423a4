"""The respondent blueprint object, apart from its views so that they can import it without a cycle."""

from flask import Blueprint

bp = Blueprint("respond", __name__)
