"""Submissions are rate-limited in memory, under a salted hash that rotates, and the limit never
writes or keeps the address it counts."""

from __future__ import annotations

from pathlib import Path

from flask import Flask
from werkzeug.test import TestResponse

from survey.server.web.ratelimit import RateLimiter, client_address
from tests.conftest import AnalystKey, add_survey, build_app
from tests.helpers import DEMO_FORM, count_responses

ADDRESS = "198.51.100.23"


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_limiter_allows_the_limit_then_refuses_until_the_window_rotates() -> None:
    clock = Clock()
    limiter = RateLimiter(3, 60, clock=clock)
    assert [limiter.hit("a") for _ in range(4)] == [True, True, True, False]
    assert limiter.hit("b")  # another key has its own count
    clock.now += 61
    assert limiter.hit("a")


def test_limiter_keeps_only_salted_hashes_and_changes_salt_each_window() -> None:
    clock = Clock()
    limiter = RateLimiter(5, 60, clock=clock)
    limiter.hit(ADDRESS)
    first_slots = set(limiter._counts)
    held = repr(vars(limiter) if hasattr(limiter, "__dict__") else {}) + repr(first_slots)
    assert ADDRESS not in held and ADDRESS.encode() not in b"".join(first_slots)
    clock.now += 61
    limiter.hit(ADDRESS)
    assert set(limiter._counts).isdisjoint(first_slots)


def test_client_address_trusts_only_the_configured_proxy_hops() -> None:
    assert client_address("10.0.0.1", "6.6.6.6, 203.0.113.5", 1) == "203.0.113.5"
    assert client_address("10.0.0.1", "6.6.6.6, 203.0.113.5", 0) == "10.0.0.1"
    assert client_address("10.0.0.1", "", 1) == "10.0.0.1"
    assert client_address(None, None, 0) == ""


def _limited_app(tmp_path: Path, analyst_key: AnalystKey, limit: int = 3) -> Flask:
    return build_app(tmp_path, analyst_key, submit_limit=limit, submit_window=600, trusted_proxy_hops=1)


def test_too_many_form_submissions_get_a_translated_429_page_and_store_nothing(tmp_path: Path, analyst_key: AnalystKey) -> None:
    app = _limited_app(tmp_path, analyst_key)
    _uid, token = add_survey(app)
    client = app.test_client()
    headers = {"X-Forwarded-For": ADDRESS}
    assert [client.post(f"/s/{token}", data=DEMO_FORM, headers=headers).status_code for _ in range(3)] == [303] * 3
    refused = client.post(f"/s/{token}", data=DEMO_FORM, headers=headers)
    assert refused.status_code == 429 and refused.headers["Retry-After"] == "600"
    assert "Please wait" in refused.get_data(as_text=True) and "Set-Cookie" not in refused.headers
    assert count_responses(app) == 3
    # Another client (another address behind the same proxy) is not affected.
    assert client.post(f"/s/{token}", data=DEMO_FORM, headers={"X-Forwarded-For": "192.0.2.9"}).status_code == 303
    # The page goes through the translation machinery: asked in another language, it is rendered
    # in that language (its strings are in the catalogs once the translators' extraction runs).
    other = client.post(f"/s/{token}?lang=fr", data=DEMO_FORM, headers=headers)
    assert other.status_code == 429 and '<html lang="fr"' in other.get_data(as_text=True)


def test_too_many_sealed_submissions_get_a_json_429(tmp_path: Path, analyst_key: AnalystKey) -> None:
    """Every POST counts, even one refused as not an envelope: the first two (the limit) are
    refused for what they are (400, not an envelope), the third by the limit (429)."""
    app = _limited_app(tmp_path, analyst_key, limit=2)
    _uid, token = add_survey(app)
    client = app.test_client()

    def post(address: str = ADDRESS) -> TestResponse:
        return client.post(f"/s/{token}/sealed", data=b"junk", content_type="application/octet-stream",
                           headers={"X-Forwarded-For": address})

    def body(response: TestResponse) -> dict[str, str]:
        data = response.get_json()
        assert isinstance(data, dict), response.get_data(as_text=True)[:200]
        return data

    first, second = post(), post()
    assert [first.status_code, second.status_code] == [400, 400]
    assert body(first)["error"] != "rate limited" and "Retry-After" not in first.headers
    refused = post()
    assert refused.status_code == 429 and body(refused)["error"] == "rate limited"
    assert body(refused)["message"] and refused.headers["Retry-After"] == "600"
    assert post().status_code == 429  # and it stays refused within the window
    assert post("192.0.2.9").status_code == 400  # another address is not limited
    assert count_responses(app) == 0


def test_the_rate_limit_writes_the_address_nowhere(tmp_path: Path, analyst_key: AnalystKey) -> None:
    app = _limited_app(tmp_path, analyst_key, limit=1)
    _uid, token = add_survey(app)
    client = app.test_client()
    for _ in range(3):
        client.post(f"/s/{token}", data=DEMO_FORM, headers={"X-Forwarded-For": ADDRESS})
    app.extensions["survey_engine"].dispose()
    files = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert any(p.name == "survey.db" for p in files)
    for path in files:
        assert ADDRESS.encode() not in path.read_bytes(), path


def test_a_limit_of_zero_turns_the_limiter_off(tmp_path: Path, analyst_key: AnalystKey) -> None:
    app = build_app(tmp_path, analyst_key, submit_limit=0)
    assert "submit_limiter" not in app.extensions
