"""The coordinator console blueprint."""

from flask import Blueprint

bp = Blueprint("coordinate", __name__, url_prefix="/console")

from . import routes  # noqa: E402,F401  (registers the views)
