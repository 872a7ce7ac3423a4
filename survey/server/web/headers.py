"""Security headers, set by the app itself so tests can see them."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from flask import Flask, Response, current_app, request

DIRECTIVES = (
    ("default-src", "'none'"),
    ("script-src", "'self'"),
    ("style-src", "'self'"),
    ("img-src", "'self' data:"),
    ("connect-src", "'self'"),
    ("form-action", "'self'"),
    ("frame-ancestors", "'none'"),
    ("base-uri", "'none'"),
)


def policy(inline: Mapping[str, Sequence[str]] | None = None) -> str:
    """The Content-Security-Policy; ``inline`` adds, per directive, the hashes of the inline
    elements the pages carry (survey.server.web.assets): those exact texts, and nothing else inline."""
    extra = inline or {}
    return "; ".join(" ".join([name, value, *extra.get(name, ())]) for name, value in DIRECTIVES)


#: The policy without inline elements; an app's own (with its inline hashes) is :func:`app_policy`.
CSP = policy()


def app_policy() -> str:
    found = current_app.extensions.get("csp")
    if found is None:
        assets = current_app.extensions.get("assets")
        found = current_app.extensions.setdefault("csp", policy(assets.csp_sources() if assets else None))
    return str(found)
PERMISSIONS = ", ".join(
    f"{feature}=()"
    for feature in (
        "accelerometer", "ambient-light-sensor", "autoplay", "battery", "camera", "display-capture",
        "geolocation", "gyroscope", "magnetometer", "microphone", "midi", "payment", "usb",
    )
)
STATIC_HEADERS = {
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Permissions-Policy": PERMISSIONS,
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
}


def set_headers(response: Response) -> Response:
    response.headers.setdefault("Content-Security-Policy", app_policy())
    for name, value in STATIC_HEADERS.items():
        response.headers.setdefault(name, value)
    if request.endpoint != "static":
        # Pages hold answers or console data: never keep them in any cache or back-forward cache.
        response.headers["Cache-Control"] = "no-store"
        response.headers["Pragma"] = "no-cache"
    elif request.args.get("v") and response.status_code == 200:
        # A versioned asset URL (assets.asset_url: the file's hash) names one content for good, so
        # a slow phone need not ask again on every page (a round trip each on 400 ms links).
        response.headers["Cache-Control"] = "public, max-age=31536000, immutable"
    if request.is_secure:
        response.headers["Strict-Transport-Security"] = "max-age=63072000; includeSubDomains"
    return response


def init_app(app: Flask) -> None:
    app.after_request(set_headers)
