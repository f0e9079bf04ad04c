"""Inline SVG charts for the report, drawn from the marts' numbers.

Every chart is a ``<figure>`` holding an ``<svg role="img">`` with a ``<title>`` and a
``<desc>`` (named by ``aria-labelledby``) and, beside it, a visually hidden table of the same
numbers: the text alternative. Every piece of text from the data goes through
:func:`markupsafe.escape`; numbers are formatted by :mod:`user_segmentation.report_format`,
the same helpers the tables use. The marks that tests compare with the marts carry their raw
value in ``data-value``.

Colours: one colour per segment (Okabe-Ito, safe for the common colour-vision deficiencies),
the same in every chart and card; theme-dependent colours (text, the heatmap's diverging
scale) are CSS classes, so the light, dark and print styles can differ without JavaScript.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from markupsafe import Markup, escape

from .report_format import fmt_ari, fmt_int, fmt_number, fmt_pct, fmt_silhouette, fmt_z

# Okabe-Ito (without its yellow, too light on white, and black).
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#999999", "#8C6D1F")
# Levels of one demographic dimension, neighbours well apart.
LEVEL_PALETTE = ("#0072B2", "#56B4E9", "#009E73", "#E69F00", "#D55E00", "#CC79A7", "#999999", "#8C6D1F")
CHAR_WIDTH = 7.0  # average advance of a 13px system-ui glyph, for layout estimates
HEAT_STEPS = 8  # bins of 0.25 sd on each side; |z| >= 2 is the darkest


def segment_colour(segment_id: int) -> str:
    return PALETTE[(int(segment_id) - 1) % len(PALETTE)]


def level_css() -> str:
    """Fill classes ``c0``.. for the levels of a dimension, and readable text on each (``t0``..)."""
    fills = "".join(f".c{n}{{fill:{c}}}" for n, c in enumerate(LEVEL_PALETTE))
    texts = "".join(f"svg .t{n}{{fill:{text_on(c)}}}" for n, c in enumerate(LEVEL_PALETTE))
    return fills + texts


# ---------------------------------------------------------------- colour arithmetic


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


DARK_TEXT, LIGHT_TEXT = "#1d2125", "#ffffff"


def text_on(fill: str) -> str:
    """The more readable of dark and white text on ``fill``."""
    return DARK_TEXT if _contrast(fill, DARK_TEXT) >= _contrast(fill, LIGHT_TEXT) else LIGHT_TEXT


# Diverging scale (blue below, orange above): colour-blind safe, midpoint close to the surface.
HEAT = {
    "light": {"neg": "#2166ac", "mid": "#f4f4f2", "pos": "#b35806"},
    "dark": {"neg": "#6fb1e6", "mid": "#2c3238", "pos": "#f0a04b"},
}


def heat_step(z: float) -> int:
    return max(-HEAT_STEPS, min(HEAT_STEPS, round(z * 4)))


def _heat_class(step: int) -> str:
    return f"z{'n' if step < 0 else 'p'}{abs(step)}"


def heat_fill(step: int, theme: str = "light") -> str:
    scale = HEAT[theme]
    end = scale["neg"] if step < 0 else scale["pos"]
    return _mix(scale["mid"], end, abs(step) / HEAT_STEPS)


def heat_css() -> str:
    """CSS for the heatmap classes, light (also print) and dark."""
    blocks = []
    for theme in ("light", "dark"):
        rules, flipped = [], []
        default = DARK_TEXT if theme == "light" else "#e8eaed"
        for step in range(-HEAT_STEPS, HEAT_STEPS + 1):
            fill = heat_fill(step, theme)
            cls = _heat_class(step)
            rules.append(f".{cls}{{fill:{fill}}}")
            colour = text_on(fill) if theme == "light" else (DARK_TEXT if text_on(fill) == DARK_TEXT else default)
            if colour != default:
                flipped.append((cls, colour))
        for colour in sorted({c for _, c in flipped}):
            rules.append(",".join(f".hm .{cls}+text" for cls, c in flipped if c == colour) + f"{{fill:{colour}}}")
        css = "".join(rules)
        blocks.append(css if theme == "light" else f"@media screen and (prefers-color-scheme: dark){{{css}}}")
    return "\n".join(blocks)


def chart_css() -> Markup:
    """The CSS the charts' colour classes need (computed here, so contrast is checked in one place)."""
    return Markup(level_css() + "\n" + heat_css())


