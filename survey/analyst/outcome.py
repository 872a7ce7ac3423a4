"""What a run of the analyst's tool found: its settings, inputs, counts and rejections (bounded
in size), shared by the decryption pipeline, the report and ``run.json``."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from survey.analyst.aggregate import Counts, Table
from survey.core.questionnaire import Questionnaire


@dataclass(frozen=True)
class Settings:
    k: int = 10
    epsilon: float | None = None
    workers: int = 1
    #: The language of report.html and of the labels (one of survey.core.languages.LANGUAGES).
    lang: str = "en"
    #: The files to write: "csv" always, and any of "xlsx", "sav", "dta" (survey.analyst.output_formats).
    formats: tuple[str, ...] = ("csv",)


@dataclass
class Outcome:
    """Everything the report and run.json say about a run (bounded in size)."""

    settings: Settings
    inputs: list[dict[str, object]]
    key_ids: list[str]
    questionnaires: list[Questionnaire]
    counts: Counts = field(default_factory=Counts)
    valid: int = 0
    records: int = 0
    rejected: Counter[str] = field(default_factory=Counter)
    examples: list[tuple[str, str, str]] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    decrypt_seconds: float = 0.0
    #: Per questionnaire key, the translations its exports carry: ``{lang: {source: text}}``.
    translations: dict[str, dict[str, dict[str, str]]] = field(default_factory=dict)

    def export_digests(self) -> list[str]:
        """One line per export read: its SHA-256, which the server's admin types in to confirm
        that the analyst has this export before the server's copy is purged."""
        return [f"{entry['file']}: sha256 {entry['sha256']}" for entry in self.inputs]
