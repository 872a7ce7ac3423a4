"""The respondent blueprint object, apart from its views so that they can import it without a cycle."""

from flask import Blueprint
from flask.blueprints import BlueprintSetupState

from survey.server.link_tokens import LinkTokenConverter

bp = Blueprint("respond", __name__)


@bp.record_once
def _add_converter(state: BlueprintSetupState) -> None:
    """Recorded before any view's route, so ``<link_token:...>`` exists when the rules are added:
    addresses are built with a new token's grouped form (survey.server.link_tokens)."""
    state.app.url_map.converters.setdefault("link_token", LinkTokenConverter)
