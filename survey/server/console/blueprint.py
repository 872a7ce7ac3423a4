"""The console's blueprint object, apart from its views so that they can import it without a cycle."""

from flask import Blueprint

bp = Blueprint("console", __name__, url_prefix="/console")
