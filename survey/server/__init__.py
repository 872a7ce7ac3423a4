"""The web server: factory, settings, database and models, storage, keyring, HTTP concerns,
the respondent and console blueprints and the ``flask`` commands."""
