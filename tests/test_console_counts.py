"""Counts below k never appear as numbers; the QR code decodes to the link's URL."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from flask.testing import FlaskClient
from PIL import Image

from survey.server.link_tokens import grouped
from tests.conftest import AppFactory, add_survey
from tests.helpers import DEMO_FORM
from tests.test_console_support import age_responses, assign, csrf, link_id, login, make_user

pytestmark = pytest.mark.both_databases  # every test using `app` runs on SQLite and PostgreSQL

K = 7


@pytest.fixture
def k_app(make_app: AppFactory) -> Flask:
    return make_app(count_threshold=K)


def _pages_and_downloads(client: FlaskClient, survey_id: int, link: int) -> dict[str, str]:
    out = {url: client.get(url).get_data(as_text=True) for url in (
        "/console/", f"/console/surveys/{survey_id}", f"/console/surveys/{survey_id}/counts.csv",
        f"/console/links/{link}/codes", f"/console/links/{link}/flyer",
        # the confirmation pages and the export's page say what happens, never with a count
        f"/console/surveys/{survey_id}/export", f"/console/surveys/{survey_id}/close", f"/console/links/{link}/revoke")}
    export = client.post(f"/console/surveys/{survey_id}/export", data={"csrf_token": csrf(client, "/console/password")})
    out["export"] = export.get_data(as_text=True)
    out["export status"] = str(export.status_code)
    return out


def test_counts_below_k_are_never_shown_as_numbers_in_any_page_or_download(k_app: Flask) -> None:
    app = k_app
    uid, token = add_survey(app)
    survey_id = assign(app, make_user(app, "coord"), uid)
    lid = link_id(app, token)
    client = login(app, "coord")
    respondent = app.test_client()
    for n in range(1, K + 1):
        assert respondent.post(f"/s/{token}", data=DEMO_FORM).status_code == 303
        age_responses(app)  # the console counts a response from the next day on
        seen = _pages_and_downloads(client, survey_id, lid)
        shown = re.findall(r"data-count>([^<]*)<", seen["/console/"] + seen[f"/console/surveys/{survey_id}"])
        csv_counts = [line.rsplit(",", 1)[1] for line in seen[f"/console/surveys/{survey_id}/counts.csv"].splitlines()[1:]]
        if n < K:
            assert shown and all(s == f"fewer than {K}" for s in shown), (n, shown)
            assert csv_counts == [f"fewer than {K}"] * 2, csv_counts
            assert seen["export status"] == "409"  # the file would show its number of records
            for name, text in seen.items():
                if name == "export status":
                    continue
                # the number itself appears nowhere as a count: not "n", not "n responses"
                # (the questionnaire's name ends with its version: "Demo, version 1")
                text = re.sub(r"data-questionnaire>[^<]*<", "", text.replace(f"fewer than {K}", ""))
                assert not re.search(rf"(?<![\w#.@-]){n}(?![\w.-])\s*(responses?)?\s*<", text), (n, name)
        else:
            assert all(s == str(K) for s in shown), shown
            assert csv_counts == [str(K), str(K)]
            assert seen["export status"] == "200"


def test_zero_counts_follow_the_same_rule(k_app: Flask) -> None:
    uid, token = add_survey(k_app)
    assign(k_app, make_user(k_app, "coord"), uid)
    page = login(k_app, "coord").get("/console/").get_data(as_text=True)
    assert re.findall(r"data-count>([^<]*)<", page) == [f"fewer than {K}"]


def _svg_to_image(svg: bytes, scale: int = 8) -> Image.Image:
    """Rasterise segno's SVG path (``M x y`` moves, ``h n`` runs, ``m dx dy`` relative moves)."""
    text = svg.decode()
    view = re.search(r'viewBox="0 0 (\d+) (\d+)"', text)
    assert view, "the SVG must scale (viewBox, no fixed size)"
    size = int(view.group(1))
    dark = re.search(r'<path stroke="#000" d="([^"]+)"', text)
    assert dark is not None
    path = dark.group(1)  # the dark modules
    img = Image.new("L", (size * scale, size * scale), 255)
    x = y = 0.0
    for cmd, args in re.findall(r"([MmHh])([-\d. ]+)", path):
        nums = [float(v) for v in args.split()]
        if cmd == "M":
            x, y = nums
        elif cmd == "m":
            x, y = x + nums[0], y + nums[1]
        else:
            run = nums[0]
            for col in range(int(x), int(x + run)):
                row = int(y)
                img.paste(0, (col * scale, row * scale, (col + 1) * scale, (row + 1) * scale))
            x += run
    return img


def test_the_qr_code_svg_decodes_to_the_links_url(app: Flask) -> None:
    import zxingcpp

    uid, token = add_survey(app)
    make_user(app, "admin", admin=True)
    client = login(app, "admin")
    lid = link_id(app, token)
    svg = client.get(f"/console/links/{lid}/qr.svg")
    assert svg.status_code == 200 and svg.mimetype == "image/svg+xml"
    [result] = zxingcpp.read_barcodes(_svg_to_image(svg.data))
    assert result.text == f"http://localhost/s/{grouped(token)}"  # printed grouped (survey.server.link_tokens)
    flyer = client.get(f"/console/links/{lid}/flyer?size=a5").get_data(as_text=True)
    assert f"http://localhost/s/{grouped(token)}" in flyer and f"/console/links/{lid}/qr.svg" in flyer and "sheet-a5" in flyer


def test_the_qr_code_uses_the_public_base_url_when_set(make_app: AppFactory) -> None:
    import zxingcpp

    app = make_app(public_base_url="https://survey.example.org")
    _uid, token = add_survey(app)
    make_user(app, "admin", admin=True)
    svg = login(app, "admin").get(f"/console/links/{link_id(app, token)}/qr.svg").data
    [result] = zxingcpp.read_barcodes(_svg_to_image(svg))
    assert result.text == f"https://survey.example.org/s/{grouped(token)}"
