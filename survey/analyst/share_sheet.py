"""The printable sheet of one key share: one A4 page of HTML, with no external resource.

It names the trustee, the key id, which share of how many this is, shows the share as five lines
of grouped characters with their check characters, and a QR code holding exactly those lines
(``survey-analyst recover --qr PHOTO`` reads it back). Everything shown is HTML-escaped."""

from __future__ import annotations

import datetime as dt
from html import escape

import segno

from survey.analyst.key_shares import MODE_NAMES, THRESHOLD, Share
from survey.core.envelope import format_key_id

_STYLE = """
@page { size: A4; margin: 18mm; }
body { font-family: system-ui, sans-serif; color: #000; max-width: 170mm; margin: 0 auto; }
h1 { font-size: 20pt; margin: 0 0 4mm; }
.meta td { padding: 1mm 4mm 1mm 0; font-size: 12pt; vertical-align: top; }
.share { font-family: "DejaVu Sans Mono", "Courier New", monospace; font-size: 17pt; line-height: 1.7;
         border: 2px solid #000; padding: 4mm 6mm; margin: 6mm 0; white-space: pre; }
.qr { text-align: center; } .qr img { width: 60mm; height: 60mm; image-rendering: pixelated; }
.warn { border-left: 4px solid #000; padding-left: 4mm; }
small { font-size: 9pt; }
"""


def qr_png_data_uri(text: str) -> str:
    """The QR code of ``text`` as a PNG data URI (segno writes PNG without any imaging library)."""
    return str(segno.make(text, error="m", micro=False).png_data_uri(scale=8, border=4))


def sheet_html(share: Share, trustee: str, today: dt.date | None = None) -> str:
    text = share.text()
    mode = MODE_NAMES[share.mode]
    kid = format_key_id(share.key_id_hex)
    use = ("Together with the shares of other trustees, it decrypts survey exports without anyone "
           "holding the whole key (survey-analyst partial)." if share.mode == THRESHOLD else
           "Together with other trustees' shares, it rebuilds the analyst's private key (survey-analyst recover).")
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src data:; style-src 'unsafe-inline'">
<title>Key share {share.index} of {share.n}: {escape(trustee)}</title><style>{_STYLE}</style></head>
<body>
<h1>Survey key share {share.index} of {share.n}</h1>
<table class="meta">
<tr><td>Trustee</td><td><strong>{escape(trustee)}</strong></td></tr>
<tr><td>Key id</td><td><strong>{escape(kid)}</strong></td></tr>
<tr><td>Shares needed</td><td>any {share.k} of the {share.n} shares ({escape(mode)})</td></tr>
<tr><td>Made on</td><td>{(today or dt.date.today()).isoformat()}</td></tr>
</table>
<p>{escape(use)} Fewer than {share.k} shares reveal nothing about the key.</p>
<div class="share" aria-label="the share, five lines">{escape(text)}</div>
<div class="qr"><img alt="QR code of the five lines above" src="{qr_png_data_uri(text)}"></div>
<p class="warn">Keep this page as you would keep a house key: in a locked place, never photographed
into a cloud album, never sent by e-mail or chat. The last two characters of each line check that
line: a typing mistake is found at once.</p>
<p><small>Check it once a year with the other trustees: <code>survey-analyst shares check</code>.
If this page is lost or someone else may have seen it, tell the analyst: the key is split anew.</small></p>
</body></html>
"""
