"""report over several exports: two questionnaire versions, two keys after a key rotation; and the
small parts (progress bar, noise) that the end-to-end tests cannot see."""

from __future__ import annotations

import io
import json
import math
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from survey.analyst.progress import Progress
from survey.analyst.suppress import geometric_noise
from survey.core import envelope
from survey.core import export_format as exportfile
from survey.core import sealed_document as plaintext
from survey.core.questionnaire import Answers, Questionnaire, load, parse
from tests.conftest import PASSPHRASE, AnalystKey, run_analyst
from tests.helpers import read_rows

DEMO = Path(__file__).resolve().parent.parent / "survey" / "core" / "questionnaires" / "demo.toml"


def sealed_export(path: Path, key: AnalystKey, q: Questionnaire, uid: str, answers: list[Answers]) -> Path:
    private = serialization.load_pem_private_key(key.private.read_bytes(), PASSPHRASE.encode())
    assert isinstance(private, ec.EllipticCurvePrivateKey)
    records = (exportfile.Record("Clinic", envelope.seal(plaintext.encode(q, "en", a), private.public_key(), uid))
               for a in answers)
    manifest = {"survey": {"uid": uid, "title": uid},
                "questionnaire": {"id": q.id, "version": q.version, "definition": q.source},
                "key_id": key.key_id}
    with open(path, "wb") as fh:
        exportfile.write(fh, manifest, records)
    return path


def test_two_versions_and_two_keys_in_one_report(tmp_path: Path, analyst_key: AnalystKey, other_key: AnalystKey) -> None:
    v1 = load(DEMO)
    v2 = parse(DEMO.read_text().replace("version = 1", "version = 2", 1).replace(
        '  { code = "no", value = 2, label = "No" },', '  { code = "no", value = 2, label = "No" },\n  { code = "unsure", value = 3, label = "Not sure" },'))
    a = sealed_export(tmp_path / "a.jsonl", analyst_key, v1, "wave-1", [{"needed_treatment": "no", "treated_unfairly": 2}] * 12)
    b = sealed_export(tmp_path / "b.jsonl", other_key, v2, "wave-2", [{"needed_treatment": "unsure", "hide_recovery": 4}] * 11)
    out = tmp_path / "out"
    result = run_analyst("report", a, b, "--key", analyst_key.private, "--key", other_key.private, "--out", out, "--workers", "2")
    assert result.returncode == 0, result.stderr
    run = json.loads((out / "run.json").read_text())
    assert sorted(run["key_ids"]) == sorted([analyst_key.key_id, other_key.key_id])
    assert run["questionnaires"] == ["demo@1", "demo@2"]
    assert run["counts"] == {"records": 23, "valid": 23, "rejected": {}}
    rows = read_rows(out / "responses.csv")
    assert {(r["questionnaire"], r["survey"]) for r in rows} == {("demo@1", "wave-1"), ("demo@2", "wave-2")}
    agg = read_rows(out / "aggregates.csv")
    unsure = [r for r in agg if r["table"] == "frequency" and r["variable"] == "needed_treatment"
              and r["category"] == "unsure" and r["statistic"] == "count"]
    assert [(r["questionnaire"], r["value"]) for r in unsure] == [("demo@2", "11")]
    scores = read_rows(out / "scores.csv")
    assert sorted({r["stigma_score"] for r in scores}) == ["2", "4"]


def test_an_export_sealed_to_a_key_not_given_stops_the_report(tmp_path: Path, analyst_key: AnalystKey, other_key: AnalystKey) -> None:
    a = sealed_export(tmp_path / "a.jsonl", other_key, load(DEMO), "w", [{"needed_treatment": "no"}])
    result = run_analyst("report", a, "--key", analyst_key.private, "--out", tmp_path / "out")
    assert result.returncode == 2 and "wrong key" in result.stderr
    assert not (tmp_path / "out").exists()


def test_two_exports_of_one_survey_are_refused_not_counted_twice(tmp_path: Path, analyst_key: AnalystKey) -> None:
    """An export holds every response of its survey so far: a Monday and a Friday export, or one
    file given twice, would count the same responses twice in every published figure."""
    monday = sealed_export(tmp_path / "monday.jsonl", analyst_key, load(DEMO), "wave-1", [{"needed_treatment": "no"}] * 3)
    friday = sealed_export(tmp_path / "friday.jsonl", analyst_key, load(DEMO), "wave-1", [{"needed_treatment": "no"}] * 5)
    for inputs in ((monday, friday), (monday, monday)):
        out = tmp_path / "out"
        result = run_analyst("report", *inputs, "--key", analyst_key.private, "--out", out)
        assert result.returncode == 2, result.stderr
        assert "both exports of survey 'wave-1'" in result.stderr and "counted twice" in result.stderr
        assert not out.exists()


