"""No count between 1 and k-1 can be worked out from the console's figures taken together.

A coordinator or admin sees, for a survey: its total on the list of surveys and on its page, each
link's count on that page and in counts.csv, a figure on each link's one-time-code page, whether
the export for the analyst is offered and, when it is, the export file, whose records can be
counted per link. An attacker knows the rule that chose these figures (it is in the source), so
the question is: which vectors of link counts would have given *exactly* this? Here the real
server answers it. Every candidate vector is built as a survey of its own and scraped like the
real one; the candidates that look the same are those the attacker cannot tell apart. A hidden
link is protected when those candidates give it at least two values and, if its count is below k,
among them 0 and a count between 1 and k-1: nobody can tell what it is, nor whether anyone
answered through it. (A link hidden only to protect another, with k or more, may be known to hold
at least k: that is no small count.)

Responses here are inserted straight into the table, dated yesterday (the console counts a
response from the day after it arrived); the envelope bytes are a stand-in, as the console never
opens one. The padding-probe test sends real sealed envelopes through the respondent endpoint."""

from __future__ import annotations

import csv
import datetime as dt
import io
import itertools
import json
import re
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from html import unescape

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select, update

from survey.core import sealed_document as plaintext
from survey.core.envelope import seal
from survey.server import one_time_codes
from survey.server.database import session
from survey.server.links import today
from survey.server.models import AccessCode, Link, Response, Survey
from survey.server.surveys import create_link, create_survey
from tests.conftest import AppFactory
from tests.helpers import DEMO_FORM
from tests.test_console_support import age_responses, csrf, login, make_user

K = 3
#: Stands in for a sealed answer: counts and the export never open an envelope.
ENVELOPE = b"\x01" * 48
_FIGURE = re.compile(r"data-count>([^<]*)<")
_LISTED = re.compile(r'href="/console/surveys/(\d+)">.*?data-count>([^<]*)<', re.S)


@pytest.fixture
def k_app(make_app: AppFactory) -> Flask:
    return make_app(count_threshold=K, submit_limit=0)


def make_survey(app: Flask, counts: Sequence[int], title: str = "Counts") -> int:
    """A survey with one link per count ("Channel 1", ...), each holding that many responses
    that arrived yesterday."""
    with app.app_context():
        s = session()
        q = app.extensions["questionnaires"]["demo@1"]
        survey = create_survey(s, q, app.extensions["keyring"].ids()[0], title, ["en"])
        day = today() - dt.timedelta(days=1)
        for i, n in enumerate(counts):
            link = create_link(s, survey, f"Channel {i + 1}")
            s.add_all(Response(survey_id=survey.id, link_id=link.id, received_on=day, key_id=survey.key_id,
                               envelope=ENVELOPE) for _ in range(n))
        s.commit()
        return survey.id


def _link_ids(app: Flask, survey_id: int) -> list[int]:
    with app.app_context():
        return list(session().scalars(select(Link.id).where(Link.survey_id == survey_id).order_by(Link.id)))


@dataclass(frozen=True)
class Display:
    """Everything the console lets its user see about one survey's counts."""

    total: str  # on the survey's page
    links: tuple[str, ...]  # each link's figure on the survey's page, oldest link first
    spreadsheet: tuple[tuple[str, ...], ...]  # counts.csv, header included
    codes_pages: tuple[tuple[str, ...], ...]  # the figures on each link's one-time-code page
    export_offered: bool  # the download button on the survey's export page
    export: tuple[int, ...] | None  # records per link in the export file; None when it is refused
    listed_total: str = ""  # on the list of surveys


def _figures(html: str) -> list[str]:
    return [unescape(v).strip() for v in _FIGURE.findall(html)]


def _export(client: FlaskClient, survey_id: int, links: int) -> tuple[int, ...] | None:
    response = client.post(f"/console/surveys/{survey_id}/export", data={"csrf_token": csrf(client, "/console/password")})
    if response.status_code != 200:
        assert response.status_code == 409, response.status_code
        return None
    lines = response.get_data().splitlines()
    manifest = json.loads(lines[0])
    channels = Counter(json.loads(line)["channel"] for line in lines[1:])
    assert manifest["records"] == sum(channels.values())
    labels = [f"Channel {i + 1}" for i in range(links)]
    assert set(channels) <= set(labels)
    return tuple(channels[label] for label in labels)


