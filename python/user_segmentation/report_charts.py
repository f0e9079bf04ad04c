"""The report's charts as plain data: scales, positions, ticks, colours and labels, no markup.

Each function here computes one chart from the marts' numbers and returns a dataclass; the
macros in ``reports/templates/charts.html.j2`` write every tag from it, with Jinja's
autoescaping, so text from the data is always inert. Every chart is a ``<figure>`` holding an
``<svg role="img">`` with a ``<title>`` and a ``<desc>`` (named by ``aria-labelledby``) and,
where the description cannot list every value, a visually hidden table of the same numbers.
Numbers are formatted by :mod:`user_segmentation.report_format`, the same helpers the tables
use; coordinates are pre-formatted (at most one decimal). The marks that tests compare with the
marts carry their raw value (``repr``) in ``data-value``.

Colours: one colour per segment (Okabe-Ito, safe for the common colour-vision deficiencies),
the same in every chart and card; theme-dependent colours (text, the heatmap's diverging
scale) are CSS classes, so the light, dark and print styles can differ without JavaScript.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from .report_format import fmt_ari, fmt_int, fmt_number, fmt_pct, fmt_silhouette, fmt_z

__all__ = [
    "HEAT",
    "HEAT_STEPS",
    "HOURS",
    "LEVEL_PALETTE",
    "PALETTE",
    "Chart",
    "ChartStyles",
    "Table",
    "Text",
    "TextGroup",
    "WEEKDAYS",
    "activity_grid",
    "activity_step",
    "chart_styles",
    "heat_fill",
    "heat_step",
    "heatmap",
    "histogram",
    "k_selection_chart",
    "ranked_bars",
    "segment_colour",
    "size_bars",
    "stacked_bars",
    "text_on",
]

# Okabe-Ito (without its yellow, too light on white, and black).
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#999999", "#8C6D1F")
# Levels of one demographic dimension, neighbours well apart.
LEVEL_PALETTE = ("#0072B2", "#56B4E9", "#009E73", "#E69F00", "#D55E00", "#CC79A7", "#999999", "#8C6D1F")
CHAR_WIDTH = 7.0  # average advance of a 13px system-ui glyph, for layout estimates
HEAT_STEPS = 8  # bins of 0.25 sd on each side; |z| >= 2 is the darkest
DARK_TEXT, LIGHT_TEXT = "#1d2125", "#ffffff"
# The activity grid: ISO weekdays 1-7 (rows) and local hours 0-23 (columns).
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
HOURS = tuple(range(24))
# Diverging scale (blue below, orange above): colour-blind safe, midpoint close to the surface.
HEAT = {
    "light": {"neg": "#2166ac", "mid": "#f4f4f2", "pos": "#b35806"},
    "dark": {"neg": "#6fb1e6", "mid": "#2c3238", "pos": "#f0a04b"},
}


# ---------------------------------------------------------------- what the templates receive


@dataclass(frozen=True)
class Text:
    """One ``<text>``: position, content, class and anchor (``start`` is not written)."""

    x: str
    y: str
    text: str
    cls: str = ""
    anchor: str = "start"


@dataclass(frozen=True)
class TextGroup:
    """Texts sharing a class and an anchor, set once on a ``<g>``."""

    cls: str
    anchor: str
    texts: list[Text]


@dataclass(frozen=True)
class Table:
    """The visually hidden data table beside a chart: column headers, then rows (first cell a row header)."""

    header: list[str]
    rows: list[list[str]]


@dataclass(frozen=True)
class Chart:
    """A figure: its id, title, description, SVG size, optional caption and table, and its marks.

    ``marks`` holds what the chart's macro draws (rectangles, paths, texts: dicts and
    :class:`Text`), named by the macro that reads them.
    """

    kind: str
    chart_id: str
    title: str
    description: str
    width: str
    height: str
    marks: dict
    table: Table | None = None
    caption: str = ""
    css_class: str = ""
    accent: str = ""  # a segment colour shown as a dot before the caption


@dataclass(frozen=True)
class ChartStyles:
    """The colour classes the charts use: level fills and text, heatmap fills and text per theme."""

    levels: list[dict]
    heat_light: dict
    heat_dark: dict = field(default_factory=dict)


# ---------------------------------------------------------------- colours


def segment_colour(segment_id: int) -> str:
    """The segment's colour, the same in every chart and card."""
    return PALETTE[(int(segment_id) - 1) % len(PALETTE)]


