"""Inline SVG charts for the report, drawn from the marts' numbers.

Every chart is an ``<svg role="img">`` with a ``<title>`` and a ``<desc>`` (its text
alternative), followed by a visually hidden table of the same numbers. Every piece of text
from the data goes through :func:`markupsafe.escape`; values are formatted by the same
helpers as the rest of the report (:mod:`user_segmentation.report_format`), and each mark
carries its raw value in ``data-value`` so tests can compare it with the marts.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import count

from markupsafe import Markup, escape

from .report_format import fmt_index, fmt_int, fmt_number, fmt_pct, fmt_z

# Okabe-Ito: distinguishable with the common colour-vision deficiencies.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#8C6D1F", "#7F7F7F")
LEVEL_PALETTE = ("#0072B2", "#56B4E9", "#009E73", "#E69F00", "#D55E00", "#CC79A7", "#8C6D1F", "#7F7F7F")
# Light fills get dark labels (contrast), dark fills white ones.
LIGHT_FILLS = {"#56B4E9", "#E69F00", "#CC79A7"}
_ids = count(1)


def segment_colour(segment_id: int) -> str:
    return PALETTE[(int(segment_id) - 1) % len(PALETTE)]


def _frame(title: str, description: str, width: int, height: int, body: str, table: str, chart_id: str) -> Markup:
    number = next(_ids)
    title_id, desc_id = f"chart-{number}-title", f"chart-{number}-desc"
    return Markup(
        f'<figure class="chart" data-chart="{escape(chart_id)}">'
        f"<figcaption>{escape(title)}</figcaption>"
        f'<svg viewBox="0 0 {width} {height}" width="100%" style="max-width: {width}px" role="img" '
        f'aria-labelledby="{title_id} {desc_id}" preserveAspectRatio="xMinYMin meet">'
        f'<title id="{title_id}">{escape(title)}</title><desc id="{desc_id}">{escape(description)}</desc>'
        f"{body}</svg>"
        f'<table class="visually-hidden"><caption>{escape(title)}</caption>{table}</table>'
        f"</figure>"
    )


def _rows(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    head = "".join(f"<th>{escape(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{escape(c)}</td>" for c in row) + "</tr>" for row in rows)
    return f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody>"


def _text(x: float, y: float, text: str, cls: str = "", anchor: str = "start", extra: str = "") -> str:
    return f'<text x="{x:.1f}" y="{y:.1f}" class="{cls}" text-anchor="{anchor}"{extra}>{escape(text)}</text>'


def size_bars(segments: Sequence[dict]) -> Markup:
    """Horizontal bars: share of users per segment, labelled with users and share."""
    label_w, bar_w, row_h = 300, 380, 34
    height = 20 + row_h * len(segments)
    top = max((s["share_of_users"] for s in segments), default=1) or 1
    parts = []
    for i, s in enumerate(segments):
        y = 10 + i * row_h
        w = bar_w * s["share_of_users"] / top
        parts.append(_text(label_w - 10, y + 20, s["segment_name"], "label", "end"))
        parts.append(
            f'<rect x="{label_w}" y="{y + 5}" width="{w:.1f}" height="{row_h - 12}" rx="3" '
            f'fill="{segment_colour(s["segment_id"])}" data-value="{s["share_of_users"]!r}" '
            f'data-segment="{s["segment_id"]}"/>'
        )
        parts.append(
            _text(
                label_w + w + 8,
                y + 20,
                f"{fmt_pct(s['share_of_users'])} · {fmt_int(s['users'])} users",
                "value",
            )
        )
    table = _rows(
        ["Segment", "Users", "Share"],
        [[s["segment_name"], fmt_int(s["users"]), fmt_pct(s["share_of_users"])] for s in segments],
    )
    description = "; ".join(f"{s['segment_name']}: {fmt_pct(s['share_of_users'])}" for s in segments)
    return _frame(
        "Segment sizes (share of valid users)",
        description,
        label_w + bar_w + 170,
        height,
        "".join(parts),
        table,
        "sizes",
    )


def _diverging(z: float) -> tuple[str, float, bool]:
    """Fill colour, opacity and whether the text should be light, for a z-score."""
    strength = min(abs(z) / 2.0, 1.0)
    colour = "#D55E00" if z > 0 else "#0072B2"
    return colour, 0.08 + 0.82 * strength, strength > 0.55


def heatmap(segments: Sequence[dict], features: Sequence[dict], cells: dict[tuple[int, str], float]) -> Markup:
    """Segments (rows) x features (columns), cells coloured and labelled by z-score."""
    label_w, cell_w, cell_h, head_h = 260, 92, 40, 96
    width = label_w + cell_w * len(features) + 10
    height = head_h + cell_h * len(segments) + 10
    parts = []
    for j, f in enumerate(features):
        x = label_w + j * cell_w + cell_w / 2
        parts.append(
            _text(x, head_h - 10, f["label"], "axis", "start", f' transform="rotate(-35 {x:.1f} {head_h - 10})"')
        )
    for i, s in enumerate(segments):
        y = head_h + i * cell_h
        parts.append(_text(label_w - 10, y + cell_h / 2 + 5, s["segment_name"], "label", "end"))
        for j, f in enumerate(features):
            z = cells[(s["segment_id"], f["feature"])]
            fill, opacity, light = _diverging(z)
            x = label_w + j * cell_w
            parts.append(
                f'<rect x="{x + 1}" y="{y + 1}" width="{cell_w - 2}" height="{cell_h - 2}" fill="{fill}" '
                f'fill-opacity="{opacity:.2f}" data-value="{z!r}" data-segment="{s["segment_id"]}" '
                f'data-feature="{escape(f["feature"])}"/>'
            )
            parts.append(
                _text(x + cell_w / 2, y + cell_h / 2 + 5, fmt_z(z), "cell light" if light else "cell", "middle")
            )
    table = _rows(
        ["Segment", *[f["label"] for f in features]],
        [[s["segment_name"], *[fmt_z(cells[(s["segment_id"], f["feature"])]) for f in features]] for s in segments],
    )
    return _frame(
        "Behavioural profile: z-score of each segment's mean",
        "Rows are segments, columns are clustering features; each cell is how many standard "
        "deviations the segment's mean lies above (orange) or below (blue) the mean of all users.",
        width,
        height,
        "".join(parts),
        table,
        "heatmap",
    )


def stacked_bars(dimension_label: str, rows: Sequence[dict], levels: Sequence[str], min_cell_users: int) -> Markup:
    """100% bars: one row per group (Population first), one colour per level."""
    label_w, bar_w, row_h = 260, 520, 30
    legend_h = 30
    height = legend_h + row_h * len(rows) + 10
    parts = []
    x = label_w
    for n, level in enumerate(levels):
        colour = LEVEL_PALETTE[n % len(LEVEL_PALETTE)]
        parts.append(f'<rect x="{x}" y="6" width="12" height="12" fill="{colour}"/>')
        parts.append(_text(x + 16, 17, level, "legend"))
        x += 22 + 8 * len(level) + 14
    for i, row in enumerate(rows):
        y = legend_h + i * row_h
        parts.append(_text(label_w - 10, y + 19, row["label"], "label strong" if i == 0 else "label", "end"))
        x = label_w
        for n, level in enumerate(levels):
            share, users = row["shares"].get(level, (0.0, 0))
            w = bar_w * share
            small = users < min_cell_users and not row.get("population")
            colour = LEVEL_PALETTE[n % len(LEVEL_PALETTE)]
            if w > 0:
                faded = 'fill-opacity="0.35" ' if small else ""
                note = f" (fewer than {min_cell_users} users)" if small else ""
                parts.append(
                    f'<rect x="{x:.1f}" y="{y + 4}" width="{w:.1f}" height="{row_h - 8}" fill="{colour}" '
                    f'{faded}data-value="{share!r}" data-level="{escape(level)}">'
                    f"<title>{escape(level)}: {escape(fmt_pct(share))}{note}</title></rect>"
                )
                if w > 34 and not small:
                    parts.append(
                        _text(
                            x + w / 2,
                            y + 19,
                            fmt_pct(share, 0),
                            "cell dark" if colour in LIGHT_FILLS else "cell light",
                            "middle",
                        )
                    )
            x += w
    table = _rows(
        ["Group", *levels],
        [
            [
                r["label"],
                *[
                    ("fewer than " + str(min_cell_users) + " users")
                    if r["shares"].get(lv, (0, 0))[1] < min_cell_users and not r.get("population")
                    else fmt_pct(r["shares"].get(lv, (0.0, 0))[0])
                    for lv in levels
                ],
            ]
            for r in rows
        ],
    )
    return _frame(
        f"{dimension_label}: share of each level, all users first",
        f"100% bars of {dimension_label.lower()} for all users and for each segment.",
        label_w + bar_w + 20,
        height,
        "".join(parts),
        table,
        f"demographics-{dimension_label}",
    )


def k_selection_chart(rows: Sequence[dict]) -> Markup:
    """Silhouette and null-reference silhouette per k; the chosen k marked."""
    left, width, top, height = 60, 520, 20, 220
    ks = [r["k"] for r in rows]
    values = [v for r in rows for v in (r["silhouette"], r["null_silhouette"])]
    low, high = min(0.0, min(values)), max(values) * 1.15 or 1.0

    def px(k: int) -> float:
        return left + (width * (ks.index(k) + 0.5) / len(ks))

    def py(v: float) -> float:
        return top + height - height * (v - low) / (high - low)

    parts = [f'<line x1="{left}" y1="{py(0):.1f}" x2="{left + width}" y2="{py(0):.1f}" class="gridline"/>']
    for tick in (low, (low + high) / 2, high):
        parts.append(_text(left - 8, py(tick) + 4, fmt_number(tick, 2), "axis", "end"))
    for cls, key in (("line-real", "silhouette"), ("line-null", "null_silhouette")):
        points = " ".join(f"{px(r['k']):.1f},{py(r[key]):.1f}" for r in rows)
        parts.append(f'<polyline points="{points}" class="{cls}" fill="none"/>')
        for r in rows:
            parts.append(
                f'<circle cx="{px(r["k"]):.1f}" cy="{py(r[key]):.1f}" r="4" class="{cls}" '
                f'data-value="{r[key]!r}" data-k="{r["k"]}" data-series="{key}"/>'
            )
    for r in rows:
        parts.append(_text(px(r["k"]), top + height + 18, f"k = {r['k']}", "axis", "middle"))
        if r["chosen"]:
            parts.append(f'<rect x="{px(r["k"]) - 22:.1f}" y="{top}" width="44" height="{height}" class="chosen"/>')
            parts.append(_text(px(r["k"]), top + 12, "chosen", "axis strong", "middle"))
    parts.append(
        f'<line x1="{left + width - 200}" y1="{top + height + 36}" x2="{left + width - 180}" '
        f'y2="{top + height + 36}" class="line-real"/>'
    )
    parts.append(_text(left + width - 175, top + height + 40, "silhouette", "legend"))
    parts.append(
        f'<line x1="{left + width - 95}" y1="{top + height + 36}" x2="{left + width - 75}" '
        f'y2="{top + height + 36}" class="line-null"/>'
    )
    parts.append(_text(left + width - 70, top + height + 40, "null reference", "legend"))
    table = _rows(
        ["k", "Silhouette", "Null silhouette", "Stability (ARI)", "Verdict", "Chosen"],
        [
            [
                str(r["k"]),
                fmt_number(r["silhouette"], 3),
                fmt_number(r["null_silhouette"], 3),
                fmt_number(r["stability_ari"], 2),
                r["verdict"],
                "yes" if r["chosen"] else "",
            ]
            for r in rows
        ],
    )
    return _frame(
        "Choosing k: silhouette against the null reference",
        "For each number of segments k, the silhouette of the real data and of the same data with "
        "every column shuffled; the chosen k is marked.",
        left + width + 20,
        top + height + 50,
        "".join(parts),
        table,
        "k-selection",
    )


def histogram(label: str, bins: Sequence[dict]) -> Markup:
    """Bars of user counts per value bin (computed in SQL)."""
    left, width, top, height = 44, 280, 10, 100
    peak = max((b["users"] for b in bins), default=1) or 1
    bar = width / max(len(bins), 1)
    parts = []
    for i, b in enumerate(bins):
        h = height * b["users"] / peak
        parts.append(
            f'<rect x="{left + i * bar + 1:.1f}" y="{top + height - h:.1f}" width="{bar - 2:.1f}" '
            f'height="{h:.1f}" class="hist" data-value="{b["users"]}"/>'
        )
    if bins:
        parts.append(_text(left, top + height + 16, fmt_number(bins[0]["low"], 2), "axis"))
        parts.append(_text(left + width, top + height + 16, fmt_number(bins[-1]["high"], 2), "axis", "end"))
    parts.append(_text(left - 6, top + 10, fmt_int(peak), "axis", "end"))
    table = _rows(
        ["From", "To", "Users"],
        [[fmt_number(b["low"], 2), fmt_number(b["high"], 2), fmt_int(b["users"])] for b in bins],
    )
    return _frame(
        f"Distribution of {label}",
        f"Histogram of {label} over all valid users.",
        left + width + 10,
        top + height + 24,
        "".join(parts),
        table,
        f"histogram-{label}",
    )


def ranked_bars(title: str, items: Sequence[tuple[str, float, str]], colour: str = "#0072B2") -> Markup:
    """Horizontal bars for (label, value, formatted value), largest first."""
    label_w, bar_w, row_h = (170, 260, 26) if len(items) > 8 else (130, 170, 24)
    top = max((v for _, v, _ in items), default=1) or 1
    parts = []
    for i, (label, value, shown) in enumerate(items):
        y = 6 + i * row_h
        w = bar_w * value / top
        parts.append(_text(label_w - 8, y + 16, label, "label", "end"))
        parts.append(
            f'<rect x="{label_w}" y="{y + 3}" width="{w:.1f}" height="{row_h - 8}" rx="2" '
            f'fill="{colour}" data-value="{value!r}"/>'
        )
        parts.append(_text(label_w + w + 6, y + 16, shown, "value"))
    table = _rows(["Item", "Value"], [[label, shown] for label, _, shown in items])
    return _frame(
        title,
        title + ": " + "; ".join(f"{lab} {shown}" for lab, _, shown in items),
        label_w + bar_w + 110,
        12 + row_h * len(items),
        "".join(parts),
        table,
        title,
    )


__all__ = [
    "fmt_index",
    "heatmap",
    "histogram",
    "k_selection_chart",
    "ranked_bars",
    "segment_colour",
    "size_bars",
    "stacked_bars",
]
