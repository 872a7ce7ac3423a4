"""Median time to seal one response in Chromium with survey/server/static/seal.js, at normal speed and
under 6x CPU throttling (DevTools Emulation.setCPUThrottlingRate), as on a cheap phone.

    .venv/bin/python benchmarks/seal.py [--runs 60]

Serves survey/server/static on 127.0.0.1 (a secure context, so crypto.subtle exists); nothing leaves
the machine. The response is the demo questionnaire's answers with a 500-character comment.
"""

from __future__ import annotations

import argparse
import functools
import http.server
import json
import shutil
import statistics
import threading
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric import ec

from survey.core.envelope import key_id, public_key_raw

STATIC = Path(__file__).resolve().parent.parent / "survey" / "server" / "static"
ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking", "--disable-dev-shm-usage"]
DOCUMENT = {
    "answers": {
        "age": 34, "barriers": ["cost", "confidentiality"], "comment": "x" * 500, "hide_recovery": "prefer_not_to_say",
        "needed_treatment": "yes", "treated_unfairly": 4,
    },
    "f": 1, "lang": "en", "questionnaire": "demo", "version": 1,
}
MEASURE = """async ([pk, kid, doc, runs]) => {
    const m = await import("/seal.js");
    const times = [];
    for (let i = 0; i < runs; i++) {
        const t0 = performance.now();
        await m.sealEnvelope(pk, kid, "benchmark-survey", new TextEncoder().encode(JSON.stringify(doc)));
        times.push(performance.now() - t0);
    }
    return times;
}"""


class _Quiet(http.server.SimpleHTTPRequestHandler):
    extensions_map = {**http.server.SimpleHTTPRequestHandler.extensions_map, ".js": "text/javascript"}

    def log_message(self, *args: object) -> None:
        pass


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=60)
    runs = parser.parse_args().runs
    from playwright.sync_api import sync_playwright

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(STATIC)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    public = ec.generate_private_key(ec.SECP256R1()).public_key()
    args = [public_key_raw(public).hex(), key_id(public), DOCUMENT, runs]
    plaintext_size = len(json.dumps(DOCUMENT, separators=(",", ":")))
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=shutil.which("chromium"), headless=True, args=ARGS)
            page = browser.new_page()
            page.goto(f"http://127.0.0.1:{server.server_address[1]}/respond.css")
            cdp = page.context.new_cdp_session(page)
            print(f"Chromium {browser.version}; {runs} seals of a {plaintext_size}-byte response (1 KiB bucket)")
            for rate in (1, 6):
                cdp.send("Emulation.setCPUThrottlingRate", {"rate": rate})
                page.evaluate(MEASURE, [*args[:3], 5])  # warm up
                times = page.evaluate(MEASURE, args)
                label = "normal speed" if rate == 1 else f"{rate}x CPU throttling"
                print(f"median time to seal one response, {label}: {statistics.median(times):.1f} ms "
                      f"(min {min(times):.1f}, max {max(times):.1f})")
            browser.close()
    finally:
        server.shutdown()


if __name__ == "__main__":
    main()
