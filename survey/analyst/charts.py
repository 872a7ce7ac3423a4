"""Charts as inline SVG text, drawn with matplotlib's SVG backend (no display, no files).

Imported only by the report writer, so the rest of the analyst tool starts without matplotlib.
Text stays text in the SVG (selectable, printable, small) and matplotlib escapes it; control
characters in labels are shown as ``\\uXXXX`` (:func:`survey.core.visible_text.visible`), never
drawn or passed to the SVG, nor to a font warning on the terminal; mathtext is
off so a ``$`` in a label is just a dollar sign. Margins are worked out from the labels' measured
widths rather than with ``bbox_inches="tight"``, which draws every chart twice."""

from __future__ import annotations

import io
from collections.abc import Sequence

import matplotlib

matplotlib.use("Agg")
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.textpath import text_to_path

from survey.core.visible_text import visible

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
_FONT = FontProperties(family="DejaVu Sans", size=10)
_PAD = 0.12  # inches around the drawing


def _width(text: str, font: FontProperties = _FONT) -> float:
    """Width of a line of text in inches, from the font's metrics (no drawing)."""
    return text_to_path.get_text_width_height_descent(text, font, ismath=False)[0] / 72


def _svg(fig: Figure) -> str:
    buf = io.StringIO()
    fig.savefig(buf, format="svg", metadata={"Date": None, "Creator": None})
    text = buf.getvalue()
    text = text[text.index("<svg") :]  # drop the XML declaration and doctype
    return text.replace("<svg ", '<svg role="img" class="chart" ', 1)


def _figure(plot_w: float, plot_h: float, left: float, bottom: float, right: float, top: float) -> Figure:
    """A figure whose axes are plot_w x plot_h inches, with the given margins (inches)."""
    width, height = left + plot_w + right, bottom + plot_h + top
    fig = Figure(figsize=(width, height))
    fig.subplots_adjust(left=left / width, right=1 - right / width, bottom=bottom / height, top=1 - top / height)
    return fig


def bars(labels: Sequence[str], values: Sequence[float], xlabel: str, title: str = "",
         notes: Sequence[str] | None = None) -> str:
    """Horizontal bars, first label on top; a non-empty note replaces a bar's number (e.g. "<k")."""
    shown = [short(visible(lbl)) for lbl in labels]
    xlabel, title = visible(xlabel), visible(title)
    top = max(values) if values else 1
    texts = [(notes[i] if notes and notes[i] else _num(v)) for i, v in enumerate(values)]
    left = _PAD + max((_width(s) for s in shown), default=0) + 0.1
    right = _PAD + max((_width(t) * 0.9 for t in texts), default=0)
    fig = _figure(2.8, 0.32 * max(len(labels), 1), left, _PAD + 0.45, right, _PAD + (0.3 if title else 0.05))
    ax = fig.subplots()
    y = list(range(len(labels)))[::-1]
    ax.barh(y, values, color=ACCENT, height=0.65)
    ax.set_yticks(y, shown)
    ax.set_xlabel(xlabel)
    if title:
        ax.set_title(title, loc="left")
    for i, (yy, v) in enumerate(zip(y, values, strict=True)):
        note = notes[i] if notes else ""
        ax.text(v + top * 0.01, yy, texts[i], va="center", fontsize=9,
                color="#8a6d00" if note else "#333333", style="italic" if note else "normal")
    ax.set_xlim(0, top * 1.05 or 1)
    return _svg(fig)


def histogram(labels: Sequence[str], counts: Sequence[int], xlabel: str, ylabel: str) -> str:
    """Vertical bars over score values (already binned and suppressed); a label may have two lines."""
    labels = [visible(s, line_breaks=True) for s in labels]
    xlabel, ylabel = visible(xlabel), visible(ylabel)
    rotate = len(labels) >= 12
    lines = max((s.count("\n") + 1 for s in labels), default=1)
    widest = max((_width(line) for s in labels for line in s.split("\n")), default=0)
    tick_h = widest * 0.87 + 0.17 * (lines - 1) if rotate else 0.17 * lines
    left = _PAD + _width(f"{max(counts, default=0):,}") + 0.35
    fig = _figure(5.6, 1.9, left, _PAD + tick_h + 0.3, _PAD, _PAD)
    ax = fig.subplots()
    x = list(range(len(labels)))
    ax.bar(x, counts, color=ACCENT, width=0.8)
    ax.set_xticks(x, labels, rotation=60 if rotate else 0)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    return _svg(fig)


def short(label: str, limit: int = 30) -> str:
    """A label cut to ``limit`` characters with an ellipsis."""
    return label if len(label) <= limit else label[: limit - 1] + "…"


def _num(v: float) -> str:
    return f"{v:,.0f}" if float(v).is_integer() else f"{v:,.2f}"
