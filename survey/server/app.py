"""The application factory: settings, extensions, blueprints and commands put together."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask

from survey.core.questionnaire import load_directory
from survey.server import commands, reshuffle, staff_auth, storage
from survey.server.console import bp as console_bp
from survey.server.database import db
from survey.server.keyring import load_keyring
from survey.server.private_files import private_folder
from survey.server.questionnaire_commands import questionnaires_cli
from survey.server.questionnaire_store import QuestionnaireRegistry
from survey.server.respond import bp as respond_bp
from survey.server.settings import PROJECT_ROOT, Settings
from survey.server.web import assets, compress, errors, headers, i18n, logs


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """The application factory. ``config`` overrides fields of :class:`Settings`."""
    app = Flask(
        __name__,
        instance_relative_config=True,
        template_folder=str(PROJECT_ROOT / "templates"),
        static_folder="static",
    )
    overrides = dict(config or {})
    instance = Path(overrides.pop("instance_path", app.instance_path))
    if instance.exists():
        private_folder(instance)  # 0700 whatever the umask or an older version left (private_files.py)
    settings = Settings.from_env(instance, overrides)
    app.config.update(
        SETTINGS=settings,
        SECRET_KEY=settings.secret_key,
        MAX_CONTENT_LENGTH=settings.max_body_bytes,
        MAX_FORM_MEMORY_SIZE=settings.max_body_bytes,
        TESTING=settings.testing,
        DEBUG=settings.debug,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Strict",
        SESSION_COOKIE_SECURE=not (settings.debug or settings.testing),
        SESSION_COOKIE_NAME="console_session",
        PERMANENT_SESSION_LIFETIME=staff_auth.SESSION_LIFETIME,
    )
    logs.init_app(app)
    app.extensions["keyring"] = load_keyring(settings.keys_dir)
    # Built-in definitions and those imported from XLSForms (survey.server.questionnaire_store).
    app.extensions["questionnaires"] = QuestionnaireRegistry(load_directory())
    db.init_app(app)
    storage.init_app(app, app.extensions["survey_engine"])
    reshuffle.init_app(app, app.extensions["survey_engine"], settings.reshuffle_minutes)
    i18n.init_app(app)
    headers.init_app(app)
    assets.init_app(app)
    compress.init_app(app)
    errors.init_app(app)
    app.jinja_env.add_extension("jinja2.ext.do")
    app.register_blueprint(respond_bp)
    app.register_blueprint(console_bp)
    commands.init_app(app)
    app.cli.add_command(questionnaires_cli)  # flask questionnaires import/export/list/review
    for entry in app.extensions["keyring"]:
        app.logger.info("analyst public key %s (%s)", entry.key_id, entry.path.name)
        if entry.demo:
            app.logger.warning("key %s is the DEMO key `make run` made: its private half is published, "
                               "so collect no real answers with it (see keys/README.md)", entry.key_id)
    return app
