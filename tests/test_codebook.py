"""The codebook is generated from the definitions and the committed copy is up to date."""

from __future__ import annotations

from survey.core.codebook import COLUMNS, codebook_rows
from survey.core.questionnaire import load_directory
from survey.devtools.codebook_docs import DEFAULT_OUT, expected_files


def test_committed_codebook_matches_the_definitions() -> None:
    expected = expected_files()
    stale = [name for name, content in expected.items()
             if not (DEFAULT_OUT / name).is_file() or (DEFAULT_OUT / name).read_text(encoding="utf-8") != content]
    extra = sorted(p.name for p in DEFAULT_OUT.glob("*") if p.name not in expected and p.suffix in (".md", ".csv"))
    assert not stale and not extra, f"docs/codebook is out of date ({stale + extra}): run `python -m survey.devtools.codebook_docs`"


def test_codebook_rows_name_options_conditions_and_scoring() -> None:
    q = load_directory()["demo@1"]
    rows = {r["code"]: r for r in codebook_rows(q)}
    assert list(rows) == list(q.codes)
    assert all(tuple(r) == COLUMNS for r in rows.values())
    assert rows["needed_treatment"]["options"] == "yes=Yes | no=No | prefer_not_to_say=Prefer not to say"
    assert rows["needed_treatment"]["values"] == "yes=1 | no=2 | prefer_not_to_say=-99"
    assert rows["barriers"]["values"] == "cost=1 | waiting_list=2 | distance=3 | staff_attitudes=4 | confidentiality=5 | prefer_not_to_say=-99 | not shown=-98"
    assert rows["treated_unfairly"]["values"].startswith("1=1 | 2=2")
    assert rows["barriers"]["condition"] == "needed_treatment in (yes)"
    assert rows["treated_unfairly"]["scoring"] == "stigma_score"
    assert rows["age"]["options"].startswith("whole number 16..99")


def test_codebook_marks_reverse_scored_items() -> None:
    for q in load_directory().values():
        for row in codebook_rows(q):
            for sc in q.scores:
                if row["code"] in sc.reverse:
                    assert f"{sc.code} (reversed)" in row["scoring"]
