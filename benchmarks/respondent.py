"""The respondent's page on a slow phone: Chromium at 360×640 with 400 kbps, 400 ms round trips and
4× CPU throttling (DevTools network and CPU emulation), through gunicorn on 127.0.0.1.

    .venv/bin/python benchmarks/respondent.py [--runs 5] [--questionnaire service_access@1]

For JavaScript on and off it prints the median of --runs cold loads (a fresh browser context each,
so nothing is cached): the time until the first question is visible and answerable, the bytes of
that first load over the wire, the time from "Send" to the thank-you page, and the longest page
(JavaScript: the longest step; without it, the longest page of the plain form, which is in pages)
in 640 px screens. Baseline, measured in the same run under the same
throttling: a bare 204 answer from the same server (the network's floor: one round trip, with its
connection) and the small index page with its stylesheet and script. Targets (issue 14): first
question ≤ 1.0 s on both paths, Send to thank-you ≤ 1.5 s, first load ≤ 20 KB, no page longer
than three screens. Nothing leaves the machine.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.load import BARE_PATH, PASSPHRASE, Server, Site  # noqa: E402

ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking", "--disable-dev-shm-usage",
        "--disable-quic"]
KBPS = 400
RTT_MS = 400
CPU = 4
SCREEN = 640
#: Runs in the page before its own scripts (DevTools, not the page, so the CSP does not apply):
#: the moment the first question's first control is on the screen, laid out and enabled.
WATCH = """(() => {
    const start = performance.now();
    const look = () => {
        const input = document.querySelector("#questionnaire .question input");
        if (input) {
            const box = input.getBoundingClientRect();
            if (box.height > 0 && box.top >= 0 && box.bottom <= innerHeight && !input.disabled) {
                window.__answerable = performance.now();
                return;
            }
        }
        requestAnimationFrame(look);
    };
    requestAnimationFrame(look);
})();"""


def make_site(questionnaire: str) -> Site:
    from survey import create_app
    from survey.analyst.keys import generate
    from survey.server.database import session, upgrade
    from survey.server.surveys import create_link, create_survey

    base = Path(tempfile.mkdtemp(prefix="bench-respondent-"))
    keys = generate(base / "offline", "bench", PASSPHRASE.encode())
    keys_dir = base / "keys"
    keys_dir.mkdir()
    shutil.copy(keys.public, keys_dir / keys.public.name)
    url = f"sqlite:///{base / 'instance' / 'survey.db'}"
    (base / "instance").mkdir()
    upgrade(url)
    env = {**os.environ, "DATABASE_URL": url, "SURVEY_KEYS_DIR": str(keys_dir), "SECRET_KEY": "benchmark",
           "SURVEY_SUBMIT_LIMIT": "0", "TMPDIR": str(base), "PYTHONUNBUFFERED": "1"}
    app = create_app({"instance_path": base / "instance", "database_url": url, "keys_dir": keys_dir})
    with app.app_context():
        s = session()
        q = app.extensions["questionnaires"][questionnaire]
        survey = create_survey(s, q, app.extensions["keyring"].ids()[0], "Benchmark", ["en"])
        link = create_link(s, survey, "Benchmark link")
        s.commit()
        uid, token = survey.uid, link.token
    app.extensions["survey_engine"].dispose()
    return Site(base, url, env, uid, token, keys.public.read_bytes(), [])


def throttled(browser: Any, javascript: bool) -> tuple[Any, Any, dict[str, float]]:
    """A new phone-sized context and page under the slow network and CPU; the dict fills with the
    bytes each request took over the wire."""
    context = browser.new_context(viewport={"width": 360, "height": SCREEN}, java_script_enabled=javascript)
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.emulateNetworkConditions", {
        "offline": False, "latency": RTT_MS, "downloadThroughput": KBPS * 1000 / 8, "uploadThroughput": KBPS * 1000 / 8,
    })
    cdp.send("Emulation.setCPUThrottlingRate", {"rate": CPU})
    wire: dict[str, float] = {}
    cdp.on("Network.loadingFinished", lambda e: wire.__setitem__(e["requestId"], e["encodedDataLength"]))
    return context, page, wire


def first_question(page: Any, url: str, javascript: bool) -> float:
    """Seconds from the start of navigation until the first control is answerable."""
    if javascript:
        page.add_init_script(WATCH)
        page.goto(url, wait_until="load")
        for _ in range(600):  # polled from here: the page's CSP allows no eval, which wait_for_function needs
            answerable = page.evaluate("window.__answerable")
            if answerable is not None:
                return float(answerable) / 1000
            page.wait_for_timeout(100)
        raise RuntimeError("the first question never became answerable")
    # Without JavaScript nothing runs in the page: a control is answerable once the page has
    # been parsed and painted, which is the first contentful paint of this page.
    page.goto(url, wait_until="load")
    page.wait_for_selector("#questionnaire .question input")
    paint = page.evaluate("performance.getEntriesByName('first-contentful-paint').map(e => e.startTime)")
    return float(paint[0]) / 1000


def walk_and_send(page: Any, javascript: bool) -> tuple[float, float]:
    """(Send to thank-you in seconds, the longest page in screens), answering one question."""
    page.check("#questionnaire .question input >> nth=0")
    longest = 0.0
    if javascript:
        page.wait_for_selector("html.enhanced")
    # Step by step with JavaScript, page by page (each a post and its answer) without.
    while page.is_hidden("#review"):
        longest = max(longest, page.evaluate("document.documentElement.scrollHeight") / SCREEN)
        page.click("[data-submit]")
        page.wait_for_load_state()
    longest = max(longest, page.evaluate("document.documentElement.scrollHeight") / SCREEN)
    started = page.evaluate("performance.timeOrigin + performance.now()")
    page.click("[data-submit]")
    page.wait_for_url("**/thanks**", wait_until="load")
    page.wait_for_selector("h1")
    done = page.evaluate("performance.timeOrigin + performance.now()")
    return (done - started) / 1000, longest


def baseline(browser: Any, base_url: str) -> tuple[float, float]:
    """(a bare 204, the index page with its assets) in seconds, under the same throttling."""
    context, page, _wire = throttled(browser, True)
    page.goto(f"{base_url}/")
    page.wait_for_load_state("load")
    index = page.evaluate("performance.getEntriesByType('navigation')[0].loadEventEnd") / 1000
    bare = page.evaluate(f"""async () => {{
        const t0 = performance.now();
        await fetch("{BARE_PATH}", {{cache: "no-store"}});
        return performance.now() - t0;
    }}""") / 1000
    context.close()
    return bare, index


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--questionnaire", default="service_access@1")
    options = parser.parse_args()
    from playwright.sync_api import sync_playwright

    site = make_site(options.questionnaire)
    server = Server(site, workers=1)
    server.start()
    base_url = f"http://127.0.0.1:{server.port}"
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=shutil.which("chromium"), headless=True, args=ARGS)
            bare, index = zip(*(baseline(browser, base_url) for _ in range(options.runs)), strict=True)
            print(f"{options.questionnaire}, {KBPS} kbps, {RTT_MS} ms RTT, {CPU}x CPU, median of {options.runs} cold loads")
            print(f"  baseline: bare 204 {statistics.median(bare):.2f} s; index page loaded {statistics.median(index):.2f} s")
            for javascript in (True, False):
                first, size, send, screens = [], [], [], []
                for _ in range(options.runs):
                    context, page, wire = throttled(browser, javascript)
                    first.append(first_question(page, f"{base_url}/s/{site.token}?lang=en", javascript))
                    page.wait_for_load_state("networkidle")
                    size.append(sum(wire.values()))
                    took, longest = walk_and_send(page, javascript)
                    send.append(took)
                    screens.append(longest)
                    context.close()
                label = "JavaScript on " if javascript else "JavaScript off"
                print(f"  {label}: first question answerable {statistics.median(first):.2f} s (target 1.0), "
                      f"first load {statistics.median(size) / 1024:.1f} KB over the wire (target 20), "
                      f"Send to thank-you {statistics.median(send):.2f} s (target 1.5), "
                      f"longest {'step' if javascript else 'page'} {max(screens):.1f} screens (target 3)")
            browser.close()
    finally:
        server.stop()
        shutil.rmtree(site.base, ignore_errors=True)


if __name__ == "__main__":
    main()
