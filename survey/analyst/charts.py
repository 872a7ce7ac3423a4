"""Charts as inline SVG text, drawn with matplotlib's Agg/SVG backends (no display, no files).

Imported only by the report writer, so the rest of the analyst tool starts without matplotlib.
Text stays text in the SVG (selectable, printable, small) and matplotlib escapes it; mathtext is
off so a ``$`` in a label is just a dollar sign."""

from __future__ import annotations

import io
from collections.abc import Sequence

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

matplotlib.rcParams.update({
    "svg.fonttype": "none",
    "svg.hashsalt": "survey-analyst",
    "text.parse_math": False,
    "font.family": "DejaVu Sans",
    "font.size": 10,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.edgecolor": "#666666",
    "axes.titlesize": 11,
})

ACCENT = "#1f5f8b"


def _svg(fig: plt.Figure) -> str:
    buf = io.StringIO()
    fig.savefig(buf, format="svg", bbox_inches="tight", metadata={"Date": None, "Creator": None})
    plt.close(fig)
    text = buf.getvalue()
    text = text[text.index("<svg") :]  # drop the XML declaration and doctype
    return text.replace("<svg ", '<svg role="img" class="chart" ', 1)


def bars(labels: Sequence[str], values: Sequence[float], xlabel: str, title: str = "",
         notes: Sequence[str] | None = None) -> str:
    """Horizontal bars, first label on top; a non-empty note replaces a bar's number (e.g. "<k")."""
    height = 0.45 + 0.32 * max(len(labels), 1)
    fig, ax = plt.subplots(figsize=(3.6, height))
    y = list(range(len(labels)))[::-1]
    ax.barh(y, values, color=ACCENT, height=0.65)
    ax.set_yticks(y, [_short(lbl) for lbl in labels])
    ax.set_xlabel(xlabel)
    if title:
        ax.set_title(title, loc="left")
    top = max(values) if values else 1
    for i, (yy, v) in enumerate(zip(y, values)):
        note = notes[i] if notes else ""
        ax.text(v + top * 0.01, yy, note or _num(v), va="center", fontsize=9,
                color="#8a6d00" if note else "#333333", style="italic" if note else "normal")
    ax.set_xlim(0, top * 1.15 or 1)
    return _svg(fig)


def histogram(labels: Sequence[str], counts: Sequence[int], xlabel: str) -> str:
    """Vertical bars over score values (already binned and suppressed)."""
    fig, ax = plt.subplots(figsize=(6.4, 2.6))
    x = list(range(len(labels)))
    ax.bar(x, counts, color=ACCENT, width=0.8)
    ax.set_xticks(x, labels, rotation=0 if len(labels) < 12 else 60)
    ax.set_xlabel(xlabel)
    ax.set_ylabel("responses")
    return _svg(fig)


def _short(label: str, limit: int = 30) -> str:
    return label if len(label) <= limit else label[: limit - 1] + "…"


def _num(v: float) -> str:
    return f"{v:,.0f}" if float(v).is_integer() else f"{v:,.2f}"