# ---------------------------------------------------------------- SVG building blocks


def _n(value: float) -> str:
    """A coordinate: at most one decimal, no trailing zero."""
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "chart"


def _text(x: float, y: float, text: str, cls: str = "", anchor: str = "start", extra: str = "") -> str:
    attrs = f' class="{cls}"' if cls else ""
    if anchor != "start":
        attrs += f' text-anchor="{anchor}"'
    return f'<text x="{_n(x)}" y="{_n(y)}"{attrs}{extra}>{escape(text)}</text>'


def _group(texts: Sequence[str], cls: str, anchor: str = "start") -> str:
    """Text elements sharing a class and an anchor, set once on a ``<g>``."""
    attrs = f' text-anchor="{anchor}"' if anchor != "start" else ""
    return f'<g class="{cls}"{attrs}>' + "".join(texts) + "</g>" if texts else ""


def _fit(text: str, width: float) -> str:
    """``text`` cut with an ellipsis to about ``width`` pixels (the full text is in the table)."""
    limit = max(4, int(width / CHAR_WIDTH))
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "\u2026"


def _label_width(labels: Sequence[str], low: int = 80, high: int = 300) -> int:
    longest = max((len(label) for label in labels), default=0)
    return int(min(high, max(low, longest * CHAR_WIDTH + 24)))


def _table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    head = "".join(f'<th scope="col">{escape(h)}</th>' for h in header)
    body = "".join(
        "<tr>"
        + "".join(
            (f'<th scope="row">{escape(c)}</th>' if n == 0 else f"<td>{escape(c)}</td>") for n, c in enumerate(row)
        )
        + "</tr>"
        for row in rows
    )
    return f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody>"


def _frame(
    chart_id: str,
    title: str,
    description: str,
    width: float,
    height: float,
    body: str,
    table: str,
    caption: str | None = None,
    css_class: str = "",
) -> Markup:
    """A figure: optional caption, the SVG (title, desc, marks) and its hidden data table."""
    cid = _slug(chart_id)
    caption_html = f"<figcaption>{escape(caption)}</figcaption>" if caption else ""
    classes = f"chart {css_class}".strip()
    return Markup(
        f'<figure class="{classes}" data-chart="{cid}">'
        + caption_html
        + f'<svg viewBox="0 0 {_n(width)} {_n(height)}" width="{_n(width)}" role="img" '
        f'aria-labelledby="{cid}-t {cid}-d"><title id="{cid}-t">{escape(title)}</title>'
        f'<desc id="{cid}-d">{escape(description)}</desc>{body}</svg>'
        + (
            f'<div class="visually-hidden"><table><caption>{escape(title)}</caption>{table}</table></div>'
            if table
            else ""
        )
        + "</figure>"
    )


# ---------------------------------------------------------------- charts


def size_bars(segments: Sequence[dict]) -> Markup:
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
            f'<rect x="{label_w}" y="{y + 4}" width="{_n(w)}" height="{row_h - 12}" rx="3" '
            f'fill="{segment_colour(s["segment_id"])}" data-value="{s["share_of_users"]!r}" '
            f'data-users="{s["users"]}" data-segment="{s["segment_id"]}"/>'
        )
        values.append(_text(label_w + w + 8, y + 19, f"{fmt_pct(s['share_of_users'])} · {fmt_int(s['users'])} users"))
    parts = [_group(labels, "label", "end"), *bars, _group(values, "value")]
    table = ""  # the description lists every value
    description = "Share of valid users in each segment: " + "; ".join(
        f"{s['segment_name']} {fmt_pct(s['share_of_users'])} ({fmt_int(s['users'])} users)" for s in segments
    )
    return _frame(
        "sizes",
        "Segment sizes",
        description,
        label_w + bar_w + value_w,
        8 + row_h * len(segments),
        "".join(parts),
        table,
    )


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


