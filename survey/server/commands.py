"""Admin commands: ``flask --app wsgi ...``."""

from __future__ import annotations

import secrets
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup, with_appcontext
from sqlalchemy import select

from survey.core.envelope import format_key_id
from survey.server.account_commands import users_cli
from survey.server.database import session, upgrade
from survey.server.link_tokens import grouped
from survey.server.models import Link, Survey, User
from survey.server.reshuffle import backup, reshuffle
from survey.server.staff_auth import create_user
from survey.server.survey_export import find_survey, write_export
from survey.server.surveys import create_link, create_survey
from survey.server.web import assets

db_cli = AppGroup("db", help="Database schema.")
keys_cli = AppGroup("keys", help="The analyst public keys in keys/.")
assets_cli = AppGroup("assets", help="Published hashes of the respondent page's assets.")


@db_cli.command("upgrade")
def db_upgrade() -> None:
    """Create or migrate the database schema to the newest version."""
    upgrade(current_app.config["SETTINGS"].database_url)
    click.echo("database is up to date")


@keys_cli.command("check")
def keys_check() -> None:
    """List the usable public keys and their key ids."""
    for entry in current_app.extensions["keyring"]:
        demo = "  DEMO key: its private half is published" if entry.demo else ""
        click.echo(f"{format_key_id(entry.key_id)}  {entry.path.name}{demo}")


@assets_cli.command("hashes")
def assets_hashes() -> None:
    """Print the SRI hash of each asset the respondent page loads."""
    for name, digest in assets.compute().items():
        click.echo(f"{digest}  {name}")


@click.command("export")
@with_appcontext
@click.argument("survey_ref", metavar="SURVEY")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="File to write (JSON lines: manifest, then sealed records).")
def export_command(survey_ref: str, out: Path) -> None:
    """Write SURVEY's export (its uid or number) for the analyst."""
    survey = find_survey(session(), survey_ref)
    if survey is None:
        raise click.ClickException(f"no survey {survey_ref!r}")
    q = current_app.extensions["questionnaires"][survey.questionnaire_key]
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".part")
    with open(tmp, "wb") as fh:
        count = write_export(session(), survey, q, fh)
    tmp.replace(out)
    session().commit()  # the survey remembers this export's digest, for the purge
    click.echo(f"wrote {count} sealed responses of survey {survey.uid} to {out} (sha256 {survey.export_sha256})")


@click.command("demo")
@with_appcontext
@click.option("--base-url", default="http://127.0.0.1:5000", show_default=True)
def demo_command(base_url: str) -> None:
    """Create the demo survey and its link if missing, and print the link."""
    s = session()
    survey = s.scalar(select(Survey).where(Survey.questionnaire_id == "demo"))
    keyring = current_app.extensions["keyring"]
    if survey is None:
        q = current_app.extensions["questionnaires"]["demo@1"]
        survey = create_survey(s, q, keyring.ids()[0], "Demo survey", current_app.extensions["survey_languages"])
        create_link(s, survey, "Demo link")
        s.commit()
    link = s.scalar(select(Link).where(Link.survey_id == survey.id))
    assert link is not None
    click.echo(f"Demo survey {survey.uid}, sealed to key {format_key_id(survey.key_id)}")
    click.echo(f"Respondent link: {base_url}/s/{grouped(link.token)}")
    if s.scalar(select(User.id).limit(1)) is None:
        password = secrets.token_urlsafe(12)
        create_user(s, "admin", password, is_admin=True)
        s.commit()
        click.echo(f"Coordinator console: {base_url}/console/  user 'admin', password '{password}' "
                   "(demo admin, shown only now; change it under Account)")
    else:
        click.echo(f"Coordinator console: {base_url}/console/  (log in with an existing account; "
                   "new admins: flask --app wsgi users create --admin NAME)")


@click.command("reshuffle")
@with_appcontext
def reshuffle_command() -> None:
    """Rewrite the stored responses so that no file keeps their arrival order (the server also does
    it on its own every SURVEY_RESHUFFLE_MINUTES)."""
    done = reshuffle(current_app.extensions["survey_engine"])
    click.echo(f"reshuffled ({done.engine}, {done.seconds:.1f} s)")


@click.command("backup")
@with_appcontext
@click.argument("out", type=click.Path(dir_okay=False, path_type=Path))
def backup_command(out: Path) -> None:
    """Write a backup of the SQLite database to OUT, owner-only and in an order that follows no
    arrival (on PostgreSQL: `flask --app wsgi reshuffle`, then pg_dump)."""
    try:
        backup(current_app.extensions["survey_engine"], out)
    except (FileExistsError, RuntimeError) as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"wrote {out} (mode 0600); encrypt it before it leaves this machine")


def init_app(app: Flask) -> None:
    for command in (db_cli, keys_cli, assets_cli, export_command, demo_command, reshuffle_command, backup_command):
        app.cli.add_command(command)
    app.cli.add_command(users_cli)  # flask users create [--admin]
    # `flask translations status` is a developer's command: survey.devtools registers it as a
    # "flask.commands" entry point (pyproject.toml), so the server never imports devtools.
