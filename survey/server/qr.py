"""QR codes of respondent links, as SVG made in Python (segno), and the absolute link URL."""

from __future__ import annotations

import io

import segno
from flask import current_app, request, url_for

from survey.server.link_tokens import grouped
from survey.server.models import Link


def respondent_url(link: Link) -> str:
    """The absolute link as printed and shared: SURVEY_PUBLIC_URL when set, else the host the
    console was reached on; a new token in its grouped form (7KQM-2XHP-...), an old one as it is."""
    base = current_app.config["SETTINGS"].public_base_url or request.host_url.rstrip("/")
    return base + url_for("respond.questionnaire", token=grouped(link.token))


def svg(data: str, title: str = "") -> bytes:
    """A scalable SVG (viewBox, no fixed size) with a 4-module quiet zone, error correction M."""
    code = segno.make(data, error="m", micro=False, boost_error=False)
    out = io.BytesIO()
    code.save(out, kind="svg", border=4, omitsize=True, xmldecl=True, svgclass=None, lineclass=None,
              title=title or None, dark="#000", light="#fff")
    return out.getvalue()