@pytest.mark.parametrize(("field", "value"), [
    ("records", "many"), ("records", [1]), ("records", 10**30), ("records", -1), ("records", True),
    ("survey", "wave"), ("survey.uid", 5), ("questionnaire", "demo"), ("questionnaire.definition", 5),
    ("key_id", [1, 2]), ("records_sha256", None),
])
def test_a_damaged_manifest_is_refused_by_name_not_with_a_traceback(
        tmp_path: Path, analyst_key: AnalystKey, field: str, value: object) -> None:
    good = sealed_export(tmp_path / "good.jsonl", analyst_key, load(DEMO), "w", [{"needed_treatment": "no"}] * 3)
    head, records = good.read_bytes().split(b"\n", 1)
    manifest = json.loads(head)
    *parents, name = field.split(".")
    where = manifest
    for part in parents:
        where = where[part]
    where[name] = value
    damaged = tmp_path / "damaged.jsonl"
    damaged.write_bytes(json.dumps(manifest).encode() + b"\n" + records)
    for command, out in (("report", tmp_path / "out"), ("decrypt", tmp_path / "out.csv")):
        result = run_analyst(command, damaged, "--key", analyst_key.private, "--out", out)
        assert result.returncode == 2, result.stderr
        assert "Traceback" not in result.stderr
        assert f"damaged.jsonl: the manifest is damaged: {field} is missing" in result.stderr
        assert not out.exists()


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_the_progress_bar_shows_on_a_terminal_only() -> None:
    tty, pipe = Terminal(), io.StringIO()
    for stream in (tty, pipe):
        bar = Progress(1000, stream, every=0.0)
        bar.update(500)
        bar.done()
    assert "500/1,000 records" in tty.getvalue() and "#" * 15 in tty.getvalue()
    assert pipe.getvalue() == ""


def test_geometric_noise_has_the_spread_of_its_epsilon() -> None:
    eps = 0.5
    draws = [geometric_noise(eps) for _ in range(20_000)]
    alpha = math.exp(-eps)
    variance = 2 * alpha / (1 - alpha) ** 2  # two-sided geometric
    mean = sum(draws) / len(draws)
    var = sum((d - mean) ** 2 for d in draws) / (len(draws) - 1)
    assert abs(mean) < 0.15
    assert 0.9 * variance < var < 1.1 * variance
    assert all(isinstance(d, int) for d in draws)


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**63), 2**64 - 1) | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner, max_size=3),
    max_leaves=12)
MANIFEST_PLACES = [*exportfile.MANIFEST_FIELDS, ("format_version",), ("questionnaire", "translations"),
                   ("questionnaire", "translations", "de"), ("questionnaire", "translations", "de", "Yes")]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.sampled_from(MANIFEST_PLACES), JSON_VALUES)
def test_a_manifest_of_any_shape_is_read_or_refused_by_name(
        tmp_path: Path, place: tuple[str, ...], value: object) -> None:
    """Any JSON value at any field the analyst reads: the manifest is accepted with the right
    types, or refused with an ExportFileError naming the file, never another exception."""
    manifest = {"format": "run-survey-export", "format_version": 1, "survey": {"uid": "u", "title": "t"},
                "questionnaire": {"id": "demo", "version": 1, "definition": "", "translations": {"de": {"Yes": "Ja"}}},
                "key_id": "ab", "records": 0, "records_sha256": ""}
    where: Any = manifest
    for key in place[:-1]:
        where = where[key]
    where[place[-1]] = value
    path = tmp_path / "any.jsonl"
    path.write_bytes(json.dumps(manifest).encode() + b"\n")
    try:
        head = exportfile.read_manifest(path)
    except exportfile.ExportFileError as exc:
        assert str(exc).startswith("any.jsonl: ")
        return
    assert type(head["records"]) is int and type(head["questionnaire"]["version"]) is int
    assert isinstance(head["survey"]["uid"], str) and isinstance(head["questionnaire"]["definition"], str)
    for texts in head["questionnaire"].get("translations", {}).values():
        assert all(isinstance(t, str) for t in texts.values())
