"""The console's blueprint object, apart from its views so that they can import it without a cycle."""

from flask import Blueprint
from flask.blueprints import BlueprintSetupState
from werkzeug.routing import IntegerConverter, Map

from survey.server.database import INTEGER_MAX

bp = Blueprint("console", __name__, url_prefix="/console")


class RowIdConverter(IntegerConverter):
    """``<id:name>``: a row number. One past the Integer columns' range (32 bits on PostgreSQL)
    matches no route, so it is a 404 and never reaches the database as an out-of-range number."""

    def __init__(self, url_map: Map) -> None:
        super().__init__(url_map, min=1, max=INTEGER_MAX)


@bp.record_once
def _add_converter(state: BlueprintSetupState) -> None:
    """Recorded before any view's route, so ``<id:...>`` exists when the console's rules are added."""
    state.app.url_map.converters.setdefault("id", RowIdConverter)
