"""A definition of any shape is refused by name, never with a traceback.

An export's manifest carries its questionnaire's definition as TOML text, and the analyst reads it
before anything else: a damaged or hand-made definition whose sections, questions, options, scales,
scale points or scores have the wrong type (text, number, list, table, true/false, or missing)
must end in a ``DefinitionError`` naming the field, and ``survey-analyst decrypt`` and ``report``
must stop with exit code 2 and a message naming the export and the field."""

from __future__ import annotations

import copy
import json
import tomllib
from pathlib import Path
from typing import Any

import pytest
import tomli_w

from survey.core.questionnaire import DefinitionError, parse
from tests.conftest import AnalystKey, run_analyst
from tests.test_analyst_report_inputs import DEMO, sealed_export

BASE: dict[str, Any] = tomllib.loads(DEMO.read_text(encoding="utf-8"))
MISSING = object()
WRONG: dict[str, Any] = {"string": "x", "number": 7, "list": [1, "a"], "table": {"a": 1}, "bool": True,
                         "missing": MISSING}
S0Q0 = ("sections", 0, "questions", 0)  # needed_treatment: single, with options
S0Q1 = ("sections", 0, "questions", 1)  # barriers: multiple, with show_if
S1Q0 = ("sections", 1, "questions", 0)  # treated_unfairly: scale
POINT = ("scales", "agree5", "points", 0)
#: Every place in a definition, and the kinds of value that may be right there (a right kind may
#: still be refused for its value; a wrong kind must be).
PLACES: dict[tuple[str | int, ...], set[str]] = {
    ("id",): {"string"}, ("version",): {"number"}, ("title",): {"string"},
    ("intro",): {"string", "missing"}, ("notes",): {"string", "missing"},
    ("sections",): set(), ("sections", 0): set(), ("sections", 0, "code"): {"string"},
    ("sections", 0, "title"): {"string"}, ("sections", 0, "intro"): {"string", "missing"},
    ("sections", 0, "questions"): set(),
    S0Q0: set(), (*S0Q0, "code"): {"string"}, (*S0Q0, "type"): set(), (*S0Q0, "text"): {"string"},
    (*S0Q0, "required"): {"bool", "missing"}, (*S0Q0, "prefer_not_to_say"): {"bool", "missing"},
    (*S0Q0, "options"): set(), (*S0Q0, "options", 0): set(), (*S0Q0, "options", 0, "code"): {"string"},
    (*S0Q0, "options", 0, "label"): {"string"}, (*S0Q0, "options", 0, "value"): {"number", "missing"},
    (*S0Q0, "options", 0, "last"): {"bool", "missing"},
    (*S0Q1, "help"): {"string", "missing"}, (*S0Q1, "show_if"): {"missing"},
    (*S0Q1, "show_if", "question"): set(), (*S0Q1, "show_if", "any_of"): set(),
    (*S1Q0, "scale"): set(), ("sections", 2, "questions", 0, "min"): {"number"},
    ("sections", 2, "questions", 1, "max_length"): {"number"},
    ("sections", 2, "questions", 0, "relevant"): {"string", "missing"},
    ("sections", 2, "questions", 0, "constraint"): {"string", "missing"},
    ("sections", 2, "questions", 0, "constraint_message"): {"string", "missing"},
    ("scales",): {"missing"}, ("scales", "agree5"): set(), ("scales", "agree5", "points"): set(), POINT: set(),
    (*POINT, "value"): {"number"}, (*POINT, "label"): {"string"},
    ("scores",): {"missing"}, ("scores", 0): set(), ("scores", 0, "code"): {"string"},
    ("scores", 0, "label"): {"string"}, ("scores", 0, "items"): set(), ("scores", 0, "items", 0): set(),
    ("scores", 0, "reverse"): {"missing"}, ("scores", 0, "method"): {"missing"},
    ("scores", 0, "min_items"): {"number", "missing"},
}


def damaged(place: tuple[str | int, ...], value: Any) -> str:
    """The demo definition as TOML text with ``value`` at ``place`` (removed for MISSING)."""
    data = copy.deepcopy(BASE)
    where: Any = data
    for step in place[:-1]:
        where = where[step]
    if value is MISSING:
        where.pop(place[-1], None)
    else:
        where[place[-1]] = value
    return tomli_w.dumps(data)


def field_word(place: tuple[str | int, ...]) -> str:
    """The word the refusal must contain: the field's key, or for a list's element the list's
    name in the singular (``sections[0]`` -> "section")."""
    if isinstance(place[-1], int):
        return str(place[-2]).removesuffix("s")
    return str(place[-1])


CASES = [(place, kind) for place in PLACES for kind in WRONG if not (kind == "missing" and isinstance(place[-1], int))]