def heatmap(segments: Sequence[dict], features: Sequence[dict], cells: dict[tuple[int, str], float]) -> Markup:
    """Segments (rows) x clustering features (columns); cells coloured and labelled by z-score."""
    label_w = _label_width([s["segment_name"] for s in segments])
    cell_w = max(72, min(112, (960 - label_w) // max(len(features), 1)))
    cell_h, head_h = 40, 44
    width = label_w + cell_w * len(features)
    parts = []
    for j, f in enumerate(features):
        x = label_w + j * cell_w + cell_w / 2
        lines = _wrap(f["label"], int(cell_w / 6.5))
        for n, line in enumerate(lines):
            parts.append(_text(x, head_h - 8 - 15 * (len(lines) - 1 - n), line, "axis", "middle"))
    grid = []
    for i, s in enumerate(segments):
        y = head_h + i * cell_h
        parts.append(_text(label_w - 14, y + cell_h / 2 + 5, _fit(s["segment_name"], label_w - 18), "label", "end"))
        parts.append(
            f'<rect x="{label_w - 7}" y="{y + 5}" width="4" height="{cell_h - 10}" rx="1" '
            f'fill="{segment_colour(s["segment_id"])}"/>'
        )
        for j, f in enumerate(features):
            z = cells.get((s["segment_id"], f["feature"]))
            x = label_w + j * cell_w
            if z is not None:
                grid.append(
                    f'<rect x="{x + 1}" y="{y + 1}" width="{cell_w - 2}" height="{cell_h - 2}" '
                    f'class="{_heat_class(heat_step(z))}" data-value="{z!r}" data-segment="{s["segment_id"]}" '
                    f'data-feature="{escape(f["feature"])}"/>'
                )
            grid.append(f'<text x="{_n(x + cell_w / 2)}" y="{_n(y + cell_h / 2 + 5)}">{escape(fmt_z(z))}</text>')
    parts.append('<g class="cell hm" text-anchor="middle">' + "".join(grid) + "</g>")
    # Legend: the scale from -2 to +2 sd.
    legend_y = head_h + cell_h * len(segments) + 18
    step_w = 18
    lx = label_w
    parts.append(_text(lx - 10, legend_y + 12, "below average", "axis", "end"))
    for step in range(-HEAT_STEPS, HEAT_STEPS + 1, 2):
        parts.append(
            f'<rect x="{lx}" y="{legend_y}" width="{step_w}" height="16" class="{_heat_class(step)}"/>'
            f'<text x="{_n(lx + step_w / 2)}" y="{legend_y + 30}" class="axis" text-anchor="middle">'
            f"{escape(fmt_z(step / 4, 0) if step % 4 == 0 else '')}</text>"
        )
        lx += step_w
    parts.append(_text(lx + 10, legend_y + 12, "above average (z-score, sd)", "axis"))
    table = _table(
        ["Segment", *[f["label"] for f in features]],
        [[s["segment_name"], *[fmt_z(cells.get((s["segment_id"], f["feature"]))) for f in features]] for s in segments],
    )
    return _frame(
        "heatmap",
        "Behavioural profile: z-score of each segment's average",
        "Rows are segments, columns are the clustering features; each cell says how many standard "
        "deviations the segment's average lies above (orange, +) or below (blue, \u2212) the average "
        "of all users.",
        width,
        legend_y + 36,
        "".join(parts),
        table,
    )


def stacked_bars(dimension_label: str, levels: Sequence[str], rows: Sequence[dict], min_cell_users: int) -> Markup:
    """100% bars, one per group (all users first), one colour per level; small cells greyed out.

    ``rows``: ``{"label", "population": bool, "colour", "cells": {level: (share, users, is_small)}}``.
    Small cells are not drawn as their level: they are pooled in one grey block at the end of the
    bar, without a figure, and the table says "fewer than N users".
    """
    label_w = _label_width([r["label"] for r in rows])
    bar_w, row_h, legend_h = 960 - label_w, 28, 28
    colours = {level: n % len(LEVEL_PALETTE) for n, level in enumerate(levels)}
    suppressed_note = f"fewer than {min_cell_users} users"
    any_small = any(cell[2] for r in rows for cell in r["cells"].values() if cell[1] > 0)
    parts, labels = [], []
    x = label_w
    legend = [(level, f"c{colours[level]}") for level in levels]
    if any_small:
        legend.append((f"small groups ({suppressed_note})", "sup"))
    for level, cls in legend:
        parts.append(f'<rect x="{_n(x)}" y="6" width="12" height="12" rx="2" class="{cls}"/>')
        parts.append(_text(x + 17, 17, level, "legend"))
        x += 17 + CHAR_WIDTH * 0.95 * len(level) + 18
    paths: dict[str, list[str]] = {}  # one path per colour: a rectangle per cell
    for i, row in enumerate(rows):
        y = legend_h + i * row_h
        cls = "label strong" if row.get("population") else "label"
        parts.append(_text(label_w - 14, y + 18, _fit(row["label"], label_w - 18), cls, "end"))
        if row.get("colour"):
            parts.append(
                f'<rect x="{label_w - 7}" y="{y + 4}" width="4" height="{row_h - 8}" rx="1" fill="{row["colour"]}"/>'
            )
        cumulative, hidden, row_labels = 0.0, 0.0, []
        for level in levels:
            share, _users, small = row["cells"].get(level, (0.0, 0, False))
            if small:
                hidden += share
                continue
            x0 = round(label_w + bar_w * cumulative)
            cumulative += share
            x1 = round(label_w + bar_w * cumulative)
            if x1 <= x0:
                continue
            paths.setdefault(f"c{colours[level]}", []).append(f"M{x0} {y + 3}h{x1 - x0}v{row_h - 6}h{x0 - x1}z")
            shown = fmt_pct(share)
            if x1 - x0 >= len(shown) * 7.5 + 10:
                row_labels.append(f'<text x="{_n((x0 + x1) / 2)}" class="t{colours[level]}">{escape(shown)}</text>')
        if hidden > 0:
            x0 = round(label_w + bar_w * cumulative)
            x1 = round(label_w + bar_w * (cumulative + hidden))
            paths.setdefault("sup", []).append(f"M{x0} {y + 3}h{x1 - x0}v{row_h - 6}h{x0 - x1}z")
        if row_labels:
            labels.append(f'<g transform="translate(0 {y + 18})">' + "".join(row_labels) + "</g>")
    parts.extend(f'<path d="{"".join(d)}" class="{cls}"/>' for cls, d in paths.items())
    parts.append('<g text-anchor="middle" class="cell">' + "".join(labels) + "</g>")
    table = _table(
        ["Group", *levels],
        [
            [
                r["label"],
                *[
                    suppressed_note if r["cells"].get(lv, (0, 0, False))[2] else fmt_pct(r["cells"].get(lv, (0.0,))[0])
                    for lv in levels
                ],
            ]
            for r in rows
        ],
    )
    return _frame(
        f"demographics-{dimension_label}",
        f"{dimension_label}: share of each level, all users first, then each segment",
        f"100% stacked bars of {dimension_label.lower()} ({', '.join(levels)}) for all users and for each "
        f"segment; cells with {suppressed_note} are pooled in grey without a figure.",
        label_w + bar_w,
        legend_h + row_h * len(rows) + 2,
        "".join(parts),
        table,
        caption=dimension_label,
    )


def _nice_step(span: float, ticks: int = 4) -> float:
    raw = span / ticks
    for step in (0.01, 0.02, 0.025, 0.05, 0.1, 0.2, 0.25, 0.5, 1.0):
        if step >= raw:
            return step
    return 1.0


def k_selection_chart(rows: Sequence[dict]) -> Markup:
    """Silhouette and null-reference silhouette per k, stability under the axis, chosen k marked."""
    left, plot_w, top, plot_h = 64, 620, 34, 200
    ks = [r["k"] for r in rows]
    values = [r[key] for r in rows for key in ("silhouette", "null_silhouette") if r[key] is not None]
    low = min(0.0, *values) if values else 0.0
    step = _nice_step((max(values, default=1.0) or 1.0) * 1.1 - low)
    high = step * (int((max(values, default=1.0) * 1.1) / step) + 1)

    def px(k: int) -> float:
        return left + plot_w * (ks.index(k) + 0.5) / max(len(ks), 1)

    def py(v: float) -> float:
        return top + plot_h - plot_h * (v - low) / (high - low)

    parts = []
    tick = low
    while tick <= high + 1e-9:
        parts.append(f'<line x1="{left}" y1="{_n(py(tick))}" x2="{left + plot_w}" y2="{_n(py(tick))}" class="gl"/>')
        parts.append(_text(left - 8, py(tick) + 4, fmt_number(tick, 2), "axis", "end"))
        tick += step
    for r in rows:
        if r["chosen"]:
            parts.append(
                f'<rect x="{_n(px(r["k"]) - 30)}" y="{top - 22}" width="60" height="{plot_h + 22}" class="chosen"/>'
            )
            parts.append(_text(px(r["k"]), top - 8, f"chosen: k = {r['k']}", "axis strong", "middle"))
    for cls, key in (("s-null", "null_silhouette"), ("s-real", "silhouette")):
        points = [(px(r["k"]), py(r[key]), r) for r in rows if r[key] is not None]
        if len(points) > 1:
            path = " ".join(f"{_n(x)},{_n(y)}" for x, y, _ in points)
            parts.append(f'<polyline points="{path}" class="{cls}"/>')
        for x, y, r in points:
            parts.append(
                f'<circle cx="{_n(x)}" cy="{_n(y)}" r="4.5" class="{cls}" data-value="{r[key]!r}" '
                f'data-k="{r["k"]}" data-series="{key}"/>'
            )
            if r["chosen"]:
                parts.append(_text(x + 9, y + (-6 if key == "silhouette" else 16), fmt_silhouette(r[key]), "value"))
    base = top + plot_h
    parts.append(_text(left - 8, base + 20, "k", "axis strong", "end"))
    parts.append(_text(left - 8, base + 40, "stability", "axis", "end"))
    for r in rows:
        parts.append(_text(px(r["k"]), base + 20, str(r["k"]), "axis strong", "middle"))
        parts.append(_text(px(r["k"]), base + 40, fmt_ari(r["stability_ari"]), "axis", "middle"))
    lx = left + plot_w + 24
    parts.append(f'<line x1="{lx}" y1="{top + 10}" x2="{lx + 24}" y2="{top + 10}" class="s-real"/>')
    parts.append(_text(lx + 30, top + 14, "silhouette (real data)", "legend"))
    parts.append(f'<line x1="{lx}" y1="{top + 34}" x2="{lx + 24}" y2="{top + 34}" class="s-null"/>')
    parts.append(_text(lx + 30, top + 38, "null reference", "legend"))
    parts.append(_text(lx + 30, top + 54, "(same data, columns shuffled)", "legend"))
    table = _table(
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
    return _frame(
        "k-selection",
        "Choosing k: silhouette against the null reference",
        description,
        lx + 230,
        base + 50,
        "".join(parts),
        table,
        caption="Choosing the number of segments (k)",
    )


def histogram(chart_id: str, label: str, unit: str, bins: Sequence[dict], decimals: int) -> Markup:
    """Bars of users per value bin (counted in SQL) as one path; the counts are in the description."""
    left, plot_w, top, plot_h = 40, 270, 8, 96
    peak = max((b["users"] for b in bins), default=1) or 1
    bar = plot_w / max(len(bins), 1)
    path = []
    for i, b in enumerate(bins):
        h = plot_h * b["users"] / peak
        if h > 0:
            path.append(f"M{_n(left + i * bar + 0.5)} {_n(top + plot_h)}v{_n(-h)}h{_n(bar - 1)}v{_n(h)}z")
    counts = " ".join(str(b["users"]) for b in bins)
    parts = [
        f'<line x1="{left}" y1="{top + plot_h}" x2="{left + plot_w}" y2="{top + plot_h}" class="gl"/>',
        f'<path d="{"".join(path)}" class="hist" data-values="{counts}"/>',
    ]
    if bins:
        lo, hi = bins[0]["low"], bins[-1]["high"]
        for frac, anchor in ((0, "start"), (0.5, "middle"), (1, "end")):
            value = fmt_number(lo + (hi - lo) * frac, decimals)
            parts.append(_text(left + plot_w * frac, top + plot_h + 16, value, "axis", anchor))
    parts.append(_text(left - 5, top + 9, fmt_int(peak), "axis", "end"))
    parts.append(_text(left - 5, top + plot_h, "0", "axis", "end"))
    parts.append(_text(left + plot_w / 2, top + plot_h + 32, unit, "legend", "middle"))
    total = sum(b["users"] for b in bins)
    step = (bins[-1]["high"] - bins[0]["low"]) / len(bins) if bins else 0
    description = (
        f"Histogram of {label} ({unit}) over {fmt_int(total)} valid users: {len(bins)} equal ranges of "
        f"{fmt_number(step, decimals + 1)} from {fmt_number(bins[0]['low'], decimals) if bins else ''} to "
        f"{fmt_number(bins[-1]['high'], decimals) if bins else ''}, holding "
        + ", ".join(fmt_int(b["users"]) for b in bins)
        + " users."
    )
    return _frame(
        chart_id,
        f"Distribution of {label}",
        description,
        left + plot_w + 6,
        top + plot_h + 38,
        "".join(parts),
        "",
        caption=label,
    )


def ranked_bars(chart_id: str, caption: str, items: Sequence[tuple[str, float, str]], wide: bool = False) -> Markup:
    """Horizontal bars for ``(label, value, formatted value)`` in the given order."""
    label_w = _label_width([label for label, _, _ in items], low=60, high=220)
    bar_w, row_h = (420, 26) if wide else (max(120, 250 - label_w), 22)
    peak = max((v for _, v, _ in items), default=1) or 1
    bars, labels, values = [], [], []
    for i, (label, value, shown) in enumerate(items):
        y = 2 + i * row_h
        w = bar_w * value / peak
        labels.append(_text(label_w - 8, y + row_h / 2 + 4, _fit(label, label_w - 10)))
        bars.append(
            f'<rect x="{label_w}" y="{y + 3}" width="{_n(w)}" height="{row_h - 7}" rx="2" data-value="{value!r}"/>'
        )
        values.append(_text(label_w + w + 6, y + row_h / 2 + 4, shown))
    parts = [_group(labels, "label", "end"), '<g class="rank">', *bars, "</g>", _group(values, "value")]
    table = ""  # the description lists every value
    return _frame(
        chart_id,
        caption,
        caption + ": " + "; ".join(f"{label} {shown}" for label, _, shown in items),
        label_w + bar_w + 10 + CHAR_WIDTH * 0.95 * max((len(shown) for _, _, shown in items), default=4),
        4 + row_h * len(items),
        "".join(parts),
        table,
        caption=caption,
    )
