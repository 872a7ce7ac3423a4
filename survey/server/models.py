"""SQLAlchemy 2 typed models. A response row holds ciphertext and nothing that identifies anyone."""

from __future__ import annotations

import datetime as dt
import secrets

from sqlalchemy import Boolean, Date, ForeignKey, Integer, LargeBinary, String, Text, UniqueConstraint, false
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from survey.server.link_tokens import new_token


def random_id() -> str:
    return secrets.token_hex(16)


def link_token() -> str:
    """A new link token (survey.server.link_tokens: 100 bits, readable from paper)."""
    return new_token()


class Base(DeclarativeBase):
    pass


class Survey(Base):
    __tablename__ = "surveys"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    #: The public, random survey id bound into every envelope's HPKE info.
    uid: Mapped[str] = mapped_column(String(32), unique=True, default=random_id)
    title: Mapped[str] = mapped_column(String(200))
    questionnaire_id: Mapped[str] = mapped_column(String(48))
    questionnaire_version: Mapped[int] = mapped_column(Integer)
    key_id: Mapped[str] = mapped_column(String(16))
    #: Space-separated locale codes offered to respondents.
    languages: Mapped[str] = mapped_column(String(200), default="en")
    is_open: Mapped[bool] = mapped_column(Boolean, default=True)
    #: The SHA-256 and record count of the latest export made of this survey, so that the analyst
    #: can confirm that export (survey-analyst prints its digest) before the ciphertexts are purged.
    export_sha256: Mapped[str | None] = mapped_column(String(64), nullable=True)
    export_records: Mapped[int | None] = mapped_column(Integer, nullable=True)
    #: The day this survey's ciphertexts were purged from the server, once the analyst had them.
    purged_on: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    #: The page "Leave quickly" opens, chosen by an admin (https only); None: a plain page in the
    #: respondent's language (survey.server.web.i18n.neutral_page).
    leave_url: Mapped[str | None] = mapped_column(String(300), nullable=True)
    #: Offer respondents only the languages whose translation a native-speaker organisation has
    #: reviewed (translations/<lang>/REVIEW.toml, survey.server.language_reviews), English included.
    reviewed_languages_only: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())

    links: Mapped[list[Link]] = relationship(back_populates="survey")

    @property
    def questionnaire_key(self) -> str:
        return f"{self.questionnaire_id}@{self.questionnaire_version}"

    @property
    def language_list(self) -> list[str]:
        return self.languages.split()


class Link(Base):
    """A distribution link: one per outreach channel."""

    __tablename__ = "links"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id"), index=True)
    token: Mapped[str] = mapped_column(String(32), unique=True, default=link_token)
    label: Mapped[str] = mapped_column(String(120))
    expires_on: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    response_cap: Mapped[int | None] = mapped_column(Integer, nullable=True)
    revoked: Mapped[bool] = mapped_column(Boolean, default=False)
    requires_code: Mapped[bool] = mapped_column(Boolean, default=False)
    #: What the coordinator put on this link's flyer: the organisation's name and a contact line
    #: (staff-entered, printed; kept so the next print is the same).
    flyer_organisation: Mapped[str | None] = mapped_column(String(120), nullable=True)
    flyer_contact: Mapped[str | None] = mapped_column(String(200), nullable=True)

    survey: Mapped[Survey] = relationship(back_populates="links")


class Response(Base):
    """Exactly six columns: id, survey, link, day received, key id, envelope. The id is a digest of
    link and envelope (survey.server.storage.response_id), which makes a resent envelope one lookup.

    On SQLite the table has no rowid, so its physical order is that of the id, not of arrival.
    """

    __tablename__ = "responses"
    __table_args__ = {"sqlite_with_rowid": False}

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=random_id)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id"), index=True)
    link_id: Mapped[int] = mapped_column(ForeignKey("links.id"), index=True)
    received_on: Mapped[dt.date] = mapped_column(Date)
    key_id: Mapped[str] = mapped_column(String(16))
    envelope: Mapped[bytes] = mapped_column(LargeBinary)


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(80), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    is_admin: Mapped[bool] = mapped_column(Boolean, default=False)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    #: Bumped on password change or disable, so older sessions stop working.
    session_epoch: Mapped[int] = mapped_column(Integer, default=0)


class Assignment(Base):
    __tablename__ = "assignments"
    __table_args__ = (UniqueConstraint("user_id", "survey_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id"), index=True)


class AccessCode(Base):
    """A one-time code: only a keyed hash and a used flag. No time, no tie to any response."""

    __tablename__ = "access_codes"
    __table_args__ = {"sqlite_with_rowid": False}

    code_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    link_id: Mapped[int] = mapped_column(ForeignKey("links.id"), index=True)
    used: Mapped[bool] = mapped_column(Boolean, default=False)


class SentForm(Base):
    """A questionnaire form (no-JavaScript path) whose answers were sent: a keyed hash of the
    form's random token and the day, nothing else. Back then Reload sends an earlier page of that
    form again; finding it here, the server answers with the thank-you page instead of showing the
    answers once more (survey/server/sent_forms.py). No time, no tie to the response it sent; rows
    go once their forms have expired."""

    __tablename__ = "sent_forms"
    __table_args__ = {"sqlite_with_rowid": False}

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    sent_on: Mapped[dt.date] = mapped_column(Date)


class AuditEntry(Base):
    """What a staff account did. Never anything about respondents."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    day: Mapped[dt.date] = mapped_column(Date)
    username: Mapped[str] = mapped_column(String(80))
    action: Mapped[str] = mapped_column(String(60))
    detail: Mapped[str] = mapped_column(Text, default="")


class ImportedQuestionnaire(Base):
    """A questionnaire definition imported from an XLSForm (survey.server.questionnaire_store):
    its TOML, the language of its texts, its translations and which of them an admin has reviewed.
    Never changed once stored: a changed form is stored as the next version."""

    __tablename__ = "imported_questionnaires"
    __table_args__ = (UniqueConstraint("questionnaire_id", "version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    questionnaire_id: Mapped[str] = mapped_column(String(48))
    version: Mapped[int] = mapped_column(Integer)
    #: The definition as TOML (survey.core.questionnaire.parse reads it).
    definition: Mapped[str] = mapped_column(Text)
    #: The language of the definition's texts, and every language of the form (space-separated).
    language: Mapped[str] = mapped_column(String(16))
    languages: Mapped[str] = mapped_column(String(200))
    #: ``{lang: {source_text: translated}}`` as JSON (the export manifest's translations).
    translations: Mapped[str] = mapped_column(Text)
    #: Languages an admin has marked reviewed (space-separated); the others are "unreviewed".
    reviewed_languages: Mapped[str] = mapped_column(String(200), default="")
    #: Offered for new surveys (the console shows a draft for preview first).
    published: Mapped[bool] = mapped_column(Boolean, default=False)
    imported_on: Mapped[dt.date] = mapped_column(Date)
