"""``flask --app wsgi users ...``: the first admin account, made on the server itself."""

from __future__ import annotations

import os

import click
from flask.cli import AppGroup

from survey.server import audit
from survey.server import staff_auth as auth
from survey.server.database import session

users_cli = AppGroup("users", help="Staff accounts of the console.")
PASSWORD_ENV = "SURVEY_NEW_PASSWORD"


@users_cli.command("create")
@click.argument("username")
@click.option("--admin", is_flag=True, help="Make an administrator (creates accounts and surveys).")
def users_create(username: str, admin: bool) -> None:
    """Create USERNAME. The password is asked twice, or read from $SURVEY_NEW_PASSWORD for scripts."""
    password = os.environ.get(PASSWORD_ENV) or click.prompt(
        "Password", hide_input=True, confirmation_prompt=True)
    if len(password) < auth.MIN_PASSWORD:
        raise click.ClickException(f"use at least {auth.MIN_PASSWORD} characters")
    if len(username.strip()) > auth.MAX_USERNAME:
        raise click.ClickException(f"use at most {auth.MAX_USERNAME} characters for the account name")
    s = session()
    if auth.find_user(s, username) is not None:
        raise click.ClickException(f"account {username!r} exists already")
    user = auth.create_user(s, username, password, is_admin=admin)
    audit.record(s, "(command line)", "create account", f"{user.username}{' (admin)' if admin else ''}")
    s.commit()
    click.echo(f"created {'admin' if admin else 'coordinator'} account {user.username}")