def scrape(client: FlaskClient, app: Flask, survey_id: int) -> Display:
    links = _link_ids(app, survey_id)
    page = client.get(f"/console/surveys/{survey_id}").get_data(as_text=True)
    figures = _figures(page)
    assert len(figures) == 1 + len(links), figures  # the total, then one per link
    spreadsheet = client.get(f"/console/surveys/{survey_id}/counts.csv").get_data(as_text=True)
    codes = tuple(tuple(_figures(client.get(f"/console/links/{lid}/codes").get_data(as_text=True))) for lid in links)
    return Display(
        total=figures[0],
        links=tuple(figures[1:]),
        spreadsheet=tuple(tuple(row) for row in csv.reader(io.StringIO(spreadsheet))),
        codes_pages=codes,
        export_offered=(f'action="/console/surveys/{survey_id}/export"'
                        in client.get(f"/console/surveys/{survey_id}/export").get_data(as_text=True)),
        export=_export(client, survey_id, len(links)),
    )


def listed_totals(client: FlaskClient) -> dict[int, str]:
    page = client.get("/console/").get_data(as_text=True)
    return {int(sid): unescape(text).strip() for sid, text in _LISTED.findall(page)}


class Console:
    """An admin's view of the console, and the attacker's question: what else looks the same?"""

    def __init__(self, app: Flask) -> None:
        self.app = app
        make_user(app, "admin", admin=True)
        self.client = login(app, "admin")
        self._seen: dict[tuple[int, ...], Display] = {}

    def displays(self, vectors: Sequence[tuple[int, ...]]) -> dict[tuple[int, ...], Display]:
        new = [v for v in dict.fromkeys(vectors) if v not in self._seen]
        ids = {v: make_survey(self.app, v, title=f"Candidate {v}") for v in new}
        scraped = {v: scrape(self.client, self.app, sid) for v, sid in ids.items()}
        listed = listed_totals(self.client)
        for v, sid in ids.items():
            self._seen[v] = Display(**{**scraped[v].__dict__, "listed_total": listed[sid]})
        return {v: self._seen[v] for v in vectors}

    def consistent(self, seen: Display, links: int) -> list[tuple[int, ...]]:
        """Every vector of link counts the console would show exactly as ``seen``."""
        candidates = list(_compositions(int(seen.total), links)) if seen.total.isdigit() else [
            v for total in range(2 * K + 1) for v in _compositions(total, links)]
        return [v for v, d in self.displays(candidates).items() if d == seen]


def _compositions(total: int, parts: int) -> Iterator[tuple[int, ...]]:
    """Every tuple of ``parts`` counts (0 or more) adding up to ``total``."""
    for bars in itertools.combinations(range(total + parts - 1), parts - 1):
        edges = (-1, *bars, total + parts - 1)
        yield tuple(b - a - 1 for a, b in itertools.pairwise(edges))


SCENARIOS = {
    "one small link beside a big one": (5, 1),
    "several small links and a zero": (4, 1, 2, 0),
    "every link small, the total shown": (2, 2),
    "the total below k": (1, 0, 1),
    "a zero beside big links": (0, 4, 4),
    "two ones beside a big link": (1, 1, 6),
    "small, zero and big links": (3, 0, 4, 1),
    "one big link among small ones": (1, 2, 7, 0),
}


@pytest.mark.parametrize("counts", SCENARIOS.values(), ids=SCENARIOS.keys())
def test_no_hidden_link_count_can_be_worked_out_from_every_figure_the_console_shows(
    k_app: Flask, counts: tuple[int, ...]
) -> None:
    console = Console(k_app)
    seen = console.displays([counts])[counts]
    hidden = [i for i, figure in enumerate(seen.links) if not figure.isdigit()]
    assert hidden, seen  # every scenario has a count below k
    feasible = console.consistent(seen, len(counts))
    assert counts in feasible
    for i in hidden:
        values = sorted({v[i] for v in feasible})
        assert len(values) >= 2, f"link {i + 1} of {counts} is pinned to {values} by {seen}"
        assert counts[i] >= K or (0 in values and any(0 < v < K for v in values)), (
            f"link {i + 1} of {counts}: only {values} fit {seen}, so whether anyone answered through it is known")
    if seen.total.isdigit():
        rest = int(seen.total) - sum(int(seen.links[i]) for i in range(len(counts)) if i not in hidden)
        assert rest >= K, f"the hidden links of {counts} add up to {rest}, a count below k"
    # What is shown as a number is the true count, never one below k, and the same everywhere.
    for i, figure in enumerate(seen.links):
        assert not figure.isdigit() or int(figure) == counts[i] >= K
    assert seen.listed_total == seen.total
    assert seen.spreadsheet == (("Link", "Responses"),
                                *((f"Channel {i + 1}", f) for i, f in enumerate(seen.links)),
                                ("All links", seen.total))
    assert seen.codes_pages == tuple((f,) for f in seen.links)  # the link's own figure, nothing more
    assert seen.export is None and not seen.export_offered


