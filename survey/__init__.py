"""Anonymous surveys whose answers only the analyst's offline key can read.

Four rooms: :mod:`survey.core` (what the server and the analyst share), :mod:`survey.server`
(the web server), :mod:`survey.analyst` (the offline toolkit) and :mod:`survey.devtools` (what
only developers run). Importing this package pulls in no web stack: :func:`create_app` imports
the server room when it is called, so the analyst's install (no Flask) can import ``survey``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from flask import Flask


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """The application factory (:func:`survey.server.app.create_app`)."""
    from survey.server.app import create_app as server_create_app

    return server_create_app(config)
