"""``flask --app wsgi questionnaires ...``: XLSForms in and out, on the server itself.

- ``questionnaires list``: every questionnaire, with its languages (imported ones: reviewed or not).
- ``questionnaires export ID --out FORM.xlsx``: any questionnaire as an XLSForm in all its languages
  (a built-in one in the 13 languages of the catalogs).
- ``questionnaires import FORM.xlsx [--draft]``: an XLSForm stored as the next version of its
  ``form_id`` (published unless ``--draft``); what is refused is named by sheet, row and column.
- ``questionnaires review ID LANG``: mark an imported language reviewed.
"""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import AppGroup
from flask_babel import force_locale

from survey.server import audit
from survey.server import questionnaire_store as store
from survey.server.database import session
from survey.server.questionnaire_xlsform import xlsform_file
from survey.server.xlsform_import import FormRefused, read_xlsform
from survey.server.xlsform_limits import MAX_FORM_BYTES

questionnaires_cli = AppGroup("questionnaires", help="Questionnaires: XLSForm import and export.")
#: Who the audit log names for what the server's own command line does.
COMMAND_LINE = "(command line)"


def _key(reference: str) -> str:
    """``stigma`` -> its newest version's key; ``stigma@1`` as given."""
    reg = store.registry()
    if "@" in reference:
        return reference
    versions = sorted((q.version, k) for k, q in reg.items() if q.id == reference)
    if not versions:
        raise click.ClickException(f"no questionnaire {reference!r} (see: flask --app wsgi questionnaires list)")
    return versions[-1][1]


@questionnaires_cli.command("list")
def list_command() -> None:
    """Every questionnaire, with its languages: built in, then imported (drafts too)."""
    reg = store.registry()
    for key in sorted(reg.builtin):
        click.echo(f"{key}  {reg[key].title}  (built in; languages from the catalogs)")
    for key, texts, published in store.imported_list(session()):
        langs = " ".join(lang if lang == texts.language or lang in texts.reviewed else f"{lang}(unreviewed)"
                         for lang in texts.languages)
        click.echo(f"{key}  {reg[key].title}  ({'imported' if published else 'imported, draft'}; {langs})")


@questionnaires_cli.command("export")
@click.argument("reference", metavar="ID")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="The .xlsx file to write.")
def export_command(reference: str, out: Path) -> None:
    """Write questionnaire ID (``stigma`` or ``stigma@1``) as an XLSForm in all its languages."""
    key = _key(reference)
    try:
        written = xlsform_file(key)
    except KeyError:
        raise click.ClickException(f"no questionnaire {key!r}") from None
    out.write_bytes(written.data)
    click.echo(f"wrote {key} to {out} ({len(written.languages)} languages)")


@questionnaires_cli.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--draft", is_flag=True, help="Store it unpublished (publish it in the console after a preview).")
def import_command(path: Path, draft: bool) -> None:
    """Read the XLSForm at PATH and store it as the next version of its form_id."""
    if path.stat().st_size > MAX_FORM_BYTES:
        raise click.ClickException(f"{path}: larger than {MAX_FORM_BYTES // 1024 // 1024} MB; not read")
    try:
        with force_locale("en"):  # the messages in English: a command has no request to choose a language
            form = read_xlsform(path.read_bytes())
            s = session()
            stored = store.store_form(s, form, published=not draft)
    except FormRefused as exc:
        raise click.ClickException(f"{path} is not imported:\n" + "\n".join(f"  {p}" for p in exc.problems)) from exc
    if not stored.new:
        click.echo(f"{path}: already stored as {stored.key}; nothing changed")
        return
    audit.record(s, COMMAND_LINE, "questionnaire_import", stored.key)
    s.commit()
    others = [lang for lang in form.languages if lang != form.language]
    click.echo(f"imported {stored.key} ({'draft' if draft else 'published'}); texts in {form.language}"
               + (f", unreviewed translations: {' '.join(others)}" if others else ""))


@questionnaires_cli.command("review")
@click.argument("reference", metavar="ID")
@click.argument("lang")
def review_command(reference: str, lang: str) -> None:
    """Mark the LANG translation of imported questionnaire ID reviewed."""
    key = _key(reference)
    s = session()
    try:
        store.mark_reviewed(s, key, lang)
    except KeyError as exc:
        raise click.ClickException(str(exc)) from exc
    audit.record(s, COMMAND_LINE, "questionnaire_review", f"{key} {lang}")
    s.commit()
    click.echo(f"{key}: {lang} marked reviewed")