def test_a_survey_with_nothing_small_shows_every_count_and_offers_the_export(k_app: Flask) -> None:
    console = Console(k_app)
    seen = console.displays([(4, 3, 5)])[(4, 3, 5)]
    assert (seen.total, seen.links, seen.listed_total) == ("12", ("4", "3", "5"), "12")
    assert seen.export_offered and seen.export == (4, 3, 5)  # the file holds just what the page shows


GROUPS = {
    "beside big links": [(4, 4, 0), (4, 4, 1), (4, 4, 2)],
    "beside one link of k": [(3, 0), (3, 1), (3, 2)],
    "a lone link": [(0,), (1,), (2,)],
    "beside a link with many": [(9, 0), (9, 1), (9, 2)],
}


@pytest.mark.parametrize("group", GROUPS.values(), ids=GROUPS.keys())
def test_whether_the_export_is_offered_does_not_tell_a_zero_from_a_small_count(
    k_app: Flask, group: list[tuple[int, ...]]
) -> None:
    console = Console(k_app)
    seen = console.displays(group)
    offered = {v: (d.export_offered, d.export is not None) for v, d in seen.items()}
    assert len(set(offered.values())) == 1, offered
    assert not any(d.export_offered for d in seen.values())


def _sealed_junk(app: Flask, survey_id: int) -> bytes:
    """What a coordinator can make without the server: an envelope sealed to the survey's public key."""
    with app.app_context():
        survey = session().get(Survey, survey_id)
        assert survey is not None
        key = app.extensions["keyring"][survey.key_id].key
        q = app.extensions["questionnaires"]["demo@1"]
        return seal(plaintext.encode(q, "en", {"needed_treatment": "no"}), key, survey.uid)


@pytest.mark.both_databases
def test_responses_count_from_the_next_day_so_junk_sent_today_moves_no_figure(k_app: Flask) -> None:
    """The padding probe: a coordinator sends k junk envelopes to a link whose count is hidden and
    looks again. Nothing moves that day; the next day the link shows 1 + k, and the coordinator who
    knows the junk can subtract it (the limit the threat model states): each probe costs a day."""
    console = Console(k_app)
    survey_id = make_survey(k_app, (4, 1))
    before = scrape(console.client, k_app, survey_id)
    assert before.links == ("not shown", "not shown") and before.total == "5" and before.export is None
    with k_app.app_context():
        tokens = list(session().scalars(select(Link.token).where(Link.survey_id == survey_id).order_by(Link.id)))
    respondent = k_app.test_client()
    for _ in range(K):  # each one sealed afresh, as a real envelope is
        assert respondent.post(f"/s/{tokens[1]}/sealed", data=_sealed_junk(k_app, survey_id),
                               headers={"Content-Type": "application/octet-stream"}).status_code == 201
    assert respondent.post(f"/s/{tokens[0]}", data=DEMO_FORM).status_code == 303
    assert scrape(console.client, k_app, survey_id) == before
    assert listed_totals(console.client)[survey_id] == "5"

    age_responses(k_app)  # the next day
    after = scrape(console.client, k_app, survey_id)
    assert (after.total, after.links, after.export) == ("9", ("5", "4"), (5, 4))


def test_the_export_holds_only_the_responses_the_counts_show(k_app: Flask) -> None:
    console = Console(k_app)
    survey_id = make_survey(k_app, (4, 5))
    with k_app.app_context():
        s = session()
        link = s.scalars(select(Link).where(Link.survey_id == survey_id).order_by(Link.id)).first()
        assert link is not None
        s.add(Response(survey_id=survey_id, link_id=link.id, received_on=today(), key_id=link.survey.key_id,
                       envelope=ENVELOPE))
        s.commit()
    seen = scrape(console.client, k_app, survey_id)
    assert (seen.total, seen.links, seen.export) == ("9", ("4", "5"), (4, 5))