@pytest.mark.parametrize(("place", "kind"), CASES, ids=[f"{'.'.join(map(str, p))}={k}" for p, k in CASES])
def test_every_wrong_type_is_a_definition_error_naming_the_field(place: tuple[str | int, ...], kind: str) -> None:
    source = damaged(place, WRONG[kind])
    right_kind = kind in PLACES[place]
    try:
        parse(source, "damaged.toml")
    except DefinitionError as exc:
        message = str(exc)
        assert message.startswith("damaged.toml: "), message
        # A value of the right kind may be refused for what it is (code "x" breaks a reference).
        assert right_kind or field_word(place) in message, message
        return
    assert right_kind, f"{'.'.join(map(str, place))} = {kind} was accepted"


def test_the_demo_definition_itself_is_accepted() -> None:
    assert parse(tomli_w.dumps(BASE), "demo").id == "demo"


@pytest.mark.parametrize("deep", ["x = " + "[" * 100_000, "x = " + "{a = " * 100_000, "x = [" + "{a = [" * 20_000])
def test_a_definition_nested_without_end_is_refused(deep: str) -> None:
    with pytest.raises(DefinitionError, match="damaged.toml: .*nested too deep"):
        parse(deep, "damaged.toml")


def with_manifest(good: Path, out: Path, change: dict[str, Any] | None = None, head: bytes | None = None) -> Path:
    """``good`` with its manifest's questionnaire fields changed, or its first line replaced."""
    first, records = good.read_bytes().split(b"\n", 1)
    if head is None:
        manifest = json.loads(first)
        manifest["questionnaire"].update(change or {})
        head = json.dumps(manifest).encode()
    out.write_bytes(head + b"\n" + records)
    return out


@pytest.fixture(scope="module")
def good_export(tmp_path_factory: pytest.TempPathFactory, analyst_key: AnalystKey) -> Path:
    from survey.core.questionnaire import load

    base = tmp_path_factory.mktemp("definition-types")
    return sealed_export(base / "good.jsonl", analyst_key, load(DEMO), "w", [{"needed_treatment": "no"}] * 3)


END_TO_END = {
    "sections are text": ({"definition": damaged(("sections",), "x")}, "sections"),
    "a section is text": ({"definition": damaged(("sections", 0), "x")}, "sections[1]"),
    "a scale point is a number": ({"definition": damaged(POINT, 7)}, "point"),
    "scale points are a table": ({"definition": damaged(("scales", "agree5", "points"), {"a": 1})}, "points"),
    "an option is a list": ({"definition": damaged((*S0Q0, "options", 0), [1])}, "option"),
    "a score item is a table": ({"definition": damaged(("scores", 0, "items", 0), {"a": 1})}, "item"),
    "definition nested 100,000 deep": ({"definition": "x = " + "[" * 100_000}, "nested too deep"),
}


@pytest.mark.parametrize("case", list(END_TO_END))
def test_decrypt_and_report_refuse_a_wrong_definition_by_file_and_field(
        case: str, good_export: Path, analyst_key: AnalystKey, tmp_path: Path) -> None:
    change, word = END_TO_END[case]
    export = with_manifest(good_export, tmp_path / "damaged.jsonl", change)
    for command, out in (("decrypt", tmp_path / "out.csv"), ("report", tmp_path / "out")):
        result = run_analyst(command, export, "--key", analyst_key.private, "--out", out)
        assert result.returncode == 2, (command, result.stderr)
        assert "Traceback" not in result.stderr and "Error:" not in result.stderr, result.stderr
        assert "damaged.jsonl" in result.stderr and word in result.stderr, result.stderr
        assert not out.exists()


@pytest.mark.parametrize("head", [b"[" * 100_000, b'{"a":' * 100_000,
                                  b'{"format": "run-survey-export", "format_version": 1, "survey": '
                                  + b'{"a":' * 100_000 + b"1" + b"}" * 100_000 + b"}"],
                         ids=["arrays", "objects", "inside-a-manifest"])
def test_a_manifest_nested_100000_deep_is_refused(
        head: bytes, good_export: Path, analyst_key: AnalystKey, tmp_path: Path) -> None:
    export = with_manifest(good_export, tmp_path / "deep.jsonl", head=head)
    for command, out in (("decrypt", tmp_path / "out.csv"), ("report", tmp_path / "out")):
        result = run_analyst(command, export, "--key", analyst_key.private, "--out", out)
        assert result.returncode == 2, (command, result.stderr)
        assert "Traceback" not in result.stderr, result.stderr
        assert "deep.jsonl: line 1" in result.stderr and "nested too deep" in result.stderr, result.stderr
        assert not out.exists()