def _rgb(colour: str) -> tuple[int, int, int]:
    return int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16)


def _mix(a: str, b: str, t: float) -> str:
    """Colour ``t`` of the way from ``a`` to ``b`` (sRGB)."""
    ra, rb = _rgb(a), _rgb(b)
    return "#" + "".join(f"{round(x + (y - x) * t):02x}" for x, y in zip(ra, rb, strict=True))


def _luminance(colour: str) -> float:
    def channel(c: int) -> float:
        s = c / 255
        return s / 12.92 if s <= 0.04045 else ((s + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(c) for c in _rgb(colour))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def _contrast(a: str, b: str) -> float:
    la, lb = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def text_on(fill: str) -> str:
    """The more readable of dark and white text on ``fill``."""
    return DARK_TEXT if _contrast(fill, DARK_TEXT) >= _contrast(fill, LIGHT_TEXT) else LIGHT_TEXT


def heat_step(z: float) -> int:
    """The heatmap bin of a z-score: quarters of a standard deviation, capped at ±2."""
    return max(-HEAT_STEPS, min(HEAT_STEPS, round(z * 4)))


def _heat_class(step: int) -> str:
    return f"z{'n' if step < 0 else 'p'}{abs(step)}"


def heat_fill(step: int, theme: str = "light") -> str:
    """The fill of a heatmap bin in a theme (``light`` or ``dark``)."""
    scale = HEAT[theme]
    end = scale["neg"] if step < 0 else scale["pos"]
    return _mix(scale["mid"], end, abs(step) / HEAT_STEPS)


def _heat_theme(theme: str) -> dict:
    """One theme's heatmap classes: the fill of each, and the cells whose text needs another colour."""
    default = DARK_TEXT if theme == "light" else "#e8eaed"
    fills, flipped = [], []
    for step in range(-HEAT_STEPS, HEAT_STEPS + 1):
        fill, cls = heat_fill(step, theme), _heat_class(step)
        fills.append({"cls": cls, "fill": fill})
        colour = text_on(fill) if theme == "light" else (DARK_TEXT if text_on(fill) == DARK_TEXT else default)
        if colour != default:
            flipped.append((cls, colour))
    texts = [
        {"classes": [cls for cls, c in flipped if c == colour], "colour": colour}
        for colour in sorted({c for _, c in flipped})
    ]
    return {"fills": fills, "texts": texts}


def chart_styles() -> ChartStyles:
    """The colour classes of every chart (computed here, so contrast is checked in one place).

    Levels: fill class ``c0``.. and readable text on it ``t0``..; heatmap: ``zn8``..``zp8`` for
    light (also print) and dark.
    """
    levels = [{"n": n, "fill": colour, "text": text_on(colour)} for n, colour in enumerate(LEVEL_PALETTE)]
    return ChartStyles(levels, _heat_theme("light"), _heat_theme("dark"))


# ---------------------------------------------------------------- layout helpers


def _n(value: float) -> str:
    """A coordinate: at most one decimal, no trailing zero."""
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "chart"


def _text(x: float, y: float, text: str, cls: str = "", anchor: str = "start") -> Text:
    return Text(_n(x), _n(y), text, cls, anchor)


def _fit(text: str, width: float) -> str:
    """``text`` cut with an ellipsis to about ``width`` pixels (the full text is in the table)."""
    limit = max(4, int(width / CHAR_WIDTH))
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "\u2026"


def _label_width(labels: Sequence[str], low: int = 80, high: int = 300) -> int:
    longest = max((len(label) for label in labels), default=0)
    return int(min(high, max(low, longest * CHAR_WIDTH + 24)))


def _wrap(text: str, width: int) -> list[str]:
    """Words of ``text`` in at most two lines of about ``width`` characters."""
    lines: list[str] = []
    for word in text.split():
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    if len(lines) > 2:
        lines = [lines[0], _fit(" ".join(lines[1:]), width * CHAR_WIDTH)]
    return lines


def _nice_step(span: float, ticks: int = 4) -> float:
    raw = span / ticks
    for step in (0.01, 0.02, 0.025, 0.05, 0.1, 0.2, 0.25, 0.5, 1.0):
        if step >= raw:
            return step
    return 1.0


def _box(x: float, y: float, width: float, height: float, **extra) -> dict:
    """A rectangle's coordinates (formatted) and any other attributes it carries."""
    return {"x": _n(x), "y": _n(y), "width": _n(width), "height": _n(height), **extra}


def _line(x1: float, y1: float, x2: float, y2: float, cls: str) -> dict:
    return {"x1": _n(x1), "y1": _n(y1), "x2": _n(x2), "y2": _n(y2), "cls": cls}


def _rect_path(x0: int, x1: int, y: float, height: float) -> str:
    return f"M{x0} {_n(y)}h{x1 - x0}v{_n(height)}h{x0 - x1}z"


# ---------------------------------------------------------------- charts


def size_bars(segments: Sequence[dict]) -> Chart:
    """Horizontal bars: share of valid users per segment, labelled with share and users."""
    label_w = _label_width([s["segment_name"] for s in segments])
    bar_w, row_h, value_w = 960 - label_w - 170, 36, 170
    top = max((s["share_of_users"] for s in segments), default=1) or 1
    bars, labels, values = [], [], []
    for i, s in enumerate(segments):
        y = 4 + i * row_h
        w = bar_w * s["share_of_users"] / top
        labels.append(_text(label_w - 10, y + 19, _fit(s["segment_name"], label_w - 14)))
        bars.append(
            _box(label_w, y + 4, w, row_h - 12, fill=segment_colour(s["segment_id"]), value=repr(s["share_of_users"]))
            | {"users": s["users"], "segment": s["segment_id"]}
        )
        values.append(_text(label_w + w + 8, y + 19, f"{fmt_pct(s['share_of_users'])} · {fmt_int(s['users'])} users"))
    description = "Share of valid users in each segment: " + "; ".join(
        f"{s['segment_name']} {fmt_pct(s['share_of_users'])} ({fmt_int(s['users'])} users)" for s in segments
    )
    marks = {"labels": TextGroup("label", "end", labels), "bars": bars, "amounts": TextGroup("value", "start", values)}
    width, height = label_w + bar_w + value_w, 8 + row_h * len(segments)
    return Chart("sizes", "sizes", "Segment sizes", description, _n(width), _n(height), marks)


def _heatmap_legend(x: float, y: float) -> dict:
    """The heatmap's scale from −2 to +2 sd: a swatch per half sd, labelled at whole sds."""
    step_w, swatches = 18, []
    for n, step in enumerate(range(-HEAT_STEPS, HEAT_STEPS + 1, 2)):
        left = x + n * step_w
        label = fmt_z(step / 4, 0) if step % 4 == 0 else ""
        swatches.append(
            {
                "rect": _box(left, y, step_w, 16, cls=_heat_class(step)),
                "text": _text(left + step_w / 2, y + 30, label, "axis", "middle"),
            }
        )
    right = x + step_w * len(swatches)
    return {
        "below": _text(x - 10, y + 12, "below average", "axis", "end"),
        "swatches": swatches,
        "above": _text(right + 10, y + 12, "above average (z-score, sd)", "axis"),
    }


def _heatmap_heads(features: Sequence[dict], left: float, cell_w: float, head_h: float) -> list[Text]:
    """Column heads: each feature's label in at most two lines, centred over its column."""
    heads = []
    for j, f in enumerate(features):
        lines = _wrap(f["label"], int(cell_w / 6.5))
        x = left + j * cell_w + cell_w / 2
        heads += [
            _text(x, head_h - 8 - 15 * (len(lines) - 1 - n), line, "axis", "middle") for n, line in enumerate(lines)
        ]
    return heads


def heatmap(segments: Sequence[dict], features: Sequence[dict], cells: dict[tuple[int, str], float]) -> Chart:
    """Segments (rows) x clustering features (columns); cells coloured and labelled by z-score."""
    label_w = _label_width([s["segment_name"] for s in segments])
    cell_w = max(72, min(112, (960 - label_w) // max(len(features), 1)))
    cell_h, head_h = 40, 44
    heads = _heatmap_heads(features, label_w, cell_w, head_h)
    rows, grid = [], []
    for i, s in enumerate(segments):
        y = head_h + i * cell_h
        rows.append(
            {
                "label": _text(label_w - 14, y + cell_h / 2 + 5, _fit(s["segment_name"], label_w - 18), "label", "end"),
                "accent": _box(label_w - 7, y + 5, 4, cell_h - 10, fill=segment_colour(s["segment_id"])),
            }
        )
        for j, f in enumerate(features):
            z, x = cells.get((s["segment_id"], f["feature"])), label_w + j * cell_w
            rect = None
            if z is not None:
                rect = _box(x + 1, y + 1, cell_w - 2, cell_h - 2, cls=_heat_class(heat_step(z)), value=repr(z))
                rect |= {"segment": s["segment_id"], "feature": f["feature"]}
            grid.append({"rect": rect, "text": _text(x + cell_w / 2, y + cell_h / 2 + 5, fmt_z(z))})
    legend_y = head_h + cell_h * len(segments) + 18
    table = Table(
        ["Segment", *[f["label"] for f in features]],
        [[s["segment_name"], *[fmt_z(cells.get((s["segment_id"], f["feature"]))) for f in features]] for s in segments],
    )
    description = (
        "Rows are segments, columns are the clustering features; each cell says how many standard "
        "deviations the segment's average lies above (orange, +) or below (blue, \u2212) the average "
        "of all users."
    )
    marks = {"heads": heads, "rows": rows, "grid": grid, "legend": _heatmap_legend(label_w, legend_y)}
    title = "Behavioural profile: z-score of each segment's average"
    width = label_w + cell_w * len(features)
    return Chart("heatmap", "heatmap", title, description, _n(width), _n(legend_y + 36), marks, table)


def _stacked_legend(levels: Sequence[str], colours: dict[str, int], x: float, small_note: str | None) -> list[dict]:
    """A swatch and a name per level, left to right, then the grey of pooled small cells if any."""
    items = [(level, f"c{colours[level]}") for level in levels]
    if small_note:
        items.append((f"small groups ({small_note})", "sup"))
    legend = []
    for text, cls in items:
        legend.append({"rect": _box(x, 6, 12, 12, cls=cls), "text": _text(x + 17, 17, text, "legend")})
        x += 17 + CHAR_WIDTH * 0.95 * len(text) + 18
    return legend


def _stacked_row(
    row: dict, levels: Sequence[str], colours: dict[str, int], x: int, width: int, y: float, paths: dict
) -> list[Text]:
    """Add one bar's rectangles to ``paths`` (one path per colour); return the figures on it.

    Small cells are not drawn as their level: they are pooled in one grey block at the end.
    """
    cumulative, hidden, labels = 0.0, 0.0, []
    for level in levels:
        share, _users, small = row["cells"].get(level, (0.0, 0, False))
        if small:
            hidden += share
            continue
        x0 = round(x + width * cumulative)
        cumulative += share
        x1 = round(x + width * cumulative)
        if x1 <= x0:
            continue
        paths.setdefault(f"c{colours[level]}", []).append(_rect_path(x0, x1, y + 3, 22))
        shown = fmt_pct(share)
        if x1 - x0 >= len(shown) * 7.5 + 10:
            labels.append(Text(_n((x0 + x1) / 2), "", shown, f"t{colours[level]}"))
    if hidden > 0:
        x0, x1 = round(x + width * cumulative), round(x + width * (cumulative + hidden))
        paths.setdefault("sup", []).append(_rect_path(x0, x1, y + 3, 22))
    return labels


def _stacked_table(rows: Sequence[dict], levels: Sequence[str], note: str) -> Table:
    """Each group's share per level; small cells say ``note`` instead of a figure."""

    def shown(cells: dict, level: str) -> str:
        share, _users, small = cells.get(level, (0.0, 0, False))
        return note if small else fmt_pct(share)

    return Table(["Group", *levels], [[r["label"], *[shown(r["cells"], lv) for lv in levels]] for r in rows])


def stacked_bars(dimension_label: str, levels: Sequence[str], rows: Sequence[dict], min_cell_users: int) -> Chart:
    """100% bars, one per group (all users first), one colour per level; small cells greyed out.

    ``rows``: ``{"label", "population": bool, "colour", "cells": {level: (share, users, is_small)}}``.
    Small cells are pooled in one grey block at the end of the bar, without a figure, and the
    table says "fewer than N users".
    """
    label_w = _label_width([r["label"] for r in rows])
    bar_w, row_h, legend_h = 960 - label_w, 28, 28
    colours = {level: n % len(LEVEL_PALETTE) for n, level in enumerate(levels)}
    note = f"fewer than {min_cell_users} users"
    any_small = any(cell[2] for r in rows for cell in r["cells"].values() if cell[1] > 0)
    bars, paths, figures = [], {}, []
    for i, row in enumerate(rows):
        y = legend_h + i * row_h
        cls = "label strong" if row.get("population") else "label"
        accent = _box(label_w - 7, y + 4, 4, row_h - 8, fill=row["colour"]) if row.get("colour") else None
        bars.append(
            {"label": _text(label_w - 14, y + 18, _fit(row["label"], label_w - 18), cls, "end"), "accent": accent}
        )
        shown = _stacked_row(row, levels, colours, label_w, bar_w, y, paths)
        if shown:
            figures.append({"y": _n(y + 18), "texts": shown})
    marks = {
        "legend": _stacked_legend(levels, colours, label_w, note if any_small else None),
        "bars": bars,
        "paths": [{"cls": cls, "d": "".join(d)} for cls, d in paths.items()],
        "figures": figures,
    }
    table = _stacked_table(rows, levels, note)
    title = f"{dimension_label}: share of each level, all users first, then each segment"
    description = (
        f"100% stacked bars of {dimension_label.lower()} ({', '.join(levels)}) for all users and for each "
        f"segment; cells with {note} are pooled in grey without a figure."
    )
    height = legend_h + row_h * len(rows) + 2
    chart_id = _slug(f"demographics-{dimension_label}")
    return Chart(
        "stacked", chart_id, title, description, _n(label_w + bar_w), _n(height), marks, table, dimension_label
    )


def _k_table(rows: Sequence[dict]) -> Table:
    """Every k with its scores, verdict and whether it was chosen."""
    return Table(
        ["k", "Silhouette", "Null reference", "Stability (ARI)", "Verdict", "Chosen"],
        [
            [
                str(r["k"]),
                fmt_silhouette(r["silhouette"]),
                fmt_silhouette(r["null_silhouette"]),
                fmt_ari(r["stability_ari"]),
                r["verdict"] or "",
                "chosen" if r["chosen"] else "",
            ]
            for r in rows
        ],
    )


def _k_description(rows: Sequence[dict]) -> str:
    chosen = next((r for r in rows if r["chosen"]), None)
    description = (
        "For each number of segments k, the silhouette of the real data (solid) and of the same data "
        "with every column shuffled (dashed), with the stability of each k below the axis."
    )
    if chosen:
        description += (
            f" Chosen: k = {chosen['k']}, silhouette {fmt_silhouette(chosen['silhouette'])} against "
            f"{fmt_silhouette(chosen['null_silhouette'])} for shuffled data."
        )
    return description


def _k_series(rows: Sequence[dict], px, py) -> list[dict]:
    """The null reference and the real silhouette: a line through the points, the chosen k's value."""
    series = []
    for cls, key in (("s-null", "null_silhouette"), ("s-real", "silhouette")):
        points = [(px(r["k"]), py(r[key]), r) for r in rows if r[key] is not None]
        line = " ".join(f"{_n(x)},{_n(y)}" for x, y, _ in points) if len(points) > 1 else None
        marks = [
            {
                "circle": {"cx": _n(x), "cy": _n(y), "value": repr(r[key]), "k": r["k"]},
                "label": _text(x + 9, y + (-6 if key == "silhouette" else 16), fmt_silhouette(r[key]), "value")
                if r["chosen"]
                else None,
            }
            for x, y, r in points
        ]
        series.append({"cls": cls, "key": key, "line": line, "points": marks})
    return series


@dataclass(frozen=True)
class _KScale:
    """Where a k and a silhouette go on the k-selection plot, and the value axis' range and step."""

    ks: list[int]
    low: float
    high: float
    step: float
    left: int = 64
    width: int = 620
    top: int = 34
    height: int = 200

    @classmethod
    def of(cls, rows: Sequence[dict]) -> _KScale:
        values = [r[key] for r in rows for key in ("silhouette", "null_silhouette") if r[key] is not None]
        low = min(0.0, *values) if values else 0.0
        step = _nice_step((max(values, default=1.0) or 1.0) * 1.1 - low)
        high = step * (int((max(values, default=1.0) * 1.1) / step) + 1)
        return cls([r["k"] for r in rows], low, high, step)

    def x(self, k: int) -> float:
        return self.left + self.width * (self.ks.index(k) + 0.5) / max(len(self.ks), 1)

    def y(self, value: float) -> float:
        return self.top + self.height - self.height * (value - self.low) / (self.high - self.low)


def _k_ticks(scale: _KScale) -> list[dict]:
    """A gridline and a label per step of the value axis."""
    ticks, tick = [], scale.low
    while tick <= scale.high + 1e-9:
        y = scale.y(tick)
        ticks.append(
            {
                "line": _line(scale.left, y, scale.left + scale.width, y, "gl"),
                "text": _text(scale.left - 8, y + 4, fmt_number(tick, 2), "axis", "end"),
            }
        )
        tick += scale.step
    return ticks


def _k_axis(rows: Sequence[dict], scale: _KScale) -> list[Text]:
    """Under the plot: each k, and its stability below it."""
    base = scale.top + scale.height
    axis = [
        _text(scale.left - 8, base + 20, "k", "axis strong", "end"),
        _text(scale.left - 8, base + 40, "stability", "axis", "end"),
    ]
    for r in rows:
        axis += [
            _text(scale.x(r["k"]), base + 20, str(r["k"]), "axis strong", "middle"),
            _text(scale.x(r["k"]), base + 40, fmt_ari(r["stability_ari"]), "axis", "middle"),
        ]
    return axis


def _k_legend(x: float, top: float) -> list[dict]:
    """The two series' line styles, named."""
    return [
        {
            "line": _line(x, top + 10, x + 24, top + 10, "s-real"),
            "text": _text(x + 30, top + 14, "silhouette (real data)", "legend"),
        },
        {
            "line": _line(x, top + 34, x + 24, top + 34, "s-null"),
            "text": _text(x + 30, top + 38, "null reference", "legend"),
        },
        {"line": None, "text": _text(x + 30, top + 54, "(same data, columns shuffled)", "legend")},
    ]


def k_selection_chart(rows: Sequence[dict]) -> Chart:
    """Silhouette and null-reference silhouette per k, stability under the axis, chosen k marked."""
    scale = _KScale.of(rows)
    top, height = scale.top, scale.height
    chosen = [
        {
            "rect": _box(scale.x(r["k"]) - 30, top - 22, 60, height + 22, cls="chosen"),
            "text": _text(scale.x(r["k"]), top - 8, f"chosen: k = {r['k']}", "axis strong", "middle"),
        }
        for r in rows
        if r["chosen"]
    ]
    legend_x = scale.left + scale.width + 24
    marks = {
        "ticks": _k_ticks(scale),
        "chosen": chosen,
        "series": _k_series(rows, scale.x, scale.y),
        "axis": _k_axis(rows, scale),
        "legend": _k_legend(legend_x, top),
    }
    title = "Choosing k: silhouette against the null reference"
    caption = "Choosing the number of segments (k)"
    width, chart_height = _n(legend_x + 230), _n(top + height + 50)
    return Chart("k", "k-selection", title, _k_description(rows), width, chart_height, marks, _k_table(rows), caption)


_HIST = {"left": 40, "width": 270, "top": 8, "height": 96}  # the histograms' plot area


def _histogram_path(bins: Sequence[dict], peak: int) -> str:
    """One path of bars, one per bin with any user, scaled to the tallest (``peak``)."""
    left, bottom, plot_h = _HIST["left"], _HIST["top"] + _HIST["height"], _HIST["height"]
    bar = _HIST["width"] / max(len(bins), 1)
    path = []
    for i, b in enumerate(bins):
        h = plot_h * b["users"] / peak
        if h > 0:
            path.append(f"M{_n(left + i * bar + 0.5)} {_n(bottom)}v{_n(-h)}h{_n(bar - 1)}v{_n(h)}z")
    return "".join(path)


def _histogram_texts(bins: Sequence[dict], peak: int, unit: str, decimals: int) -> list[Text]:
    """The value axis (lowest, middle, highest value), the count axis (peak and 0), and the unit."""
    left, width, bottom = _HIST["left"], _HIST["width"], _HIST["top"] + _HIST["height"]
    texts = []
    if bins:
        lo, hi = bins[0]["low"], bins[-1]["high"]
        for frac, anchor in ((0, "start"), (0.5, "middle"), (1, "end")):
            value = fmt_number(lo + (hi - lo) * frac, decimals)
            texts.append(_text(left + width * frac, bottom + 16, value, "axis", anchor))
    return [
        *texts,
        _text(left - 5, _HIST["top"] + 9, fmt_int(peak), "axis", "end"),
        _text(left - 5, bottom, "0", "axis", "end"),
        _text(left + width / 2, bottom + 32, unit, "legend", "middle"),
    ]


def _histogram_description(label: str, unit: str, bins: Sequence[dict], decimals: int) -> str:
    """The histogram in words: users, ranges and every count."""
    total = sum(b["users"] for b in bins)
    step = (bins[-1]["high"] - bins[0]["low"]) / len(bins) if bins else 0
    return (
        f"Histogram of {label} ({unit}) over {fmt_int(total)} valid users: {len(bins)} equal ranges of "
        f"{fmt_number(step, decimals + 1)} from {fmt_number(bins[0]['low'], decimals) if bins else ''} to "
        f"{fmt_number(bins[-1]['high'], decimals) if bins else ''}, holding "
        + ", ".join(fmt_int(b["users"]) for b in bins)
        + " users."
    )


def histogram(chart_id: str, label: str, unit: str, bins: Sequence[dict], decimals: int) -> Chart:
    """Bars of users per value bin (counted in SQL) as one path; the counts are in the description."""
    peak = max((b["users"] for b in bins), default=1) or 1
    left, right, bottom = _HIST["left"], _HIST["left"] + _HIST["width"], _HIST["top"] + _HIST["height"]
    marks = {
        "baseline": _line(left, bottom, right, bottom, "gl"),
        "path": _histogram_path(bins, peak),
        "counts": " ".join(str(b["users"]) for b in bins),
        "texts": _histogram_texts(bins, peak, unit, decimals),
    }
    title, description = f"Distribution of {label}", _histogram_description(label, unit, bins, decimals)
    width, height = _n(right + 6), _n(bottom + 38)
    return Chart("histogram", _slug(chart_id), title, description, width, height, marks, caption=label)


def ranked_bars(chart_id: str, caption: str, items: Sequence[tuple[str, float, str]], wide: bool = False) -> Chart:
    """Horizontal bars for ``(label, value, formatted value)`` in the given order."""
    label_w = _label_width([label for label, _, _ in items], low=60, high=220)
    bar_w, row_h = (420, 26) if wide else (max(120, 250 - label_w), 22)
    peak = max((v for _, v, _ in items), default=1) or 1
    bars, labels, values = [], [], []
    for i, (label, value, shown) in enumerate(items):
        y = 2 + i * row_h
        w = bar_w * value / peak
        labels.append(_text(label_w - 8, y + row_h / 2 + 4, _fit(label, label_w - 10)))
        bars.append(_box(label_w, y + 3, w, row_h - 7, value=repr(value)))
        values.append(_text(label_w + w + 6, y + row_h / 2 + 4, shown))
    marks = {"labels": TextGroup("label", "end", labels), "bars": bars, "amounts": TextGroup("value", "start", values)}
    description = caption + ": " + "; ".join(f"{label} {shown}" for label, _, shown in items)
    width = label_w + bar_w + 10 + CHAR_WIDTH * 0.95 * max((len(shown) for _, _, shown in items), default=4)
    return Chart(
        "ranked", _slug(chart_id), caption, description, _n(width), _n(4 + row_h * len(items)), marks, caption=caption
    )


_GRID = {"left": 40, "top": 4, "cell_w": 18, "cell_h": 16, "weekend_gap": 5}  # the activity grid's layout


def activity_step(share: float | None, peak: float) -> int:
    """The colour step of an hour's share of a segment's events: 0 without events, else 1-8 of ``peak``.

    The scale is the orange half of the heatmap's (``zp0``..``zp8``), shared by every segment.
    """
    if not share or share <= 0 or not peak:
        return 0
    return max(1, min(HEAT_STEPS, math.ceil(HEAT_STEPS * share / peak)))


def _hours(h: int) -> str:
    """An hour of the day as a range: 20 -> "20:00\u201321:00"."""
    return f"{h:02d}:00\u2013{h + 1:02d}:00"


def _grid_y(weekday: int) -> float:
    """The top of a weekday's row; Saturday and Sunday sit a little apart."""
    return _GRID["top"] + (weekday - 1) * _GRID["cell_h"] + (_GRID["weekend_gap"] if weekday >= 6 else 0)


def _activity_legend(y: float, peak: float, busiest: str) -> dict:
    """The shared scale (no events, then 4 steps to the peak share) and the segment's busiest hour."""
    x, w = _GRID["left"], 14
    swatches = [_box(x + 26 + n * (w + 2), y, w, 10, cls=_heat_class(step)) for n, step in enumerate((0, 2, 4, 6, 8))]
    right = x + 26 + 5 * (w + 2) + 4
    grid_right = _GRID["left"] + 24 * _GRID["cell_w"]
    return {
        "swatches": swatches,
        "texts": [
            _text(x + 22, y + 9, "none", "axis", "end"),
            _text(right, y + 9, fmt_pct(peak), "axis"),
            _text(grid_right, y + 9, busiest, "axis strong", "end"),
        ],
    }


def activity_grid(segment: dict, cells: dict[tuple[int, int], tuple[int, float]], peak: float) -> Chart:
    """A segment's events by local weekday (rows, Monday first) and hour (columns): 7 x 24 cells
    coloured by the hour's share of the segment's events on a scale shared by all segments (strongest
    = ``peak``, the largest share of any segment); cells without events are grey (``zp0``).

    ``cells``: ``{(weekday 1-7, hour 0-23): (events, share_of_segment_events)}``, only those with
    events. Every count is in the hidden table; the cells of a weekday are one ``<g>``
    (``data-weekday``), hour 0 first, all ``cell`` wide and high.
    """
    left, cell_w, cell_h = _GRID["left"], _GRID["cell_w"], _GRID["cell_h"]
    rows = []
    for weekday in range(1, 8):
        row = []
        for hour in HOURS:
            events, share = cells.get((weekday, hour), (0, 0.0))
            row.append({"x": _n(left + hour * cell_w + 1), "cls": _heat_class(activity_step(share, peak))})
        rows.append({"weekday": weekday, "y": _n(_grid_y(weekday) + 1), "cells": row})
    bottom = _grid_y(7) + cell_h
    days = [_text(left - 6, _grid_y(d) + cell_h / 2 + 4, WEEKDAYS[d - 1][:3]) for d in range(1, 8)]
    hours = [_text(left + h * cell_w + cell_w / 2, bottom + 14, str(h), "axis", "middle") for h in (0, 6, 12, 18, 23)]
    hours.append(_text(left - 6, bottom + 14, "hour", "axis", "end"))
    total = sum(events for events, _ in cells.values())
    top = max(cells.items(), key=lambda item: (item[1][0], -item[0][0], -item[0][1]), default=None)
    busiest = f"busiest: {WEEKDAYS[top[0][0] - 1][:3]} {_hours(top[0][1])}" if top else "no events"
    description = (
        f"{segment['segment_name']}: its {fmt_int(total)} events by local weekday (rows, Monday to Sunday) and "
        "local hour (columns, 0 to 23); the stronger the orange, the larger the hour's share of the segment's "
        f"events, on one scale for every segment (strongest: {fmt_pct(peak)})."
    )
    if top:
        (weekday, hour), (events, share) = top
        description += (
            f" Busiest hour: {WEEKDAYS[weekday - 1]} {_hours(hour)}, {fmt_int(events)} events ({fmt_pct(share)})."
        )
    table = Table(
        ["Weekday \\ local hour", *(str(h) for h in HOURS)],
        [[WEEKDAYS[d - 1], *(fmt_int(cells.get((d, h), (0, 0.0))[0]) for h in HOURS)] for d in range(1, 8)],
    )
    marks = {
        "rows": rows,
        "days": TextGroup("axis", "end", days),
        "hours": hours,
        "legend": _activity_legend(bottom + 26, peak, busiest),
        "cell": {"width": _n(cell_w - 2), "height": _n(cell_h - 2)},
    }
    title = f"{segment['segment_name']}: events by local hour and weekday"
    width, height = left + 24 * cell_w + 2, bottom + 40
    return Chart(
        "activity",
        f"activity-{int(segment['segment_id'])}",
        title,
        description,
        _n(width),
        _n(height),
        marks,
        table,
        segment["segment_name"],
        accent=segment_colour(segment["segment_id"]),
    )