def test_the_one_time_code_page_shows_no_tally_that_differs_from_the_links_count(k_app: Flask) -> None:
    """Codes spent are the responses that came with a code: with some that came before codes were
    required, "used" beside the link's count would give away how many came without one (here 1)."""
    console = Console(k_app)
    survey_id = make_survey(k_app, (6, 5))
    with k_app.app_context():
        s = session()
        link = s.scalars(select(Link).where(Link.survey_id == survey_id).order_by(Link.id)).all()[1]
        one_time_codes.generate(s, k_app.config["SECRET_KEY"], link, 10)
        link.requires_code = True
        spent = list(s.scalars(select(AccessCode.code_hash).where(AccessCode.link_id == link.id)))[:4]
        s.execute(update(AccessCode).where(AccessCode.code_hash.in_(spent)).values(used=True))
        s.commit()
    seen = scrape(console.client, k_app, survey_id)
    assert seen.links == ("6", "5")
    assert seen.codes_pages == (("6",), ("5",))
    page = console.client.get(f"/console/links/{_link_ids(k_app, survey_id)[1]}/codes").get_data(as_text=True)
    assert not re.search(r"(?<![\w#.-])4(?![\w.-])", re.sub(r"<[^>]+>", " ", page)), "the used-code tally is shown"


def test_the_survey_page_says_in_plain_words_what_its_figures_tell(k_app: Flask) -> None:
    console = Console(k_app)
    survey_id = make_survey(k_app, (5, 1))
    page = unescape(console.client.get(f"/console/surveys/{survey_id}").get_data(as_text=True))
    for words in ("About these counts", "up to the end of yesterday", f"Counts below {K}, zero included",
                  "cannot be worked out from the total", "holds the same responses as these counts"):
        assert words in page, words


def test_the_shared_one_way_suppression_leaves_no_hidden_count_determined_for_the_analyst() -> None:
    """The analyst's tables publish zeros; an attacker who knows the rule must still not pin a
    hidden count (for k of 3 or more: with k = 2 the only small count is 1)."""
    from survey.analyst.suppress import PUBLISHED, suppress_1d

    for k, parts, top in ((3, 3, 7), (4, 3, 8), (5, 3, 9), (3, 4, 5)):
        def display(v: tuple[int, ...], k: int = k) -> tuple[int | None, ...]:
            status = suppress_1d(v, k)
            total = sum(v)
            return (total if total >= k or total == 0 else None,
                    *(n if s == PUBLISHED else None for n, s in zip(v, status, strict=True)))

        by_display: dict[tuple[int | None, ...], list[tuple[int, ...]]] = {}
        for total in range(top * parts + 1):
            for v in _compositions(total, parts):
                by_display.setdefault(display(v), []).append(v)
        for v in itertools.product(range(top + 1), repeat=parts):
            seen = display(v)
            for i in range(parts):
                if seen[1 + i] is None:
                    values = {w[i] for w in by_display[seen]}
                    assert len(values) >= 2, (k, v, i, values)


def test_the_consoles_suppression_hides_zeros_and_leaves_every_hidden_link_open() -> None:
    """The same function as the analyst's, with zeros hidden: checked against every vector of up
    to four links for k = 2, 3 and 4 (the page-scraping tests above check the pages)."""
    from survey.core.suppression import PUBLISHED, suppress_1d

    for k, parts, top in ((2, 4, 4), (3, 3, 7), (3, 4, 5), (4, 3, 8), (4, 4, 5)):
        def display(v: tuple[int, ...], k: int = k) -> tuple[int | None, ...]:
            status = suppress_1d(v, k, hide_zeros=True)
            total = sum(v)
            return (total if total >= k else None,
                    *(n if s == PUBLISHED else None for n, s in zip(v, status, strict=True)))

        by_display: dict[tuple[int | None, ...], list[tuple[int, ...]]] = {}
        for total in range(top * parts + 1):
            for v in _compositions(total, parts):
                by_display.setdefault(display(v), []).append(v)
        for v in itertools.product(range(top + 1), repeat=parts):
            seen = display(v)
            assert all(n is None or n >= k for n in seen[1:]), (k, v, seen)
            for i in range(parts):
                if seen[1 + i] is None:
                    values = {w[i] for w in by_display[seen]}
                    assert len(values) >= 2, (k, v, i, values)
                    # A hidden count below k could be any count below k (as far as the total allows).
                    assert v[i] >= k or set(range(min(k, sum(v) + 1))) <= values, (k, v, i, sorted(values))
